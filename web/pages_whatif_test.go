package web

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
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
	app.Get("/failed", u.page(func(c *fiber.Ctx, v *view) error {
		return u.renderStudy(c, v, whatifStudyPage{ID: "st_0123456789abcdef", Status: studyFailed,
			Message: "the study was interrupted (the server running it stopped); run it again"}, nil)
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
		`id="by-origin-table"`, `href="/api/v1/studies/st_0123456789abcdef.csv?table=by_buyer_country"`, `href="/api/v1/studies/st_0123456789abcdef.csv?table=revenue"`,
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

	r = pc.get("/failed")
	for _, w := range []string{`id="study-failed"`, "The study could not be run:", "the study was interrupted", `<a href="/whatif">New study</a>`} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("failed study page lacks %q", w)
		}
	}
	if strings.Contains(r.Body, `http-equiv="refresh"`) {
		t.Error("a failed study refreshes itself")
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

// postMultipart posts a multipart form (the workbench's enctype) with an optional file.
func (p *pageClient) postMultipart(path string, form url.Values, fileField, fileName, file string) pageResp {
	p.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		io.WriteString(fw, file)
	}
	w.Close()
	return p.send(http.MethodPost, path, &body, w.FormDataContentType())
}

// whatifNeedForm is the workbench's form for 8 H100 × 720 h for a German business, every
// matching offer priced under the baseline and the EU's 10% levy on compute from China.
func whatifNeedForm(tok string) url.Values {
	return url.Values{"_csrf": {tok}, "scenario": {"eu-compute-levy-cn-10"}, "basket": {"need"}, "need": {"accelerator=h100-sxm"},
		"gpus": {"8"}, "hours": {"720"}, "buyer.country": {"DE"}, "buyer.type": {"business"}, "currency": {"EUR"}}
}

var studyPath = regexp.MustCompile(`^/whatif/st_[0-9a-f]{32}$`)

func TestWhatifRunNeedStudy(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/whatif").Body)

	// Without the CSRF token: refused, nothing run.
	form := whatifNeedForm("")
	form.Del("_csrf")
	if r := pc.postMultipart("/whatif", form, "", "", ""); r.Status != 403 {
		t.Fatalf("post without CSRF: %d", r.Status)
	}
	bad := whatifNeedForm("forged-token")
	if r := pc.post("/whatif", bad); r.Status != 403 {
		t.Fatalf("post with a forged CSRF token: %d", r.Status)
	}

	form = whatifNeedForm(tok)
	form.Set("sweep", "eu-levy-cn-compute.rate=0%..30% step 10%")
	r := pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 303 || !studyPath.MatchString(r.Location) {
		t.Fatalf("run: %d %q\n%.3000s", r.Status, r.Location, r.Body)
	}
	id := strings.TrimPrefix(r.Location, "/whatif/")
	r = pc.get(r.Location)
	if r.Status != 200 {
		t.Fatalf("study page: %d\n%.2000s", r.Status, r.Body)
	}
	for _, w := range []string{"Study " + id, "Done", `id="flows-table"`, `id="chart-origins"`, `id="chart-waterfall-1"`, `id="chart-sweep-1"`,
		`id="by-country-table"`, `id="by-origin-table"`, `id="revenue-table"`, `id="cheapest-table"`, `id="breakpoints-table"`,
		"EU levies 10% on compute imported from China", `href="/api/v1/studies/` + id + `.csv"`, "DE · Business",
		"cn-ningxia-zhongwei", "Sweep eu-levy-cn-compute.rate=0%..30% step 10% over 4 points"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("study page lacks %q", w)
		}
	}
	if strings.Contains(r.Body, `http-equiv="refresh"`) {
		t.Error("a done study refreshes itself")
	}
	if !regexp.MustCompile(`id="study-basket">Basket: every offer matching accelerator=h100-sxm for 8 GPUs × 720 h, a buyer in DE \(Business \(VAT-registered\)\): \d+ flows\.`).MatchString(r.Body) {
		t.Errorf("the study page does not say what its basket is:\n%s", regexp.MustCompile(`id="study-basket">[^<]*`).FindString(r.Body))
	}
	checkPage(t, "study page", r)

	// Re-run with the same pins: a new study, the same tables (CSRF-checked).
	if r := pc.post("/whatif/"+id+"/rerun", url.Values{}); r.Status != 403 {
		t.Errorf("re-run without CSRF: %d", r.Status)
	}
	rr := pc.post("/whatif/"+id+"/rerun", url.Values{"_csrf": {tok}})
	if rr.Status != 303 || !studyPath.MatchString(rr.Location) || rr.Location == "/whatif/"+id {
		t.Fatalf("re-run: %d %q", rr.Status, rr.Location)
	}
	table := regexp.MustCompile(`(?s)<table class="data" id="flows-table">.*?</table>`)
	if a, b := table.FindString(r.Body), table.FindString(pc.get(rr.Location).Body); a == "" || a != b {
		t.Errorf("the re-run's flows differ from the study's")
	}

	// "Change and run again": the form starts from the study's request.
	again := pc.get("/whatif?from=" + id)
	for _, w := range []string{`value="eu-compute-levy-cn-10" id="w-sc-eu-compute-levy-cn-10" checked`, `value="eu-levy-cn-compute.rate=0%..30% step 10%"`,
		`name="basket" value="need" id="w-basket-need" checked`, `id="w-gpus" name="gpus" inputmode="numeric" value="8"`, `<option value="DE" selected>`} {
		if !strings.Contains(again.Body, w) {
			t.Errorf("the form from the study lacks %q", w)
		}
	}
	if r := pc.get("/whatif?from=st_nope"); r.Status != 404 {
		t.Errorf("a form from an unknown study: %d", r.Status)
	}

	// The same permalink in Chinese.
	pc.lang = "zh-CN"
	r = pc.get("/whatif/" + id)
	for _, w := range []string{"研究 " + id, "已完成", "各情景下的交易流", "按买方国家的到岸成本", "欧元"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("zh study page lacks %q", w)
		}
	}
	checkPage(t, "zh study page", r)

	// An unknown study is an HTML 404.
	pc.lang = ""
	if r := pc.get("/whatif/st_00000000000000000000000000000000"); r.Status != 404 || !strings.Contains(r.Body, "Not found") {
		t.Errorf("unknown study: %d", r.Status)
	}
}

func TestWhatifBadInputKeptInForm(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/whatif").Body)

	// An invalid scenario document: its line:col problems beside the textarea, the text kept,
	// nothing run.
	doc := "format: corridor.scenario/v1\nid: my-levy\nbase: baseline\ntitle: My levy <b>\nchanges:\n  - add:\n      id: x\n      kind: levyy\n"
	form := whatifNeedForm(tok)
	form.Del("scenario")
	form.Set("document", doc)
	r := pc.postMultipart("/whatif", form, "", "", "")
	if r.Status < 400 || r.Status >= 500 || r.Location != "" {
		t.Fatalf("bad document: %d %q", r.Status, r.Location)
	}
	for _, w := range []string{`id="w-document-problems"`, "The scenario document has problems; nothing was run.", "<li><code>8:13: ",
		"title: My levy &lt;b&gt;", `aria-invalid="true"`, `value="accelerator=h100-sxm"`} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("bad document page lacks %q\n%.200s", w, r.Body[strings.Index(r.Body, "<main"):])
		}
	}
	checkPage(t, "bad document", r)

	// Fields that do not parse and a bad sweep: each named beside its input, the text kept.
	form = whatifNeedForm(tok)
	form.Set("gpus", "eight")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 400 || !strings.Contains(r.Body, `value="eight"`) || !strings.Contains(r.Body, `role="alert">must be a whole number, got &#34;eight&#34;<`) {
		t.Errorf("gpus=eight: %d\n%.3000s", r.Status, r.Body)
	}
	form = whatifNeedForm(tok)
	form.Set("sweep", "eu-levy-cn-compute.rate=0%..30% step 0.00001%")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status < 400 || r.Status >= 500 || !strings.Contains(r.Body, `value="eu-levy-cn-compute.rate=0%..30% step 0.00001%"`) ||
		!regexp.MustCompile(`id="w-sweep"[^>]*aria-invalid="true"`).MatchString(r.Body) {
		t.Errorf("sweep of too many points: %d\n%.3000s", r.Status, r.Body)
	}
	form = whatifNeedForm(tok)
	form.Set("scenario", "no-such-scenario")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status < 400 || r.Status >= 500 || !strings.Contains(r.Body, "no-such-scenario") {
		t.Errorf("unknown scenario: %d\n%.3000s", r.Status, r.Body)
	}

	// A CSV basket without a file, and an orders basket without dates: named at their inputs.
	form = whatifNeedForm(tok)
	form.Set("basket", "csv")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status < 400 || r.Status >= 500 || !regexp.MustCompile(`id="w-file"[^>]*aria-invalid="true"`).MatchString(r.Body) ||
		!strings.Contains(r.Body, `name="basket" value="csv" id="w-basket-csv" checked`) {
		t.Errorf("csv basket without a file: %d\n%.3000s", r.Status, r.Body)
	}
	form.Set("basket", "orders")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 400 || !regexp.MustCompile(`id="w-from"[^>]*aria-invalid="true"`).MatchString(r.Body) {
		t.Errorf("orders basket without dates: %d", r.Status)
	}

	// In Chinese, the form's words are Chinese and the problems are still shown.
	pc.lang = "zh-CN"
	form = whatifNeedForm(tok)
	form.Set("hours", "很多")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 400 || !strings.Contains(r.Body, "运行研究") || !strings.Contains(r.Body, `value="很多"`) {
		t.Errorf("zh bad hours: %d", r.Status)
	}
}

func TestWhatifCSVBasket(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/whatif").Body)
	form := url.Values{"_csrf": {tok}, "scenario": {"eu-compute-levy-cn-10"}, "basket": {"csv"}, "currency": {"EUR"}}

	// Every bad cell is named with its row and column beside the file input; nothing runs.
	bad := "buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760\nXX,robot,h100-sxm,CN,gpu_hours,-1\n"
	r := pc.postMultipart("/whatif", form, "basket_file", "basket.csv", bad)
	if r.Status < 400 || r.Status >= 500 || r.Location != "" || !strings.Contains(r.Body, "basket.csv:3:") {
		t.Fatalf("bad basket: %d %q\n%.3000s", r.Status, r.Location, r.Body)
	}

	good := "buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760\nFR,consumer,h100-sxm,CN,gpu_hours,720\n"
	r = pc.postMultipart("/whatif", form, "basket_file", "basket.csv", good)
	if r.Status != 303 || !studyPath.MatchString(r.Location) {
		t.Fatalf("csv basket: %d %q\n%.3000s", r.Status, r.Location, r.Body)
	}
	r = pc.get(r.Location)
	if !strings.Contains(r.Body, "FR · Consumer") || !strings.Contains(r.Body, `id="chart-origins"`) {
		t.Errorf("csv study page:\n%.3000s", r.Body)
	}

	// A file larger than the form's in-memory buffers (about 290 KB, 5,000 rows) is read whole;
	// the page shows the first 200 flow rows of 10,000 (5,000 flows × baseline and levy).
	big := "buyer_country,buyer_type,accelerator,origin,product,quantity\n" + strings.Repeat("DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760\n", 5000)
	r = pc.postMultipart("/whatif", form, "basket_file", "big.csv", big)
	if r.Status != 303 || !studyPath.MatchString(r.Location) {
		t.Fatalf("big csv basket: %d %q\n%.3000s", r.Status, r.Location, r.Body)
	}
	r = pc.get(r.Location)
	if !strings.Contains(r.Body, "The first 200 of 10,000 rows") || strings.Count(r.Body, `<tr class="flow-row`) != 200 {
		t.Errorf("big csv study page: %d flow rows\n%s", strings.Count(r.Body, `<tr class="flow-row`), regexp.MustCompile(`id="flows-shown">[^<]*`).FindString(r.Body))
	}
}

// TestWhatifUploadLimit: a well-formed 100 MB upload to the workbench is refused (413, the
// body named) without being run, over a real connection.
func TestWhatifUploadLimit(t *testing.T) {
	base, _ := liveServer(t)
	const size = 100 << 20
	head := "--x\r\nContent-Disposition: form-data; name=\"basket\"\r\n\r\ncsv\r\n" +
		"--x\r\nContent-Disposition: form-data; name=\"basket_file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n"
	tail := "\r\n--x--\r\n"
	body := io.MultiReader(strings.NewReader(head), io.LimitReader(repeatReader('x'), size), strings.NewReader(tail))
	req, _ := http.NewRequest(http.MethodPost, base+"/whatif", body)
	req.ContentLength = int64(len(head) + size + len(tail))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"field":"body"`) {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}

// TestWhatifQueuedStudy: a study above marketplace.StudySyncEvaluations (2,000 CSV rows × the
// baseline, the levy and 100 sweep points = 204,000 evaluations) is queued: the permalink
// shows its progress and reloads itself until it is done, then its tables.
func TestWhatifQueuedStudy(t *testing.T) {
	app, svc, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/whatif").Body)
	form := url.Values{"_csrf": {tok}, "scenario": {"eu-compute-levy-cn-10"}, "basket": {"csv"}, "currency": {"EUR"},
		"sweep": {"eu-levy-cn-compute.rate=0%..49.5% step 0.5%"}}
	basket := "buyer_country,buyer_type,accelerator,origin,product,quantity\n" + strings.Repeat("DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760\n", 2000)
	r := pc.postMultipart("/whatif", form, "basket_file", "basket.csv", basket)
	if r.Status != 303 || !studyPath.MatchString(r.Location) {
		t.Fatalf("queued study: %d %q\n%.3000s", r.Status, r.Location, r.Body)
	}
	first := pc.get(r.Location)
	// The study may already be done on a fast machine; while it is not, the page shows progress.
	if !strings.Contains(first.Body, `id="flows-table"`) {
		for _, w := range []string{`<meta http-equiv="refresh" content="2">`, `<progress id="progress" max="204000"`, "of 204,000 evaluations"} {
			if !strings.Contains(first.Body, w) {
				t.Errorf("running study page lacks %q\n%.3000s", w, first.Body)
			}
		}
	}
	svc.WaitStudies()
	done := pc.get(r.Location)
	if !strings.Contains(done.Body, `id="flows-table"`) || strings.Contains(done.Body, `http-equiv="refresh"`) ||
		!strings.Contains(done.Body, "Sweep eu-levy-cn-compute.rate=0%..49.5% step 0.5% over 100 points") {
		t.Errorf("done study page:\n%.3000s", done.Body)
	}
}

// TestWhatifInlineScenarioStaysText: a scenario written in the page runs beside the library's,
// and markup in its title (which names a series of every chart) stays text in the tables and
// the SVGs.
func TestWhatifInlineScenarioStaysText(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	tok := token(t, pc.get("/whatif").Body)
	doc := `format: corridor.scenario/v1
id: my-levy-20
base: baseline
title: "<script>alert(1)</script> levy 20%"
as_of: 2026-11-27
changes:
  - add:
      id: my-levy-cn-compute
      kind: additional_duty
      jurisdiction: EU
      direction: import
      origin: [CN]
      destination: [EU27]
      products: [gpu_hours, bare_metal]
      rate: "20%"
      base: net_price
      legal: ["hypothetical"]
      confidence: illustrative
      as_of: 2026-11-27
`
	form := whatifNeedForm(tok)
	form.Set("document", doc)
	r := pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 303 {
		t.Fatalf("inline scenario: %d\n%.3000s", r.Status, r.Body)
	}
	r = pc.get(r.Location)
	if strings.Contains(r.Body, "<script>alert") {
		t.Error("the scenario's title is markup on the page")
	}
	if !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt; levy 20%") || !strings.Contains(r.Body, "EU levies 10% on compute imported from China") {
		t.Errorf("the study page lacks a scenario:\n%.3000s", r.Body)
	}
	// Three scenarios: the baseline, the library's and the written one, each a waterfall but the baseline.
	if !strings.Contains(r.Body, `id="chart-waterfall-2"`) {
		t.Error("no waterfall for the written scenario")
	}
	checkPage(t, "inline scenario", r)
}
