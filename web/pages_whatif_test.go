package web

import (
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// checkPage fails on what no page may contain: untranslated keys, inline script or style.
func checkPage(t *testing.T, what string, r pageResp) {
	t.Helper()
	if strings.Contains(r.Body, "⟦") {
		t.Errorf("%s: untranslated key: %s", what, regexp.MustCompile(`⟦[^⟧]*⟧`).FindString(r.Body))
	}
	if strings.Contains(r.Body, " style=") || regexp.MustCompile(`<script>|<script [^s]`).MatchString(r.Body) {
		t.Errorf("%s: inline style or script", what)
	}
}

func TestWhatifFormPage(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	r := pc.get("/whatif")
	if r.Status != 200 {
		t.Fatalf("GET /whatif: %d\n%.1500s", r.Status, r.Body)
	}
	for _, w := range []string{"What-if workbench", `<form method="post" action="/whatif" enctype="multipart/form-data"`, `name="_csrf" value="`,
		`type="checkbox" name="scenario" value="eu-compute-levy-cn-10"`, `<textarea id="w-document" name="document"`,
		`name="basket" value="need" id="w-basket-need" checked`, `type="file" name="basket_file"`, `name="orders.from"`,
		`name="sweep"`, `name="as_of"`, `value="accelerator=h100-sxm"`, `id="nav-whatif"`} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("GET /whatif lacks %q", w)
		}
	}
	checkPage(t, "GET /whatif", r)

	pc.lang = "zh-CN"
	r = pc.get("/whatif")
	for _, w := range []string{"假设分析工作台", "运行研究", `<html lang="zh-CN">`, ">假设分析</a>"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("zh GET /whatif lacks %q", w)
		}
	}
	checkPage(t, "zh GET /whatif", r)

	// The navigation links the workbench from every page.
	pc.lang = ""
	if r := pc.get("/"); !strings.Contains(r.Body, `<a href="/whatif" id="nav-whatif">What-if</a>`) {
		t.Error("the market page's navigation lacks the workbench")
	}
}

// studyPageApp serves the study page of smallResult at /study (status done) and a running
// study's page at /running, through the real templates.
func studyPageApp(t *testing.T) *fiber.App {
	t.Helper()
	_, svc, _ := seededApp(t)
	u := newUI(Deps{Market: svc, Log: slog.Default()})
	app := fiber.New()
	app.Get("/study", u.page(func(c *fiber.Ctx, v *view) error {
		return u.renderStudy(c, v, whatifStudyPage{ID: "st_0123456789abcdef", Status: studyDone}, smallResult())
	}))
	app.Get("/running", u.page(func(c *fiber.Ctx, v *view) error {
		return u.renderStudy(c, v, whatifStudyPage{ID: "st_0123456789abcdef", Status: studyRunning, Done: 1500, Total: 6000}, nil)
	}))
	return app
}

func TestWhatifStudyPage(t *testing.T) {
	pc := newPageClient(t, studyPageApp(t))
	r := pc.get("/study")
	if r.Status != 200 {
		t.Fatalf("study page: %d\n%.2000s", r.Status, r.Body)
	}
	for _, w := range []string{
		"Study st_0123456789abcdef", `href="/api/v1/studies/st_0123456789abcdef.csv"`, `href="/api/v1/studies/st_0123456789abcdef"`,
		// Summary: 2026-11-27, EUR, the sweep.
		"Priced as of 2026-11-27 in EUR", "Sweep eu-levy.rate=0%..20% step 10% over 3 points",
		// Charts with their text alternatives.
		`<figure class="whatif-chart" id="chart-origins">`, `id="chart-waterfall-1"`, `id="chart-sweep-1"`, `<svg xmlns="http://www.w3.org/2000/svg"`,
		`<table class="chart-table">`,
		// Flow 1 under the levy: 1100.00, +100.00 (+10.00%), the levy added (html/template writes + as &#43;).
		`<td class="num">EUR 1,100.00</td>`, `<td class="num">&#43;EUR 100.00</td><td class="num">&#43;10.00%</td>`, "Levy added: eu-levy 10% (&#43;EUR 100.00)",
		"VAT de-vat: amount changed (&#43;EUR 19.00)",
		// Aggregates: DE 2200.00 against 2100.00, +4.76% (100 / 2100 = 4.7619…).
		`id="by-country-table"`, `<td class="num">EUR 2,200.00</td><td class="num">EUR 2,100.00</td><td class="num">&#43;EUR 100.00</td><td class="num">&#43;4.76%</td>`,
		`id="by-origin-table"`,
		// Revenue: the EU levy collects 100.00 under the levy.
		`<th scope="row">EU</th><td>Levy</td><td>EU levy 10%</td><td class="num">EUR 100.00</td>`,
		// Cheapest and the switch.
		`id="cheapest-table"`, "cn-ningxia-zhongwei", `id="breakpoints-table"`, "<td>cn-ningxia-zhongwei</td><td>eu-de-frankfurt</td><td>at 10%</td>",
	} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("study page lacks %q", w)
		}
	}
	if strings.Contains(r.Body, `http-equiv="refresh"`) || strings.Contains(r.Body, "<progress") {
		t.Error("a finished study's page refreshes itself or shows progress")
	}
	checkPage(t, "study page", r)

	r = pc.get("/running")
	for _, w := range []string{`<meta http-equiv="refresh" content="2">`, `<progress id="progress" max="6000" value="1500">25%</progress>`,
		"1,500 of 6,000 evaluations", "Running"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("running study page lacks %q", w)
		}
	}
	if strings.Contains(r.Body, `id="flows-table"`) {
		t.Error("a running study shows tables")
	}

	pc.lang = "zh-CN"
	r = pc.get("/study")
	for _, w := range []string{"研究 st_0123456789abcdef", "各情景下的交易流", "按征收辖区的收入", "在 10%", "1,100.00 欧元"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("zh study page lacks %q", w)
		}
	}
	checkPage(t, "zh study page", r)
}
