package pricing

import "github.com/shopspring/decimal"

// BoundKind says what a Bound knows of an offer's landed cost.
type BoundKind int

// The kinds of Bound, in the order a comparison prices offers: those it knows nothing about
// first (every one of them must be priced), then by Value, then those that cannot be quoted
// at all, which rank after every quoted offer.
const (
	BoundUnknown BoundKind = iota
	BoundValue
	BoundUnquotable
)

// Bound is a lower bound of an offer's landed cost for a comparison (Comparer.LowerBound).
type Bound struct {
	Kind  BoundKind
	Value decimal.Decimal // BoundValue: the landed cost is at least this, in the need's currency
}

// Less orders bounds as a comparison prices offers: unknown first, then by value, then the
// unquotable.
func (b Bound) Less(c Bound) bool {
	if b.Kind != c.Kind {
		return b.Kind < c.Kind
	}
	return b.Kind == BoundValue && b.Value.LessThan(c.Value)
}

// Comparer prices offers for one need in batches with the common inputs resolved once; the
// assessments of identical supplies are shared between its batches. Compare is one batch.
type Comparer struct {
	need    Need
	common  Inputs
	memo    *assessMemo
	bounded bool            // no measure can bring a landed cost below the net price
	qty     decimal.Decimal // GPU-hours of the need
	slack   decimal.Decimal // two minor units of the need's currency: the rounding of base and discount
}

// NewComparer prepares the comparison of offers for need with common (see Compare).
func NewComparer(need Need, common Inputs) *Comparer {
	c := &Comparer{need: need, common: common, memo: &assessMemo{m: map[string]memoEntry{}}}
	asOf := day(need.AsOf)
	if need.AsOf.IsZero() {
		asOf = day(common.Now)
	}
	c.bounded = KnownCurrency(need.Currency) && need.GPUs > 0 && need.Hours > 0 &&
		(common.Policy == nil || !common.Policy.CanLowerCost(need.BuyerCountry, need.BuyerType, asOf))
	c.qty = decimal.NewFromInt(int64(need.GPUs) * int64(need.Hours))
	c.slack = decimal.New(2, -places(need.Currency))
	return c
}

// Bounded reports whether LowerBound gives values: no measure of the policy can bring the
// need's landed costs below their net prices.
func (c *Comparer) Bounded() bool { return c.bounded }

// LowerBound returns a lower bound of the landed cost of o for the comparison's need, from
// the offer's price, currency and tiers alone.
//
// Price's net price is base + discount, each rounded once (half a minor unit at most each):
// net ≥ price × GPU-hours × FX rate × (1 − tier discount) − 2 minor units. Every other line
// adds to the landed cost unless a measure can lower it (tariff.Policy.CanLowerCost: a
// subsidy, a rebate, a tax carved out of the price, a negative rate): a payable line adds its
// amount to the total, and a business recovers at most the amount of its recoverable lines.
// So when no measure of the policy can lower the buyer's cost, the landed cost is at least the
// net price; otherwise no bound is known (BoundUnknown) and the offer must be priced. An offer
// that Price would refuse whatever the policy — unknown currency, no FX rate, negative price
// — is BoundUnquotable.
func (c *Comparer) LowerBound(o *OfferTerms) Bound {
	if !KnownCurrency(o.Currency) || o.Price.IsNegative() {
		return Bound{Kind: BoundUnquotable}
	}
	rate := one
	if o.Currency != c.need.Currency {
		u, err := c.common.FX.CrossRate(o.Currency, c.need.Currency)
		if err != nil {
			return Bound{Kind: BoundUnquotable}
		}
		rate = u.Rate
	}
	if !c.bounded {
		return Bound{Kind: BoundUnknown}
	}
	disc := tierDiscount(o.Tiers, c.qty)
	net := o.Price.Mul(c.qty).Mul(rate).Mul(one.Sub(disc))
	return Bound{Kind: BoundValue, Value: net.Sub(c.slack)}
}

// Rank prices the offers of one batch as Compare does (matching, capacity, no-quote reasons)
// and returns them in Compare's order.
func (c *Comparer) Rank(offers []OfferTerms) []Ranked {
	return compare(c.need, offers, c.common, c.memo)
}

// RankedLess is Compare's order: quoted offers by landed cost, then offers that cannot be
// quoted; ties broken by offer id.
func RankedLess(a, b *Ranked) bool {
	if (a.NoQuoteReason == "") != (b.NoQuoteReason == "") {
		return a.NoQuoteReason == ""
	}
	if a.NoQuoteReason == "" {
		if c := a.LandedCost.Cmp(b.LandedCost); c != 0 {
			return c < 0
		}
	}
	return a.OfferID < b.OfferID
}
