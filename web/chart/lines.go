package chart

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// Point is one point of a line: its x and its value (a missing value breaks the line, which
// is how a gap in a series shows).
type Point struct {
	X decimal.Decimal
	Cell
	// Mark highlights the point (e.g. where a sweep's cheapest origin switches) and Note
	// labels it on the chart and in the table.
	Mark bool
	Note string
}

// Line is one series of a line chart.
type Line struct {
	Name   string
	Points []Point
}

// RefLine is a vertical reference line at X with a label (a policy date, a switch point).
type RefLine struct {
	X     decimal.Decimal
	Label string
}

// Lines is a line chart with several series over a numeric x axis (a sweep parameter, or
// week numbers that XFormat writes as dates). Each series has its own colour, dash pattern
// and marker shape, so it reads in black and white.
type Lines struct {
	Frame
	// XAxis captions the x axis.
	XAxis string
	// XFormat writes x ticks and the table's x column (default: Frame.Format).
	XFormat func(decimal.Decimal) string
	// XTicks are explicit x ticks (default: 1, 2, 2.5 or 5 × 10ⁿ steps over the data).
	XTicks []decimal.Decimal
	// ZeroBased makes the value axis include zero (for quantities; an index need not).
	ZeroBased bool
	Series    []Line
	Marks     []RefLine
	// NotesHeader heads the table column that lists point notes and reference lines.
	NotesHeader string
}

func (l Lines) xformat(d decimal.Decimal) string {
	if l.XFormat != nil {
		return l.XFormat(d)
	}
	return l.format(d)
}

// xs is the sorted union of every x of every series and reference line.
func (l Lines) xs() []decimal.Decimal {
	var all []decimal.Decimal
	add := func(x decimal.Decimal) {
		for _, v := range all {
			if v.Equal(x) {
				return
			}
		}
		all = append(all, x)
	}
	for _, s := range l.Series {
		for _, p := range s.Points {
			add(p.X)
		}
	}
	for _, m := range l.Marks {
		add(m.X)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].LessThan(all[j]) })
	return all
}

func (l Lines) hasNotes() bool {
	if len(l.Marks) > 0 {
		return true
	}
	for _, s := range l.Series {
		for _, p := range s.Points {
			if p.Note != "" {
				return true
			}
		}
	}
	return false
}

// Table is l's text alternative: one row per x, one column per series, and the notes.
func (l Lines) Table() Table {
	t := Table{Caption: l.Title, Header: []string{l.XAxis}}
	if l.CategoryHeader != "" {
		t.Header[0] = l.CategoryHeader
	}
	for _, s := range l.Series {
		t.Header = append(t.Header, s.Name)
	}
	notes := l.hasNotes()
	if notes {
		t.Header = append(t.Header, l.NotesHeader)
	}
	for _, x := range l.xs() {
		row := []string{l.xformat(x)}
		var ns []string
		for _, s := range l.Series {
			cell := Dash
			for _, p := range s.Points {
				if p.X.Equal(x) {
					cell = l.text(p.Cell)
					if p.Note != "" {
						ns = append(ns, s.Name+": "+p.Note)
					}
				}
			}
			row = append(row, cell)
		}
		for _, m := range l.Marks {
			if m.X.Equal(x) {
				ns = append(ns, m.Label)
			}
		}
		if notes {
			row = append(row, strings.Join(ns, "; "))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// SVG draws l.
func (l Lines) SVG() ([]byte, error) {
	if err := l.Frame.check(); err != nil {
		return nil, err
	}
	var xs, ys []decimal.Decimal
	for _, s := range l.Series {
		for _, p := range s.Points {
			xs = append(xs, p.X)
			if !p.Missing {
				ys = append(ys, p.Value)
			}
		}
	}
	for _, m := range l.Marks {
		xs = append(xs, m.X)
	}
	if len(xs) == 0 || len(ys) == 0 {
		return nil, fmt.Errorf("chart %q: no points", l.Title)
	}
	W := l.width()
	H := 320.0

	names := make([]string, len(l.Series))
	for i, s := range l.Series {
		names[i] = s.Name
	}
	var lg svg
	lg.id = l.id()
	legendH := lg.legend(names, 8, 8, W-16, true)

	ylo, yhi := extent(l.ZeroBased, ys...)
	yTicksProbe := niceScale(ylo, yhi, 5, 0, 1)
	var tickTexts []string
	for _, t := range yTicksProbe.ticks {
		tickTexts = append(tickTexts, l.format(t))
	}
	left := 8 + maxWidth(tickTexts...) + 8
	if l.ValueAxis != "" {
		left += 18
	}
	plotTop := 8 + legendH + 12
	plotBottom := H - 28
	if l.XAxis != "" {
		plotBottom -= 16
	}
	ysc := niceScale(ylo, yhi, 5, plotBottom, plotTop)

	xlo, xhi := extent(false, xs...)
	xsc := niceScale(xlo, xhi, 6, left, W-16)
	if len(l.XTicks) > 0 {
		tlo, thi := extent(false, append(append([]decimal.Decimal{}, l.XTicks...), xlo, xhi)...)
		xsc = scale{lo: tlo, hi: thi, ticks: l.XTicks, a: left, b: W - 16}
	} else if !xlo.Equal(xhi) {
		// Data ends are the axis ends: a sweep from 0% to 35% should not run on to 40%.
		xsc.lo, xsc.hi = xlo, xhi
		var in []decimal.Decimal
		for _, t := range xsc.ticks {
			if t.GreaterThanOrEqual(xlo) && t.LessThanOrEqual(xhi) {
				in = append(in, t)
			}
		}
		xsc.ticks = in
	}

	var s svg
	s.open(l.Frame, W, H, 0)
	s.Write(lg.Bytes())
	s.WriteString(`<g class="axis" fill="#333">` + "\n")
	for _, t := range ysc.ticks {
		y := ysc.at(t)
		color := "#d9dee5"
		if t.IsZero() {
			color = "#333"
		}
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, px(left), px(y), px(W-16), px(y), color)
		s.printf(`<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", px(left-6), px(y+4), esc(l.format(t)))
	}
	s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333" stroke-width="1"/>`+"\n", px(left), px(plotBottom), px(W-16), px(plotBottom))
	for _, t := range xsc.ticks {
		x := xsc.at(t)
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333" stroke-width="1"/>`, px(x), px(plotBottom), px(x), px(plotBottom+4))
		s.printf(`<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", px(x), px(plotBottom+17), esc(l.xformat(t)))
	}
	if l.XAxis != "" {
		s.printf(`<text x="%s" y="%s" text-anchor="middle" class="axis-title">%s</text>`+"\n", px((left+W-16)/2), px(plotBottom+34), esc(l.XAxis))
	}
	if l.ValueAxis != "" {
		cy := (plotTop + plotBottom) / 2
		s.printf(`<text x="14" y="%s" text-anchor="middle" transform="rotate(-90 14 %s)" class="axis-title">%s</text>`+"\n", px(cy), px(cy), esc(l.ValueAxis))
	}
	s.WriteString("</g>\n")

	for _, m := range l.Marks {
		x := xsc.at(m.X)
		s.printf(`<g class="refline"><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#555" stroke-width="1" stroke-dasharray="4 3"/>`, px(x), px(plotTop), px(x), px(plotBottom))
		if x+4+textWidth(m.Label) > W { // near the right edge: the label ends at the line
			s.printf(`<text x="%s" y="%s" text-anchor="end" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text></g>`+"\n", px(x-4), px(plotTop+10), esc(m.Label))
			continue
		}
		s.printf(`<text x="%s" y="%s" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text></g>`+"\n", px(x+4), px(plotTop+10), esc(m.Label))
	}
	for si, ser := range l.Series {
		st := styleOf(si)
		pts := append([]Point(nil), ser.Points...)
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].X.LessThan(pts[j].X) })
		s.printf(`<g class="series s%d">`+"\n", si)
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				s.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(seg, " "), st.color, dashAttr(st.dash))
			}
			seg = seg[:0]
		}
		for _, p := range pts {
			if p.Missing {
				flush()
				continue
			}
			seg = append(seg, px(xsc.at(p.X))+","+px(ysc.at(p.Value)))
		}
		flush()
		for _, p := range pts {
			if p.Missing {
				continue
			}
			x, y := xsc.at(p.X), ysc.at(p.Value)
			if len(pts) <= 60 || p.Mark {
				s.marker(si, x, y, 3)
			}
			if p.Mark {
				s.printf(`<circle cx="%s" cy="%s" r="7" fill="none" stroke="#000" stroke-width="1.5" class="mark"/>`, px(x), px(y))
			}
			if p.Note != "" {
				s.printf(`<text x="%s" y="%s" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text>`, px(x), px(y-11), esc(p.Note))
			}
		}
		s.WriteString("\n</g>\n")
	}
	return s.close(), nil
}
