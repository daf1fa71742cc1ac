package effects

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// compute parses req with the defaults and runs the model.
func compute(t *testing.T, req Request) Result {
	t.Helper()
	in, err := req.Input(nil)
	if err != nil {
		t.Fatalf("input: %v", err)
	}
	r, err := Compute(in)
	if err != nil {
		t.Fatalf("compute: %v", err)
	}
	return r
}

// eq asserts got equals want to places decimals (the model carries 30; the worked values are
// fractions whose decimal expansions the comments give).
func eq(t *testing.T, what string, got decimal.Decimal, want string, places int32) {
	t.Helper()
	if !got.Round(places).Equal(d(want).Round(places)) {
		t.Errorf("%s = %s, want %s (to %d places)", what, got.Round(places+2), want, places)
	}
}

// cents rounds money to 2 decimals half up and GPU-hours to 2 decimals: a stand-in for the
// caller's pricing.Round in these tests.
func cents(x decimal.Decimal) decimal.Decimal { return x.Round(2) }

var centRounding = Rounding{Money: cents, MinorUnit: decimal.New(1, -2), GPUHours: cents}

// TestSMARTTextbookCase is SMART's simplest case: one source, a tariff cut, infinite export
// supply. CN supplies 100; its wedge falls from 10% to 0%; Em = −1.5 (Es is irrelevant with one
// source).
func TestSMARTTextbookCase(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%", Collector: "DE"}},
		ImportDemandElasticity: "-1.5", ExportSupplyElasticity: "inf", Currency: "EUR"})
	s := r.Sources[0]
	// τ = (1+0)/(1+0.1) − 1 = −1/11 = −0.0909…
	eq(t, "landed price change", s.LandedPriceChange, "-0.09090909090909090909", 20)
	// TC = Em·M·τ = −1.5 × 100 × (−1/11) = 150/11 = 13.6363…
	eq(t, "trade creation", s.TradeCreation, "13.63636363636363636364", 20)
	// One source: nothing to divert from; infinite supply: no price effect.
	eq(t, "trade diversion", s.TradeDiversion, "0", 28)
	eq(t, "price effect", s.PriceEffect, "0", 28)
	eq(t, "value after", s.ValueAfter, "113.63636363636363636364", 20) // 1250/11
	// Revenue: 10% of 100 before, 0% of 113.64 after: −10.
	eq(t, "revenue change", s.RevenueChange, "-10", 20)
	// Consumer surplus: the landed price falls by 0.1 per unit; the trapezoid is
	// 0.1 × (100 + 1250/11)/2 = 235/22 = 10.681818…
	eq(t, "consumer surplus", s.ConsumerSurplusChange, "10.68181818181818181818", 20)
	// Welfare = 235/22 − 10 = 15/22 = 0.681818…, which is Laird–Yeats' ½·dt·dM = ½ × 0.1 × 150/11.
	eq(t, "welfare", s.WelfareChange, "0.68181818181818181818", 20)
	eq(t, "total welfare", r.Total.WelfareChange, "0.68181818181818181818", 20)

	// Rounded to cents: 13.64 + 0 + 0 = 13.64; 100 + 13.64 = 113.64; 10.68 − 10.00 = 0.68.
	rr := r.Rounded(centRounding)
	for _, c := range []struct {
		what      string
		got, want string
	}{
		{"creation", rr.Total.TradeCreation.StringFixed(2), "13.64"},
		{"total effect", rr.Total.TotalEffect.StringFixed(2), "13.64"},
		{"value after", rr.Total.ValueAfter.StringFixed(2), "113.64"},
		{"revenue change", rr.Total.RevenueChange.StringFixed(2), "-10.00"},
		{"welfare", rr.Total.WelfareChange.StringFixed(2), "0.68"},
	} {
		if c.got != c.want {
			t.Errorf("rounded %s = %s, want %s", c.what, c.got, c.want)
		}
	}
	if len(rr.Revenue) != 1 || rr.Revenue[0].Collector != "DE" || rr.Revenue[0].RevenueChange.StringFixed(2) != "-10.00" {
		t.Errorf("revenue by collector = %+v, want DE −10.00", rr.Revenue)
	}
	if !r.ExportSupply.IsInfinite() || r.ImportDemand.Default || !r.Substitution.Default {
		t.Errorf("parameters: Ex %v, Em default %v, Es default %v", r.ExportSupply, r.ImportDemand.Default, r.Substitution.Default)
	}
}

// TestTwoSourceDiversion: CN 100 has its wedge cut from 10% to 0%, US 300 keeps 10%;
// Em = −1.5, Es = 1.5. The diversion is Laird–Yeats' and sums to zero.
func TestTwoSourceDiversion(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{
		{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"},
		{Source: "US", Value: "300", WedgeBefore: "10%", WedgeAfter: "10%"},
	}, ImportDemandElasticity: "-1.5", SubstitutionElasticity: "1.5"})
	cn, us := r.Sources[0], r.Sources[1]
	// ρ = 1 − f_CN/f_US = 1 − (1/1.1)/1 = 1/11.
	// TD_CN = M_CN·M_US·Es·ρ / (M_CN + M_US + M_CN·Es·ρ)
	//       = 100 × 300 × 1.5 × (1/11) / (400 + 100 × 1.5/11) = (45000/11)/(4550/11) = 900/91 = 9.890109…
	eq(t, "TD_CN", cn.TradeDiversion, "9.89010989010989010989", 20)
	eq(t, "TD_US", us.TradeDiversion, "-9.89010989010989010989", 20)
	if !cn.TradeDiversion.Add(us.TradeDiversion).IsZero() {
		t.Errorf("diversion sums to %s, want exactly 0", cn.TradeDiversion.Add(us.TradeDiversion))
	}
	// Creation only where the landed price moved: TC_CN = 150/11 as in the textbook case.
	eq(t, "TC_CN", cn.TradeCreation, "13.63636363636363636364", 20)
	eq(t, "TC_US", us.TradeCreation, "0", 28)
	// US loses 900/91 of imports and so 10% of it in revenue: −90/91 = −0.989010…
	eq(t, "revenue US", us.RevenueChange, "-0.98901098901098901099", 20)
	eq(t, "revenue total", r.Total.RevenueChange, "-10.98901098901098901099", 20)
	// CN: Q1 = 100 + 150/11 + 900/91 = 123650/1001; consumer surplus 0.1 × (100 + Q1)/2 =
	// 11187.5/1001 = 11.176323…; welfare 11187.5/1001 − 10 = 1177.5/1001 = 1.176323…
	// (= ½ × (0.1 + 0) × (Q1 − 100)).
	eq(t, "CS_CN", cn.ConsumerSurplusChange, "11.17632367632367632368", 20)
	eq(t, "W_CN", cn.WelfareChange, "1.17632367632367632368", 20)
	// US: the landed price is unchanged, so no consumer-surplus change; welfare is the lost
	// revenue on diverted trade, −90/91 (= ½ × (0.1 + 0.1) × (−900/91)): Viner's diversion cost.
	eq(t, "W_US", us.WelfareChange, "-0.98901098901098901099", 20)
	// Total 1177.5/1001 − 990/1001 = 187.5/1001 = 0.187312…: less than the 0.68 of the
	// one-source case, because part of CN's gain is trade diverted from a taxed source.
	eq(t, "W total", r.Total.WelfareChange, "0.18731268731268731269", 20)

	rr := r.Rounded(centRounding)
	got := []string{rr.Sources[0].TradeDiversion.StringFixed(2), rr.Sources[1].TradeDiversion.StringFixed(2), rr.Total.TradeDiversion.StringFixed(2),
		rr.Sources[0].TotalEffect.StringFixed(2), rr.Sources[1].ValueAfter.StringFixed(2), rr.Total.WelfareChange.StringFixed(2)}
	// 9.89, −9.89, 0; CN 13.64 + 9.89 = 23.53; US 300 − 9.89 = 290.11; welfare (11.18 − 10.00) +
	// (0 + 29.01 − 30.00) = 1.18 − 0.99 = 0.19.
	want := []string{"9.89", "-9.89", "0.00", "23.53", "290.11", "0.19"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rounded figure %d = %s, want %s", i, got[i], want[i])
		}
	}
}

// TestThreeSourceDiversion: CN 100 (10% → 0%), US 300 and FR 100 unchanged (10%, 0%). Only
// CN's landed price moves, so the others lose in proportion to their baseline.
func TestThreeSourceDiversion(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{
		{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"},
		{Source: "US", Value: "300", WedgeBefore: "10%", WedgeAfter: "10%"},
		{Source: "FR", Value: "100", WedgeBefore: "0%", WedgeAfter: "0%"},
	}})
	// f = 1/1.1, 1, 1; f_max = 1; μ = 1 + 1.5 × (1/11) = 12.5/11, 1, 1. T = 500,
	// Σ M·μ = 1250/11 + 400 = 5650/11.
	// TD_CN = 500 × (1250/11)/(5650/11) − 100 = 12500/113 − 100 = 1200/113 = 10.619469…
	// TD_US = 500 × 300 × 11/5650 − 300 = −900/113 = −7.964601…
	// TD_FR = 500 × 100 × 11/5650 − 100 = −300/113 = −2.654867…   (1200 − 900 − 300 = 0)
	eq(t, "TD_CN", r.Sources[0].TradeDiversion, "10.61946902654867256637", 20)
	eq(t, "TD_US", r.Sources[1].TradeDiversion, "-7.96460176991150442478", 20)
	eq(t, "TD_FR", r.Sources[2].TradeDiversion, "-2.65486725663716814159", 20)
	if !r.Total.TradeDiversion.IsZero() {
		t.Errorf("diversion sums to %s", r.Total.TradeDiversion)
	}
}

// TestFiniteSupplyElasticity: one source, 10% → 0%, Em = −1.5, Ex = 3. Part of the cut is
// absorbed by a higher supplier price.
func TestFiniteSupplyElasticity(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"}},
		ImportDemandElasticity: "-1.5", ExportSupplyElasticity: "3"})
	s := r.Sources[0]
	// π = Em·τ/(Ex − Em) = (−1.5 × −1/11)/4.5 = 1/33 = 0.030303…
	eq(t, "supplier price change", s.SupplierPriceChange, "0.03030303030303030303", 20)
	// TC = Ex·π·M = 3 × 100/33 = 100/11 = 9.0909… (= 150/11 ÷ (1 − Em/Ex) = 150/11 ÷ 1.5).
	eq(t, "trade creation", s.TradeCreation, "9.09090909090909090909", 20)
	// PE = π × (100 + 100/11) = (1/33)(1200/11) = 400/121 = 3.305785…
	eq(t, "price effect", s.PriceEffect, "3.30578512396694214876", 20)
	// Total = 100/11 + 400/121 = 1500/121 = 12.396694…; value after (34/33)(1200/11) = 13600/121.
	eq(t, "total effect", s.TotalEffect, "12.39669421487603305785", 20)
	eq(t, "value after", s.ValueAfter, "112.39669421487603305785", 20)
	// Landed price per baseline unit: 1.1 before, 34/33 after: Δp = −2.3/33. Consumer surplus
	// (2.3/33) × (100 + 1200/11)/2 = 5290/726 = 7.286501…; revenue −10; welfare −2.713498…:
	// with Ex = 3 foreigners bore a third of the 10% wedge (−Em/(Ex − Em)), and removing it gives
	// up that terms-of-trade gain (the optimal tariff 1/Ex = 33% is above 10%).
	eq(t, "consumer surplus", s.ConsumerSurplusChange, "7.28650137741046831956", 20)
	eq(t, "welfare", s.WelfareChange, "-2.71349862258953168044", 20)
}

// TestGPUHoursAndCollectors: the textbook flow with 50 GPU-hours (EUR 2 per GPU-hour), beside a
// flow whose wedge is an FX shock nobody collects.
func TestGPUHoursAndCollectors(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{
		{Source: "CN", Value: "100", GPUHours: "50", WedgeBefore: "10%", WedgeAfter: "0%", Collector: "DE"},
		{Source: "US", Value: "100", GPUHours: "25", WedgeBefore: "5%", WedgeAfter: "5%", Collector: NoCollector},
	}, ImportDemandElasticity: "-1.5", SubstitutionElasticity: "0", Currency: "EUR"})
	// Es = 0: no diversion. CN creates 150/11 of value, at 0.5 GPU-hours per euro 75/11 =
	// 6.8181… GPU-hours; after: 50 + 75/11 = 625/11 = 56.8181…
	cn := r.Sources[0]
	eq(t, "CN GPU-hours created", cn.GPUHours.TradeCreation, "6.81818181818181818182", 20)
	eq(t, "CN GPU-hours after", cn.GPUHours.After, "56.81818181818181818182", 20)
	eq(t, "total GPU-hours after", r.Total.GPUHours.After, "81.81818181818181818182", 20)
	// The US wedge is nobody's revenue: no revenue before or after.
	if !r.Sources[1].RevenueBefore.IsZero() || !r.Sources[1].RevenueChange.IsZero() {
		t.Errorf("uncollected wedge has revenue %s → %s", r.Sources[1].RevenueBefore, r.Sources[1].RevenueAfter)
	}
	if len(r.Revenue) != 1 || r.Revenue[0].Collector != "DE" {
		t.Errorf("revenue by collector = %+v, want DE only", r.Revenue)
	}
	rr := r.Rounded(centRounding)
	if got := rr.Total.GPUHours.After.StringFixed(2); got != "81.82" {
		t.Errorf("rounded GPU-hours after = %s, want 81.82 (75 + 6.82)", got)
	}
}

// TestNoBaselineAndNegativeFlowWarnings: a source with no trade stays at zero (warned), and a
// wedge rise far beyond the linear model's range is warned about.
func TestNoBaselineAndNegativeFlowWarnings(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{
		{Source: "CN", Value: "100", WedgeBefore: "0%", WedgeAfter: "100%"},
		{Source: "KR", Value: "0", WedgeBefore: "10%", WedgeAfter: "0%"},
	}, ImportDemandElasticity: "-3"})
	// CN: τ = 1; TC = −3 × 100 × 1 = −300 → 100 − 300 = −200 imports.
	eq(t, "CN creation", r.Sources[0].TradeCreation, "-300", 20)
	codes := map[string]string{}
	for _, w := range r.Warnings {
		codes[w.Source] = w.Code
	}
	if codes["CN"] != WarnNegativeFlow || codes["KR"] != WarnNoBaseline {
		t.Errorf("warnings = %+v", r.Warnings)
	}
	if !r.Sources[1].TotalEffect.IsZero() {
		t.Errorf("KR effect = %s, want 0", r.Sources[1].TotalEffect)
	}
}

// TestRoundedDiversionSettlesTheCent: A and B (100 each) are cut from 10% to 0%, C (100) keeps
// 10%. μ_A = μ_B = 1 + 1.5/11 = 12.5/11, μ_C = 1; Σ M·μ = 3600/11; TD_A = TD_B = 300 × 100 ×
// (12.5/11)/(3600/11) − 100 = 25/6 = 4.1666…, TD_C = −25/3 = −8.3333… Rounded to cents that is
// 4.17 + 4.17 − 8.33 = +0.01: the cent goes back from the diversion rounded furthest up (all
// three were rounded up by a third of a cent, so the first), giving 4.16, 4.17, −8.33.
func TestRoundedDiversionSettlesTheCent(t *testing.T) {
	r := compute(t, Request{Flows: []FlowRequest{
		{Source: "A", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"},
		{Source: "B", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"},
		{Source: "C", Value: "100", WedgeBefore: "10%", WedgeAfter: "10%"},
	}})
	eq(t, "TD_A", r.Sources[0].TradeDiversion, "4.16666666666666666667", 20)
	eq(t, "TD_C", r.Sources[2].TradeDiversion, "-8.33333333333333333333", 20)
	rr := r.Rounded(centRounding)
	var got []string
	for _, s := range rr.Sources {
		got = append(got, s.TradeDiversion.StringFixed(2))
	}
	if strings.Join(got, " ") != "4.16 4.17 -8.33" || !rr.Total.TradeDiversion.IsZero() {
		t.Errorf("rounded diversions = %v, total %s", got, rr.Total.TradeDiversion)
	}
}
