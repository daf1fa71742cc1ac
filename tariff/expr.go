package tariff

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Units a specific duty component can be expressed per.
const (
	UnitGPUHour = "gpu_hour"
	UnitUnit    = "unit"
	UnitKWh     = "kwh"
)

// Term is one component of a duty expression: either ad valorem (Percent set, a fraction:
// "19%" is 0.19) or specific (Amount of Currency per Unit).
type Term struct {
	AdValorem bool
	Percent   decimal.Decimal // fraction, e.g. 0.19 for "19%"
	Amount    decimal.Decimal // specific amount per unit
	Currency  string          // ISO 4217, specific terms only
	Unit      string          // gpu_hour, unit or kwh; specific terms only
}

// Expr is a parsed duty expression: the sum of Terms (each possibly negated by a "-"), then an
// optional floor (MIN) and cap (MAX). The UK duty calculator's semantics are kept: MIN gives
// max(sum, floor), MAX gives min(sum, cap).
type Expr struct {
	Source string
	Terms  []Term
	Neg    []bool // Neg[i] is true when Terms[i] is subtracted
	Min    *Term  // floor, or nil
	Max    *Term  // cap, or nil
}

// ExprError is a malformed duty expression; Offset is the 0-based byte offset into the source
// where the problem was found.
type ExprError struct {
	Offset  int
	Message string
}

// Error describes the problem with its offset.
func (e *ExprError) Error() string {
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Message)
}

// ParseExpr parses a duty expression such as "19%", "0.12 EUR/gpu_hour",
// "5% + 0.02 EUR/gpu_hour", "5% MIN 30.00 EUR/unit" or "10% MAX 0.50 EUR/gpu_hour".
func ParseExpr(src string) (*Expr, error) {
	p := exprParser{src: src}
	e := &Expr{Source: src}
	p.space()
	if p.eof() {
		return nil, &ExprError{0, "empty expression"}
	}
	t, err := p.term()
	if err != nil {
		return nil, err
	}
	e.Terms, e.Neg = append(e.Terms, t), append(e.Neg, false)
	for {
		p.space()
		if p.eof() {
			return e, nil
		}
		switch {
		case p.src[p.i] == '+' || p.src[p.i] == '-':
			if e.Min != nil || e.Max != nil {
				return nil, &ExprError{p.i, "'+' or '-' after MIN/MAX"}
			}
			neg := p.src[p.i] == '-'
			p.i++
			p.space()
			t, err := p.term()
			if err != nil {
				return nil, err
			}
			e.Terms, e.Neg = append(e.Terms, t), append(e.Neg, neg)
		case p.keyword("MIN"), p.keyword("MAX"):
			kw, at := p.src[p.i:p.i+3], p.i
			p.i += 3
			p.space()
			t, err := p.term()
			if err != nil {
				return nil, err
			}
			if kw == "MIN" {
				if e.Min != nil {
					return nil, &ExprError{at, "MIN given twice"}
				}
				e.Min = &t
			} else {
				if e.Max != nil {
					return nil, &ExprError{at, "MAX given twice"}
				}
				e.Max = &t
			}
		default:
			return nil, &ExprError{p.i, fmt.Sprintf("unexpected %q: expected '+', '-', MIN or MAX", p.rest())}
		}
	}
}

// HasSpecific reports whether any component is a specific amount (needs quantities and FX).
func (e *Expr) HasSpecific() bool {
	for _, t := range e.all() {
		if !t.AdValorem {
			return true
		}
	}
	return false
}

// AdValoremSum returns the sum of the expression's ad valorem fractions (MIN/MAX excluded);
// the gross_payment base divides by one plus it.
func (e *Expr) AdValoremSum() decimal.Decimal {
	r := decimal.Zero
	for i, t := range e.Terms {
		if t.AdValorem {
			if e.Neg[i] {
				r = r.Sub(t.Percent)
			} else {
				r = r.Add(t.Percent)
			}
		}
	}
	return r
}

// IsZero reports whether the expression can only ever evaluate to zero.
func (e *Expr) IsZero() bool {
	for _, t := range e.all() {
		if !t.Percent.IsZero() || !t.Amount.IsZero() {
			return false
		}
	}
	return true
}

func (e *Expr) all() []Term {
	ts := append([]Term(nil), e.Terms...)
	if e.Min != nil {
		ts = append(ts, *e.Min)
	}
	if e.Max != nil {
		ts = append(ts, *e.Max)
	}
	return ts
}

// exprInput is what an expression is evaluated against.
type exprInput struct {
	base     decimal.Decimal // ad valorem base
	quantity decimal.Decimal // GPU-hours or units
	energy   decimal.Decimal // kWh
	currency string          // the supply currency
	rates    Converter
}

// eval computes the expression, unrounded, in the supply currency.
func (e *Expr) eval(in exprInput) (decimal.Decimal, error) {
	if len(e.Terms) == 1 && !e.Neg[0] && e.Min == nil && e.Max == nil {
		// The common single rate ("19%"): zero plus the term is the term itself (same
		// coefficient and exponent) unless its exponent is positive, when the sum is
		// rescaled to exponent 0; the general path below would give exactly that.
		v, err := e.Terms[0].eval(in)
		if err != nil || v.Exponent() <= 0 {
			return v, err
		}
		return decimal.Zero.Add(v), nil
	}
	sum := decimal.Zero
	for i, t := range e.Terms {
		v, err := t.eval(in)
		if err != nil {
			return decimal.Zero, err
		}
		if e.Neg[i] {
			sum = sum.Sub(v)
		} else {
			sum = sum.Add(v)
		}
	}
	if e.Min != nil {
		v, err := e.Min.eval(in)
		if err != nil {
			return decimal.Zero, err
		}
		if sum.LessThan(v) {
			sum = v
		}
	}
	if e.Max != nil {
		v, err := e.Max.eval(in)
		if err != nil {
			return decimal.Zero, err
		}
		if sum.GreaterThan(v) {
			sum = v
		}
	}
	return sum, nil
}

func (t Term) eval(in exprInput) (decimal.Decimal, error) {
	if t.AdValorem {
		return in.base.Mul(t.Percent), nil
	}
	q := in.quantity
	if t.Unit == UnitKWh {
		q = in.energy
	}
	amt, err := convert(t.Amount, t.Currency, in.currency, in.rates)
	if err != nil {
		return decimal.Zero, err
	}
	return amt.Mul(q), nil
}

// convert converts amount from one currency to another through rates; equal currencies need no
// rates.
func convert(amount decimal.Decimal, from, to string, rates Converter) (decimal.Decimal, error) {
	if from == to || amount.IsZero() {
		return amount, nil
	}
	if rates == nil {
		return decimal.Zero, fmt.Errorf("tariff: convert %s to %s: no FX rates supplied", from, to)
	}
	v, err := rates.Convert(amount, from, to)
	if err != nil {
		return decimal.Zero, fmt.Errorf("tariff: convert %s to %s: %w", from, to, err)
	}
	return v, nil
}

// String writes the term back in the language's syntax.
func (t Term) String() string {
	if t.AdValorem {
		return t.Percent.Shift(2).String() + "%"
	}
	return t.Amount.String() + " " + t.Currency + "/" + t.Unit
}

type exprParser struct {
	src string
	i   int
}

func (p *exprParser) eof() bool { return p.i >= len(p.src) }

func (p *exprParser) space() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
}

// rest is the unparsed input, cut to 12 characters and "…" for a message.
func (p *exprParser) rest() string { return Shorten(p.src[p.i:], 13) }

func (p *exprParser) keyword(kw string) bool {
	return strings.HasPrefix(p.src[p.i:], kw) &&
		(p.i+len(kw) == len(p.src) || p.src[p.i+len(kw)] == ' ' || p.src[p.i+len(kw)] == '\t')
}

// term parses "N%" or "N CUR/unit".
func (p *exprParser) term() (Term, error) {
	start := p.i
	for p.i < len(p.src) && (p.src[p.i] >= '0' && p.src[p.i] <= '9' || p.src[p.i] == '.') {
		p.i++
	}
	if p.i == start {
		if p.eof() {
			return Term{}, &ExprError{p.i, "expected a number, found the end"}
		}
		return Term{}, &ExprError{p.i, fmt.Sprintf("expected a number, found %q", p.rest())}
	}
	num := p.src[start:p.i]
	if strings.Count(num, ".") > 1 || num[0] == '.' || num[len(num)-1] == '.' {
		return Term{}, &ExprError{start, fmt.Sprintf("malformed number %q", num)}
	}
	d, err := decimal.NewFromString(num)
	if err != nil {
		return Term{}, &ExprError{start, fmt.Sprintf("malformed number %q", num)}
	}
	if p.i < len(p.src) && p.src[p.i] == '%' {
		p.i++
		return Term{AdValorem: true, Percent: d.Shift(-2)}, nil
	}
	p.space()
	cs := p.i
	for p.i < len(p.src) && p.src[p.i] >= 'A' && p.src[p.i] <= 'Z' {
		p.i++
	}
	if p.i-cs != 3 {
		return Term{}, &ExprError{cs, "expected '%' or a currency code like EUR after the number"}
	}
	cur := p.src[cs:p.i]
	if p.i >= len(p.src) || p.src[p.i] != '/' {
		return Term{}, &ExprError{p.i, "expected '/unit' after the currency (units: gpu_hour, unit, kwh)"}
	}
	p.i++
	us := p.i
	for p.i < len(p.src) && (p.src[p.i] >= 'a' && p.src[p.i] <= 'z' || p.src[p.i] == '_') {
		p.i++
	}
	unit := p.src[us:p.i]
	switch unit {
	case UnitGPUHour, UnitUnit, UnitKWh:
	default:
		return Term{}, &ExprError{us, fmt.Sprintf("unknown unit %q (units: gpu_hour, unit, kwh)", unit)}
	}
	return Term{Amount: d, Currency: cur, Unit: unit}, nil
}

// parseAmount parses a specific amount without unit, "2000000 CNY", as used by subsidy caps.
func parseAmount(src string) (decimal.Decimal, string, *ExprError) {
	f := strings.Fields(src)
	if len(f) != 2 {
		return decimal.Zero, "", &ExprError{0, "expected an amount and a currency, e.g. \"2000000 CNY\""}
	}
	d, err := decimal.NewFromString(f[0])
	if err != nil || strings.ContainsAny(f[0], "eE") {
		return decimal.Zero, "", &ExprError{0, fmt.Sprintf("malformed amount %q", f[0])}
	}
	if len(f[1]) != 3 || strings.ToUpper(f[1]) != f[1] {
		return decimal.Zero, "", &ExprError{strings.Index(src, f[1]), fmt.Sprintf("malformed currency %q", f[1])}
	}
	return d, f[1], nil
}

// parsePercent parses "20%" or "-5%" into a fraction.
func parsePercent(src string) (decimal.Decimal, *ExprError) {
	s := strings.TrimSpace(src)
	if !strings.HasSuffix(s, "%") {
		return decimal.Zero, &ExprError{len(src), "expected a percentage like \"20%\""}
	}
	n := strings.TrimSpace(strings.TrimSuffix(s, "%"))
	d, err := decimal.NewFromString(n)
	if err != nil || strings.ContainsAny(n, "eE") {
		return decimal.Zero, &ExprError{0, fmt.Sprintf("malformed percentage %q", src)}
	}
	return d.Shift(-2), nil
}
