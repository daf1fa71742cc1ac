package tariff

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// perEUR is a fixed rate table: units of currency per EUR (1 EUR = 8 CNY, as in worked
// example A of docs/policy-language.md).
type perEUR map[string]decimal.Decimal

func (r perEUR) Convert(amount decimal.Decimal, from, to string) (decimal.Decimal, error) {
	f, ok1 := r[from]
	t, ok2 := r[to]
	if !ok1 || !ok2 {
		return decimal.Zero, fmt.Errorf("no rate %s/%s", from, to)
	}
	return amount.Div(f).Mul(t), nil
}

var testRates = perEUR{"EUR": decimal.NewFromInt(1), "CNY": decimal.NewFromInt(8), "USD": decimal.RequireFromString("1.25")}

// ledger is an in-memory QuotaLedger.
type ledger map[string]decimal.Decimal

func (l ledger) Remaining(id string, _ time.Time) (decimal.Decimal, error) {
	v, ok := l[id]
	if !ok {
		return decimal.Zero, fmt.Errorf("no quota %s", id)
	}
	return v, nil
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

const testHeader = `format: corridor.policy/v1
id: test
areas:
  EU27: {members: [DE, FR, IE, FI, {country: HR, valid_from: 2013-07-01}, {country: GB, valid_to: 2020-01-31}]}
measures:
`

// testPolicy parses a policy made of the test header and the given measure lines.
func testPolicy(t testing.TB, measures string) *Policy {
	t.Helper()
	p, err := ParsePolicy("test.yaml", []byte(testHeader+measures))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

func baseline(t testing.TB) *Policy {
	t.Helper()
	b, err := os.ReadFile("../seed/policy/baseline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy("baseline.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// service is a GPU-hour supply in EUR.
func service(origin, dest string, buyer BuyerType, hours, net string) Supply {
	return Supply{Product: ProductGPUHours, Origin: origin, Destination: dest, BuyerType: buyer,
		Quantity: d(hours), NetPrice: d(net), Currency: "EUR", Rates: testRates}
}

// hardware is a goods supply in EUR.
func hardware(origin, dest, hs string, units, net string) Supply {
	return Supply{Product: ProductHardware, Origin: origin, Destination: dest, BuyerType: BuyerBusiness, HSCode: hs,
		Quantity: d(units), NetPrice: d(net), Currency: "EUR", Rates: testRates}
}

func h100() Accelerator {
	return Accelerator{Model: "h100-sxm", VendorCountry: "US", TPP: d("15830.4"), Density: d("19.45")}
}

func chargesString(cs []Charge) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s=%s payable=%v quota=%q; ", c.MeasureID, c.Amount, c.Payable, c.Quota)
	}
	return b.String()
}
