package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/marketplace/store"
)

// effectsApp is the real server over an empty database: the effects endpoint reads nothing.
func effectsApp(t *testing.T) *fiber.App {
	t.Helper()
	st := store.OpenTest(t)
	return NewServer(Deps{Market: marketplace.NewService(st, time.Now), AdminTokenHash: sha256Hex(testAdminToken)})
}

// twoSourceBody is the two-source case of pricing/effects' worked tests: CN 100 has its wedge cut
// from 10% to 0%, US 300 keeps 10%.
const twoSourceBody = `{"flows": [
  {"source": "CN", "value": "100", "gpu_hours": "50", "wedge_before": "10%", "wedge_after": "0%", "collector": "DE"},
  {"source": "US", "value": "300", "gpu_hours": "100", "wedge_before": "10%", "wedge_after": "10%", "collector": "DE"}],
 "import_demand_elasticity": "-1.5", "substitution_elasticity": "1.5", "export_supply_elasticity": "inf", "currency": "EUR"}`

func TestEffectsAPI(t *testing.T) {
	app := effectsApp(t)
	status, ctype, body := call(t, app, "POST", "/api/v1/effects", twoSourceBody)
	if status != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("POST /api/v1/effects: %d %s %s", status, ctype, body)
	}
	var r struct {
		Currency   string
		Parameters map[string]struct {
			Value, Source, Confidence string
			Default                   bool
		}
		Sources  []map[string]any
		Total    map[string]any
		Revenue  []map[string]string `json:"revenue_by_collector"`
		Warnings []any
	}
	decode(t, body, &r)
	// CN: creation 150/11 = 13.64, diversion 900/91 = 9.89; US: −9.89 (Laird–Yeats, summing to 0).
	// Revenue: CN 10.00 → 0; US 30.00 → 10% of 290.11 = 29.01; total −10.99. Welfare: CN
	// 11.18 − 10.00 = 1.18, US −0.99; total 0.19. GPU-hours: CN creates 13.64 × ½ = 6.82 and gains
	// 9.89 × ½ = 4.95 by diversion; US loses 9.89 × ⅓ = 3.30.
	for _, c := range []struct {
		got  any
		want string
	}{
		{r.Sources[0]["trade_creation"], "13.64"}, {r.Sources[0]["trade_diversion"], "9.89"},
		{r.Sources[0]["price_effect"], "0.00"}, {r.Sources[0]["total_effect"], "23.53"},
		{r.Sources[1]["trade_diversion"], "-9.89"}, {r.Sources[1]["value_after"], "290.11"},
		{r.Sources[0]["wedge_before"], "10%"}, {r.Sources[0]["landed_price_change"], "-9.0909%"},
		{r.Total["trade_diversion"], "0.00"}, {r.Total["revenue_change"], "-10.99"}, {r.Total["welfare_change"], "0.19"},
		{r.Sources[0]["gpu_hours"].(map[string]any)["trade_creation"], "6.82"},
		{r.Sources[0]["gpu_hours"].(map[string]any)["trade_diversion"], "4.95"},
		{r.Sources[1]["gpu_hours"].(map[string]any)["trade_diversion"], "-3.30"},
		{r.Revenue[0]["collector"], "DE"}, {r.Revenue[0]["revenue_change"], "-10.99"},
		{r.Currency, "EUR"}, {r.Parameters["export_supply_elasticity"].Value, "inf"},
	} {
		if c.got != c.want {
			t.Errorf("got %v, want %s\n%s", c.got, c.want, body)
		}
	}
	if p := r.Parameters["substitution_elasticity"]; p.Default || p.Source != "" {
		t.Errorf("a given parameter is not a default: %+v", p)
	}

	// Defaults: left out, the parameters say where they come from.
	status, _, body = call(t, app, "POST", "/api/v1/effects", `{"flows":[{"source":"CN","value":"100","wedge_before":"10%","wedge_after":"0%"}]}`)
	r.Currency = ""
	decode(t, body, &r)
	if status != 200 || !r.Parameters["substitution_elasticity"].Default || !strings.Contains(r.Parameters["substitution_elasticity"].Source, "WITS") ||
		r.Parameters["import_demand_elasticity"].Confidence != "illustrative" {
		t.Errorf("defaults: %d %s", status, body)
	}
	if r.Sources[0]["trade_creation"] != "13.64" || r.Currency != "" {
		t.Errorf("without a currency the figures still round to 2 decimals: %s", body)
	}
}

// TestEffectsAPIBadInput: each bad request is a 400 problem+json naming the field.
func TestEffectsAPIBadInput(t *testing.T) {
	app := effectsApp(t)
	flow := `{"source":"CN","value":"100","wedge_before":"10%","wedge_after":"0%"}`
	many := strings.TrimSuffix(strings.Repeat(flow+",", 1001), ",")
	many = strings.ReplaceAll(many, `"CN"`, `"X"`)
	for _, c := range []struct {
		name, body, field, in string
	}{
		{"value as a JSON number", `{"flows":[{"source":"CN","value":100,"wedge_before":"10%","wedge_after":"0%"}]}`, "flows.value", "decimals travel as strings"},
		{"unknown field", `{"flows":[` + flow + `],"elasticity":"1"}`, "elasticity", "unknown field"},
		{"malformed wedge", `{"flows":[{"source":"CN","value":"100","wedge_before":"10%","wedge_after":"zero"}]}`, "flows[0].wedge_after", "percentage"},
		{"positive import demand elasticity", `{"flows":[` + flow + `],"import_demand_elasticity":"1.5"}`, "import_demand_elasticity", "write -1.5"},
		{"infinite substitution", `{"flows":[` + flow + `],"substitution_elasticity":"inf"}`, "substitution_elasticity", "from 0 to 100"},
		{"unknown currency", `{"flows":[` + flow + `],"currency":"XYZ"}`, "currency", "unknown currency"},
		{"no flows", `{"flows":[]}`, "flows", "at least one"},
		{"too many flows", `{"flows":[` + many + `]}`, "flows", "at most 1000"},
		{"duplicate source", `{"flows":[` + flow + `,` + flow + `]}`, "flows[1].source", "repeats"},
		{"empty body", ` `, "body", "JSON object"},
		{"trailing data", `{"flows":[` + flow + `]} {}`, "body", "exactly one"},
	} {
		status, ctype, body := call(t, app, "POST", "/api/v1/effects", c.body)
		var p struct {
			Status int
			Errors []struct{ Field, Message string }
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Errorf("%s: %d %s", c.name, status, body)
			continue
		}
		found := false
		for _, e := range p.Errors {
			found = found || (e.Field == c.field && strings.Contains(e.Message, c.in))
		}
		if status != 400 || ctype != "application/problem+json" || !found {
			t.Errorf("%s: %d %s, want 400 naming %s (…%s…): %s", c.name, status, ctype, c.field, c.in, body)
		}
	}
}
