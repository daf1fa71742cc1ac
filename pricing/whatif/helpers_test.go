package whatif

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// The FX fixture: Friday 27 November 2026, 1 EUR = 8.0000 CNY = 1.0500 USD; studies are priced
// on Saturday 28 November with Friday's rates.
var saturday = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func testFX() pricing.Snapshot {
	friday := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	s, _ := pricing.NewRateTable(
		pricing.Rate{Currency: "CNY", PerEUR: d("8.0000"), Date: friday, Source: pricing.SourceECB},
		pricing.Rate{Currency: "USD", PerEUR: d("1.0500"), Date: friday, Source: pricing.SourceECB},
	).On(saturday)
	return s
}

// testPolicy parses testdata/policy.yaml.
func testPolicy(t testing.TB) *tariff.Policy {
	t.Helper()
	b, err := os.ReadFile("testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tariff.ParsePolicy("testdata/policy.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	p.Version = 4
	return p
}

// baseline is the study's baseline scenario over base.
func baseline(base *tariff.Policy) Scenario {
	return Scenario{ID: "baseline", Title: "Baseline", Policy: base,
		Ref: Ref{PolicyID: base.ID, PolicyVersion: base.Version, Hash: base.Hash}}
}

// scenario applies testdata/<file> to base.
func scenario(t testing.TB, base *tariff.Policy, file string) Scenario {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := tariff.ParseScenario(file, b)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	return Scenario{ID: sc.ID, Title: sc.Title, Policy: p, FXShocks: sc.FXShocks,
		Ref: Ref{PolicyID: base.ID, PolicyVersion: base.Version, ScenarioID: sc.ID, ScenarioVersion: 1, Hash: p.Hash}}
}

var h100 = tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", TPP: d("15830.4")}

// cnH100 is H100 capacity in Zhongwei (Ningxia) at CNY 15.00 per GPU-hour.
func cnH100() pricing.OfferTerms {
	return pricing.OfferTerms{ID: "off-cn-zw-h100", Product: tariff.ProductGPUHours, Price: d("15.00"), Currency: "CNY",
		Pricing: pricing.PricingOnDemand, Origin: "CN", Region: "cn-ningxia-zhongwei", Bloc: "CN", Accelerator: h100,
		BF16TFLOPS: d("989.4"), TDPW: d("700"), PUE: d("1.2"), GridKgPerKWh: d("0.6")}
}

// fiH100 is H100 capacity in Kajaani (Finland) at price EUR per GPU-hour.
func fiH100(price string) pricing.OfferTerms {
	return pricing.OfferTerms{ID: "off-fi-kaj-h100", Product: tariff.ProductGPUHours, Price: d(price), Currency: "EUR",
		Pricing: pricing.PricingOnDemand, Origin: "FI", Region: "eu-fi-kajaani", Bloc: "EU", Accelerator: h100,
		BF16TFLOPS: d("989.4"), TDPW: d("700"), PUE: d("1.1"), GridKgPerKWh: d("0.08")}
}

// flow is offer bought by a buyer (country, type, registration region) for gpus × hours.
func flow(need string, offer pricing.OfferTerms, gpus, hours int, country string, bt tariff.BuyerType, buyerRegion string) Flow {
	return Flow{ID: offer.ID, Need: need, Offer: offer,
		Request: pricing.Request{GPUs: gpus, Hours: hours, BuyerCountry: country, BuyerType: bt, BuyerRegion: buyerRegion}}
}

func evaluate(t testing.TB, s *Study, opt Options) *Result {
	t.Helper()
	r, err := Evaluate(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// table returns the named table of r as CSV text.
func table(t testing.TB, r *Result, name string) string {
	t.Helper()
	for _, tb := range r.Tables() {
		if tb.Name == name {
			var b bytes.Buffer
			if err := WriteCSV(&b, tb); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
	}
	t.Fatalf("no table %s", name)
	return ""
}

// checkTable compares a table's CSV with want (leading tabs and blank lines of the literal
// ignored).
func checkTable(t *testing.T, r *Result, name, want string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(want, "\n") {
		if l = strings.TrimLeft(l, "\t"); l != "" {
			lines = append(lines, l)
		}
	}
	if got, w := table(t, r, name), strings.Join(lines, "\n")+"\n"; got != w {
		t.Errorf("table %s:\n got:\n%s\nwant:\n%s", name, got, w)
	}
}
