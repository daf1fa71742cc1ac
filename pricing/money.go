// Package pricing is Corridor's pure pricing engine: money and currencies (ISO 4217 minor
// units, rounding, allocation), FX rate tables and the ECB reference-rate formats, the quote
// computation (price build, FX, tariff assessment, rounding, energy and emissions) and the
// comparison of offers by landed cost. It imports tariff, decimal and the standard library
// only: no web, database or marketplace package.
package pricing

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an exact amount in one ISO 4217 currency.
type Money struct {
	Amount   decimal.Decimal
	Currency string
}

// currencies maps ISO 4217 alphabetic codes to their minor units (the number of decimals of
// the smallest unit). It covers every currency the ECB has ever quoted in its reference-rate
// files (including the legacy ones replaced by the euro or redenominated) plus the common
// trading currencies. Source: ISO 4217 list one (SIX), historic codes from list three.
var currencies = map[string]int32{
	// The euro and the currencies of the ECB reference rates, current.
	"EUR": 2, "USD": 2, "JPY": 0, "BGN": 2, "CZK": 2, "DKK": 2, "GBP": 2, "HUF": 2,
	"PLN": 2, "RON": 2, "SEK": 2, "CHF": 2, "ISK": 0, "NOK": 2, "TRY": 2, "AUD": 2,
	"BRL": 2, "CAD": 2, "CNY": 2, "HKD": 2, "IDR": 2, "ILS": 2, "INR": 2, "KRW": 0,
	"MXN": 2, "MYR": 2, "NZD": 2, "PHP": 2, "SGD": 2, "THB": 2, "ZAR": 2,
	// Currencies the ECB quoted in the past (euro changeovers, redenominations, suspensions).
	"CYP": 2, "EEK": 2, "LTL": 2, "LVL": 2, "MTL": 2, "ROL": 2, "SIT": 2, "SKK": 2,
	"TRL": 0, "HRK": 2, "RUB": 2,
	// Other trading currencies, including the zero- and three-decimal ones.
	"AED": 2, "SAR": 2, "QAR": 2, "TWD": 2, "VND": 0, "CLP": 0, "COP": 2, "PEN": 2,
	"ARS": 2, "EGP": 2, "NGN": 2, "KES": 2, "PKR": 2, "BDT": 2, "LKR": 2, "UAH": 2,
	"RSD": 2, "MAD": 2, "KZT": 2, "XAF": 0, "XOF": 0, "UGX": 0, "PYG": 0, "RWF": 0,
	"BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3, "LYD": 3, "IQD": 3, "MOP": 2,
}

// MinorUnits returns the number of decimals of cur's minor unit (2 for EUR, 0 for JPY, 3 for
// BHD) and whether cur is a currency Corridor knows.
func MinorUnits(cur string) (int, bool) {
	n, ok := currencies[cur]
	return int(n), ok
}

// KnownCurrency reports whether cur is an ISO 4217 code in Corridor's currency table.
func KnownCurrency(cur string) bool {
	_, ok := currencies[cur]
	return ok
}

// places returns the minor units of cur, or 2 for an unknown currency (callers validate
// currencies before pricing; 2 is the most common exponent and never loses a cent).
func places(cur string) int32 {
	if n, ok := currencies[cur]; ok {
		return n
	}
	return 2
}

// RoundingMode chooses how an amount exactly half-way between two minor units rounds.
type RoundingMode string

// The rounding modes. HalfUp is the EU legal default (Regulation 1103/97 art. 5: "exactly
// half-way … rounded up"), applied symmetrically: -0.005 rounds to -0.01. HalfEven (banker's
// rounding) is offered for statistics and sweeps.
const (
	HalfUp   RoundingMode = "half_up"
	HalfEven RoundingMode = "half_even"
)

// Valid reports whether m is a known mode; the empty mode is valid and means HalfUp.
func (m RoundingMode) Valid() bool {
	return m == "" || m == HalfUp || m == HalfEven
}

// Round rounds amount to the minor units of currency with mode (empty means HalfUp).
//
// Round is THE place rounding of money happens in Corridor: every quote line is computed at
// full precision and rounded exactly once, here; totals are sums of rounded lines and are
// never rounded again. An unknown currency rounds to 2 decimals.
func Round(amount decimal.Decimal, currency string, mode RoundingMode) decimal.Decimal {
	return roundPlaces(amount, places(currency), mode)
}

// UnitPrice returns total ÷ quantity, a ratio such as the landed price per GPU-hour, to two
// more decimals than currency's minor units (EUR 2.3456 per GPU-hour), rounded with mode. It
// returns zero when quantity is not positive. Unit prices are derived figures shown next to
// the lines; they are never added up.
func UnitPrice(total, quantity decimal.Decimal, currency string, mode RoundingMode) decimal.Decimal {
	if !quantity.IsPositive() {
		return decimal.Zero
	}
	p := places(currency) + 2
	if quantity.NumDigits() <= 18 {
		if r, ok := divFast(total, quantity.CoefficientInt64(), quantity.Exponent(), p, mode); ok {
			return r
		}
	}
	return roundPlaces(total.DivRound(quantity, p+divGuard), p, mode)
}

// unitPriceOf is UnitPrice(total, a × b × 10^shift, …) without building the quantity.
func unitPriceOf(total, a, b decimal.Decimal, shift int32, currency string, mode RoundingMode) decimal.Decimal {
	if a.NumDigits() <= 18 && b.NumDigits() <= 18 {
		if m, ok := mulInt(a.CoefficientInt64(), b.CoefficientInt64()); ok && m > 0 {
			if r, ok := divFast(total, m, a.Exponent()+b.Exponent()+shift, places(currency)+2, mode); ok {
				return r
			}
		}
	}
	return UnitPrice(total, a.Mul(b).Shift(shift), currency, mode)
}

// divGuard is how many decimals beyond the displayed ones a division keeps before the final
// rounding, so that the one rounding decides the result (no double rounding at realistic
// magnitudes).
const divGuard = 12

func roundPlaces(amount decimal.Decimal, places int32, mode RoundingMode) decimal.Decimal {
	if r, ok := roundFast(amount, places, mode); ok {
		return r
	}
	if mode == HalfEven {
		return amount.RoundBank(places)
	}
	return amount.Round(places)
}

// pow10 holds 10^0 … 10^18, the powers of ten an int64 can hold.
var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18}

// roundFast rounds like decimal.Round / RoundBank in int64 arithmetic, for the common case of
// a coefficient of at most 18 digits; ok is false when the big-number path must be used. It
// gives the same value as the big path (TestRoundFastMatchesBig).
func roundFast(d decimal.Decimal, places int32, mode RoundingMode) (decimal.Decimal, bool) {
	e := d.Exponent()
	if e >= -places {
		return d, true // no digits to drop: already exact
	}
	k := int64(-places) - int64(e)
	if k > 18 || d.NumDigits() > 18 {
		return decimal.Decimal{}, false
	}
	return decimal.New(roundQuo(d.CoefficientInt64(), pow10[k], mode), -places), true
}

// roundQuo returns n ÷ m (m > 0) rounded to an integer with mode: half away from zero for
// HalfUp, half to even for HalfEven.
func roundQuo(n, m int64, mode RoundingMode) int64 {
	q, r := n/m, n%m
	if r < 0 {
		r = -r
	}
	if r > m-r || (r == m-r && (mode != HalfEven || q%2 != 0)) {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// roundMul returns the product of fs × 10^shift rounded to places with mode. The product is
// formed in int64 when it fits, so only the result is allocated; it equals multiplying with
// decimal and rounding with roundPlaces (TestRoundMulMatchesBig).
func roundMul(places int32, mode RoundingMode, shift int32, fs ...decimal.Decimal) decimal.Decimal {
	c, e, ok := int64(1), int64(shift), true
	for _, f := range fs {
		if f.NumDigits() > 18 {
			ok = false
			break
		}
		if c, ok = mulInt(c, f.CoefficientInt64()); !ok {
			break
		}
		e += int64(f.Exponent())
	}
	if ok && e >= int64(-places) && e <= math.MaxInt32 {
		return decimal.New(c, int32(e)) // nothing to round
	}
	if k := int64(-places) - e; ok && k <= 18 {
		return decimal.New(roundQuo(c, pow10[k], mode), -places)
	}
	r := decimal.NewFromInt(1)
	for _, f := range fs {
		r = r.Mul(f)
	}
	return roundPlaces(r.Shift(shift), places, mode)
}

// minorUnits returns d in whole units of 10^-places as an int64, when it is exactly that
// (d rounded to places) and fits.
func minorUnits(d decimal.Decimal, places int32) (int64, bool) {
	if d.NumDigits() > 18 || d.Exponent() < -places {
		return 0, false
	}
	return mulFits(d.CoefficientInt64(), int64(d.Exponent())+int64(places))
}

// divFast returns num ÷ (m × 10^denExp) rounded to places decimals with mode, in int64
// arithmetic when the scaled operands fit (m must be positive); ok is false otherwise.
func divFast(num decimal.Decimal, m int64, denExp int32, places int32, mode RoundingMode) (decimal.Decimal, bool) {
	if num.NumDigits() > 18 || m <= 0 {
		return decimal.Decimal{}, false
	}
	n := num.CoefficientInt64()
	// num/den × 10^places = n/m × 10^s, den = m × 10^denExp.
	s := int64(num.Exponent()) - int64(denExp) + int64(places)
	var ok bool
	if s >= 0 {
		n, ok = mulFits(n, s)
	} else {
		m, ok = mulFits(m, -s)
	}
	if !ok {
		return decimal.Decimal{}, false
	}
	return decimal.New(roundQuo(n, m, mode), -places), true
}

// mulFits returns v × 10^k and whether it fits in an int64.
func mulFits(v, k int64) (int64, bool) {
	if k > 18 {
		return 0, v == 0
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	hi, lo := bits.Mul64(u, uint64(pow10[k]))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

// Add returns m + o. Adding amounts of different currencies is an error, never a sum.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("pricing: add %s to %s: currencies differ", o.Currency, m.Currency)
	}
	return Money{Amount: m.Amount.Add(o.Amount), Currency: m.Currency}, nil
}

// Sub returns m − o. Subtracting amounts of different currencies is an error.
func (m Money) Sub(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("pricing: subtract %s from %s: currencies differ", o.Currency, m.Currency)
	}
	return Money{Amount: m.Amount.Sub(o.Amount), Currency: m.Currency}, nil
}

// Round returns m rounded to its currency's minor units with mode (see the function Round).
func (m Money) Round(mode RoundingMode) Money {
	return Money{Amount: Round(m.Amount, m.Currency, mode), Currency: m.Currency}
}

// String formats m as "EUR 18,750.00": the code, a space, the amount with thousands
// separators and exactly the currency's minor units (rounded half-up for display only).
func (m Money) String() string {
	return m.Currency + " " + FormatAmount(m.Amount, m.Currency)
}

// FormatAmount formats amount with comma thousands separators and the minor units of
// currency, e.g. "18,750.00" or "-1,234" for JPY. It is for display; it rounds half-up.
func FormatAmount(amount decimal.Decimal, currency string) string {
	var buf [48]byte
	return string(appendAmount(buf[:0], amount, currency))
}

// appendAmount appends FormatAmount's text to b.
func appendAmount(b []byte, amount decimal.Decimal, currency string) []byte {
	p := places(currency)
	if r, ok := roundFast(amount, p, HalfUp); ok && r.NumDigits() <= 18 && r.Exponent() >= -p {
		if c, ok := mulFits(r.CoefficientInt64(), int64(r.Exponent())+int64(p)); ok {
			return appendMinor(b, c, p)
		}
	}
	s := amount.StringFixed(p)
	if strings.HasPrefix(s, "-") {
		b = append(b, '-')
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	b = appendGrouped(b, intPart)
	return append(b, frac...)
}

// appendMinor appends c minor units with p decimals and thousands separators.
func appendMinor(b []byte, c int64, p int32) []byte {
	var digits [24]byte
	u := uint64(c)
	if c < 0 {
		u = uint64(-c)
		b = append(b, '-')
	}
	ds := strconv.AppendUint(digits[:0], u, 10)
	if pad := int(p) + 1 - len(ds); pad > 0 { // at least one integer digit: 5 → 0.05
		var z [24]byte
		ds = append(append(z[:0], "0000000000000000000000"[:pad]...), ds...)
	}
	cut := len(ds) - int(p)
	b = appendGrouped(b, string(ds[:cut]))
	if p > 0 {
		b = append(b, '.')
		b = append(b, ds[cut:]...)
	}
	return b
}

// appendGrouped appends a string of digits with a comma every three from the right.
func appendGrouped(b []byte, digits string) []byte {
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, digits[i])
	}
	return b
}

// appendPlain appends d × 10^shift in plain notation without trailing zeros, as
// decimal.String does ("5" for 0.05 shifted by 2, "2.5" for 0.025).
func appendPlain(b []byte, d decimal.Decimal, shift int32) []byte {
	if d.NumDigits() > 18 {
		return append(b, d.Shift(shift).String()...)
	}
	c, e := d.CoefficientInt64(), int64(d.Exponent())+int64(shift)
	if c == 0 {
		return append(b, '0')
	}
	for c%10 == 0 && e < 0 {
		c /= 10
		e++
	}
	if e >= 0 {
		if v, ok := mulFits(c, e); ok {
			return strconv.AppendInt(b, v, 10)
		}
		return append(b, d.Shift(shift).String()...)
	}
	return appendMinorPlain(b, c, int32(-e))
}

// appendMinorPlain appends c × 10^-p without grouping.
func appendMinorPlain(b []byte, c int64, p int32) []byte {
	var digits [24]byte
	u := uint64(c)
	if c < 0 {
		u = uint64(-c)
		b = append(b, '-')
	}
	ds := strconv.AppendUint(digits[:0], u, 10)
	if pad := int(p) + 1 - len(ds); pad > 0 {
		var z [24]byte
		ds = append(append(z[:0], "0000000000000000000000"[:pad]...), ds...)
	}
	cut := len(ds) - int(p)
	b = append(b, ds[:cut]...)
	b = append(b, '.')
	return append(b, ds[cut:]...)
}

// add returns a + b, in int64 arithmetic when both fit (one allocation instead of several).
func add(a, b decimal.Decimal) decimal.Decimal {
	if a.NumDigits() <= 18 && b.NumDigits() <= 18 {
		ca, cb := a.CoefficientInt64(), b.CoefficientInt64()
		ea, eb := a.Exponent(), b.Exponent()
		ok := true
		if ea > eb {
			ca, ok = mulFits(ca, int64(ea)-int64(eb))
			ea = eb
		} else if eb > ea {
			cb, ok = mulFits(cb, int64(eb)-int64(ea))
		}
		// Overflow only when both have one sign and the sum the other.
		if sum := ca + cb; ok && !((ca >= 0) == (cb >= 0) && (sum >= 0) != (ca >= 0)) {
			return decimal.New(sum, ea)
		}
	}
	return a.Add(b)
}

// mul returns a × b, in int64 arithmetic when the product fits.
func mul(a, b decimal.Decimal) decimal.Decimal {
	if a.NumDigits() <= 18 && b.NumDigits() <= 18 {
		if c, ok := mulInt(a.CoefficientInt64(), b.CoefficientInt64()); ok {
			return decimal.New(c, a.Exponent()+b.Exponent())
		}
	}
	return a.Mul(b)
}

// mulShift returns a × b × c × 10^shift in one step (c is ignored when it is the zero value
// decimal.Decimal{}), with one allocation when the product fits in an int64.
func mulShift(a, b, c decimal.Decimal, shift int32) decimal.Decimal {
	hasC := c != (decimal.Decimal{})
	if a.NumDigits() <= 18 && b.NumDigits() <= 18 && (!hasC || c.NumDigits() <= 18) {
		p, ok := mulInt(a.CoefficientInt64(), b.CoefficientInt64())
		e := a.Exponent() + b.Exponent() + shift
		if ok && hasC {
			p, ok = mulInt(p, c.CoefficientInt64())
			e += c.Exponent()
		}
		if ok {
			for p != 0 && p%10 == 0 && e < 0 { // 48384000e-4 → 48384e-1: later roundings are free
				p /= 10
				e++
			}
			return decimal.New(p, e)
		}
	}
	r := a.Mul(b)
	if hasC {
		r = r.Mul(c)
	}
	return r.Shift(shift)
}

// mulInt returns x × y and whether it fits in an int64.
func mulInt(x, y int64) (int64, bool) {
	neg := (x < 0) != (y < 0)
	ux, uy := uint64(x), uint64(y)
	if x < 0 {
		ux = uint64(-x)
	}
	if y < 0 {
		uy = uint64(-y)
	}
	hi, lo := bits.Mul64(ux, uy)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

// sum adds up amounts exactly: in int64 units of 10^-p while they fit, in decimal beyond. It
// makes totals of rounded lines cheap (one allocation for the result).
type sum struct {
	c   int64
	p   int32
	big decimal.Decimal
	ovf bool
}

func newSum(places int32) sum { return sum{p: places} }

func (s *sum) add(d decimal.Decimal) {
	if !s.ovf && d.NumDigits() <= 18 && d.Exponent() >= -s.p {
		if v, ok := mulFits(d.CoefficientInt64(), int64(d.Exponent())+int64(s.p)); ok {
			if n := s.c + v; !((s.c >= 0) == (v >= 0) && (n >= 0) != (s.c >= 0)) {
				s.c = n
				return
			}
		}
	}
	if !s.ovf {
		s.big, s.ovf = decimal.New(s.c, -s.p), true
	}
	s.big = s.big.Add(d)
}

func (s *sum) sub(d decimal.Decimal) { s.add(d.Neg()) }

func (s *sum) value() decimal.Decimal {
	if s.ovf {
		return s.big
	}
	if s.c == 0 {
		return decimal.Zero // shared: decimal values are never mutated
	}
	return decimal.New(s.c, -s.p)
}

// same reports whether two sums hold the same exact total (both in int64 units).
func (s *sum) same(o *sum) bool { return !s.ovf && !o.ovf && s.p == o.p && s.c == o.c }

// Allocate splits total over len(weights) shares in proportion to weights, in whole minor
// units of currency, by the largest-remainder method: every share first gets its proportional
// amount truncated to minor units; the minor units left over go one each to the shares with
// the largest truncated remainders (ties to the earlier share). The shares always sum exactly
// to total. total is first rounded half-up to the minor units. Negative weights count as
// zero; when all weights are zero the split is equal. It returns nil for no weights.
func Allocate(total decimal.Decimal, weights []decimal.Decimal, currency string) []decimal.Decimal {
	n := len(weights)
	if n == 0 {
		return nil
	}
	p := places(currency)
	total = Round(total, currency, HalfUp)
	ws := make([]decimal.Decimal, n)
	sum := decimal.Zero
	for i, w := range weights {
		if w.IsPositive() {
			ws[i] = w
			sum = sum.Add(w)
		}
	}
	if sum.IsZero() {
		for i := range ws {
			ws[i] = decimal.NewFromInt(1)
		}
		sum = decimal.NewFromInt(int64(n))
	}
	// Work in integer minor units of |total|; re-apply the sign at the end.
	units := total.Abs().Shift(p) // exact integer after rounding
	shares := make([]decimal.Decimal, n)
	rems := make([]decimal.Decimal, n)
	given := decimal.Zero
	for i, w := range ws {
		exact := units.Mul(w).DivRound(sum, 20)
		fl := exact.Floor()
		shares[i] = fl
		rems[i] = exact.Sub(fl)
		given = given.Add(fl)
	}
	left := units.Sub(given).IntPart()
	// Hand out the leftover units to the largest remainders, earlier index first on ties.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].GreaterThan(rems[order[b]]) })
	for k := int64(0); k < left; k++ {
		i := order[int(k)%n]
		shares[i] = shares[i].Add(decimal.NewFromInt(1))
	}
	neg := total.IsNegative()
	for i := range shares {
		shares[i] = shares[i].Shift(-p)
		if neg {
			shares[i] = shares[i].Neg()
		}
	}
	return shares
}
