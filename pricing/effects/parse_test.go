package effects

import (
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseWedge(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // fraction, or "" for an error
	}{
		{"10%", "0.1"}, {"0%", "0"}, {"-5%", "-0.05"}, {"12.5 %", "0.125"}, {" 0.1 ", "0.1"}, {"+3%", "0.03"},
		{"145%", "1.45"}, {"1.45", "1.45"}, {".5%", "0.005"},
		{"", ""}, {"%", ""}, {"ten", ""}, {"1e1%", ""}, {"10%%", ""}, {"1,5%", ""}, {"--1", ""}, {"1.2.3", ""}, {"NaN", ""},
	} {
		got, err := ParseWedge(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("ParseWedge(%q) = %s, want an error", c.in, got)
		case c.want != "" && (err != nil || !got.Equal(d(c.want))):
			t.Errorf("ParseWedge(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	if got := FormatPercent(d("0.125")); got != "12.5%" {
		t.Errorf("FormatPercent(0.125) = %s", got)
	}
}

func TestParseElasticity(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"-1.5", "-1.5"}, {"99", "99"}, {"inf", "inf"}, {"Infinity", "inf"}, {"+INF", "inf"}, {"∞", "inf"}, {" 0 ", "0"},
		{"", ""}, {"-inf", ""}, {"1/2", ""}, {"1e2", ""}, {"nan", ""},
	} {
		got, err := ParseElasticity(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("ParseElasticity(%q) = %s, want an error", c.in, got)
		case c.want != "" && (err != nil || got.String() != c.want):
			t.Errorf("ParseElasticity(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

// TestRequestInputErrors: every bad field is named, in the JSON vocabulary, in one error.
func TestRequestInputErrors(t *testing.T) {
	ok := FlowRequest{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"}
	with := func(mod func(*FlowRequest)) []FlowRequest { f := ok; mod(&f); return []FlowRequest{f} }
	many := make([]FlowRequest, MaxFlows+1)
	for i := range many {
		many[i] = ok
	}
	for _, c := range []struct {
		name  string
		req   Request
		field string
		in    string // a fragment of the message
	}{
		{"no flows", Request{}, "flows", "at least one"},
		{"too many flows", Request{Flows: many}, "flows", "at most 1000"},
		{"value missing", Request{Flows: with(func(f *FlowRequest) { f.Value = "" })}, "flows[0].value", "required"},
		{"value not a decimal", Request{Flows: with(func(f *FlowRequest) { f.Value = "1e3" })}, "flows[0].value", "decimal string"},
		{"value negative", Request{Flows: with(func(f *FlowRequest) { f.Value = "-1" })}, "flows[0].value", "from 0"},
		{"value huge", Request{Flows: with(func(f *FlowRequest) { f.Value = "1000000000000001" })}, "flows[0].value", "10^15"},
		{"all zero", Request{Flows: with(func(f *FlowRequest) { f.Value = "0" })}, "flows", "value above 0"},
		{"wedge missing", Request{Flows: with(func(f *FlowRequest) { f.WedgeAfter = "" })}, "flows[0].wedge_after", "required"},
		{"wedge malformed", Request{Flows: with(func(f *FlowRequest) { f.WedgeBefore = "10 percent" })}, "flows[0].wedge_before", "percentage"},
		{"wedge -100%", Request{Flows: with(func(f *FlowRequest) { f.WedgeAfter = "-99.5%" })}, "flows[0].wedge_after", "from -99%"},
		{"wedge too high", Request{Flows: with(func(f *FlowRequest) { f.WedgeAfter = "10.01" })}, "flows[0].wedge_after", "1001%"},
		{"source missing", Request{Flows: with(func(f *FlowRequest) { f.Source = " " })}, "flows[0].source", "required"},
		{"source control char", Request{Flows: with(func(f *FlowRequest) { f.Source = "C\x00N" })}, "flows[0].source", "printable"},
		{"duplicate source", Request{Flows: []FlowRequest{ok, ok}}, "flows[1].source", "repeats flows[0].source"},
		{"collector too long", Request{Flows: with(func(f *FlowRequest) { f.Collector = strings.Repeat("x", 65) })}, "flows[0].collector", "64"},
		{"gpu hours malformed", Request{Flows: with(func(f *FlowRequest) { f.GPUHours = "lots" })}, "flows[0].gpu_hours", "decimal string"},
		{"gpu hours with zero value", Request{Flows: []FlowRequest{ok, {Source: "US", Value: "0", GPUHours: "5", WedgeBefore: "0", WedgeAfter: "0"}}},
			"flows[1].value", "gpu_hours"},
		{"gpu hours on some flows", Request{Flows: []FlowRequest{ok, {Source: "US", Value: "5", GPUHours: "5", WedgeBefore: "0", WedgeAfter: "0"}}},
			"flows[0].gpu_hours", "every flow"},
		{"Em positive", Request{Flows: []FlowRequest{ok}, ImportDemandElasticity: "1.5"}, "import_demand_elasticity", "write -1.5"},
		{"Em infinite", Request{Flows: []FlowRequest{ok}, ImportDemandElasticity: "inf"}, "import_demand_elasticity", "from -100 to 0"},
		{"Em malformed", Request{Flows: []FlowRequest{ok}, ImportDemandElasticity: "high"}, "import_demand_elasticity", `"inf", not "high"`},
		{"Es negative", Request{Flows: []FlowRequest{ok}, SubstitutionElasticity: "-1"}, "substitution_elasticity", "from 0 to 100"},
		{"Es infinite", Request{Flows: []FlowRequest{ok}, SubstitutionElasticity: "inf"}, "substitution_elasticity", "from 0 to 100"},
		{"Ex zero", Request{Flows: []FlowRequest{ok}, ExportSupplyElasticity: "0"}, "export_supply_elasticity", "above 0"},
		{"currency lower case", Request{Flows: []FlowRequest{ok}, Currency: "eur"}, "currency", "ISO 4217"},
		{"currency unknown", Request{Flows: []FlowRequest{ok}, Currency: "XYZ"}, "currency", "unknown currency"},
	} {
		_, err := c.req.Input(func(s string) bool { return s == "EUR" })
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: error %v, want *InputError", c.name, err)
			continue
		}
		found := false
		for _, f := range ie.Fields {
			if f.Field == c.field && strings.Contains(f.Message, c.in) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want %s: …%s…; got %v", c.name, c.field, c.in, ie)
		}
	}
}

// TestRequestInputCollectsEveryProblem: one error lists all bad fields, and a field that did
// not parse is not also reported as out of range.
func TestRequestInputCollectsEveryProblem(t *testing.T) {
	_, err := Request{Flows: []FlowRequest{{Source: "CN", Value: "x", WedgeBefore: "y", WedgeAfter: "0"}},
		SubstitutionElasticity: "-2"}.Input(nil)
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want *InputError", err)
	}
	var fields []string
	for _, f := range ie.Fields {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "substitution_elasticity,flows[0].value,flows[0].wedge_before" {
		t.Errorf("fields = %s", got)
	}
}

// TestDefaultsCarrySources: every default says where it comes from.
func TestDefaultsCarrySources(t *testing.T) {
	in, err := Request{Flows: []FlowRequest{{Source: "CN", Value: "1", WedgeBefore: "0", WedgeAfter: "0"}}}.Input(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Parameter{in.ImportDemand, in.Substitution, in.ExportSupply} {
		if !p.Default || p.Source == "" || p.AsOf == "" || (p.Confidence != Sourced && p.Confidence != Illustrative) {
			t.Errorf("default %s lacks its provenance: %+v", p, p)
		}
	}
	if in.ImportDemand.String() != "-1.5" || in.Substitution.String() != "1.5" || in.ExportSupply.String() != "inf" {
		t.Errorf("defaults Em %s Es %s Ex %s", in.ImportDemand, in.Substitution, in.ExportSupply)
	}
}

// FuzzRequestInput: any JSON document either fails with an *InputError or gives an input the
// model computes with its identities intact.
func FuzzRequestInput(f *testing.F) {
	f.Add(`{"flows":[{"source":"CN","value":"100","wedge_before":"10%","wedge_after":"0%"}]}`)
	f.Add(`{"flows":[{"source":"CN","value":"100","gpu_hours":"40","wedge_before":"10%","wedge_after":"0%","collector":"DE"},` +
		`{"source":"US","value":"300","gpu_hours":"90","wedge_before":"0.1","wedge_after":"25%","collector":"none"}],` +
		`"import_demand_elasticity":"-1.5","substitution_elasticity":"1.5","export_supply_elasticity":"3","currency":"EUR"}`)
	f.Add(`{"flows":[{"source":"A","value":"0.000001","wedge_before":"-99%","wedge_after":"1000%"},{"source":"B","value":"1000000000000000","wedge_before":"0","wedge_after":"-0.5"}],"import_demand_elasticity":"-100","substitution_elasticity":"100","export_supply_elasticity":"0.0001"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var req Request
		if json.Unmarshal([]byte(doc), &req) != nil {
			return
		}
		in, err := req.Input(nil)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v, want *InputError", err, err)
			}
			return
		}
		r, err := Compute(in)
		if err != nil {
			t.Fatalf("a valid input failed to compute: %v", err)
		}
		if !r.Total.TradeDiversion.IsZero() {
			t.Fatalf("diversion sums to %s", r.Total.TradeDiversion)
		}
		rr := r.Rounded(centRounding)
		if !rr.Total.TradeDiversion.IsZero() || !rr.Total.TradeCreation.Add(rr.Total.TradeDiversion).Add(rr.Total.PriceEffect).Equal(rr.Total.TotalEffect) {
			t.Fatalf("rounded identities broken: %+v", rr.Total)
		}
	})
}

// FuzzParseWedge: parsing never panics, and a parsed wedge survives FormatPercent.
func FuzzParseWedge(f *testing.F) {
	for _, s := range []string{"10%", "0.1", "-2.5 %", "", "%", "1e3", "+.5%", "99999999999999999999999999999999999999%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWedge(s)
		if err != nil {
			return
		}
		back, err := ParseWedge(FormatPercent(w))
		if err != nil && len(FormatPercent(w)) <= MaxTextLength {
			t.Fatalf("FormatPercent(%s) = %q does not parse: %v", w, FormatPercent(w), err)
		}
		if err == nil && !back.Equal(w) {
			t.Fatalf("round trip %q → %s → %s", s, w, back)
		}
	})
}

// FuzzParseElasticity: parsing never panics, and String reads back the same elasticity.
func FuzzParseElasticity(f *testing.F) {
	for _, s := range []string{"-1.5", "inf", "∞", "+Infinity", "", "1e2", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseElasticity(s)
		if err != nil {
			return
		}
		back, err := ParseElasticity(e.String())
		if err != nil && len(e.String()) <= MaxTextLength {
			t.Fatalf("%q → %s does not parse back: %v", s, e, err)
		}
		if err == nil && (back.IsInfinite() != e.IsInfinite() || !back.Value().Equal(e.Value())) {
			t.Fatalf("round trip %q → %s → %s", s, e, back)
		}
	})
}

// TestImportRule keeps the model pure: the standard library and decimal only.
func TestImportRule(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(p, ".") && p != "github.com/shopspring/decimal" {
				t.Errorf("%s imports %s: the effects model imports decimal and the standard library only", name, p)
			}
			if strings.HasPrefix(p, "corridor/") || p == "net/http" || p == "database/sql" {
				t.Errorf("%s imports %s: the effects model imports decimal and the standard library only", name, p)
			}
		}
	}
	_ = decimal.Zero
}
