package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// effectsStudy is two German consumers' purchases, one from Zhongwei (CN) and one from Kajaani
// (EU), and a Chinese business's from Zhongwei, under the baseline and scenario file.
func effectsStudy(t *testing.T, file string) *Result {
	t.Helper()
	base := testPolicy(t)
	return evaluate(t, &Study{
		AsOf: saturday, Currency: "EUR", FX: testFX(),
		Baseline:  baseline(base),
		Scenarios: []Scenario{scenario(t, base, file)},
		Flows: []Flow{
			flow("de-consumer", cnH100(), 8, 720, "DE", tariff.BuyerConsumer, ""),
			flow("de-consumer", fiH100("2.00"), 8, 720, "DE", tariff.BuyerConsumer, ""),
			flow("cn-shanghai", cnH100(), 4, 250, "CN", tariff.BuyerBusiness, "cn-shanghai"),
		},
	}, Options{})
}

func market(t *testing.T, code string) Market {
	t.Helper()
	m, err := MarketOf(code, testPolicy(t), saturday)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTradeEffectsWorked runs the model on a study with two sources and a levy on one: the 10%
// EU levy on Chinese compute (scenario-levy.yaml), market DE, sources by bloc, SMART's
// defaults (Em = −1.5, Es = 1.5, Ex = ∞). EUR 1 = CNY 8.
//
// The study (the German consumers' flows; the Chinese buyer is outside the market):
//
//	CN  supplier value M = 15 × 5,760 ÷ 8 = 10,800.00; DE VAT 19% = 2,052.00
//	    landed before 12,852.00; after + levy 10% of the net price 1,080.00 = 13,932.00
//	    t0 = 12,852 / 10,800 − 1 = 0.19 (DE 0.19); t1 = 13,932 / 10,800 − 1 = 0.29 (DE 0.19, EU 0.10)
//	EU  M = 2.00 × 5,760 = 11,520.00; VAT 2,188.80; landed 13,708.80; t0 = t1 = 0.19 (DE)
//
// Creation (Em·M·τ, τ = (t1 − t0)/(1 + t0)): CN −1.5 × 10,800 × 0.10/1.19 = −1,620/1.19 =
// −1,361.3445… → −1,361.34; EU τ = 0, none.
//
// Diversion, CN the dearest after (f = 1.29/1.19), μ_CN = 1, μ_EU = 1 + 1.5 × (1 − 1.19/1.29)
// = 1 + 0.15/1.29; T = 22,320; Σ M·μ = 22,320 + 11,520 × 0.15/1.29 = 30,520.8/1.29:
// TD_CN = 22,320 × 10,800 × 1.29/30,520.8 − 10,800 = −10,800 × 1,728/30,520.8 =
// −611.4649… → −611.46; TD_EU = +611.46 (Laird–Yeats: 11,520 × 10,800 × 1.5 × ρ / (22,320 +
// 11,520 × 1.5 × ρ), ρ = 0.10/1.29, the same). Diversion sums to zero.
//
// Total: CN −1,361.34 − 611.46 = −1,972.80 (value after 8,827.20; exactly 8,827.1904940…);
// EU +611.46 (after 12,131.46).
//
// Revenue by collector, before t·M, after t·(value after):
//
//	DE  before 0.19 × 10,800 + 0.19 × 11,520 = 2,052.00 + 2,188.80 = 4,240.80;
//	    after 0.19 × 8,827.1904… = 1,677.17 and 0.19 × 12,131.4649… = 2,304.98: 3,982.15; −258.65
//	EU  0 → 0.10 × 8,827.1904… = 882.72; +882.72
//	total revenue change 624.07
//
// Consumer surplus: CN −(1.29 − 1.19) × (10,800 + 8,827.1904…)/2 = −981.3595… → −981.36; EU 0.
// Welfare −981.36 + 624.07 = −357.29 (the Harberger trapezoids: CN ½ × (0.19 + 0.29) ×
// (−1,972.8095…) = −473.47, EU 0.19 × 611.4649… = 116.18).
//
// GPU-hours at each source's price per GPU-hour: CN creation −1,361.3445… × 5,760/10,800 =
// −726.05, diversion −611.4649… × 5,760/10,800 = −326.11; EU diversion 611.4649… × 5,760/11,520
// = 305.73 (diversion in hours is not zero: Kajaani's hour costs more than Zhongwei's).
func TestTradeEffectsWorked(t *testing.T) {
	r := effectsStudy(t, "scenario-levy.yaml")
	got, err := r.TradeEffects(EffectsSpec{Market: market(t, "DE"), SourcesBy: SourcesByBloc})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Scenario != "levy" {
		t.Fatalf("got %d runs, want one for scenario levy", len(got))
	}
	te := got[0]
	m := te.Model
	want := []struct {
		source, value, t0, t1, tc, td, total, after, cs, welfare, hTC, hTD string
		flows                                                              int
		supplier, landed0, landed1                                         string
	}{
		{"CN", "10800", "0.19", "0.29", "-1361.34", "-611.46", "-1972.8", "8827.2", "-981.36", "-473.47", "-726.05", "-326.11", 1, "10800", "12852", "13932"},
		{"EU", "11520", "0.19", "0.19", "0", "611.46", "611.46", "12131.46", "0", "116.18", "0", "305.73", 1, "11520", "13708.8", "13708.8"},
	}
	if len(m.Sources) != len(want) || len(te.Sources) != len(want) {
		t.Fatalf("sources %+v, want CN and EU", m.Sources)
	}
	for i, w := range want {
		s, ts := m.Sources[i], te.Sources[i]
		checkD := func(name string, got decimal.Decimal, want string) {
			t.Helper()
			if !got.Equal(d(want)) {
				t.Errorf("%s %s = %s, want %s", w.source, name, got, want)
			}
		}
		if s.Source != w.source || ts.Source != w.source || ts.Flows != w.flows {
			t.Errorf("source %d = %s (%s, %d flows), want %s", i, s.Source, ts.Source, ts.Flows, w.source)
		}
		checkD("value", s.ValueBefore, w.value)
		checkD("wedge before", s.WedgeBefore, w.t0)
		checkD("wedge after", s.WedgeAfter, w.t1)
		checkD("creation", s.TradeCreation, w.tc)
		checkD("diversion", s.TradeDiversion, w.td)
		checkD("total effect", s.TotalEffect, w.total)
		checkD("value after", s.ValueAfter, w.after)
		checkD("consumer surplus", s.ConsumerSurplusChange, w.cs)
		checkD("welfare", s.WelfareChange, w.welfare)
		checkD("GPU-hours created", s.GPUHours.TradeCreation, w.hTC)
		checkD("GPU-hours diverted", s.GPUHours.TradeDiversion, w.hTD)
		checkD("supplier value", ts.SupplierValue, w.supplier)
		checkD("baseline landed", ts.BaselineLanded, w.landed0)
		checkD("landed", ts.Landed, w.landed1)
	}
	// Diversion moves trade between sources: it sums to zero.
	if !m.Total.TradeDiversion.IsZero() || !m.Sources[0].TradeDiversion.Add(m.Sources[1].TradeDiversion).IsZero() {
		t.Errorf("diversion total = %s, want 0", m.Total.TradeDiversion)
	}
	var rev []string
	for _, c := range m.Revenue {
		rev = append(rev, fmt.Sprintf("%s %s→%s %s", c.Collector, c.RevenueBefore.StringFixed(2), c.RevenueAfter.StringFixed(2), c.RevenueChange.StringFixed(2)))
	}
	if g, w := strings.Join(rev, "; "), "DE 4240.80→3982.15 -258.65; EU 0.00→882.72 882.72"; g != w {
		t.Errorf("revenue by collector:\n got %s\nwant %s", g, w)
	}
	for name, p := range map[string][2]decimal.Decimal{
		"revenue change":   {m.Total.RevenueChange, d("624.07")},
		"consumer surplus": {m.Total.ConsumerSurplusChange, d("-981.36")},
		"welfare":          {m.Total.WelfareChange, d("-357.29")},
		"trade creation":   {m.Total.TradeCreation, d("-1361.34")},
		"total effect":     {m.Total.TotalEffect, d("-1361.34")},
	} {
		if !p[0].Equal(p[1]) {
			t.Errorf("total %s = %s, want %s", name, p[0], p[1])
		}
	}
	if !m.ImportDemand.Default || !m.Substitution.Default || !m.ExportSupply.IsInfinite() {
		t.Errorf("parameters %+v: the documented defaults apply", m)
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings %+v, want none", m.Warnings)
	}

	// The EU as a whole is the same market here (Germany is its only buyer); China bought
	// only from itself: one source, no diversion, and the levy (EU) does not touch it.
	eu, err := r.TradeEffects(EffectsSpec{Market: market(t, "EU"), SourcesBy: SourcesByBloc})
	if err != nil {
		t.Fatal(err)
	}
	if g := eu[0].Model.Total; !g.WelfareChange.Equal(m.Total.WelfareChange) || len(eu[0].Market.Countries) != 27 {
		t.Errorf("EU market: welfare %s over %d countries, want %s over the 27 member states", g.WelfareChange, len(eu[0].Market.Countries), m.Total.WelfareChange)
	}
	cn, err := r.TradeEffects(EffectsSpec{Market: market(t, "CN"), SourcesBy: SourcesByOrigin})
	if err != nil {
		t.Fatal(err)
	}
	if s := cn[0].Model.Sources; len(s) != 1 || s[0].Source != "cn-ningxia-zhongwei" || !s[0].TotalEffect.IsZero() {
		t.Errorf("CN market: %+v, want Zhongwei alone, unchanged", s)
	}
}

// TestTradeEffectsFXShockIsUncollected: the FX shock of scenario levy-cny-voucher (CNY −20%,
// with a 40% levy) is part of the wedge but nobody's revenue. CN, German consumer: M =
// 10,800.00 (the baseline's net price at CNY 8); landed after 13,737.60 (net 8,640.00 at CNY
// 10, levy 3,456.00, VAT 1,641.60): t1 = 13,737.60/10,800 − 1 = 0.272, of which EU 3,456/10,800
// = 0.32 and DE 1,641.60/10,800 = 0.152; the remaining −0.20 (−2,160 of the price's FX move)
// is collected by no one.
func TestTradeEffectsFXShockIsUncollected(t *testing.T) {
	r := effectsStudy(t, "scenario-levy-cny-voucher.yaml")
	got, err := r.TradeEffects(EffectsSpec{Market: market(t, "DE"), SourcesBy: SourcesByBloc,
		ImportDemandElasticity: "-2", SubstitutionElasticity: "3", ExportSupplyElasticity: "inf"})
	if err != nil {
		t.Fatal(err)
	}
	s := got[0].Model.Sources[0]
	if s.Source != "CN" || !s.WedgeBefore.Equal(d("0.19")) || !s.WedgeAfter.Equal(d("0.272")) {
		t.Fatalf("CN wedges %s → %s, want 0.19 → 0.272", s.WedgeBefore, s.WedgeAfter)
	}
	var parts []string
	for _, c := range s.Revenue {
		parts = append(parts, c.Collector)
	}
	if strings.Join(parts, ",") != "DE,EU" {
		t.Errorf("collectors %v, want DE and EU (the FX part has none)", parts)
	}
	// Revenue after: DE 0.152 and EU 0.32 of the value after; together 0.472 of it, not 0.272.
	if w := s.ValueAfter.Mul(d("0.472")).Round(2); !s.RevenueAfter.Sub(w).Abs().LessThanOrEqual(d("0.01")) {
		t.Errorf("CN revenue after %s, want 0.472 × %s = %s", s.RevenueAfter, s.ValueAfter, w)
	}
	if p := got[0].Model.ImportDemand; p.Default || p.String() != "-2" {
		t.Errorf("import-demand elasticity %+v, want the given -2", p)
	}
}

func TestTradeEffectsBadSpec(t *testing.T) {
	r := effectsStudy(t, "scenario-levy.yaml")
	for _, c := range []struct {
		spec  EffectsSpec
		field string
	}{
		{EffectsSpec{}, "effects.market"},
		{EffectsSpec{Market: Market{Code: "DE", Countries: []string{"DE"}}, SourcesBy: "country"}, "effects.sources"},
		{EffectsSpec{Market: Market{Code: "DE", Countries: []string{"DE"}}, ImportDemandElasticity: "1.5"}, "effects.import_demand_elasticity"},
		{EffectsSpec{Market: Market{Code: "DE", Countries: []string{"DE"}}, ExportSupplyElasticity: "0"}, "effects.export_supply_elasticity"},
	} {
		_, err := r.TradeEffects(c.spec)
		var se *StudyError
		if !errors.As(err, &se) || se.Field != c.field {
			t.Errorf("%+v: error %v, want one naming %s", c.spec, err, c.field)
		}
	}
	for _, code := range []string{"ZZZZ", "d1", ""} {
		if _, err := MarketOf(code, testPolicy(t), saturday); err == nil {
			t.Errorf("market %q accepted", code)
		}
	}
	// A market that bought nothing: a warning, no figures.
	got, err := r.TradeEffects(EffectsSpec{Market: market(t, "FR")})
	if err != nil {
		t.Fatal(err)
	}
	if w := got[0].Model.Warnings; len(w) != 1 || w[0].Code != WarnNoMarketFlows || len(got[0].Model.Sources) != 0 {
		t.Errorf("FR: %+v, want the no_market_flows warning alone", got[0].Model)
	}
}

// TestTradeCellsMatchQuotes recomputes a study's trade sums the plain way — each flow priced
// alone under the baseline and each scenario — and compares them with the streamed, merged
// ones, with 1 and 3 workers; then checks that every cell's wedge parts and its uncollected
// rest add up to landed cost less supplier value, and that the model's diversion sums to zero
// over the EU's sources.
func TestTradeCellsMatchQuotes(t *testing.T) {
	s := bigStudy(t, 300, "")
	type key struct{ scen, country, origin string }
	type sums struct {
		flows, unmatched           int
		supplier, landed0, landed1 decimal.Decimal
		wedge                      map[string][2]decimal.Decimal
	}
	want := map[key]*sums{}
	price := func(f Flow, sc Scenario) (pricing.Quote, error) {
		fx, err := testFX().Shock(maps.Clone(sc.FXShocks))
		if err != nil {
			t.Fatal(err)
		}
		req := f.Request
		req.Currency, req.AsOf = "EUR", saturday
		return pricing.Price(pricing.Inputs{Offer: f.Offer, Request: req, Policy: sc.Policy, FX: fx, Now: saturday})
	}
	for _, sc := range s.Scenarios {
		for _, f := range s.Flows {
			base, baseErr := price(f, s.Baseline)
			q, err := price(f, sc)
			k := key{sc.ID, f.Request.BuyerCountry, f.Offer.Region}
			w := want[k]
			if w == nil {
				w = &sums{wedge: map[string][2]decimal.Decimal{}}
				want[k] = w
			}
			if baseErr != nil || err != nil {
				w.unmatched++
				continue
			}
			w.flows++
			w.supplier = w.supplier.Add(base.Subtotal)
			w.landed0 = w.landed0.Add(base.LandedCost)
			w.landed1 = w.landed1.Add(q.LandedCost)
			for i, lines := range [2][]pricing.Line{base.Lines, q.Lines} {
				for _, l := range lines {
					if l.MeasureID == "" {
						continue
					}
					x := w.wedge[l.Jurisdiction]
					if l.Payable {
						x[i] = x[i].Add(l.Amount)
					}
					if (l.Payable || l.Included) && l.Recoverable && f.Request.BuyerType == tariff.BuyerBusiness {
						x[i] = x[i].Sub(l.Amount)
					}
					w.wedge[l.Jurisdiction] = x
				}
			}
		}
	}
	for _, workers := range []int{1, 3} {
		r := evaluate(t, s, Options{Workers: workers})
		if len(r.Trade) != len(want) {
			t.Fatalf("%d workers: %d trade cells, want %d", workers, len(r.Trade), len(want))
		}
		for _, c := range r.Trade {
			w := want[key{c.Scenario, c.BuyerCountry, c.Origin}]
			if w == nil || c.Flows != w.flows || c.Unmatched != w.unmatched || !c.SupplierValue.Equal(w.supplier) ||
				!c.BaselineLanded.Equal(w.landed0) || !c.Landed.Equal(w.landed1) {
				t.Fatalf("%d workers: cell %+v, want %+v", workers, c, w)
			}
			rest0, rest1 := c.BaselineLanded.Sub(c.SupplierValue), c.Landed.Sub(c.SupplierValue)
			for _, j := range c.Wedges {
				if x := w.wedge[j.Jurisdiction]; !j.Baseline.Equal(x[0]) || !j.Scenario.Equal(x[1]) {
					t.Errorf("cell %s/%s/%s jurisdiction %s: %s → %s, want %s → %s", c.Scenario, c.BuyerCountry, c.Origin, j.Jurisdiction, j.Baseline, j.Scenario, x[0], x[1])
				}
				rest0, rest1 = rest0.Sub(j.Baseline), rest1.Sub(j.Scenario)
			}
			// Without FX shocks or freight the wedge is all measures: nothing is left over.
			if c.Scenario == "levy" && c.Hardware == 0 && (!rest0.IsZero() || !rest1.IsZero()) {
				t.Errorf("cell %+v leaves %s and %s uncollected", c, rest0, rest1)
			}
		}
	}
	r := evaluate(t, s, Options{})
	runs, err := r.TradeEffects(EffectsSpec{Market: market(t, "EU"), SourcesBy: SourcesByOrigin, ExportSupplyElasticity: "5"})
	if err != nil {
		t.Fatal(err)
	}
	for _, te := range runs {
		var sum decimal.Decimal
		for _, src := range te.Model.Sources {
			sum = sum.Add(src.TradeDiversion)
		}
		if !sum.IsZero() || len(te.Model.Sources) != 5 {
			t.Errorf("%s: diversion over %d sources sums to %s, want 0 over 5", te.Scenario, len(te.Model.Sources), sum)
		}
		if !te.Model.Total.WelfareChange.Equal(te.Model.Total.ConsumerSurplusChange.Add(te.Model.Total.RevenueChange)) {
			t.Errorf("%s: welfare is not consumer surplus plus revenue", te.Scenario)
		}
	}
}

// TestTradeReadBack: the trade sums written with a result's JSON read back to the same trade
// effects as the result itself gives (a stored study's section is computed from them).
func TestTradeReadBack(t *testing.T) {
	r := evaluate(t, bigStudy(t, 200, ""), Options{})
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTrade(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Trade) != len(r.Trade) || len(back.Trade) == 0 || back.Currency != "EUR" || len(back.Scenarios) != 3 {
		t.Fatalf("read back %d cells in %s, %d scenarios; want %d in EUR, 3", len(back.Trade), back.Currency, len(back.Scenarios), len(r.Trade))
	}
	spec := EffectsSpec{Market: market(t, "EU"), SourcesBy: SourcesByBloc, SubstitutionElasticity: "2"}
	want, err := r.TradeEffects(spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.TradeEffects(spec)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("read back:\n%s\nwant:\n%s", g, w)
	}
	// The tables are read back as before: the trade sums are not a table.
	if tables, err := ReadTables(bytes.NewReader(b.Bytes())); err != nil || len(tables) != len(r.Tables()) {
		t.Errorf("tables read back: %d, %v", len(tables), err)
	}
}
