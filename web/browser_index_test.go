package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserIndex: a visitor opens the price index from the navigation, sees the labelled
// demo series with both charts and the weekly table, changes the class, bloc and buyer with
// the form, follows the methodology link, and reads the page in Chinese; no script runs that
// the page did not ship.
func TestBrowserIndex(t *testing.T) {
	ctx, dialogs := browser(t)
	base, _ := liveServer(t)

	run(t, ctx, "market", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("nav-index")))
	run(t, ctx, "index from the navigation", clickAndLoad("#nav-index"), chromedp.WaitVisible(chromedp.ID("index-form")),
		chromedp.WaitVisible(chromedp.ID("index-demo")), chromedp.WaitVisible(chromedp.CSS("#index-price-chart svg")),
		chromedp.WaitVisible(chromedp.CSS("#index-chain-chart svg")))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#index-table tbody tr").length`))
	if err != nil || rows != 26 {
		t.Errorf("%d table rows, want 26 weeks (%v)", rows, err)
	}
	banner := textOf(t, ctx, "#index-demo")
	if !strings.Contains(banner, "Demo data.") {
		t.Errorf("demo banner %q", banner)
	}
	screenshots(t, ctx, "index")

	run(t, ctx, "choose A100 in the EU for a German consumer",
		chromedp.SetValue(chromedp.ID("ix-class"), "a100"), chromedp.SetValue(chromedp.ID("ix-bloc"), "EU"),
		chromedp.SetValue(chromedp.ID("ix-buyer"), "DE:consumer"), chromedp.SetValue(chromedp.ID("ix-series"), "demo"),
		clickAndLoad("#index-submit"), chromedp.WaitVisible(chromedp.ID("index-table")))
	heading := textOf(t, ctx, "#ix-summary-h")
	if !strings.Contains(heading, "A100-class") || !strings.Contains(heading, "EU") || !strings.Contains(heading, "Demo") {
		t.Errorf("after the form: heading %q", heading)
	}
	table := textOf(t, ctx, "#index-table")
	if !strings.Contains(table, "Landed for German consumer") {
		t.Errorf("the table does not show the chosen buyer's landed series: %.300s", table)
	}

	run(t, ctx, "methodology", clickAndLoad("#index-methodology"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h := textOf(t, ctx, "main h1"); !strings.Contains(h, "Price index methodology") {
		t.Errorf("methodology page heading %q", h)
	}

	run(t, ctx, "back to the index", chromedp.Navigate(base+"/index"), chromedp.WaitVisible(chromedp.ID("index-form")))
	run(t, ctx, "switch to Chinese", clickAndLoad("#lang-zh"), chromedp.WaitVisible(chromedp.ID("lang-en")))
	if h := textOf(t, ctx, "main h1"); h != "到岸算力价格指数" {
		t.Errorf("Chinese heading %q", h)
	}
	run(t, ctx, "back to English", clickAndLoad("#lang-en"), chromedp.WaitVisible(chromedp.ID("lang-zh")))
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
}
