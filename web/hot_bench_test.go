//go:build unix

package web

import (
	"net/url"
	"testing"
)

// BenchmarkHotPaths is the three endpoints the bench harness measures most, through the whole
// server over the demo market plus 1,000 synthetic offers (CORRIDOR_BENCH_OFFERS overrides the
// size): a typical search, a free-text search, the market page and a persisted quote.
//
//	go test -run='^$' -bench=HotPaths -benchtime=200x ./web/
func BenchmarkHotPaths(b *testing.B) {
	app := benchMarketApp(b, 1000)
	q := func(s string) string {
		return "/api/v1/offers?" + url.Values{"q": {s}, "sort": {"price"}, "limit": {"50"}}.Encode()
	}
	b.Run("search_all", func(b *testing.B) { benchOn(b, app, "GET", q(""), "", 200) })
	b.Run("search_typical", func(b *testing.B) { benchOn(b, app, "GET", q("bloc=EU pricing=reserved"), "", 200) })
	b.Run("search_text", func(b *testing.B) { benchOn(b, app, "GET", q(`text~"liquid"`), "", 200) })
	b.Run("market_page", func(b *testing.B) { benchOn(b, app, "GET", "/", "", 200) })
	b.Run("quote", func(b *testing.B) { benchOn(b, app, "POST", "/api/v1/quotes", benchQuoteBody, 201) })
}
