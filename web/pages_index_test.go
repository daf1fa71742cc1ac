package web

import (
	"strings"
	"testing"
)

// TestIndexPage: on a fresh demo market the page falls back to the demo series and says so,
// in both languages, with both charts, the table with sample sizes, and the methodology link.
func TestIndexPage(t *testing.T) {
	app, _, _ := seededApp(t)
	p := newPageClient(t, app)
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Landed compute price index", "Demo data.", "No real orders or offers are in this range yet", `id="index-price-chart"`, "<svg", `id="index-table"`,
			`href="/docs/price-index"`, "H100-class", "gap", `id="nav-index"`, "Landed for German business with a VAT number"}},
		{"zh-CN", []string{"到岸算力价格指数", "演示数据。", "<svg", "价格指数方法说明", "缺口"}},
	} {
		p.lang = tt.lang
		r := p.get("/index")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /index (%s): %d", tt.lang, r.Status)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("/index (%s) lacks %q", tt.lang, w)
			}
		}
		if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, "style=") {
			t.Errorf("/index (%s) has inline script or style", tt.lang)
		}
	}
	p.lang = "en"
	// The real series, asked for, is shown empty with gaps and no demo banner.
	r := p.get("/index?series=real&class=a100&bloc=EU")
	if strings.Contains(r.Body, `id="index-demo"`) || !strings.Contains(r.Body, `id="index-empty"`) {
		t.Error("the real series of a fresh market is not shown as empty")
	}
	// Bad parameters give an HTML error page naming the field.
	r = p.get("/index?bloc=US")
	if r.Status != 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Body, "bloc") {
		t.Errorf("/index?bloc=US: %d", r.Status)
	}
	// The methodology page is served.
	r = p.get("/docs/price-index")
	if r.Status != 200 || !strings.Contains(r.Body, "Outlier rule") {
		t.Errorf("/docs/price-index: %d", r.Status)
	}
}

// TestOfferPageIndexLine: a demo H100 offer in CN is compared with the demo series' posted
// index of H100-class CN offers this week.
func TestOfferPageIndexLine(t *testing.T) {
	app, _, _ := seededApp(t)
	r := newPageClient(t, app).get("/offers/demo-offer-001")
	if r.Status != 200 {
		t.Fatalf("offer page: %d", r.Status)
	}
	i := strings.Index(r.Body, `id="offer-index-line"`)
	if i < 0 {
		t.Fatal("no index line on the offer page")
	}
	line := r.Body[i:min(len(r.Body), i+600)]
	for _, w := range []string{"H100-class CN posted index this week", "(demo series)", "/index?bloc=CN&amp;class=h100&amp;series=demo"} {
		if !strings.Contains(line, w) {
			t.Errorf("index line lacks %q: %s", w, line)
		}
	}
	t.Log(line)
}
