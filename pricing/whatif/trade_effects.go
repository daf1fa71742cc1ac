package whatif

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/pricing/effects"
	"corridor/tariff"
)

// How the sources of a trade-effects run are grouped (EffectsSpec.SourcesBy).
const (
	SourcesByOrigin = "origin" // the flows' origins: regions, or blocs where a flow stands for one
	SourcesByBloc   = "bloc"   // the origin blocs (CN, EU)
)

// EUMarket is the market code of the European Union as a whole: the member states of the
// policy's EU27 area on the study's pricing date.
const EUMarket = "EU"

// euArea is the area of the policy documents that lists the EU member states.
const euArea = "EU27"

// WarnNoMarketFlows is the warning of a trade-effects run whose market bought nothing from any
// source under both the baseline and the scenario: there is no trade to move.
const WarnNoMarketFlows = "no_market_flows"

// WarnUnmatched is the warning of a source some of whose flows could not be priced under the
// baseline, the scenario or both: they are left out of its trade.
const WarnUnmatched = "unmatched_flows"

// gpuHourPlaces is how many decimals GPU-hour figures are rounded to (0.01 h = 36 s).
const gpuHourPlaces = 2

// Market is the importing market of a trade-effects run: a buyer jurisdiction and the buyer
// countries it covers.
type Market struct {
	Code      string   // DE, CN, EU
	Countries []string // sorted
}

// MarketOf resolves a market code: a country code (DE, CN) is that country; EU, or the id of
// an area of policy (EU27), is the area's members on day.
func MarketOf(code string, policy *tariff.Policy, day time.Time) (Market, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	area := c
	if c == EUMarket {
		area = euArea
	}
	if len(c) == 2 && c != EUMarket {
		if c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return Market{}, studyErr("effects.market", "%q is not a country code (DE), EU or an area id", code)
		}
		return Market{Code: c, Countries: []string{c}}, nil
	}
	if policy == nil {
		return Market{}, studyErr("effects.market", "%q needs the baseline policy's area %s to know its members", code, area)
	}
	a, ok := policy.Areas[area]
	if !ok {
		return Market{}, studyErr("effects.market", "%q is not a country code (DE), EU or an area of policy %s", code, policy.ID)
	}
	set := map[string]bool{}
	for _, m := range a.Members {
		if (m.ValidFrom.IsZero() || !day.Before(m.ValidFrom)) && (m.ValidTo.IsZero() || !day.After(m.ValidTo)) {
			set[m.Country] = true
		}
	}
	if len(set) == 0 {
		return Market{}, studyErr("effects.market", "area %s has no members on %s", area, day.Format(time.DateOnly))
	}
	return Market{Code: c, Countries: slices.Sorted(maps.Keys(set))}, nil
}

// EffectsSpec asks for the trade effects of a study's scenarios on one market: the market,
// how its sources are grouped, and the model's elasticities as text ("" takes the documented
// default of effects.Defaults; "inf" is infinite).
type EffectsSpec struct {
	Market                 Market
	SourcesBy              string // SourcesByOrigin (also when empty) or SourcesByBloc
	ImportDemandElasticity string
	SubstitutionElasticity string
	ExportSupplyElasticity string
}

// parameters parses and checks the spec's elasticities (with the model's own rules and
// limits); a problem is a *StudyError naming the field under "effects.".
func (s EffectsSpec) parameters() (effects.Input, error) {
	// The model validates its inputs as a request: a one-flow request checks the parameters.
	in, err := effects.Request{
		ImportDemandElasticity: s.ImportDemandElasticity, SubstitutionElasticity: s.SubstitutionElasticity,
		ExportSupplyElasticity: s.ExportSupplyElasticity,
		Flows:                  []effects.FlowRequest{{Source: "x", Value: "1", WedgeBefore: "0", WedgeAfter: "0"}},
	}.Input(nil)
	var ie *effects.InputError
	if errors.As(err, &ie) && len(ie.Fields) > 0 {
		return effects.Input{}, studyErr("effects."+ie.Fields[0].Field, "%s", ie.Fields[0].Message)
	}
	if err != nil {
		return effects.Input{}, err
	}
	in.Flows = nil
	return in, nil
}

// Check validates the spec before a study runs; a problem is a *StudyError naming the field
// (effects.market, effects.sources, effects.import_demand_elasticity…).
func (s EffectsSpec) Check() error {
	if len(s.Market.Countries) == 0 {
		return studyErr("effects.market", "the market covers no buyer country")
	}
	if s.SourcesBy != "" && s.SourcesBy != SourcesByOrigin && s.SourcesBy != SourcesByBloc {
		return studyErr("effects.sources", "%q: origin or bloc", s.SourcesBy)
	}
	_, err := s.parameters()
	return err
}

// TradeEffects is the trade-effects model run on one scenario of a study: the market's
// baseline trade by source and the wedge each source's flows bear under the baseline and the
// scenario, and the model's answer.
type TradeEffects struct {
	Scenario  string
	Market    Market
	SourcesBy string
	// Sources are the study's figures behind each source's inputs, in Model.Sources order.
	Sources []TradeSource
	// Model is the model's answer in the study currency, rounded once for display
	// (pricing.Round half up; GPU-hours to 0.01); revenue is split by collecting
	// jurisdiction. Its Warnings include WarnNoMarketFlows and WarnUnmatched.
	Model effects.Result
}

// TradeSource is what a market's flows from one source add up to in a study: the model's
// baseline value is SupplierValue, its wedges (BaselineLanded ÷ SupplierValue − 1) before and
// (Landed ÷ SupplierValue − 1) after.
type TradeSource struct {
	Source         string
	Flows          int
	Unmatched      int
	SupplierValue  decimal.Decimal
	BaselineLanded decimal.Decimal
	Landed         decimal.Decimal
	GPUHours       decimal.Decimal
	Hardware       int
}

// TradeEffects runs the trade-effects model (package effects, WITS-SMART) on every scenario
// of the study besides the baseline, for the market and sources of spec:
//
//   - a source's baseline value M is the supplier's price of the market's flows from it
//     (TradeCell.SupplierValue: the baseline's net price at the baseline's rates — the
//     basket's stated prices where it gave them);
//   - its wedge before is t0 = L0/M − 1 and after t1 = L1/M − 1, with L0 and L1 the flows'
//     landed cost under the baseline and the scenario: every duty, levy, non-recoverable tax,
//     subsidy and FX shock between the supplier's price and the buyer's landed cost;
//   - the wedge is split among the jurisdictions that collect it (TradeCell.Wedges ÷ M, so
//     revenue is by collector), the rest (an FX shock, freight) is nobody's revenue;
//   - GPU-hours are given when every source's flows are services.
//
// Only flows priced under both the baseline and the scenario count (the others are warned
// of). The answers are in the study currency, in the scenarios' order.
func (r *Result) TradeEffects(spec EffectsSpec) ([]TradeEffects, error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	params, _ := spec.parameters()
	by := cmp.Or(spec.SourcesBy, SourcesByOrigin)
	inMarket := map[string]bool{}
	for _, c := range spec.Market.Countries {
		inMarket[c] = true
	}
	places, _ := pricing.MinorUnits(r.Currency)
	rd := effects.Rounding{
		Money:     func(d decimal.Decimal) decimal.Decimal { return pricing.Round(d, r.Currency, pricing.HalfUp) },
		MinorUnit: decimal.New(1, -int32(places)),
		GPUHours:  func(d decimal.Decimal) decimal.Decimal { return d.Round(gpuHourPlaces) },
	}
	var out []TradeEffects
	for _, sc := range r.Scenarios[1:] {
		te := TradeEffects{Scenario: sc.ID, Market: spec.Market, SourcesBy: by}
		in := params
		in.Currency = r.Currency
		te.Sources, in.Flows = r.tradeInputs(sc.ID, by, inMarket)
		if len(in.Flows) > effects.MaxFlows {
			return nil, studyErr("effects.sources", "%d sources; the model takes at most %d (group them by bloc)", len(in.Flows), effects.MaxFlows)
		}
		var warnings []effects.Warning
		for _, s := range te.Sources {
			if s.Unmatched > 0 {
				warnings = append(warnings, effects.Warning{Code: WarnUnmatched, Source: s.Source,
					Message: fmt.Sprintf("%d flows from %s could not be priced under the baseline, %s or both: they are left out", s.Unmatched, s.Source, sc.ID)})
			}
		}
		trading := slices.ContainsFunc(in.Flows, func(f effects.Flow) bool { return f.Value.IsPositive() })
		if !trading {
			te.Model = effects.Result{Currency: r.Currency, ImportDemand: in.ImportDemand, Substitution: in.Substitution, ExportSupply: in.ExportSupply,
				Warnings: append(warnings, effects.Warning{Code: WarnNoMarketFlows,
					Message: fmt.Sprintf("%s bought nothing priced under both the baseline and %s: there is no trade to move", spec.Market.Code, sc.ID)})}
			te.Sources = nil
			out = append(out, te)
			continue
		}
		res, err := effects.Compute(in)
		if err != nil {
			var ie *effects.InputError
			if errors.As(err, &ie) && len(ie.Fields) > 0 {
				return nil, studyErr("effects", "scenario %s: %s: %s", sc.ID, sourceOf(ie.Fields[0].Field, in.Flows), ie.Fields[0].Message)
			}
			return nil, err
		}
		te.Model = res.Rounded(rd)
		te.Model.Warnings = append(warnings, te.Model.Warnings...)
		out = append(out, te)
	}
	return out, nil
}

// sourceOf names the source a model field ("flows[2].wedge_after") is about.
func sourceOf(field string, flows []effects.Flow) string {
	var i int
	if _, err := fmt.Sscanf(field, "flows[%d]", &i); err == nil && i >= 0 && i < len(flows) {
		return "the wedge of " + flows[i].Source + " (" + strings.TrimPrefix(field, fmt.Sprintf("flows[%d].", i)) + ")"
	}
	return field
}

// tradeInputs sums the market's trade cells of scenario by source and turns each source into
// the model's flow, sources in name order.
func (r *Result) tradeInputs(scenario, by string, inMarket map[string]bool) ([]TradeSource, []effects.Flow) {
	type acc struct {
		TradeSource
		wedge map[string]*[2]decimal.Decimal
	}
	sums := map[string]*acc{}
	for i := range r.Trade {
		c := &r.Trade[i]
		if c.Scenario != scenario || !inMarket[c.BuyerCountry] {
			continue
		}
		name := c.Origin
		if by == SourcesByBloc {
			name = c.Bloc
		}
		a := sums[name]
		if a == nil {
			a = &acc{TradeSource: TradeSource{Source: name}, wedge: map[string]*[2]decimal.Decimal{}}
			sums[name] = a
		}
		a.Flows += c.Flows
		a.Unmatched += c.Unmatched
		a.Hardware += c.Hardware
		a.SupplierValue = a.SupplierValue.Add(c.SupplierValue)
		a.BaselineLanded = a.BaselineLanded.Add(c.BaselineLanded)
		a.Landed = a.Landed.Add(c.Landed)
		a.GPUHours = a.GPUHours.Add(c.GPUHours)
		for _, w := range c.Wedges {
			x := a.wedge[w.Jurisdiction]
			if x == nil {
				x = &[2]decimal.Decimal{}
				a.wedge[w.Jurisdiction] = x
			}
			x[0], x[1] = x[0].Add(w.Baseline), x[1].Add(w.Scenario)
		}
	}
	names := slices.Sorted(maps.Keys(sums))
	hours := true // GPU-hours for the model when every trading source's flows are services
	for _, n := range names {
		if a := sums[n]; a.Flows > 0 && (a.Hardware > 0 || !a.GPUHours.IsPositive() || !a.SupplierValue.IsPositive()) {
			hours = false
		}
	}
	sources := make([]TradeSource, 0, len(names))
	flows := make([]effects.Flow, 0, len(names))
	for _, n := range names {
		a := sums[n]
		sources = append(sources, a.TradeSource)
		f := effects.Flow{Source: n, Value: a.SupplierValue}
		if m := a.SupplierValue; m.IsPositive() {
			ratio := func(x decimal.Decimal) decimal.Decimal { return x.DivRound(m, effects.QuotientPlaces) }
			f.WedgeBefore = ratio(a.BaselineLanded).Sub(decimal.NewFromInt(1))
			f.WedgeAfter = ratio(a.Landed).Sub(decimal.NewFromInt(1))
			for _, j := range slices.Sorted(maps.Keys(a.wedge)) {
				w := a.wedge[j]
				if w[0].IsZero() && w[1].IsZero() {
					continue
				}
				f.Parts = append(f.Parts, effects.WedgePart{Collector: j, Before: ratio(w[0]), After: ratio(w[1])})
			}
			if hours {
				f.GPUHours = a.GPUHours
			}
		}
		if len(f.Parts) == 0 {
			f.Collector = effects.NoCollector
		}
		flows = append(flows, f)
	}
	return sources, flows
}
