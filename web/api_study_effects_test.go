package web

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// workedTrade is the trade sums of the what-if engine's worked trade-effects study
// (pricing/whatif TestTradeEffectsWorked): German consumers buy 5,760 GPU-hours from
// Zhongwei (CN) at EUR 10,800.00 and from Kajaani (EU) at EUR 11,520.00, with 19% German VAT;
// the scenario adds a 10% EU levy on Chinese compute (EUR 1,080.00).
func workedTrade() *whatif.Result {
	d := decimal.RequireFromString
	return &whatif.Result{Currency: "EUR", Scenarios: []whatif.ScenarioInfo{{ID: "baseline"}, {ID: "levy"}},
		Trade: []whatif.TradeCell{
			{Scenario: "levy", BuyerCountry: "DE", Origin: "cn-ningxia-zhongwei", Bloc: "CN", Flows: 1, SupplierValue: d("10800.00"),
				BaselineLanded: d("12852.00"), Landed: d("13932.00"), GPUHours: d("5760"),
				Wedges: []whatif.JurisdictionWedge{{Jurisdiction: "DE", Baseline: d("2052.00"), Scenario: d("2052.00")}, {Jurisdiction: "EU", Baseline: d("0.00"), Scenario: d("1080.00")}}},
			{Scenario: "levy", BuyerCountry: "DE", Origin: "eu-fi-kajaani", Bloc: "EU", Flows: 1, SupplierValue: d("11520.00"),
				BaselineLanded: d("13708.80"), Landed: d("13708.80"), GPUHours: d("5760"),
				Wedges: []whatif.JurisdictionWedge{{Jurisdiction: "DE", Baseline: d("2188.80"), Scenario: d("2188.80")}}},
		}}
}

func workedStudyEffects(t *testing.T) marketplace.StudyEffects {
	t.Helper()
	m := whatif.Market{Code: "DE", Countries: []string{"DE"}}
	runs, err := workedTrade().TradeEffects(whatif.EffectsSpec{Market: m, SourcesBy: whatif.SourcesByBloc})
	if err != nil {
		t.Fatal(err)
	}
	return marketplace.StudyEffects{StudyID: "st_0123456789abcdef0123456789abcdef", Currency: "EUR", Market: m, Runs: runs}
}

// TestStudyEffectsJSON: the section's JSON carries the worked figures (see the engine's test
// for the arithmetic) and matches the OpenAPI schema; the document's example is this answer.
func TestStudyEffectsJSON(t *testing.T) {
	b, err := json.MarshalIndent(toStudyEffectsJSON(workedStudyEffects(t)), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CORRIDOR_WRITE_EXAMPLE") != "" {
		_ = os.WriteFile(os.Getenv("CORRIDOR_WRITE_EXAMPLE"), b, 0o600)
	}
	body := string(b)
	for _, want := range []string{`"market": "DE"`, `"sources_by": "bloc"`, `"scenario": "levy"`,
		`"trade_creation": "-1361.34"`, `"trade_diversion": "-611.46"`, `"trade_diversion": "611.46"`,
		`"welfare_change": "-357.29"`, `"revenue_change": "882.72"`, `"revenue_change": "-258.65"`,
		`"supplier_value": "10800.00"`, `"landed_cost": "13932.00"`, `"wedge_after": "29%"`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in\n%s", want, body)
		}
	}
	d := loadAPIDoc(t)
	s, err := d.schemaAt(pointer("components", "schemas", "StudyEffects"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("the section does not match the StudyEffects schema: %v", err)
	}
}

// TestStudyEffectsAPIBadInput: a bad query is refused before any study is read, naming the
// query parameter.
func TestStudyEffectsAPIBadInput(t *testing.T) {
	app := effectsApp(t)
	for _, c := range []struct{ query, field, in string }{
		{"market=D", "market", "buyer country"},
		{"sources=country", "sources", "origin or bloc"},
		{"import_demand_elasticity=1.5", "import_demand_elasticity", "write -1.5"},
		{"export_supply_elasticity=0", "export_supply_elasticity", "above 0"},
		{"elasticity=1", "elasticity", ""},
	} {
		status, ctype, body := call(t, app, "GET", "/api/v1/studies/st_0123456789abcdef0123456789abcdef/effects?"+c.query, "")
		var p struct {
			Errors []struct{ Field, Message string }
		}
		_ = json.Unmarshal([]byte(body), &p)
		found := false
		for _, e := range p.Errors {
			found = found || (e.Field == c.field && strings.Contains(e.Message, c.in))
		}
		if status != 400 || ctype != "application/problem+json" || !found {
			t.Errorf("%s: %d %s, want 400 naming %s: %s", c.query, status, ctype, c.field, body)
		}
	}
}

// TestStudyAPIWithEffects posts a study with an effects block: the answer (and the stored
// study read back) carries the trade-effects section; GET .../effects recomputes it for
// another market; a bad block is refused naming its member, nothing run. Every response is
// checked against the OpenAPI document (TestMain).
func TestStudyAPIWithEffects(t *testing.T) {
	app, svc, _ := seededApp(t)
	t.Cleanup(svc.WaitStudies)
	body := func(effects string) string {
		b, _ := json.Marshal(map[string]any{"scenarios": []map[string]any{{"id": "eu-compute-levy-cn-10"}},
			"basket": map[string]any{"kind": "csv", "csv": studyEffectsBasket}, "as_of": "2026-11-28"})
		return strings.TrimSuffix(string(b), "}") + `,"effects":` + effects + `}`
	}
	status, _, resp := call(t, app, "POST", "/api/v1/studies", body(`{"market":"DE","sources":"bloc"}`))
	if status != 201 {
		t.Fatalf("%d %s", status, resp)
	}
	var st struct {
		ID      string
		Request struct {
			Effects struct{ Market, Sources string }
		}
		Result       struct{ Trade []map[string]any }
		TradeEffects *struct {
			Market    string
			SourcesBy string `json:"sources_by"`
			Scenarios []struct {
				Scenario string
				Sources  []struct{ Source, TradeCreation, TradeDiversion string } `json:"sources"`
			}
		} `json:"trade_effects"`
	}
	decode(t, resp, &st)
	if st.Request.Effects.Market != "DE" || len(st.Result.Trade) == 0 || st.TradeEffects == nil || st.TradeEffects.SourcesBy != "bloc" ||
		len(st.TradeEffects.Scenarios) != 1 || len(st.TradeEffects.Scenarios[0].Sources) != 2 {
		t.Fatalf("study with effects: %s", resp)
	}
	if !strings.Contains(resp, `"trade_creation":"-`) || !strings.Contains(resp, `"collector":"EU"`) {
		t.Errorf("the levy's effects are missing: %s", resp)
	}
	status, _, again := call(t, app, "GET", "/api/v1/studies/"+st.ID, "")
	if status != 200 || !strings.Contains(again, `"trade_effects":{`) {
		t.Errorf("GET: %d, want the section again", status)
	}
	status, _, eu := call(t, app, "GET", "/api/v1/studies/"+st.ID+"/effects?market=EU&sources=origin", "")
	if status != 200 || !strings.Contains(eu, `"source":"eu-fi-kajaani"`) || !strings.Contains(eu, `"market":"EU"`) {
		t.Errorf("effects for the EU by origin: %d %s", status, eu)
	}
	// Without parameters: the study's own block.
	if status, _, own := call(t, app, "GET", "/api/v1/studies/"+st.ID+"/effects", ""); status != 200 || !strings.Contains(own, `"sources_by":"bloc"`) {
		t.Errorf("effects without parameters: %d %s", status, own)
	}

	for _, c := range []struct{ effects, field string }{
		{`{"market":"XX27"}`, "effects.market"},
		{`{"sources":"country"}`, "effects.sources"},
		{`{"import_demand_elasticity":"2"}`, "effects.import_demand_elasticity"},
		{`{"markets":"DE"}`, "effects.markets"},
	} {
		status, ctype, resp := call(t, app, "POST", "/api/v1/studies", body(c.effects))
		if status != 400 || ctype != "application/problem+json" || !strings.Contains(resp, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s", c.effects, status, resp)
		}
	}
}
