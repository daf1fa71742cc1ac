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
