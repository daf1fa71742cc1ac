package web

import (
	"strings"
	"testing"
)

// TestCompareAPIPages walks the H100 comparison for a German business two offers at a time:
// ranks continue across pages, the pages end to end are the one-page ranking, the last page's
// next_cursor is null, and a bad limit or cursor is refused naming the field.
func TestCompareAPIPages(t *testing.T) {
	app, _, _ := seededApp(t)
	const need = `"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"`
	type page struct {
		Offers []struct {
			Rank       int    `json:"rank"`
			OfferID    string `json:"offer_id"`
			LandedCost string `json:"landed_cost"`
		} `json:"offers"`
		NextCursor *string `json:"next_cursor"`
	}
	var whole page
	status, _, body := call(t, app, "POST", "/api/v1/compare", `{`+need+`,"limit":100}`)
	if status != 200 {
		t.Fatalf("one page: %d %s", status, body)
	}
	decode(t, body, &whole)
	if whole.NextCursor != nil || len(whole.Offers) < 5 {
		t.Fatalf("one page of 100: %d offers, next %v", len(whole.Offers), whole.NextCursor)
	}
	var walked []string
	cursor := ""
	for range len(whole.Offers) {
		req := `{` + need + `,"limit":2`
		if cursor != "" {
			req += `,"cursor":"` + cursor + `"`
		}
		status, _, body := call(t, app, "POST", "/api/v1/compare", req+`}`)
		if status != 200 {
			t.Fatalf("page: %d %s", status, body)
		}
		var p page
		decode(t, body, &p)
		for _, o := range p.Offers {
			walked = append(walked, o.OfferID)
			if o.Rank != 0 && o.Rank != len(walked) {
				t.Errorf("offer %s ranked %d at position %d", o.OfferID, o.Rank, len(walked))
			}
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	var want []string
	for _, o := range whole.Offers {
		want = append(want, o.OfferID)
	}
	if strings.Join(walked, ",") != strings.Join(want, ",") {
		t.Errorf("pages of 2: %v\none page: %v", walked, want)
	}
	for _, bad := range []struct{ body, field string }{
		{`{` + need + `,"limit":101}`, `"field":"limit"`},
		{`{` + need + `,"cursor":"bm90IGEgY3Vyc29y"}`, `"field":"cursor"`},
	} {
		if status, ctype, body := call(t, app, "POST", "/api/v1/compare", bad.body); status != 400 || ctype != "application/problem+json" || !strings.Contains(body, bad.field) {
			t.Errorf("%s: %d %s %s", bad.body, status, ctype, body)
		}
	}
}
