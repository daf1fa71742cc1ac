package whatif

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Limits of a sweep specification.
const (
	// MaxSweepPoints is the most points a sweep may have (FROM and TO included). A study prices
	// every flow at every point, so points multiply the work.
	MaxSweepPoints = 1000
	// maxSpecLen bounds the specification's length in bytes.
	maxSpecLen = 300
	// maxNumberLen bounds one number of the specification, in bytes.
	maxNumberLen = 32
)

// SweepFields are the measure fields a sweep can vary: the numbers of a measure.
var SweepFields = []string{"rate", "share_max", "cap", "quota.volume", "quota.in_quota_rate"}

// Units a sweep's values are written in (Sweep.Unit).
const (
	UnitPercent = "%" // a percentage: 12.5% is the fraction 0.125
	UnitNumber  = ""  // a plain number, e.g. a quota volume
)

// Sweep is one parameter varied over a range: a field of a measure (Measure, Field) or an FX
// shock of a currency (Currency), from From to To in steps of Step, both ends included.
//
// Values are in Unit: UnitPercent (stored as fractions: 0.125 is 12.5%), UnitNumber, a
// specific amount such as "EUR/gpu_hour" (a duty rate per unit), or a currency such as "CNY"
// (a subsidy cap). Parse one with ParseSweep.
type Sweep struct {
	Measure  string // the measure whose field is varied; "" for an FX sweep
	Field    string // rate, share_max, cap, quota.volume or quota.in_quota_rate
	Currency string // an FX sweep: the currency moved against the euro
	Unit     string
	From     decimal.Decimal
	To       decimal.Decimal
	Step     decimal.Decimal
}

// SweepError is a malformed sweep specification: Col is the 1-based byte column of the
// problem in the specification.
type SweepError struct {
	Col     int
	Message string
	Hint    string
}

// Error formats the problem as "sweep:1:COL: message (hint)".
func (e *SweepError) Error() string {
	s := fmt.Sprintf("sweep:1:%d: %s", e.Col, e.Message)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

const sweepSyntax = `write MEASURE.FIELD=FROM..TO step STEP (eu-levy.rate=0%..30% step 2.5%) or CCY=FROM..TO step STEP (CNY=-20%..+20% step 5%)`

// ParseSweep parses a sweep specification:
//
//	MEASURE.FIELD=FROM..TO step STEP    e.g. eu-levy-compute-erga-omnes.rate=0%..30% step 2.5%
//	CCY=FROM..TO step STEP              e.g. CNY=-20%..+20% step 5%
//
// FIELD is one of SweepFields; rates and shares are percentages (rate may also be a
// specific amount, "0.05 EUR/gpu_hour"), a cap is an amount with its currency ("2000000 CNY"),
// a quota volume a plain number. An FX change is the currency's relative change of value
// against the euro (see pricing.Snapshot.Shock). TO − FROM must be a whole number of steps and
// the sweep may have at most MaxSweepPoints points. Whether the measure exists is checked when
// the study is evaluated.
func ParseSweep(spec string) (Sweep, error) {
	var s Sweep
	if len(spec) > maxSpecLen {
		return s, &SweepError{Col: maxSpecLen + 1, Message: fmt.Sprintf("the specification is longer than %d bytes", maxSpecLen)}
	}
	eq := strings.IndexByte(spec, '=')
	if eq < 0 {
		return s, &SweepError{Col: len(spec) + 1, Message: "missing '='", Hint: sweepSyntax}
	}
	target := strings.TrimSpace(spec[:eq])
	tcol := strings.Index(spec, target) + 1
	if target == "" {
		return s, &SweepError{Col: 1, Message: "missing the parameter to sweep before '='", Hint: sweepSyntax}
	}
	if err := s.setTarget(target, tcol); err != nil {
		return s, err
	}
	p := &specScanner{src: spec, i: eq + 1}
	from, err := p.value()
	if err != nil {
		return s, err
	}
	p.space()
	if !strings.HasPrefix(p.src[p.i:], "..") {
		return s, p.errf("expected '..' after FROM", sweepSyntax)
	}
	p.i += 2
	to, err := p.value()
	if err != nil {
		return s, err
	}
	p.space()
	if !p.keyword("step") {
		return s, p.errf("expected 'step' after TO", sweepSyntax)
	}
	step, err := p.value()
	if err != nil {
		return s, err
	}
	p.space()
	if p.i < len(p.src) {
		return s, p.errf(fmt.Sprintf("unexpected %q after STEP", p.src[p.i:]), sweepSyntax)
	}
	if err := s.setValues(from, to, step); err != nil {
		return s, err
	}
	return s, nil
}

// setTarget reads the swept parameter: a currency, or MEASURE.FIELD.
func (s *Sweep) setTarget(t string, col int) error {
	if len(t) == 3 && !strings.Contains(t, ".") {
		if strings.ToUpper(t) != t {
			return &SweepError{Col: col, Message: fmt.Sprintf("unknown parameter %q", t), Hint: "currencies are ISO 4217 codes in capitals, e.g. CNY; measures are written MEASURE.FIELD"}
		}
		switch {
		case t == "EUR":
			return &SweepError{Col: col, Message: "EUR cannot be shocked: rates are per euro", Hint: "shock the other currency, e.g. CNY"}
		case !pricing.KnownCurrency(t):
			return &SweepError{Col: col, Message: fmt.Sprintf("unknown currency %q", t)}
		}
		s.Currency = t
		return nil
	}
	// The longest known field that ends the target (measure ids may contain dots).
	for _, f := range sweepFields() {
		if id, ok := strings.CutSuffix(t, "."+f); ok && id != "" {
			if strings.ContainsAny(id, " \t,") {
				return &SweepError{Col: col, Message: fmt.Sprintf("bad measure id %q", id), Hint: "measure ids have no spaces or commas"}
			}
			s.Measure, s.Field = id, f
			return nil
		}
	}
	dot := strings.LastIndexByte(t, '.')
	if dot <= 0 {
		return &SweepError{Col: col, Message: fmt.Sprintf("%q is neither a currency nor MEASURE.FIELD", t), Hint: sweepSyntax}
	}
	field := t[dot+1:]
	hint := "fields: " + strings.Join(SweepFields, ", ")
	if best := closest(field, SweepFields); best != "" {
		hint = "did you mean " + strconv.Quote(best) + "?"
	}
	return &SweepError{Col: col + dot + 1, Message: fmt.Sprintf("field %q cannot be swept", field), Hint: hint}
}

// closest returns the candidate nearest to s by edit distance when it is near enough to be a
// plausible typo ("did you mean" hints), else "".
func closest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := tariff.EditDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// sweepFields returns the fields a sweep can vary, longest first (quota.volume before a
// hypothetical "volume").
func sweepFields() []string {
	f := append([]string(nil), SweepFields...)
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && len(f[j]) > len(f[j-1]); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
	return f
}

// specValue is one number of a specification with its unit and column.
type specValue struct {
	v    decimal.Decimal
	unit string
	col  int
	text string
}

// setValues checks FROM, TO and STEP against each other and the parameter.
func (s *Sweep) setValues(from, to, step specValue) error {
	for _, x := range []specValue{to, step} {
		if x.unit != from.unit {
			return &SweepError{Col: x.col, Message: fmt.Sprintf("%q is in %s, FROM is in %s", x.text, unitName(x.unit), unitName(from.unit)),
				Hint: "write FROM, TO and STEP in the same unit"}
		}
	}
	s.Unit, s.From, s.To, s.Step = from.unit, from.v, to.v, step.v
	nonNegative := func() error {
		if from.v.IsNegative() {
			return &SweepError{Col: from.col, Message: fmt.Sprintf("%s cannot be negative", s.Field)}
		}
		return nil
	}
	switch {
	case s.Currency != "":
		if s.Unit != UnitPercent {
			return &SweepError{Col: from.col, Message: "an FX shock is a percentage", Hint: "e.g. CNY=-20%..+20% step 5% (CNY loses 20% of its value against EUR … gains 20%)"}
		}
		if !from.v.GreaterThan(decimal.NewFromInt(-1)) {
			return &SweepError{Col: from.col, Message: "a currency cannot lose 100% or more of its value"}
		}
	case s.Field == "quota.volume":
		if s.Unit != UnitNumber {
			return &SweepError{Col: from.col, Message: "a quota volume is a plain number in the quota's unit", Hint: "e.g. eu-levy.quota.volume=1000000..5000000 step 1000000"}
		}
		if !from.v.IsPositive() {
			return &SweepError{Col: from.col, Message: "a quota volume must be positive"}
		}
	case s.Field == "share_max":
		if s.Unit != UnitPercent {
			return &SweepError{Col: from.col, Message: "share_max is a percentage"}
		}
		if err := nonNegative(); err != nil {
			return err
		}
		if to.v.GreaterThan(decimal.NewFromInt(1)) {
			return &SweepError{Col: to.col, Message: "share_max cannot exceed 100%"}
		}
	case s.Field == "cap":
		if !isCurrencyUnit(s.Unit) {
			return &SweepError{Col: from.col, Message: "a cap is an amount with its currency", Hint: `e.g. voucher.cap=1000000 CNY..5000000 CNY step 1000000 CNY`}
		}
		if err := nonNegative(); err != nil {
			return err
		}
	default: // rate, quota.in_quota_rate
		if s.Unit != UnitPercent && !isSpecificUnit(s.Unit) {
			return &SweepError{Col: from.col, Message: "a rate is a percentage or an amount per unit", Hint: `e.g. 0%..30% step 2.5%, or 0 EUR/gpu_hour..0.10 EUR/gpu_hour step 0.01 EUR/gpu_hour`}
		}
		if err := nonNegative(); err != nil {
			return err
		}
	}
	if !step.v.IsPositive() {
		return &SweepError{Col: step.col, Message: "STEP must be positive"}
	}
	if to.v.LessThan(from.v) {
		return &SweepError{Col: to.col, Message: fmt.Sprintf("TO %s is below FROM %s", to.text, from.text), Hint: "sweeps go upwards: FROM..TO with FROM ≤ TO"}
	}
	n, rem := to.v.Sub(from.v).QuoRem(step.v, 0)
	if !rem.IsZero() {
		return &SweepError{Col: step.col, Message: fmt.Sprintf("TO − FROM is not a whole number of steps of %s", step.text),
			Hint: "choose STEP so that the sweep ends exactly at TO"}
	}
	if n.GreaterThanOrEqual(decimal.NewFromInt(MaxSweepPoints)) {
		return &SweepError{Col: step.col, Message: fmt.Sprintf("the sweep has %s points; at most %d are allowed", n.Add(decimal.NewFromInt(1)), MaxSweepPoints),
			Hint: "use a larger STEP or a narrower range"}
	}
	return nil
}

func unitName(u string) string {
	switch u {
	case UnitPercent:
		return "percent"
	case UnitNumber:
		return "a plain number"
	}
	return u
}

func isCurrencyUnit(u string) bool { return len(u) == 3 && pricing.KnownCurrency(u) }

func isSpecificUnit(u string) bool {
	cur, per, ok := strings.Cut(u, "/")
	return ok && isCurrencyUnit(cur) && (per == tariff.UnitGPUHour || per == tariff.UnitUnit || per == tariff.UnitKWh)
}

// Points returns the number of points of the sweep (FROM and TO included).
func (s Sweep) Points() int {
	if !s.Step.IsPositive() {
		return 0
	}
	n, _ := s.To.Sub(s.From).QuoRem(s.Step, 0)
	return int(n.IntPart()) + 1
}

// Value returns the i-th value of the sweep, From + i × Step.
func (s Sweep) Value(i int) decimal.Decimal {
	return s.From.Add(s.Step.Mul(decimal.NewFromInt(int64(i))))
}

// Format writes v as the policy language writes the parameter: "12.5%", "-5%",
// "0.05 EUR/gpu_hour", "2000000 CNY", "4000000".
func (s Sweep) Format(v decimal.Decimal) string {
	switch {
	case s.Unit == UnitPercent:
		return v.Shift(2).String() + "%"
	case s.Unit == UnitNumber:
		return v.String()
	}
	return v.String() + " " + s.Unit
}

// Target names the swept parameter: "MEASURE.FIELD" or the currency.
func (s Sweep) Target() string {
	if s.Currency != "" {
		return s.Currency
	}
	return s.Measure + "." + s.Field
}

// String returns the specification in canonical form; ParseSweep reads it back unchanged.
func (s Sweep) String() string {
	return s.Target() + "=" + s.Format(s.From) + ".." + s.Format(s.To) + " step " + s.Format(s.Step)
}

// specScanner reads the values of a specification.
type specScanner struct {
	src string
	i   int
}

func (p *specScanner) space() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
}

func (p *specScanner) errf(msg, hint string) *SweepError {
	return &SweepError{Col: p.i + 1, Message: msg, Hint: hint}
}

// keyword consumes word (any case) followed by a space.
func (p *specScanner) keyword(word string) bool {
	end := p.i + len(word)
	if end < len(p.src) && strings.EqualFold(p.src[p.i:end], word) && (p.src[end] == ' ' || p.src[end] == '\t') {
		p.i = end
		return true
	}
	return false
}

// value reads a signed decimal and its unit: "%", " CUR/unit", " CUR" or nothing.
func (p *specScanner) value() (specValue, error) {
	p.space()
	start := p.i
	if p.i < len(p.src) && (p.src[p.i] == '+' || p.src[p.i] == '-') {
		p.i++
	}
	digits := 0
	for p.i < len(p.src) {
		c := p.src[p.i]
		if c >= '0' && c <= '9' {
			digits++
			p.i++
			continue
		}
		// A '.' belongs to the number only when a digit follows ("2.5", not "0..30").
		if c == '.' && p.i+1 < len(p.src) && p.src[p.i+1] >= '0' && p.src[p.i+1] <= '9' && !strings.Contains(p.src[start:p.i], ".") {
			p.i++
			continue
		}
		break
	}
	num := p.src[start:p.i]
	if digits == 0 {
		p.i = start
		what := "end of the specification"
		if start < len(p.src) {
			what = strconv.Quote(p.src[start:min(len(p.src), start+12)])
		}
		return specValue{}, p.errf("expected a number, found "+what, sweepSyntax)
	}
	if len(num) > maxNumberLen {
		return specValue{}, &SweepError{Col: start + 1, Message: fmt.Sprintf("number longer than %d characters", maxNumberLen)}
	}
	v, err := decimal.NewFromString(strings.TrimPrefix(num, "+"))
	if err != nil {
		return specValue{}, &SweepError{Col: start + 1, Message: fmt.Sprintf("bad number %q", num)}
	}
	sv := specValue{v: v, col: start + 1}
	switch {
	case p.i < len(p.src) && p.src[p.i] == '%':
		p.i++
		sv.v, sv.unit = v.Shift(-2), UnitPercent
	default:
		// A unit after a space: three capitals, optionally "/unit".
		j := p.i
		for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
			j++
		}
		k := j
		for k < len(p.src) && (p.src[k] >= 'A' && p.src[k] <= 'Z' || p.src[k] >= 'a' && p.src[k] <= 'z' || p.src[k] == '/' || p.src[k] == '_') {
			k++
		}
		word := p.src[j:k]
		if word == "" || strings.EqualFold(word, "step") {
			break
		}
		if !isCurrencyUnit(word) && !isSpecificUnit(word) {
			return specValue{}, &SweepError{Col: j + 1, Message: fmt.Sprintf("unknown unit %q", word),
				Hint: "units: %, a currency (CNY), or a currency per unit (EUR/gpu_hour, EUR/unit, EUR/kwh)"}
		}
		p.i = k
		sv.unit = word
	}
	sv.text = strings.TrimSpace(p.src[start:p.i])
	return sv, nil
}
