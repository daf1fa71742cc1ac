package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"corridor/marketplace"
	"corridor/marketplace/jsonout/jsonouttest"
)

// TestNewQuoteAnswerMatchesEncoding: the answer to a new quote, whose explanation comes
// encoded from trailJSONs when it is shared, is byte for byte the quote as GET renders it from
// its stored record — encoded whole, its explanation read back from the database. Each request
// is sent twice, so that the second answer uses the encoding the first one kept; the buyers
// include a consumer and a Chinese business, and the offers both sides of the border, so that
// some explanations are shared and some carry notes of their own.
func TestNewQuoteAnswerMatchesEncoding(t *testing.T) {
	app, svc, _ := seededApp(t)
	page, err := svc.SearchOffers(context.Background(), marketplace.SearchRequest{Limit: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Hits) < 6 {
		t.Fatalf("the demo market lists %d offers", len(page.Hits))
	}
	buyers := []string{
		`{"country":"DE","type":"business","vat_id":"DE123456789"}`,
		`{"country":"FR","type":"consumer"}`,
		`{"country":"CN","type":"business"}`,
	}
	hardware, err := svc.ActiveOffers(context.Background(), marketplace.OfferContextFilter{Products: []string{"hardware"}})
	if err != nil || len(hardware) == 0 {
		t.Fatalf("no hardware offer in the demo market (%v): its quotes explain customs alternatives with notes", err)
	}
	var asks []string // what to quote: an hour of an offer's GPUs, or units of hardware
	for _, o := range page.Hits {
		asks = append(asks, fmt.Sprintf(`"offer_id":%q,"gpus":1,"hours":720`, o.ID))
	}
	for _, o := range hardware {
		asks = append(asks, fmt.Sprintf(`"offer_id":%q,"units":2`, o.Offer.ID))
	}
	shared, noted := 0, 0
	for _, ask := range asks {
		for _, b := range buyers {
			body := fmt.Sprintf(`{%s,"buyer":%s,"currency":"EUR"}`, ask, b)
			for try := range 2 {
				code, _, answer := call(t, app, "POST", "/api/v1/quotes", body)
				if code != 201 {
					t.Fatalf("%s: %d %s", body, code, answer)
				}
				var q struct{ ID string }
				decode(t, answer, &q)
				stored, err := svc.GetQuote(context.Background(), q.ID)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case stored.Priced.TrailNoted:
					noted++
				case len(stored.Priced.Trail) > 0:
					shared++
				}
				if code, _, got := call(t, app, "GET", "/api/v1/quotes/"+q.ID, ""); code != 200 || got != answer {
					t.Fatalf("%s, try %d: the answer differs from the stored quote's rendering (GET %d)\nanswer: %.400s\nstored: %.400s", body, try+1, code, answer, got)
				}
			}
		}
	}
	if shared == 0 || noted == 0 {
		t.Fatalf("%d quotes with a shared explanation, %d with notes of their own: want both kinds", shared, noted)
	}
}

// TestQuoteJSONMatchesStandard fills every field of a quote's answer at random
// (jsonouttest.Fill: every member, so a member added to the answer's types but not to the
// hand-written encoder fails here) and requires the encoder (quote_json.go) to write what
// encoding/json writes, explanation and all.
func TestQuoteJSONMatchesStandard(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	for i := range 3000 {
		var q quoteJSON
		jsonouttest.Fill(r, reflect.ValueOf(&q).Elem())
		jsonouttest.Check(t, fmt.Sprintf("answer %d", i), &q, q.appendJSON)
		if t.Failed() {
			return
		}
	}
}
