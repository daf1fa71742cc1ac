package seed

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestSyntheticMarket checks what the benchmarks rely on: every seeded region and accelerator
// and the three listing currencies appear, offers are valid listings of existing suppliers,
// and the same arguments give the same market.
func TestSyntheticMarket(t *testing.T) {
	from := time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC)
	sups, offers, err := SyntheticMarket(5000, 7, from)
	if err != nil {
		t.Fatal(err)
	}
	regions, _ := Regions()
	accels, _ := Accelerators()
	supplier := map[string]bool{}
	for _, s := range sups {
		if !s.Demo || supplier[s.ID] {
			t.Errorf("supplier %+v: want unique ids, marked demo", s)
		}
		supplier[s.ID] = true
	}
	seenRegion, seenAccel, seenCur, ids := map[string]bool{}, map[string]bool{}, map[string]int{}, map[string]bool{}
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range offers {
		seenRegion[o.Region], seenAccel[o.Accelerator] = true, true
		seenCur[o.Currency]++
		switch {
		case ids[o.ID]:
			t.Fatalf("duplicate id %s", o.ID)
		case !supplier[o.SupplierID]:
			t.Fatalf("%s: unknown supplier %s", o.ID, o.SupplierID)
		case !o.Price.IsPositive() || !o.Price.Equal(o.Price.Round(2)):
			t.Fatalf("%s: price %s is not a positive amount in cents", o.ID, o.Price)
		case o.AvailableFrom.Before(day) || o.AvailableFrom.After(day.AddDate(0, 0, 60)) || !o.AvailableUntil.After(o.AvailableFrom.AddDate(0, 0, 720/24)):
			t.Fatalf("%s: window %s – %s", o.ID, o.AvailableFrom, o.AvailableUntil)
		case o.MinHours > 720 || o.GPUs < 1 || !o.Demo || o.Status != "active":
			t.Fatalf("%s: %+v", o.ID, o)
		case (o.Pricing == "reserved") != (o.TermMonths > 0):
			t.Fatalf("%s: %s with term %d", o.ID, o.Pricing, o.TermMonths)
		}
		ids[o.ID] = true
	}
	if len(seenRegion) != len(regions) || len(seenAccel) != len(accels) {
		t.Errorf("%d of %d regions and %d of %d accelerators used", len(seenRegion), len(regions), len(seenAccel), len(accels))
	}
	if len(seenCur) != 3 || seenCur["CNY"] < 500 || seenCur["EUR"] < 500 || seenCur["USD"] < 500 {
		t.Errorf("listing currencies %v", seenCur)
	}
	_, again, _ := SyntheticMarket(5000, 7, from)
	for i := range offers {
		if again[i].ID != offers[i].ID || !again[i].Price.Equal(offers[i].Price) || again[i].Region != offers[i].Region || again[i].Note != offers[i].Note {
			t.Fatalf("offer %d differs between two runs with the same seed", i)
		}
	}
	// An H100 SXM (989.4 TFLOPS) costs 0.30 + 2 × 0.9894 = 2.2788 EUR ± 25 %: 1.71–2.85 EUR,
	// 14.01–23.36 CNY, 1.98–3.31 USD.
	lo := map[string]decimal.Decimal{"EUR": decimal.RequireFromString("1.70"), "CNY": decimal.RequireFromString("14.01"), "USD": decimal.RequireFromString("1.98")}
	hi := map[string]decimal.Decimal{"EUR": decimal.RequireFromString("2.85"), "CNY": decimal.RequireFromString("23.37"), "USD": decimal.RequireFromString("3.31")}
	for _, o := range offers {
		if o.Accelerator == "h100-sxm" && (o.Price.LessThan(lo[o.Currency]) || o.Price.GreaterThan(hi[o.Currency])) {
			t.Errorf("%s: h100-sxm at %s %s", o.ID, o.Price, o.Currency)
		}
	}
}
