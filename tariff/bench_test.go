package tariff

import (
	"os"
	"testing"
	"time"
)

// BenchmarkAssess prices 10,000 H100 GPU-hours hosted in China for a German business buyer
// against the whole baseline policy (115 measures): the hot path of every quote. After the
// first iteration the matching phase comes from the policy's memo (see compiled.go), as it
// does for every quote of a supply shape seen before; BenchmarkAssessCold measures the other
// case.
func BenchmarkAssess(b *testing.B) {
	p := baseline(b)
	s := service("CN", "DE", BuyerBusiness, "10000", "18750")
	s.Accelerator = h100()
	at := day(dateDefault)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := Assess(p, s, at); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// BenchmarkAssessCold is BenchmarkAssess for supplies never seen before: every iteration
// matches all 115 measures (a new date each time, so the memo never has the answer).
func BenchmarkAssessCold(b *testing.B) {
	p := baseline(b)
	s := service("CN", "DE", BuyerBusiness, "10000", "18750")
	s.Accelerator = h100()
	at := day(dateDefault)
	b.ReportAllocs()
	cpu0 := processCPU()
	i := 0
	for b.Loop() {
		i++
		if _, err := Assess(p, s, at.AddDate(0, 0, i)); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// BenchmarkParseBaseline decodes and validates the baseline policy document.
func BenchmarkParseBaseline(b *testing.B) {
	data, err := os.ReadFile("../seed/policy/baseline.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := ParsePolicy("baseline.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}

// reportCPU reports the process CPU time per operation ("cpu-ns/op"), garbage collection
// included: on a shared machine wall time mostly measures the neighbours.
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkWithMeasureField derives the baseline with one rate changed (a what-if step):
// one measure re-decoded and checked, its conflicts re-checked, the policy compiled.
func BenchmarkWithMeasureField(b *testing.B) {
	p := baseline(b)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := p.WithMeasureField("vat-de-b2c", "rate", "21%"); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, processCPU()-cpu0)
}
