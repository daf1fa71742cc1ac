package tariff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// supplies generates a deterministic spread of supplies: services and hardware, between CN,
// EU states and others, business and consumer, with and without accelerators and personal
// data.
func supplies(n int) []Supply {
	r := rand.New(rand.NewPCG(1, 2))
	places := []string{"CN", "DE", "FR", "FI", "IE", "LU", "RO", "EE", "SK", "US", "HK", "GB", "HR"}
	hs := []string{"8471.50", "8473.30", "8542.31", "8517.62", "84715000"}
	accs := []Accelerator{{}, h100(), {Model: "ascend-910c", VendorCountry: "CN", TPP: d("12800"), Density: d("18")},
		{Model: "l20", VendorCountry: "US", TPP: d("2000"), Density: d("6.1")}}
	regions := []string{"", "cn-beijing", "cn-shanghai-pudong", "cn-shenzhen", "cn-hangzhou"}
	out := make([]Supply, n)
	for i := range out {
		s := Supply{
			Origin:       places[r.IntN(len(places))],
			Destination:  places[r.IntN(len(places))],
			BuyerType:    []BuyerType{BuyerBusiness, BuyerConsumer}[r.IntN(2)],
			BuyerRegion:  regions[r.IntN(len(regions))],
			PersonalData: r.IntN(2) == 0,
			Accelerator:  accs[r.IntN(len(accs))],
			Quantity:     decimal.NewFromInt(int64(1 + r.IntN(100000))),
			EnergyKWh:    decimal.NewFromInt(int64(r.IntN(500000))),
			NetPrice:     decimal.New(int64(r.IntN(100000000)), -2),
			Currency:     []string{"EUR", "CNY"}[r.IntN(2)],
			Rates:        testRates,
		}
		switch r.IntN(3) {
		case 0:
			s.Product = ProductGPUHours
		case 1:
			s.Product = ProductBareMetal
		default:
			s.Product = ProductHardware
			s.HSCode = hs[r.IntN(len(hs))]
			s.Freight = decimal.New(int64(r.IntN(1000000)), -2)
			s.Insurance = decimal.New(int64(r.IntN(100000)), -2)
		}
		out[i] = s
	}
	return out
}

var propertyDates = []time.Time{day("2023-06-30"), day("2024-08-31"), day("2024-09-01"), day("2025-07-31"), day("2025-08-01"), day("2026-01-01"), day("2026-11-28")}

func withMeasure(t *testing.T, p *Policy, yaml string) *Policy {
	t.Helper()
	s, err := ParseScenario("prop.yaml", []byte("format: corridor.scenario/v1\nid: prop\nbase: baseline\nchanges:\n  - add: "+yaml+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.Apply(p)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func assessAll(t *testing.T, p *Policy, fn func(s Supply, at time.Time, a Assessment)) {
	t.Helper()
	for _, s := range supplies(300) {
		for _, at := range propertyDates {
			a, err := Assess(p, s, at)
			if err != nil {
				t.Fatalf("%+v on %s: %v", s, at, err)
			}
			fn(s, at, a)
		}
	}
}

func TestPropertyZeroRateChangesNothing(t *testing.T) {
	base := baseline(t)
	zero := withMeasure(t, base, `{id: zero, kind: additional_duty, jurisdiction: EU, origin: ["*"], destination: ["*"], rate: "0%", base: value_plus_duties, legal: [x]}`)
	assessAll(t, base, func(s Supply, at time.Time, a Assessment) {
		b, err := Assess(zero, s, at)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Total().Equal(b.Total()) {
			t.Fatalf("zero-rate measure changed the total %s → %s", a.Total(), b.Total())
		}
		var others []Charge
		for _, c := range b.Charges {
			if c.MeasureID != "zero" {
				others = append(others, c)
			}
		}
		if fmt.Sprint(others) != fmt.Sprint(a.Charges) {
			t.Fatalf("zero-rate measure changed the lines:\n%v\n%v", a.Charges, others)
		}
	})
}

func TestPropertyOutsideDatesNeverApplies(t *testing.T) {
	base := baseline(t)
	for _, at := range propertyDates {
		from := at.AddDate(0, 0, 1).Format(dateLayout)
		to := at.AddDate(0, 0, -1).Format(dateLayout)
		p := withMeasure(t, base, fmt.Sprintf(`{id: later, kind: levy, jurisdiction: EU, origin: ["*"], destination: ["*"], rate: "50%%", base: net_price, valid_from: %s, legal: [x]}`, from))
		p = withMeasure(t, p, fmt.Sprintf(`{id: earlier, kind: levy, jurisdiction: EU, origin: ["*"], destination: ["*"], rate: "50%%", base: net_price, valid_to: %s, legal: [x]}`, to))
		for _, s := range supplies(100) {
			a, err := Assess(p, s, at)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range a.Charges {
				if c.MeasureID == "later" || c.MeasureID == "earlier" {
					t.Fatalf("%s applied on %s", c.MeasureID, at.Format(dateLayout))
				}
			}
		}
	}
}

func TestPropertyAdditiveNeverLowersTotal(t *testing.T) {
	base := baseline(t)
	for _, rate := range []string{"7%", "0.01 EUR/gpu_hour", "2% MIN 1 EUR/unit", "0.003 EUR/kwh"} {
		p := withMeasure(t, base, `{id: extra, kind: additional_duty, jurisdiction: EU, origin: ["*"], destination: ["*"], rate: "`+rate+`", base: customs_value, legal: [x]}`)
		assessAll(t, base, func(s Supply, at time.Time, a Assessment) {
			b, err := Assess(p, s, at)
			if err != nil {
				t.Fatal(err)
			}
			if b.Total().LessThan(a.Total()) {
				t.Fatalf("%s lowered the total %s → %s", rate, a.Total(), b.Total())
			}
		})
	}
}

func TestPropertyDeterministic(t *testing.T) {
	p := baseline(t)
	assessAll(t, p, func(s Supply, at time.Time, a Assessment) {
		b, _ := Assess(p, s, at)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("two assessments differ:\n%+v\n%+v", a, b)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	// The scenario library and the first measures of the baseline (the whole 80 kB baseline
	// makes mutation slow without finding more).
	scen, _ := filepath.Glob("../seed/policy/scenarios/*.yaml")
	for _, path := range scen {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	if b, err := os.ReadFile("../seed/policy/baseline.yaml"); err == nil {
		f.Add(b[:min(len(b), 12000)])
	}
	for _, s := range []string{testHeader + mDEVATB2B + mEUITA + mQuotaLevy + mGateA1 + mVoucher, scenarioDoc,
		"format: corridor.policy/v1\nid: x\nmeasures: [{id: a, kind: vat, rate: \"5% MIN\"}]\n", "{", "- [", "a: &a [*a]", "\t"} {
		f.Add([]byte(s))
	}
	supply := service("CN", "DE", BuyerBusiness, "100", "1000")
	base := testPolicy(f, mDEVATB2B+mDEVATB2C+mVoucher+mQuotaLevy+mGateA1)
	f.Add([]byte(scenarioDoc))
	f.Fuzz(func(t *testing.T, data []byte) {
		probs := Validate("fuzz.yaml", data)
		for _, p := range probs {
			if p.Line < 0 || p.Col < 0 || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
		doc, err := ParseDocument("fuzz.yaml", data)
		if (err == nil) != (len(probs) == 0) || err == nil && (doc.Policy == nil) == (doc.Scenario == nil) {
			t.Fatalf("ParseDocument %+v %v disagrees with Validate %v", doc, err, probs)
		}
		if p, err := ParsePolicy("fuzz.yaml", data); err == nil {
			_, _ = Assess(p, supply, day(dateDefault))
		}
		if s, err := ParseScenario("fuzz.yaml", data); err == nil {
			_, _ = s.Apply(&Policy{ID: s.Base})
			if q, err := s.Apply(base); err == nil {
				_, _ = Assess(q, supply, day(dateDefault))
			}
		}
	})
}
