//go:build unix

package web

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/gofiber/fiber/v2"

	"corridor/seed"
)

// BenchmarkMarket100k is the pages and endpoints whose cost used to grow with the market,
// through the whole server over the demo market plus 100,000 synthetic offers
// (CORRIDOR_BENCH_OFFERS overrides the size): the market page (the map's counts per region
// and the first page of offers), the map page, and the first and second pages of a compare.
//
//	go test -run='^$' -bench=Market100k -benchtime=20x ./web/
func BenchmarkMarket100k(b *testing.B) {
	app := benchMarketApp(b, 100000)
	compare := `{"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","limit":20}`
	b.Run("market_page", func(b *testing.B) { benchOn(b, app, "GET", "/", "", 200) })
	b.Run("map_page", func(b *testing.B) { benchOn(b, app, "GET", "/map", "", 200) })
	b.Run("compare_first_page", func(b *testing.B) { benchOn(b, app, "POST", "/api/v1/compare", compare, 200) })
	_, _, body := call(b, app, "POST", "/api/v1/compare", compare)
	var first struct {
		NextCursor string `json:"next_cursor"`
	}
	decode(b, body, &first)
	if first.NextCursor == "" {
		b.Fatal("one page of H100 offers only")
	}
	page2 := compare[:len(compare)-1] + `,"cursor":"` + first.NextCursor + `"}`
	b.Run("compare_page2", func(b *testing.B) { benchOn(b, app, "POST", "/api/v1/compare", page2, 200) })
	b.Run("compare_page_in_browser", func(b *testing.B) {
		benchOn(b, app, "GET", "/compare?accelerator=h100-sxm&gpus=8&hours=100&buyer.country=DE&buyer.type=business&buyer.vat_id=DE123456789&currency=EUR", "", 200)
	})
}

// benchMarketApp is the whole server over the demo market plus n synthetic offers
// (CORRIDOR_BENCH_OFFERS overrides n), for the benchmarks that measure cost against the
// market's size.
func benchMarketApp(b *testing.B, n int) *fiber.App {
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
	return app
}
