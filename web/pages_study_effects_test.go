package web

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// studyEffectsBasket is German consumers buying 800 GPU-hours from Zhongwei (CN) and from
// Kajaani (EU), and a Chinese business buying from Zhongwei.
const studyEffectsBasket = "buyer_country,buyer_type,accelerator,origin,product,quantity,gpus\n" +
	"DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8\n" +
	"DE,consumer,h100-sxm,eu-fi-kajaani,gpu_hours,800,8\n" +
	"CN,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8\n"

// studyEffectsApp stores a study of studyEffectsBasket under the library's 10% EU levy on
// Chinese compute (effects block: market DE, sources by bloc); its page is /whatif/{id}.
func studyEffectsApp(t *testing.T) (*fiber.App, string) {
	t.Helper()
	app, svc, _ := seededApp(t)
	st, err := svc.RunStudy(context.Background(), marketplace.StudyRequest{
		Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10"}},
		Basket:    marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: studyEffectsBasket},
		Effects:   &marketplace.StudyEffectsRequest{Market: "DE", Sources: "bloc"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return app, st.ID
}

// TestStudyEffectsSection: a done study's page shows its trade-effects section — the two
// sources, creation and diversion, the revenue of each collector, both charts with their text
// alternatives — in English and Chinese, recomputes it for another market from the form's
// query, and shows a bad query beside the form.
func TestStudyEffectsSection(t *testing.T) {
	app, id := studyEffectsApp(t)
	pc := newPageClient(t, app)
	r := pc.get("/whatif/" + id)
	if r.Status != 200 {
		t.Fatalf("study page: %d\n%.2000s", r.Status, r.Body)
	}
	if p := os.Getenv("CORRIDOR_DUMP_PAGE"); p != "" {
		_ = os.WriteFile(p, []byte(r.Body), 0o600)
	}
	for _, w := range []string{`id="trade-effects"`, "Trade effects", `id="effects-form"`, "Market DE (DE), sources by blocs, in EUR.",
		"Scenario: ", `id="effects-table-0"`, `<th scope="row">CN</th>`, `<th scope="row">EU</th>`,
		`id="chart-effects-trade-1"`, `id="chart-effects-welfare-1"`, "Trade effect by source: creation and diversion",
		"Revenue of EU", "Revenue of DE", "Consumer surplus", `id="effects-welfare-total-0"`, "Import-demand elasticity = -1.5 — default (illustrative"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if i := strings.Index(r.Body, `id="trade-effects"`); i < 0 || strings.Contains(r.Body[i:i+strings.Index(r.Body[i:], "</section>")], "<script") {
		t.Error("the section must not need a script")
	}

	r = pc.get("/whatif/" + id + "?market=EU&sources=origin&substitution_elasticity=3")
	for _, w := range []string{"sources by origin regions", `<th scope="row">cn-ningxia-zhongwei</th>`, `<th scope="row">eu-fi-kajaani</th>`,
		"Substitution elasticity = 3 — given", `value="EU"`} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("EU market page lacks %q", w)
		}
	}
	r = pc.get("/whatif/" + id + "?market=XX27")
	if r.Status != 200 || !strings.Contains(r.Body, `id="effects-error"`) || !strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Errorf("a bad market: %d, want the page with the problem beside the form", r.Status)
	}

	pc.lang = "zh-CN"
	r = pc.get("/whatif/" + id)
	for _, w := range []string{"贸易效应", "按来源的贸易效应：创造与转移", "EU 的财政收入", "消费者剩余", "福利"} {
		if !strings.Contains(r.Body, w) {
			t.Errorf("zh-CN page lacks %q", w)
		}
	}
}

// TestStudyEffectsSectionBaselineOnly: a study of the baseline alone has no wedge change to
// model, and its section says so.
func TestStudyEffectsSectionBaselineOnly(t *testing.T) {
	app, svc, _ := seededApp(t)
	st, err := svc.RunStudy(context.Background(), marketplace.StudyRequest{
		Basket: marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: studyEffectsBasket}})
	if err != nil {
		t.Fatal(err)
	}
	r := newPageClient(t, app).get("/whatif/" + st.ID)
	if r.Status != 200 || !strings.Contains(r.Body, `id="effects-no-scenario"`) || !strings.Contains(r.Body, "sources by origin regions") {
		t.Errorf("baseline-only study: %d, want the section's note", r.Status)
	}
}

// TestWhatifFormEffects builds a study in the workbench with its trade-effects block ticked
// (the EU, by bloc): the study's page shows the section for that market; a bad market is
// shown beside its input, nothing run.
func TestWhatifFormEffects(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	page := pc.get("/whatif")
	for _, w := range []string{`id="w-effects"`, `name="effects.market"`, "Trade effects (optional)"} {
		if !strings.Contains(page.Body, w) {
			t.Errorf("the form lacks %q", w)
		}
	}
	tok := token(t, page.Body)
	form := whatifNeedForm(tok)
	form.Set("effects", "on")
	form.Set("effects.market", "eu")
	form.Set("effects.sources", "bloc")
	r := pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 303 || !studyPath.MatchString(r.Location) {
		t.Fatalf("run: %d %q\n%.2000s", r.Status, r.Location, r.Body)
	}
	r = pc.get(r.Location)
	if !strings.Contains(r.Body, `id="trade-effects"`) || !strings.Contains(r.Body, "Market EU (AT BE") || !strings.Contains(r.Body, "sources by blocs") {
		t.Errorf("the study's section is not the form's market:\n%.600s", r.Body[max(0, strings.Index(r.Body, `id="trade-effects"`)):])
	}

	form.Set("effects.market", "XX27")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 400 || !strings.Contains(r.Body, `id="w-effects-market" name="effects.market" value="XX27" placeholder="DE" maxlength="16" aria-describedby="w-effects-hint" aria-invalid="true"`) {
		t.Errorf("a bad market: %d, want the form again with the input marked", r.Status)
	}
	// Without the box ticked, no block: the study's page shows the defaults (DE, by origin).
	form.Del("effects")
	r = pc.postMultipart("/whatif", form, "", "", "")
	if r.Status != 303 {
		t.Fatalf("run without effects: %d", r.Status)
	}
	if r = pc.get(r.Location); !strings.Contains(r.Body, "Market DE (DE), sources by origin regions") {
		t.Errorf("without the block the section has the defaults")
	}
}
