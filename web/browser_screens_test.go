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
const comparePath = "/compare?accelerator=h100-sxm&gpus=8&hours=720&buyer.country=DE&buyer.type=business&currency=EUR"

// TestBrowserScreenshots saves full-page screenshots of the buyer's pages — market, offer,
// quote, compare, map and the search language reference — at 375 and 1440 px wide in English
// and Chinese, for a reviewer to look at:
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
		{"compare", comparePath}, {"map", "/map"}, {"search-language", "/docs/search-language"},
	}
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
