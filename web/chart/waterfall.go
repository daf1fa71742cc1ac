package chart

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Waterfall shows how a start value becomes an end value through signed steps, one row each:
// e.g. the landed cost from the baseline to a scenario by line kind (duty, levy, VAT, subsidy).
// The end is Start + Σ Steps, computed exactly. Increases and decreases have different
// patterns and signed labels, so the chart reads in black and white.
type Waterfall struct {
	Frame
	Start Bar
	Steps []Bar
	// EndLabel names the end row ("Scenario").
	EndLabel string
	// IncreaseLabel and DecreaseLabel name the two kinds of step in the legend (no legend
	// when both are empty).
	IncreaseLabel, DecreaseLabel string
	// ChangeHeader and TotalHeader head the table's change and running-total columns.
	ChangeHeader, TotalHeader string
}

// End is the exact end value: Start + Σ Steps (missing steps count as nothing).
func (w Waterfall) End() decimal.Decimal {
	end := w.Start.Value
	for _, s := range w.Steps {
		if !s.Missing {
			end = end.Add(s.Value)
		}
	}
	return end
}

// signed writes a step's label: its text, or the formatted value with an explicit sign.
func (w Waterfall) signed(c Cell) string {
	if c.Missing || c.Text != "" {
		return w.text(c)
	}
	t := w.format(c.Value)
	if c.Value.IsPositive() {
		return "+" + t
	}
	return t
}

// Table is w's text alternative: each row's change and the running total.
func (w Waterfall) Table() Table {
	t := Table{Caption: w.Title, Header: []string{w.CategoryHeader, w.ChangeHeader, w.TotalHeader}}
	run := w.Start.Value
	t.Rows = append(t.Rows, []string{w.Start.Label, "", w.text(w.Start.Cell)})
	for _, s := range w.Steps {
		if !s.Missing {
			run = run.Add(s.Value)
		}
		t.Rows = append(t.Rows, []string{s.Label, w.signed(s.Cell), w.format(run)})
	}
	t.Rows = append(t.Rows, []string{w.EndLabel, "", w.format(w.End())})
	return t
}

// SVG draws w.
func (w Waterfall) SVG() ([]byte, error) {
	if err := w.Frame.check(); err != nil {
		return nil, err
	}
	if w.Start.Missing {
		return nil, fmt.Errorf("chart %q: the start value is required", w.Title)
	}
	W := w.width()
	type row struct {
		label, text string
		from, to    decimal.Decimal
		kind        int // 0 start/end, 1 increase, 2 decrease
		missing     bool
	}
	rows := []row{{label: w.Start.Label, text: w.text(w.Start.Cell), to: w.Start.Value}}
	run := w.Start.Value
	for _, s := range w.Steps {
		r := row{label: s.Label, text: w.signed(s.Cell), from: run, to: run, missing: s.Missing, kind: 1}
		if !s.Missing {
			r.to = run.Add(s.Value)
			if s.Value.IsNegative() {
				r.kind = 2
			}
		}
		run = r.to
		rows = append(rows, r)
	}
	rows = append(rows, row{label: w.EndLabel, text: w.format(run), to: run})

	vals := []decimal.Decimal{}
	texts := []string{}
	labels := []string{}
	for _, r := range rows {
		vals = append(vals, r.from, r.to)
		texts = append(texts, r.text)
		labels = append(labels, truncate(r.label, W*0.3))
	}
	lo, hi := extent(true, vals...)
	left := 8 + maxWidth(labels...) + 10
	x0, x1 := left, W-8-maxWidth(texts...)-8
	if x1-x0 < 80 {
		x1 = W - 8
	}
	sc := niceScale(lo, hi, 5, x0, x1)

	var lg svg
	lg.id = w.id()
	legendH := 0.0
	if w.IncreaseLabel != "" || w.DecreaseLabel != "" {
		legendH = 22
		lg.printf(`<g class="legend">`)
		x := 8.0
		for i, n := range []string{w.IncreaseLabel, w.DecreaseLabel} {
			lg.printf(`<rect x="%s" y="8" width="14" height="12" fill="url(#%s-p%d)" stroke="#000" stroke-width="0.5"/><text x="%s" y="18">%s</text>`,
				px(x), lg.id, i+1, px(x+22), esc(n))
			x += 22 + textWidth(n) + 16
		}
		lg.WriteString("</g>\n")
	}
	bar, gap := 20.0, 10.0
	plotTop := 8 + legendH + 4
	plotBottom := plotTop + (bar+gap)*float64(len(rows))
	H := plotBottom + 24
	if w.ValueAxis != "" {
		H += 16
	}
	var s svg
	s.open(w.Frame, W, H, 3)
	s.Write(lg.Bytes())
	s.valueAxis(w.Frame, sc, plotTop, plotBottom)
	for i, r := range rows {
		y := plotTop + float64(i)*(bar+gap) + gap/2
		xa, xb := sc.at(r.from), sc.at(r.to)
		if xb < xa {
			xa, xb = xb, xa
		}
		s.printf(`<g class="step"><text x="%s" y="%s" text-anchor="end">%s</text>`, px(left-10), px(y+bar/2+4), esc(labels[i]))
		if !r.missing {
			s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#000" stroke-width="0.5" class="bar s%d"/>`,
				px(xa), px(y), px(xb-xa), px(bar), s.fill(r.kind), r.kind)
		}
		s.printf(`<text x="%s" y="%s">%s</text></g>`+"\n", px(xb+4), px(y+bar/2+4), esc(r.text))
		if i+1 < len(rows) { // connector from this row's end to the next row
			xe := sc.at(r.to)
			s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#555" stroke-width="1" stroke-dasharray="2 2"/>`+"\n", px(xe), px(y+bar), px(xe), px(y+bar+gap))
		}
	}
	return s.close(), nil
}
