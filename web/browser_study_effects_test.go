package web

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserStudyEffects opens a study's trade-effects section in headless Chromium: a study
// posted to the API with an effects block (market DE, sources by bloc) under the library's 10%
// EU levy on Chinese compute; its page shows both charts and the tables; the section's form
// recomputes it for the EU by origin region; the Chinese page has the section in Chinese.
// Skipped unless CORRIDOR_BROWSER_TESTS is set.
func TestBrowserStudyEffects(t *testing.T) {
	if v := os.Getenv("CORRIDOR_BROWSER_TESTS"); v == "" || v == "skip" {
		t.Skip("set CORRIDOR_BROWSER_TESTS to run the browser test of a study's trade effects")
	}
	ctx, dialogs := browser(t)
	base, _ := liveServer(t)

	b, _ := json.Marshal(map[string]any{"scenarios": []map[string]any{{"id": "eu-compute-levy-cn-10"}},
		"basket": map[string]any{"kind": "csv", "csv": studyEffectsBasket}, "as_of": "2026-11-28",
		"effects": map[string]any{"market": "DE", "sources": "bloc"}})
	resp, err := http.Post(base+"/api/v1/studies", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ ID, Status string }
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 201 || st.Status != "done" {
		t.Fatalf("post the study: %d %+v %v", resp.StatusCode, st, err)
	}

	run(t, ctx, "the study page", chromedp.Navigate(base+"/whatif/"+st.ID), chromedp.WaitVisible(chromedp.ID("trade-effects")))
	if s := textOf(t, ctx, "#effects-market"); !strings.Contains(s, "Market DE") || !strings.Contains(s, "blocs") {
		t.Errorf("market line %q", s)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#trade-effects figure svg title")].map(e => e.textContent)`))
	if err != nil || len(charts) != 2 {
		t.Fatalf("charts %q (%v)", charts, err)
	}
	if j := strings.Join(charts, "|"); !strings.Contains(j, "Trade effect by source: creation and diversion") || !strings.Contains(j, "Revenue, consumer surplus and welfare") {
		t.Errorf("chart titles %q", charts)
	}
	table := textOf(t, ctx, "#effects-table-0")
	for _, w := range []string{"CN", "EU", "Trade creation", "Trade diversion", "19% → 29%"} {
		if !strings.Contains(table, w) {
			t.Errorf("effects table lacks %q:\n%s", w, table)
		}
	}
	if s := textOf(t, ctx, "#effects-welfare-0"); !strings.Contains(s, "Revenue of EU") || !strings.Contains(s, "Welfare") {
		t.Errorf("welfare table:\n%s", s)
	}
	screenshots(t, ctx, "study-effects")
	// On a phone the section's tables and charts scroll inside it; the page does not.
	run(t, ctx, "a phone's width", chromedp.EmulateViewport(375, 900))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 375 {
		t.Errorf("at 375 px the study page is %d px wide (%v)", width, err)
	}
	run(t, ctx, "back to a desktop's width", chromedp.EmulateViewport(1440, 900))
	for _, id := range []string{"chart-effects-trade-1", "chart-effects-welfare-1"} {
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("screenshot %s: %v", id, err)
		}
		if err := os.WriteFile(filepath.Join(browserArtifacts, "study-"+id+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Another market and grouping from the section's form.
	run(t, ctx, "recompute for the EU by origin", chromedp.SetValue(chromedp.CSS(`#effects-form input[name="market"]`), "EU"),
		chromedp.SetValue(chromedp.CSS(`#effects-form select[name="sources"]`), "origin"),
		clickAndLoad(`#effects-form button[type="submit"]`), chromedp.WaitVisible(chromedp.ID("effects-table-0")))
	if s := textOf(t, ctx, "#effects-market"); !strings.Contains(s, "Market EU") || !strings.Contains(s, "origin regions") {
		t.Errorf("market line after the form %q", s)
	}
	if s := textOf(t, ctx, "#effects-table-0"); !strings.Contains(s, "cn-ningxia-zhongwei") || !strings.Contains(s, "eu-fi-kajaani") {
		t.Errorf("EU table by origin:\n%s", s)
	}

	run(t, ctx, "switch to Chinese", clickAndLoad("#lang-zh"), chromedp.WaitVisible(chromedp.ID("trade-effects")))
	if s := textOf(t, ctx, "#trade-effects"); !strings.Contains(s, "贸易效应") || !strings.Contains(s, "贸易创造") || !strings.Contains(s, "福利") {
		t.Errorf("Chinese section:\n%.1500s", s)
	}
	screenshots(t, ctx, "study-effects-zh")
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
}
