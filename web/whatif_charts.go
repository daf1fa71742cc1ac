package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"corridor/pricing/whatif"
	"corridor/web/chart"
)

// WhatifChartLabels are the words of a study's charts, in the page's language.
type WhatifChartLabels struct {
	// The grouped bars: landed cost per origin under each scenario.
	OriginsTitle, OriginsDesc string
	Origin                    string // the category column
	// The waterfall from the baseline to one scenario, by line kind.
	WaterfallTitle func(scenario string) string
	WaterfallDesc  string
	Baseline       string // the start row
	Change, Total  string // the table's change and running-total columns
	Increase       string
	Decrease       string
	LineKind       string // the category column
	// Kind names a line kind (base, levy, vat…).
	Kind func(kind string) string
	// NotLanded names the step of line changes that do not reach the landed cost (VAT a
	// business recovers, reverse-charged VAT, which is not payable).
	NotLanded string
	// The sweep: the cheapest landed cost of each need along the sweep.
	SweepTitle func(scenario string) string
	SweepDesc  string
	Point      string // the x axis: what is swept, e.g. "eu-levy.rate"
	Notes      string // the table's notes column
	// The sweep for one need: the cheapest offer of each origin at every point.
	SweepNeedTitle func(scenario, need string) string
	SweepNeedDesc  string
	// Switch words a breakpoint: the need's cheapest origin switches from one to another.
	Switch func(need, from, to string) string
	// Scenario names a scenario of the result (default: its title, else its id).
	Scenario func(s whatif.ScenarioInfo) string
}

// EnglishWhatifChartLabels are the charts' words in English.
var EnglishWhatifChartLabels = WhatifChartLabels{
	OriginsTitle:   "Landed cost per origin under each scenario",
	OriginsDesc:    "For every origin, the landed cost of all its flows under the baseline and each scenario.",
	Origin:         "Origin",
	WaterfallTitle: func(s string) string { return "From the baseline to " + s + ", by line kind" },
	WaterfallDesc:  "The landed cost of the flows priced under both, and how each kind of line changes it.",
	Baseline:       "Baseline", Change: "Change", Total: "Running total", Increase: "Increase", Decrease: "Decrease",
	LineKind:   "Line kind",
	Kind:       func(k string) string { return strings.ReplaceAll(k, "_", " ") },
	NotLanded:  "Not in the landed cost (recovered or not payable)",
	SweepTitle: func(s string) string { return "Cheapest landed cost per need along the sweep of " + s },
	SweepDesc:  "For every need, the landed cost of its cheapest source at each point of the sweep; circles and dashed lines mark where the cheapest origin switches.",
	Point:      "Sweep value", Notes: "Switch points",
	Switch: func(need, from, to string) string { return need + ": " + from + " → " + to },
	SweepNeedTitle: func(s, need string) string {
		return "Landed cost of each origin for " + need + " along the sweep of " + s
	},
	SweepNeedDesc: "For one need, the landed cost of the cheapest offer from each origin at each point of the sweep (the origins that are ever the cheapest and the closest others); circles and dashed lines mark where the cheapest origin switches.",
}

func (l WhatifChartLabels) scenario(s whatif.ScenarioInfo) string {
	if l.Scenario != nil {
		return l.Scenario(s)
	}
	if s.Title != "" {
		return s.Title
	}
	return s.ID
}

// maxSweepSeries is how many needs (or origins) a sweep chart draws (the styles repeat after
// seven); the tables list every one. maxSweepNeedCharts is how many needs get a chart of
// their own, by origin.
const (
	maxSweepSeries     = 7
	maxSweepNeedCharts = 3
)

// WhatifCharts draws a study's result: landed cost per origin under each scenario as written
// (grouped bars), the change from the baseline to each scenario by line kind (waterfalls), and
// for a sweep the cheapest landed cost of each need at every point with the breakpoints
// marked (line charts). Every label is the result's own figure with the study currency's minor
// units.
func WhatifCharts(r *whatif.Result, l WhatifChartLabels) (origins chart.GroupedBars, waterfalls []chart.Waterfall, sweeps []chart.Lines) {
	cur := r.Currency
	format := func(d decimal.Decimal) string { return d.StringFixed(minor(cur)) }
	frame := func(id, title, desc, category string) chart.Frame {
		return chart.Frame{ID: id, Title: title, Desc: desc, ValueAxis: cur, CategoryHeader: category, Format: format}
	}

	// Grouped bars: origins are categories, scenarios (the baseline first) series.
	origins = chart.GroupedBars{Frame: frame("whatif-origins", l.OriginsTitle, l.OriginsDesc, l.Origin)}
	col := map[string]int{}
	for i, s := range r.Scenarios {
		origins.Series = append(origins.Series, l.scenario(s))
		col[s.ID] = i
	}
	row := map[string]int{}
	for _, a := range r.ByOrigin {
		if a.SweepValue != "" {
			continue
		}
		i, ok := row[a.Key]
		if !ok {
			i = len(origins.Groups)
			row[a.Key] = i
			cells := make([]chart.Cell, len(r.Scenarios))
			for j := range cells {
				cells[j] = chart.Missing
			}
			origins.Groups = append(origins.Groups, chart.Group{Label: a.Key, Cells: cells})
		}
		if j, ok := col[a.Scenario]; ok && a.Priced > 0 {
			origins.Groups[i].Cells[j] = chart.V(a.LandedCost)
		}
	}

	// Waterfalls: over the flows priced under both the baseline and the scenario.
	for i, s := range r.Scenarios {
		if i == 0 {
			continue
		}
		name := l.scenario(s)
		w := chart.Waterfall{Frame: frame("whatif-waterfall-"+strconv.Itoa(i), l.WaterfallTitle(name), l.WaterfallDesc, l.LineKind),
			EndLabel: name, IncreaseLabel: l.Increase, DecreaseLabel: l.Decrease, ChangeHeader: l.Change, TotalHeader: l.Total}
		var start, diff decimal.Decimal
		compared := 0
		byKind := map[string]decimal.Decimal{}
		for _, f := range r.Flows {
			if f.Scenario != s.ID || !f.Compared {
				continue
			}
			compared++
			start = start.Add(f.LandedCost.Sub(f.Diff))
			diff = diff.Add(f.Diff)
			for _, c := range f.Changes {
				byKind[c.Kind] = byKind[c.Kind].Add(c.Diff)
			}
		}
		if compared == 0 { // no flow priced under both: nothing to compare
			continue
		}
		w.Start = chart.Bar{Label: l.Baseline, Cell: chart.V(start)}
		kinds := make([]string, 0, len(byKind))
		for k := range byKind {
			kinds = append(kinds, k)
		}
		slices.SortFunc(kinds, func(a, b string) int { return cmp.Or(cmp.Compare(kindRank(a), kindRank(b)), cmp.Compare(a, b)) })
		var lines decimal.Decimal
		for _, k := range kinds {
			if byKind[k].IsZero() {
				continue
			}
			w.Steps = append(w.Steps, chart.Bar{Label: l.Kind(k), Cell: chart.V(byKind[k])})
			lines = lines.Add(byKind[k])
		}
		// The landed cost leaves out VAT a business recovers and VAT that is not payable; the
		// step that reconciles the lines with it keeps the end exact.
		if rest := diff.Sub(lines); !rest.IsZero() {
			w.Steps = append(w.Steps, chart.Bar{Label: l.NotLanded, Cell: chart.V(rest)})
		}
		waterfalls = append(waterfalls, w)
	}

	// Sweeps: per swept scenario, the cheapest landed cost of each need at every point.
	if r.Sweep == nil {
		return origins, waterfalls, nil
	}
	xs, unit := sweepXs(r.Sweep.Values)
	xformat := func(d decimal.Decimal) string { return d.String() + unit }
	for i, s := range r.Scenarios {
		if !s.Swept {
			continue
		}
		name := l.scenario(s)
		lc := chart.Lines{Frame: frame("whatif-sweep-"+strconv.Itoa(i), l.SweepTitle(name), l.SweepDesc, ""),
			XAxis: l.Point + " (" + r.Sweep.Target + ")", XFormat: xformat, NotesHeader: l.Notes}
		series := map[string]int{}
		for _, c := range r.Cheapest {
			if c.Scenario != s.ID || c.SweepValue == "" {
				continue
			}
			k, ok := series[c.Need]
			if !ok {
				if len(series) == maxSweepSeries {
					continue
				}
				k = len(lc.Series)
				series[c.Need] = k
				lc.Series = append(lc.Series, chart.Line{Name: c.Need})
			}
			x, ok := xs[c.SweepValue]
			if !ok {
				continue
			}
			p := chart.Point{X: x, Cell: chart.Missing}
			if c.Priced {
				p.Cell = chart.V(c.LandedCost)
			}
			lc.Series[k].Points = append(lc.Series[k].Points, p)
		}
		for _, b := range r.Breakpoints {
			if b.Scenario != s.ID {
				continue
			}
			label := l.Switch(b.Need, b.From, b.To)
			if x, ok := sweepX(b.At); ok && b.At != "" {
				lc.Marks = append(lc.Marks, chart.RefLine{X: x, Label: label + " (" + b.At + ")"})
			} else if lo, ok := xs[b.Low]; ok {
				hi := xs[b.High]
				lc.Marks = append(lc.Marks, chart.RefLine{X: lo.Add(hi).Div(decimal.NewFromInt(2)), Label: label + " (" + b.Low + "–" + b.High + ")"})
			}
			// Circle the first point where the new origin is the cheapest.
			if k, ok := series[b.Need]; ok {
				at := xs[b.High]
				if b.Method == whatif.MethodAtPoint {
					at, _ = sweepX(b.At)
				}
				for j := range lc.Series[k].Points {
					if p := &lc.Series[k].Points[j]; p.X.Equal(at) && !p.Missing {
						p.Mark = true
					}
				}
			}
		}
		if len(lc.Series) > 0 {
			sweeps = append(sweeps, lc)
		}
		for n, need := range sweepNeeds(r, s.ID) {
			if n == maxSweepNeedCharts {
				break
			}
			if c, ok := sweepNeedChart(r, s.ID, need, xs, frame("whatif-sweep-"+strconv.Itoa(i)+"-need-"+strconv.Itoa(n+1),
				l.SweepNeedTitle(name, need), l.SweepNeedDesc, ""), lc.XAxis, xformat, l); ok {
				sweeps = append(sweeps, c)
			}
		}
	}
	return origins, waterfalls, sweeps
}

// sweepNeeds lists the needs of a swept scenario's series, in the result's order.
func sweepNeeds(r *whatif.Result, scen string) []string {
	var needs []string
	for _, p := range r.Series {
		if p.Scenario == scen && (len(needs) == 0 || needs[len(needs)-1] != p.Need) && !slices.Contains(needs, p.Need) {
			needs = append(needs, p.Need)
		}
	}
	return needs
}

// sweepNeedChart draws one need along a sweep: a line per origin (every origin that is the
// cheapest at some point, then the others by their least cost, up to maxSweepSeries), the
// switches marked.
func sweepNeedChart(r *whatif.Result, scen, need string, xs map[string]decimal.Decimal, f chart.Frame, xAxis string,
	xformat func(decimal.Decimal) string, l WhatifChartLabels) (chart.Lines, bool) {
	type origin struct {
		name     string
		points   []chart.Point
		cheapest bool
		least    decimal.Decimal
		priced   bool
	}
	var list []*origin
	byName := map[string]*origin{}
	for _, p := range r.Series {
		if p.Scenario != scen || p.Need != need {
			continue
		}
		o := byName[p.Origin]
		if o == nil {
			o = &origin{name: p.Origin}
			byName[p.Origin] = o
			list = append(list, o)
		}
		pt := chart.Point{X: xs[p.Value], Cell: chart.Missing}
		if p.Priced {
			pt.Cell = chart.V(p.LandedCost)
			if !o.priced || p.LandedCost.LessThan(o.least) {
				o.least, o.priced = p.LandedCost, true
			}
		}
		o.cheapest = o.cheapest || p.Cheapest
		o.points = append(o.points, pt)
	}
	slices.SortStableFunc(list, func(a, b *origin) int {
		switch {
		case a.cheapest != b.cheapest:
			if a.cheapest {
				return -1
			}
			return 1
		case a.priced != b.priced:
			if a.priced {
				return -1
			}
			return 1
		}
		return a.least.Cmp(b.least)
	})
	c := chart.Lines{Frame: f, XAxis: xAxis, XFormat: xformat, NotesHeader: l.Notes}
	idx := map[string]int{}
	for _, o := range list {
		if len(c.Series) == maxSweepSeries || !o.priced {
			break
		}
		idx[o.name] = len(c.Series)
		c.Series = append(c.Series, chart.Line{Name: o.name, Points: o.points})
	}
	if len(c.Series) == 0 {
		return c, false
	}
	for _, b := range r.Breakpoints {
		if b.Scenario != scen || b.Need != need {
			continue
		}
		label := b.From + " → " + b.To // the title names the need
		if x, ok := sweepX(b.At); ok && b.At != "" {
			c.Marks = append(c.Marks, chart.RefLine{X: x, Label: label + " (" + b.At + ")"})
		} else if lo, ok := xs[b.Low]; ok {
			c.Marks = append(c.Marks, chart.RefLine{X: lo.Add(xs[b.High]).Div(decimal.NewFromInt(2)), Label: label + " (" + b.Low + "–" + b.High + ")"})
		}
		at := xs[b.High]
		if b.Method == whatif.MethodAtPoint {
			at, _ = sweepX(b.At)
		}
		if k, ok := idx[b.To]; ok {
			for j := range c.Series[k].Points {
				if p := &c.Series[k].Points[j]; p.X.Equal(at) && !p.Missing {
					p.Mark = true
				}
			}
		}
	}
	return c, true
}

// lineKinds is the order of line kinds in a waterfall: the price, then what is charged on it
// in the order the engine charges it.
var lineKinds = []string{"base", "discount", "export_duty", "export_rebate", "customs_duty", "additional_duty",
	"levy", "fee", "vat", "withholding", "surtax", "subsidy"}

func kindRank(k string) int {
	if i := slices.Index(lineKinds, k); i >= 0 {
		return i
	}
	return len(lineKinds)
}

// sweepX reads a sweep value as the policy language writes it ("2.5%", "-20%",
// "0.05 EUR/gpu_hour", "5000") as a number on the sweep's axis.
func sweepX(v string) (decimal.Decimal, bool) {
	num, _, _ := strings.Cut(strings.TrimSpace(v), " ")
	num = strings.TrimPrefix(strings.TrimSuffix(num, "%"), "+")
	d, err := decimal.NewFromString(num)
	return d, err == nil
}

// sweepXs maps each sweep value to its x, and returns the unit the values are written in
// ("%", " EUR/gpu_hour" or ""). A value that does not read as a number falls back to its
// position.
func sweepXs(values []string) (map[string]decimal.Decimal, string) {
	xs := make(map[string]decimal.Decimal, len(values))
	unit := ""
	for i, v := range values {
		x, ok := sweepX(v)
		if !ok {
			x = decimal.NewFromInt(int64(i))
		}
		xs[v] = x
		if i == 0 {
			v = strings.TrimSpace(v)
			switch {
			case strings.HasSuffix(v, "%"):
				unit = "%"
			case strings.Contains(v, " "):
				_, rest, _ := strings.Cut(v, " ")
				unit = " " + rest
			}
		}
	}
	return xs, unit
}
