package whatif

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"corridor/tariff"
)

// germanBusiness is the need of the sweep tests: a German business buys 5,760 GPU-hours of
// H100 either in Zhongwei at CNY 15.00 (10,800.00 EUR at 8.0000) or in Kajaani at fiPrice.
// Reverse-charged VAT is neither paid nor recovered, so the landed cost is the price plus any
// levy.
func germanBusiness(fiPrice string) []Flow {
	return []Flow{
		flow("de-business", cnH100(), 8, 720, "DE", tariff.BuyerBusiness, ""),
		flow("de-business", fiH100(fiPrice), 8, 720, "DE", tariff.BuyerBusiness, ""),
	}
}

func sweepStudy(t *testing.T, scenarioFile, spec, fiPrice string) *Study {
	t.Helper()
	base := testPolicy(t)
	sw, err := ParseSweep(spec)
	if err != nil {
		t.Fatal(err)
	}
	s := &Study{AsOf: saturday, Currency: "EUR", FX: testFX(), Baseline: baseline(base), Sweep: &sw, Flows: germanBusiness(fiPrice)}
	if scenarioFile != "" {
		s.Scenarios = []Scenario{scenario(t, base, scenarioFile)}
	}
	return s
}

// TestSweepBreakpointSolved sweeps the EU levy on Chinese compute from 0% to 30% in steps of
// 5%. Zhongwei costs 10,800 × (1 + r), Kajaani 2.10 × 5,760 = 12,096.00: they cross where
// 10,800 r = 1,296, at r = 12% exactly — between the grid points 10% (11,880.00 < 12,096.00)
// and 15% (12,420.00 > 12,096.00). The cost is linear in r, so interpolating between them
// finds it: t = (12,096 − 11,880) ÷ ((12,420 − 11,880) − 0) = 216 ÷ 540 = 0.4, r = 10% + 0.4 ×
// 5% = 12%; priced there, both cost 12,096.00 (residual 0.00).
func TestSweepBreakpointSolved(t *testing.T) {
	r := evaluate(t, sweepStudy(t, "scenario-levy.yaml", "eu-levy-cn.rate=0%..30% step 5%", "2.10"), Options{})
	if r.Evaluations != 2*(2+7) {
		t.Errorf("evaluations = %d, want 2 flows × (2 scenarios + 7 points) = 18", r.Evaluations)
	}
	if r.Sweep == nil || r.Sweep.Spec != "eu-levy-cn.rate=0%..30% step 5%" || strings.Join(r.Sweep.Values, " ") != "0% 5% 10% 15% 20% 25% 30%" ||
		strings.Join(r.Sweep.Scenarios, " ") != "levy" {
		t.Errorf("sweep = %+v", r.Sweep)
	}
	// Zhongwei: 10,800 + 540 per 5 points of levy.
	checkTable(t, r, TableSeries, `
		scenario,need,origin,point,value,priced,offer_id,currency,landed_cost,cheapest
		levy,de-business,cn-ningxia-zhongwei,0,0%,true,off-cn-zw-h100,EUR,10800.00,true
		levy,de-business,cn-ningxia-zhongwei,1,5%,true,off-cn-zw-h100,EUR,11340.00,true
		levy,de-business,cn-ningxia-zhongwei,2,10%,true,off-cn-zw-h100,EUR,11880.00,true
		levy,de-business,cn-ningxia-zhongwei,3,15%,true,off-cn-zw-h100,EUR,12420.00,false
		levy,de-business,cn-ningxia-zhongwei,4,20%,true,off-cn-zw-h100,EUR,12960.00,false
		levy,de-business,cn-ningxia-zhongwei,5,25%,true,off-cn-zw-h100,EUR,13500.00,false
		levy,de-business,cn-ningxia-zhongwei,6,30%,true,off-cn-zw-h100,EUR,14040.00,false
		levy,de-business,eu-fi-kajaani,0,0%,true,off-fi-kaj-h100,EUR,12096.00,false
		levy,de-business,eu-fi-kajaani,1,5%,true,off-fi-kaj-h100,EUR,12096.00,false
		levy,de-business,eu-fi-kajaani,2,10%,true,off-fi-kaj-h100,EUR,12096.00,false
		levy,de-business,eu-fi-kajaani,3,15%,true,off-fi-kaj-h100,EUR,12096.00,true
		levy,de-business,eu-fi-kajaani,4,20%,true,off-fi-kaj-h100,EUR,12096.00,true
		levy,de-business,eu-fi-kajaani,5,25%,true,off-fi-kaj-h100,EUR,12096.00,true
		levy,de-business,eu-fi-kajaani,6,30%,true,off-fi-kaj-h100,EUR,12096.00,true
	`)
	checkTable(t, r, TableBreakpoints, `
		scenario,need,from_origin,to_origin,from_offer_id,to_offer_id,method,at,low,high,currency,residual
		levy,de-business,cn-ningxia-zhongwei,eu-fi-kajaani,off-cn-zw-h100,off-fi-kaj-h100,solved,12%,10%,15%,EUR,0.00
	`)
	// The check priced each origin's one flow once at 12%.
	if r.Checks != 2 {
		t.Errorf("checks = %d, want 2", r.Checks)
	}
	// Aggregates cover every point: at 10%, DE buyers pay 11,880.00 + 12,096.00 = 23,976.00
	// against 10,800.00 + 12,096.00 = 22,896.00 without the levy (+1,080.00, 4.72%), and the EU
	// collects 1,080.00.
	if got := table(t, r, TableByCountry); !strings.Contains(got, "\nlevy,10%,DE,2,0,EUR,23976.00,22896.00,1080.00,4.72\n") {
		t.Errorf("by_buyer_country:\n%s", got)
	}
	if got := table(t, r, TableRevenue); !strings.Contains(got, "\nlevy,10%,EU,additional_duty,EUR,1080.00,0.00,1080.00,0.00,1080.00\n") {
		t.Errorf("revenue:\n%s", got)
	}
	if got := table(t, r, TableCheapest); !strings.Contains(got, "\nde-business,levy,15%,true,2,off-fi-kaj-h100,eu-fi-kajaani,EU,EUR,12096.00,2.1000,cn-ningxia-zhongwei,true\n") {
		t.Errorf("cheapest:\n%s", got)
	}
}

// TestSweepBreakpointAtPoint is the same sweep in steps of 3%: 12% is a point of the grid,
// where both origins cost 12,096.00 (Zhongwei, listed first, wins the tie); from 15% Kajaani
// is cheaper, so the switch is exactly at 12%.
func TestSweepBreakpointAtPoint(t *testing.T) {
	r := evaluate(t, sweepStudy(t, "scenario-levy.yaml", "eu-levy-cn.rate=0%..30% step 3%", "2.10"), Options{})
	checkTable(t, r, TableBreakpoints, `
		scenario,need,from_origin,to_origin,from_offer_id,to_offer_id,method,at,low,high,currency,residual
		levy,de-business,cn-ningxia-zhongwei,eu-fi-kajaani,off-cn-zw-h100,off-fi-kaj-h100,at_point,12%,12%,15%,EUR,
	`)
	if r.Checks != 0 {
		t.Errorf("checks = %d, want none", r.Checks)
	}
}

// TestSweepBreakpointBracket sweeps the volume of a duty-free quota on a 20% levy (nothing
// used yet, so the balance is the volume V). Zhongwei's 5,760 GPU-hours pay the levy on the
// share beyond the balance: 20% × 10,800 × (5,760 − V) ÷ 5,760 = 2,160 − 0.375 V while V <
// 5,760, nothing from V = 5,760 on. Kajaani costs 1.90 × 5,760 = 10,944.00.
//
//	V = 1,000: 10,800 + 20% × (10,800 − 1,875) = 12,585.00   Kajaani cheapest
//	V = 5,000: 10,800 + 20% × (10,800 − 9,375) = 11,085.00   Kajaani cheapest
//	V = 9,000: 10,800.00 (all in quota)                      Zhongwei cheapest
//
// The true switch is at 12,960 − 0.375 V = 10,944, V = 5,376, but the cost is not linear
// between 5,000 and 9,000 (the quota covers the whole request from 5,760): interpolating
// gives V = 5,000 + 4,000 × 141 ÷ 285 ≈ 6,978.9, where Zhongwei costs 10,800.00, not 10,944.00.
// The check refuses it, and the breakpoint is the bracket [5000, 9000].
func TestSweepBreakpointBracket(t *testing.T) {
	r := evaluate(t, sweepStudy(t, "scenario-levy-quota.yaml", "eu-levy-cn.quota.volume=1000..9000 step 4000", "1.90"), Options{})
	checkTable(t, r, TableSeries, `
		scenario,need,origin,point,value,priced,offer_id,currency,landed_cost,cheapest
		levy-quota,de-business,cn-ningxia-zhongwei,0,1000,true,off-cn-zw-h100,EUR,12585.00,false
		levy-quota,de-business,cn-ningxia-zhongwei,1,5000,true,off-cn-zw-h100,EUR,11085.00,false
		levy-quota,de-business,cn-ningxia-zhongwei,2,9000,true,off-cn-zw-h100,EUR,10800.00,true
		levy-quota,de-business,eu-fi-kajaani,0,1000,true,off-fi-kaj-h100,EUR,10944.00,true
		levy-quota,de-business,eu-fi-kajaani,1,5000,true,off-fi-kaj-h100,EUR,10944.00,true
		levy-quota,de-business,eu-fi-kajaani,2,9000,true,off-fi-kaj-h100,EUR,10944.00,false
	`)
	checkTable(t, r, TableBreakpoints, `
		scenario,need,from_origin,to_origin,from_offer_id,to_offer_id,method,at,low,high,currency,residual
		levy-quota,de-business,eu-fi-kajaani,cn-ningxia-zhongwei,off-fi-kaj-h100,off-cn-zw-h100,bracket,,5000,9000,EUR,
	`)
	if r.Checks != 2 {
		t.Errorf("checks = %d, want 2 (the refused solution was priced)", r.Checks)
	}
}

// TestSweepFX sweeps the yuan against the euro in a study with no scenario but the baseline,
// so the baseline itself is swept (as written it stays the reference). A change c makes CNY
// per EUR 8 ÷ (1 + c), so Zhongwei costs 10,800 × (1 + c), linear in c: it meets Kajaani's
// 12,096.00 at c = +12% (CNY 12% stronger), between +10% (11,880.00) and +20% (12,960.00).
func TestSweepFX(t *testing.T) {
	r := evaluate(t, sweepStudy(t, "", "CNY=-20%..+20% step 10%", "2.10"), Options{})
	if r.Sweep.Spec != "CNY=-20%..20% step 10%" || strings.Join(r.Sweep.Scenarios, " ") != "baseline" {
		t.Errorf("sweep = %+v", r.Sweep)
	}
	checkTable(t, r, TableBreakpoints, `
		scenario,need,from_origin,to_origin,from_offer_id,to_offer_id,method,at,low,high,currency,residual
		baseline,de-business,cn-ningxia-zhongwei,eu-fi-kajaani,off-cn-zw-h100,off-fi-kaj-h100,solved,12%,10%,20%,EUR,0.00
	`)
	// CNY −20%: 15 × 5,760 ÷ 10 = 8,640.00, 1,080.00 per 10 points.
	if got := table(t, r, TableSeries); !strings.Contains(got, "baseline,de-business,cn-ningxia-zhongwei,0,-20%,true,off-cn-zw-h100,EUR,8640.00,true\n") ||
		!strings.Contains(got, "baseline,de-business,cn-ningxia-zhongwei,4,20%,true,off-cn-zw-h100,EUR,12960.00,false\n") {
		t.Errorf("series:\n%s", got)
	}
}

func TestStudyErrors(t *testing.T) {
	base := testPolicy(t)
	levy := scenario(t, base, "scenario-levy.yaml")
	mk := func(spec string, mut func(*Study)) *Study {
		s := &Study{AsOf: saturday, Currency: "EUR", FX: testFX(), Baseline: baseline(base), Scenarios: []Scenario{levy}, Flows: germanBusiness("2.10")}
		if spec != "" {
			sw, err := ParseSweep(spec)
			if err != nil {
				t.Fatal(err)
			}
			s.Sweep = &sw
		}
		if mut != nil {
			mut(s)
		}
		return s
	}
	many := make([]Flow, 50_000)
	for i := range many {
		many[i] = germanBusiness("2.10")[0]
	}
	for _, c := range []struct {
		name        string
		study       *Study
		field, want string
	}{
		{"sweep over a measure that does not exist", mk("eu-levy-xn.rate=0%..10% step 5%", nil), "sweep", `no measure "eu-levy-xn" in the scenarios (did you mean "eu-levy-cn"?)`},
		{"measure only in the baseline's absent scenario", mk("eu-levy-cn.rate=0%..10% step 5%", func(s *Study) { s.Scenarios = nil }), "sweep", `no measure "eu-levy-cn" in the baseline`},
		{"a currency without a rate", mk("JPY=-10%..10% step 5%", nil), "sweep", "no JPY rate on 2026-11-28"},
		{"a field the measure lacks", mk("eu-levy-cn.quota.volume=1..10 step 1", nil), "sweep", "has no quota"},
		{"too many quotes", mk("eu-levy-cn.rate=0%..99.9% step 0.1%", func(s *Study) { s.Flows = many }), "sweep", "at most 50000000"},
		{"unknown currency", mk("", func(s *Study) { s.Currency = "XXX" }), "currency", `unknown currency "XXX"`},
		{"no flows", mk("", func(s *Study) { s.Flows = nil }), "flows", "the basket is empty"},
		{"duplicate scenario", mk("", func(s *Study) { s.Scenarios[0].ID = "baseline" }), "scenarios[0].id", `"baseline" is also the id of baseline`},
		{"no date", mk("", func(s *Study) { s.AsOf = time.Time{} }), "as_of", "missing"},
		{"a flow in another currency", mk("", func(s *Study) { s.Flows[1].Request.Currency = "CNY" }), "flows[1].request.currency", "the study prices in EUR"},
	} {
		_, err := Evaluate(context.Background(), c.study, Options{})
		var se *StudyError
		if !errors.As(err, &se) || se.Field != c.field || !strings.Contains(se.Message, c.want) {
			t.Errorf("%s: err = %v, want field %s and %q", c.name, err, c.field, c.want)
		}
	}
}

func TestParseSweep(t *testing.T) {
	for _, c := range []struct {
		in, canonical string
		points        int
	}{
		{"eu-levy-compute-erga-omnes.rate=0%..30% step 2.5%", "eu-levy-compute-erga-omnes.rate=0%..30% step 2.5%", 13},
		{"CNY=-20%..+20% step 5%", "CNY=-20%..20% step 5%", 9},
		{" CNY = -20% .. 20%  STEP 5% ", "CNY=-20%..20% step 5%", 9},
		{"eu-levy-cn.quota.volume=1000000..5000000 step 1000000", "eu-levy-cn.quota.volume=1000000..5000000 step 1000000", 5},
		{"cn-voucher-shenzhen.share_max=0%..50% step 10%", "cn-voucher-shenzhen.share_max=0%..50% step 10%", 6},
		{"cn-voucher-shenzhen.cap=0 CNY..10000000 CNY step 2500000 CNY", "cn-voucher-shenzhen.cap=0 CNY..10000000 CNY step 2500000 CNY", 5},
		{"eu-levy.rate=0 EUR/gpu_hour..0.10 EUR/gpu_hour step 0.05 EUR/gpu_hour", "eu-levy.rate=0 EUR/gpu_hour..0.1 EUR/gpu_hour step 0.05 EUR/gpu_hour", 3},
		{"fi-vat-25.5.rate=24%..25.5% step 0.5%", "fi-vat-25.5.rate=24%..25.5% step 0.5%", 4},
		{"eu-levy.quota.in_quota_rate=0%..5% step 5%", "eu-levy.quota.in_quota_rate=0%..5% step 5%", 2},
		{"USD=0%..0% step 1%", "USD=0%..0% step 1%", 1},
		{"x.rate=0%..99.9% step 0.1%", "x.rate=0%..99.9% step 0.1%", 1000},
	} {
		s, err := ParseSweep(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if s.String() != c.canonical || s.Points() != c.points {
			t.Errorf("%q: %s with %d points, want %s with %d", c.in, s, s.Points(), c.canonical, c.points)
		}
	}
	s, _ := ParseSweep("eu-levy.rate=0%..30% step 2.5%")
	if s.Measure != "eu-levy" || s.Field != "rate" || s.Unit != UnitPercent || !s.Value(3).Equal(d("0.075")) || s.Format(s.Value(3)) != "7.5%" {
		t.Errorf("parsed %+v, value 3 = %s", s, s.Value(3))
	}

	for _, c := range []struct{ in, want string }{
		{"eu-levy.rate=0%..30% step 0.000003%", "sweep:1:27: the sweep has 10000001 points; at most 1000 are allowed (use a larger STEP or a narrower range)"},
		{"eu-levy.rate 0%..30% step 5%", "sweep:1:29: missing '='"},
		{"=0%..30% step 5%", "sweep:1:1: missing the parameter to sweep before '='"},
		{"eu-levy.rat=0%..30% step 5%", `sweep:1:9: field "rat" cannot be swept (did you mean "rate"?)`},
		{"eu-levy=0%..30% step 5%", `sweep:1:1: "eu-levy" is neither a currency nor MEASURE.FIELD`},
		{"cny=0%..30% step 5%", `sweep:1:1: unknown parameter "cny"`},
		{"EUR=0%..30% step 5%", "sweep:1:1: EUR cannot be shocked: rates are per euro"},
		{"XXX=0%..30% step 5%", `sweep:1:1: unknown currency "XXX"`},
		{"eu-levy.rate=0%-30% step 5%", "sweep:1:16: expected '..' after FROM"},
		{"eu-levy.rate=0%..30%", "sweep:1:21: expected 'step' after TO"},
		{"eu-levy.rate=0%..30% step", "sweep:1:22: expected 'step' after TO"},
		{"eu-levy.rate=0%..30% step 5% more", `sweep:1:30: unexpected "more" after STEP`},
		{"eu-levy.rate=0%..30 step 5%", `sweep:1:18: "30" is in a plain number, FROM is in percent`},
		{"eu-levy.rate=a..30% step 5%", `sweep:1:14: expected a number, found "a..30% step "`},
		{"eu-levy.rate=0%..30% step 0%", "sweep:1:27: STEP must be positive"},
		{"eu-levy.rate=30%..0% step 5%", "sweep:1:19: TO 0% is below FROM 30%"},
		{"eu-levy.rate=0%..30% step 7%", "sweep:1:27: TO − FROM is not a whole number of steps of 7%"},
		{"eu-levy.rate=-5%..30% step 5%", "sweep:1:14: rate cannot be negative"},
		{"CNY=-100%..0% step 10%", "sweep:1:5: a currency cannot lose 100% or more of its value"},
		{"CNY=1..2 step 1", "sweep:1:5: an FX shock is a percentage"},
		{"v.share_max=0%..120% step 10%", "sweep:1:17: share_max cannot exceed 100%"},
		{"v.cap=0%..10% step 5%", "sweep:1:7: a cap is an amount with its currency"},
		{"q.quota.volume=0..10 step 5", "sweep:1:16: a quota volume must be positive"},
		{"q.quota.volume=1e3..1e4 step 1e3", `sweep:1:17: unknown unit "e"`},
		{"e.rate=1 EUR/litre..2 EUR/litre step 1 EUR/litre", `sweep:1:10: unknown unit "EUR/litre"`},
		{"e.rate=" + strings.Repeat("1", 40) + "%..1% step 1%", "sweep:1:8: number longer than 32 characters"},
		{strings.Repeat("x", 400), "sweep:1:301: the specification is longer than 300 bytes"},
	} {
		_, err := ParseSweep(c.in)
		var se *SweepError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.in, err, c.want)
		}
	}
}

// FuzzParseSweep checks the parser never panics, that what it accepts stays within the
// limits, and that the canonical form reads back the same.
func FuzzParseSweep(f *testing.F) {
	for _, s := range []string{"eu-levy.rate=0%..30% step 2.5%", "CNY=-20%..+20% step 5%", "q.quota.volume=1..9 step 4",
		"v.cap=0 CNY..10 CNY step 5 CNY", "e.rate=0 EUR/gpu_hour..1 EUR/gpu_hour step 0.5 EUR/gpu_hour", "x.rate=0%..1% step 0.0001%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSweep(in)
		if err != nil {
			var se *SweepError
			if !errors.As(err, &se) || se.Col < 1 || se.Col > len(in)+1 {
				t.Fatalf("%q: %v: not a positioned SweepError", in, err)
			}
			return
		}
		if n := s.Points(); n < 1 || n > MaxSweepPoints {
			t.Fatalf("%q: %d points", in, n)
		}
		if !s.Value(s.Points() - 1).Equal(s.To) {
			t.Fatalf("%q: the last point %s is not TO %s", in, s.Value(s.Points()-1), s.To)
		}
		back, err := ParseSweep(s.String())
		if err != nil || back.String() != s.String() || !back.From.Equal(s.From) || !back.Step.Equal(s.Step) {
			t.Fatalf("%q → %q → %v, %v", in, s, back, err)
		}
	})
}
