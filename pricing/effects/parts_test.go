package effects

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestWedgeParts: a wedge several jurisdictions collect. CN, value 100, wedge 19% → 29%, of
// which DE collects 19% → 19% and EU 0% → 10%; the model (Em = −1, Es = 0, Ex = ∞) creates
// −1 × 100 × 0.10/1.19 = −8.4033…, value after 91.5966…. Revenue: DE 19 → 0.19 × 91.5966… =
// 17.4033…; EU 0 → 9.1596…; together 19 → 26.5630…, what the whole wedge collected by one
// collector gives (0.29 × 91.5966…). Rounded to cents: DE 17.40, EU 9.16, the source's
// revenue after their sum 26.56.
func TestWedgeParts(t *testing.T) {
	in := Input{ImportDemand: Parameter{Elasticity: Finite(d("-1"))}, Substitution: Parameter{Elasticity: Finite(decimal.Zero)},
		ExportSupply: Parameter{Elasticity: Infinite}, Currency: "EUR",
		Flows: []Flow{{Source: "CN", Value: d("100"), WedgeBefore: d("0.19"), WedgeAfter: d("0.29"),
			Parts: []WedgePart{{Collector: "DE", Before: d("0.19"), After: d("0.19")}, {Collector: "EU", Before: d("0"), After: d("0.10")}}}}}
	r := mustCompute(t, in)
	whole := in
	whole.Flows = []Flow{{Source: "CN", Value: d("100"), WedgeBefore: d("0.19"), WedgeAfter: d("0.29"), Collector: "XX"}}
	w := mustCompute(t, whole)
	s := r.Sources[0]
	if !s.RevenueAfter.Equal(w.Sources[0].RevenueAfter) || !s.WelfareChange.Equal(w.Sources[0].WelfareChange) {
		t.Errorf("parts give revenue %s, welfare %s; the whole wedge %s, %s", s.RevenueAfter, s.WelfareChange, w.Sources[0].RevenueAfter, w.Sources[0].WelfareChange)
	}
	eq(t, "DE after", s.Revenue[0].RevenueAfter, "17.4033613445378151260504201680672268907563", 30)
	eq(t, "EU after", s.Revenue[1].RevenueAfter, "9.15966386554621848739495798319327731092437", 30)
	if len(r.Revenue) != 2 || r.Revenue[0].Collector != "DE" || r.Revenue[1].Collector != "EU" {
		t.Fatalf("revenue by collector %+v, want DE and EU", r.Revenue)
	}
	rr := r.Rounded(centRounding)
	rs := rr.Sources[0]
	if rs.Revenue[0].RevenueAfter.String() != "17.4" || rs.Revenue[1].RevenueAfter.String() != "9.16" || rs.RevenueAfter.String() != "26.56" ||
		!rr.Revenue[1].RevenueChange.Equal(d("9.16")) || !rr.Total.RevenueChange.Equal(d("7.56")) {
		t.Errorf("rounded: %+v, total change %s; want DE 17.40, EU 9.16, after 26.56, change 7.56", rs.Revenue, rr.Total.RevenueChange)
	}
	if !rs.WelfareChange.Equal(rs.ConsumerSurplusChange.Add(rs.RevenueChange)) {
		t.Errorf("rounded welfare %s is not consumer surplus %s + revenue %s", rs.WelfareChange, rs.ConsumerSurplusChange, rs.RevenueChange)
	}

	bad := in
	bad.Flows = []Flow{{Source: "CN", Value: d("100"), Collector: "DE", Parts: []WedgePart{{Collector: "DE"}, {Collector: "DE"}, {Collector: NoCollector, After: d("11")}}}}
	err := bad.Validate()
	ie, ok := err.(*InputError)
	if !ok {
		t.Fatalf("validate: %v", err)
	}
	want := map[string]bool{"flows[0].collector": true, "flows[0].parts[1].collector": true, "flows[0].parts[2].collector": true, "flows[0].parts[2].after": true}
	for _, f := range ie.Fields {
		delete(want, f.Field)
	}
	if len(want) != 0 {
		t.Errorf("problems %+v miss %v", ie.Fields, want)
	}
}
