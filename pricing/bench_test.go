package pricing

import (
	"os"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// The benchmarks price without I/O. Each reports cpu-ns/op next to wall time (see README.md).

// BenchmarkQuoteCrossBorder prices CN-hosted H100 GPU-hours for a German business in EUR
// (CNY→EUR conversion, the policy's gate and reverse-charge VAT, a volume tier, rounding,
// totals, energy) with testdata/policy.yaml. quotes/s = 1e9 / ns/op.
func BenchmarkQuoteCrossBorder(b *testing.B) {
	base, _ := policies(b)
	benchQuote(b, base)
}

// BenchmarkQuoteCrossBorderBaseline is BenchmarkQuoteCrossBorder with the seed's baseline
// policy (about 115 measures) instead of the small test policy.
func BenchmarkQuoteCrossBorderBaseline(b *testing.B) {
	benchQuote(b, baselinePolicy(b))
}

// BenchmarkTariffAssessOnly measures the tariff engine's share of BenchmarkQuoteCrossBorder:
// the same supply assessed alone (pricing's own work is the difference).
func BenchmarkTariffAssessOnly(b *testing.B) {
	base, _ := policies(b)
	benchAssess(b, base)
}

// BenchmarkTariffAssessOnlyBaseline is the tariff engine's share of
// BenchmarkQuoteCrossBorderBaseline.
func BenchmarkTariffAssessOnlyBaseline(b *testing.B) {
	benchAssess(b, baselinePolicy(b))
}

// BenchmarkCompare10000 ranks 10,000 offers (both blocs, CNY and EUR prices at 97 price
// points, some tiers) for a French consumer, on all cores (GOMAXPROCS).
func BenchmarkCompare10000(b *testing.B) {
	base, _ := policies(b)
	benchCompare(b, base, manyOffers(10000))
}

// BenchmarkCompare10000Distinct is the worst case for Compare: every offer has its own price,
// so no two supplies share a tariff assessment.
func BenchmarkCompare10000Distinct(b *testing.B) {
	base, _ := policies(b)
	offers := manyOffers(10000)
	for i := range offers {
		offers[i].Price = offers[i].Price.Add(decimal.New(int64(i), -6))
	}
	benchCompare(b, base, offers)
}

// BenchmarkCompare10000Baseline is BenchmarkCompare10000 with the seed's baseline policy.
func BenchmarkCompare10000Baseline(b *testing.B) {
	benchCompare(b, baselinePolicy(b), manyOffers(10000))
}

func benchQuote(b *testing.B, policy *tariff.Policy) {
	offer := cnH100()
	offer.Tiers = []Tier{{MinGPUHours: d("1000"), Discount: d("0.03")}}
	in := Inputs{Offer: offer, Request: services(8, 720, "DE", tariff.BuyerBusiness, "EUR"), Policy: policy, FX: testFX(), Now: now}
	if _, err := Price(in); err != nil {
		b.Fatal(err)
	}
	measure(b, func() {
		if _, err := Price(in); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

func benchAssess(b *testing.B, policy *tariff.Policy) {
	s := tariff.Supply{Product: tariff.ProductGPUHours, Origin: "CN", Destination: "DE", Region: "cn-ningxia-zhongwei",
		BuyerType: tariff.BuyerBusiness, Accelerator: h100, Quantity: d("5760"), EnergyKWh: d("4838.4"),
		NetPrice: d("10476.00"), Currency: "EUR", Rates: testFX()}
	measure(b, func() {
		if _, err := tariff.Assess(policy, s, saturday); err != nil {
			b.Fatal(err)
		}
	})
}

func benchCompare(b *testing.B, policy *tariff.Policy, offers []OfferTerms) {
	need := Need{GPUs: 8, Hours: 500, BuyerCountry: "FR", BuyerType: tariff.BuyerConsumer, Currency: "EUR", AsOf: saturday}
	fx := testFX()
	measure(b, func() {
		if got := Compare(need, offers, Inputs{Policy: policy, FX: fx, Now: now}); len(got) != len(offers) {
			b.Fatalf("ranked %d of %d", len(got), len(offers))
		}
	})
}

// measure runs op b.N times, reporting allocations and the process CPU time per operation
// ("cpu-ns/op"): with -cpu=1 it is what one core spends per operation, garbage collection
// included, whatever else the machine runs.
func measure(b *testing.B, op func()) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		op()
	}
	if cpu := processCPU() - cpu0; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// baselinePolicy reads the seed's baseline policy document from the repository (a data file,
// not an import: pricing never imports seed); the benchmarks using it skip when it is absent.
func baselinePolicy(b *testing.B) *tariff.Policy {
	data, err := os.ReadFile("../seed/policy/baseline.yaml")
	if err != nil {
		b.Skip("no ../seed/policy/baseline.yaml:", err)
	}
	p, err := tariff.ParsePolicy("baseline.yaml", data)
	if err != nil {
		b.Fatal(err)
	}
	return p
}
