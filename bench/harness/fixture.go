package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/seed"
)

// loadMarket fills the database at dsn: the seed's reference data and policies (what
// `corridor serve --seed reference` would load) and a synthetic market of n offers, inserted
// through the store in batches — the HTTP API would measure the API, not prepare a market.
func loadMarket(ctx context.Context, dsn string, n int, rngSeed uint64, today time.Time) (market, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return market{}, err
	}
	defer st.Close()
	svc := marketplace.NewService(st, time.Now)
	data, docs, err := seed.Load(false)
	if err != nil {
		return market{}, err
	}
	if _, err := svc.Seed(ctx, data); err != nil {
		return market{}, fmt.Errorf("seed reference data: %w", err)
	}
	if _, err := svc.SeedPolicies(ctx, docs); err != nil {
		return market{}, fmt.Errorf("seed policies: %w", err)
	}
	suppliers, offers, err := seed.SyntheticMarket(n, rngSeed, today)
	if err != nil {
		return market{}, err
	}
	if _, err := st.PutSuppliers(ctx, suppliers); err != nil {
		return market{}, fmt.Errorf("put suppliers: %w", err)
	}
	const batch = 5000
	for i := 0; i < len(offers); i += batch {
		if _, err := st.PutOffers(ctx, offers[i:min(i+batch, len(offers))]); err != nil {
			return market{}, fmt.Errorf("put offers %d–%d: %w", i+1, min(i+batch, len(offers)), err)
		}
	}
	// The load generator keeps only the offers its mixes ask for: it shares the machine with
	// the server, and the whole market in its heap (~60 MB at 100k offers) made each of its
	// collections mark it, several times a second, while it measured.
	return market{offers: quoteOffers(offers), today: today}, nil
}

// benchTB lets the harness use store.NewTestPostgresSchema outside a test: a failure stops
// the harness with its message, and cleanups run when the size is done.
type benchTB struct{ cleanups []func() }

func (*benchTB) Helper() {}

// TempDir is the system's temporary directory (the schema helper needs no files of its own).
func (*benchTB) TempDir() string { return os.TempDir() }

func (*benchTB) Fatalf(format string, args ...any) { panic(fmt.Errorf(format, args...)) }

func (t *benchTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func (t *benchTB) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// freshPostgres creates a schema of its own in the database at dsn and returns a DSN that
// selects it, and a function that drops it.
func freshPostgres(dsn string) (schemaDSN string, drop func(), err error) {
	tb := &benchTB{}
	defer func() {
		if r := recover(); r != nil {
			tb.done()
			err = fmt.Errorf("create a PostgreSQL schema: %v", r)
		}
	}()
	return store.NewTestPostgresSchema(tb, dsn), tb.done, nil
}
