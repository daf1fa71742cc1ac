package pricing

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

var (
	policyOnce sync.Once
	testPolicy *tariff.Policy
	dutyPolicy *tariff.Policy
	policyErr  error
)

// policies parses testdata/policy.yaml and the scenario adding a 10% duty on top of it.
func policies(t testing.TB) (*tariff.Policy, *tariff.Policy) {
	t.Helper()
	policyOnce.Do(func() {
		b, err := os.ReadFile("testdata/policy.yaml")
		if err != nil {
			policyErr = err
			return
		}
		if testPolicy, policyErr = tariff.ParsePolicy("testdata/policy.yaml", b); policyErr != nil {
			return
		}
		testPolicy.Version = 3
		sb, err := os.ReadFile("testdata/scenario-duty10.yaml")
		if err != nil {
			policyErr = err
			return
		}
		sc, err := tariff.ParseScenario("testdata/scenario-duty10.yaml", sb)
		if err != nil {
			policyErr = err
			return
		}
		dutyPolicy, policyErr = sc.Apply(testPolicy)
	})
	if policyErr != nil {
		t.Fatal(policyErr)
	}
	return testPolicy, dutyPolicy
}

// The FX fixture: Friday 27 November 2026, 1 EUR = 8.0000 CNY = 1.0500 USD; quotes are priced
// on Saturday 28 November with Friday's rates.
var (
	friday   = date("2026-11-27")
	saturday = date("2026-11-28")
	now      = time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
)

func testFX() Snapshot {
	s, _ := NewRateTable(rate("CNY", "8.0000", "2026-11-27"), rate("USD", "1.0500", "2026-11-27")).On(saturday)
	return s
}

var h100 = tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", TPP: d("15830.4")}

func cnH100() OfferTerms {
	return OfferTerms{
		ID: "off-cn-h100", Product: tariff.ProductGPUHours, Price: d("15.00"), Currency: "CNY",
		Pricing: PricingOnDemand, MinHours: 1, Capacity: 64, Origin: "CN", Region: "cn-ningxia-zhongwei", Bloc: "CN",
		PUE: d("1.2"), GridKgPerKWh: d("0.6"), Accelerator: h100, BF16TFLOPS: d("989.4"), TDPW: d("700"),
	}
}

func fiH100() OfferTerms {
	return OfferTerms{
		ID: "off-fi-h100", Product: tariff.ProductGPUHours, Price: d("2.12"), Currency: "EUR",
		Pricing: PricingReserved, MinHours: 100, TermMonths: 1, Capacity: 32, Origin: "FI", Region: "eu-fi-kajaani", Bloc: "EU",
		PUE: d("1.1"), GridKgPerKWh: d("0.05"), Accelerator: h100, BF16TFLOPS: d("989.4"), TDPW: d("700"),
	}
}

func cnServer() OfferTerms {
	return OfferTerms{
		ID: "off-cn-server", Product: tariff.ProductHardware, Price: d("245000.00"), Currency: "EUR",
		Capacity: 10, HSCode: "8471.50", Origin: "CN", Region: "cn-guangdong-shenzhen", Bloc: "CN",
		Accelerator: h100, BF16TFLOPS: d("989.4"), TDPW: d("700"),
	}
}

func services(gpus, hours int, country string, bt tariff.BuyerType, cur string) Request {
	return Request{GPUs: gpus, Hours: hours, BuyerCountry: country, BuyerType: bt, Currency: cur, AsOf: saturday}
}

type wantLine struct {
	kind, amount string
	payable      bool
}

// TestWorkedQuotes checks the acceptance cases to the cent. Arithmetic in the comments.
func TestWorkedQuotes(t *testing.T) {
	base, withDuty := policies(t)
	tiered := cnH100()
	tiered.Tiers = []Tier{{MinGPUHours: d("1000"), Discount: d("0.02")}, {MinGPUHours: d("10000"), Discount: d("0.05")}}
	fiOld := services(10, 1000, "FI", tariff.BuyerConsumer, "EUR")
	fiOld.AsOf = date("2024-08-15")
	server := Request{Units: 1, BuyerCountry: "DE", BuyerType: tariff.BuyerBusiness, Currency: "EUR", AsOf: saturday,
		Freight: d("4000.00"), Insurance: d("1000.00")}

	tests := []struct {
		name                  string
		offer                 OfferTerms
		req                   Request
		policy                *tariff.Policy
		lines                 []wantLine
		total, net, perGPUH   string
		perPFLOPH, kwh, co2kg string
	}{
		{
			// 10 GPUs × 1,000 h = 10,000 GPU-hours × CNY 15.00 = CNY 150,000.00 ÷ 8.0000 = EUR 18,750.00.
			// Reverse charge (art. 196): VAT 19% × 18,750.00 = 3,562.50, self-assessed, not payable.
			// Per GPU-hour 18,750 ÷ 10,000 = 1.8750; per PFLOP-hour 18,750 ÷ (10,000 × 0.9894) = 1.8951.
			// Energy 10,000 × 0.7 kW × PUE 1.2 = 8,400 kWh; × 0.6 kg = 5,040 kg CO2e.
			name: "DE business, CN-hosted, reverse charge", offer: cnH100(), policy: base,
			req:   services(10, 1000, "DE", tariff.BuyerBusiness, "EUR"),
			lines: []wantLine{{"base", "18750.00", true}, {"vat", "3562.50", false}},
			total: "18750.00", net: "18750.00", perGPUH: "1.8750", perPFLOPH: "1.8951", kwh: "8400", co2kg: "5040",
		},
		{
			// Art. 58 + OSS: VAT 19% × 18,750.00 = 3,562.50 charged; total 22,312.50 (no recovery).
			// Per PFLOP-hour 22,312.50 ÷ 9,894 = 2.25515…→ 2.2552.
			name: "DE consumer, 19% charged", offer: cnH100(), policy: base,
			req:   services(10, 1000, "DE", tariff.BuyerConsumer, "EUR"),
			lines: []wantLine{{"base", "18750.00", true}, {"vat", "3562.50", true}},
			total: "22312.50", net: "22312.50", perGPUH: "2.2313", perPFLOPH: "2.2552", kwh: "8400", co2kg: "5040",
		},
		{
			// FR 20% × 18,750.00 = 3,750.00; total 22,500.00; 22,500 ÷ 9,894 = 2.27410552… → 2.2741.
			name: "FR consumer, 20%", offer: cnH100(), policy: base,
			req:   services(10, 1000, "FR", tariff.BuyerConsumer, "EUR"),
			lines: []wantLine{{"base", "18750.00", true}, {"vat", "3750.00", true}},
			total: "22500.00", net: "22500.00", perGPUH: "2.2500", perPFLOPH: "2.2741", kwh: "8400", co2kg: "5040",
		},
		{
			// FI 25.5% (from 2024-09-01) × 18,750.00 = 4,781.25; total 23,531.25.
			name: "FI consumer, 25.5%", offer: cnH100(), policy: base,
			req:   services(10, 1000, "FI", tariff.BuyerConsumer, "EUR"),
			lines: []wantLine{{"base", "18750.00", true}, {"vat", "4781.25", true}},
			total: "23531.25", net: "23531.25", perGPUH: "2.3531", perPFLOPH: "2.3783", kwh: "8400", co2kg: "5040",
		},
		{
			// as_of 2024-08-15: the 24% rate was in force: 4,500.00; total 23,250.00.
			name: "FI consumer as of 2024-08-15, 24%", offer: cnH100(), policy: base, req: fiOld,
			lines: []wantLine{{"base", "18750.00", true}, {"vat", "4500.00", true}},
			total: "23250.00", net: "23250.00", perGPUH: "2.3250", perPFLOPH: "2.3499", kwh: "8400", co2kg: "5040",
		},
		{
			// 4 GPUs × 250 h = 1,000 GPU-hours × EUR 2.12 = EUR 2,120.00 × 8.0000 = CNY 16,960.00.
			// CN withholding on the gross payment: 16,960.00 ÷ 1.06 × 6% = 960.00, inside the price
			// (the supplier receives 16,000.00): total 16,960.00; creditable → net cost 16,000.00.
			// Energy 1,000 × 0.7 × 1.1 = 770 kWh × 0.05 = 38.5 kg.
			name: "CN business, EU-hosted, 6% withholding", offer: fiH100(), policy: base,
			req:   services(4, 250, "CN", tariff.BuyerBusiness, "CNY"),
			lines: []wantLine{{"base", "16960.00", true}, {"withholding", "960.00", false}},
			total: "16960.00", net: "16000.00", perGPUH: "16.0000", perPFLOPH: "16.1714", kwh: "770", co2kg: "38.5",
		},
		{
			// Customs value 245,000.00 + freight 4,000.00 + insurance 1,000.00 = 250,000.00.
			// Duty 0% (ITA, HS 8471) = 0.00. Import VAT 19% × (250,000.00 + 0.00) = 47,500.00,
			// payable at import and deductible: total 297,500.00, net cost 250,000.00.
			name: "GPU server into DE", offer: cnServer(), policy: base, req: server,
			lines: []wantLine{{"base", "245000.00", true}, {"fee", "4000.00", true}, {"fee", "1000.00", true},
				{"customs_duty", "0.00", true}, {"vat", "47500.00", true}},
			total: "297500.00", net: "250000.00", perGPUH: "0", perPFLOPH: "0", kwh: "0", co2kg: "0",
		},
		{
			// Scenario: + 10% additional duty × 250,000.00 = 25,000.00; VAT 19% × 275,000.00 =
			// 52,250.00; import charges 77,250.00 (+29,750.00 vs baseline); total 250,000.00 +
			// 77,250.00 = 327,250.00; net cost (VAT recovered) 275,000.00.
			name: "GPU server into DE, extra 10% duty", offer: cnServer(), policy: withDuty, req: server,
			lines: []wantLine{{"base", "245000.00", true}, {"fee", "4000.00", true}, {"fee", "1000.00", true},
				{"customs_duty", "0.00", true}, {"additional_duty", "25000.00", true}, {"vat", "52250.00", true}},
			total: "327250.00", net: "275000.00", perGPUH: "0", perPFLOPH: "0", kwh: "0", co2kg: "0",
		},
		{
			// 10 × 1,111 h = 11,110 GPU-hours × CNY 15.00 = CNY 166,650.00 ÷ 8 = EUR 20,831.25.
			// Tier ≥ 10,000 GPU-hours: 5% → −1,041.5625 → −1,041.56; net 19,789.69.
			// VAT 19% × 19,789.69 = 3,760.0411 → 3,760.04; total 23,549.73.
			name: "DE consumer, volume tier, rounding", offer: tiered, policy: base,
			req:   services(10, 1111, "DE", tariff.BuyerConsumer, "EUR"),
			lines: []wantLine{{"base", "20831.25", true}, {"discount", "-1041.56", true}, {"vat", "3760.04", true}},
			total: "23549.73", net: "23549.73", perGPUH: "2.1197", perPFLOPH: "2.1424", kwh: "9332.4", co2kg: "5599.44",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Price(Inputs{Offer: tt.offer, Request: tt.req, Policy: tt.policy, FX: testFX(), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if len(q.Lines) != len(tt.lines) {
				t.Fatalf("lines:\n%s", dumpLines(q))
			}
			for i, w := range tt.lines {
				l := q.Lines[i]
				if l.Kind != w.kind || !l.Amount.Equal(d(w.amount)) || l.Payable != w.payable || l.Currency != tt.req.Currency {
					t.Errorf("line %d = %s %s payable=%v, want %s %s payable=%v\n%s", i, l.Kind, l.Amount, l.Payable, w.kind, w.amount, w.payable, dumpLines(q))
				}
			}
			for _, c := range []struct{ name, got, want string }{
				{"total", q.Total.StringFixed(2), tt.total},
				{"net_cost", q.NetCost.StringFixed(2), tt.net},
				{"per_gpu_hour", q.PerGPUHour.String(), d(tt.perGPUH).String()},
				{"per_pflop_hour", q.PerPFLOPHour.String(), d(tt.perPFLOPH).String()},
				{"energy_kwh", q.EnergyKWh.String(), tt.kwh},
				{"emissions", q.EmissionsKgCO2e.String(), tt.co2kg},
			} {
				if c.got != c.want {
					t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
				}
			}
			checkInvariants(t, q)
			if q.Policy.ID != tt.policy.ID || q.Policy.Hash != tt.policy.Hash || q.Policy.Hash == "" {
				t.Errorf("policy ref = %+v", q.Policy)
			}
			if !q.ValidUntil.Equal(now.Add(24 * time.Hour)) {
				t.Errorf("valid_until = %s", q.ValidUntil)
			}
		})
	}
}

// checkInvariants asserts what holds for every quote.
func checkInvariants(t *testing.T, q Quote) {
	t.Helper()
	sum, sub := decimal.Zero, decimal.Zero
	for _, l := range q.Lines {
		if !l.Amount.Equal(Round(l.Amount, q.Currency, q.Rounding)) {
			t.Errorf("line %s %s is not rounded to minor units", l.Kind, l.Amount)
		}
		if l.Payable {
			sum = sum.Add(l.Amount)
		}
		if l.Kind == "base" || l.Kind == "discount" {
			sub = sub.Add(l.Amount)
		}
	}
	if !sum.Equal(q.Total) {
		t.Errorf("total %s != sum of payable lines %s", q.Total, sum)
	}
	if !sub.Equal(q.Subtotal) {
		t.Errorf("subtotal %s != base + discount %s", q.Subtotal, sub)
	}
	if q.NetCost.GreaterThan(q.Total) {
		t.Errorf("net cost %s above total %s", q.NetCost, q.Total)
	}
	b := breakdown(&q)
	if got := b.Price.Add(b.DutiesLevies).Add(b.Taxes).Add(b.Subsidies); !got.Equal(q.LandedCost) {
		t.Errorf("breakdown %+v sums to %s, landed %s", b, got, q.LandedCost)
	}
}

func dumpLines(q Quote) string {
	var b strings.Builder
	for _, l := range q.Lines {
		b.WriteString("  " + l.Kind + " " + l.Amount.String() + " payable=" + map[bool]string{true: "y", false: "n"}[l.Payable] + " " + l.Label + " | " + l.Basis + "\n")
	}
	return b.String()
}

func TestQuoteRecordsFXAndFlags(t *testing.T) {
	base, _ := policies(t)
	q, err := Price(Inputs{Offer: cnH100(), Request: services(10, 1000, "DE", tariff.BuyerBusiness, "EUR"), Policy: base, FX: testFX(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.FX) != 1 {
		t.Fatalf("fx = %+v", q.FX)
	}
	u := q.FX[0]
	if u.From != "CNY" || u.To != "EUR" || !u.Rate.Equal(d("0.125")) || !u.Date.Equal(friday) || u.Source != SourceECB {
		t.Errorf("fx use = %+v", u)
	}
	if !q.AsOf.Equal(saturday) {
		t.Errorf("as_of = %s", q.AsOf)
	}
	found := false
	for _, f := range q.Flags {
		if f.MeasureID == "cn-hosted-advanced-accelerator" {
			found = true
		}
	}
	if !found {
		t.Errorf("the export-control gate's flag is missing: %+v", q.Flags)
	}
	vat := q.Lines[1]
	if vat.MeasureID != "de-vat-ess-b2b" || vat.Rate != "19%" || vat.Basis != "EUR 18,750.00 net price" || len(vat.LegalRef) == 0 || !vat.Recoverable {
		t.Errorf("vat line = %+v", vat)
	}
	if b := q.Lines[0]; b.Basis != "10000 GPU-hours" || b.Rate != "CNY 15.00 per GPU-hour" {
		t.Errorf("base line basis %q, rate %q", b.Basis, b.Rate)
	}
	if q.Policy.Version != 3 {
		t.Errorf("policy version = %d", q.Policy.Version)
	}

	// A stale rate warns.
	stale, _ := NewRateTable(rate("CNY", "8", "2026-11-20")).On(saturday)
	q, err = Price(Inputs{Offer: cnH100(), Request: services(10, 1000, "DE", tariff.BuyerBusiness, "EUR"), FX: stale, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Flags) != 1 || q.Flags[0].Code != "fx.stale" {
		t.Errorf("stale flags = %+v", q.Flags)
	}
}

func TestNoQuote(t *testing.T) {
	base, _ := policies(t)
	block, err := tariff.ParsePolicy("block.yaml", []byte(`format: corridor.policy/v1
id: block
title: blocks CN-bound advanced accelerators
measures:
  - id: us-3a090-cn
    kind: gate
    jurisdiction: US
    direction: export
    origin: ["*"]
    destination: [CN]
    tpp_min: "4800"
    action: block
    message: "3A090.a accelerators may not serve China-bound buyers without a licence"
    legal: ["15 CFR 744.23"]
`))
	if err != nil {
		t.Fatal(err)
	}
	window := cnH100()
	window.AvailableFrom, window.AvailableUntil = date("2026-12-01"), date("2026-12-31")
	late := services(1, 100, "DE", tariff.BuyerBusiness, "EUR")
	late.Start = date("2026-12-30")
	tests := []struct {
		name   string
		offer  OfferTerms
		req    Request
		policy *tariff.Policy
		reason string
		field  string
	}{
		{"below min hours", fiH100(), services(1, 10, "DE", tariff.BuyerBusiness, "EUR"), base, ReasonBelowMinHours, "hours"},
		{"capacity", cnH100(), services(65, 10, "DE", tariff.BuyerBusiness, "EUR"), base, ReasonNotEnoughCapacity, "gpus"},
		{"unknown currency", cnH100(), services(1, 10, "DE", tariff.BuyerBusiness, "XYZ"), base, ReasonUnknownCurrency, "currency"},
		{"no fx rate", cnH100(), services(1, 10, "DE", tariff.BuyerBusiness, "GBP"), base, ReasonNoFXRate, "currency"},
		{"outside window", window, late, base, ReasonHoursOutOfWindow, "hours"},
		{"blocked", fiH100(), services(4, 250, "CN", tariff.BuyerBusiness, "CNY"), block, ReasonBlockedByGate, ""},
		{"zero gpus", cnH100(), services(0, 10, "DE", tariff.BuyerBusiness, "EUR"), base, ReasonInvalidRequest, "gpus"},
		{"bad buyer", cnH100(), services(1, 10, "DE", "robot", "EUR"), base, ReasonInvalidRequest, "buyer.type"},
		{"bad country", cnH100(), services(1, 10, "Germany", tariff.BuyerBusiness, "EUR"), base, ReasonInvalidRequest, "buyer.country"},
		{"no units", cnServer(), Request{BuyerCountry: "DE", BuyerType: tariff.BuyerBusiness, Currency: "EUR"}, base, ReasonInvalidRequest, "units"},
	}
	for _, tt := range tests {
		_, err := Price(Inputs{Offer: tt.offer, Request: tt.req, Policy: tt.policy, FX: testFX(), Now: now})
		var nq *NoQuoteError
		if !errors.As(err, &nq) || nq.Reason != tt.reason || nq.Field != tt.field || nq.Message == "" {
			t.Errorf("%s: err = %v (%+v), want reason %s field %q", tt.name, err, nq, tt.reason, tt.field)
		}
	}
}

// canonical renders a quote as JSON (maps sorted by key): equal strings mean identical quotes.
func canonical(t testing.TB, q Quote) string {
	t.Helper()
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// randomInputs draws a request over the fixture offers, buyers and currencies.
func randomInputs(r *rand.Rand, policy *tariff.Policy) Inputs {
	offers := []OfferTerms{cnH100(), fiH100(), cnServer()}
	o := offers[r.IntN(len(offers))]
	if r.IntN(2) == 0 {
		o.Tiers = []Tier{{MinGPUHours: d("500"), Discount: decimal.New(r.Int64N(200), -3)}}
	}
	o.Price = decimal.New(1+r.Int64N(5_000_000), -int32(r.IntN(5)))
	countries := []string{"DE", "FR", "FI", "CN", "IT"}
	types := []tariff.BuyerType{tariff.BuyerBusiness, tariff.BuyerConsumer}
	curs := []string{"EUR", "CNY", "USD"}
	modes := []RoundingMode{HalfUp, HalfEven}
	req := Request{
		GPUs: 1 + r.IntN(32), Hours: 100 + r.IntN(2000), Units: 1 + r.IntN(10),
		BuyerCountry: countries[r.IntN(len(countries))], BuyerType: types[r.IntN(2)],
		Currency: curs[r.IntN(len(curs))], AsOf: saturday,
		Freight: decimal.New(r.Int64N(1_000_000), -2),
	}
	return Inputs{Offer: o, Request: req, Policy: policy, FX: testFX(), Rounding: modes[r.IntN(2)], Now: now}
}

// TestQuoteProperties: totals are sums of rounded payable lines; pricing is deterministic
// and re-pricing a quote's stored inputs gives the identical quote.
func TestQuoteProperties(t *testing.T) {
	base, withDuty := policies(t)
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 500; i++ {
		pol := []*tariff.Policy{nil, base, withDuty}[r.IntN(3)]
		in := randomInputs(r, pol)
		q, err := Price(in)
		if err != nil {
			var nq *NoQuoteError
			if errors.As(err, &nq) {
				continue
			}
			t.Fatalf("%+v: %v", in.Request, err)
		}
		checkInvariants(t, q)
		again, err := Price(in)
		if err != nil || canonical(t, again) != canonical(t, q) {
			t.Fatalf("pricing the same inputs twice differs: %v", err)
		}
		re, err := Price(q.Inputs(pol))
		if err != nil || canonical(t, re) != canonical(t, q) {
			t.Fatalf("re-pricing the stored inputs differs: %v\n%s\n%s", err, canonical(t, re), canonical(t, q))
		}
	}
}

// TestZeroRatePolicyChangesNothing: a policy whose measures all charge 0% gives the same total
// and net cost as no policy at all.
func TestZeroRatePolicyChangesNothing(t *testing.T) {
	b, err := os.ReadFile("testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for _, r := range []string{`"19%"`, `"20%"`, `"24%"`, `"25.5%"`, `"6%"`} {
		src = strings.ReplaceAll(src, r, `"0%"`)
	}
	zero, err := tariff.ParsePolicy("zero.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 5))
	for i := 0; i < 300; i++ {
		in := randomInputs(r, zero)
		withZero, err1 := Price(in)
		in.Policy = nil
		without, err2 := Price(in)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
		if err1 != nil {
			continue
		}
		if !withZero.Total.Equal(without.Total) || !withZero.NetCost.Equal(without.NetCost) || !withZero.Subtotal.Equal(without.Subtotal) {
			t.Fatalf("zero-rate policy changed the quote: %s/%s vs %s/%s", withZero.Total, withZero.NetCost, without.Total, without.NetCost)
		}
	}
}

func TestRoundingModeRecorded(t *testing.T) {
	// CNY 100.04 ÷ 8 = EUR 12.505: half-up 12.51, half-even 12.50.
	o := cnH100()
	o.Price = d("100.04")
	for mode, want := range map[RoundingMode]string{HalfUp: "12.51", HalfEven: "12.50", "": "12.51"} {
		q, err := Price(Inputs{Offer: o, Request: services(1, 1, "DE", tariff.BuyerBusiness, "EUR"), FX: testFX(), Rounding: mode, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if !q.Total.Equal(d(want)) {
			t.Errorf("%q: total %s, want %s", mode, q.Total, want)
		}
	}
	if _, err := Price(Inputs{Offer: o, Request: services(1, 1, "DE", tariff.BuyerBusiness, "EUR"), FX: testFX(), Rounding: "down", Now: now}); err == nil {
		t.Error("unknown rounding mode: want error")
	}
}

// TestRepriceAfterJSONRoundTrip: a quote stored as JSON (decimals as strings, which drops
// trailing zeros) and read back re-prices to the identical quote.
func TestRepriceAfterJSONRoundTrip(t *testing.T) {
	base, withDuty := policies(t)
	r := rand.New(rand.NewPCG(21, 8))
	for i := 0; i < 200; i++ {
		pol := []*tariff.Policy{nil, base, withDuty}[r.IntN(3)]
		q, err := Price(randomInputs(r, pol))
		if err != nil {
			continue
		}
		var stored Quote
		if err := json.Unmarshal([]byte(canonical(t, q)), &stored); err != nil {
			t.Fatal(err)
		}
		re, err := Price(stored.Inputs(pol))
		if err != nil || canonical(t, re) != canonical(t, q) {
			t.Fatalf("re-pricing the stored quote differs: %v\n%s\n%s", err, canonical(t, re), canonical(t, q))
		}
	}
}

func TestPriceRateIgnoresRepresentation(t *testing.T) {
	for in, want := range map[string]string{
		"15": "CNY 15.00 per GPU-hour", "15.00": "CNY 15.00 per GPU-hour", "15.000": "CNY 15.00 per GPU-hour",
		"2.125": "CNY 2.125 per GPU-hour", "2.1250": "CNY 2.125 per GPU-hour", "2297.12": "CNY 2,297.12 per GPU-hour",
		"2297.120": "CNY 2,297.12 per GPU-hour", "1234.5678": "CNY 1,234.5678 per GPU-hour", "0.005": "CNY 0.005 per GPU-hour",
	} {
		if got := priceRate(d(in), "CNY", "GPU-hour"); got != want {
			t.Errorf("priceRate(%s) = %q, want %q", in, got, want)
		}
	}
}
