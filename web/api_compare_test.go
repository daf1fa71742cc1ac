package web

import (
	"html"
	"regexp"
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

// TestComparePageMoreLink: a comparison with more than a page of offers shows the first 20,
// ranked 1–20, and a "more offers" link whose page continues at rank 21 with a link back to
// the best offers; both languages name the links.
func TestComparePageMoreLink(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	first := pc.get("/compare?min_bf16_tflops=100&gpus=1&hours=10&buyer.country=FR&buyer.type=consumer&currency=EUR")
	if first.Status != 200 {
		t.Fatalf("first page: %d", first.Status)
	}
	more := regexp.MustCompile(`id="compare-more" rel="next" href="([^"]+)"`).FindStringSubmatch(first.Body)
	if more == nil {
		t.Fatal("no more link on a comparison of the whole demo market")
	}
	ranks := regexp.MustCompile(`class="rank"><div class="v"><strong>(\d+)</strong>`)
	got := ranks.FindAllStringSubmatch(first.Body, -1)
	if len(got) != 20 || got[0][1] != "1" || got[19][1] != "20" || strings.Contains(first.Body, `id="compare-first"`) {
		t.Fatalf("first page: %d ranked rows", len(got))
	}
	second := pc.get(html.UnescapeString(more[1]))
	got = ranks.FindAllStringSubmatch(second.Body, -1)
	if second.Status != 200 || len(got) == 0 || got[0][1] != "21" || !strings.Contains(second.Body, `id="compare-first"`) {
		t.Fatalf("second page: %d, ranks %v", second.Status, got)
	}
	pc.lang = "zh-CN"
	if zh := pc.get("/compare?min_bf16_tflops=100&gpus=1&hours=10&buyer.country=FR&buyer.type=consumer&currency=EUR"); !strings.Contains(zh.Body, "更多报价") {
		t.Error("the Chinese page does not name the more link")
	}
}
