package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"corridor/marketplace"
	seeddata "corridor/seed"
)

// openDemoBench is a store over a fresh SQLite file with the reference data and the demo
// market, and the ids of 50 active offers.
func openDemoBench(b *testing.B) (*Store, []string) {
	b.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := marketplace.NewService(st, time.Now)
	data, _, err := seeddata.Load(true)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Seed(ctx, data); err != nil {
		b.Fatal(err)
	}
	cands, err := st.CompareCandidates(ctx, marketplace.OfferContextFilter{})
	if err != nil || len(cands) < 50 {
		b.Fatalf("%v (%d offers)", err, len(cands))
	}
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = cands[i].ID
	}
	return st, ids
}

// BenchmarkOfferContext is the quote path's read of an offer with its region, accelerator
// and supplier.
//
//	go test -run='^$' -bench='OfferContext$|OfferViews' ./marketplace/store/
func BenchmarkOfferContext(b *testing.B) {
	st, ids := openDemoBench(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.OfferContext(ctx, ids[7]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOfferViews is a search page's read of 50 offers by id.
func BenchmarkOfferViews(b *testing.B) {
	st, ids := openDemoBench(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if m, err := st.OfferViews(ctx, ids); err != nil || len(m) != 50 {
			b.Fatalf("%v (%d)", err, len(m))
		}
	}
}
