package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestPriceBoundsAreExact(t *testing.T) {
	d := decimal.RequireFromString
	// A USD listing compared in EUR at 1 USD = 0.8 EUR: price_EUR = micros × 0.8 / 10^6.
	rate := d("0.8")
	tests := []struct {
		op       Op
		x        string
		want     []Bound
		possible bool
	}{
		{OpLe, "2", []Bound{{OpLe, 2500000}}, true},         // 2.5 USD = 2 EUR exactly: included
		{OpLt, "2", []Bound{{OpLt, 2500000}}, true},         // …excluded
		{OpGe, "2", []Bound{{OpGe, 2500000}}, true},         // …included
		{OpGt, "2", []Bound{{OpGt, 2500000}}, true},         // …excluded
		{OpLe, "1.0000001", []Bound{{OpLe, 1250000}}, true}, // 1.25 USD = 1 EUR ≤ 1.0000001; 1.250001 USD is 1.0000008 EUR
		{OpLt, "1.0000001", []Bound{{OpLe, 1250000}}, true},
		{OpGe, "1.0000001", []Bound{{OpGt, 1250000}}, true},
		{OpEq, "2", []Bound{{OpEq, 2500000}}, true},
		{OpEq, "1.0000001", nil, false}, // no whole number of micro-USD converts to it
		{OpNe, "1.0000001", nil, true},  // so every price differs: no bound at all
	}
	for _, tc := range tests {
		got, possible, err := priceBounds([]Clause{{Field: "price", Op: tc.op, Values: []string{tc.x}}}, rate)
		if err != nil || possible != tc.possible || len(got) != len(tc.want) || (len(got) == 1 && got[0] != tc.want[0]) {
			t.Errorf("price%s%s: got %v, %v, %v; want %v, %v", tc.op, tc.x, got, possible, err, tc.want, tc.possible)
		}
	}
}

func TestFloorDiv(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		x, by string
		want  int64
		exact bool
	}{
		{"10", "3", 3, false},
		{"9", "3", 3, true},
		{"2162255.0", "1.1562", 1870139, false}, // 1870139.248…
		{"1", "0.1212517369321414", 8, false},   // 8.247…
		{"-1", "3", -1, false},
	}
	for _, tc := range tests {
		got, exact := floorDiv(d(tc.x), d(tc.by))
		if got != tc.want || exact != tc.exact {
			t.Errorf("floorDiv(%s, %s) = %d, %v; want %d, %v", tc.x, tc.by, got, exact, tc.want, tc.exact)
		}
	}
}

func TestPerPFLOPMicros(t *testing.T) {
	d := decimal.RequireFromString
	// 2.50 per GPU-hour on 989 TFLOPS: 2.5 / 0.989 = 2.527805…/PFLOP-hour → 2527805 micro-units.
	if got := PerPFLOPMicros(d("2.50"), d("989")); got != 2527805 {
		t.Errorf("PerPFLOPMicros(2.50, 989) = %d", got)
	}
	if got := PerPFLOPMicros(d("2.50"), decimal.Zero); got != NoPerPFLOP {
		t.Errorf("unknown TFLOPS: %d", got)
	}
}

// testModels is a small accelerator catalogue for the planner.
func testModels() []Model {
	d := decimal.RequireFromString
	return []Model{
		{Code: "h100-sxm", Vendor: "nvidia", VendorCountry: "US", ExportClass: "3a090a", MemoryGB: d("80"), BF16TFLOPS: d("989"), TPP: d("15824")},
		{Code: "h20", Vendor: "nvidia", VendorCountry: "US", ExportClass: "none", MemoryGB: d("96"), BF16TFLOPS: d("148"), TPP: d("2368")},
		{Code: "ascend-910b", Vendor: "huawei", VendorCountry: "CN", ExportClass: "3a090a", MemoryGB: d("64"), BF16TFLOPS: d("320"), TPP: d("5120")},
		{Code: "mystery-npu", Vendor: "acme", VendorCountry: "CN", ExportClass: "none", MemoryGB: d("32")},
	}
}

// describe renders a plan's reads compactly: one line per read.
func describe(p Plan) string {
	var b strings.Builder
	for _, r := range p.Reads {
		fmt.Fprintf(&b, "%v key=%s desc=%v limit=%d", r.Currencies, r.Key, r.Desc, r.Limit)
		for _, c := range r.Clauses {
			b.WriteString(" " + c.String())
		}
		for _, cur := range ListedCurrencies {
			if bs, ok := r.PriceBounds[cur]; ok {
				fmt.Fprintf(&b, " %s%v", cur, bs)
			}
		}
		if r.After != nil {
			fmt.Fprintf(&b, " after=%d/%s", r.After.Key, r.After.ID)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestNewPlan checks which reads a search becomes. Rates into EUR: 1 CNY = 0.125 EUR,
// 1 EUR = 1 EUR, 1 USD = 0.8 EUR.
func TestNewPlan(t *testing.T) {
	d := decimal.RequireFromString
	rates := map[string]decimal.Decimal{"CNY": d("0.125"), "EUR": d("1"), "USD": d("0.8")}
	tests := []struct {
		name, q, sort string
		models        bool
		want          string
	}{
		{"everything by price: one stream per listing currency", "", "price", false,
			"[CNY] key=price desc=false limit=11\n[EUR] key=price desc=false limit=11\n[USD] key=price desc=false limit=11\n"},
		{"other sorts: one read", "bloc=CN", "-gpus", false, "[] key=gpus desc=true limit=11 bloc=CN\n"},
		// price<=2 EUR: CNY micros ≤ 2·10^6/0.125 = 16_000_000; USD ≤ 2·10^6/0.8 = 2_500_000.
		{"price bounds per currency", "price<=2 bloc=EU", "price", false,
			"[CNY] key=price desc=false limit=11 bloc=EU CNY[{<= 16000000}] EUR[{<= 2000000}] USD[{<= 2500000}]\n" +
				"[EUR] key=price desc=false limit=11 bloc=EU CNY[{<= 16000000}] EUR[{<= 2000000}] USD[{<= 2500000}]\n" +
				"[USD] key=price desc=false limit=11 bloc=EU CNY[{<= 16000000}] EUR[{<= 2000000}] USD[{<= 2500000}]\n"},
		// 0.000001 EUR is 8 micro-CNY and 1.25 micro-USD: no USD price can equal it.
		{"an equality not every currency can meet", "price=0.000001", "gpus", false,
			"[CNY EUR] key=gpus desc=false limit=11 CNY[{= 8}] EUR[{= 1}]\n"},
		// Only h20 has TPP < 4800 among the NVIDIA models: one stream per currency for it alone.
		{"accelerator clauses narrow to the models", "vendor=nvidia tpp<4800 gpus>=8", "price", true,
			"[CNY] key=price desc=false limit=11 gpus>=8 accelerator=h20\n[EUR] key=price desc=false limit=11 gpus>=8 accelerator=h20\n[USD] key=price desc=false limit=11 gpus>=8 accelerator=h20\n"},
		{"without the catalogue the clauses stay", "vendor=nvidia tpp<4800", "price", false,
			"[CNY] key=price desc=false limit=11 vendor=nvidia tpp<4800\n[EUR] key=price desc=false limit=11 vendor=nvidia tpp<4800\n[USD] key=price desc=false limit=11 vendor=nvidia tpp<4800\n"},
		{"not price-sorted: no narrowing", "vendor=nvidia", "available_from", true, "[] key=available_from desc=false limit=11 vendor=nvidia\n"},
		{"no model matches: nothing to read", "vendor=amd", "price", true, ""},
		{"a region set reads one stream per region", "region in [a,b] tpp<4800", "-gpus", false,
			"[] key=gpus desc=true limit=11 tpp<4800 region=a\n[] key=gpus desc=true limit=11 tpp<4800 region=b\n"},
		{"…and per currency for price sorts", "bloc=CN region=a", "price", false,
			"[CNY] key=price desc=false limit=11 bloc=CN region=a\n[EUR] key=price desc=false limit=11 bloc=CN region=a\n[USD] key=price desc=false limit=11 bloc=CN region=a\n"},
		{"notin does not split", "region notin [a,b]", "gpus", false, "[] key=gpus desc=false limit=11 region notin [a,b]\n"},
		{"nine regions do not split", "region in [a,b,c,d,e,f,g,h,i]", "available_from", false,
			"[] key=available_from desc=false limit=11 region in [a,b,c,d,e,f,g,h,i]\n"},
		{"models win over regions", "region in [a,b] vendor=nvidia tpp<4800", "price", true,
			"[CNY] key=price desc=false limit=11 region in [a,b] accelerator=h20\n[EUR] key=price desc=false limit=11 region in [a,b] accelerator=h20\n[USD] key=price desc=false limit=11 region in [a,b] accelerator=h20\n"},
		{"no TFLOPS known is not ≥ 0.5", "accelerator=mystery-npu bf16_tflops>=0.5", "per_pflop_hour", true, ""},
	}
	for _, tc := range tests {
		q, err := Parse(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		srt, err := ParseSort(tc.sort)
		if err != nil {
			t.Fatal(err)
		}
		in := Input{Query: q, Sort: srt, Limit: 10, Rates: rates}
		if tc.models {
			in.Models = testModels()
		}
		p, err := NewPlan(in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := describe(p); got != tc.want {
			t.Errorf("%s: plan\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}

// TestMergeAndCursor merges three price streams by converted price, then plans the next page
// from the cursor Merge returned. Rates into EUR: CNY 0.125, USD 0.8.
func TestMergeAndCursor(t *testing.T) {
	d := decimal.RequireFromString
	rates := map[string]decimal.Decimal{"CNY": d("0.125"), "EUR": d("1"), "USD": d("0.8")}
	q, _ := Parse("")
	srt := Sort{Key: SortPrice}
	p, err := NewPlan(Input{Query: q, Sort: srt, Limit: 3, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{
		{"c1", "CNY", 8_000_000},  // 8 CNY   = 1.00 EUR
		{"c2", "CNY", 16_000_000}, // 16 CNY  = 2.00 EUR
		{"e1", "EUR", 1_000_000},  // 1.00 EUR (ties with c1: id order)
		{"e2", "EUR", 1_500_000},  // 1.50 EUR
		{"u1", "USD", 1_250_000},  // 1.25 USD = 1.00 EUR
		{"u2", "USD", 3_000_000},  // 3 USD   = 2.40 EUR
	}
	ids, next := p.Merge(rows)
	if strings.Join(ids, ",") != "c1,e1,u1" || next == "" {
		t.Fatalf("page = %v, next %q; want c1,e1,u1 and a cursor", ids, next)
	}
	c, err := DecodeCursor(next, q, srt)
	if err != nil || c.Value != "1" || c.ID != "u1" {
		t.Fatalf("cursor = %+v, %v; want after (1, u1)", c, err)
	}
	p2, err := NewPlan(Input{Query: q, Sort: srt, After: &c, Limit: 3, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	// After 1.00 EUR, id u1: in CNY micros 1·10^6/0.125 = 8_000_000 exactly, so (8_000_000, u1);
	// in USD 1.25 exactly, so (1_250_000, u1).
	want := "[CNY] key=price desc=false limit=4 after=8000000/u1\n[EUR] key=price desc=false limit=4 after=1000000/u1\n[USD] key=price desc=false limit=4 after=1250000/u1\n"
	if got := describe(p2); got != want {
		t.Errorf("next page plan\n%s\nwant\n%s", got, want)
	}
	if ids, next := p.Merge(rows[:2]); strings.Join(ids, ",") != "c1,c2" || next != "" {
		t.Errorf("short page = %v, %q; want c1,c2 and no cursor", ids, next)
	}
}

// FuzzPlan plans every query the parser accepts, in every order: planning never fails, every
// read's clauses name a stored column and exclude price and currency, and the reads of a
// price sort are one per listing currency (and model).
func FuzzPlan(f *testing.F) {
	for _, s := range []string{"", "vendor=nvidia tpp<4800 price<=2.5 currency=USD", "price=0.000001 bloc=CN", "accelerator in [h20,mystery-npu] bf16_tflops>=1", "price!=3 price>0.5 gpus in [8,16]"} {
		f.Add(s, uint8(0))
	}
	d := decimal.RequireFromString
	rates := map[string]decimal.Decimal{"CNY": d("0.1212517369321414"), "EUR": d("1"), "USD": d("0.8649022660439370")}
	f.Fuzz(func(t *testing.T, q string, sortIdx uint8) {
		query, err := Parse(q)
		if err != nil {
			return
		}
		keys := SortKeys()
		srt := Sort{Key: keys[int(sortIdx)%len(keys)], Desc: sortIdx&0x80 != 0}
		p, err := NewPlan(Input{Query: query, Sort: srt, Limit: 50, Rates: rates, Models: testModels()})
		if err != nil {
			t.Fatalf("NewPlan(%q, %s): %v", q, srt, err)
		}
		for _, r := range p.Reads {
			if r.Limit != 51 || r.Key != srt.Key || r.Desc != srt.Desc {
				t.Fatalf("NewPlan(%q, %s): read %+v", q, srt, r)
			}
			if (srt.Key == SortPrice || srt.Key == SortPerPFLOPHour) && len(r.Currencies) != 1 {
				t.Fatalf("NewPlan(%q, %s): a price stream over %v", q, srt, r.Currencies)
			}
			for _, c := range r.Clauses {
				fd, ok := Lookup(c.Field)
				if !ok || fd.Column == "" || c.Field == "price" {
					t.Fatalf("NewPlan(%q, %s): clause %+v reaches the store", q, srt, c)
				}
			}
		}
		ids, next := p.Merge(nil)
		if len(ids) != 0 || next != "" {
			t.Fatalf("Merge(nil) = %v, %q", ids, next)
		}
	})
}

// FuzzDecodeCursor feeds arbitrary tokens to the cursor decoder: it never panics, and every
// failure is an *Error naming the cursor parameter.
func FuzzDecodeCursor(f *testing.F) {
	q, _ := Parse("bloc=CN currency=USD")
	srt := Sort{Key: SortPrice, Desc: true}
	f.Add(EncodeCursor(NewCursor(q, srt, "2.17", "off_123")))
	f.Add("eyJ2IjoxLCJzIjoicHJpY2UiLCJxIjoiIiwiayI6IiIsImlkIjoieCIsInoiOjF9")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := DecodeCursor(token, q, srt)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Param != "cursor" {
				t.Fatalf("DecodeCursor(%q): bad error %#v", token, err)
			}
			return
		}
		if c.Sort != srt || c.Query != q.Fingerprint() || !IsID(c.ID) {
			t.Fatalf("DecodeCursor(%q) = %+v", token, c)
		}
		if _, err := NewPlan(Input{Query: q, Sort: srt, After: &c, Limit: 10, Rates: map[string]decimal.Decimal{"CNY": decimal.RequireFromString("0.14"), "EUR": decimal.RequireFromString("1.16"), "USD": one}}); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Problems[0].Param != "cursor" {
				t.Fatalf("plan after %+v: %v", c, err)
			}
		}
	})
}
