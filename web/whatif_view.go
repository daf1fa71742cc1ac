package web

import (
	"html/template"
	"strconv"

	"github.com/shopspring/decimal"

	"corridor/pricing/whatif"
	"corridor/web/chart"
	"corridor/web/i18n"
)

// maxFlowRows is how many flow × scenario rows the study page shows; the CSV and JSON
// downloads carry every row.
const maxFlowRows = 200

// whatifResultView is a study's result as the study page shows it, in the page's language:
// every figure formatted, the scenarios named, the charts drawn.
type whatifResultView struct {
	Currency    string
	AsOf        string
	FXDate      string
	Evaluations string
	Scenarios   []whatifScenarioView
	Sweep       *whatif.SweepInfo
	Charts      []whatifChartView
	Flows       []whatifFlowRow
	FlowsTotal  int
	FlowsCount  string // FlowsTotal in the page's language
	ByCountry   []whatifAggRow
	ByOrigin    []whatifAggRow
	Revenue     []whatifRevenueRow
	Cheapest    []whatifCheapestRow
	Breakpoints []whatifBreakpointRow
}

type whatifScenarioView struct {
	ID, Name, Ref, Hash string
	Baseline, Swept     bool
}

// whatifChartView is one chart: its SVG and its text alternative.
type whatifChartView struct {
	ID    string
	Title string
	SVG   template.HTML
	Table template.HTML
}

type whatifFlowRow struct {
	Flow                                   int
	OfferID, Need, Origin, Buyer, Scenario string
	Baseline, Priced                       bool
	NoQuote                                string
	Landed, Net, PerGPUHour, Diff, DiffPct string
	Changes                                []string
}

type whatifAggRow struct {
	Key, Scenario                         string
	Baseline                              bool
	Priced, Unpriced                      int
	Landed, BaselineLanded, Diff, DiffPct string
}

type whatifRevenueRow struct {
	Jurisdiction, Kind, Scenario                 string
	Baseline                                     bool
	Collected, Recovered, Net, BaselineNet, Diff string
}

type whatifCheapestRow struct {
	Need  string
	Cells []whatifCheapestCell
}

type whatifCheapestCell struct {
	Priced, Switched   bool
	Origin, OfferID    string
	Landed, PerGPUHour string
}

type whatifBreakpointRow struct {
	Scenario, Need, From, To, Where string
}

// whatifLabels are the chart labels in language l.
func whatifLabels(l *i18n.Locale, scenarioName func(whatif.ScenarioInfo) string) WhatifChartLabels {
	return WhatifChartLabels{
		OriginsTitle: l.T("whatif.chart.origins_title"), OriginsDesc: l.T("whatif.chart.origins_desc"), Origin: l.T("whatif.col.origin"),
		WaterfallTitle: func(s string) string { return l.T("whatif.chart.waterfall_title", "Scenario", s) },
		WaterfallDesc:  l.T("whatif.chart.waterfall_desc"), Baseline: l.T("whatif.col.baseline"),
		Change: l.T("whatif.chart.change"), Total: l.T("whatif.chart.running_total"),
		Increase: l.T("whatif.chart.increase"), Decrease: l.T("whatif.chart.decrease"), LineKind: l.T("whatif.col.kind"),
		Kind:       func(k string) string { return l.TOr("line_kind."+k, k) },
		NotLanded:  l.T("whatif.chart.not_landed"),
		SweepTitle: func(s string) string { return l.T("whatif.chart.sweep_title", "Scenario", s) },
		SweepDesc:  l.T("whatif.chart.sweep_desc"), Point: l.T("whatif.chart.point"), Notes: l.T("whatif.chart.notes"),
		SweepNeedTitle: func(s, need string) string {
			return l.T("whatif.chart.sweep_need_title", "Scenario", s, "Need", need)
		},
		SweepNeedDesc: l.T("whatif.chart.sweep_need_desc"),
		Switch: func(need, from, to string) string {
			return l.T("whatif.chart.switch", "Need", need, "From", from, "To", to)
		},
		Scenario: scenarioName,
	}
}

// newWhatifResultView formats r for the page of view v.
func newWhatifResultView(v *view, r *whatif.Result) *whatifResultView {
	cur := r.Currency
	money := func(d decimal.Decimal) string { return v.Money(d, cur) }
	signed := func(d decimal.Decimal) string {
		if d.IsPositive() {
			return "+" + money(d)
		}
		return money(d)
	}
	pct := func(d decimal.NullDecimal) string {
		if !d.Valid {
			return chart.Dash
		}
		s := d.Decimal.StringFixed(2) + "%" // the engine gives two decimals; both languages write "."
		if d.Decimal.IsPositive() {
			s = "+" + s
		}
		return s
	}
	names := map[string]string{}
	baseline := ""
	out := &whatifResultView{Currency: cur, AsOf: v.Date(r.AsOf), FXDate: v.Date(r.FXDate),
		Evaluations: v.L.Int(r.Evaluations), Sweep: r.Sweep}
	scenarioName := func(s whatif.ScenarioInfo) string {
		if s.ID == baseline {
			return v.T("whatif.col.baseline")
		}
		title := s.Title
		if title == "" {
			title = s.ID
		}
		return v.L.TOr("scenario."+s.ID, title)
	}
	for i, s := range r.Scenarios {
		if i == 0 {
			baseline = s.ID
		}
		names[s.ID] = scenarioName(s)
		ref := v.Tf("whatif.scenario_ref", "Policy", v.PolicyName(s.Ref.PolicyID), "Version", s.Ref.PolicyVersion)
		if s.Ref.ScenarioID != "" {
			ref += " + " + v.Tf("whatif.scenario_ref", "Policy", s.Ref.ScenarioID, "Version", s.Ref.ScenarioVersion)
		}
		out.Scenarios = append(out.Scenarios, whatifScenarioView{ID: s.ID, Name: names[s.ID], Ref: ref, Hash: s.Ref.Hash, Baseline: i == 0, Swept: s.Swept})
	}

	// Charts.
	origins, waterfalls, sweeps := WhatifCharts(r, whatifLabels(v.L, scenarioName))
	add := func(id string, c chart.Chart, title string) {
		svg, err := chart.HTML(c)
		if err != nil { // nothing to draw (no flow priced): the tables say so
			return
		}
		out.Charts = append(out.Charts, whatifChartView{ID: id, Title: title, SVG: svg, Table: c.Table().HTML()})
	}
	add("origins", origins, origins.Title)
	for i, w := range waterfalls {
		add("waterfall-"+strconv.Itoa(i+1), w, w.Title)
	}
	for i, s := range sweeps {
		add("sweep-"+strconv.Itoa(i+1), s, s.Title)
	}

	// Flows × scenarios.
	out.FlowsTotal, out.FlowsCount = len(r.Flows), v.L.Int(int64(len(r.Flows)))
	for i, f := range r.Flows {
		if i == maxFlowRows {
			break
		}
		row := whatifFlowRow{Flow: f.Flow, OfferID: f.OfferID, Need: f.Need, Origin: f.Origin, Scenario: names[f.Scenario],
			Buyer: f.BuyerCountry + " · " + v.T("form."+string(f.BuyerType)), Baseline: f.Scenario == baseline, Priced: f.Priced}
		if !f.Priced {
			row.NoQuote = v.L.TOr("no_quote."+f.NoQuoteReason, f.NoQuoteReason)
		} else {
			row.Landed, row.Net, row.PerGPUHour = money(f.LandedCost), money(f.NetCost), v.Unit(f.PerGPUHour, cur)
		}
		if f.Compared && !row.Baseline {
			row.Diff, row.DiffPct = signed(f.Diff), pct(f.DiffPct)
		}
		for _, ch := range f.Changes {
			row.Changes = append(row.Changes, v.Tf("whatif.change."+ch.Change, "Kind", v.L.TOr("line_kind."+ch.Kind, ch.Kind),
				"Measure", ch.MeasureID, "Rate", ch.Rate, "From", ch.BaselineRate)+" ("+signed(ch.Diff)+")")
		}
		out.Flows = append(out.Flows, row)
	}

	agg := func(as []whatif.Aggregate) []whatifAggRow {
		var rows []whatifAggRow
		for _, a := range as {
			if a.SweepValue != "" {
				continue
			}
			row := whatifAggRow{Key: a.Key, Scenario: names[a.Scenario], Baseline: a.Scenario == baseline, Priced: a.Priced, Unpriced: a.Unpriced,
				Landed: money(a.LandedCost), BaselineLanded: money(a.Baseline)}
			if !row.Baseline {
				row.Diff, row.DiffPct = signed(a.Diff), pct(a.DiffPct)
			}
			rows = append(rows, row)
		}
		return rows
	}
	out.ByCountry, out.ByOrigin = agg(r.ByBuyerCountry), agg(r.ByOrigin)

	for _, rv := range r.Revenue {
		if rv.SweepValue != "" {
			continue
		}
		row := whatifRevenueRow{Jurisdiction: rv.Jurisdiction, Kind: v.L.TOr("line_kind."+rv.Kind, rv.Kind), Scenario: names[rv.Scenario],
			Baseline: rv.Scenario == baseline, Collected: money(rv.Collected), Recovered: money(rv.Recovered), Net: money(rv.Net),
			BaselineNet: money(rv.BaselineNet)}
		if !row.Baseline {
			row.Diff = signed(rv.Diff)
		}
		out.Revenue = append(out.Revenue, row)
	}

	// Cheapest: one row per need, one cell per scenario as written.
	col := map[string]int{}
	for i, s := range r.Scenarios {
		col[s.ID] = i
	}
	rowOf := map[string]int{}
	for _, ch := range r.Cheapest {
		if ch.SweepValue != "" {
			continue
		}
		i, ok := rowOf[ch.Need]
		if !ok {
			i = len(out.Cheapest)
			rowOf[ch.Need] = i
			out.Cheapest = append(out.Cheapest, whatifCheapestRow{Need: ch.Need, Cells: make([]whatifCheapestCell, len(r.Scenarios))})
		}
		j, ok := col[ch.Scenario]
		if !ok || !ch.Priced {
			continue
		}
		out.Cheapest[i].Cells[j] = whatifCheapestCell{Priced: true, Switched: ch.Switched, Origin: ch.Origin, OfferID: ch.OfferID,
			Landed: money(ch.LandedCost), PerGPUHour: v.Unit(ch.PerGPUHour, cur)}
	}

	for _, b := range r.Breakpoints {
		where := v.Tf("whatif.method."+b.Method, "At", b.At, "Low", b.Low, "High", b.High)
		out.Breakpoints = append(out.Breakpoints, whatifBreakpointRow{Scenario: names[b.Scenario], Need: b.Need, From: b.From, To: b.To, Where: where})
	}
	return out
}
