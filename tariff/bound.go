package tariff

import "time"

// CanLowerCost reports whether some measure of p could make a supply on asOf to a buyer of
// type buyer in country destination cost that buyer less than its net price, in total or in
// net cost: a subsidy or an export rebate (negative lines), a tax withheld at source or a tax
// on such taxes (which tax_inclusive terms carve out of the price, and a business may then
// recover), or a rate with a subtracted or negative component. When it reports false, every
// charge an assessment of such a supply produces is a non-negative payable or recoverable
// amount, so a quote's landed cost is at least its net price.
//
// It errs on the side of true: a measure is left out only when its dates, its buyer types or
// its destinations (at any time, exceptions ignored) show it cannot apply.
func (p *Policy) CanLowerCost(destination string, buyer BuyerType, asOf time.Time) bool {
	c := p.index()
	y, mo, d := asOf.UTC().Date()
	day := dayKey(y, mo, d)
	in := c.memberOf(destination, day)
	for i := range p.Measures {
		m := &p.Measures[i]
		if !mayLower(m) {
			continue
		}
		cm := c.ms[i]
		if day < cm.from || day > cm.to {
			continue
		}
		if len(m.Buyer) > 0 && !hasBuyer(m.Buyer, buyer) {
			continue
		}
		if len(m.Destination) > 0 && cm.dest.level(destination, &in) < 0 {
			continue
		}
		return true
	}
	return false
}

// mayLower reports whether a measure, if it applied, could produce a line that lowers what the
// buyer bears.
func mayLower(m *Measure) bool {
	switch {
	case m.Kind == KindSubsidy, m.Kind == KindExportRebate:
		return true
	case m.Base == BaseGrossPayment, m.Base == BasePaymentNetOfVAT, m.Base == BaseTaxAmount:
		return true
	}
	if m.Rate != nil && m.Rate.mayBeNegative() {
		return true
	}
	return m.Quota != nil && m.Quota.InQuotaRate != nil && m.Quota.InQuotaRate.mayBeNegative()
}

// mayBeNegative reports whether some component of e is subtracted or negative, so that e may
// evaluate below zero.
func (e *Expr) mayBeNegative() bool {
	for i, t := range e.Terms {
		if e.Neg[i] || t.Percent.IsNegative() || t.Amount.IsNegative() {
			return true
		}
	}
	for _, t := range []*Term{e.Min, e.Max} {
		if t != nil && (t.Percent.IsNegative() || t.Amount.IsNegative()) {
			return true
		}
	}
	return false
}

func hasBuyer(list []BuyerType, b BuyerType) bool {
	for _, x := range list {
		if x == b {
			return true
		}
	}
	return false
}
