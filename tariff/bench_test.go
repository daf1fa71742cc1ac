package tariff

import (
	"os"
	"testing"
)

// BenchmarkAssess prices 10,000 H100 GPU-hours hosted in China for a German business buyer
// against the whole baseline policy (115 measures): the hot path of every quote.
func BenchmarkAssess(b *testing.B) {
	p := baseline(b)
	s := service("CN", "DE", BuyerBusiness, "10000", "18750")
	s.Accelerator = h100()
	at := day(dateDefault)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Assess(p, s, at); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseBaseline decodes and validates the baseline policy document.
func BenchmarkParseBaseline(b *testing.B) {
	data, err := os.ReadFile("../seed/policy/baseline.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePolicy("baseline.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
