package whatif

import (
	"cmp"
	"math"

	"github.com/shopspring/decimal"
)

// amount is an exact amount of the study currency: an integer number of minor units while it
// fits an int64 (every realistic sum), a decimal beyond. Quote lines are rounded to minor units
// once, by pricing; sums of them are exact either way, so the order in which workers add them
// never changes a result.
type amount struct {
	minor int64
	big   *decimal.Decimal // non-nil once the amount has left int64's range (or was not in minor units)
	set   bool             // something was added
}

// minorOf returns d in minor units of a currency with places decimals, when it is a whole
// number of them and fits an int64.
func minorOf(d decimal.Decimal, places int32) (int64, bool) {
	if d.NumDigits() > 18 {
		return 0, false
	}
	c, e := d.CoefficientInt64(), d.Exponent()+places
	if e < 0 {
		return 0, false
	}
	for ; e > 0; e-- {
		if c > math.MaxInt64/10 || c < math.MinInt64/10 {
			return 0, false
		}
		c *= 10
	}
	return c, true
}

// add adds d (an amount in minor units of places decimals, or any decimal).
func (a *amount) add(d decimal.Decimal, places int32) {
	a.set = true
	if a.big == nil {
		if m, ok := minorOf(d, places); ok {
			if s := a.minor + m; (m >= 0) == (s >= a.minor) { // no overflow
				a.minor = s
				return
			}
		}
		v := decimal.New(a.minor, -places)
		a.big = &v
	}
	v := a.big.Add(d)
	a.big = &v
}

// merge adds another accumulator to a.
func (a *amount) merge(b *amount, places int32) {
	if !b.set {
		return
	}
	if a.big == nil && b.big == nil {
		if s := a.minor + b.minor; (b.minor >= 0) == (s >= a.minor) { // no overflow
			a.minor, a.set = s, true
			return
		}
	}
	a.add(b.value(places), places)
}

// value returns the amount as a decimal with the currency's places.
func (a *amount) value(places int32) decimal.Decimal {
	if a.big != nil {
		return *a.big
	}
	return decimal.New(a.minor, -places)
}

// cmp compares two amounts.
func (a *amount) cmp(b *amount, places int32) int {
	if a.big == nil && b.big == nil {
		return cmp.Compare(a.minor, b.minor)
	}
	return a.value(places).Cmp(b.value(places))
}

// amountOf returns d as an amount.
func amountOf(d decimal.Decimal, places int32) amount {
	var a amount
	a.add(d, places)
	return a
}

// cell is the cheapest priced flow of one group (a need and origin, or a need) under one
// variant: the least landed cost, ties broken by the lower flow index, so that the answer does
// not depend on which worker saw which flow first.
type cell struct {
	cost amount
	flow int32 // -1 while empty
}

// offer proposes flow with cost; the cell keeps the better of the two.
func (c *cell) offer(cost *amount, flow int32, places int32) {
	if c.flow >= 0 {
		if d := cost.cmp(&c.cost, places); d > 0 || d == 0 && flow > c.flow {
			return
		}
	}
	c.cost, c.flow = *cost, flow
}

// pctOf returns diff ÷ base as a percentage with two decimals (half up), and false when base
// is zero.
func pctOf(diff, base decimal.Decimal) (decimal.Decimal, bool) {
	if base.IsZero() {
		return decimal.Decimal{}, false
	}
	return diff.Shift(2).DivRound(base, 2), true
}
