package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// TestSearchSeededDemo searches the seeded demo market through the API: results are sorted by
// the price converted into the query currency, and every page's prices are in that currency.
func TestSearchSeededDemo(t *testing.T) {
	app, _, _ := seededApp(t)
	for _, tc := range []struct {
		q, sort string
		desc    bool
	}{
		{"bloc=CN", "price", false},
		{"currency=JPY", "-price", true},
		{"product=gpu_hours currency=USD", "per_pflop_hour", false},
	} {
		var prices []decimal.Decimal
		cursor := ""
		for {
			path := "/api/v1/offers?limit=5&q=" + url.QueryEscape(tc.q) + "&sort=" + tc.sort
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			status, _, body := call(t, app, "GET", path, "")
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			var page struct {
				Offers []struct {
					QueryPrice    string  `json:"query_price"`
					QueryCurrency string  `json:"query_currency"`
					PerPFLOPHour  *string `json:"per_pflop_hour"`
					Bloc          string  `json:"bloc"`
				} `json:"offers"`
				NextCursor *string `json:"next_cursor"`
			}
			decode(t, body, &page)
			for _, o := range page.Offers {
				key := o.QueryPrice
				if tc.sort == "per_pflop_hour" {
					if o.PerPFLOPHour == nil {
						continue
					}
					key = *o.PerPFLOPHour
				}
				prices = append(prices, decimal.RequireFromString(key))
				if strings.Contains(tc.q, "bloc=CN") && o.Bloc != "CN" {
					t.Errorf("%s: offer in bloc %s", tc.q, o.Bloc)
				}
				if want := map[bool]string{true: "JPY", false: o.QueryCurrency}[strings.Contains(tc.q, "JPY")]; o.QueryCurrency != want {
					t.Errorf("%s: query_currency %s", tc.q, o.QueryCurrency)
				}
			}
			if page.NextCursor == nil {
				break
			}
			cursor = url.QueryEscape(*page.NextCursor)
		}
		if len(prices) < 3 {
			t.Fatalf("%s: only %d offers in the demo market", tc.q, len(prices))
		}
		for i := 1; i < len(prices); i++ {
			// per_pflop_hour sorts by a key floored to micro-units before conversion: allow
			// that much slack, none for price.
			slack := decimal.Zero
			if tc.sort == "per_pflop_hour" {
				slack = decimal.New(1, -3)
			}
			if (!tc.desc && prices[i].Add(slack).LessThan(prices[i-1])) || (tc.desc && prices[i].Sub(slack).GreaterThan(prices[i-1])) {
				t.Errorf("%s sort=%s: out of order at %d: %s after %s", tc.q, tc.sort, i, prices[i], prices[i-1])
			}
		}
	}
}
