//go:build unix

package web

import (
	"fmt"
	"net/url"
	"testing"
)

// BenchmarkHotPaths is the endpoints the bench harness measures most, through the whole server
// over the demo market plus 1,000 synthetic offers (CORRIDOR_BENCH_OFFERS overrides the size):
// searches, the market page, a comparison and a persisted quote. The plain cases ask the same
// request again and again, as the harness's typical mixes do, so after the first they are
// answered by the response cache (respcache.go); the *_new cases make every request one the
// cache has not seen (a price cap no offer reaches, or one more hour), which is what an answer
// costs to compute.
//
//	go test -run='^$' -bench=HotPaths -benchtime=200x ./web/
func BenchmarkHotPaths(b *testing.B) {
	app := benchMarketApp(b, 1000)
	q := func(s string) string {
		return "/api/v1/offers?" + url.Values{"q": {s}, "sort": {"price"}, "limit": {"50"}}.Encode()
	}
	newCap := func(i int) string { return fmt.Sprintf(" price<=%d.%03d", 1000+i/1000, i%1000) } // distinct, reached by no offer
	compare := func(hours int) string {
		return fmt.Sprintf(`{"accelerator":"h100-sxm","gpus":8,"hours":%d,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","limit":20}`, hours)
	}
	b.Run("search_all", func(b *testing.B) { benchOn(b, app, "GET", q(""), "", 200) })
	b.Run("search_typical", func(b *testing.B) { benchOn(b, app, "GET", q("bloc=EU pricing=reserved"), "", 200) })
	b.Run("search_text", func(b *testing.B) { benchOn(b, app, "GET", q(`text~"liquid"`), "", 200) })
	b.Run("search_typical_new", func(b *testing.B) {
		benchEach(b, app, "GET", func(i int) (string, string) { return q("bloc=EU pricing=reserved" + newCap(i)), "" }, 200)
	})
	b.Run("search_text_new", func(b *testing.B) {
		benchEach(b, app, "GET", func(i int) (string, string) { return q(`text~"liquid"` + newCap(i)), "" }, 200)
	})
	b.Run("market_page", func(b *testing.B) { benchOn(b, app, "GET", "/", "", 200) })
	b.Run("market_page_new", func(b *testing.B) {
		benchEach(b, app, "GET", func(i int) (string, string) { return "/?price_max=" + url.QueryEscape(newCap(i)[8:]), "" }, 200)
	})
	b.Run("compare", func(b *testing.B) { benchOn(b, app, "POST", "/api/v1/compare", compare(100), 200) })
	b.Run("compare_new", func(b *testing.B) {
		benchEach(b, app, "POST", func(i int) (string, string) { return "/api/v1/compare", compare(100 + i) }, 200)
	})
	b.Run("quote", func(b *testing.B) { benchOn(b, app, "POST", "/api/v1/quotes", benchQuoteBody, 201) })
}
