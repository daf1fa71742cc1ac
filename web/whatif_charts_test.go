package web

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing/whatif"
	"corridor/web/chart"
)

// smallResult is a hand-built study result: one need (8 H100 × 720 h for a German business)
// with two sources, Zhongwei (CN) and Frankfurt (EU), under the baseline and "levy" (a 10% EU
// levy on compute from China), the levy's rate swept 0%, 10%, 20%.
//
//	baseline: zhongwei 1000.00, frankfurt 1100.00
//	levy 10%: zhongwei 1000.00 + levy 100.00 = 1100.00 (the VAT on the levy, 19.00, is
//	          recovered: not in the landed cost); frankfurt 1100.00 unchanged
//	sweep:    0% zhongwei 1000.00; 10% zhongwei 1100.00 = frankfurt 1100.00 (a tie goes to
//	          the flow listed first); 20% zhongwei 1200.00 > frankfurt 1100.00: the switch is at 10%
func smallResult() *whatif.Result {
	const need = "DE business h100-sxm 8x720"
	flow := func(n int, offer, origin, bloc, scen, landed, diff string, changes ...whatif.LineChange) whatif.FlowResult {
		return whatif.FlowResult{Flow: n, OfferID: offer, Need: need, Origin: origin, Bloc: bloc, BuyerCountry: "DE", BuyerType: "business",
			Product: "gpu_hours", Quantity: dec("5760"), Scenario: scen, Priced: true, Total: dec(landed), NetCost: dec(landed),
			LandedCost: dec(landed), PerGPUHour: dec(landed).Div(dec("5760")).Round(4), Compared: true, Diff: dec(diff), Changes: changes}
	}
	agg := func(scen, value, key, landed, base string) whatif.Aggregate {
		a := whatif.Aggregate{Scenario: scen, SweepValue: value, Key: key, Priced: 1, LandedCost: dec(landed), Baseline: dec(base)}
		a.Diff = a.LandedCost.Sub(a.Baseline)
		if !a.Baseline.IsZero() {
			a.DiffPct = decimal.NullDecimal{Decimal: a.Diff.Mul(dec("100")).DivRound(a.Baseline, 2), Valid: true}
		}
		return a
	}
	cheap := func(value, origin, offer, landed string) whatif.Cheapest {
		return whatif.Cheapest{Scenario: "levy", SweepValue: value, Need: need, Priced: true, OfferID: offer, Origin: origin,
			LandedCost: dec(landed), PerGPUHour: dec(landed).Div(dec("5760")).Round(4), BaselineOrigin: "cn-ningxia-zhongwei",
			Switched: origin != "cn-ningxia-zhongwei"}
	}
	return &whatif.Result{
		Currency: "EUR", AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), FXDate: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		Scenarios: []whatif.ScenarioInfo{{ID: "baseline", Title: "Baseline"}, {ID: "levy", Title: "EU levy 10%", Swept: true}},
		Sweep:     &whatif.SweepInfo{Spec: "eu-levy.rate=0%..20% step 10%", Target: "eu-levy.rate", Values: []string{"0%", "10%", "20%"}, Scenarios: []string{"levy"}},
		Flows: []whatif.FlowResult{
			flow(1, "demo-offer-001", "cn-ningxia-zhongwei", "CN", "baseline", "1000.00", "0"),
			withPct(flow(1, "demo-offer-001", "cn-ningxia-zhongwei", "CN", "levy", "1100.00", "100.00",
				whatif.LineChange{Change: whatif.ChangeAdded, Kind: "levy", MeasureID: "eu-levy", Jurisdiction: "EU", Rate: "10%", Amount: dec("100.00"), Diff: dec("100.00")},
				whatif.LineChange{Change: whatif.ChangeAmount, Kind: "vat", MeasureID: "de-vat", Jurisdiction: "DE", BaselineRate: "19%", Rate: "19%", BaselineAmount: dec("190.00"), Amount: dec("209.00"), Diff: dec("19.00")}), "10.00"),
			flow(2, "eu-offer-007", "eu-de-frankfurt", "EU", "baseline", "1100.00", "0"),
			flow(2, "eu-offer-007", "eu-de-frankfurt", "EU", "levy", "1100.00", "0"),
		},
		ByOrigin: []whatif.Aggregate{
			agg("baseline", "", "cn-ningxia-zhongwei", "1000.00", "1000.00"), agg("baseline", "", "eu-de-frankfurt", "1100.00", "1100.00"),
			agg("levy", "", "cn-ningxia-zhongwei", "1100.00", "1000.00"), agg("levy", "", "eu-de-frankfurt", "1100.00", "1100.00"),
			agg("levy", "0%", "cn-ningxia-zhongwei", "1000.00", "1000.00"), agg("levy", "0%", "eu-de-frankfurt", "1100.00", "1100.00"),
		},
		ByBuyerCountry: []whatif.Aggregate{agg("baseline", "", "DE", "2100.00", "2100.00"), agg("levy", "", "DE", "2200.00", "2100.00")},
		Revenue: []whatif.Revenue{
			{Scenario: "baseline", Jurisdiction: "DE", Kind: "vat", Collected: dec("399.00"), Recovered: dec("399.00"), Net: dec("0.00"), BaselineNet: dec("0.00"), Diff: dec("0.00")},
			{Scenario: "levy", Jurisdiction: "DE", Kind: "vat", Collected: dec("418.00"), Recovered: dec("418.00"), Net: dec("0.00"), BaselineNet: dec("0.00"), Diff: dec("0.00")},
			{Scenario: "levy", Jurisdiction: "EU", Kind: "levy", Collected: dec("100.00"), Net: dec("100.00"), BaselineNet: dec("0.00"), Diff: dec("100.00")},
		},
		Cheapest: []whatif.Cheapest{
			{Scenario: "baseline", Need: need, Priced: true, OfferID: "demo-offer-001", Origin: "cn-ningxia-zhongwei", LandedCost: dec("1000.00"), PerGPUHour: dec("0.1736"), BaselineOrigin: "cn-ningxia-zhongwei"},
			cheap("", "cn-ningxia-zhongwei", "demo-offer-001", "1100.00"),
			cheap("0%", "cn-ningxia-zhongwei", "demo-offer-001", "1000.00"),
			cheap("10%", "cn-ningxia-zhongwei", "demo-offer-001", "1100.00"),
			cheap("20%", "eu-de-frankfurt", "eu-offer-007", "1100.00"),
		},
		Series: []whatif.SeriesPoint{
			{Scenario: "levy", Need: need, Origin: "cn-ningxia-zhongwei", Point: 0, Value: "0%", Priced: true, LandedCost: dec("1000.00"), Cheapest: true},
			{Scenario: "levy", Need: need, Origin: "cn-ningxia-zhongwei", Point: 1, Value: "10%", Priced: true, LandedCost: dec("1100.00"), Cheapest: true},
			{Scenario: "levy", Need: need, Origin: "cn-ningxia-zhongwei", Point: 2, Value: "20%", Priced: true, LandedCost: dec("1200.00")},
			{Scenario: "levy", Need: need, Origin: "eu-de-frankfurt", Point: 0, Value: "0%", Priced: true, LandedCost: dec("1100.00")},
			{Scenario: "levy", Need: need, Origin: "eu-de-frankfurt", Point: 1, Value: "10%", Priced: true, LandedCost: dec("1100.00")},
			{Scenario: "levy", Need: need, Origin: "eu-de-frankfurt", Point: 2, Value: "20%", Priced: true, LandedCost: dec("1100.00"), Cheapest: true},
		},
		Breakpoints: []whatif.Breakpoint{{Scenario: "levy", Need: need, From: "cn-ningxia-zhongwei", To: "eu-de-frankfurt",
			FromOfferID: "demo-offer-001", ToOfferID: "eu-offer-007", Method: whatif.MethodAtPoint, At: "10%", Low: "10%", High: "20%"}},
	}
}

// withPct sets a flow result's change in percent (100.00 / 1000.00 = 10.00%).
func withPct(f whatif.FlowResult, pct string) whatif.FlowResult {
	f.DiffPct = decimal.NullDecimal{Decimal: dec(pct), Valid: true}
	return f
}

func tableText(t chart.Table) string {
	lines := []string{strings.Join(t.Header, "|")}
	for _, r := range t.Rows {
		lines = append(lines, strings.Join(r, "|"))
	}
	return strings.Join(lines, "\n")
}

func TestWhatifCharts(t *testing.T) {
	origins, waterfalls, sweeps := WhatifCharts(smallResult(), EnglishWhatifChartLabels)

	// Grouped bars: one row per origin, the scenarios as written (sweep points left out).
	want := "Origin|Baseline|EU levy 10%\ncn-ningxia-zhongwei|1000.00|1100.00\neu-de-frankfurt|1100.00|1100.00"
	if got := tableText(origins.Table()); got != want {
		t.Errorf("origins table:\n%s\nwant\n%s", got, want)
	}

	// Waterfall: baseline 1000.00 + 1100.00 = 2100.00; levy +100.00 → 2200.00; VAT on the levy
	// +19.00 → 2219.00; recovered by the business −19.00 → 2200.00 = the scenario's landed cost
	// (1100.00 + 1100.00).
	if len(waterfalls) != 1 {
		t.Fatalf("%d waterfalls, want 1", len(waterfalls))
	}
	w := waterfalls[0]
	want = "Line kind|Change|Running total\nBaseline||2100.00\nlevy|+100.00|2200.00\nvat|+19.00|2219.00\n" +
		"Not in the landed cost (recovered or not payable)|-19.00|2200.00\nEU levy 10%||2200.00"
	if got := tableText(w.Table()); got != want {
		t.Errorf("waterfall table:\n%s\nwant\n%s", got, want)
	}
	if !w.End().Equal(dec("2200")) {
		t.Errorf("waterfall end %s, want 2200", w.End())
	}

	// Sweep: the need's cheapest landed cost at 0%, 10%, 20%; the switch at 10% (at a point).
	if len(sweeps) != 2 {
		t.Fatalf("%d sweep charts, want 2 (the needs, and the one need by origin)", len(sweeps))
	}
	want = "Sweep value (eu-levy.rate)|DE business h100-sxm 8x720|Switch points\n0%|1000.00|\n" +
		"10%|1100.00|DE business h100-sxm 8x720: cn-ningxia-zhongwei → eu-de-frankfurt (10%)\n20%|1100.00|"
	if got := tableText(sweeps[0].Table()); got != want {
		t.Errorf("sweep table:\n%s\nwant\n%s", got, want)
	}

	// The need by origin: Zhongwei 1000.00, 1100.00, 1200.00 (+10% of 1000.00 a step);
	// Frankfurt 1100.00 throughout; the switch at 10%, where they are equal.
	want = "Sweep value (eu-levy.rate)|cn-ningxia-zhongwei|eu-de-frankfurt|Switch points\n0%|1000.00|1100.00|\n" +
		"10%|1100.00|1100.00|cn-ningxia-zhongwei → eu-de-frankfurt (10%)\n20%|1200.00|1100.00|"
	if got := tableText(sweeps[1].Table()); got != want {
		t.Errorf("sweep by origin table:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(sweeps[1].Title, "DE business h100-sxm 8x720") {
		t.Errorf("sweep by origin title %q", sweeps[1].Title)
	}

	for _, c := range []chart.Chart{origins, w, sweeps[0], sweeps[1]} {
		svg, err := c.SVG()
		if err != nil {
			t.Fatalf("svg: %v", err)
		}
		s := string(svg)
		for _, want := range []string{`<title id="whatif-`, "<desc ", `role="img"`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: svg lacks %q", c.Table().Caption, want)
			}
		}
		if strings.Contains(s, "<script") || strings.Contains(s, " style=") {
			t.Errorf("%s: script or inline style in the svg", c.Table().Caption)
		}
	}
	s, _ := sweeps[0].SVG()
	if !strings.Contains(string(s), `class="mark"`) || !strings.Contains(string(s), `class="refline"`) {
		t.Error("the sweep chart does not mark the switch")
	}
	if b, _ := origins.SVG(); !strings.Contains(string(b), ">1100.00<") || !strings.Contains(string(b), ">EUR<") {
		t.Error("the grouped bars lack a value label or the unit")
	}
}

// TestWhatifChartsNoSweep: without a sweep there are no sweep charts, and a scenario that
// changes nothing has a waterfall of no steps.
func TestWhatifChartsNoSweep(t *testing.T) {
	r := smallResult()
	r.Sweep, r.Breakpoints, r.Series = nil, nil, nil
	r.Scenarios[1].Swept = false
	_, ws, sweeps := WhatifCharts(r, EnglishWhatifChartLabels)
	if len(sweeps) != 0 || len(ws) != 1 {
		t.Fatalf("%d sweeps, %d waterfalls", len(sweeps), len(ws))
	}
	for i := range r.Flows {
		r.Flows[i].Diff, r.Flows[i].Changes = decimal.Zero, nil
	}
	_, ws, _ = WhatifCharts(r, EnglishWhatifChartLabels)
	// Start = Σ (landed − diff) over the scenario's flows = 1100.00 + 1100.00; no step.
	if len(ws[0].Steps) != 0 || !ws[0].End().Equal(dec("2200")) {
		t.Errorf("steps %v, end %s; want none and 2200", ws[0].Steps, ws[0].End())
	}
	if _, err := ws[0].SVG(); err != nil {
		t.Error(err)
	}
	// No flow priced under both the baseline and the scenario: no waterfall.
	for i := range r.Flows {
		r.Flows[i].Compared = false
	}
	if _, ws, _ = WhatifCharts(r, EnglishWhatifChartLabels); len(ws) != 0 {
		t.Errorf("%d waterfalls without a compared flow", len(ws))
	}
}

func TestSweepX(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{{"2.5%", "2.5", true}, {"-20%", "-20", true}, {"+5%", "5", true}, {"0.05 EUR/gpu_hour", "0.05", true}, {"5000", "5000", true}, {"x", "0", false}} {
		got, ok := sweepX(c.in)
		if ok != c.ok || (ok && !got.Equal(dec(c.want))) {
			t.Errorf("sweepX(%q) = %s, %v", c.in, got, ok)
		}
	}
	xs, unit := sweepXs([]string{"0 EUR/gpu_hour", "0.05 EUR/gpu_hour"})
	if unit != " EUR/gpu_hour" || !xs["0.05 EUR/gpu_hour"].Equal(dec("0.05")) {
		t.Errorf("sweepXs: %v %q", xs, unit)
	}
}

// TestReadWhatifResult: a result written as JSON (how a study is stored) and read back has the
// same tables, cell for cell, and the same header.
func TestReadWhatifResult(t *testing.T) {
	want := smallResult()
	var b bytes.Buffer
	if err := want.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := readWhatifResult(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Currency != "EUR" || !got.AsOf.Equal(want.AsOf) || len(got.Scenarios) != 2 || !got.Scenarios[1].Swept ||
		got.Sweep == nil || got.Sweep.Spec != want.Sweep.Spec || len(got.Sweep.Values) != 3 {
		t.Fatalf("header: %+v %+v", got, got.Sweep)
	}
	wt, gt := want.Tables(), got.Tables()
	if len(wt) != len(gt) {
		t.Fatalf("%d tables, want %d", len(gt), len(wt))
	}
	for i := range wt {
		if !reflect.DeepEqual(wt[i].Rows, gt[i].Rows) {
			t.Errorf("table %s:\n got %q\nwant %q", wt[i].Name, gt[i].Rows, wt[i].Rows)
		}
	}
	if _, err := readWhatifResult([]byte("{")); err == nil {
		t.Error("a broken result reads without error")
	}
}
