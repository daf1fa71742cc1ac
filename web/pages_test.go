package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing"
	"corridor/seed"
	"corridor/web/i18n"
)

// pageClient drives the UI through app.Test like a browser without JavaScript: it keeps
// cookies and reads the CSRF token from the last page.
type pageClient struct {
	t       testing.TB
	app     *fiber.App
	cookies map[string]string
	lang    string
}

type pageResp struct {
	Status   int
	Body     string
	Header   http.Header
	Location string
}

func newPageClient(t testing.TB, app *fiber.App) *pageClient {
	return &pageClient{t: t, app: app, cookies: map[string]string{}}
}

func (p *pageClient) do(method, path string, form url.Values) pageResp {
	p.t.Helper()
	var body io.Reader
	contentType := ""
	if form != nil {
		body, contentType = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	return p.send(method, path, body, contentType)
}

// send makes one request with the client's language and cookies and keeps the cookies the
// answer sets.
func (p *pageClient) send(method, path string, body io.Reader, contentType string) pageResp {
	p.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if p.lang != "" {
		req.Header.Set("Accept-Language", p.lang)
	}
	for k, v := range p.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := p.app.Test(req, -1)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		p.cookies[c.Name] = c.Value
	}
	return pageResp{Status: resp.StatusCode, Body: string(b), Header: resp.Header, Location: resp.Header.Get("Location")}
}

func (p *pageClient) get(path string) pageResp { return p.do(http.MethodGet, path, nil) }

func (p *pageClient) post(path string, form url.Values) pageResp {
	return p.do(http.MethodPost, path, form)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token returns the CSRF token a page's form carries.
func token(t testing.TB, body string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no _csrf field in page:\n%.2000s", body)
	}
	return m[1]
}

// germanQuoteForm is the offer page's form as a German business fills it.
func germanQuoteForm(offerID, tok string) url.Values {
	return url.Values{"_csrf": {tok}, "offer_id": {offerID}, "gpus": {"8"}, "hours": {"720"}, "buyer.country": {"DE"},
		"buyer.type": {"business"}, "buyer.vat_id": {"DE123456789"}, "currency": {"EUR"}}
}

func TestPagesRender(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	cases := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{"GPU capacity market", `data-offer="demo-offer-`, `<svg viewBox=`, `href="/?region=cn-ningxia-zhongwei"`, `rel="next"`}},
		{"/?bloc=CN&accelerator=h100-sxm", 200, []string{"demo-offer-001", "NVIDIA H100 SXM5 80GB"}},
		{"/?bloc=EU&accelerator=h100-sxm", 200, []string{"eu-"}},
		{"/?q=accelerator%3Dh100-sxm+bloc%3DCN&currency=CNY", 200, []string{"CNY 15.80", "demo-offer-001"}},
		{"/?q=gpus%3E%3Dmany", 400, []string{`class="field-error"`, `value="gpus&gt;=many"`}},
		{"/?gpus_min=eight", 400, []string{`aria-invalid="true"`, `value="eight"`, `role="alert">gpus: &#34;eight&#34; is not a whole number<`}},
		{"/?region=cn-ningxia-zhongwei", 200, []string{`data-offer="demo-offer-001"`, `has-offers selected"`, "Show all regions"}},
		{"/?gpus_min=300&bloc=CN&sort=-gpus", 200, []string{`data-offer="demo-offer-002"`}},
		{"/?cursor=garbage", 400, []string{`class="field-error"`}},
		{"/?sort=cheapest", 400, []string{`class="field-error"`, "price"}},
		{"/?from=2027-01-01&until=2027-03-01&accelerator=h100-sxm", 200, []string{"GPUs free"}},
		{"/offers/demo-offer-001", 200, []string{`<option value="DE" selected>Germany (DE)`, `<option value="EUR" selected>EUR`, "PUE target", "kg CO₂e/kWh", "as of", `name="_csrf"`, "Demo", "3A090.a"}},
		{"/offers/nope", 404, []string{"Not found"}},
		{"/quotes/q_nope", 404, []string{"Not found"}},
		{"/compare", 200, []string{"Compare offers", `<form method="get" action="/compare"`, `<option value="cn-beijing">Beijing</option>`}},
		{comparePath, 200, []string{`class="ranked-row`, `id="share" href="/compare?`, "on demand", `class="bar"`}},
		{"/no/such/page", 404, []string{"Not found", "no page"}},
		{"/static/app.css", 200, []string{"@media print"}},
	}
	for _, c := range cases {
		r := pc.get(c.path)
		if r.Status != c.status {
			t.Errorf("GET %s: status %d, want %d\n%.1500s", c.path, r.Status, c.status, r.Body)
		}
		for _, w := range c.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("GET %s: body lacks %q", c.path, w)
			}
		}
		if strings.Contains(r.Body, "⟦") {
			t.Errorf("GET %s: untranslated key in page: %s", c.path, regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(r.Body))
		}
		if !strings.HasPrefix(c.path, "/static") {
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("GET %s: CSP %q", c.path, csp)
			}
			if strings.Contains(r.Body, " style=") || regexp.MustCompile(`<script>|<script [^s]`).MatchString(r.Body) {
				t.Errorf("GET %s: inline style or script in page", c.path)
			}
		}
	}
}

func TestMarketFilterMatchesOnlyChineseH100(t *testing.T) {
	app, svc, _ := seededApp(t)
	r := newPageClient(t, app).get("/?bloc=CN&accelerator=h100-sxm")
	all, err := svc.ActiveOffers(context.Background(), marketplace.OfferContextFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, oc := range all {
		shown := strings.Contains(r.Body, `data-offer="`+oc.Offer.ID+`"`)
		match := oc.Region.Bloc == marketplace.BlocCN && oc.Offer.Accelerator == "h100-sxm"
		if match {
			want++
		}
		if shown != match && want <= marketPageSize {
			t.Errorf("offer %s (%s, %s): shown %v, want %v", oc.Offer.ID, oc.Region.Bloc, oc.Offer.Accelerator, shown, match)
		}
	}
	if want == 0 {
		t.Fatal("the demo market has no Chinese H100 offer")
	}
}

// TestPagesLabelCarriedForwardRates: on the demo day (2026-11-28) the only rates are the
// illustrative carry-forward of the 2025-10-21 ECB fixing; the market page must not call them ECB
// reference rates, and the quote page must show their label.
func TestPagesLabelCarriedForwardRates(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	market := pc.get("/")
	if !strings.Contains(market.Body, "not all ECB figures (source: "+seed.FXCarryForwardSource+")") ||
		strings.Contains(market.Body, "Converted at ECB reference rates") {
		t.Errorf("market page must label the carried-forward rates:\n%.3000s", market.Body)
	}
	offer := pc.get("/offers/demo-offer-001")
	r := pc.post("/quotes", germanQuoteForm("demo-offer-001", token(t, offer.Body)))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST /quotes: %d", r.Status)
	}
	if q := pc.get(r.Location); !strings.Contains(q.Body, seed.FXCarryForwardSource) {
		t.Errorf("quote page lacks the carry-forward label %q", seed.FXCarryForwardSource)
	}
}

func TestQuoteFlowWithoutJavaScript(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	offer := pc.get("/offers/demo-offer-001")
	r := pc.post("/quotes", germanQuoteForm("demo-offer-001", token(t, offer.Body)))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/quotes/q_") {
		t.Fatalf("POST /quotes: %d %q\n%.2000s", r.Status, r.Location, r.Body)
	}
	q := pc.get(r.Location)
	// Anonymous: the quote page asks to sign in (or open an account) to accept.
	want := []string{"reverse charge", "not payable — reverse charge", `id="quote-total"`, "Total", "Exchange rates used",
		"/api/v1/quotes/", "?format=csv", "kWh", "kg CO₂e", `id="accept-signin"`, `href="/signup?next=` + r.Location + `"`}
	for _, w := range want {
		if !strings.Contains(q.Body, w) {
			t.Errorf("quote page lacks %q", w)
		}
	}
	pc.cookies[langCookie] = "zh"
	zh := pc.get(r.Location)
	for _, w := range []string{"总计", "价格构成", "不应付 — 反向征收", `lang="zh-CN"`, "欧元", "增值税", "英伟达 H100 SXM5 80GB：8 GPU × 720 小时"} {
		if !strings.Contains(zh.Body, w) {
			t.Errorf("Chinese quote page lacks %q", w)
		}
	}
	if acc := pc.post(r.Location+"/accept", url.Values{"_csrf": {token(t, offer.Body)}}); acc.Status != http.StatusUnauthorized ||
		!strings.Contains(acc.Body, `id="signin-form"`) || !strings.Contains(acc.Body, `name="next" value="`+r.Location+`"`) {
		t.Fatalf("accepting without an account: %d, want the sign-in page coming back to the quote\n%.2000s", acc.Status, acc.Body)
	}
	// Open an account (a German business with its VAT number, headquartered in the United
	// States): the browser is signed in.
	signup := pc.get("/signup?next=" + r.Location)
	created := pc.post("/signup", url.Values{"_csrf": {token(t, signup.Body)}, "organisation": {"Kraftwerk Compute GmbH"}, "country": {"DE"},
		"type": {"business"}, "vat_id": {"DE 123456789"}, "headquarters": {"US"}, "next": {r.Location}})
	if created.Status != http.StatusCreated || !regexp.MustCompile(`id="buyer-key">cbk_[0-9a-f]{16}_[0-9a-f]{64}<`).MatchString(created.Body) {
		t.Fatalf("sign up: %d\n%.2000s", created.Status, created.Body)
	}
	// The anonymous quote was priced for a German business headquartered in Germany (none
	// named): not the account's to accept, whose export-control gates follow its US
	// headquarters. The offer page, filled in from the account, prices one that is: the form
	// leaves the headquarters out, and the account fills it in.
	if q := pc.get(r.Location); !strings.Contains(q.Body, `id="accept-mismatch"`) || strings.Contains(q.Body, `id="accept"`) {
		t.Errorf("a quote priced for other buyer details offers the accept button:\n%.3000s", q.Body)
	}
	offer = pc.get("/offers/demo-offer-001")
	if !strings.Contains(offer.Body, `name="buyer.vat_id" value="DE123456789"`) ||
		!regexp.MustCompile(`name="buyer.headquarters"[^>]*>[^<]*<option value="">[^<]*</option>\s*(<option value="[A-Z]{2}">[^<]*</option>\s*)*<option value="US" selected>`).MatchString(offer.Body) {
		t.Errorf("the quote form is not filled in from the account")
	}
	f := germanQuoteForm("demo-offer-001", token(t, offer.Body))
	f.Set("buyer.vat_id", "DE123456789")
	r = pc.post("/quotes", f)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST /quotes signed in: %d\n%.2000s", r.Status, r.Body)
	}
	zh = pc.get(r.Location)
	acc := pc.post(r.Location+"/accept", url.Values{"_csrf": {token(t, zh.Body)}})
	if acc.Status != http.StatusSeeOther || !strings.HasPrefix(acc.Location, "/orders/") {
		t.Fatalf("accept: %d %q\n%.2000s", acc.Status, acc.Location, acc.Body)
	}
	order := pc.get(acc.Location)
	if order.Status != http.StatusOK || !strings.Contains(order.Body, "已确认") || !strings.Contains(order.Body, strings.TrimPrefix(acc.Location, "/orders/")) {
		t.Errorf("order page: %d\n%.2000s", order.Status, order.Body)
	}
	again := pc.post(r.Location+"/accept", url.Values{"_csrf": {token(t, zh.Body)}})
	if again.Location != acc.Location {
		t.Errorf("accepting twice: %d %q, want the same order %q", again.Status, again.Location, acc.Location)
	}
	// The quote now says it was accepted and links its order; there is no accept button.
	if q := pc.get(r.Location); !strings.Contains(q.Body, `id="quote-accepted"`) || !strings.Contains(q.Body, `href="`+acc.Location+`"`) || strings.Contains(q.Body, `id="accept"`) {
		t.Errorf("the accepted quote's page:\n%.3000s", q.Body)
	}
	if r := pc.get("/orders/ord_nope"); r.Status != http.StatusNotFound {
		t.Errorf("unknown order: %d", r.Status)
	}
}

func TestQuoteFormKeepsInputAndShowsFieldMessages(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/offers/demo-offer-001").Body)
	f := germanQuoteForm("demo-offer-001", tok)
	f.Set("gpus", "lots")
	f.Set("buyer.vat_id", "DE<b>123</b>")
	r := pc.post("/quotes", f)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.Status)
	}
	for _, w := range []string{`value="lots"`, `aria-invalid="true"`, "must be a whole number", `value="DE&lt;b&gt;123&lt;/b&gt;"`} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("re-rendered form lacks %q", w)
		}
	}
	f = germanQuoteForm("demo-offer-001", tok)
	f.Set("buyer.country", "XX")
	f.Set("hours", "0")
	r = pc.post("/quotes", f)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "ISO 3166-1") || !strings.Contains(r.Body, "from 1 to") {
		t.Errorf("service field errors not shown next to the fields: %d\n%.3000s", r.Status, r.Body)
	}
}

func TestFormPostsNeedTheCSRFToken(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/offers/demo-offer-001").Body)

	without := germanQuoteForm("demo-offer-001", tok)
	without.Del("_csrf")
	if r := pc.post("/quotes", without); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "did not come from this site") {
		t.Errorf("POST without _csrf: %d", r.Status)
	}
	if r := pc.post("/quotes", germanQuoteForm("demo-offer-001", tok+"x")); r.Status != http.StatusForbidden {
		t.Errorf("POST with a wrong token: %d", r.Status)
	}
	stranger := newPageClient(t, app) // another browser: no cookie, but a token seen elsewhere
	if r := stranger.post("/quotes", germanQuoteForm("demo-offer-001", tok)); r.Status != http.StatusForbidden {
		t.Errorf("POST with a token but no cookie: %d", r.Status)
	}
	forged := newPageClient(t, app)
	forged.cookies[csrfCookie] = "abc.def"
	if r := forged.post("/quotes", germanQuoteForm("demo-offer-001", "abc")); r.Status != http.StatusForbidden {
		t.Errorf("POST with a forged cookie: %d", r.Status)
	}
	if r := pc.post("/quotes/q_x/accept", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("accept without _csrf: %d", r.Status)
	}
	if r := pc.post("/compare", url.Values{"gpus": {"8"}}); r.Status != http.StatusForbidden {
		t.Errorf("compare without _csrf: %d", r.Status)
	}
	if r := pc.post("/quotes", germanQuoteForm("demo-offer-001", tok)); r.Status != http.StatusSeeOther {
		t.Errorf("POST with the right token: %d, want 303", r.Status)
	}
}

func TestCSRFKeyIsSharedThroughTheDatabase(t *testing.T) {
	_, svc, st := seededApp(t)
	a, err := svc.SecretSetting(context.Background(), csrfSecretName)
	if err != nil {
		t.Fatal(err)
	}
	other := marketplace.NewService(st, nil) // a second instance on the same database
	b, err := other.SecretSetting(context.Background(), csrfSecretName)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || string(a) != string(b) {
		t.Errorf("instances disagree on the CSRF key (%d bytes)", len(a))
	}
}

// hostileNames stores a supplier and an offer whose name and note try to inject markup.
func hostileNames(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.PutSuppliers(ctx, []marketplace.Supplier{{ID: "xss-sup", Name: `<script>alert(1)</script>`, Country: "CN"}}); err != nil {
		t.Fatal(err)
	}
	all, err := st.ActiveOfferContexts(ctx, marketplace.OfferContextFilter{Accelerator: "h100-sxm", Bloc: marketplace.BlocCN})
	if err != nil || len(all) == 0 {
		t.Fatal(err, len(all))
	}
	o := all[0].Offer
	o.ID, o.SupplierID, o.Note, o.Price = "xss-offer", "xss-sup", `<script>alert("note")</script><img src=x onerror=alert(2)>`, decimal.RequireFromString("1.00")
	if _, err := st.PutOffers(ctx, []marketplace.Offer{o}); err != nil {
		t.Fatal(err)
	}
}

func TestHostileTextIsEscapedEverywhere(t *testing.T) {
	app, _, st := seededApp(t)
	hostileNames(t, st)
	pc := newPageClient(t, app)
	pages := map[string]string{"market": pc.get("/?bloc=CN&accelerator=h100-sxm").Body}
	offer := pc.get("/offers/xss-offer")
	pages["offer"] = offer.Body
	r := pc.post("/quotes", germanQuoteForm("xss-offer", token(t, offer.Body)))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("quote on the hostile offer: %d\n%.2000s", r.Status, r.Body)
	}
	pages["quote"] = pc.get(r.Location).Body
	pages["compare"] = pc.get(comparePath + "&bloc=CN").Body
	for name, body := range pages {
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s page: escaped supplier name missing", name)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s page: raw markup from data", name)
		}
	}
	if !strings.Contains(pages["offer"], "&lt;img src=x onerror=alert(2)&gt;") {
		t.Error("offer page: escaped note missing")
	}
}

func TestLanguageSwitch(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	pc.lang = "zh-CN,zh;q=0.9,en;q=0.8"
	if r := pc.get("/"); !strings.Contains(r.Body, "GPU 算力市场") || !strings.Contains(r.Body, `lang="zh-CN"`) {
		t.Error("Accept-Language zh does not pick Chinese")
	}
	r := pc.get("/lang/en?next=" + url.QueryEscape("/offers/demo-offer-001?x=1"))
	if r.Status != http.StatusSeeOther || r.Location != "/offers/demo-offer-001?x=1" || pc.cookies[langCookie] != "en" {
		t.Fatalf("switch: %d %q cookie %q", r.Status, r.Location, pc.cookies[langCookie])
	}
	if r := pc.get("/"); !strings.Contains(r.Body, "GPU capacity market") {
		t.Error("the remembered choice does not beat Accept-Language")
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		if r := pc.get("/lang/zh?next=" + url.QueryEscape(next)); r.Location != "/" {
			t.Errorf("next=%q redirects to %q", next, r.Location)
		}
	}
}

func TestCompareRanksWithChart(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	r := pc.get(comparePath)
	if r.Status != http.StatusOK {
		t.Fatalf("compare: %d\n%.2000s", r.Status, r.Body)
	}
	for _, w := range []string{`class="bar"`, `class="seg-price"`, "<title>1. ", "Ranked by net cost", `id="hatch"`, "Duties and levies"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("compare page lacks %q", w)
		}
	}
	// The form posted (with its token) ranks the same offers as the bookmarkable GET.
	tok := token(t, pc.get("/offers/demo-offer-001").Body)
	posted := pc.post("/compare", url.Values{"_csrf": {tok}, "accelerator": {"h100-sxm"}, "gpus": {"8"}, "hours": {"720"},
		"buyer.country": {"DE"}, "buyer.type": {"business"}, "buyer.vat_id": {"DE123456789"}, "currency": {"EUR"}})
	if offerOrder(posted.Body) != offerOrder(r.Body) || offerOrder(r.Body) == "" {
		t.Errorf("POST ranks %q, GET ranks %q", offerOrder(posted.Body), offerOrder(r.Body))
	}
	// Every field error at once: a count that is not a number, and a country that is not one.
	bad := pc.get("/compare?accelerator=&gpus=x&hours=720&buyer.country=XX&buyer.type=business&currency=EUR")
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `value="x"`) || !strings.Contains(bad.Body, "must be a whole number") ||
		!strings.Contains(bad.Body, "ISO 3166-1") || !strings.Contains(bad.Body, "name an accelerator model") {
		t.Errorf("bad need: %d\n%.3000s", bad.Status, bad.Body)
	}
}

// BenchmarkPages measures the server time of each page over the seeded demo market (the
// figures are recorded in docs/web.md; pages must answer in under 100 ms).
func BenchmarkPages(b *testing.B) {
	app, _, _ := seededApp(b)
	pc := newPageClient(b, app)
	offer := pc.get("/offers/demo-offer-001")
	tok := token(b, offer.Body)
	quote := pc.post("/quotes", germanQuoteForm("demo-offer-001", tok)).Location
	need := url.Values{"_csrf": {tok}, "accelerator": {"h100-sxm"}, "gpus": {"8"}, "hours": {"720"},
		"buyer.country": {"DE"}, "buyer.type": {"business"}, "currency": {"EUR"}}
	pages := []struct {
		name   string
		method string
		path   string
		form   url.Values
	}{
		{"market", "GET", "/", nil},
		{"market_filtered", "GET", "/?bloc=CN&accelerator=h100-sxm&sort=per_pflop_hour&q=gpus%3E%3D8", nil},
		{"offer", "GET", "/offers/demo-offer-001", nil},
		{"quote", "GET", quote, nil},
		{"compare_form", "GET", "/compare", nil},
		{"compare_result", "POST", "/compare", need},
		{"compare_bookmark", "GET", comparePath, nil},
		{"map", "GET", "/map", nil},
		{"search_reference", "GET", "/docs/search-language", nil},
		{"quote_create", "POST", "/quotes", germanQuoteForm("demo-offer-001", tok)},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				r := pc.do(p.method, p.path, p.form)
				if r.Status >= 400 {
					b.Fatalf("%s %s: %d", p.method, p.path, r.Status)
				}
			}
		})
	}
}

// offerOrder lists the offer ids of a compare page's ranked rows, in order.
func offerOrder(body string) string {
	var ids []string
	for _, m := range regexp.MustCompile(`class="ranked-row[^"]*" data-offer="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return strings.Join(ids, " ")
}

func TestChartDrawsSubsidiesLeftOfZero(t *testing.T) {
	d := decimal.RequireFromString
	v := &view{Lang: "en", L: i18n.Default()}
	row := func(rank int, price, duties, taxes, subsidies string) compareRow {
		r := compareRow{Rank: rank}
		r.Breakdown = pricing.Breakdown{Price: d(price), DutiesLevies: d(duties), Taxes: d(taxes), Subsidies: d(subsidies)}
		r.LandedCost = r.Breakdown.Price.Add(r.Breakdown.DutiesLevies).Add(r.Breakdown.Taxes).Add(r.Breakdown.Subsidies)
		r.OC.Supplier.Name = "S" + strconv.Itoa(rank)
		return r
	}
	ch := buildChart(v, []compareRow{row(1, "800", "0", "152", "-200"), row(2, "1000", "100", "209", "0")}, "EUR")
	if len(ch.Bars) != 2 || ch.ZeroX <= 0 {
		t.Fatalf("bars %d, zero at %v", len(ch.Bars), ch.ZeroX)
	}
	const eps = 0.2 // geometry is rounded to 0.1
	for i, b := range ch.Bars {
		right := ch.ZeroX
		for _, s := range b.Segs {
			switch {
			case strings.Contains(s.Class, "negative"):
				if s.X+s.W > ch.ZeroX+eps || s.X < -eps || !strings.Contains(s.Class, "seg-subsidies") {
					t.Errorf("bar %d: negative segment %+v not left of zero %v", i, s, ch.ZeroX)
				}
			default:
				if s.X < right-eps || s.X > right+eps {
					t.Errorf("bar %d: segment %+v does not follow the previous one at %v", i, s, right)
				}
				right = s.X + s.W
			}
		}
		if right > chartAxisW+eps {
			t.Errorf("bar %d runs past the axis: %v", i, right)
		}
		if !strings.Contains(b.Title, "Subsidies (negative, left of zero): EUR") || !strings.Contains(b.Title, "Landed cost EUR") {
			t.Errorf("bar %d title %q", i, b.Title)
		}
	}
	if got := len(ch.Bars[0].Segs); got != 3 {
		t.Errorf("bar 1 has %d segments, want price, taxes and subsidies", got)
	}
	// The longest positive stack (1309) fills the axis right of zero; the largest subsidy (200)
	// the part left of it: zero sits at 200/1509 of the 1000-unit axis = 132.5.
	if w := chartAxisW - ch.ZeroX; w < chartAxisW*1309/1509-1 || w > chartAxisW*1309/1509+1 {
		t.Errorf("positive part %v wide, want about %v", w, chartAxisW*1309/1509)
	}
}
