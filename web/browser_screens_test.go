package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where TestBrowserScreenshots writes its PNGs (gitignored).
const screenshotDir = browserArtifacts + "/screenshots"

// comparePath is a bookmarkable comparison: the need in the query string.
const comparePath = "/compare?accelerator=h100-sxm&gpus=8&hours=720&buyer.country=DE&buyer.type=business&buyer.vat_id=DE123456789&currency=EUR"

// TestBrowserScreenshots saves full-page screenshots of the buyer's pages — market, offer,
// quote, compare, map, the search language reference, sign-up, and, signed in as a buyer with
// an order, the orders page and the order — at 375 and 1440 px wide in English and Chinese,
// for a reviewer to look at:
//
//	CORRIDOR_SCREENSHOTS=1 go test ./web -run TestBrowserScreenshots -v
//
// writes web/testdata/artifacts/screenshots/<page>-<lang>-<width>.png. Without the variable
// the test is skipped (the rest of the browser suite asserts the layouts).
func TestBrowserScreenshots(t *testing.T) {
	if os.Getenv("CORRIDOR_SCREENSHOTS") == "" {
		t.Skip("set CORRIDOR_SCREENSHOTS=1 to write the screenshots")
	}
	ctx, _ := browser(t)
	base, _ := liveServer(t)
	quote := apiQuote(t, base, "demo-offer-001", "DE", "EUR")
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path string }{
		{"market", "/"}, {"offer", "/offers/demo-offer-001"}, {"quote", "/quotes/" + quote},
		{"compare", comparePath}, {"map", "/map"}, {"search-language", "/docs/search-language"}, {"signup", "/signup"},
	}
	key, order := apiBuyerWithOrder(t, base)
	signedIn := []struct{ name, path string }{{"orders", "/orders"}, {"order", "/orders/" + order}}
	shoot(t, ctx, base, pages)
	signInBrowser(t, ctx, base, key)
	shoot(t, ctx, base, signedIn)
}

// shoot saves a screenshot of each page at 375 and 1440 px, in English and in Chinese.
func shoot(t *testing.T, ctx context.Context, base string, pages []struct{ name, path string }) {
	t.Helper()
	for _, lang := range []string{"en", "zh"} {
		run(t, ctx, "language "+lang, chromedp.Navigate(base+"/lang/"+lang+"?next=/"))
		for _, p := range pages {
			for _, w := range []int64{375, 1440} {
				run(t, ctx, p.name, chromedp.EmulateViewport(w, 900), chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("main")),
					chromedp.Sleep(100*time.Millisecond))
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot %s: %v", p.name, err)
				}
				path := filepath.Join(screenshotDir, fmt.Sprintf("%s-%s-%d.png", p.name, lang, w))
				if err := os.WriteFile(path, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", path)
			}
		}
	}
}

// apiBuyerWithOrder opens a buyer account (a German business) through the API, has it quote
// demo-offer-001 from a week ahead and accept, and returns its key and the order's id.
func apiBuyerWithOrder(t *testing.T, base string) (key, orderID string) {
	t.Helper()
	post := func(path, body, key string, into any) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, err)
		}
	}
	var acct struct {
		Key string `json:"api_key"`
	}
	post("/api/v1/buyers", `{"organisation":"Kraftwerk Compute GmbH","country":"DE","type":"business","vat_id":"DE123456789"}`, "", &acct)
	var q, o struct {
		ID string `json:"id"`
	}
	post("/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":72,"start":"2026-12-05T00:00:00Z","currency":"EUR"}`, acct.Key, &q)
	post("/api/v1/quotes/"+q.ID+"/accept", "", acct.Key, &o)
	return acct.Key, o.ID
}

// signInBrowser signs the browser in with a buyer key through the sign-in form.
func signInBrowser(t *testing.T, ctx context.Context, base, key string) {
	t.Helper()
	run(t, ctx, "sign in", chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.ID("signin-form")),
		chromedp.SetValue(chromedp.ID("i-key"), key), clickAndLoad("#signin"), chromedp.WaitVisible(chromedp.ID("account-link")))
}

// apiQuote creates a quote through the API and returns its id.
func apiQuote(t *testing.T, base, offer, country, currency string) string {
	t.Helper()
	body := fmt.Sprintf(`{"offer_id":%q,"gpus":8,"hours":720,"buyer":{"country":%q,"type":"business"},"currency":%q}`, offer, country, currency)
	resp, err := http.Post(base+"/api/v1/quotes", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var q struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&q); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create quote: %d %v", resp.StatusCode, err)
	}
	return q.ID
}

// scrollWidth loads path at each width and returns the document's scroll width and the
// viewport width, so a test can assert no horizontal scrolling of the page.
func scrollWidth(t *testing.T, ctx context.Context, base, path string, width int64) (scroll, client int) {
	t.Helper()
	run(t, ctx, fmt.Sprintf("%s at %d px", path, width), chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	return w[0], w[1]
}

// TestBrowserCompareFits: the bookmarkable comparison renders its ranking from the query
// string, every row names its pricing model and minimum term, and from a 375 px phone to a
// 1920 px screen the page never scrolls sideways, in English and in Chinese.
func TestBrowserCompareFits(t *testing.T) {
	ctx, _ := browser(t)
	base, _ := liveServer(t)
	for _, lang := range []string{"en", "zh"} {
		run(t, ctx, "language "+lang, chromedp.Navigate(base+"/lang/"+lang+"?next=/"))
		for _, w := range []int64{375, 768, 1440, 1920} {
			scroll, client := scrollWidth(t, ctx, base, comparePath, w)
			if scroll > client {
				t.Errorf("%s at %d px: the page scrolls sideways (scrollWidth %d > clientWidth %d)", lang, w, scroll, client)
			}
			rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".ranked-row td.term")].map(td => td.innerText.trim())`))
			if err != nil || len(rows) == 0 {
				t.Fatalf("%s at %d px: no ranked rows (%v)", lang, w, err)
			}
			for i, term := range rows {
				if term == "" {
					t.Errorf("%s at %d px: row %d has no pricing model or term", lang, w, i+1)
				}
			}
			bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll(".bar")].map(b => b.getBoundingClientRect().right)`))
			if err != nil || len(bars) != len(rows) {
				t.Fatalf("%s at %d px: %d bars for %d rows (%v)", lang, w, len(bars), len(rows), err)
			}
			for _, right := range bars {
				if int(right) > client {
					t.Errorf("%s at %d px: a chart bar ends at %.0f px, past the viewport", lang, w, right)
				}
			}
		}
	}
	// Interruptible capacity can be left out; the page says how many offers it dropped.
	all, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.ranked-row[data-pricing="interruptible"]').length`))
	if err != nil || all == 0 {
		t.Fatalf("the H100 comparison has no interruptible offer to leave out (%v)", err)
	}
	run(t, ctx, "exclude interruptible", chromedp.Navigate(base+comparePath+"&exclude_interruptible=on"), chromedp.WaitVisible(chromedp.ID("excluded")))
	left, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.ranked-row[data-pricing="interruptible"]').length`))
	if err != nil || left != 0 {
		t.Errorf("%d interruptible offers still ranked (%v)", left, err)
	}
}

// TestBrowserMapOutlinesAndKeyboard: both panels draw country outlines (Natural Earth paths
// with real extent), every site is reachable by keyboard as a link with a name, the Tab key
// reaches the markers, and Enter on one opens the market filtered to its site.
func TestBrowserMapOutlinesAndKeyboard(t *testing.T) {
	ctx, _ := browser(t)
	base, _ := liveServer(t)
	for _, lang := range []string{"en", "zh"} {
		run(t, ctx, "map "+lang, chromedp.Navigate(base+"/lang/"+lang+"?next=/map"), chromedp.WaitVisible(chromedp.ID("map-eu")))
		for _, panel := range []string{"cn", "eu"} {
			// The outlines are drawn: many country paths, and the biggest covers a real area.
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
				const ps = [...document.querySelectorAll("#map-%s path.land")];
				const areas = ps.map(p => { const b = p.getBBox(); return b.width * b.height; });
				return [ps.length, Math.max(...areas)];
			})()`, panel)))
			if err != nil {
				t.Fatal(err)
			}
			if got[0] < 10 || got[1] < 1000 {
				t.Errorf("%s panel %s: %v country paths, largest %v square units: no real outlines", lang, panel, got[0], got[1])
			}
		}
		// Every marker is a focusable link with an accessible name.
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".map-svg a.map-link")].map(a => a.getAttribute("aria-label") + "|" + a.tabIndex)`))
		if err != nil || len(links) < 20 {
			t.Fatalf("%s: %d marker links (%v)", lang, len(links), err)
		}
		for _, l := range links {
			name, tab, _ := strings.Cut(l, "|")
			if strings.TrimSpace(name) == "" || tab == "-1" {
				t.Errorf("%s: marker %q is not a named, focusable link", lang, l)
			}
		}
	}
	// Tab from the top of the page reaches a marker; Enter follows it.
	run(t, ctx, "map en", chromedp.Navigate(base+"/lang/en?next=/map"), chromedp.WaitVisible(chromedp.ID("map-cn")))
	var focused string
	for i := 0; i < 40 && !strings.Contains(focused, "map-link"); i++ {
		run(t, ctx, "tab", chromedp.KeyEvent("\t"))
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.activeElement.getAttribute("class") || "") + " " + (document.activeElement.getAttribute("href") || "")`))
		if err != nil {
			t.Fatal(err)
		}
		focused = s
	}
	if !strings.Contains(focused, "map-link") {
		t.Fatalf("40 presses of Tab never reached a map marker (last focus %q)", focused)
	}
	_, href, _ := strings.Cut(focused, " ")
	run(t, ctx, "enter", chromedp.KeyEvent("\r"), chromedp.Sleep(500*time.Millisecond), chromedp.WaitVisible(chromedp.ID("filters")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, href) {
		t.Errorf("Enter on the marker %s went to %s (%v)", href, loc, err)
	}
}

// untranslated are English labels (and raw keys) that must not appear on a Chinese page.
var untranslated = []string{"Market", "Compare", "Filters", "Supplier", "Region", "Accelerator", "Price", "Total", "Landed cost",
	"Pricing", "on demand", "reserved", "interruptible", "Request a quote", "Get quote", "not payable", "payable", "Quote currency",
	"Buyer", "Exchange rates used", "published", "Flags", "Rank", "Duties", "Taxes", "Subsidies", "per GPU-hour", "GPU-h", "GPU-hours",
	"Details & quote", "Show prices in", "Sort by", "Offers", "Sites", "hub node", "cluster", "AI Factory", "Policy", "version",
	"as_of", "on_demand", "h100-sxm", "ECB_REF", "licence required", "Export control", "Minimum", "months", "no minimum", "Available",
	"Link to this comparison", "Your need", "More options", "Registered in", "Reservation", "Where the capacity is", "Germany", "China",
	"Business", "Consumer", "Language", "Search language", "baseline", "GPUs free", "⟦",
	"Your orders", "Sign in", "Sign out", "Cancellation terms", "Confirmed", "Cancelled", "Organisation", "Create account", "free cancellation",
	"Headquarters", "Buyer key", "non_cancellable", "free_until"}

// TestBrowserChineseHasNoEnglishLabels: the Chinese market, offer, quote, compare and map
// pages show none of the checked English labels or raw keys in their visible text (data such
// as supplier names, legal references and sources aside: the check reads the page's own words).
func TestBrowserChineseHasNoEnglishLabels(t *testing.T) {
	ctx, _ := browser(t)
	base, _ := liveServer(t)
	quote := apiQuote(t, base, "demo-offer-001", "DE", "EUR")
	run(t, ctx, "Chinese", chromedp.Navigate(base+"/lang/zh?next=/"))
	// The words of data are left out: supplier names, sources and notes, legal references,
	// policy hashes, code examples and the other language's name on the switch.
	const visible = `(() => {
		const c = document.body.cloneNode(true);
		c.querySelectorAll(".supplier, .source, .note, .provenance, .legal, .hash, code, .lang, .offer-note, .supplier-name, td.c-supplier, .bar-label, .unquotable small, .fx small, [lang=en]").forEach(e => e.remove());
		c.querySelectorAll("table.lines td:nth-child(4)").forEach(e => e.remove());
		return c.innerText;
	})()`
	key, order := apiBuyerWithOrder(t, base)
	paths := []string{"/", "/offers/demo-offer-001", "/quotes/" + quote, comparePath, "/map", "/signup", "signed in", "/orders", "/orders/" + order}
	for _, path := range paths {
		if path == "signed in" { // the buyer's own pages
			signInBrowser(t, ctx, base, key)
			continue
		}
		for _, w := range []int64{375, 1440} {
			run(t, ctx, path, chromedp.EmulateViewport(w, 900), chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](visible))
			if err != nil {
				t.Fatal(err)
			}
			for _, word := range untranslated {
				if i := strings.Index(text, word); i >= 0 {
					t.Errorf("%s at %d px: the Chinese page shows %q: …%s…", path, w, word, text[max(0, i-40):min(len(text), i+40)])
				}
			}
		}
	}
}
