package whatif

import (
	"cmp"
	"maps"
	"slices"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// TradeCell is what the flows one buyer country buys from one origin add up to under one
// scenario as written, next to the baseline: the inputs of the trade-effects model
// (Result.TradeEffects). Only flows priced under both the baseline and the scenario count;
// Unmatched counts the others (a scenario that blocks a flow, a rate missing in one of them).
type TradeCell struct {
	Scenario     string
	BuyerCountry string
	Origin       string
	Bloc         string
	Flows        int
	Unmatched    int
	// Hardware counts the flows of hardware (units, not GPU-hours) among Flows.
	Hardware int
	// SupplierValue is the supplier's price of the flows: the baseline's net price (base
	// price less discounts) in the study currency at the baseline's rates, so that an FX shock
	// of a scenario moves the buyer's cost, not the supplier's price.
	SupplierValue decimal.Decimal
	// BaselineLanded and Landed are the flows' landed cost under the baseline and the scenario.
	BaselineLanded decimal.Decimal
	Landed         decimal.Decimal
	// GPUHours are the GPU-hours of the flows that are services.
	GPUHours decimal.Decimal
	// Wedges are the measure amounts the buyers bear (paid and not recovered), per collecting
	// jurisdiction, under the baseline and the scenario; sorted by jurisdiction. What landed
	// cost less supplier value leaves over (an FX shock, freight) is nobody's revenue.
	Wedges []JurisdictionWedge
}

// JurisdictionWedge is the part of a TradeCell's wedge one jurisdiction collects (negative for
// subsidies it pays out).
type JurisdictionWedge struct {
	Jurisdiction string
	Baseline     decimal.Decimal
	Scenario     decimal.Decimal
}

// tradeKey is one cell of the trade sums: a scenario as written (1 and above), a buyer
// country, an origin and a bloc (indices into the evaluator's lists).
type tradeKey struct{ v, country, origin, bloc int }

// tradeAcc sums a cell's flows priced under both the baseline and the scenario. Amounts are
// exact (minor units, or decimals for recovered shares), so workers' sums merge to the same
// figures in any order. Memory grows with scenarios × buyer countries × origins, never with
// the flows.
type tradeAcc struct {
	flows, unmatched, hardware int
	gpuHours                   int64
	supplier, landed0, landed1 amount
	wedge                      map[string]*[2]amount // jurisdiction → baseline, scenario
}

// trade adds flow f, priced under the baseline (base, baseErr) and scenario v as written (q,
// err), to the worker's trade sums.
func (e *evaluator) trade(p *part, v int, f *flowInfo, base *pricing.Quote, baseErr error, q *pricing.Quote, err error) {
	k := tradeKey{v, f.country, f.origin, f.bloc}
	a := p.trade[k]
	if a == nil {
		a = &tradeAcc{wedge: map[string]*[2]amount{}}
		p.trade[k] = a
	}
	if baseErr != nil || err != nil {
		a.unmatched++
		return
	}
	a.flows++
	if f.Offer.Product == tariff.ProductHardware {
		a.hardware++
	} else {
		a.gpuHours += f.qty.IntPart()
	}
	a.supplier.add(base.Subtotal, e.places)
	a.landed0.add(base.LandedCost, e.places)
	a.landed1.add(q.LandedCost, e.places)
	business := f.req.BuyerType == tariff.BuyerBusiness
	for i, lines := range [2][]pricing.Line{base.Lines, q.Lines} {
		for k := range lines {
			l := &lines[k]
			d, ok := borne(l, business, f.req.VATRecovery)
			if !ok {
				continue
			}
			w := a.wedge[l.Jurisdiction]
			if w == nil {
				w = &[2]amount{}
				a.wedge[l.Jurisdiction] = w
			}
			w[i].add(d, e.places)
		}
	}
}

// borne returns what the buyer bears of a measure line, for the line's jurisdiction: a
// payable line's amount, less what a business recovers (its recovery share of a recoverable
// line, as pricing computes net cost); false for lines no measure produced.
func borne(l *pricing.Line, business bool, recovery decimal.NullDecimal) (decimal.Decimal, bool) {
	if l.MeasureID == "" || l.Jurisdiction == "" {
		return decimal.Decimal{}, false
	}
	var d decimal.Decimal
	if l.Payable {
		d = l.Amount
	}
	if (l.Payable || l.Included) && l.Recoverable && business {
		r := l.Amount
		if recovery.Valid {
			r = r.Mul(recovery.Decimal)
		}
		d = d.Sub(r)
	}
	return d, true
}

// mergeTrade adds b's trade sums into a.
func (e *evaluator) mergeTrade(a, b map[tradeKey]*tradeAcc) {
	for k, y := range b {
		x := a[k]
		if x == nil {
			a[k] = y
			continue
		}
		x.flows += y.flows
		x.unmatched += y.unmatched
		x.hardware += y.hardware
		x.gpuHours += y.gpuHours
		x.supplier.merge(&y.supplier, e.places)
		x.landed0.merge(&y.landed0, e.places)
		x.landed1.merge(&y.landed1, e.places)
		for j, w := range y.wedge {
			if x.wedge[j] == nil {
				x.wedge[j] = &[2]amount{}
			}
			x.wedge[j][0].merge(&w[0], e.places)
			x.wedge[j][1].merge(&w[1], e.places)
		}
	}
}

// tradeCells lists the merged trade sums in scenario, buyer country, origin and bloc order.
func (e *evaluator) tradeCells(m map[tradeKey]*tradeAcc) []TradeCell {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b tradeKey) int {
		return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(e.countries[a.country], e.countries[b.country]),
			cmp.Compare(e.origins[a.origin], e.origins[b.origin]), cmp.Compare(e.blocs[a.bloc], e.blocs[b.bloc]))
	})
	out := make([]TradeCell, 0, len(keys))
	for _, k := range keys {
		a := m[k]
		c := TradeCell{Scenario: e.scens[k.v].ID, BuyerCountry: e.countries[k.country], Origin: e.origins[k.origin], Bloc: e.blocs[k.bloc],
			Flows: a.flows, Unmatched: a.unmatched, Hardware: a.hardware, GPUHours: decimal.NewFromInt(a.gpuHours),
			SupplierValue: a.supplier.value(e.places), BaselineLanded: a.landed0.value(e.places), Landed: a.landed1.value(e.places)}
		for _, j := range slices.Sorted(maps.Keys(a.wedge)) {
			w := a.wedge[j]
			c.Wedges = append(c.Wedges, JurisdictionWedge{Jurisdiction: j, Baseline: w[0].value(e.places), Scenario: w[1].value(e.places)})
		}
		out = append(out, c)
	}
	return out
}
