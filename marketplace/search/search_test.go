package search

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name     string
		q        string
		want     string // canonical String()
		clauses  []Clause
		currency string
	}{
		{name: "empty", q: "", want: "", currency: "EUR"},
		{name: "blank", q: " \t\n ", want: "", currency: "EUR"},
		{
			name: "issue example",
			q:    "accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD region in [cn-ningxia-zhongwei, cn-gansu-qingyang] tpp<4800 pricing=reserved",
			want: "accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 region in [cn-ningxia-zhongwei,cn-gansu-qingyang] tpp<4800 pricing=reserved currency=USD",
			clauses: []Clause{
				{Field: "accelerator", Op: OpEq, Values: []string{"h100-sxm"}, Pos: 1},
				{Field: "gpus", Op: OpGe, Values: []string{"8"}, Pos: 22},
				{Field: "bloc", Op: OpEq, Values: []string{"CN"}, Pos: 30},
				{Field: "price", Op: OpLe, Values: []string{"2.5"}, Pos: 38},
				{Field: "region", Op: OpIn, Values: []string{"cn-ningxia-zhongwei", "cn-gansu-qingyang"}, Pos: 62},
				{Field: "tpp", Op: OpLt, Values: []string{"4800"}, Pos: 113},
				{Field: "pricing", Op: OpEq, Values: []string{"reserved"}, Pos: 122},
			},
			currency: "USD",
		},
		{
			name:     "spaces around operators and case normalised",
			q:        "gpus >= 0008   bloc = eu  accelerator=H100-SXM vendor_country != us product=GPU_HOURS demo=TRUE",
			want:     "gpus>=8 bloc=EU accelerator=h100-sxm vendor_country!=US product=gpu_hours demo=true",
			currency: "EUR",
		},
		{
			name:     "decimals canonical",
			q:        "price<=2.500000 memory_gb>=080 bf16_tflops>0.0 tpp=4800.10",
			want:     "price<=2.5 memory_gb>=80 bf16_tflops>0 tpp=4800.1",
			currency: "EUR",
		},
		{
			name: "quoted text with escapes and CJK",
			q:    `text~"liquid \"cooled\" \\ 液冷"`,
			want: `text~"liquid \"cooled\" \\ 液冷"`,
			clauses: []Clause{
				{Field: "text", Op: OpContains, Values: []string{`liquid "cooled" \ 液冷`}, Pos: 1},
			},
			currency: "EUR",
		},
		{name: "quoted value that needs no quotes", q: `region="eu-fi-kajaani"`, want: "region=eu-fi-kajaani", currency: "EUR"},
		{name: "bare CJK text", q: "text~宁夏", want: "text~宁夏", currency: "EUR"},
		{name: "ideographic space separates clauses", q: "gpus>=8\u3000bloc=CN", want: "gpus>=8 bloc=CN", currency: "EUR"},
		{name: "notin and dedupe", q: "bloc notin [cn,CN]  listed_currency in [ cny , usd ]", want: "bloc notin [CN] listed_currency in [CNY,USD]", currency: "EUR"},
		{name: "int lists", q: "term_months in [0,12,36] min_hours<=24 gpus notin [1]", want: "term_months in [0,12,36] min_hours<=24 gpus notin [1]", currency: "EUR"},
		{name: "dates", q: "available_from<=2026-12-01 available_until>2027-02-28", want: "available_from<=2026-12-01 available_until>2027-02-28", currency: "EUR"},
		{name: "currency EUR explicit is default", q: "currency=eur gpus>1", want: "gpus>1", currency: "EUR"},
		{name: "currency only", q: "currency=CNY", want: "currency=CNY", currency: "CNY"},
		{name: "supplier id case kept", q: "supplier in [Sup_01,sup-02]", want: "supplier in [Sup_01,sup-02]", currency: "EUR"},
		{name: "export class", q: "export_class=3A090A country=fi", want: "export_class=3a090a country=FI", currency: "EUR"},
		{name: "sql-ish text is a literal", q: `text~"x' OR 1=1 --"`, want: `text~"x' OR 1=1 --"`, currency: "EUR"},
		{name: "text with operator characters inside", q: "text~a=b", want: "text~a=b", currency: "EUR"},
		{name: "18 integer digits", q: "gpus<999999999999999999 price<999999999999999999.999999", want: "gpus<999999999999999999 price<999999999999999999.999999", currency: "EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if got := s.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if s.Currency != tt.currency {
				t.Errorf("Currency = %q, want %q", s.Currency, tt.currency)
			}
			if tt.clauses != nil && !reflect.DeepEqual(s.Clauses, tt.clauses) {
				t.Errorf("Clauses =\n%#v\nwant\n%#v", s.Clauses, tt.clauses)
			}
			checkRoundTrip(t, tt.q, s)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		q    string
		want []string // messages, in order (substring match)
	}{
		{"typo suggestion", "gpu>=8", []string{`col 1: unknown field "gpu"; did you mean "gpus"?`}},
		{"upper-case field", "GPUS>=8", []string{`col 1: unknown field "GPUS"; did you mean "gpus"? (field names are lower case)`}},
		{"vast name", "num_gpus>=8", []string{`unknown field "num_gpus"; did you mean "gpus"?`}},
		{"no suggestion", "colour=red", []string{`col 1: unknown field "colour"; fields are accelerator, vendor, `}},
		{"unknown operator", "bloc=CN gpus=>8", []string{`col 13: unknown operator "=>" after "gpus"; use >=`}},
		{"double equals", "gpus==8", []string{`col 5: unknown operator "==" after "gpus"; use =`}},
		{"op not allowed", "bloc<CN", []string{`col 5: operator < is not allowed for bloc; use =, !=, in, notin`}},
		{"text needs contains", "text=foo", []string{`operator = is not allowed for text; use ~`}},
		{"currency is a setting", "currency!=USD", []string{`operator != is not allowed for currency; use =`}},
		{"missing operator", "gpus 8 bloc=CN", []string{`col 6: expected an operator after "gpus", found "8"`}},
		{"missing operator at end", "gpus", []string{`col 1: expected an operator after "gpus"`}},
		{"missing value", "gpus>=", []string{`col 7: missing value after gpus>=`}},
		{"negative int", "gpus>=-1", []string{`col 7: gpus must be ≥ 0, not -1`}},
		{"negative decimal", "price<-2", []string{`price must be ≥ 0`}},
		{"two dots", "price<=2.5.1", []string{`col 8: price: "2.5.1" is not a number like 2.5`}},
		{"exponent", "price<=1e3", []string{`"1e3" is not a number`}},
		{"leading dot", "price<=.5", []string{`".5" is not a number`}},
		{"trailing dot", "price<=5.", []string{`"5." is not a number`}},
		{"fraction in int", "gpus>=1.5", []string{`gpus: "1.5" is not a whole number`}},
		{"too many decimals", "price<=0.1234567", []string{`has more than 6 decimal places`}},
		{"huge decimal", "price<=1234567890123456789", []string{`has more than 18 integer digits`}},
		{"huge int", "gpus<=1234567890123456789", []string{`has more than 18 integer digits`}},
		{"bad date", "available_from<=2026-02-30", []string{`available_from: "2026-02-30" is not a date; use YYYY-MM-DD`}},
		{"short date", "available_from<=2026-2-3", []string{`is not a date`}},
		{"unknown enum", "pricing=ondemand", []string{`col 9: unknown pricing "ondemand"; use one of on_demand, reserved, interruptible`}},
		{"unknown currency suggestion", "currency=EUX", []string{`unknown currency "EUX"; did you mean "EUR"?`}},
		{"unknown currency", "currency=XBT", []string{`unknown currency "XBT"; use one of CNY, EUR, USD, AUD`}},
		{"bad bool", "demo=yes", []string{`demo: "yes" is not a bool`}},
		{"bad country", "country=DEU", []string{`not an ISO 3166-1 alpha-2 country code`}},
		{"bad slug", `region="cn ningxia"`, []string{`region: "cn ningxia" is not a code`}},
		{"empty list", "region in []", []string{`col 11: empty list after region in; give at least one value`}},
		{"empty list with spaces", "region in [  ]", []string{`empty list`}},
		{"trailing comma", "region in [a,]", []string{`expected a value after ","`}},
		{"leading comma", "region in [,a]", []string{`col 12: missing value`}},
		{"unterminated list", "region in [a, b gpus>=8", []string{`col 17: expected , or ] in the list, found "gpus>=8"`}},
		{"unterminated list at end", "region in [a, b", []string{`col 11: unterminated list: missing ]`}},
		{"in without brackets", "region in a", []string{`expected [ after in, found "a"`}},
		{"in glued to bracket", "region in[a]", []string{`col 10: put a space between in and [`}},
		{"in glued to field", "regionin [a]", []string{`put a space before in`}},
		{"upper-case IN", "region IN [a]", []string{`operators are lower case: in`}},
		{"not in", "region not in [a]", []string{`unknown operator "not" after "region"; use notin`}},
		{"list without in", "region=[a,b]", []string{`a list needs in or notin`}},
		{"comma without list", "region=a,b", []string{`col 9: unexpected ","; for several values use in [a,b]`}},
		{"unterminated quote", `text~"abc gpus>=8`, []string{`col 6: unterminated quoted string`}},
		{"bad escape", `text~"a\nb"`, []string{`unknown escape in quoted string`}},
		{"control char in quotes", "text~\"a\tb\"", []string{`control character`}},
		{"control char bare", "text~a\x00b", []string{`control character`}},
		{"glued after quote", `text~"a"b`, []string{`expected a space after the quoted value`}},
		{"glued after list", `region in [a]b`, []string{`expected a space after ]`}},
		{"quote inside bare", `text~a"b"`, []string{`unexpected '"' in value; quote the value`}},
		{"empty text", `text~""`, []string{`text: empty text`}},
		{"value starts with operator", "text~ =x", []string{`a value cannot start with '='`}},
		{"duplicate currency", "currency=USD gpus>1 currency=CNY", []string{`col 21: currency is given twice (first at col 1)`}},
		{"sql injection", "region='x' OR 1=1", []string{
			`col 8: region: "'x'" is not a code`,
			`col 12: unexpected "OR": there is no OR`,
			`col 15: unknown field "1"`,
		}},
		{"and keyword", "gpus>1 AND bloc=CN", []string{`there is no AND keyword`}},
		{"no field", "=8", []string{`col 1: expected a field name, found "=8"`}},
		{"several at once", `gpu>=8 bloc=XX price<=abc text~"a b" pricing=spot`, []string{
			`col 1: unknown field "gpu"`,
			`col 13: unknown bloc "XX"`,
			`col 23: price: "abc" is not a number`,
			`col 46: unknown pricing "spot"`,
		}},
		{"resync skips quoted string", `nme~"gpus>=8 x" bloc=CN`, []string{`col 1: unknown field "nme"`}},
		{"resync skips list", `regio in [a, "b c"] bloc=CN`, []string{`unknown field "regio"; did you mean "region"?`}},
		{"list value errors each", "gpus in [1,-2,x]", []string{`col 12: gpus must be ≥ 0`, `col 15: gpus: "x" is not a whole number`}},
		{"invalid utf8", "text~a\xffb", []string{`col 7: invalid UTF-8`}},
		{"too long", "text~" + strings.Repeat("a", MaxLen), []string{`col 2001: query is 2005 bytes long; the limit is 2000`}},
		{"text too long", "text~" + strings.Repeat("a", MaxTextLen+1), []string{`text is 201 bytes long; the limit is 200`}},
		{"too many clauses", strings.Repeat("gpus>1 ", MaxClauses+1), []string{`col 225: more than 32 clauses`}},
		{"too many list values", "gpus in [" + strings.Repeat("1,", MaxListValues) + "1]", []string{`more than 64 values in the list`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.q)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want error", tt.q, s.String())
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *Error", err)
			}
			if len(e.Problems) != len(tt.want) {
				t.Fatalf("got %d field errors, want %d:\n%v", len(e.Problems), len(tt.want), e.Problems)
			}
			for i, w := range tt.want {
				if e.Problems[i].Param != "q" {
					t.Errorf("field %d = %q, want q", i, e.Problems[i].Param)
				}
				if !strings.Contains(e.Problems[i].Message, w) {
					t.Errorf("message %d = %q, want it to contain %q", i, e.Problems[i].Message, w)
				}
			}
		})
	}
}

// TestParseErrorLimit checks a hostile query gets at most ten messages.
func TestParseErrorLimit(t *testing.T) {
	_, err := Parse(strings.Repeat("x=1 ", 30))
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 10 {
		t.Fatalf("got %v, want 10 field errors", err)
	}
}

func TestFieldsCatalogue(t *testing.T) {
	fields := Fields()
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.Name] {
			t.Errorf("duplicate field %s", f.Name)
		}
		seen[f.Name] = true
		if f.Description == "" || len(f.Ops) == 0 || f.Example == "" {
			t.Errorf("%s: missing description, ops or example", f.Name)
		}
		switch f.Type {
		case TypeEnum:
			if len(f.Enum) == 0 {
				t.Errorf("%s: enum without values", f.Name)
			}
		case TypeString:
			if f.Format == "" {
				t.Errorf("%s: string without format", f.Name)
			}
		case TypeInt, TypeDecimal, TypeDate, TypeBool:
		default:
			t.Errorf("%s: unknown type %q", f.Name, f.Type)
		}
		s, err := Parse(f.Example)
		if err != nil {
			t.Errorf("%s: example %q: %v", f.Name, f.Example, err)
			continue
		}
		if f.Name == "currency" {
			if s.Currency != "USD" {
				t.Errorf("currency example: %+v", s)
			}
		} else if len(s.Clauses) != 1 || s.Clauses[0].Field != f.Name {
			t.Errorf("%s: example %q parses as %+v", f.Name, f.Example, s.Clauses)
		}
		if g, ok := Lookup(f.Name); !ok || !sameField(g, f) {
			t.Errorf("Lookup(%s) = %+v, %v", f.Name, g, ok)
		}
		if (f.Column == "") != (f.Name == "currency") {
			t.Errorf("%s: column %q; every filter needs the stored attribute it compares against", f.Name, f.Column)
		}
	}
	for _, want := range []string{"accelerator", "vendor", "vendor_country", "region", "bloc", "country", "product",
		"pricing", "gpus", "price", "currency", "listed_currency", "memory_gb", "bf16_tflops", "tpp", "export_class",
		"min_hours", "term_months", "available_from", "available_until", "supplier", "demo", "text"} {
		if !seen[want] {
			t.Errorf("catalogue lacks %s", want)
		}
	}
	fields[0].Ops[0] = OpContains // the catalogue is a copy
	if Fields()[0].Ops[0] == OpContains {
		t.Error("Fields returned the catalogue itself")
	}
	if _, ok := Lookup("GPUS"); ok {
		t.Error("Lookup is case-sensitive")
	}
}

// sameField compares catalogue entries; funcs compare by what they return for a probe model.
func sameField(a, b Field) bool {
	probe := Model{Code: "h100-sxm", Vendor: "nvidia", VendorCountry: "US", ExportClass: "3a090a",
		MemoryGB: decimal.RequireFromString("80"), BF16TFLOPS: decimal.RequireFromString("989.4"), TPP: decimal.RequireFromString("15830.4")}
	if (a.Model == nil) != (b.Model == nil) || a.Model != nil && a.Model(probe) != b.Model(probe) {
		return false
	}
	a.Model, b.Model = nil, nil
	return reflect.DeepEqual(a, b)
}

// TestModelFields checks which fields belong to the accelerator model and what they read: the
// planner narrows price-sorted searches with them, so a wrong accessor would drop offers.
func TestModelFields(t *testing.T) {
	m := Model{Code: "ascend-910b", Vendor: "huawei", VendorCountry: "CN", ExportClass: "3a090a",
		MemoryGB: decimal.RequireFromString("64"), BF16TFLOPS: decimal.RequireFromString("320.1234567"), TPP: decimal.RequireFromString("5120")}
	want := map[string]string{
		"accelerator": "ascend-910b", "vendor": "huawei", "vendor_country": "CN", "export_class": "3a090a",
		"memory_gb": "64", "bf16_tflops": "320.123456", // truncated to micro-units, as the store keeps it
		"tpp": "5120",
	}
	for _, f := range Fields() {
		w, ok := want[f.Name]
		if ok != (f.Model != nil) {
			t.Errorf("%s: accelerator-level = %v, want %v", f.Name, f.Model != nil, ok)
			continue
		}
		if ok && f.Model(m) != w {
			t.Errorf("%s of the model = %q, want %q", f.Name, f.Model(m), w)
		}
	}
}

// TestSearchDocs keeps docs/search-language.md in step with the catalogue.
func TestSearchDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/search-language.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields() {
		if !strings.Contains(string(doc), "| `"+f.Name+"` |") {
			t.Errorf("docs/search-language.md has no table row for %s", f.Name)
		}
	}
	for _, k := range SortKeys() {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("docs/search-language.md does not mention sort key %s", k)
		}
	}
}

func TestClauseAccessors(t *testing.T) {
	s, err := Parse("price<=2.50 gpus in [8,16] available_from<=2026-12-01 demo=false")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Clauses[0].Decimal(0)
	if err != nil || d.String() != "2.5" {
		t.Errorf("Decimal = %v, %v", d, err)
	}
	n, err := s.Clauses[1].Int(1)
	if err != nil || n != 16 {
		t.Errorf("Int = %v, %v", n, err)
	}
	dt, err := s.Clauses[2].Date(0)
	if err != nil || dt.Format("2006-01-02") != "2026-12-01" || dt.Location().String() != "UTC" {
		t.Errorf("Date = %v, %v", dt, err)
	}
	b, err := s.Clauses[3].Bool(0)
	if err != nil || b {
		t.Errorf("Bool = %v, %v", b, err)
	}
	if _, err := s.Clauses[1].Int(2); err == nil {
		t.Error("Int(2) of a two-value clause: want error")
	}
	if _, err := s.Clauses[3].Decimal(0); err == nil {
		t.Error("Decimal of a bool clause: want error")
	}
}

func TestParseSort(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "price", ""},
		{"price", "price", ""},
		{"-price", "-price", ""},
		{" per_pflop_hour ", "per_pflop_hour", ""},
		{"-per_pflop_hour", "-per_pflop_hour", ""},
		{"available_from", "available_from", ""},
		{"-available_from", "-available_from", ""},
		{"gpus", "gpus", ""},
		{"-gpus", "-gpus", ""},
		{"prize", "", `unknown sort "prize"; did you mean "price"? (one of price, -price, per_pflop_hour`},
		{"-prcie", "", `did you mean "-price"?`},
		{"price,gpus", "", `only one sort key is supported`},
		{"cost", "", `unknown sort "cost"; use one of`},
		{"+price", "", `unknown sort "+price"`},
		{"--price", "", `unknown sort`},
	}
	for _, tt := range tests {
		s, err := ParseSort(tt.in)
		if tt.err == "" {
			if err != nil || s.String() != tt.want {
				t.Errorf("ParseSort(%q) = %v, %v; want %s", tt.in, s, err, tt.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Param != "sort" ||
			!strings.Contains(e.Problems[0].Message, tt.err) {
			t.Errorf("ParseSort(%q) error = %v; want sort: …%s…", tt.in, err, tt.err)
		}
	}
}

func TestCursor(t *testing.T) {
	s, _ := Parse("bloc=CN currency=USD")
	other, _ := Parse("bloc=EU currency=USD")
	otherCurrency, _ := Parse("bloc=CN")
	same, _ := Parse("  bloc = cn   currency=usd ")
	desc := Sort{Key: SortPrice, Desc: true}

	tok := EncodeCursor(NewCursor(s, desc, "2.17", "off_123"))
	if strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not unpadded base64url", tok)
	}
	c, err := DecodeCursor(tok, same, desc)
	if err != nil {
		t.Fatal(err)
	}
	if c.Value != "2.17" || c.ID != "off_123" || c.Sort != desc {
		t.Errorf("decoded %+v", c)
	}
	if s.Fingerprint() == otherCurrency.Fingerprint() {
		t.Error("fingerprint ignores the currency")
	}
	if empty, _ := Parse(""); empty.Fingerprint() != (Query{}).Fingerprint() {
		t.Error("zero Query and default Query differ")
	}

	ok := []struct {
		sort  Sort
		value string
	}{{Sort{Key: SortGPUs}, "16"}, {Sort{Key: SortAvailableFrom}, "2026-12-01"}, {Sort{Key: SortPerPFLOPHour}, "0.000123456789012"}, {Sort{Key: SortPerPFLOPHour}, ""}}
	for _, o := range ok {
		if _, err := DecodeCursor(EncodeCursor(NewCursor(s, o.sort, o.value, "x")), s, o.sort); err != nil {
			t.Errorf("%v %q: %v", o.sort, o.value, err)
		}
	}

	bad := []struct {
		name  string
		token string
		s     Query
		sort  Sort
		want  string
	}{
		{"garbage", "%%%", s, desc, "malformed cursor"},
		{"not json", "bm90IGpzb24", s, desc, "malformed cursor"},
		{"other sort", tok, s, Sort{Key: SortPrice}, "issued for sort=-price, not sort=price"},
		{"other query", tok, other, desc, "issued for another query"},
		{"other currency", tok, otherCurrency, desc, "issued for another query"},
		{"too long", strings.Repeat("a", 2000), s, desc, "too long"},
		{"bad id", EncodeCursor(NewCursor(s, desc, "1", "a b")), s, desc, "malformed"},
		{"bad value", EncodeCursor(NewCursor(s, desc, "1; DROP TABLE", "x")), s, desc, "malformed"},
		{"bad date value", EncodeCursor(NewCursor(s, Sort{Key: SortAvailableFrom}, "2026-13-01", "x")), s, Sort{Key: SortAvailableFrom}, "malformed"},
		{"bad sort", EncodeCursor(Cursor{Sort: Sort{Key: "cost"}, Query: s.Fingerprint(), ID: "x"}), s, desc, "malformed"},
		{"unknown member", "eyJ2IjoxLCJzIjoicHJpY2UiLCJxIjoiIiwiayI6IiIsImlkIjoieCIsInoiOjF9", s, Sort{Key: SortPrice}, "malformed"},
	}
	for _, b := range bad {
		_, err := DecodeCursor(b.token, b.s, b.sort)
		var e *Error
		if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Param != "cursor" ||
			!strings.Contains(e.Problems[0].Message, b.want) {
			t.Errorf("%s: error = %v; want cursor: …%s…", b.name, err, b.want)
		}
	}
}

// checkRoundTrip asserts that the canonical form parses back to the same Query, is a fixed
// point, and is never longer than the query it came from (so it stays under MaxLen).
func checkRoundTrip(t *testing.T, q string, s Query) {
	t.Helper()
	canon := s.String()
	if len(canon) > len(q) {
		t.Errorf("String() %q is longer than the query %q", canon, q)
	}
	s2, err := Parse(canon)
	if err != nil {
		t.Fatalf("Parse(String()) of %q = %q: %v", q, canon, err)
	}
	if !sameQuery(s, s2) {
		t.Fatalf("round trip of %q via %q:\n%+v\n%+v", q, canon, s, s2)
	}
	if again := s2.String(); again != canon {
		t.Fatalf("String() not a fixed point: %q then %q", canon, again)
	}
}

func sameQuery(a, b Query) bool {
	if a.Currency != b.Currency || len(a.Clauses) != len(b.Clauses) {
		return false
	}
	for i := range a.Clauses {
		x, y := a.Clauses[i], b.Clauses[i]
		if x.Field != y.Field || x.Op != y.Op || !reflect.DeepEqual(x.Values, y.Values) {
			return false
		}
	}
	return true
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD region in [cn-ningxia-zhongwei, cn-gansu-qingyang] tpp<4800 pricing=reserved",
		`text~"liquid \"cooled\" \\ 液冷" demo=false`,
		"bloc notin [CN] listed_currency in [cny,usd] term_months in [0,12]",
		"available_from<=2026-12-01 available_until>2027-02-28 export_class=none",
		"region='x' OR 1=1",
		`text~"x' OR 1=1 --"`,
		"gpus=>8 gpu>=8 price<=2.5.1",
		"region in [a, b",
		`text~"abc`,
		"region in []",
		"currency=USD currency=CNY",
		"gpus>=8\u3000bloc=CN",
		"text~ =x",
		"supplier in [Sup_01,sup-02] vendor_country!=us country=fi",
		"memory_gb>=080 bf16_tflops>0.0",
		"text~a\xffb",
		`nme~"gpus>=8 x" [ ] , " \`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		s, err := Parse(q)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 || len(e.Problems) > 10 {
				t.Fatalf("Parse(%q): bad error %#v", q, err)
			}
			for _, fe := range e.Problems {
				if fe.Param != "q" || !strings.HasPrefix(fe.Message, "col ") || !utf8.ValidString(fe.Message) {
					t.Fatalf("Parse(%q): bad field error %+v", q, fe)
				}
			}
			return
		}
		if len(s.Clauses) > MaxClauses {
			t.Fatalf("%d clauses", len(s.Clauses))
		}
		for _, c := range s.Clauses {
			fd, ok := Lookup(c.Field)
			if !ok || c.Field == "currency" || len(c.Values) == 0 || (!c.Op.IsList() && len(c.Values) != 1) {
				t.Fatalf("Parse(%q): bad clause %+v", q, c)
			}
			if c.Pos < 1 || c.Pos > len(q) || !strings.HasPrefix(q[c.Pos-1:], c.Field) {
				t.Fatalf("Parse(%q): bad position %+v", q, c)
			}
			for i := range c.Values {
				var err error
				switch fd.Type {
				case TypeDecimal:
					_, err = c.Decimal(i)
				case TypeInt:
					_, err = c.Int(i)
				case TypeDate:
					_, err = c.Date(i)
				case TypeBool:
					_, err = c.Bool(i)
				}
				if err != nil {
					t.Fatalf("Parse(%q): %v", q, err)
				}
			}
		}
		checkRoundTrip(t, q, s)
	})
}
