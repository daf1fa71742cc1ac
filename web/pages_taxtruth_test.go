package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestQuoteFormTermsWithoutJavaScript: the offer page's form carries the buyer's headquarters,
// purpose, contract tax terms and VAT recovery share, the quote page says how it was priced and
// how sure it is, and a share that does not parse is shown next to its field with the options
// open.
func TestQuoteFormTermsWithoutJavaScript(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	offer := pc.get("/offers/demo-offer-001")
	for _, w := range []string{`name="buyer.headquarters"`, `name="purpose"`, `name="tax_terms"`, `name="buyer.vat_recovery"`, `id="q-vat"`,
		"Net of Chinese tax", "Established in", `id="offer-tax-terms"`, "Wafer fab", "Taiwan"} {
		if !strings.Contains(offer.Body, w) {
			t.Errorf("offer page lacks %q", w)
		}
	}
	// The market filters by every export class, unknown included.
	if m := pc.get("/?export_class=unknown"); m.Status != http.StatusOK || !strings.Contains(m.Body, `<option value="unknown" selected>`) || !strings.Contains(m.Body, `<option value="3a090b"`) {
		t.Errorf("market filter by export class unknown: %d", m.Status)
	}
	// A Shenzhen business headquartered in Hong Kong, training, tax-inclusive terms, recovering
	// 60% of its VAT: demo-offer-001 in CNY, 8 GPUs × 100 h × 15.80 = CNY 12,640.00.
	form := url.Values{"_csrf": {token(t, offer.Body)}, "offer_id": {"demo-offer-001"}, "gpus": {"8"}, "hours": {"100"}, "buyer.country": {"CN"},
		"buyer.type": {"business"}, "currency": {"CNY"}, "buyer.region": {"cn-shenzhen"}, "buyer.headquarters": {"HK"}, "purpose": {"training"},
		"tax_terms": {"tax_inclusive"}, "buyer.vat_recovery": {"60%"}}
	r := pc.post("/quotes", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("POST /quotes: %d\n%.2000s", r.Status, r.Body)
	}
	q := pc.get(r.Location)
	for _, w := range []string{"This quote rests on illustrative figures", "the offer&#39;s price (demo-offer-001)", "Hong Kong", "Training",
		"recovering 60% of its VAT", "Chinese tax included", "established in China (CN); capacity hosted in China (CN)",
		`class="badge conf-sourced"`, `class="line-source"`, "Shenzhen"} {
		if !strings.Contains(q.Body, w) {
			t.Errorf("quote page lacks %q", w)
		}
	}
	pc.cookies[langCookie] = "zh"
	zh := pc.get(r.Location)
	for _, w := range []string{"本报价依赖示意数据", "训练", "含中国税", "来源"} {
		if !strings.Contains(zh.Body, w) {
			t.Errorf("Chinese quote page lacks %q", w)
		}
	}
	delete(pc.cookies, langCookie)
	form.Set("_csrf", token(t, pc.get("/offers/demo-offer-001").Body))
	form.Set("buyer.vat_recovery", "lots")
	bad := pc.post("/quotes", form)
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `id="q-recovery" name="buyer.vat_recovery" value="lots"`) ||
		!strings.Contains(bad.Body, "must be a share") || !strings.Contains(bad.Body, `<details class="more" open>`) {
		t.Errorf("bad share: %d\n%.3000s", bad.Status, bad.Body)
	}
	// A German business without a VAT number is quoted as a consumer, and the page says why.
	form = germanQuoteForm("demo-offer-001", token(t, pc.get("/offers/demo-offer-001").Body))
	form.Del("buyer.vat_id")
	r = pc.post("/quotes", form)
	if q := pc.get(r.Location); !strings.Contains(q.Body, `id="priced-as"`) || !strings.Contains(q.Body, "VAT number not valid") {
		t.Errorf("no VAT number: the quote page does not say it was priced as a consumer")
	}
}

// TestCompareTermsWithoutJavaScript: the compare form carries the terms and the results say
// under which terms every offer was priced, in the bookmarkable URL too.
func TestCompareTermsWithoutJavaScript(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	r := pc.get("/compare?accelerator=h100-sxm&gpus=8&hours=100&buyer.country=CN&buyer.type=business&currency=CNY&tax_terms=tax_inclusive&purpose=training&buyer.headquarters=HK")
	if r.Status != http.StatusOK {
		t.Fatalf("compare: %d\n%.2000s", r.Status, r.Body)
	}
	for _, w := range []string{`id="compare-terms"`, "Tax terms: Chinese tax included", `<option value="tax_inclusive" selected>`, `<option value="training" selected>`,
		"tax_terms=tax_inclusive", `class="row-terms"`, "CN tax included"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("compare page lacks %q", w)
		}
	}
	// Each offer under its own terms by default; a German business without a VAT number is
	// ranked as a consumer, and told so.
	r = pc.get("/compare?accelerator=h100-sxm&gpus=8&hours=100&buyer.country=DE&buyer.type=business&currency=EUR")
	for _, w := range []string{"each offer under its own posted terms", `id="compare-notices"`, "VAT number not valid", "Ranked by total payable"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("compare page (no VAT number) lacks %q", w)
		}
	}
}

// TestBrowserQuoteTerms fills the new fields of the offer page's form in Chromium, then the
// compare form's tax terms.
func TestBrowserQuoteTerms(t *testing.T) {
	ctx, _ := browser(t)
	base, _ := liveServer(t)
	run(t, ctx, "offer page", chromedp.Navigate(base+"/offers/demo-offer-001"), chromedp.WaitVisible(chromedp.ID("quote-form")),
		chromedp.SetValue(chromedp.ID("q-gpus"), "8"), chromedp.SetValue(chromedp.ID("q-hours"), "100"),
		chromedp.SetValue(chromedp.ID("q-country"), "CN"), chromedp.Click(chromedp.CSS(`input[name="buyer.type"][value="business"]`)),
		chromedp.SetValue(chromedp.ID("q-currency"), "CNY"), chromedp.Click(chromedp.CSS("details.more summary")),
		chromedp.WaitVisible(chromedp.ID("q-purpose")), chromedp.SetValue(chromedp.ID("q-region"), "cn-shenzhen"),
		chromedp.SetValue(chromedp.ID("q-purpose"), "training"), chromedp.SetValue(chromedp.ID("q-terms"), "net_of_cn_tax"),
		chromedp.SetValue(chromedp.ID("q-hq"), "HK"), chromedp.SetValue(chromedp.ID("q-recovery"), "60%"))
	run(t, ctx, "submit the quote form", clickAndLoad("#get-quote"), chromedp.WaitVisible(chromedp.ID("quote-total")))
	body := textOf(t, ctx, "main")
	for _, w := range []string{"This quote rests on illustrative figures", "Training", "Hong Kong", "recovering 60% of its VAT",
		"Net of Chinese tax", "Shenzhen"} {
		if !strings.Contains(body, w) {
			t.Errorf("quote page lacks %q:\n%.2500s", w, body)
		}
	}
	screenshots(t, ctx, "quote-terms")
	run(t, ctx, "compare page", chromedp.Navigate(base+comparePath), chromedp.WaitVisible(chromedp.ID("compare-terms")),
		chromedp.Click(chromedp.CSS("details.need-fields summary")), chromedp.WaitVisible(chromedp.ID("c-terms")),
		chromedp.SetValue(chromedp.ID("c-terms"), "tax_inclusive"))
	run(t, ctx, "submit the compare form", clickAndLoad("#compare"), chromedp.WaitVisible(chromedp.ID("compare-terms")))
	if terms := textOf(t, ctx, "#compare-terms"); !strings.Contains(terms, "Chinese tax included") {
		t.Errorf("compare terms %q", terms)
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(u, "tax_terms=tax_inclusive") {
		t.Errorf("compare URL %q (%v)", u, err)
	}
	screenshots(t, ctx, "compare-terms")
}
