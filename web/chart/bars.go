package chart

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Bar is one category of a bar chart.
type Bar struct {
	Label string
	Cell
}

// Bars is a horizontal bar chart: one value per category, negative values to the left of zero.
type Bars struct {
	Frame
	Bars []Bar
	// ValueHeader heads the table's value column (default: Frame.ValueAxis).
	ValueHeader string
}

// Group is one category of a grouped or stacked bar chart: one cell per series.
type Group struct {
	Label string
	Cells []Cell
}

// GroupedBars is a horizontal bar chart with one bar per series in each category, e.g. the
// landed cost of each origin under each scenario.
type GroupedBars struct {
	Frame
	Series []string
	Groups []Group
}

// StackedBars is a diverging stacked bar chart: in each category the positive cells stack to
// the right of zero and the negative ones to the left, in series order, e.g. trade creation
// and trade diversion per source. With NetLabel set, a marker shows each category's net sum
// (computed exactly) and the table gains a column for it.
type StackedBars struct {
	Frame
	Series   []string
	Groups   []Group
	NetLabel string
}

// SVG draws b.
func (b Bars) SVG() ([]byte, error) { return b.engine().draw() }

// Table is b's text alternative: category and value.
func (b Bars) Table() Table { return b.engine().table() }

func (b Bars) engine() hbars {
	h := hbars{Frame: b.Frame, series: []string{b.valueHeader()}}
	for _, x := range b.Bars {
		h.groups = append(h.groups, Group{Label: x.Label, Cells: []Cell{x.Cell}})
	}
	return h
}

func (b Bars) valueHeader() string {
	if b.ValueHeader != "" {
		return b.ValueHeader
	}
	return b.ValueAxis
}

// SVG draws g.
func (g GroupedBars) SVG() ([]byte, error) {
	return hbars{Frame: g.Frame, series: g.Series, groups: g.Groups, legend: true}.draw()
}

// Table is g's text alternative: one row per category, one column per series.
func (g GroupedBars) Table() Table {
	return hbars{Frame: g.Frame, series: g.Series, groups: g.Groups}.table()
}

// SVG draws s.
func (s StackedBars) SVG() ([]byte, error) {
	return hbars{Frame: s.Frame, series: s.Series, groups: s.Groups, legend: true, stacked: true, net: s.NetLabel}.draw()
}

// Table is s's text alternative: one row per category, one column per series, and the net sum
// when NetLabel is set.
func (s StackedBars) Table() Table {
	return hbars{Frame: s.Frame, series: s.Series, groups: s.Groups, stacked: true, net: s.NetLabel}.table()
}

// hbars draws every horizontal bar chart.
type hbars struct {
	Frame
	series  []string
	groups  []Group
	legend  bool
	stacked bool
	net     string
}

func (h hbars) check() error {
	if err := h.Frame.check(); err != nil {
		return err
	}
	if len(h.groups) == 0 {
		return fmt.Errorf("chart %q: no categories", h.Title)
	}
	for _, g := range h.groups {
		if len(g.Cells) != len(h.series) {
			return fmt.Errorf("chart %q: category %q has %d values for %d series", h.Title, g.Label, len(g.Cells), len(h.series))
		}
	}
	return nil
}

// sums returns the exact positive and negative stacks and the net of g.
func sums(g Group) (pos, neg, net decimal.Decimal) {
	for _, c := range g.Cells {
		if c.Missing {
			continue
		}
		if c.Value.IsPositive() {
			pos = pos.Add(c.Value)
		} else {
			neg = neg.Add(c.Value)
		}
	}
	return pos, neg, pos.Add(neg)
}

func (h hbars) table() Table {
	t := Table{Caption: h.Title, Header: append([]string{h.CategoryHeader}, h.series...)}
	if h.net != "" {
		t.Header = append(t.Header, h.net)
	}
	for _, g := range h.groups {
		row := []string{g.Label}
		for _, c := range g.Cells {
			row = append(row, h.text(c))
		}
		if h.net != "" {
			_, _, net := sums(g)
			row = append(row, h.format(net))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (h hbars) draw() ([]byte, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	W := h.width()
	n := len(h.series)

	// The value range, and the room value labels need at either end.
	var vals []decimal.Decimal
	var leftText, rightText []string
	for _, g := range h.groups {
		if h.stacked {
			pos, neg, net := sums(g)
			vals = append(vals, pos, neg)
			if h.net != "" {
				rightText = append(rightText, h.format(net))
			}
			continue
		}
		for _, c := range g.Cells {
			if c.Missing {
				continue
			}
			vals = append(vals, c.Value)
			if c.Value.IsNegative() {
				leftText = append(leftText, h.text(c))
			} else {
				rightText = append(rightText, h.text(c))
			}
		}
	}
	lo, hi := extent(true, vals...)
	labels := make([]string, len(h.groups))
	for i, g := range h.groups {
		labels[i] = truncate(g.Label, W*0.3)
	}
	left := 8 + maxWidth(labels...) + 10
	padL, padR := 0.0, 0.0
	if len(leftText) > 0 {
		padL = maxWidth(leftText...) + 8
	}
	if len(rightText) > 0 {
		padR = maxWidth(rightText...) + 8
	}
	x0, x1 := left+padL, W-8-padR
	if x1-x0 < 80 { // a very narrow chart: let labels overlap rather than collapse the plot
		x0, x1 = left, W-8
	}
	sc := niceScale(lo, hi, 5, x0, x1)

	bar, gap := 16.0, 10.0
	if h.stacked || n == 1 {
		bar = 20
	}
	rowH := bar*float64(n) + gap
	if h.stacked || n == 1 {
		rowH = bar + gap
	}

	var s svg
	legendNames := []string(nil)
	if h.legend {
		legendNames = append(legendNames, h.series...)
	}
	// The legend height is only known once drawn; draw it into a scratch buffer first.
	var lg svg
	lg.id = h.id()
	top := 8.0
	legendH := lg.legend(legendNames, 8, top, W-16, false)
	if h.net != "" {
		legendH = legendNetItem(&lg, h.net, legendNames, W, top, legendH)
	}
	plotTop := top + legendH + 4
	plotBottom := plotTop + rowH*float64(len(h.groups))
	H := plotBottom + 24
	if h.ValueAxis != "" {
		H += 16
	}
	s.open(h.Frame, W, H, n)
	s.Write(lg.Bytes())

	s.valueAxis(h.Frame, sc, plotTop, plotBottom)

	zero := sc.at(decimal.Zero)
	for gi, g := range h.groups {
		y := plotTop + float64(gi)*rowH + gap/2
		s.printf(`<g class="category"><text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", px(left-10), px(y+(rowH-gap)/2+4), esc(labels[gi]))
		if h.stacked {
			h.drawStack(&s, sc, g, y, bar)
		} else {
			for si, c := range g.Cells {
				if c.Missing {
					continue
				}
				by := y + float64(si)*bar
				if n == 1 {
					by = y
				}
				x := sc.at(c.Value)
				bx, bw := zero, x-zero
				if bw < 0 {
					bx, bw = x, -bw
				}
				s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#000" stroke-width="0.5" class="bar s%d"/>`,
					px(bx), px(by+1), px(bw), px(bar-2), s.fill(si), si)
				if c.Value.IsNegative() {
					s.printf(`<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", px(x-4), px(by+bar/2+4), esc(h.text(c)))
				} else {
					s.printf(`<text x="%s" y="%s">%s</text>`+"\n", px(x+4), px(by+bar/2+4), esc(h.text(c)))
				}
			}
		}
		s.WriteString("</g>\n")
	}
	return s.close(), nil
}

// drawStack draws one diverging stacked bar: positives rightwards from zero, negatives
// leftwards, each segment labelled inside when its label fits, and the net marker.
func (h hbars) drawStack(s *svg, sc scale, g Group, y, bar float64) {
	var pos, neg decimal.Decimal
	for si, c := range g.Cells {
		if c.Missing || c.Value.IsZero() {
			continue
		}
		var from, to decimal.Decimal
		if c.Value.IsPositive() {
			from, to = pos, pos.Add(c.Value)
			pos = to
		} else {
			from, to = neg, neg.Add(c.Value)
			neg = to
		}
		xa, xb := sc.at(from), sc.at(to)
		if xb < xa {
			xa, xb = xb, xa
		}
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#000" stroke-width="0.5" class="bar s%d"/>`,
			px(xa), px(y+1), px(xb-xa), px(bar-2), s.fill(si), si)
		if t := h.text(c); textWidth(t)+6 <= xb-xa {
			s.printf(`<text x="%s" y="%s" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text>`,
				px((xa+xb)/2), px(y+bar/2+4), esc(t))
		}
		s.WriteString("\n")
	}
	if h.net == "" {
		return
	}
	net := pos.Add(neg)
	nx := sc.at(net)
	end := sc.at(pos)
	s.printf(`<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="#000" class="net"/>`, px(nx), px(y-1), px(nx+4), px(y+bar/2), px(nx), px(y+bar+1), px(nx-4), px(y+bar/2))
	if nx > end {
		end = nx
	}
	s.printf(`<text x="%s" y="%s" font-weight="bold">%s</text>`+"\n", px(end+8), px(y+bar/2+4), esc(h.format(net)))
}

// legendNetItem adds the net marker to the legend after the series swatches.
func legendNetItem(lg *svg, name string, series []string, W, top, h float64) float64 {
	x := 8.0
	y := top
	for _, n := range series {
		item := 22 + textWidth(n) + 16
		if x+item > W-8 && x > 8 {
			x, y = 8, y+18
		}
		x += item
	}
	if x+22+textWidth(name) > W-8 && x > 8 {
		x, y = 8, y+18
	}
	lg.printf(`<g class="legend"><path d="M%s %sL%s %sL%s %sL%s %sZ" fill="#000"/><text x="%s" y="%s">%s</text></g>`+"\n",
		px(x+7), px(y), px(x+11), px(y+6), px(x+7), px(y+12), px(x+3), px(y+6), px(x+22), px(y+10), esc(name))
	if used := y - top + 22; used > h {
		return used
	}
	return h
}
