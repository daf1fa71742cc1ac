package effects

import "github.com/shopspring/decimal"

// Rounded returns r for display: every amount rounded once by money (the caller passes its
// currency rounding, e.g. pricing.Round), every GPU-hour figure by hours. The model's
// identities stay exact on the rounded figures: each total effect is the sum of its rounded
// parts, value after = value before + total effect, welfare = consumer surplus + revenue
// change, every total is the sum of the rounded per-source figures, and the rounded diversions
// sum to exactly zero (the source with the largest baseline value takes the rounding
// remainder, as the last share of a split does). Ratios (wedges, price changes) are kept.
func (r Result) Rounded(money, hours func(decimal.Decimal) decimal.Decimal) Result {
	out := r
	out.Sources = make([]SourceResult, len(r.Sources))
	absorber := -1
	var divSum decimal.Decimal
	for i, s := range r.Sources {
		s.ValueBefore = money(s.ValueBefore)
		s.TradeCreation = money(s.TradeCreation)
		s.TradeDiversion = money(s.TradeDiversion)
		s.PriceEffect = money(s.PriceEffect)
		s.RevenueBefore = money(s.RevenueBefore)
		s.RevenueAfter = money(s.RevenueAfter)
		s.ConsumerSurplusChange = money(s.ConsumerSurplusChange)
		if s.GPUHours != nil {
			q := *s.GPUHours
			q.Before, q.TradeCreation, q.TradeDiversion = hours(q.Before), hours(q.TradeCreation), hours(q.TradeDiversion)
			s.GPUHours = &q
		}
		divSum = divSum.Add(s.TradeDiversion)
		if r.Sources[i].ValueBefore.IsPositive() && (absorber < 0 || r.Sources[i].ValueBefore.GreaterThan(r.Sources[absorber].ValueBefore)) {
			absorber = i
		}
		out.Sources[i] = s
	}
	if absorber >= 0 {
		out.Sources[absorber].TradeDiversion = out.Sources[absorber].TradeDiversion.Sub(divSum)
	}
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
