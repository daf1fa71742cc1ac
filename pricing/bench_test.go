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

// BenchmarkDecimalFloor is the decimal arithmetic of BenchmarkQuoteCrossBorder's quote done
// directly with shopspring/decimal, without the engines: the CNY→EUR rate, the base line, the
// 3% tier discount, the net price, the reverse-charged VAT, the totals, the unit prices, the
// energy and the emissions. It is the floor the quote benchmarks are measured against
// (quote ÷ floor); the values are checked against Price's before timing.
func BenchmarkDecimalFloor(b *testing.B) {
	base, _ := policies(b)
	offer := cnH100()
	offer.Tiers = []Tier{{MinGPUHours: d("1000"), Discount: d("0.03")}}
	q, err := Price(Inputs{Offer: offer, Request: services(8, 720, "DE", tariff.BuyerBusiness, "EUR"), Policy: base, FX: testFX(), Now: now})
	if err != nil {
		b.Fatal(err)
	}
	cnyPerEUR, vatRate, disc := d("8.0000"), d("0.19"), offer.Tiers[0].Discount
	hours := decimal.NewFromInt(8 * 720)
	var total, perGPUHour, perPFLOPHour, kwh, co2, vat decimal.Decimal
	floor := func() {
		rate := decimal.NewFromInt(1).DivRound(cnyPerEUR, 10)
		gross := offer.Price.Mul(hours).Mul(rate)
		baseLine := gross.Round(2)
		discount := gross.Mul(disc).Neg().Round(2)
		net := baseLine.Add(discount)
		vat = net.Mul(vatRate).Round(2) // reverse-charged: shown, not paid
		total = net
		perGPUHour = total.DivRound(hours, 4)
		perPFLOPHour = total.DivRound(hours.Mul(offer.BF16TFLOPS).Shift(-3), 4)
		energy := hours.Mul(offer.TDPW).Mul(offer.PUE).Shift(-3)
		kwh = energy.Round(3)
		co2 = energy.Mul(offer.GridKgPerKWh).Round(3)
	}
	floor()
	for _, c := range []struct {
		name      string
		got, want decimal.Decimal
	}{{"total", total, q.Total}, {"per GPU-hour", perGPUHour, q.PerGPUHour}, {"per PFLOP-hour", perPFLOPHour, q.PerPFLOPHour},
		{"kWh", kwh, q.EnergyKWh}, {"kg CO2e", co2, q.EmissionsKgCO2e}, {"VAT", vat, q.Lines[len(q.Lines)-1].Amount}} {
		if !c.got.Equal(c.want) {
			b.Fatalf("%s: floor %s, Price %s", c.name, c.got, c.want)
		}
	}
	measure(b, floor)
}
