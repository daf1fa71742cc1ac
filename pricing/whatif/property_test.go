package whatif

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// randomFlows returns n flows of a few needs: Chinese, Finnish and US-dollar offers at
// varied prices, German, French and Chinese buyers of both types, and some flows that cannot
// be priced (below the offer's minimum hours).
func randomFlows(n int, seed uint64) []Flow {
	rng := rand.New(rand.NewPCG(seed, 7))
	type buyer struct {
		country string
		bt      tariff.BuyerType
		region  string
	}
	buyers := []buyer{{"DE", tariff.BuyerBusiness, ""}, {"DE", tariff.BuyerConsumer, ""}, {"FR", tariff.BuyerConsumer, ""},
		{"CN", tariff.BuyerBusiness, "cn-shanghai"}, {"CN", tariff.BuyerBusiness, ""}}
	regions := []struct{ code, country, bloc, cur string }{
		{"cn-ningxia-zhongwei", "CN", "CN", "CNY"}, {"cn-gansu-qingyang", "CN", "CN", "CNY"}, {"eu-fi-kajaani", "FI", "EU", "EUR"},
		{"eu-de-julich", "DE", "EU", "EUR"}, {"eu-se-linkoping", "SE", "EU", "USD"},
	}
	flows := make([]Flow, n)
	for i := range flows {
		b := buyers[rng.IntN(len(buyers))]
		rg := regions[rng.IntN(len(regions))]
		o := pricing.OfferTerms{ID: fmt.Sprintf("off-%04d", i), Product: tariff.ProductGPUHours, Currency: rg.cur,
			Price: decimal.New(int64(150+rng.IntN(200)), -2), Pricing: pricing.PricingOnDemand, Origin: rg.country,
			Region: rg.code, Bloc: rg.bloc, Accelerator: h100, BF16TFLOPS: d("989.4"), TDPW: d("700")}
		if rg.cur == "CNY" {
			o.Price = o.Price.Mul(decimal.NewFromInt(8))
		}
		if rng.IntN(10) == 0 {
			o.Tiers = []pricing.Tier{{MinGPUHours: d("1000"), Discount: d("0.05")}}
		}
		hours := []int{250, 720, 1000}[rng.IntN(3)]
		if rng.IntN(25) == 0 {
			o.MinHours = 2000 // cannot be priced: below the minimum hours
		}
		need := fmt.Sprintf("%s-%s-%s-%d", b.country, b.bt, b.region, hours)
		flows[i] = flow(need, o, 8, hours, b.country, b.bt, b.region)
		if rng.IntN(20) == 0 { // a GPU server shipped from the region
			o.Product, o.HSCode, o.Price = tariff.ProductHardware, "8471.50", o.Price.Mul(decimal.NewFromInt(20000))
			flows[i] = Flow{ID: o.ID, Offer: o, Request: pricing.Request{Units: 1 + rng.IntN(3), BuyerCountry: b.country, BuyerType: b.bt}}
		}
	}
	return flows
}

func bigStudy(t testing.TB, n int, spec string) *Study {
	base := testPolicy(t)
	s := &Study{AsOf: saturday, Currency: "EUR", FX: testFX(), Baseline: baseline(base), Flows: randomFlows(n, 42),
		Scenarios: []Scenario{scenario(t, base, "scenario-levy-cny-voucher.yaml"), scenario(t, base, "scenario-levy.yaml")}}
	if spec != "" {
		sw, err := ParseSweep(spec)
		if err != nil {
			t.Fatal(err)
		}
		s.Sweep = &sw
	}
	return s
}

func render(t testing.TB, r *Result) []byte {
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, tb := range r.Tables() {
		if err := WriteCSV(&b, tb); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestDeterministic evaluates one study again and again — twice, with 1, 2 and 3 workers, and
// with GOMAXPROCS 1 and 2 — and expects identical bytes every time.
func TestDeterministic(t *testing.T) {
	s := bigStudy(t, 400, "eu-levy-cn.rate=0%..30% step 5%")
	want := render(t, evaluate(t, s, Options{}))
	if again := render(t, evaluate(t, s, Options{})); !bytes.Equal(again, want) {
		t.Fatal("a second run differs")
	}
	for _, w := range []int{1, 2, 3} {
		if got := render(t, evaluate(t, s, Options{Workers: w})); !bytes.Equal(got, want) {
			t.Errorf("%d workers: output differs", w)
		}
	}
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		got := render(t, evaluate(t, s, Options{}))
		runtime.GOMAXPROCS(prev)
		if !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: output differs", procs)
		}
	}
	if len(want) < 100_000 {
		t.Errorf("the output is only %d bytes: the study is too small to test anything", len(want))
	}
}

// TestAggregatesMatchQuotes recomputes a study's aggregates the plain way — every flow priced
// alone under every scenario state, derived here from the sweep's definition — and compares
// them with the streamed, merged ones.
func TestAggregatesMatchQuotes(t *testing.T) {
	s := bigStudy(t, 300, "eu-levy-cn.rate=0%..30% step 10%")
	r := evaluate(t, s, Options{Workers: 2})

	type state struct {
		scen, value string
		policy      *tariff.Policy
		fx          pricing.Snapshot
	}
	fxOf := func(sc Scenario) pricing.Snapshot {
		fx, err := testFX().Shock(maps.Clone(sc.FXShocks))
		if err != nil {
			t.Fatal(err)
		}
		return fx
	}
	var states []state
	for _, sc := range append([]Scenario{s.Baseline}, s.Scenarios...) {
		states = append(states, state{sc.ID, "", sc.Policy, fxOf(sc)})
	}
	for _, sc := range s.Scenarios { // both scenarios have the levy: both are swept
		for p := range s.Sweep.Points() {
			v := s.Sweep.Format(s.Sweep.Value(p))
			pol, err := sc.Policy.WithMeasureField("eu-levy-cn", "rate", v)
			if err != nil {
				t.Fatal(err)
			}
			states = append(states, state{sc.ID, v, pol, fxOf(sc)})
		}
	}
	if want := int64(len(s.Flows) * len(states)); r.Evaluations != want {
		t.Fatalf("evaluations %d, want %d", r.Evaluations, want)
	}
	byCountry := map[string]decimal.Decimal{}
	revenue := map[string]decimal.Decimal{}
	cheapest := map[string]string{}
	cheapestCost := map[string]decimal.Decimal{}
	unpriced := 0
	for _, st := range states {
		for i, f := range s.Flows {
			req := f.Request
			req.Currency, req.AsOf = "EUR", saturday
			q, err := pricing.Price(pricing.Inputs{Offer: f.Offer, Request: req, Policy: st.policy, FX: st.fx, Now: saturday})
			if err != nil {
				var nq *pricing.NoQuoteError
				if !errors.As(err, &nq) || nq.Reason != pricing.ReasonBelowMinHours {
					t.Fatalf("flow %d: %v", i, err)
				}
				unpriced++
				continue
			}
			k := st.scen + "|" + st.value + "|" + f.Request.BuyerCountry
			byCountry[k] = byCountry[k].Add(q.LandedCost)
			for _, l := range q.Lines {
				if l.MeasureID != "" && (l.Payable || l.Included) {
					rk := st.scen + "|" + st.value + "|" + l.Jurisdiction + "|" + l.Kind
					net := l.Amount
					if l.Recoverable && f.Request.BuyerType == tariff.BuyerBusiness {
						net = decimal.Zero
					}
					revenue[rk] = revenue[rk].Add(net)
				}
			}
			need := f.Need
			if need == "" { // hardware: grouped by buyer, accelerator and units
				need = needKey(f.Request.BuyerCountry, f.Request.BuyerType, f.Request.BuyerRegion, f.Offer.Accelerator.Model, f.Offer.Product, int64(f.Request.Units))
			}
			nk := st.scen + "|" + st.value + "|" + need
			if c, ok := cheapestCost[nk]; !ok || q.LandedCost.LessThan(c) {
				cheapestCost[nk], cheapest[nk] = q.LandedCost, f.ID
			}
		}
	}
	if unpriced == 0 {
		t.Fatal("the study has no unpriced flow: the test misses that case")
	}
	n := 0
	for _, a := range r.ByBuyerCountry {
		if want := byCountry[a.Scenario+"|"+a.SweepValue+"|"+a.Key]; !a.LandedCost.Equal(want) {
			t.Errorf("%s %s %s: %s, want %s", a.Scenario, a.SweepValue, a.Key, a.LandedCost, want)
		}
		n++
	}
	if n != len(byCountry) {
		t.Errorf("%d country aggregates, want %d", n, len(byCountry))
	}
	for _, v := range r.Revenue {
		if want := revenue[v.Scenario+"|"+v.SweepValue+"|"+v.Jurisdiction+"|"+v.Kind]; !v.Net.Equal(want) {
			t.Errorf("revenue %s %s %s %s: %s, want %s", v.Scenario, v.SweepValue, v.Jurisdiction, v.Kind, v.Net, want)
		}
	}
	for _, c := range r.Cheapest {
		k := c.Scenario + "|" + c.SweepValue + "|" + c.Need
		if !c.LandedCost.Equal(cheapestCost[k]) || c.OfferID != cheapest[k] {
			t.Errorf("cheapest %s: %s %s, want %s %s", k, c.OfferID, c.LandedCost, cheapest[k], cheapestCost[k])
		}
	}
	// Per-flow results are the quotes priced alone.
	for _, f := range r.Flows {
		if f.Priced && f.Scenario == "baseline" && !f.Compared {
			t.Errorf("flow %d: priced under the baseline but not compared", f.Flow)
		}
	}
}

func TestProgressAndCancel(t *testing.T) {
	s := bigStudy(t, 50, "CNY=-10%..10% step 10%")
	var p Progress
	evaluate(t, s, Options{Progress: &p})
	if p.Total() != 50*(3+2*3) || p.Done() != p.Total() {
		t.Errorf("progress %d of %d, want 450 of 450", p.Done(), p.Total())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Evaluate(ctx, s, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestReuseMatchesPricingAll checks the shortcut of Evaluate: quotes the sweep cannot change
// (the levy does not apply, the yuan is not converted) are reused at every point instead of
// priced again. Pricing every one of them gives the same bytes.
func TestReuseMatchesPricingAll(t *testing.T) {
	for _, spec := range []string{"eu-levy-cn.rate=0%..30% step 10%", "CNY=-20%..20% step 10%"} {
		s := bigStudy(t, 300, spec)
		fast := evaluate(t, s, Options{})
		all := evaluate(t, s, Options{PriceAll: true})
		if !bytes.Equal(render(t, fast), render(t, all)) {
			t.Errorf("%s: reusing quotes changes the result", spec)
		}
		if all.Quoted != all.Evaluations || fast.Quoted >= fast.Evaluations || fast.Quoted <= int64(len(s.Flows)*3) {
			t.Errorf("%s: quoted %d and %d of %d evaluations", spec, fast.Quoted, all.Quoted, all.Evaluations)
		}
	}
}

// TestDerivedOncePerPoint checks that each point of a sweep gets its policy derived (compiled)
// once per study, however many flows and workers price at it.
func TestDerivedOncePerPoint(t *testing.T) {
	s := bigStudy(t, 500, "eu-levy-cn.rate=0%..30% step 10%")
	e, err := newEvaluator(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.run(context.Background(), Options{Workers: 3}); err != nil {
		t.Fatal(err)
	}
	// Two swept scenarios × 4 points.
	if got := e.derived.Load(); got != 8 {
		t.Errorf("derived %d times, want 8", got)
	}
	for _, v := range e.variants[e.written:] {
		if v.policy != nil {
			t.Errorf("point %s of %s still holds its policy after the run", v.value, e.scens[v.scen].ID)
		}
	}
}
