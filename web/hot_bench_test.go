//go:build unix

package web

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"testing"

	"corridor/seed"
)

// BenchmarkHotPaths is the three endpoints the bench harness measures most, through the whole
// server over the demo market plus 1,000 synthetic offers (CORRIDOR_BENCH_OFFERS overrides the
// size): a typical search, a free-text search, the market page and a persisted quote.
//
//	go test -run='^$' -bench=HotPaths -benchtime=200x ./web/
func BenchmarkHotPaths(b *testing.B) {
	n := 1000
	if s := os.Getenv("CORRIDOR_BENCH_OFFERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CORRIDOR_BENCH_OFFERS=%q is not a positive number", s)
		}
	}
	app, _, st := seededApp(b)
	ctx := context.Background()
	sups, offers, err := seed.SyntheticMarket(n, 42, testClock)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.PutSuppliers(ctx, sups); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(offers); i += 5000 {
		if _, err := st.PutOffers(ctx, offers[i:min(i+5000, len(offers))]); err != nil {
			b.Fatal(err)
		}
	}
	q := func(s string) string {
		return "/api/v1/offers?" + url.Values{"q": {s}, "sort": {"price"}, "limit": {"50"}}.Encode()
	}
	b.Run("search_all", func(b *testing.B) { benchOn(b, app, "GET", q(""), "", 200) })
	b.Run("search_typical", func(b *testing.B) { benchOn(b, app, "GET", q("bloc=EU pricing=reserved"), "", 200) })
	b.Run("search_text", func(b *testing.B) { benchOn(b, app, "GET", q(`text~"liquid"`), "", 200) })
	b.Run("market_page", func(b *testing.B) { benchOn(b, app, "GET", "/", "", 200) })
	b.Run("quote", func(b *testing.B) { benchOn(b, app, "POST", "/api/v1/quotes", benchQuoteBody, 201) })
}
