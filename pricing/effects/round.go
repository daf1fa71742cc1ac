package effects

import (
	"slices"
	"sort"

	"github.com/shopspring/decimal"
)

// Rounding says how to round a result for display.
type Rounding struct {
	// Money rounds an amount once, to MinorUnit (the caller passes its one rounding function
	// for money, e.g. pricing.Round in the flows' currency).
	Money func(decimal.Decimal) decimal.Decimal
	// MinorUnit is the step Money rounds to (0.01 for EUR, 1 for JPY).
	MinorUnit decimal.Decimal
	// GPUHours rounds a GPU-hour figure.
	GPUHours func(decimal.Decimal) decimal.Decimal
}

// Rounded returns r for display: every amount rounded once by rd.Money, every GPU-hour
// figure by rd.GPUHours. The model's identities stay exact on the rounded figures: each total
// effect is the sum of its rounded parts, value after = value before + total effect, welfare =
// consumer surplus + revenue change, every total is the sum of the rounded per-source figures,
// and the rounded diversions sum to exactly zero: the minor units the rounding left over go,
// one each, to the diversions rounded furthest in the other direction (largest remainder, as
// in a split), so every diversion stays within one minor unit of its exact value. Ratios
// (wedges, price changes) are kept.
func (r Result) Rounded(rd Rounding) Result {
	out := r
	out.Sources = make([]SourceResult, len(r.Sources))
	var divSum decimal.Decimal
	for i, s := range r.Sources {
		s.ValueBefore = rd.Money(s.ValueBefore)
		s.TradeCreation = rd.Money(s.TradeCreation)
		s.TradeDiversion = rd.Money(s.TradeDiversion)
		s.PriceEffect = rd.Money(s.PriceEffect)
		s.RevenueBefore = rd.Money(s.RevenueBefore)
		s.RevenueAfter = rd.Money(s.RevenueAfter)
		s.ConsumerSurplusChange = rd.Money(s.ConsumerSurplusChange)
		if len(s.Revenue) > 0 {
			// Each collector's part rounded once; the source's revenue is their sum.
			s.Revenue = slices.Clone(s.Revenue)
			s.RevenueBefore, s.RevenueAfter = decimal.Zero, decimal.Zero
			for j := range s.Revenue {
				c := &s.Revenue[j]
				c.RevenueBefore, c.RevenueAfter = rd.Money(c.RevenueBefore), rd.Money(c.RevenueAfter)
				c.RevenueChange = c.RevenueAfter.Sub(c.RevenueBefore)
				s.RevenueBefore = s.RevenueBefore.Add(c.RevenueBefore)
				s.RevenueAfter = s.RevenueAfter.Add(c.RevenueAfter)
			}
		}
		if s.GPUHours != nil {
			q := *s.GPUHours
			q.Before, q.TradeCreation, q.TradeDiversion = rd.GPUHours(q.Before), rd.GPUHours(q.TradeCreation), rd.GPUHours(q.TradeDiversion)
			s.GPUHours = &q
		}
		divSum = divSum.Add(s.TradeDiversion)
		out.Sources[i] = s
	}
	settleDiversion(out.Sources, r.Sources, divSum, rd.MinorUnit)
	for i := range out.Sources {
		s := &out.Sources[i]
		s.TotalEffect = s.TradeCreation.Add(s.TradeDiversion).Add(s.PriceEffect)
		s.ValueAfter = s.ValueBefore.Add(s.TotalEffect)
		s.RevenueChange = s.RevenueAfter.Sub(s.RevenueBefore)
		s.WelfareChange = s.ConsumerSurplusChange.Add(s.RevenueChange)
		if q := s.GPUHours; q != nil {
			q.TotalEffect = q.TradeCreation.Add(q.TradeDiversion)
			q.After = q.Before.Add(q.TotalEffect)
		}
	}
	out.total()
	return out
}

// settleDiversion brings the rounded diversions' sum from sum to zero, one minor unit at a
// time, taking each unit from (or giving it to) the source whose diversion rounding moved
// furthest in that direction.
func settleDiversion(rounded, exact []SourceResult, sum, unit decimal.Decimal) {
	if sum.IsZero() || !unit.IsPositive() {
		return
	}
	units := sum.Div(unit).Round(0).IntPart() // a whole number when Money rounds to unit
	step := unit
	if units < 0 {
		units, step = -units, unit.Neg()
	}
	// Order by how far rounding moved the diversion in step's direction, most first.
	idx := []int{}
	for i, s := range exact {
		if s.ValueBefore.IsPositive() {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ea := rounded[idx[a]].TradeDiversion.Sub(exact[idx[a]].TradeDiversion).Mul(step)
		eb := rounded[idx[b]].TradeDiversion.Sub(exact[idx[b]].TradeDiversion).Mul(step)
		return ea.GreaterThan(eb)
	})
	for k := int64(0); k < units && len(idx) > 0; k++ {
		i := idx[int(k)%len(idx)]
		rounded[i].TradeDiversion = rounded[i].TradeDiversion.Sub(step)
	}
	// Whatever a rounding function off the unit grid left over goes to the first of them.
	var rest decimal.Decimal
	for _, s := range rounded {
		rest = rest.Add(s.TradeDiversion)
	}
	if !rest.IsZero() && len(idx) > 0 {
		rounded[idx[0]].TradeDiversion = rounded[idx[0]].TradeDiversion.Sub(rest)
	}
}
