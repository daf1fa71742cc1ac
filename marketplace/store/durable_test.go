package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/pricing"
)

// acceptFixture stores one offer of 100,000 GPUs (searchFixture's reference data) and returns
// a function that stores a fresh one-GPU quote on it, valid for an hour.
func acceptFixture(tb testing.TB, st *Store) func() string {
	tb.Helper()
	searchFixture(tb, st, 1, 1)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	offer := marketplace.Offer{ID: "off-durable", SupplierID: "sup-a", Region: "cn-ningxia-zhongwei", Accelerator: "h100-sxm",
		Product: "gpu_hours", GPUs: 100000, Price: decimal.RequireFromString("2.50"), Currency: "USD", Pricing: "on_demand",
		AvailableFrom: today, AvailableUntil: today.AddDate(0, 6, 0), Status: marketplace.OfferActive, Version: 1}
	if _, err := st.PutOffers(ctx, []marketplace.Offer{offer}); err != nil {
		tb.Fatal(err)
	}
	n := 0
	return func() string {
		n++
		now := time.Now().UTC()
		q := marketplace.Quote{ID: fmt.Sprintf("q_durable_%d", n), OfferID: offer.ID, GPUs: 1, Start: today.AddDate(0, 0, 1),
			End: today.AddDate(0, 0, 2), Currency: "EUR", Total: decimal.RequireFromString("60.00"), CreatedAt: now,
			ValidUntil: now.Add(time.Hour), Inputs: pricing.Inputs{Now: now}, Priced: pricing.Quote{Total: decimal.RequireFromString("60.00"), ValidUntil: now.Add(time.Hour)}}
		if err := st.PutQuote(ctx, q); err != nil {
			tb.Fatal(err)
		}
		return q.ID
	}
}

// TestAcceptQuoteSyncsToDisk checks that the transaction creating an order runs with
// synchronous=FULL on SQLite (its commit is on disk before the 201), and that the pool's other
// transactions keep synchronous=NORMAL.
func TestAcceptQuoteSyncsToDisk(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "corridor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	newQuote := acceptFixture(t, st)
	var seen []int
	// Inside the transaction, on its connection, read the setting the order's insert runs under.
	err = st.db.Callback().Create().After("gorm:create").Register("test:synchronous", func(db *gorm.DB) {
		if db.Statement.Table == "orders" {
			var v int
			db.Session(&gorm.Session{NewDB: true}).Raw("PRAGMA synchronous").Scan(&v)
			seen = append(seen, v)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, created, err := st.AcceptQuote(ctx, marketplace.Acceptance{QuoteID: newQuote(), OrderID: marketplace.NewID("ord"), BuyerID: "buy_durable", Now: time.Now().UTC()}); err != nil || !created {
			t.Fatalf("accept: %v %v", created, err)
		}
	}
	// PRAGMA synchronous: 1 is NORMAL, 2 is FULL.
	if len(seen) != 3 || seen[0] != 2 || seen[1] != 2 || seen[2] != 2 {
		t.Fatalf("orders were inserted under synchronous = %v, want FULL (2) each time", seen)
	}
	for i := 0; i < 8; i++ { // every pooled connection is back to NORMAL
		var v int
		if err := st.db.Raw("PRAGMA synchronous").Scan(&v).Error; err != nil || v != 1 {
			t.Fatalf("a pooled connection kept synchronous = %d (%v)", v, err)
		}
	}
}

// BenchmarkAcceptQuote measures accepting a quote on SQLite with the order's commit synced to
// disk (synchronous=FULL, what Corridor does) against the pool's synchronous=NORMAL, in the
// same run:
//
//	go test ./marketplace/store -run '^$' -bench AcceptQuote -benchtime 300x -count 3
func BenchmarkAcceptQuote(b *testing.B) {
	for _, full := range []bool{false, true} {
		name := "synchronous=NORMAL"
		if full {
			name = "synchronous=FULL"
		}
		b.Run(name, func(b *testing.B) {
			fullSyncOrders = full
			defer func() { fullSyncOrders = true }()
			st, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			newQuote := acceptFixture(b, st)
			ids := make([]string, b.N)
			for i := range ids {
				ids[i] = newQuote()
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := st.AcceptQuote(ctx, marketplace.Acceptance{QuoteID: ids[i], OrderID: marketplace.NewID("ord"), BuyerID: "buy_durable", Now: time.Now().UTC()}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
