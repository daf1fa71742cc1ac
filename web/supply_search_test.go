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

// TestQuoteThenAccept prices a real quote on a demo offer through POST /api/v1/quotes, accepts
// it, and checks that the offer's availability over the quote's window dropped by its GPUs and
// that a second acceptance returns the same order.
func TestQuoteThenAccept(t *testing.T) {
	app, _, _ := seededApp(t)
	status, _, body := call(t, app, "POST", "/api/v1/buyers", `{"organisation":"Kraftwerk Compute GmbH","country":"DE","type":"business","vat_id":"DE123456789"}`)
	if status != 201 {
		t.Fatalf("buyer: %d %s", status, body)
	}
	var acct struct {
		APIKey string `json:"api_key"`
	}
	decode(t, body, &acct)
	buyer := []string{"Authorization", "Bearer " + acct.APIKey}
	// The buyer says only what differs from its account: here nothing, so the body has no buyer.
	status, _, body = call(t, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":200,"hours":48,"currency":"EUR"}`, buyer...)
	if status != 201 {
		t.Fatalf("quote: %d %s", status, body)
	}
	var q struct {
		ID    string `json:"id"`
		Start string `json:"start"`
		End   string `json:"end"`
	}
	decode(t, body, &q)
	// A second quote for 100 GPUs over the same window, made while they are still free.
	_, _, early := call(t, app, "POST", "/api/v1/quotes",
		`{"offer_id":"demo-offer-001","gpus":100,"hours":48,"currency":"EUR","start":"`+q.Start+`"}`, buyer...)
	var second struct {
		ID string `json:"id"`
	}
	decode(t, early, &second)
	window := "/api/v1/offers/demo-offer-001?start=" + url.QueryEscape(q.Start) + "&end=" + url.QueryEscape(q.End)
	if _, _, b := call(t, app, "GET", window, ""); !strings.Contains(b, `"gpus_available":256`) {
		t.Fatalf("before: %s", b)
	}
	if _, _, b := call(t, app, "GET", "/api/v1/quotes/"+q.ID, ""); !strings.Contains(b, `"status":"valid","order_id":null`) {
		t.Fatalf("the quote before accepting: %.300s", b)
	}
	status, _, body = call(t, app, "POST", "/api/v1/quotes/"+q.ID+"/accept", "", buyer...)
	if status != 201 || !strings.Contains(body, `"gpus":200`) {
		t.Fatalf("accept: %d %s", status, body)
	}
	if _, _, b := call(t, app, "GET", window, ""); !strings.Contains(b, `"gpus_available":56`) {
		t.Fatalf("after: %s", b)
	}
	var order struct {
		ID string `json:"id"`
	}
	decode(t, body, &order)
	if _, _, b := call(t, app, "GET", "/api/v1/quotes/"+q.ID, ""); !strings.Contains(b, `"status":"accepted","order_id":"`+order.ID+`"`) {
		t.Fatalf("the accepted quote does not say so: %.300s", b)
	}
	if s2, _, b2 := call(t, app, "POST", "/api/v1/quotes/"+q.ID+"/accept", "", buyer...); s2 != 200 || b2 != body {
		t.Fatalf("second accept: %d %s", s2, b2)
	}
	// The second quote no longer fits: accepting it is 409 with what is left.
	if s, ct, b := call(t, app, "POST", "/api/v1/quotes/"+second.ID+"/accept", "", buyer...); s != 409 || ct != "application/problem+json" || !strings.Contains(b, `"gpus_available":56`) {
		t.Fatalf("over capacity: %d %s %s", s, ct, b)
	}
	// And a new quote for them is refused at once: 422 not_enough_capacity with what is left.
	s, ct, b := call(t, app, "POST", "/api/v1/quotes",
		`{"offer_id":"demo-offer-001","gpus":100,"hours":48,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","start":"`+q.Start+`"}`)
	if s != 422 || ct != "application/problem+json" || !strings.Contains(b, `"no_quote_reason":"not_enough_capacity"`) || !strings.Contains(b, `"gpus_available":56`) {
		t.Fatalf("quote over capacity: %d %s %s", s, ct, b)
	}
}
