package store

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// TestUpgradeFillsFloorPrices: migration 11 gives the offers of a database at version 10 their
// floor prices, a page at a time (pages of 2 here): the price without tiers, the price less
// the largest tier discount with them.
func TestUpgradeFillsFloorPrices(t *testing.T) {
	ctx := context.Background()
	path := copyRelease1(t)
	old, err := openAt(ctx, path, 10)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	offer := func(id, price string, tiers ...marketplace.Tier) marketplace.Offer {
		return marketplace.Offer{ID: id, SupplierID: "demo-sup-01", Region: "eu-fi-kajaani", Accelerator: "h100-sxm", Product: "gpu_hours",
			GPUs: 8, Price: d(price), Currency: "EUR", Pricing: "on_demand", MinHours: 1, Tiers: tiers,
			AvailableFrom: from, AvailableUntil: from.AddDate(1, 0, 0), Status: marketplace.OfferActive, Version: 1}
	}
	want := map[string]int64{
		"off-flat":  2500000, // 2.50, no tiers
		"off-tier":  2200000, // 2.50 × (1 − 0.12) = 2.2: the largest of 5% and 12%
		"off-odd":   1339999, // 1.999999 × (1 − 0.33) = 1.33999933, truncated to micro-units
		"off-minus": 3000000, // 3 with a surcharge tier (−10%): pricing applies no negative discount
	}
	rows, err := offerRows(old.db, []marketplace.Offer{
		offer("off-flat", "2.50"),
		offer("off-tier", "2.50", marketplace.Tier{MinGPUHours: d("100"), Discount: d("0.05")}, marketplace.Tier{MinGPUHours: d("1000"), Discount: d("0.12")}),
		offer("off-odd", "1.999999", marketplace.Tier{MinGPUHours: d("10"), Discount: d("0.33")}),
		offer("off-minus", "3", marketplace.Tier{MinGPUHours: d("10"), Discount: d("-0.10")}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.db.Omit("FloorMicros").Create(&rows).Error; err != nil { // the column of migration 11
		t.Fatal(err)
	}
	old.Close()
	defer func(n int) { backfillPageSize = n }(backfillPageSize)
	backfillPageSize = 2
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for id, w := range want {
		var got int64
		if err := st.db.Raw("SELECT floor_micros FROM offers WHERE id = ?", id).Scan(&got).Error; err != nil || got != w {
			t.Errorf("offer %s: floor_micros %d (%v), want %d", id, got, err, w)
		}
		if r := toOfferRow(offerByID(t, st, id)); r.FloorMicros != w {
			t.Errorf("offer %s written again: floor_micros %d, want %d", id, r.FloorMicros, w)
		}
	}
}

func offerByID(t *testing.T, st *Store, id string) marketplace.Offer {
	t.Helper()
	rows, err := st.offerRowsByID(context.Background(), []string{id})
	if err != nil || len(rows) != 1 {
		t.Fatalf("offer %s: %d rows, %v", id, len(rows), err)
	}
	o, err := rows[0].domain()
	if err != nil {
		t.Fatal(err)
	}
	return o
}
