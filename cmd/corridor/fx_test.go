package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
)

// seedOnly seeds a database the way `corridor serve` does on first start, without serving.
func seedOnly(ctx context.Context, db string) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	return seedStore(ctx, marketplace.NewService(st, time.Now), "demo", slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestFXImportThenQuoteASaturday imports real ECB files and prices a Saturday: the quote must
// use Friday's published rate, from the ECB. The history file's rows (2025-04-14 … 2025-05-09)
// are already in the embedded snapshot with the same source, so importing them adds nothing; a
// daily file of a day the snapshot lacks (2018-09-12) is stored once, and importing it again adds
// nothing.
func TestFXImportThenQuoteASaturday(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corridor.db")
	hist := filepath.Join("..", "..", "pricing", "testdata", "eurofxref-hist.csv")
	ctx := context.Background()
	env := func(string) string { return "" }

	// Seed the database once (reference data, demo market, policies) without serving.
	if err := seedOnly(ctx, db); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"fx", "import", "--db", db, hist}, env, &out, &out); err != nil {
		t.Fatalf("fx import: %v", err)
	}
	if !strings.HasPrefix(out.String(), "imported 0 new rates (510 read, 2025-04-14 to 2025-05-09)") {
		t.Fatalf("the seeded snapshot already holds these ECB rows; the import must add nothing: %s", out.String())
	}
	daily := filepath.Join("..", "..", "pricing", "testdata", "eurofxref-daily.xml")
	for i, want := range []string{"imported 32 new rates", "imported 0 new rates"} {
		out.Reset()
		if err := run(ctx, []string{"fx", "import", "--db", db, daily}, env, &out, &out); err != nil || !strings.HasPrefix(out.String(), want) {
			t.Fatalf("daily import %d: want %q: %v %s", i+1, want, err, out.String())
		}
	}

	out.Reset()
	args := []string{"quote", "--db", db, "--offer", "demo-offer-001", "--gpus", "8", "--hours", "100",
		"--buyer-country", "DE", "--buyer-type", "business", "--vat-id", "DE123456789", "--currency", "EUR", "--as-of", "2025-05-03", "--json"}
	if err := run(ctx, args, env, &out, &out); err != nil {
		t.Fatalf("quote: %v\n%s", err, out.String())
	}
	var q struct {
		AsOf  string `json:"as_of"`
		Total string `json:"total"`
		FX    []struct{ From, To, Rate, Date, Source string }
	}
	if err := json.Unmarshal(out.Bytes(), &q); err != nil {
		t.Fatalf("quote --json: %v\n%s", err, out.String())
	}
	// ECB Friday 2025-05-02: 1 EUR = 8.2479 CNY, so CNY 12,640.00 → EUR 1,532.5113… → 1,532.51,
	// and a German business pays no VAT to the supplier (reverse charge).
	if q.Total != "1532.51" {
		t.Errorf("total = %s, want 1532.51", q.Total)
	}
	if q.AsOf != "2025-05-03" || len(q.FX) != 1 || q.FX[0].Date != "2025-05-02" || !strings.Contains(q.FX[0].Source, "ECB") {
		t.Fatalf("a Saturday must use Friday's ECB rate; got as_of %s fx %+v", q.AsOf, q.FX)
	}
}
