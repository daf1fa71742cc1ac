package tariff

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// BenchmarkAssess prices 10,000 H100 GPU-hours hosted in China for a German business buyer
// against the whole baseline policy (~300 measures): the hot path of every quote. After the
// first iteration the matching phase comes from the policy's memo (see memo.go), as it does
// for every quote of a supply shape seen before; BenchmarkAssessNewShape and
// BenchmarkAssessCold measure the other cases.
func BenchmarkAssess(b *testing.B) {
	p := baseline(b)
	s := service("CN", "DE", BuyerBusiness, "10000", "18750")
	s.Accelerator = h100()
	at := day(dateDefault)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := Assess(p, s, at); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// BenchmarkAssessCold is BenchmarkAssess for supplies never seen before, on a day never seen
// before: every iteration checks all ~300 measures (a new date each time, so neither the memo
// nor the routes have the answer).
func BenchmarkAssessCold(b *testing.B) {
	p := baseline(b)
	s := service("CN", "DE", BuyerBusiness, "10000", "18750")
	s.Accelerator = h100()
	at := day(dateDefault)
	b.ReportAllocs()
	cpu0 := processCPU()
	i := 0
	for b.Loop() {
		i++
		if _, err := Assess(p, s, at.AddDate(0, 0, i)); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// BenchmarkAssessNewShape is the first assessment of a supply shape on a day and route the
// policy has seen: 1,024 supplies of BenchmarkAssessRotation, each time with an accelerator
// whose TPP no supply had before (of the same export class), so the memo never has the
// answer and matching starts from the route.
func BenchmarkAssessNewShape(b *testing.B) {
	p := baseline(b)
	at := day(dateDefault)
	shapes := rotationShapes(1024)
	for _, s := range shapes {
		if _, err := Assess(p, s, at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	cpu0 := processCPU()
	i := 0
	for b.Loop() {
		s := shapes[i%len(shapes)]
		i++
		s.Accelerator.TPP = s.Accelerator.TPP.Add(decimal.New(int64(i), -7))
		if _, err := Assess(p, s, at); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// BenchmarkParseBaseline decodes and validates the baseline policy document.
func BenchmarkParseBaseline(b *testing.B) {
	data, err := os.ReadFile("../seed/policy/baseline.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := ParsePolicy("baseline.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// reportCPU reports the process CPU time per operation ("cpu-ns/op"), garbage collection
// included: on a shared machine wall time mostly measures the neighbours.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkWithMeasureField derives the baseline with one rate changed (a what-if step):
// one measure re-decoded and checked, its conflicts re-checked, the policy compiled.
func BenchmarkWithMeasureField(b *testing.B) {
	p := baseline(b)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := p.WithMeasureField("vat-de-b2c", "rate", "21%"); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// BenchmarkAssessRotation assesses N different supply shapes in rotation against the baseline
// policy, as a varied market does: every pairing of 50 hosting regions (18 in China, 32 in and
// around Europe), 30 buyer countries, both buyer types, 20 accelerators and with or without
// personal data (120,000 shapes), of which the first N in a scrambled order. Every shape is
// assessed once before the timer starts, so the figures are the steady state of a market
// that keeps quoting the same N shapes; with N larger than the policy's caches hold, they
// measure what a miss costs. cache-MiB is the live heap the warm-up added: what the policy's
// caches hold for those shapes.
func BenchmarkAssessRotation(b *testing.B) {
	at := day(dateDefault)
	for _, n := range []int{100, 1024, 10000, 100000} {
		shapes := rotationShapes(n)
		b.Run(fmt.Sprintf("shapes=%d", n), func(b *testing.B) {
			p := baseline(b) // caches of its own
			heap0 := liveHeap()
			for _, s := range shapes {
				if _, err := Assess(p, s, at); err != nil {
					b.Fatal(err)
				}
			}
			cache := liveHeap() - heap0
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			i := 0
			for b.Loop() {
				if _, err := Assess(p, shapes[i], at); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(shapes) {
					i = 0
				}
			}
			reportCPU(b, processCPU()-cpu0)
			b.ReportMetric(float64(cache)/(1<<20), "cache-MiB")
		})
	}
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// rotationShapes returns the first n of the 120,000 supply shapes of BenchmarkAssessRotation.
func rotationShapes(n int) []Supply {
	type region struct{ code, country string }
	var regions []region
	for _, r := range []string{"hub-beijing-tianjin-hebei", "hub-yangtze-river-delta", "hub-greater-bay-area", "hub-chengdu-chongqing",
		"hub-inner-mongolia", "hub-guizhou", "hub-gansu", "hub-ningxia", "hebei-zhangjiakou", "yrd-demo-zone", "anhui-wuhu",
		"guangdong-shaoguan", "sichuan-tianfu", "chongqing", "guizhou-guian", "inner-mongolia-horinger", "gansu-qingyang", "ningxia-zhongwei"} {
		regions = append(regions, region{"cn-" + r, "CN"})
	}
	for _, r := range []string{"es-barcelona", "it-bologna", "fi-kajaani", "lu-bissen", "se-linkoping", "de-stuttgart", "gr-athens",
		"at-vienna", "bg-sofia", "fr-bruyeres-le-chatel", "de-julich", "pl-poznan", "si-maribor", "cz-ostrava", "lt-vilnius",
		"nl-groningen", "pl-krakow", "ro-bucharest", "es-santiago-de-compostela", "be-antenna", "cy-antenna", "hu-antenna",
		"ie-antenna", "lv-antenna", "mt-antenna", "sk-antenna", "is-antenna", "md-antenna", "ch-antenna", "gb-antenna", "mk-antenna", "rs-antenna"} {
		regions = append(regions, region{"eu-" + r, strings.ToUpper(r[:2])})
	}
	buyers := []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
		"LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "CN", "GB", "US"}
	acc := func(model, vendor, tpp, density, fab string) Accelerator {
		a := Accelerator{Model: model, VendorCountry: vendor, FabCountry: fab, TPP: d(tpp)}
		if density != "" {
			a.Density = d(density)
		}
		return a
	}
	accs := []Accelerator{acc("h100-sxm", "US", "15830.4", "19.45", "TW"), acc("h100-pcie", "US", "12083.2", "14.84", "TW"),
		acc("h20", "US", "2368", "2.91", "TW"), acc("h200-sxm", "US", "15824", "19.44", "TW"), acc("b200", "US", "36000", "22.5", "TW"),
		acc("a100-sxm-80gb", "US", "4992", "6.04", "TW"), acc("a800-sxm-80gb", "US", "4992", "6.04", "TW"), acc("l40s", "US", "5864", "9.6", "TW"),
		acc("l20", "US", "1912", "3.13", "TW"), acc("rtx-4090", "US", "5285", "8.7", "TW"), acc("mi250x", "US", "6128", "", "TW"),
		acc("mi300x", "US", "20918.4", "", "TW"), acc("mi325x", "US", "20918.4", "", "TW"), acc("ascend-910b", "CN", "5120", "", "CN"),
		acc("ascend-910c", "CN", "12800", "", "CN"), acc("mlu590", "CN", "5120", "", "CN"), acc("hygon-k100", "CN", "3200", "", "CN"),
		acc("kunlunxin-p800", "CN", "5120", "", "CN"), acc("biren-br104", "CN", "4096", "", "CN"), acc("ascend-950pr", "CN", "16000", "", "CN")}
	total := len(regions) * len(buyers) * 2 * len(accs) * 2
	out := make([]Supply, n)
	for k := range out {
		x := k * 7919 % total // 7919 is prime and does not divide total: a permutation
		r := regions[x%len(regions)]
		x /= len(regions)
		dest := buyers[x%len(buyers)]
		x /= len(buyers)
		bt := []BuyerType{BuyerBusiness, BuyerConsumer}[x%2]
		x /= 2
		a := accs[x%len(accs)]
		x /= len(accs)
		s := service(r.country, dest, bt, "5760", strconv.Itoa(8000+k%997))
		s.Region, s.Accelerator, s.PersonalData = r.code, a, x%2 == 1
		out[k] = s
	}
	return out
}
