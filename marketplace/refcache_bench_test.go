package marketplace_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing"
	"corridor/seed"
)

// BenchmarkReferenceData measures what a quote spends on reference data — the FX snapshot of
// its date and the policy in force — on a seeded SQLite file:
//
//   - cached: through the Service, with the cache warm (one read of the change counters each);
//   - uncached: the reads every quote made before the cache, kept here for comparison: the
//     latest FX day, the rates of the fortnight before it, the rate table built from them, and
//     the baseline version in force (activations, then the version's columns).
//
// And resolve: Service.Resolve of a whole quote request (offer, availability, quotas besides).
// CORRIDOR_BENCH_POSTGRES (a postgres:// URL) runs it on PostgreSQL instead.
//
//	go test ./marketplace -run '^$' -bench ReferenceData -benchmem
func BenchmarkReferenceData(b *testing.B) {
	ctx := context.Background()
	var st *store.Store
	if dsn := os.Getenv("CORRIDOR_BENCH_POSTGRES"); dsn != "" {
		st = store.OpenTestPostgres(b, dsn)
	} else {
		var err error
		if st, err = store.Open(ctx, filepath.Join(b.TempDir(), "corridor.db")); err != nil {
			b.Fatal(err)
		}
		defer st.Close()
	}
	now := func() time.Time { return benchClockRef }
	svc := marketplace.NewService(st, now)
	if _, err := seed.Into(ctx, svc, true); err != nil {
		b.Fatal(err)
	}
	day := benchClockRef.Truncate(24 * time.Hour)

	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := svc.FXOn(ctx, day); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.ResolvePolicy(ctx, "", benchClockRef); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			latest, _, err := st.LatestFXDay(ctx, day)
			if err != nil {
				b.Fatal(err)
			}
			rates, err := st.FXRatesBetween(ctx, latest.Add(-14*24*time.Hour), day)
			if err != nil {
				b.Fatal(err)
			}
			sort.SliceStable(rates, func(i, j int) bool {
				return rates[i].Source != pricing.SourceECB && rates[j].Source == pricing.SourceECB
			})
			pricing.NewRateTable(rates...).On(day)
			bv, err := st.PolicyVersionInForce(ctx, marketplace.BaselinePolicyID, benchClockRef)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.PolicyOf(ctx, pricing.PolicyRef{ID: bv.PolicyID, Version: bv.Version, Hash: bv.Hash}, pricing.PolicyRef{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resolve", func(b *testing.B) {
		b.ReportAllocs()
		req := marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 8, Hours: 100,
			Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}, Currency: "EUR"}
		for b.Loop() {
			if _, err := svc.Resolve(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchClockRef is Saturday 2026-11-28 noon: FX lookups fall back to Friday's seeded rates.
var benchClockRef = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
