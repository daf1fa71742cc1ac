package whatif

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// The benchmarks price without I/O, with the seed's baseline policy (read as a data file:
// pricing never imports seed) and its scenario "EU levies 10% on compute imported from China".
// Each study runs on one core and on two (procs=1, procs=2: GOMAXPROCS set explicitly, since
// with b.Loop the first -cpu setting is not yet in force when a benchmark first runs). Besides
// ns/op they report ns per evaluation ("ns/eval"), the process CPU time per study
// ("cpu-ns/op"; on a shared machine wall time also measures the neighbours) and the peak heap
// while the study ran ("peak-heap-MB"). Run them side by side with the single-quote benchmark:
//
//	GOMAXPROCS=1 go test -run='^$' -bench='QuoteCrossBorder(Baseline)?$|Study' -cpu=1 -benchmem ./pricing/ ./pricing/whatif/

func seedPolicy(b testing.TB) (*tariff.Policy, Scenario) {
	data, err := os.ReadFile("../../seed/policy/baseline.yaml")
	if err != nil {
		b.Skip("no ../../seed/policy/baseline.yaml:", err)
	}
	base, err := tariff.ParsePolicy("baseline.yaml", data)
	if err != nil {
		b.Fatal(err)
	}
	sdata, err := os.ReadFile("../../seed/policy/scenarios/eu-compute-levy-cn-10.yaml")
	if err != nil {
		b.Skip("no scenario:", err)
	}
	sc, err := tariff.ParseScenario("eu-compute-levy-cn-10.yaml", sdata)
	if err != nil {
		b.Fatal(err)
	}
	p, err := sc.Apply(base)
	if err != nil {
		b.Fatal(err)
	}
	return base, Scenario{ID: sc.ID, Title: sc.Title, Policy: p, FXShocks: sc.FXShocks, Ref: Ref{PolicyID: base.ID, ScenarioID: sc.ID, Hash: p.Hash}}
}

// corridorFlows returns 100 needs (10 EU buyer countries × business/consumer × 5 request
// sizes) × 100 offers each: 60 hosted in six Chinese regions (CNY), 40 in four EU regions
// (EUR), each at its own price.
func corridorFlows(needs, perNeed int) []Flow {
	type region struct{ code, country, bloc, cur string }
	cn := []region{{"cn-ningxia-zhongwei", "CN", "CN", "CNY"}, {"cn-gansu-qingyang", "CN", "CN", "CNY"}, {"cn-guizhou-guian", "CN", "CN", "CNY"},
		{"cn-inner-mongolia-horinger", "CN", "CN", "CNY"}, {"cn-sichuan-tianfu", "CN", "CN", "CNY"}, {"cn-anhui-wuhu", "CN", "CN", "CNY"}}
	eu := []region{{"eu-fi-kajaani", "FI", "EU", "EUR"}, {"eu-de-julich", "DE", "EU", "EUR"}, {"eu-se-linkoping", "SE", "EU", "EUR"}, {"eu-es-barcelona", "ES", "EU", "EUR"}}
	countries := []string{"DE", "FR", "NL", "IT", "ES", "PL", "SE", "AT", "BE", "IE"}
	sizes := [][2]int{{8, 720}, {16, 720}, {8, 2160}, {64, 720}, {1, 500}}
	var flows []Flow
	for n := range needs {
		country := countries[n%len(countries)]
		bt := tariff.BuyerBusiness
		if n/len(countries)%2 == 1 {
			bt = tariff.BuyerConsumer
		}
		size := sizes[n/(2*len(countries))%len(sizes)]
		need := fmt.Sprintf("%s %s %d×%d", country, bt, size[0], size[1])
		for i := range perNeed {
			rg := cn[i%len(cn)]
			price := decimal.New(int64(1200+(i*37+n*11)%800), -2) // CNY 12.00–19.99
			if i%5 >= 3 {
				rg = eu[i%len(eu)]
				price = decimal.New(int64(170+(i*13+n*7)%90), -2) // EUR 1.70–2.59
			}
			o := pricing.OfferTerms{ID: fmt.Sprintf("off-%03d-%03d", n, i), Product: tariff.ProductGPUHours, Price: price, Currency: rg.cur,
				Pricing: pricing.PricingOnDemand, Origin: rg.country, Region: rg.code, Bloc: rg.bloc, Accelerator: h100,
				BF16TFLOPS: d("989.4"), TDPW: d("700"), PUE: d("1.2"), GridKgPerKWh: d("0.5")}
			flows = append(flows, Flow{ID: o.ID, Need: need, Offer: o,
				Request: pricing.Request{GPUs: size[0], Hours: size[1], BuyerCountry: country, BuyerType: bt}})
		}
	}
	return flows
}

// BenchmarkStudy10000x100 is the target: 10,000 flows × (the baseline, the scenario,
// and the scenario at 100 levy rates) = 1,020,000 evaluations per study. The levy applies to
// the 6,000 flows hosted in China; the 4,000 EU-hosted flows' quotes cannot change along the
// sweep and are reused (see Options.PriceAll).
func BenchmarkStudy10000x100(b *testing.B) {
	benchProcs(b, sweepStudy10000(b), Options{})
}

// BenchmarkStudy10000x100PriceAll is BenchmarkStudy10000x100 with every evaluation priced:
// 1,020,000 quotes.
func BenchmarkStudy10000x100PriceAll(b *testing.B) {
	benchProcs(b, sweepStudy10000(b), Options{PriceAll: true})
}

// BenchmarkStudy10000 is the same study without the sweep: 10,000 flows × 2 scenarios.
func BenchmarkStudy10000(b *testing.B) {
	base, levy := seedPolicy(b)
	s := &Study{AsOf: saturday, Currency: "EUR", FX: testFX(), Baseline: Scenario{ID: "baseline", Policy: base},
		Scenarios: []Scenario{levy}, Flows: corridorFlows(100, 100)}
	benchProcs(b, s, Options{})
}

func sweepStudy10000(b *testing.B) *Study {
	base, levy := seedPolicy(b)
	sw, err := ParseSweep("eu-levy-cn-compute.rate=0%..49.5% step 0.5%")
	if err != nil {
		b.Fatal(err)
	}
	return &Study{AsOf: saturday, Currency: "EUR", FX: testFX(), Baseline: Scenario{ID: "baseline", Policy: base},
		Scenarios: []Scenario{levy}, Sweep: &sw, Flows: corridorFlows(100, 100)}
}

// benchProcs runs the study on one core and on two.
func benchProcs(b *testing.B, s *Study, opt Options) {
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("procs=%d", procs), func(b *testing.B) {
			prev := runtime.GOMAXPROCS(procs)
			defer runtime.GOMAXPROCS(prev)
			benchStudy(b, s, opt)
		})
	}
}

func benchStudy(b *testing.B, s *Study, opt Options) {
	var evals, quoted int64
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the heap while the study runs (runtime/metrics: no stop-the-world)
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		r, err := Evaluate(context.Background(), s, opt)
		if err != nil {
			b.Fatal(err)
		}
		evals, quoted = r.Evaluations, r.Quoted
	}
	cpu := processCPU() - cpu0
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*evals), "ns/eval")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(evals), "evals/op")
	b.ReportMetric(float64(quoted), "quotes/op")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
