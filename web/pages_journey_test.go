package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"corridor/marketplace"
)

// TestQuoteFormRegionAndStart: the form takes the buyer's registered region and the
// reservation's first day. A Chinese business registered in Shanghai gets the Shanghai
// compute voucher (8 × 100 h × CNY 15.80 = 12,640.00; 30% = −3,792.00), and the reservation
// starts on the day asked, at 00:00 UTC.
func TestQuoteFormRegionAndStart(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	offer := pc.get("/offers/demo-offer-001")
	for _, w := range []string{`name="buyer.region"`, `<option value="cn-shanghai">Shanghai</option>`, `name="start" type="date"`} {
		if !strings.Contains(offer.Body, w) {
			t.Errorf("offer page lacks %q", w)
		}
	}
	f := url.Values{"_csrf": {token(t, offer.Body)}, "offer_id": {"demo-offer-001"}, "gpus": {"8"}, "hours": {"100"}, "buyer.country": {"CN"},
		"buyer.type": {"business"}, "buyer.region": {"cn-shanghai"}, "currency": {"CNY"}, "start": {"2027-02-01"}}
	r := pc.post("/quotes", f)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST /quotes: %d\n%.3000s", r.Status, r.Body)
	}
	q := pc.get(r.Location)
	for _, w := range []string{"Shanghai compute voucher", "CNY -3,792.00", "Registered in", "Shanghai", "2027-02-01 00:00 UTC"} {
		if !strings.Contains(q.Body, w) {
			t.Errorf("quote page lacks %q", w)
		}
	}
	pc.cookies[langCookie] = "zh"
	zh := pc.get(r.Location)
	for _, w := range []string{"上海算力券", "-3,792.00 元人民币", "注册地", "上海"} {
		if !strings.Contains(zh.Body, w) {
			t.Errorf("Chinese quote page lacks %q", w)
		}
	}
}

// TestQuoteFormShowsEveryErrorAtOnce: a count that is not a number, a country that is not one
// and a date that is not a date are all named in one answer, each at its field.
func TestQuoteFormShowsEveryErrorAtOnce(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	f := germanQuoteForm("demo-offer-001", token(t, pc.get("/offers/demo-offer-001").Body))
	f.Set("gpus", "lots")
	f.Set("buyer.country", "XX")
	f.Set("currency", "EURO")
	f.Set("start", "next week")
	r := pc.post("/quotes", f)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.Status)
	}
	for _, w := range []string{"must be a whole number", "ISO 3166-1", "ISO 4217", "must be a date YYYY-MM-DD", `value="next week"`, "<details class=\"more\" open>"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("the form's answer lacks %q", w)
		}
	}
	if n := strings.Count(r.Body, `class="field-error"`); n < 4 {
		t.Errorf("%d field messages, want one per bad field (4)", n)
	}
}

// TestQuotePageShowsPublishedRates: the rate is shown as the ECB publishes it (per 1 EUR, the
// published digits) with its publication date (Friday 2026-11-27, not the Saturday request),
// never as a 16-digit cross rate; the market names the same publication date.
func TestQuotePageShowsPublishedRates(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	r := pc.post("/quotes", germanQuoteForm("demo-offer-001", token(t, pc.get("/offers/demo-offer-001").Body)))
	q := pc.get(r.Location)
	if !strings.Contains(q.Body, "<strong>1 EUR = 8.2626 CNY</strong> · published 2026-11-27") {
		t.Errorf("quote page does not show the published rate with its date:\n%.4000s", q.Body)
	}
	if strings.Contains(q.Body, "0.1210272795488103") || strings.Contains(q.Body, "ECB_REF") {
		t.Error("quote page shows a computed cross rate or a raw source key")
	}
	if m := pc.get("/"); !strings.Contains(m.Body, "rates published 2026-11-27") {
		t.Error("market page does not name the publication date of its rates")
	}
}

// TestLineLabelsAreTheSameEverywhere: the API's label, the CSV and the page word the base line
// with one function (i18n.LineLabel): the accelerator's name, not its catalogue code, and the
// pricing model in words, not its key.
func TestLineLabelsAreTheSameEverywhere(t *testing.T) {
	app, _, _ := seededApp(t)
	const want = "NVIDIA H100 SXM5 80GB: 8 GPUs × 720 h (on demand)"
	status, _, body := call(t, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":720,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var q quoteResp
	decode(t, body, &q)
	if q.Lines[0].Kind != "base" || q.Lines[0].Label != want {
		t.Errorf("API base label %q, want %q", q.Lines[0].Label, want)
	}
	_, _, csvBody := call(t, app, "GET", "/api/v1/quotes/"+q.ID+"?format=csv", "")
	cr := csv.NewReader(strings.NewReader(csvBody))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil || len(rows) < 3 || rows[2][1] != want {
		t.Errorf("CSV base label: %v %v", rows, err)
	}
	page := newPageClient(t, app).get("/quotes/" + q.ID)
	if !strings.Contains(page.Body, want) {
		t.Errorf("quote page lacks %q", want)
	}
}

// TestBlocEUMeansTheUnion: the antennas in Iceland, Moldova, Switzerland, the United Kingdom,
// North Macedonia and Serbia are outside the EU (bloc NON_EU): bloc=EU lists none of them, the
// regions API and the search language know the new bloc, and the map still draws them in Europe.
func TestBlocEUMeansTheUnion(t *testing.T) {
	app, svc, _ := seededApp(t)
	eu, err := svc.Regions(context.Background(), marketplace.RegionFilter{Bloc: marketplace.BlocEU})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eu {
		switch r.Country {
		case "IS", "MD", "CH", "GB", "MK", "RS":
			t.Errorf("region %s in %s listed under bloc EU", r.Code, r.Country)
		}
	}
	status, _, body := call(t, app, "GET", "/api/v1/regions?bloc=NON_EU", "")
	if status != http.StatusOK || strings.Count(body, `"bloc":"NON_EU"`) != 6 {
		t.Errorf("regions?bloc=NON_EU: %d, %d regions", status, strings.Count(body, `"bloc":"NON_EU"`))
	}
	if status, _, body := call(t, app, "GET", "/api/v1/offers?q=bloc%3DNON_EU", ""); status != http.StatusOK {
		t.Errorf("search bloc=NON_EU: %d %s", status, body)
	}
	if status, _, body := call(t, app, "GET", "/api/v1/regions?bloc=XX", ""); status != http.StatusBadRequest || !strings.Contains(body, "NON_EU") {
		t.Errorf("an unknown bloc must be refused naming the blocs: %d %s", status, body)
	}
	m := newPageClient(t, app).get("/map")
	if !strings.Contains(m.Body, "AI Factory Antenna Switzerland") || !strings.Contains(m.Body, `<option value="NON_EU"`) && !strings.Contains(m.Body, "Europe outside the EU") {
		t.Error("the map page does not show the non-EU antennas")
	}
}

// TestReferencePages: the search and policy language references are pages of the app,
// rendered from the repository's Markdown; the market's search hint links the first.
func TestReferencePages(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	s := pc.get("/docs/search-language")
	for _, w := range []string{`<h1 id="offer-search-language">Offer search language</h1>`, `<div class="table-scroll"><table>`, "<code>bloc</code>", "NON_EU"} {
		if !strings.Contains(s.Body, w) {
			t.Errorf("search reference lacks %q", w)
		}
	}
	p := pc.get("/docs/policy-language")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `href="/docs/policy.schema.json"`) {
		t.Errorf("policy reference: %d, schema link rewritten: %v", p.Status, strings.Contains(p.Body, "/docs/policy.schema.json"))
	}
	if r := pc.get("/docs/policy.schema.json"); r.Status != http.StatusOK || !strings.Contains(r.Body, `"$schema"`) {
		t.Errorf("schema: %d", r.Status)
	}
	if r := pc.get("/docs/nope"); r.Status != http.StatusNotFound {
		t.Errorf("/docs/nope: %d", r.Status)
	}
	if m := pc.get("/"); !strings.Contains(m.Body, `<a href="/docs/search-language" id="q-ref">`) {
		t.Error("the search hint does not link the reference")
	}
	// Markup in the Markdown would not reach the page: goldmark leaves raw HTML out.
	h, err := renderMarkdown([]byte("# T\n\n<script>alert(1)</script>\n\nx <img src=x onerror=alert(2)> y\n"))
	if err != nil || strings.Contains(h, "<script") || strings.Contains(h, "<img") {
		t.Errorf("raw HTML in Markdown reaches the page: %q %v", h, err)
	}
}
