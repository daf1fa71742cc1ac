package marketplace_test

import (
	"context"
	"testing"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// TestStudyEffects runs a study with a trade-effects block end to end on the seeded market:
// German consumers buy 800 GPU-hours from Zhongwei (CN) and from Kajaani (EU); the library's
// 10% EU levy on Chinese compute raises the Chinese source's wedge, so trade from it falls
// (creation < 0) and moves to Kajaani (diversion > 0, summing to zero), and the EU collects
// the levy. The section is computed from the stored study, and refused for a market the
// policy does not know.
func TestStudyEffects(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	csv := "buyer_country,buyer_type,accelerator,origin,product,quantity,gpus\n" +
		"DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8\n" +
		"DE,consumer,h100-sxm,eu-fi-kajaani,gpu_hours,800,8\n" +
		"CN,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8\n"
	req := marketplace.StudyRequest{
		Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10"}},
		Basket:    marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: csv},
		Effects:   &marketplace.StudyEffectsRequest{Market: "EU", Sources: "bloc"},
	}
	st, err := svc.RunStudy(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := svc.Study(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e := stored.Request.Effects; e == nil || e.Market != "EU" || e.Sources != "bloc" {
		t.Fatalf("stored effects block %+v, want market EU by bloc", e)
	}
	se, err := svc.EffectsOf(ctx, stored)
	if err != nil || se == nil {
		t.Fatalf("effects of the stored study: %v, %v", se, err)
	}
	if len(se.Market.Countries) != 27 || len(se.Runs) != 1 || se.Runs[0].Scenario != "eu-compute-levy-cn-10" {
		t.Fatalf("section %+v: want the EU27 and one run", se)
	}
	m := se.Runs[0].Model
	if len(m.Sources) != 2 || m.Sources[0].Source != "CN" || m.Sources[1].Source != "EU" {
		t.Fatalf("sources %+v, want CN and EU", m.Sources)
	}
	cn, eu := m.Sources[0], m.Sources[1]
	if !cn.WedgeAfter.GreaterThan(cn.WedgeBefore) || !eu.WedgeAfter.Equal(eu.WedgeBefore) {
		t.Errorf("wedges CN %s → %s, EU %s → %s: the levy raises CN's only", cn.WedgeBefore, cn.WedgeAfter, eu.WedgeBefore, eu.WedgeAfter)
	}
	if !cn.TradeCreation.IsNegative() || !eu.TradeDiversion.IsPositive() || !cn.TradeDiversion.Add(eu.TradeDiversion).IsZero() {
		t.Errorf("CN creation %s, diversion CN %s + EU %s: want a fall and a diversion to the EU summing to zero", cn.TradeCreation, cn.TradeDiversion, eu.TradeDiversion)
	}
	collectors := map[string]bool{}
	for _, c := range m.Revenue {
		collectors[c.Collector] = true
	}
	if !collectors["EU"] || !collectors["DE"] {
		t.Errorf("revenue by collector %+v, want the EU's levy and Germany's VAT", m.Revenue)
	}

	// Without a request: the study's own block (the EU, by bloc).
	own, err := svc.StudyEffects(ctx, st.ID, marketplace.StudyEffectsRequest{})
	if err != nil || own.Market.Code != "EU" || own.Runs[0].SourcesBy != whatif.SourcesByBloc {
		t.Errorf("effects without a request: %+v, %v; want the stored block", own.Market, err)
	}
	// Another market and other elasticities on the same stored study.
	de, err := svc.StudyEffects(ctx, st.ID, marketplace.StudyEffectsRequest{Market: "DE", ExportSupplyElasticity: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if de.Runs[0].SourcesBy != whatif.SourcesByOrigin || de.Runs[0].Model.Sources[0].Source != "cn-ningxia-zhongwei" || de.Runs[0].Model.Total.PriceEffect.IsZero() {
		t.Errorf("DE by origin with Ex = 2: %+v", de.Runs[0].Model.Sources)
	}
	// The Chinese buyer's market: one source, untouched by an EU levy.
	cnm, err := svc.StudyEffects(ctx, st.ID, marketplace.StudyEffectsRequest{Market: "CN"})
	if err != nil {
		t.Fatal(err)
	}
	if s := cnm.Runs[0].Model.Sources; len(s) != 1 || !s[0].TotalEffect.IsZero() {
		t.Errorf("CN market: %+v", s)
	}

	for _, c := range []struct {
		effects marketplace.StudyEffectsRequest
		field   string
	}{
		{marketplace.StudyEffectsRequest{Market: "XX27"}, "effects.market"},
		{marketplace.StudyEffectsRequest{SubstitutionElasticity: "-1"}, "effects.substitution_elasticity"},
	} {
		bad := req
		bad.Effects = &c.effects
		_, err := svc.RunStudy(ctx, bad)
		e, ok := marketplace.AsError(err)
		if !ok || e.Code != marketplace.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != c.field {
			t.Errorf("%+v: %v, want a refusal naming %s", c.effects, err, c.field)
		}
	}
	if _, err := svc.StudyEffects(ctx, "st_00000000000000000000000000000000", marketplace.StudyEffectsRequest{}); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
		t.Errorf("unknown study: %v", err)
	}
}
