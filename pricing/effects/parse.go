package effects

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Limits of the input, documented in docs/effects.md and the OpenAPI document. They keep
// every figure far inside exact decimal arithmetic and the model inside its meaning.
const (
	MaxFlows       = 1000 // flows per request
	MaxTextLength  = 40   // characters of a decimal, a wedge or an elasticity
	MaxNameLength  = 64   // characters of a source or a collector
	MaxElasticity  = 100  // |Em| and Es at most 100
	MaxSupplyElast = 1000000
)

var (
	maxAmount   = decimal.New(1, 15)     // values and GPU-hours at most 10^15
	minWedge    = decimal.New(-99, -2)   // −99%: the buyer pays at least 1% of the supplier's price
	maxWedge    = decimal.NewFromInt(10) // 1000%
	maxElast    = decimal.NewFromInt(MaxElasticity)
	maxSupplyEx = decimal.NewFromInt(MaxSupplyElast)
)

// Request is the model's input as text: the body of POST /api/v1/effects and the JSON file
// `corridor effects --file` reads. Decimals are strings; wedges are percentages ("10%") or
// fractions ("0.1"); elasticities are decimals or "inf". Empty elasticities take the
// documented defaults ([Defaults]).
type Request struct {
	Flows                  []FlowRequest `json:"flows"`
	ImportDemandElasticity string        `json:"import_demand_elasticity,omitempty"`
	SubstitutionElasticity string        `json:"substitution_elasticity,omitempty"`
	ExportSupplyElasticity string        `json:"export_supply_elasticity,omitempty"`
	Currency               string        `json:"currency,omitempty"`
}

// FlowRequest is one flow of a Request.
type FlowRequest struct {
	Source      string `json:"source"`
	Value       string `json:"value"`
	GPUHours    string `json:"gpu_hours,omitempty"`
	WedgeBefore string `json:"wedge_before"`
	WedgeAfter  string `json:"wedge_after"`
	Collector   string `json:"collector,omitempty"`
}

// FieldError names one bad field of the input in the JSON vocabulary ("flows[1].wedge_after").
type FieldError struct {
	Field   string
	Message string
}

// InputError lists every problem of an input, in field order.
type InputError struct {
	Fields []FieldError
}

func (e *InputError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "effects: invalid input: " + strings.Join(parts, "; ")
}

func (e *InputError) add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (e *InputError) has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func (e *InputError) hasPrefix(prefix string) bool {
	for _, f := range e.Fields {
		if strings.HasPrefix(f.Field, prefix) {
			return true
		}
	}
	return false
}

// orNil returns e with its fields in reading order (parameters, then flows by index), or nil
// when there is no problem.
func (e *InputError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	rank := func(field string) int {
		for i, top := range []string{"import_demand_elasticity", "substitution_elasticity", "export_supply_elasticity", "currency", "flows"} {
			if field == top {
				return i
			}
		}
		var n int
		if _, err := fmt.Sscanf(field, "flows[%d]", &n); err == nil {
			return 5 + n
		}
		return 5 + MaxFlows
	}
	sort.SliceStable(e.Fields, func(i, j int) bool { return rank(e.Fields[i].Field) < rank(e.Fields[j].Field) })
	return e
}

// Input parses and validates r. isCurrency tells whether a currency code is known (nil
// accepts any three capital letters). A problem is an *InputError naming every bad field.
func (r Request) Input(isCurrency func(string) bool) (Input, error) {
	var bad InputError
	in := Input{Currency: strings.TrimSpace(r.Currency)}
	in.ImportDemand = parameter(&bad, "import_demand_elasticity", r.ImportDemandElasticity, Defaults.ImportDemand)
	in.Substitution = parameter(&bad, "substitution_elasticity", r.SubstitutionElasticity, Defaults.Substitution)
	in.ExportSupply = parameter(&bad, "export_supply_elasticity", r.ExportSupplyElasticity, Defaults.ExportSupply)
	if in.Currency != "" && isCurrency != nil && validCurrency(in.Currency) && !isCurrency(in.Currency) {
		bad.add("currency", "unknown currency %s (ISO 4217 code expected)", strconv.Quote(in.Currency))
	}
	if len(r.Flows) > MaxFlows {
		bad.add("flows", "at most %d flows, not %d", MaxFlows, len(r.Flows))
		return Input{}, &bad
	}
	in.Flows = make([]Flow, len(r.Flows))
	for i, f := range r.Flows {
		p := fmt.Sprintf("flows[%d].", i)
		fl := Flow{Source: strings.TrimSpace(f.Source), Collector: strings.TrimSpace(f.Collector)}
		fl.Value = amount(&bad, p+"value", f.Value, true)
		if strings.TrimSpace(f.GPUHours) != "" {
			fl.GPUHours = amount(&bad, p+"gpu_hours", f.GPUHours, false)
		}
		fl.WedgeBefore = wedge(&bad, p+"wedge_before", f.WedgeBefore)
		fl.WedgeAfter = wedge(&bad, p+"wedge_after", f.WedgeAfter)
		in.Flows[i] = fl
	}
	if err := in.validate(&bad); err != nil {
		return Input{}, err
	}
	return in, nil
}

func parameter(bad *InputError, field, text string, def Parameter) Parameter {
	if strings.TrimSpace(text) == "" {
		return def
	}
	e, err := ParseElasticity(text)
	if err != nil {
		bad.add(field, "%v", err)
		return Parameter{}
	}
	return Parameter{Elasticity: e}
}

func amount(bad *InputError, field, text string, required bool) decimal.Decimal {
	if strings.TrimSpace(text) == "" {
		if required {
			bad.add(field, "is required")
		}
		return decimal.Decimal{}
	}
	d, err := parseDecimal(text)
	if err != nil {
		bad.add(field, `must be a decimal string like "100.50", not %s`, quoteShort(text))
	}
	return d
}

func wedge(bad *InputError, field, text string) decimal.Decimal {
	if strings.TrimSpace(text) == "" {
		bad.add(field, `is required (a percentage like "10%%" or a fraction like "0.1")`)
		return decimal.Decimal{}
	}
	w, err := ParseWedge(text)
	if err != nil {
		bad.add(field, "%v", err)
	}
	return w
}

// Validate checks in against the model's domain and the package's limits; a problem is an
// *InputError naming every bad field.
func (in Input) Validate() error {
	var bad InputError
	return in.validate(&bad)
}

// validate adds to bad the problems of in, except for fields bad already names (a field that
// did not parse is not also out of range), and returns bad or nil.
func (in Input) validate(bad *InputError) error {
	check := func(field string, ok bool, format string, args ...any) {
		if !ok && !bad.has(field) {
			bad.add(field, format, args...)
		}
	}
	em, es, ex := in.ImportDemand, in.Substitution, in.ExportSupply
	check("import_demand_elasticity", !em.IsInfinite() && !em.Value().IsPositive() && em.Value().GreaterThanOrEqual(maxElast.Neg()),
		"must be from -%d to 0: imports fall as their landed price rises (SMART lists the magnitude; write -1.5 for 1.5)", MaxElasticity)
	check("substitution_elasticity", !es.IsInfinite() && !es.Value().IsNegative() && es.Value().LessThanOrEqual(maxElast),
		"must be from 0 to %d", MaxElasticity)
	check("export_supply_elasticity", ex.IsInfinite() || (ex.Value().IsPositive() && ex.Value().LessThanOrEqual(maxSupplyEx)),
		`must be above 0 and at most %d, or "inf"`, MaxSupplyElast)
	check("currency", in.Currency == "" || validCurrency(in.Currency), "must be an ISO 4217 code such as EUR")

	if len(in.Flows) == 0 {
		check("flows", false, "at least one flow is required")
	}
	check("flows", len(in.Flows) <= MaxFlows, "at most %d flows, not %d", MaxFlows, len(in.Flows))
	seen := map[string]int{}
	trading, withHours := 0, 0
	for i, f := range in.Flows {
		p := fmt.Sprintf("flows[%d].", i)
		check(p+"source", f.Source != "" && validName(f.Source), "is required: up to %d printable characters naming the origin", MaxNameLength)
		if j, dup := seen[f.Source]; dup && f.Source != "" {
			check(p+"source", false, "repeats flows[%d].source %s: give each source once", j, strconv.Quote(f.Source))
		}
		seen[f.Source] = i
		check(p+"collector", f.Collector == "" || validName(f.Collector), "up to %d printable characters naming the collecting jurisdiction, or %q", MaxNameLength, NoCollector)
		check(p+"collector", f.Collector == "" || len(f.Parts) == 0, "give a collector or wedge parts, not both")
		collectors := map[string]bool{}
		for j, wp := range f.Parts {
			q := fmt.Sprintf("%sparts[%d].", p, j)
			check(q+"collector", wp.Collector != "" && wp.Collector != NoCollector && validName(wp.Collector) && !collectors[wp.Collector],
				"is required: up to %d printable characters naming a collecting jurisdiction, once per flow", MaxNameLength)
			collectors[wp.Collector] = true
			check(q+"before", wp.Before.GreaterThanOrEqual(maxWedge.Neg()) && wp.Before.LessThanOrEqual(maxWedge), "must be from -1000%% to 1000%%, not %s", FormatPercent(wp.Before))
			check(q+"after", wp.After.GreaterThanOrEqual(maxWedge.Neg()) && wp.After.LessThanOrEqual(maxWedge), "must be from -1000%% to 1000%%, not %s", FormatPercent(wp.After))
		}
		check(p+"value", !f.Value.IsNegative() && f.Value.LessThanOrEqual(maxAmount), "must be from 0 to 10^15")
		check(p+"gpu_hours", !f.GPUHours.IsNegative() && f.GPUHours.LessThanOrEqual(maxAmount), "must be above 0 and at most 10^15")
		for _, w := range []struct {
			name string
			v    decimal.Decimal
		}{{"wedge_before", f.WedgeBefore}, {"wedge_after", f.WedgeAfter}} {
			check(p+w.name, w.v.GreaterThanOrEqual(minWedge) && w.v.LessThanOrEqual(maxWedge), "must be from -99%% to 1000%%, not %s", FormatPercent(w.v))
		}
		if f.Value.IsPositive() {
			trading++
		}
		if f.GPUHours.IsPositive() {
			withHours++
			check(p+"value", f.Value.IsPositive(), "must be above 0 when gpu_hours is given (the price per GPU-hour is value ÷ gpu_hours)")
		}
	}
	if len(in.Flows) > 0 && trading == 0 && !bad.hasPrefix("flows[") {
		check("flows", false, "at least one flow needs a value above 0")
	}
	if withHours > 0 && withHours < len(in.Flows) {
		for i, f := range in.Flows {
			if !f.GPUHours.IsPositive() {
				check(fmt.Sprintf("flows[%d].gpu_hours", i), false, "is required when another flow gives gpu_hours (give GPU-hours for every flow or for none)")
				break
			}
		}
	}
	return bad.orNil()
}

// ParseWedge reads a wedge written as a percentage ("10%", "-2.5 %") or as a fraction
// ("0.1"), and returns the fraction. Plain decimal notation only: no exponent, no thousands
// separators.
func ParseWedge(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	num, pct := strings.CutSuffix(t, "%")
	num = strings.TrimSpace(num)
	d, err := parseDecimal(num)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf(`must be a percentage like "10%%" or a fraction like "0.1", not %s`, quoteShort(s))
	}
	if pct {
		d = d.Shift(-2)
	}
	return d, nil
}

// ParseElasticity reads an elasticity: a plain decimal ("-1.5", "99") or infinity ("inf",
// "infinity", "∞", any case, with an optional "+").
func ParseElasticity(s string) (Elasticity, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch strings.TrimPrefix(t, "+") {
	case "inf", "infinity", "∞":
		return Infinite, nil
	}
	d, err := parseDecimal(t)
	if err != nil {
		return Elasticity{}, fmt.Errorf(`must be a decimal like "-1.5" or "inf", not %s`, quoteShort(s))
	}
	return Finite(d), nil
}

// FormatPercent writes a fraction as a percentage without trailing zeros: 0.1 → "10%",
// -0.025 → "-2.5%".
func FormatPercent(d decimal.Decimal) string { return d.Shift(2).String() + "%" }

// errNotDecimal is the cause behind every malformed number.
var errNotDecimal = errors.New("not a plain decimal")

// parseDecimal accepts plain decimal notation only: an optional sign, digits and one point,
// at most MaxTextLength characters (decimal.NewFromString alone would take "1e3" and huge
// exponents).
func parseDecimal(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxTextLength {
		return decimal.Decimal{}, errNotDecimal
	}
	digits, point := 0, false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' && !point:
			point = true
		case (r == '-' || r == '+') && i == 0:
		default:
			return decimal.Decimal{}, errNotDecimal
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, errNotDecimal
	}
	return decimal.NewFromString(s)
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

func validName(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxNameLength {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// quoteShort quotes user input for a message, cut to a readable length.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > MaxTextLength {
		r := []rune(s)
		s = string(r[:MaxTextLength]) + "…"
	}
	return strconv.Quote(s)
}
