package store

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"corridor/marketplace"
)

// twoInstances opens two stores on one database — one SQLite file, or one PostgreSQL schema
// when CORRIDOR_TEST_POSTGRES is set — as two Corridor processes would, each with its own pool.
func twoInstances(t *testing.T) map[string][2]*Store {
	t.Helper()
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "corridor.db")}
	if dsn := os.Getenv("CORRIDOR_TEST_POSTGRES"); dsn != "" {
		dsns["postgres"] = NewTestPostgresSchema(t, dsn)
	}
	out := map[string][2]*Store{}
	for name, dsn := range dsns {
		var pair [2]*Store
		for i := range pair {
			st, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			pair[i] = st
		}
		out[name] = pair
	}
	return out
}

// TestCancelOnTwoInstances: 20 cancellations of one order, split between two instances on one
// database, cancel it once — one changes it, the rest read it back cancelled — and release its
// reservation and its tariff-quota volume once: the quota another order consumed, and that
// order's GPUs, are untouched.
func TestCancelOnTwoInstances(t *testing.T) {
	for name, pair := range twoInstances(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := func() time.Time { return recordClock }
			a := seed(t, pair[0], clock)
			b := marketplace.NewService(pair[1], clock)
			buyer, _, err := a.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Twice Ltd", Country: "DE", Type: "business", VATID: "DE123456789"})
			if err != nil {
				t.Fatal(err)
			}
			start := recordClock.Truncate(24*time.Hour).AddDate(0, 0, 5)
			place := func(gpus int) (marketplace.Order, marketplace.QuotaUse) {
				q, err := a.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: gpus, Hours: 100, Start: start, Currency: "EUR",
					Scenario: "cn-eu-compute-corridor", BuyerID: buyer.ID})
				if err != nil {
					t.Fatal(err)
				}
				if len(q.QuotaUses) != 1 {
					t.Fatalf("quota uses %+v, want one", q.QuotaUses)
				}
				o, _, err := a.AcceptQuote(ctx, q.ID, buyer.ID)
				if err != nil {
					t.Fatal(err)
				}
				return o, q.QuotaUses[0]
			}
			kept, keptUse := place(16)
			doomed, _ := place(8)

			var wg sync.WaitGroup
			var mu sync.Mutex
			changed := 0
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func(svc *marketplace.Service) {
					defer wg.Done()
					o, ch, err := svc.CancelOrder(ctx, buyer.ID, doomed.ID, "duplicate order")
					mu.Lock()
					defer mu.Unlock()
					if err != nil || o.Status != marketplace.OrderCancelled {
						t.Errorf("cancel: %+v %v", o.Status, err)
					}
					if ch {
						changed++
					}
				}([]*marketplace.Service{a, b}[i%2])
			}
			wg.Wait()
			if changed != 1 {
				t.Errorf("%d cancellations changed the order, want exactly 1", changed)
			}
			used, err := pair[1].QuotaConsumed(ctx, []string{keptUse.MeasureID}, keptUse.Period)
			if err != nil {
				t.Fatal(err)
			}
			if got := used[keptUse.MeasureID]; !got.Equal(keptUse.Volume) {
				t.Errorf("quota consumed %s after the cancellations, want the kept order's %s", got, keptUse.Volume)
			}
			free, err := pair[1].GPUsAvailable(ctx, "demo-offer-001", start, start.Add(100*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if free != 256-kept.GPUs {
				t.Errorf("%d GPUs free, want %d (the kept order's reservation only)", free, 256-kept.GPUs)
			}
		})
	}
}

// TestMigration7SupplierNames: suppliers registered under one name before names were unique
// keep their rows; the first (by creation) takes the name's key, so the name stays taken, and
// the unique index refuses another.
func TestMigration7SupplierNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "corridor.db")
	old, err := openAt(ctx, path, 5)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"Kajaani Compute Oy", "kajaani  compute OY", "Other Ltd"} {
		if err := old.db.Exec("INSERT INTO suppliers (id, name, country, demo, created_at) VALUES (?, ?, 'FI', false, ?)",
			[]string{"sup-first", "sup-second", "sup-other"}[i], name, t0.Add(time.Duration(i)*time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows []supplierRow
	if err := st.db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, r := range rows {
		if r.NameKey != nil {
			keys[r.ID] = *r.NameKey
		}
	}
	if keys["sup-first"] != "kajaani compute oy" || keys["sup-other"] != "other ltd" || len(keys) != 2 {
		t.Errorf("name keys after the migration: %v", keys)
	}
	svc := marketplace.NewService(st, time.Now)
	if _, _, err := svc.CreateSupplier(ctx, marketplace.NewSupplier{Name: " KAJAANI Compute oy ", Country: "FI"}); marketplace.ErrorCode(err) != marketplace.CodeConflict {
		t.Errorf("registering a taken name: %v", err)
	}
}

// TestOrdersByDate: with neither supplier nor buyer, the store lists every order created in a
// date range, newest first, with its buyer (what analyses of accepted orders read).
func TestOrdersByDate(t *testing.T) {
	ctx := context.Background()
	clock := recordClock
	st := OpenTest(t)
	svc := seed(t, st, func() time.Time { return clock })
	var ids []string
	for i, vat := range []string{"DE123456789", "DE999999999", "DE111111111"} {
		b, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Buyer " + vat, Country: "DE", Type: "business", VATID: vat})
		if err != nil {
			t.Fatal(err)
		}
		clock = recordClock.Add(time.Duration(i) * 24 * time.Hour)
		q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 1, Hours: 5, Currency: "EUR", BuyerID: b.ID})
		if err != nil {
			t.Fatal(err)
		}
		o, _, err := svc.AcceptQuote(ctx, q.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	got, err := st.Orders(ctx, marketplace.OrderListing{From: recordClock.Add(12 * time.Hour), To: recordClock.Add(72 * time.Hour), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[1] || got[0].Buyer.VATID != "DE111111111" {
		t.Errorf("orders of days 2 and 3: %+v, want %s then %s", got, ids[2], ids[1])
	}
}
