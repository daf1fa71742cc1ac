package pricing

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"corridor/tariff"
)

func TestCompare(t *testing.T) {
	base, _ := policies(t)
	cheapCN := cnH100()
	cheapCN.ID, cheapCN.Price = "off-cn-cheap", d("12.00")
	tooSmall := cnH100()
	tooSmall.ID, tooSmall.Capacity = "off-cn-small", 2
	longMin := fiH100()
	longMin.ID, longMin.MinHours = "off-fi-long", 5000
	a100 := cnH100()
	a100.ID, a100.Accelerator.Model, a100.BF16TFLOPS = "off-cn-a100", "a100-sxm", d("312")
	offers := []OfferTerms{fiH100(), cnH100(), cheapCN, tooSmall, longMin, a100, cnServer()}

	need := Need{Accelerator: "h100-sxm", GPUs: 4, Hours: 250, BuyerCountry: "DE", BuyerType: tariff.BuyerConsumer, Currency: "EUR"}
	got := Compare(on(need, saturday), offers, Inputs{Policy: base, FX: testFX(), Now: now})
	// 1,000 GPU-hours, DE consumer, 19% VAT:
	//   off-cn-cheap: CNY 12,000 ÷ 8 = 1,500.00 + 285.00 = 1,785.00
	//   off-cn-h100:  CNY 15,000 ÷ 8 = 1,875.00 + 356.25 = 2,231.25
	//   off-fi-h100:  EUR 2,120.00 + 402.80 = 2,522.80
	//   off-fi-long:  below its 5,000 minimum hours → listed last with the reason
	// off-cn-small (capacity 2), the A100 and the server do not match.
	want := []struct{ id, landed, reason string }{
		{"off-cn-cheap", "1785.00", ""},
		{"off-cn-h100", "2231.25", ""},
		{"off-fi-h100", "2522.80", ""},
		{"off-fi-long", "0", ReasonBelowMinHours},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d ranked, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.OfferID != w.id || !g.LandedCost.Equal(d(w.landed)) || g.NoQuoteReason != w.reason {
			t.Errorf("rank %d = %s %s %q, want %s %s %q", i, g.OfferID, g.LandedCost, g.NoQuoteReason, w.id, w.landed, w.reason)
		}
	}
	b := got[0].Breakdown
	if !b.Price.Equal(d("1500.00")) || !b.Taxes.Equal(d("285.00")) || !b.DutiesLevies.IsZero() {
		t.Errorf("breakdown = %+v", b)
	}
	if !got[0].PerGPUHour.Equal(d("1.785")) || got[0].PerPFLOPHour.IsZero() {
		t.Errorf("unit prices = %s, %s", got[0].PerGPUHour, got[0].PerPFLOPHour)
	}

	// A business ranks by net cost (reverse charge: VAT not in it); filters by bloc and by TFLOPS.
	need.BuyerType, need.Bloc, need.Accelerator, need.MinBF16TFLOPS = tariff.BuyerBusiness, "EU", "", d("900")
	got = Compare(on(need, saturday), offers, Inputs{Policy: base, FX: testFX(), Now: now})
	if len(got) != 2 || got[0].OfferID != "off-fi-h100" || !got[0].LandedCost.Equal(d("2120.00")) {
		t.Fatalf("EU business: %s", rankedIDs(got))
	}
	need.Bloc, need.Regions = "", []string{"cn-ningxia-zhongwei"}
	need.MinBF16TFLOPS = d("0")
	got = Compare(on(need, saturday), offers, Inputs{Policy: base, FX: testFX(), Now: now})
	// off-cn-a100 and off-cn-h100 tie at EUR 1,875.00: ties go by offer id.
	if ids := rankedIDs(got); ids != "off-cn-cheap off-cn-a100 off-cn-h100" {
		t.Fatalf("region filter: %s", ids)
	}
}

// TestCompareSameOnAnyCores: the ranking does not depend on parallelism.
func TestCompareSameOnAnyCores(t *testing.T) {
	base, _ := policies(t)
	offers := manyOffers(2000)
	need := Need{GPUs: 8, Hours: 500, BuyerCountry: "FR", BuyerType: tariff.BuyerConsumer, Currency: "EUR"}
	parallel := Compare(on(need, saturday), offers, Inputs{Policy: base, FX: testFX(), Now: now})
	prev := runtime.GOMAXPROCS(1)
	serial := Compare(on(need, saturday), offers, Inputs{Policy: base, FX: testFX(), Now: now})
	runtime.GOMAXPROCS(prev)
	if len(parallel) != len(serial) {
		t.Fatalf("%d vs %d", len(parallel), len(serial))
	}
	for i := range serial {
		if serial[i].OfferID != parallel[i].OfferID || !serial[i].LandedCost.Equal(parallel[i].LandedCost) {
			t.Fatalf("rank %d differs: %s vs %s", i, serial[i].OfferID, parallel[i].OfferID)
		}
		if i > 0 && serial[i].NoQuoteReason == "" && serial[i].LandedCost.LessThan(serial[i-1].LandedCost) {
			t.Fatalf("not sorted at %d", i)
		}
	}
}

func rankedIDs(rs []Ranked) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += " "
		}
		s += r.OfferID
	}
	return s
}

// manyOffers makes n GPU-hour offers across both blocs, currencies and prices.
func manyOffers(n int) []OfferTerms {
	out := make([]OfferTerms, n)
	for i := range out {
		var o OfferTerms
		if i%2 == 0 {
			o = cnH100()
		} else {
			o = fiH100()
			o.MinHours = 1
		}
		o.ID = fmt.Sprintf("off-%05d", i)
		o.Price = o.Price.Add(d(fmt.Sprintf("0.%02d", i%97)))
		if i%5 == 0 {
			o.Tiers = []Tier{{MinGPUHours: d("1000"), Discount: d("0.03")}}
		}
		out[i] = o
	}
	return out
}

// TestCompareMemoMatchesPrice: a comparison's quotes (assessments shared between identical
// supplies) are identical to pricing each offer alone, FX uses of specific duties included.
func TestCompareMemoMatchesPrice(t *testing.T) {
	pol, err := tariff.ParsePolicy("levy.yaml", []byte(`format: corridor.policy/v1
id: levy
title: a specific levy in EUR on CN-hosted compute
measures:
  - id: cn-compute-levy
    kind: levy
    jurisdiction: CN
    direction: export
    origin: [CN]
    destination: ["*"]
    products: [gpu_hours]
    rate: "1% + 0.02 EUR/gpu_hour"
    base: net_price
    legal: ["hypothetical"]
`))
	if err != nil {
		t.Fatal(err)
	}
	offers := manyOffers(400)
	need := Need{GPUs: 2, Hours: 300, BuyerCountry: "CN", BuyerType: tariff.BuyerConsumer, Currency: "CNY"}
	got := Compare(on(need, saturday), offers, Inputs{Policy: pol, Baseline: PolicyRef{Version: 1}, FX: testFX(), Now: now})
	if len(got) != len(offers) {
		t.Fatalf("ranked %d", len(got))
	}
	byID := map[string]OfferTerms{}
	for _, o := range offers {
		byID[o.ID] = o
	}
	levies := 0
	for _, r := range got {
		q, err := Price(Inputs{Offer: byID[r.OfferID], Request: r.Quote.Request, Policy: pol, Baseline: PolicyRef{Version: 1}, FX: testFX(), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if canonical(t, q) != canonical(t, *r.Quote) {
			t.Fatalf("%s: compare and price differ:\n%s\n%s", r.OfferID, canonical(t, *r.Quote), canonical(t, q))
		}
		for _, l := range q.Lines {
			if l.Kind == "levy" {
				levies++
				if len(q.FX) == 0 {
					t.Fatalf("%s: the levy's EUR→CNY conversion is not recorded", r.OfferID)
				}
			}
		}
	}
	if levies != 200 {
		t.Errorf("levies on %d quotes, want the 200 CN-hosted", levies)
	}
}

// on is need priced as of the date asOf.
func on(need Need, asOf time.Time) Need {
	need.AsOf = asOf
	return need
}
