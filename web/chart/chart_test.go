package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files in testdata/")

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// eur writes an amount with two decimals, exactly (StringFixed rounds the decimal itself).
func eur(v decimal.Decimal) string { return v.StringFixed(2) }

// samples are one chart of each kind, with the data the analysts' pages will give them.
func samples() map[string]Chart {
	return map[string]Chart{
		"bars": Bars{Frame: Frame{ID: "rw", Title: "Revenue and welfare", Desc: "Change in wedge revenue, consumer surplus and welfare, EUR.",
			ValueAxis: "EUR", CategoryHeader: "Figure", Format: eur},
			Bars: []Bar{{"Revenue change (DE)", V(d("-10.99"))}, {"Consumer surplus", V(d("11.18"))}, {"Welfare", V(d("0.19"))}}},
		"grouped": GroupedBars{Frame: Frame{ID: "landed", Title: "Landed cost per origin", Desc: "EUR per GPU-hour for a German business under each scenario.",
			ValueAxis: "EUR per GPU-hour", CategoryHeader: "Origin", Format: eur},
			Series: []string{"Baseline", "EU levy 10%", "CNY −5%"},
			Groups: []Group{
				{"CN (Ningxia)", []Cell{V(d("1.19")), V(d("1.31")), V(d("1.13"))}},
				{"EU (Kajaani)", []Cell{V(d("2.10")), V(d("2.10")), V(d("2.10"))}},
				{"US (Virginia)", []Cell{V(d("2.45")), Missing, V(d("2.45"))}},
			}},
		"stacked": StackedBars{Frame: Frame{ID: "tc", Title: "Trade creation and diversion by source", Desc: "Change in imports by source, EUR: creation and diversion; the diamond is the total.",
			ValueAxis: "EUR", CategoryHeader: "Source", Format: eur},
			Series: []string{"Trade creation", "Trade diversion", "Price effect"}, NetLabel: "Total effect",
			Groups: []Group{
				{"CN", []Cell{V(d("13.64")), V(d("9.89")), V(d("0"))}},
				{"US", []Cell{V(d("0")), V(d("-9.89")), V(d("0"))}},
				{"KR", []Cell{V(d("-2.5")), V(d("1.25")), V(d("0.4"))}},
			}},
		"waterfall": Waterfall{Frame: Frame{ID: "wf", Title: "Landed cost, baseline to scenario", Desc: "How each line kind moves the landed cost of 800 GPU-hours, EUR.",
			ValueAxis: "EUR", CategoryHeader: "Line", Format: eur},
			Start:    Bar{"Baseline", V(d("1532.51"))},
			Steps:    []Bar{{"Customs duty", V(d("0"))}, {"Levy", V(d("153.25"))}, {"VAT", V(d("320.36"))}, {"Subsidy", V(d("-200"))}},
			EndLabel: "Scenario", IncreaseLabel: "Increase", DecreaseLabel: "Decrease", ChangeHeader: "Change", TotalHeader: "Running total"},
		"lines": Lines{Frame: Frame{ID: "sweep", Title: "Landed cost by levy rate", Desc: "EUR per GPU-hour as the EU levy goes from 0% to 35%; CN stops being cheapest at 25%.",
			ValueAxis: "EUR per GPU-hour", Format: eur},
			XAxis: "Levy", XFormat: func(x decimal.Decimal) string { return x.Shift(2).String() + "%" },
			Series: []Line{
				{"CN (Ningxia)", []Point{{X: d("0"), Cell: V(d("1.19"))}, {X: d("0.1"), Cell: V(d("1.43"))}, {X: d("0.2"), Cell: V(d("1.67"))},
					{X: d("0.25"), Cell: V(d("1.79")), Mark: true, Note: "switch"}, {X: d("0.3"), Cell: Missing}, {X: d("0.35"), Cell: V(d("2.03"))}}},
				{"EU (Kajaani)", []Point{{X: d("0"), Cell: V(d("1.80"))}, {X: d("0.35"), Cell: V(d("1.80"))}}},
			},
			Marks: []RefLine{{X: d("0.25"), Label: "levy in force"}}, NotesHeader: "Notes"},
	}
}

// TestGolden: each chart renders exactly its golden file (go test ./web/chart -update rewrites
// them after a deliberate change; review the SVGs in a browser before committing).
func TestGolden(t *testing.T) {
	for name, c := range samples() {
		got, err := c.SVG()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, _ := c.SVG()
		if !bytes.Equal(got, again) {
			t.Errorf("%s: two renderings differ", name)
		}
		path := filepath.Join("testdata", name+".svg")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create it)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: output differs from %s (run with -update after a deliberate change)", name, path)
		}
	}
}

// TestAccessibleAndSelfContained: every chart is well-formed XML with a title and description
// the root points at, no script, no style element or attribute (the CSP forbids them), no
// external reference, and every exact value label of its table also appears in the drawing.
func TestAccessibleAndSelfContained(t *testing.T) {
	for name, c := range samples() {
		b, _ := c.SVG()
		s := string(b)
		dec := xml.NewDecoder(bytes.NewReader(b))
		var ids = map[string]bool{}
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed XML: %v", name, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				if se.Name.Local == "script" || se.Name.Local == "style" || se.Name.Local == "image" || se.Name.Local == "foreignObject" {
					t.Errorf("%s: contains <%s>", name, se.Name.Local)
				}
				for _, a := range se.Attr {
					if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "href" {
						t.Errorf("%s: attribute %s on <%s>", name, a.Name.Local, se.Name.Local)
					}
					if a.Name.Local == "id" {
						ids[a.Value] = true
					}
				}
			}
		}
		if !strings.Contains(s, `role="img"`) || !ids[c.(interface{ frameID() string }).frameID()+"-title"] {
			t.Errorf("%s: missing role or title id", name)
		}
		for _, ref := range []string{"-title", "-desc"} {
			if !strings.Contains(s, `aria-labelledby="`) || !strings.Contains(s, ref) {
				t.Errorf("%s: aria-labelledby lacks %s", name, ref)
			}
		}
		tab := c.Table()
		if tab.Caption == "" || len(tab.Rows) == 0 {
			t.Errorf("%s: empty table", name)
		}
		// The figures a reader of the printed chart needs are labelled on it: every bar's
		// value, each stack's net, each waterfall step and the end (narrow stack segments and
		// line points are in the table).
		labelled := map[string][]int{"bars": {1}, "grouped": {1, 2, 3}, "stacked": {4}, "waterfall": {1}}[name]
		for _, r := range tab.Rows {
			for _, col := range labelled {
				if cell := r[col]; cell != "" && cell != Dash && !strings.Contains(s, ">"+escText(cell)+"<") {
					t.Errorf("%s: the table's %q is not labelled in the chart", name, cell)
				}
			}
		}
	}
}

func escText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), "&#34;", "&#34;")
}

// frameID exposes each chart's id to the test.
func (b Bars) frameID() string        { return b.id() }
func (g GroupedBars) frameID() string { return g.id() }
func (s StackedBars) frameID() string { return s.id() }
func (w Waterfall) frameID() string   { return w.id() }
func (l Lines) frameID() string       { return l.id() }

// TestTables: the text alternatives hold the exact figures and the caller's words.
func TestTables(t *testing.T) {
	c := samples()
	st := c["stacked"].Table()
	// KR: −2.50 + 1.25 + 0.40 = −0.85, summed exactly.
	if got := strings.Join(st.Rows[2], "|"); got != "KR|-2.50|1.25|0.40|-0.85" {
		t.Errorf("stacked KR row = %s", got)
	}
	if got := strings.Join(st.Header, "|"); got != "Source|Trade creation|Trade diversion|Price effect|Total effect" {
		t.Errorf("stacked header = %s", got)
	}
	wf := c["waterfall"].Table()
	// 1532.51 + 0 + 153.25 + 320.36 − 200 = 1806.12.
	if last := wf.Rows[len(wf.Rows)-1]; last[0] != "Scenario" || last[2] != "1806.12" || wf.Rows[2][1] != "+153.25" || wf.Rows[4][1] != "-200.00" {
		t.Errorf("waterfall table = %v", wf.Rows)
	}
	if end := c["waterfall"].(Waterfall).End(); !end.Equal(d("1806.12")) {
		t.Errorf("waterfall end = %s", end)
	}
	gb := c["grouped"].Table()
	if gb.Rows[2][2] != Dash {
		t.Errorf("a missing value shows as a dash: %v", gb.Rows[2])
	}
	ln := c["lines"].Table()
	// x = 0, 0.1, 0.2, 0.25, 0.3, 0.35; at 25% the switch and the reference line.
	if len(ln.Rows) != 6 || strings.Join(ln.Rows[3], "|") != "25%|1.79|—|CN (Ningxia): switch; levy in force" || ln.Rows[4][1] != Dash {
		t.Errorf("lines table = %v", ln.Rows)
	}
	h := string(st.HTML())
	if !strings.Contains(h, `<caption>Trade creation and diversion by source</caption>`) || !strings.Contains(h, `<th scope="row">KR</th><td>-2.50</td>`) {
		t.Errorf("table HTML = %s", h)
	}
}

// TestCallerWordsOnly: with every word supplied in Chinese, the drawing holds no English word
// of its own, and markup in labels is escaped.
func TestCallerWordsOnly(t *testing.T) {
	s := StackedBars{Frame: Frame{Title: "按来源的贸易创造与转移", Desc: "各来源进口变化（欧元）。", ValueAxis: "欧元", CategoryHeader: "来源", Format: eur},
		Series: []string{"贸易创造", "贸易转移"}, NetLabel: "总效应",
		Groups: []Group{{"中国", []Cell{V(d("13.64")), V(d("9.89"))}}, {"<美国>", []Cell{V(d("0")), V(d("-9.89"))}}}}
	b, err := s.SVG()
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if strings.Contains(text, "<美国>") || !strings.Contains(text, "&lt;美国&gt;") {
		t.Errorf("labels are not escaped")
	}
	// Strip tags and attribute-free markup: what remains is the visible text.
	var visible strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if cd, ok := tok.(xml.CharData); ok {
			visible.Write(cd)
		}
	}
	for _, w := range strings.Fields(visible.String()) {
		for _, r := range w {
			if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				t.Errorf("the chart drew a word of its own: %q", w)
				break
			}
		}
	}
}

func TestNiceScale(t *testing.T) {
	for _, c := range []struct {
		lo, hi string
		want   string
	}{
		// raw step = range ÷ 5, raised to 1, 2, 2.5 or 5 × 10ⁿ; ends widened to whole steps.
		{"0", "13.64", "0 5 10 15"},                         // 2.728 → 5
		{"0", "11.5", "0 2.5 5 7.5 10 12.5"},                // 2.3 → 2.5
		{"-9.89", "23.53", "-10 0 10 20 30"},                // 6.684 → 10
		{"0", "0", "0 0.2 0.4 0.6 0.8 1"},                   // widened to [0, 1]; 0.2
		{"1532.51", "1806.12", "1500 1600 1700 1800 1900"},  // 54.7 → 100
		{"0", "1806.12", "0 500 1000 1500 2000"},            // 361.2 → 500
		{"-0.003", "0.001", "-0.003 -0.002 -0.001 0 0.001"}, // 0.0008 → 0.001
		{"97.3", "103.1", "96 98 100 102 104"},              // 1.16 → 2
		{"5", "5", "0 1 2 3 4 5"},                           // widened to [0, 5]; 1
	} {
		sc := niceScale(d(c.lo), d(c.hi), 5, 0, 100)
		var got []string
		for _, tk := range sc.ticks {
			got = append(got, tk.String())
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ticks over [%s, %s] = %s, want %s", c.lo, c.hi, strings.Join(got, " "), c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	for name, c := range map[string]Chart{
		"no title":        Bars{Frame: Frame{Desc: "x"}, Bars: []Bar{{"a", V(d("1"))}}},
		"no description":  Bars{Frame: Frame{Title: "x"}, Bars: []Bar{{"a", V(d("1"))}}},
		"no bars":         Bars{Frame: Frame{Title: "x", Desc: "y"}},
		"ragged groups":   GroupedBars{Frame: Frame{Title: "x", Desc: "y"}, Series: []string{"a", "b"}, Groups: []Group{{"g", []Cell{V(d("1"))}}}},
		"no points":       Lines{Frame: Frame{Title: "x", Desc: "y"}},
		"missing start":   Waterfall{Frame: Frame{Title: "x", Desc: "y"}, Start: Bar{"s", Missing}},
		"all points gone": Lines{Frame: Frame{Title: "x", Desc: "y"}, Series: []Line{{"a", []Point{{X: d("1"), Cell: Missing}}}}},
	} {
		if _, err := c.SVG(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestImportRule keeps the chart library free of the web framework and of Corridor's domain:
// the standard library and decimal only.
func TestImportRule(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if (strings.Contains(p, ".") && p != "github.com/shopspring/decimal") || strings.HasPrefix(p, "corridor/") {
				t.Errorf("%s imports %s: the chart library imports decimal and the standard library only", name, p)
			}
		}
	}
}
