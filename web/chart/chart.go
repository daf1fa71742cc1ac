// Package chart draws the analysts' charts as server-rendered SVG: horizontal bars, grouped
// bars, diverging stacked bars, a waterfall and a line chart with several series and marked
// points. It is pure Go (standard library and decimal), draws no script and no inline style
// (the pages' content security policy forbids both; presentation attributes and classes only).
//
// Values are exact decimals and every number a chart prints is rendered from the decimal
// (by the caller's Format, or the decimal's own string); floating point is used for pixel
// geometry only. Axis ticks are exact decimal steps of 1, 2, 2.5 or 5 × 10ⁿ.
//
// Every chart has an SVG <title> and <desc> (role="img", aria-labelledby), a text alternative
// (Table, a data table the page can show beside or instead of the chart), distinct fill
// patterns and dash styles per series so that it reads in black-and-white print, and value
// labels. All words come from the caller, so a page can translate them; the output is stable
// byte for byte for the same input (golden-file tests).
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Chart is what every chart gives a page: the SVG and its text alternative.
type Chart interface {
	SVG() ([]byte, error)
	Table() Table
}

// Frame holds what every chart needs besides its data. Title and Desc are required.
type Frame struct {
	// ID prefixes the ids inside the SVG (titles, patterns) so several charts can share a
	// page; default: derived from Title.
	ID string
	// Title names the chart for assistive technology (<title>) and captions its table.
	Title string
	// Desc says in a sentence or two what the chart shows (<desc>).
	Desc string
	// Width of the SVG in pixels (default 640); heights follow from the data.
	Width int
	// ValueAxis captions the value axis, e.g. "EUR" or "EUR per GPU-hour".
	ValueAxis string
	// CategoryHeader heads the table's first column ("Source", "Week").
	CategoryHeader string
	// Format writes a value or a tick (default: the decimal's own string). It gets exact
	// decimals and must not round them through floating point.
	Format func(decimal.Decimal) string
}

// Cell is one value of a chart.
type Cell struct {
	Value decimal.Decimal
	// Text is the label shown for the value (default: Frame.Format(Value)).
	Text string
	// Missing marks a value that does not exist (a gap in a line, no bar, "—" in the table).
	Missing bool
}

// V is a Cell of value d.
func V(d decimal.Decimal) Cell { return Cell{Value: d} }

// Missing is the Cell of a value that does not exist.
var Missing = Cell{Missing: true}

// Dash is what a table shows for a missing value.
const Dash = "—"

func (f Frame) format(d decimal.Decimal) string {
	if f.Format != nil {
		return f.Format(d)
	}
	return d.String()
}

func (f Frame) text(c Cell) string {
	switch {
	case c.Missing:
		return Dash
	case c.Text != "":
		return c.Text
	}
	return f.format(c.Value)
}

func (f Frame) width() float64 {
	if f.Width <= 0 {
		return 640
	}
	return float64(f.Width)
}

func (f Frame) id() string {
	if f.ID != "" {
		return f.ID
	}
	h := fnv.New32a()
	h.Write([]byte(f.Title))
	return fmt.Sprintf("chart-%08x", h.Sum32())
}

func (f Frame) check() error {
	if strings.TrimSpace(f.Title) == "" {
		return errors.New("chart: a title is required (it names the chart for screen readers)")
	}
	if strings.TrimSpace(f.Desc) == "" {
		return errors.New("chart: a description is required (it says what the chart shows)")
	}
	return nil
}

// Table is a chart's text alternative: a data table a page can show, and a screen reader or a
// printer can read, with the same exact figures as the chart.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// HTML renders t as an HTML table with a caption, header cells scoped to columns and each
// row's first cell a row header. Every text is escaped.
func (t Table) HTML() template.HTML {
	var b strings.Builder
	b.WriteString(`<table class="chart-table">`)
	if t.Caption != "" {
		b.WriteString("<caption>" + html.EscapeString(t.Caption) + "</caption>")
	}
	b.WriteString("<thead><tr>")
	for _, h := range t.Header {
		b.WriteString(`<th scope="col">` + html.EscapeString(h) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range t.Rows {
		b.WriteString("<tr>")
		for i, c := range r {
			if i == 0 {
				b.WriteString(`<th scope="row">` + html.EscapeString(c) + "</th>")
			} else {
				b.WriteString("<td>" + html.EscapeString(c) + "</td>")
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return template.HTML(b.String()) // every piece above is escaped
}

// HTML returns c's SVG for an html/template page.
func HTML(c Chart) (template.HTML, error) {
	b, err := c.SVG()
	return template.HTML(b), err // built from escaped text by this package
}

// style is one series' look: a fill (a colour-blind-safe colour, with a hatch or dot
// pattern from the third series on, so that grey print tells them apart), a dash pattern and
// a marker shape for lines.
type style struct {
	color, pattern, dash, marker string
}

// styles follow the Okabe–Ito palette; patterns and dashes make them distinct without colour.
var styles = []style{
	{"#0072B2", "", "", "circle"},
	{"#E69F00", "diag", "6 3", "square"},
	{"#009E73", "dots", "2 3", "triangle"},
	{"#CC79A7", "cross", "8 3 2 3", "diamond"},
	{"#56B4E9", "horiz", "10 4", "circle-open"},
	{"#D55E00", "vert", "4 2 4 6", "square-open"},
	{"#000000", "back", "1 2", "cross"},
}

func styleOf(i int) style { return styles[i%len(styles)] }

// svg accumulates an SVG document; numbers are written with one decimal so that output is
// stable.
type svg struct {
	bytes.Buffer
	id string
}

func px(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func esc(s string) string { return html.EscapeString(s) }

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(s, format, args...) }

// open writes the root element, the title and description, and the pattern definitions of
// the first n series.
func (s *svg) open(f Frame, w, h float64, n int) {
	s.id = f.id()
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s-title %s-desc" class="chart" font-family="system-ui, sans-serif" font-size="12">`+"\n",
		px(w), px(h), px(w), px(h), s.id, s.id)
	s.printf(`<title id="%s-title">%s</title>`+"\n", s.id, esc(f.Title))
	s.printf(`<desc id="%s-desc">%s</desc>`+"\n", s.id, esc(f.Desc))
	s.WriteString("<defs>\n")
	for i := 0; i < n && i < len(styles); i++ {
		st := styles[i]
		pid := fmt.Sprintf("%s-p%d", s.id, i)
		switch st.pattern {
		case "diag":
			s.printf(`<pattern id="%s" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="%s" fill-opacity="0.35"/><line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="3"/></pattern>`+"\n", pid, st.color, st.color)
		case "back":
			s.printf(`<pattern id="%s" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="2"/></pattern>`+"\n", pid, st.color)
		case "dots":
			s.printf(`<pattern id="%s" patternUnits="userSpaceOnUse" width="5" height="5"><rect width="5" height="5" fill="%s" fill-opacity="0.3"/><circle cx="2.5" cy="2.5" r="1.4" fill="%s"/></pattern>`+"\n", pid, st.color, st.color)
		case "cross":
			s.printf(`<pattern id="%s" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="%s" fill-opacity="0.3"/><path d="M0 0L6 6M6 0L0 6" stroke="%s" stroke-width="1.2"/></pattern>`+"\n", pid, st.color, st.color)
		case "horiz":
			s.printf(`<pattern id="%s" patternUnits="userSpaceOnUse" width="6" height="5"><rect width="6" height="5" fill="%s" fill-opacity="0.3"/><line x1="0" y1="2.5" x2="6" y2="2.5" stroke="%s" stroke-width="1.6"/></pattern>`+"\n", pid, st.color, st.color)
		case "vert":
			s.printf(`<pattern id="%s" patternUnits="userSpaceOnUse" width="5" height="6"><rect width="5" height="6" fill="%s" fill-opacity="0.3"/><line x1="2.5" y1="0" x2="2.5" y2="6" stroke="%s" stroke-width="1.6"/></pattern>`+"\n", pid, st.color, st.color)
		}
	}
	s.WriteString("</defs>\n")
}

// valueAxis draws the value axis of a horizontal bar chart: a vertical grid line at each tick
// (darker at zero) from plotTop to plotBottom, the tick labels below, and the axis caption.
func (s *svg) valueAxis(f Frame, sc scale, plotTop, plotBottom float64) {
	s.WriteString(`<g class="axis" fill="#333">` + "\n")
	for _, t := range sc.ticks {
		x := sc.at(t)
		color := "#d9dee5"
		if t.IsZero() {
			color = "#333"
		}
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, px(x), px(plotTop), px(x), px(plotBottom), color)
		s.printf(`<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", px(x), px(plotBottom+16), esc(f.format(t)))
	}
	if f.ValueAxis != "" {
		s.printf(`<text x="%s" y="%s" text-anchor="middle" class="axis-title">%s</text>`+"\n", px((sc.a+sc.b)/2), px(plotBottom+34), esc(f.ValueAxis))
	}
	s.WriteString("</g>\n")
}

// fill is the fill attribute of series i: its colour, or its pattern.
func (s *svg) fill(i int) string {
	st := styleOf(i)
	if st.pattern == "" || i >= len(styles) {
		return st.color
	}
	return fmt.Sprintf("url(#%s-p%d)", s.id, i)
}

func (s *svg) close() []byte {
	s.WriteString("</svg>\n")
	return s.Bytes()
}

// textWidth estimates the width in pixels of s at 12 px: wide for CJK and full-width
// characters, narrower for Latin. Layout only; a generous estimate keeps labels clear.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x2E80:
			w += 12
		case r == ' ' || r == '.' || r == ',' || r == '1' || r == 'i' || r == 'l':
			w += 4
		default:
			w += 7
		}
	}
	return w
}

func maxWidth(ss ...string) float64 {
	m := 0.0
	for _, s := range ss {
		if w := textWidth(s); w > m {
			m = w
		}
	}
	return m
}

// legend writes one swatch and name per series from (x, y), wrapping at width w, and returns
// the height it used.
func (s *svg) legend(names []string, x, y, w float64, line bool) float64 {
	if len(names) == 0 {
		return 0
	}
	cx, cy := x, y
	s.printf(`<g class="legend">` + "\n")
	for i, n := range names {
		item := 22 + textWidth(n) + 16
		if cx+item > x+w && cx > x {
			cx, cy = x, cy+18
		}
		if line {
			st := styleOf(i)
			s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`, px(cx), px(cy+6), px(cx+18), px(cy+6), st.color, dashAttr(st.dash))
			s.marker(i, cx+9, cy+6, 3.5)
		} else {
			s.printf(`<rect x="%s" y="%s" width="14" height="12" fill="%s" stroke="#000" stroke-width="0.5"/>`, px(cx), px(cy), s.fill(i))
		}
		s.printf(`<text x="%s" y="%s">%s</text>`+"\n", px(cx+22), px(cy+10), esc(n))
		cx += item
	}
	s.WriteString("</g>\n")
	return cy - y + 22
}

func dashAttr(d string) string {
	if d == "" {
		return ""
	}
	return ` stroke-dasharray="` + d + `"`
}

// marker draws series i's marker shape centred at (x, y) with radius r.
func (s *svg) marker(i int, x, y, r float64) {
	st := styleOf(i)
	switch st.marker {
	case "circle":
		s.printf(`<circle cx="%s" cy="%s" r="%s" fill="%s"/>`, px(x), px(y), px(r), st.color)
	case "circle-open":
		s.printf(`<circle cx="%s" cy="%s" r="%s" fill="#fff" stroke="%s" stroke-width="1.5"/>`, px(x), px(y), px(r), st.color)
	case "square":
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, px(x-r), px(y-r), px(2*r), px(2*r), st.color)
	case "square-open":
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="#fff" stroke="%s" stroke-width="1.5"/>`, px(x-r), px(y-r), px(2*r), px(2*r), st.color)
	case "triangle":
		s.printf(`<path d="M%s %sL%s %sL%s %sZ" fill="%s"/>`, px(x), px(y-r*1.2), px(x+r*1.1), px(y+r*0.8), px(x-r*1.1), px(y+r*0.8), st.color)
	case "diamond":
		s.printf(`<path d="M%s %sL%s %sL%s %sL%s %sZ" fill="%s"/>`, px(x), px(y-r*1.3), px(x+r), px(y), px(x), px(y+r*1.3), px(x-r), px(y), st.color)
	default: // cross
		s.printf(`<path d="M%s %sL%s %sM%s %sL%s %s" stroke="%s" stroke-width="2"/>`, px(x-r), px(y-r), px(x+r), px(y+r), px(x+r), px(y-r), px(x-r), px(y+r), st.color)
	}
}

// truncate shortens a label to about w pixels with an ellipsis (the table keeps it whole).
func truncate(s string, w float64) string {
	if textWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && textWidth(string(r))+7 > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
