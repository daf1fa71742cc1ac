package chart

import "github.com/shopspring/decimal"

// scale maps exact values onto pixels between a and b: the axis runs over [lo, hi], whose
// ends are ticks.
type scale struct {
	lo, hi decimal.Decimal
	ticks  []decimal.Decimal
	a, b   float64
}

// at is the pixel position of v. The ratio (v − lo)/(hi − lo) is computed in decimal and only
// then turned into a float64: floating point serves the geometry, never the values.
func (s scale) at(v decimal.Decimal) float64 {
	span := s.hi.Sub(s.lo)
	if span.IsZero() {
		return s.a
	}
	r := v.Sub(s.lo).DivRound(span, 8).InexactFloat64()
	return s.a + r*(s.b-s.a)
}

// stepMultipliers are the "nice" steps, × a power of ten.
var stepMultipliers = []decimal.Decimal{decimal.NewFromInt(1), decimal.NewFromInt(2), decimal.New(25, -1), decimal.NewFromInt(5), decimal.NewFromInt(10)}

// niceScale chooses about target ticks covering [lo, hi] at a step of 1, 2, 2.5 or 5 × 10ⁿ,
// all exact decimals. A degenerate range is widened (to [0, 1] for zero, else to include 0).
func niceScale(lo, hi decimal.Decimal, target int, a, b float64) scale {
	if lo.GreaterThan(hi) {
		lo, hi = hi, lo
	}
	if lo.Equal(hi) {
		switch {
		case lo.IsZero():
			hi = decimal.NewFromInt(1)
		case lo.IsPositive():
			lo = decimal.Zero
		default:
			hi = decimal.Zero
		}
	}
	if target < 1 {
		target = 1
	}
	raw := hi.Sub(lo).DivRound(decimal.NewFromInt(int64(target)), 20)
	// raw = c × 10^e with c of n digits lies in [10^(e+n−1), 10^(e+n)).
	k := raw.Exponent() + int32(raw.NumDigits()) - 1
	base := decimal.New(1, k)
	step := base.Mul(stepMultipliers[len(stepMultipliers)-1])
	for _, m := range stepMultipliers {
		if s := base.Mul(m); s.GreaterThanOrEqual(raw) {
			step = s
			break
		}
	}
	first := lo.Div(step).Floor().Mul(step)
	last := hi.Div(step).Ceil().Mul(step)
	sc := scale{lo: first, hi: last, a: a, b: b}
	for t := first; t.LessThanOrEqual(last); t = t.Add(step) {
		sc.ticks = append(sc.ticks, t)
	}
	return sc
}

// extent returns the least and greatest of the values, including zero when withZero.
func extent(withZero bool, vals ...decimal.Decimal) (decimal.Decimal, decimal.Decimal) {
	var lo, hi decimal.Decimal
	set := withZero
	for _, v := range vals {
		if !set {
			lo, hi, set = v, v, true
			continue
		}
		lo, hi = decimal.Min(lo, v), decimal.Max(hi, v)
	}
	return lo, hi
}
