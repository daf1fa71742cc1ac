package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWhatif builds a study in /whatif (a library scenario, a need, a sweep of the
// scenario's levy), runs it, reads the charts and the tables on its permalink, downloads its
// CSV (the link fetched as the browser would, header row checked) and switches to Chinese.
func TestBrowserWhatif(t *testing.T) {
	ctx, dialogs := browser(t)
	base, _ := liveServer(t)

	run(t, ctx, "the workbench", chromedp.Navigate(base+"/"), clickAndLoad("#nav-whatif"), chromedp.WaitVisible(chromedp.ID("whatif-form")),
		chromedp.Click(chromedp.ID("w-sc-eu-compute-levy-cn-10")),
		chromedp.SetValue(chromedp.ID("w-filter"), "accelerator=h100-sxm"),
		chromedp.SetValue(chromedp.ID("w-gpus"), "8"), chromedp.SetValue(chromedp.ID("w-hours"), "720"),
		chromedp.SetValue(chromedp.ID("w-country"), "DE"), chromedp.SetValue(chromedp.ID("w-type"), "business"),
		chromedp.SetValue(chromedp.ID("w-currency"), "EUR"),
		chromedp.SetValue(chromedp.ID("w-sweep"), "eu-levy-cn-compute.rate=0%..40% step 5%"))
	screenshots(t, ctx, "whatif-form")
	run(t, ctx, "run the study", clickAndLoad("#whatif-run"), chromedp.WaitVisible(chromedp.ID("flows-table")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !studyPath.MatchString(strings.TrimPrefix(loc, base)) {
		t.Fatalf("after running: %q (%v)", loc, err)
	}
	if s := textOf(t, ctx, "#study-status"); !strings.Contains(s, "Done") {
		t.Errorf("status %q", s)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("figure.whatif-chart svg title")].map(e => e.textContent)`))
	if err != nil || len(charts) < 3 {
		t.Fatalf("charts %q (%v)", charts, err)
	}
	for i, want := range []string{"Landed cost per origin under each scenario", "From the baseline to", "Cheapest landed cost per need along the sweep"} {
		if !strings.Contains(strings.Join(charts, "|"), want) {
			t.Errorf("no chart %d %q among %q", i, want, charts)
		}
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#flows-table tbody tr").length`))
	if err != nil || rows == 0 {
		t.Errorf("flows table: %d rows (%v)", rows, err)
	}
	if s := textOf(t, ctx, "#flows-table"); !strings.Contains(s, "EU levies 10% on compute imported from China") || !strings.Contains(s, "EUR ") {
		t.Errorf("flows table:\n%.1500s", s)
	}
	// From a phone to a wide screen, the page never scrolls sideways (wide tables scroll in
	// their own box).
	for _, w := range []int64{375, 768, 1440} {
		run(t, ctx, "resize", chromedp.EmulateViewport(w, 900))
		sw, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if err != nil || sw[0] > sw[1] {
			t.Errorf("at %d px the study page is %v wide (%v)", w, sw, err)
		}
	}
	run(t, ctx, "resize", chromedp.EmulateViewport(1440, 900))
	screenshots(t, ctx, "whatif-study")
	for _, id := range []string{"chart-origins", "chart-waterfall-1", "chart-sweep-1", "chart-sweep-2"} { // each chart on its own, for a reviewer
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("screenshot %s: %v", id, err)
		}
		if err := os.WriteFile(filepath.Join(browserArtifacts, "whatif-"+id+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if pages := printedPages(t, ctx, "whatif-study"); pages < 1 {
		t.Errorf("the printed study has %d pages", pages)
	}

	// The CSV download: the link's file, first row the flows table's header.
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#download-csv").href).then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(csv, "\n"); !strings.HasPrefix(head, "flow,offer_id,need,origin") {
		t.Errorf("CSV download starts %q", head)
	}

	// Every table's CSV link and the JSON answer.
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Promise.all([...document.querySelectorAll("a.csv-link, #download-json")].map(a => fetch(a.href).then(r => r.status)))`, chromedp.EvalAwaitPromise))
	if err != nil || len(statuses) < 7 {
		t.Errorf("download links: %v (%v)", statuses, err)
	}
	for i, st := range statuses {
		if st != 200 {
			t.Errorf("download link %d: HTTP %d", i, st)
		}
	}

	// Chinese.
	run(t, ctx, "switch to Chinese", clickAndLoad("#lang-zh"), chromedp.WaitVisible(chromedp.ID("lang-en")), chromedp.WaitVisible(chromedp.ID("flows-table")))
	if body := textOf(t, ctx, "main"); !strings.Contains(body, "各情景下的交易流") || !strings.Contains(body, "已完成") {
		t.Errorf("Chinese study page:\n%.1500s", body)
	}
	// None of the page's own English words on the Chinese page (data aside: offer ids, need
	// names, origins and hashes are in code or cells of their own).
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const c = document.querySelector("main").cloneNode(true);
		c.querySelectorAll("code, .hash, details").forEach(e => e.remove());
		return c.innerText + " " + [...document.querySelectorAll("main svg title, main svg desc, main svg .legend text, main svg .axis-title")].map(e => e.textContent).join(" ");
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Landed cost", "Net cost", "Scenario", "Baseline", "Change", "Revenue", "Cheapest", "Download", "Status", "Done",
		"Charts", "Line kind", "Sweep value", "Switch points", "Increase", "Decrease", "Additional duty", "Re-run", "Flows", "Basket", "EUR 1"} {
		if i := strings.Index(text, w); i >= 0 {
			t.Errorf("the Chinese study page shows %q: …%s…", w, text[max(0, i-40):min(len(text), i+40)])
		}
	}
	screenshots(t, ctx, "whatif-study-zh")
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
}
