package web

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"corridor/marketplace/store"
)

// The browser suite: the real server on a 127.0.0.1 port over a temp SQLite database seeded
// with the demo market, driven by headless Chromium through chromedp. Without Chromium it is
// skipped, unless CORRIDOR_BROWSER_TESTS=required (CI), where a missing browser fails.
// CORRIDOR_BROWSER_TESTS=skip skips it even with Chromium: CI's PostgreSQL pass (.ci/run) runs
// the web suite again for the database, the pages' queries included (the pages_* tests), and
// the browser suite has run in its race-detector pass already.

// browserArtifacts is where the suite saves screenshots (gitignored).
const browserArtifacts = "testdata/artifacts"

// findChromium returns the browser binary, skipping or failing the test when there is none.
func findChromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("CORRIDOR_BROWSER_TESTS") == "skip" {
		t.Skip("CORRIDOR_BROWSER_TESTS=skip")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CORRIDOR_BROWSER_TESTS") == "required" {
		t.Fatal("CORRIDOR_BROWSER_TESTS=required but no chromium, chromium-browser or google-chrome on PATH (.ci/run installs it)")
	}
	t.Skip("no Chromium on PATH; set CORRIDOR_BROWSER_TESTS=required to make this a failure")
	return ""
}

// liveServer serves the seeded app (seededApp: demo market, fixed clock, so neither the FX
// snapshot's age nor a quote's validity depends on the day the suite runs) on a 127.0.0.1 port
// and returns its base URL and store.
func liveServer(t *testing.T) (string, *store.Store) {
	t.Helper()
	app, _, st := seededApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String(), st
}

// browser starts headless Chromium and returns a tab context limited to a few minutes;
// dialogs counts the JavaScript dialogs (alert, confirm…) the pages opened, which escaping
// must keep at zero.
func browser(t *testing.T) (context.Context, *atomic.Int32) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium(t)), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true), chromedp.WindowSize(1440, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(tab); err != nil { // starts the browser; no timeout on this first call
		t.Fatalf("start chromium: %v", err)
	}
	var dialogs atomic.Int32
	events := chromedp.Events(tab, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	ctx, cancel := context.WithTimeout(tab, 3*time.Minute)
	t.Cleanup(cancel)
	return ctx, &dialogs
}

// run runs browser steps and fails the test with what it was doing.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// clickAndLoad clicks the element and waits for the page it leads to.
func clickAndLoad(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))(ctx, t)
		return err
	})
}

// screenshots saves a full-page PNG of the current page at 375 and 1440 px wide.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if err := os.MkdirAll(browserArtifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int64{375, 1440} {
		run(t, ctx, "resize", chromedp.EmulateViewport(w, 900), chromedp.Sleep(150*time.Millisecond))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s at %d px: %v", name, w, err)
		}
		path := filepath.Join(browserArtifacts, fmt.Sprintf("%s-%d.png", name, w))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(path)
		t.Logf("screenshot: %s", abs)
	}
	run(t, ctx, "resize", chromedp.EmulateViewport(1440, 900))
}

// printedPages prints the current page to PDF with its print stylesheet (A4, the CSS page
// size), saves it as an artifact and returns its page count.
func printedPages(t *testing.T, ctx context.Context, name string) int {
	t.Helper()
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("print %s: %v", name, err)
	}
	path := filepath.Join(browserArtifacts, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("printed: %s", abs)
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
}

// textOf returns the visible text of the first element matching the CSS selector.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func TestBrowserBuyerFlow(t *testing.T) {
	ctx, dialogs := browser(t)
	base, _ := liveServer(t)

	// Market: filter to Chinese H100 offers with the form.
	run(t, ctx, "market", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("filters")),
		chromedp.SetValue(chromedp.ID("f-bloc"), "CN"), chromedp.SetValue(chromedp.ID("f-accelerator"), "h100-sxm"),
		clickAndLoad("#apply"), chromedp.WaitVisible(chromedp.CSS(".offer-row")))
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".offer-row").length`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "bloc=CN") || !strings.Contains(url, "accelerator=h100-sxm") || rows == 0 {
		t.Fatalf("after filtering: url %s, %d rows", url, rows)
	}
	others, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll(".offer-row")].filter(r => !r.querySelector(".bloc-CN") || !r.textContent.includes("H100")).length`))
	if err != nil || others != 0 {
		t.Errorf("filtered list shows %d other offers (%v)", others, err)
	}
	screenshots(t, ctx, "market")

	// Offer page: request a quote as a German business in euros.
	run(t, ctx, "offer page", clickAndLoad(".offer-row .offer-link"), chromedp.WaitVisible(chromedp.ID("quote-form")),
		chromedp.SetValue(chromedp.ID("q-gpus"), "8"), chromedp.SetValue(chromedp.ID("q-hours"), "720"),
		chromedp.SetValue(chromedp.ID("q-country"), "DE"), chromedp.Click(chromedp.CSS(`input[name="buyer.type"][value="business"]`)),
		chromedp.SetValue(chromedp.ID("q-vat"), "DE123456789"), chromedp.SetValue(chromedp.ID("q-currency"), "EUR"))
	screenshots(t, ctx, "offer")
	run(t, ctx, "submit the quote form", clickAndLoad("#get-quote"), chromedp.WaitVisible(chromedp.ID("quote-total")))
	lines := textOf(t, ctx, "table.lines")
	if !strings.Contains(lines, "reverse charge") || !strings.Contains(lines, "not payable") {
		t.Errorf("no reverse-charge VAT line marked not payable:\n%s", lines)
	}
	if total := textOf(t, ctx, "#quote-total"); !strings.HasPrefix(total, "EUR ") {
		t.Errorf("total %q", total)
	}
	screenshots(t, ctx, "quote")
	if pages := printedPages(t, ctx, "quote"); pages != 1 {
		t.Errorf("the printed quote has %d pages, want 1", pages)
	}

	// Chinese: the switch on the page; accepting needs a buyer account (TestBrowserBuyerAccountFlow
	// accepts, lists and cancels).
	run(t, ctx, "switch to Chinese", clickAndLoad("#lang-zh"), chromedp.WaitVisible(chromedp.ID("lang-en")))
	if body := textOf(t, ctx, "main"); !strings.Contains(body, "总计") || !strings.Contains(body, "反向征收") {
		t.Errorf("Chinese quote page lacks 总计 / 反向征收:\n%.1500s", body)
	}
	if prompt := textOf(t, ctx, "#accept-signin"); !strings.Contains(prompt, "买方账户") {
		t.Errorf("the anonymous quote page does not ask for a buyer account: %q", prompt)
	}
	screenshots(t, ctx, "quote-zh")

	// Compare: the need form and the chart.
	run(t, ctx, "compare", clickAndLoad("#lang-en"), chromedp.Navigate(base+"/compare"), chromedp.WaitVisible(chromedp.ID("compare-form")),
		chromedp.SetValue(chromedp.ID("c-country"), "DE"), chromedp.SetValue(chromedp.ID("c-currency"), "EUR"),
		clickAndLoad("#compare"), chromedp.WaitVisible(chromedp.CSS(".bar")))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "buyer.country=DE") || !strings.Contains(loc, "gpus=8") {
		t.Errorf("the comparison's address %q does not carry the need (%v)", loc, err)
	}
	screenshots(t, ctx, "compare")
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
}

func TestBrowserHostileTextStaysText(t *testing.T) {
	ctx, dialogs := browser(t)
	base, st := liveServer(t)
	hostileNames(t, st)
	for _, path := range []string{"/?bloc=CN&accelerator=h100-sxm", "/offers/xss-offer"} {
		run(t, ctx, path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
		if body := textOf(t, ctx, "main"); !strings.Contains(body, "<script>alert(1)</script>") {
			t.Errorf("%s: the supplier name is not shown as text", path)
		}
	}
	run(t, ctx, "quote the hostile offer", clickAndLoad("#get-quote"), chromedp.WaitVisible(chromedp.ID("quote-total")))
	if body := textOf(t, ctx, "main"); !strings.Contains(body, "<script>alert(1)</script>") {
		t.Error("quote page: the supplier name is not shown as text")
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened: markup from data ran", n)
	}
}
