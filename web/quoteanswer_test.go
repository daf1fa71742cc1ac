package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"corridor/marketplace"
	"corridor/marketplace/jsonout/jsonouttest"
)

// TestNewQuoteAnswerMatchesEncoding: the answer to a new quote, whose whole explanation
// (explain=all) comes encoded from trailJSONs when it is shared, is byte for byte the quote as
// GET renders it from its stored record — encoded whole, its explanation read back from the
// database; so is the default answer, with the measures that applied. Each request is sent
// twice with each scope, so that the second answer uses the encoding the first one kept; the buyers
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
			for try := range 4 { // twice each explanation scope (explainParam)
				scope := []string{"?explain=all", ""}[try/2]
				code, _, answer := call(t, app, "POST", "/api/v1/quotes"+scope, body)
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
				if code, _, got := call(t, app, "GET", "/api/v1/quotes/"+q.ID+scope, ""); code != 200 || got != answer {
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

// TestQuoteExplainScope: a quote's explanation lists the measures that applied by default
// (explain=applied) and every measure considered with explain=all, on POST and GET alike;
// explanation_considered counts the whole explanation either way. A scope that is neither is
// refused with a problem naming explain, and the refused POST stores nothing.
func TestQuoteExplainScope(t *testing.T) {
	app, svc, st := seededApp(t)
	quotes := func() (n int) {
		t.Helper()
		if err := st.Pool().QueryRow("SELECT count(*) FROM quotes").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A German business buying a Chinese offer: its policy considers every measure of the
	// baseline, and a few of them (VAT reverse charge, export control) apply.
	body := `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`
	type entry struct {
		Measure string
		Applied bool
		Reason  string
	}
	type answer struct {
		ID          string
		Considered  int     `json:"explanation_considered"`
		Explanation []entry `json:"explanation"`
	}
	read := func(method, path, body string) answer {
		t.Helper()
		code, _, got := call(t, app, method, path, body)
		if code != 200 && code != 201 {
			t.Fatalf("%s %s: %d %s", method, path, code, got)
		}
		var a answer
		decode(t, got, &a)
		return a
	}
	created := read("POST", "/api/v1/quotes", body)
	all := read("GET", "/api/v1/quotes/"+created.ID+"?explain=all", "")
	stored, err := svc.GetQuote(context.Background(), created.ID)
	if err != nil {
		t.Fatal(err)
	}
	trail := stored.Priced.Trail
	var applied []entry
	for _, c := range trail {
		if c.Applied {
			applied = append(applied, entry{c.MeasureID, true, c.Reason})
		}
	}
	// the stored quote's trail decides both lists; it must hold measures of both kinds, or the
	// test would not tell the scopes apart
	if len(applied) == 0 || len(applied) == len(trail) {
		t.Fatalf("the quote's explanation has %d entries, %d applied: want both kinds", len(trail), len(applied))
	}
	if !reflect.DeepEqual(created.Explanation, applied) {
		t.Errorf("default explanation = %+v, want the %d applied entries %+v", created.Explanation, len(applied), applied)
	}
	if got := read("GET", "/api/v1/quotes/"+created.ID+"?explain=applied", ""); !reflect.DeepEqual(got.Explanation, applied) {
		t.Errorf("explain=applied on GET = %+v, want %+v", got.Explanation, applied)
	}
	if len(all.Explanation) != len(trail) || all.Explanation[0].Measure != trail[0].MeasureID {
		t.Errorf("explain=all lists %d entries, want the %d of the whole explanation", len(all.Explanation), len(trail))
	}
	for _, a := range []answer{created, all} {
		if a.Considered != len(trail) {
			t.Errorf("explanation_considered = %d, want %d", a.Considered, len(trail))
		}
	}
	before := quotes()
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/v1/quotes?explain=none", body},
		{"GET", "/api/v1/quotes/" + created.ID + "?explain=ALL", ""},
	} {
		code, ctype, got := call(t, app, r.method, r.path, r.body)
		if code != 400 || ctype != "application/problem+json" || !strings.Contains(got, `"field":"explain"`) {
			t.Errorf("%s %s: %d %s %s, want 400 naming explain", r.method, r.path, code, ctype, got)
		}
	}
	if after := quotes(); after != before {
		t.Errorf("a refused POST stored a quote: %d quotes before, %d after", before, after)
	}
}
