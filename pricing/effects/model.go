package effects

import (
	"fmt"
	"sort"

	"github.com/shopspring/decimal"
)

// QuotientPlaces is the number of decimal places every quotient of the model is carried to
// (rounded half up). Sums and products are exact, and each figure goes through few divisions
// (docs/effects.md counts them): within the input limits of this package every figure is
// within 10⁻¹² of its unit of the exact rational result (TestPrecisionAgainstRationals), far
// below any minor unit.
const QuotientPlaces = 40

// NoCollector is the collector of a flow whose wedge nobody collects (an FX shock, a cost):
// it changes landed prices but no one's revenue.
const NoCollector = "none"

// Flow is one source's baseline trade into the importing market.
type Flow struct {
	// Source names the origin (a region, bloc or country code, as the caller chooses).
	Source string
	// Value is the baseline import value at supplier prices, before the wedge, in the flows'
	// currency (SMART's "trade value", the world price normalised to 1).
	Value decimal.Decimal
	// GPUHours is the baseline quantity in GPU-hours; zero when the caller gave none.
	GPUHours decimal.Decimal
	// WedgeBefore and WedgeAfter are the ad valorem wedges between the supplier's price and
	// the buyer's landed cost before and after the policy, as fractions (0.10 for 10%); a
	// subsidy or a favourable FX move is negative.
	WedgeBefore, WedgeAfter decimal.Decimal
	// Collector is the jurisdiction that collects the wedge ("DE", "EU", "CN"), NoCollector
	// when nobody does, or empty when the caller does not say.
	Collector string
	// Parts, when given instead of Collector, split the wedge among the jurisdictions that
	// collect it (a member state's VAT and an EU levy on the same flow); what the parts leave
	// of the wedge (an FX shock, freight) is nobody's revenue.
	Parts []WedgePart
}

// WedgePart is the share of a flow's wedge that one jurisdiction collects, before and after
// the policy, as fractions of the supplier's price like the wedge itself; a subsidy it pays
// out is negative.
type WedgePart struct {
	Collector     string
	Before, After decimal.Decimal
}

// Elasticity is an exact elasticity or an infinite one.
type Elasticity struct {
	value    decimal.Decimal
	infinite bool
}

// Finite returns the elasticity d.
func Finite(d decimal.Decimal) Elasticity { return Elasticity{value: d} }

// Infinite is the infinite elasticity (perfectly elastic supply).
var Infinite = Elasticity{infinite: true}

// IsInfinite reports whether e is infinite.
func (e Elasticity) IsInfinite() bool { return e.infinite }

// Value returns e's value; zero when e is infinite.
func (e Elasticity) Value() decimal.Decimal { return e.value }

// String writes e as the API does: "inf" or the decimal.
func (e Elasticity) String() string {
	if e.infinite {
		return "inf"
	}
	return e.value.String()
}

// Parameter is an elasticity as the model used it, with where its value came from.
type Parameter struct {
	Elasticity
	// Default is true when the caller left the parameter out and the documented default
	// applied; Source, AsOf and Confidence then describe the default.
	Default    bool
	Source     string
	AsOf       string
	Confidence string
}

// Input is everything the model needs.
type Input struct {
	Flows []Flow
	// ImportDemand is the import-demand elasticity Em (≤ 0): the relative change in total
	// imports per relative change in the landed price.
	ImportDemand Parameter
	// Substitution is the elasticity of substitution Es (≥ 0) between sources.
	Substitution Parameter
	// ExportSupply is the export-supply elasticity Ex (> 0 or infinite) of every source.
	ExportSupply Parameter
	// Currency is the ISO 4217 code of the values, or empty when they are in another unit.
	Currency string
}

// Result is the model's answer: one SourceResult per flow in input order, the totals, the
// revenue of each collecting jurisdiction and the warnings about the model's range.
type Result struct {
	Currency     string
	ImportDemand Parameter
	Substitution Parameter
	ExportSupply Parameter
	Sources      []SourceResult
	Total        Totals
	// Revenue holds one entry per collector named by the flows (sorted by name, the flows
	// without a collector under ""); empty when no flow names one.
	Revenue  []CollectorRevenue
	Warnings []Warning
	// HasGPUHours is true when the flows gave GPU-hours (all of them do, or none).
	HasGPUHours bool
}

// SourceResult is the effect of the policy on one source. Amounts are in the flows' currency;
// the identities TotalEffect = TradeCreation + TradeDiversion + PriceEffect, ValueAfter =
// ValueBefore + TotalEffect and WelfareChange = ConsumerSurplusChange + RevenueChange hold
// exactly.
type SourceResult struct {
	Source                  string
	Collector               string
	WedgeBefore, WedgeAfter decimal.Decimal
	// LandedPriceChange is the relative change of the buyer's landed price caused by the
	// wedge, (1+t1)/(1+t0) − 1; SupplierPriceChange the relative change of the supplier's
	// price (zero with infinite export-supply elasticity).
	LandedPriceChange   decimal.Decimal
	SupplierPriceChange decimal.Decimal

	ValueBefore    decimal.Decimal
	TradeCreation  decimal.Decimal
	TradeDiversion decimal.Decimal
	PriceEffect    decimal.Decimal
	TotalEffect    decimal.Decimal
	ValueAfter     decimal.Decimal

	RevenueBefore, RevenueAfter, RevenueChange decimal.Decimal
	ConsumerSurplusChange                      decimal.Decimal
	WelfareChange                              decimal.Decimal
	// Revenue splits the source's revenue by collector when its flow gave wedge parts (in
	// the parts' order); RevenueBefore, RevenueAfter and RevenueChange are then their sums.
	Revenue []CollectorRevenue

	// GPUHours holds the quantity effects when the flows gave GPU-hours.
	GPUHours *QuantityEffects
}

// QuantityEffects are a source's trade effects in GPU-hours at its baseline price per
// GPU-hour. The price effect changes prices, not quantities, so it has no GPU-hour part, and
// diversion sums to zero in value, not in GPU-hours when sources' prices differ.
type QuantityEffects struct {
	Before, TradeCreation, TradeDiversion, TotalEffect, After decimal.Decimal
}

// Totals are the sums over sources.
type Totals struct {
	ValueBefore, TradeCreation, TradeDiversion, PriceEffect, TotalEffect, ValueAfter decimal.Decimal
	RevenueBefore, RevenueAfter, RevenueChange                                       decimal.Decimal
	ConsumerSurplusChange, WelfareChange                                             decimal.Decimal
	GPUHours                                                                         *QuantityEffects
}

// CollectorRevenue is the wedge revenue of one collecting jurisdiction before and after.
type CollectorRevenue struct {
	Collector                                  string
	RevenueBefore, RevenueAfter, RevenueChange decimal.Decimal
}

// Warning codes.
const (
	// WarnNegativeFlow: the linear model predicts imports below zero for a source; the wedge
	// change is outside the range where SMART's first-order approximation holds.
	WarnNegativeFlow = "negative_flow"
	// WarnNoBaseline: a source has no baseline trade, and the model cannot create trade from
	// nothing (a limit SMART shares).
	WarnNoBaseline = "no_baseline"
)

// Warning is a note about a result that is outside the model's comfortable range.
type Warning struct {
	Code    string
	Source  string
	Message string
}

var (
	one  = decimal.NewFromInt(1)
	half = decimal.New(5, -1)
)

func div(a, b decimal.Decimal) decimal.Decimal { return a.DivRound(b, QuotientPlaces) }

// Compute runs the model on in (validated first; a problem is an *InputError). The equations,
// with their sources, are in docs/effects.md; in short, with world prices normalised to 1 so
// that values are quantities, for each source k with baseline value M, wedges t0 → t1:
//
//	landed price factor   f = (1+t1)/(1+t0),  τ = f − 1
//	supplier price change π = Em·τ/(Ex − Em)            (0 when Ex is infinite)
//	trade creation        TC = Ex·π·M = Em·M·τ/(1 − Em/Ex)
//	trade diversion       TD = T·M·μ/Σ(M·μ) − M,  μ = 1 + Es·(1 − f/f_max),  T = ΣM
//	price effect          PE = π·(M + TC + TD)
//	total effect          TC + TD + PE = value after − value before
//
// Revenue is t·value at supplier prices; the consumer-surplus change is the trapezoid
// −Δp·(Q0+Q1)/2 of the landed price change; welfare is consumer surplus plus revenue.
func Compute(in Input) (Result, error) {
	if err := in.Validate(); err != nil {
		return Result{}, err
	}
	em, es := in.ImportDemand.Value(), in.Substitution.Value()
	res := Result{Currency: in.Currency, ImportDemand: in.ImportDemand, Substitution: in.Substitution, ExportSupply: in.ExportSupply,
		Sources: make([]SourceResult, len(in.Flows)), HasGPUHours: len(in.Flows) > 0 && in.Flows[0].GPUHours.IsPositive()}

	// The dearest source after the change (the highest landed price factor) among sources
	// that trade: diversion is measured against it, so every multiplier μ is at least 1.
	dearest := -1
	var fmax decimal.Decimal
	for i, f := range in.Flows {
		if fi := div(one.Add(f.WedgeAfter), one.Add(f.WedgeBefore)); f.Value.IsPositive() && (dearest < 0 || fi.GreaterThan(fmax)) {
			dearest, fmax = i, fi
		}
	}
	diversion := divert(in.Flows, dearest, es)

	for i, f := range in.Flows {
		tau := div(f.WedgeAfter.Sub(f.WedgeBefore), one.Add(f.WedgeBefore))
		var pi, tc decimal.Decimal
		if in.ExportSupply.IsInfinite() {
			tc = em.Mul(f.Value).Mul(tau)
		} else {
			ex := in.ExportSupply.Value()
			pi = div(em.Mul(tau), ex.Sub(em))
			tc = ex.Mul(pi).Mul(f.Value)
		}
		td := diversion[i]
		q1 := f.Value.Add(tc).Add(td) // quantity after, at baseline supplier prices
		pe := pi.Mul(q1)
		s := SourceResult{Source: f.Source, Collector: f.Collector, WedgeBefore: f.WedgeBefore, WedgeAfter: f.WedgeAfter,
			LandedPriceChange: tau, SupplierPriceChange: pi,
			ValueBefore: f.Value, TradeCreation: tc, TradeDiversion: td, PriceEffect: pe}
		s.TotalEffect = tc.Add(td).Add(pe)
		s.ValueAfter = f.Value.Add(s.TotalEffect)

		switch {
		case len(f.Parts) > 0:
			// Each collector's part of the wedge on the value before and after, as the whole
			// wedge's revenue is.
			s.Revenue = make([]CollectorRevenue, len(f.Parts))
			for j, p := range f.Parts {
				c := CollectorRevenue{Collector: p.Collector, RevenueBefore: p.Before.Mul(f.Value), RevenueAfter: p.After.Mul(s.ValueAfter)}
				c.RevenueChange = c.RevenueAfter.Sub(c.RevenueBefore)
				s.Revenue[j] = c
				s.RevenueBefore = s.RevenueBefore.Add(c.RevenueBefore)
				s.RevenueAfter = s.RevenueAfter.Add(c.RevenueAfter)
			}
			s.RevenueChange = s.RevenueAfter.Sub(s.RevenueBefore)
		case f.Collector != NoCollector:
			s.RevenueBefore = f.WedgeBefore.Mul(f.Value)
			s.RevenueAfter = f.WedgeAfter.Mul(s.ValueAfter)
			s.RevenueChange = s.RevenueAfter.Sub(s.RevenueBefore)
		}
		// Landed price per unit of baseline quantity: 1+t0 before, (1+π)(1+t1) after.
		dp := one.Add(pi).Mul(one.Add(f.WedgeAfter)).Sub(one.Add(f.WedgeBefore))
		s.ConsumerSurplusChange = dp.Neg().Mul(f.Value.Add(q1)).Mul(half)
		s.WelfareChange = s.ConsumerSurplusChange.Add(s.RevenueChange)

		if res.HasGPUHours {
			// At the baseline price per GPU-hour, value/GPU-hours (one division each, so the
			// relative error stays that of the effect).
			qe := QuantityEffects{Before: f.GPUHours, TradeCreation: div(tc.Mul(f.GPUHours), f.Value), TradeDiversion: div(td.Mul(f.GPUHours), f.Value)}
			qe.TotalEffect = qe.TradeCreation.Add(qe.TradeDiversion)
			qe.After = qe.Before.Add(qe.TotalEffect)
			s.GPUHours = &qe
		}
		res.Sources[i] = s
		res.Warnings = append(res.Warnings, warningsFor(f, q1, in.Currency)...)
	}
	res.total()
	return res, nil
}

// divert is the substitution step: total imports T held constant, the sources' shares move
// with their relative landed prices. Laird & Yeats write it for a preferred source k against
// the others K: M_k'/M_K' = (M_k/M_K)·(1 + Es·ρ), ρ = 1 − f_k/f_K the fall of k's landed price
// relative to K's, giving TD_k = M_k·M_K·Es·ρ / (M_k + M_K + M_k·Es·ρ). With N sources each
// source's share is weighted by μ = 1 + Es·(1 − f/f_max) against the dearest source: for two
// sources this is Laird–Yeats exactly (the cheaper one is the preferred one), μ ≥ 1 keeps
// every share positive and below T ("diversion reaches its ceiling with existing trade"), and
// a change common to all sources diverts nothing. The diversions sum to exactly zero: the
// source with the largest baseline takes the remainder of the divisions.
func divert(flows []Flow, dearest int, es decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(flows))
	if dearest < 0 {
		return out // no source trades
	}
	m := flows[dearest]
	mu := make([]decimal.Decimal, len(flows))
	var total, weighted decimal.Decimal
	absorber := -1
	for i, f := range flows {
		// f/f_max = (1+t1)(1+t0_max) / ((1+t0)(1+t1_max)) in one division.
		rel := div(one.Add(f.WedgeAfter).Mul(one.Add(m.WedgeBefore)), one.Add(f.WedgeBefore).Mul(one.Add(m.WedgeAfter)))
		mu[i] = one.Add(es.Mul(one.Sub(rel)))
		total = total.Add(f.Value)
		weighted = weighted.Add(f.Value.Mul(mu[i]))
		if f.Value.IsPositive() && (absorber < 0 || f.Value.GreaterThan(flows[absorber].Value)) {
			absorber = i
		}
	}
	var sum decimal.Decimal
	for i, f := range flows {
		if i == absorber || !f.Value.IsPositive() {
			continue
		}
		out[i] = div(total.Mul(f.Value).Mul(mu[i]), weighted).Sub(f.Value)
		sum = sum.Add(out[i])
	}
	out[absorber] = sum.Neg()
	return out
}

func warningsFor(f Flow, q1 decimal.Decimal, currency string) []Warning {
	switch {
	case !f.Value.IsPositive():
		return []Warning{{Code: WarnNoBaseline, Source: f.Source,
			Message: fmt.Sprintf("%s has no baseline trade: the model cannot create trade from nothing, so its effects are zero", f.Source)}}
	case q1.IsNegative():
		unit := currency
		if unit == "" {
			unit = "units"
		}
		return []Warning{{Code: WarnNegativeFlow, Source: f.Source,
			Message: fmt.Sprintf("the linear model predicts imports from %s below zero (%s %s at baseline prices): the wedge change is outside the range where its first-order approximation holds",
				f.Source, q1.Round(2).String(), unit)}}
	}
	return nil
}

// total fills r.Total and r.Revenue from r.Sources.
func (r *Result) total() {
	var t Totals
	var q *QuantityEffects
	if r.HasGPUHours {
		q = &QuantityEffects{}
	}
	byCollector := map[string]*CollectorRevenue{}
	named := false
	for _, s := range r.Sources {
		t.ValueBefore = t.ValueBefore.Add(s.ValueBefore)
		t.TradeCreation = t.TradeCreation.Add(s.TradeCreation)
		t.TradeDiversion = t.TradeDiversion.Add(s.TradeDiversion)
		t.PriceEffect = t.PriceEffect.Add(s.PriceEffect)
		t.TotalEffect = t.TotalEffect.Add(s.TotalEffect)
		t.ValueAfter = t.ValueAfter.Add(s.ValueAfter)
		t.RevenueBefore = t.RevenueBefore.Add(s.RevenueBefore)
		t.RevenueAfter = t.RevenueAfter.Add(s.RevenueAfter)
		t.RevenueChange = t.RevenueChange.Add(s.RevenueChange)
		t.ConsumerSurplusChange = t.ConsumerSurplusChange.Add(s.ConsumerSurplusChange)
		t.WelfareChange = t.WelfareChange.Add(s.WelfareChange)
		if q != nil && s.GPUHours != nil {
			q.Before = q.Before.Add(s.GPUHours.Before)
			q.TradeCreation = q.TradeCreation.Add(s.GPUHours.TradeCreation)
			q.TradeDiversion = q.TradeDiversion.Add(s.GPUHours.TradeDiversion)
			q.TotalEffect = q.TotalEffect.Add(s.GPUHours.TotalEffect)
			q.After = q.After.Add(s.GPUHours.After)
		}
		parts := s.Revenue
		switch {
		case len(parts) > 0:
			named = true
		case s.Collector == NoCollector:
			continue
		default:
			named = named || s.Collector != ""
			parts = []CollectorRevenue{{Collector: s.Collector, RevenueBefore: s.RevenueBefore, RevenueAfter: s.RevenueAfter, RevenueChange: s.RevenueChange}}
		}
		for _, p := range parts {
			c := byCollector[p.Collector]
			if c == nil {
				c = &CollectorRevenue{Collector: p.Collector}
				byCollector[p.Collector] = c
			}
			c.RevenueBefore = c.RevenueBefore.Add(p.RevenueBefore)
			c.RevenueAfter = c.RevenueAfter.Add(p.RevenueAfter)
			c.RevenueChange = c.RevenueChange.Add(p.RevenueChange)
		}
	}
	t.GPUHours = q
	r.Total = t
	r.Revenue = nil
	if named {
		for _, c := range byCollector {
			r.Revenue = append(r.Revenue, *c)
		}
		sort.Slice(r.Revenue, func(i, j int) bool { return r.Revenue[i].Collector < r.Revenue[j].Collector })
	}
}
