package tariff

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/shopspring/decimal"
)

// settableFields are the fields WithMeasureField can set: the numbers an analyst varies in a
// sweep.
var settableFields = []string{"rate", "share_max", "cap", "quota.volume", "quota.in_quota_rate"}

// WithMeasureField returns a compiled copy of p in which one field of the measure measureID
// has value, written as a policy document writes it ("12.5%" or "0.05 EUR/gpu_hour" for rate
// and quota.in_quota_rate, "50%" for share_max, "2000000 CNY" for cap, "4000000" for
// quota.volume). The measure is checked again as the validator checks it; p is not changed.
// The copy's Hash combines p's hash with the change, so quotes priced with it name it.
func (p *Policy) WithMeasureField(measureID, field, value string) (*Policy, error) {
	at := -1
	ids := make([]string, len(p.Measures))
	for i := range p.Measures {
		ids[i] = p.Measures[i].ID
		if ids[i] == measureID {
			at = i
		}
	}
	if at < 0 {
		hint := ""
		if c := closest(measureID, ids); c != "" {
			hint = " (did you mean " + strconv.Quote(c) + "?)"
		}
		return nil, fmt.Errorf("tariff: policy %s has no measure %q%s", p.ID, measureID, hint)
	}
	m := p.Measures[at]
	m.pos = maps.Clone(m.pos)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("tariff: measure %s: %s = %q: %s", measureID, field, value, fmt.Sprintf(format, args...))
	}
	switch field {
	case "rate", "quota.in_quota_rate":
		if m.Kind == KindGate || m.Kind == KindSubsidy {
			return nil, bad("a %s has no rate", m.Kind)
		}
		e, err := ParseExpr(value)
		if err != nil {
			return nil, bad("%v", err)
		}
		if field == "rate" {
			m.Rate = e
			break
		}
		if m.Quota == nil {
			return nil, bad("the measure has no quota")
		}
		q := *m.Quota
		q.InQuotaRate = e
		m.Quota = &q
	case "quota.volume":
		if m.Quota == nil {
			return nil, bad("the measure has no quota")
		}
		v, err := decimal.NewFromString(value)
		if err != nil || !v.IsPositive() {
			return nil, bad("a quota volume is a positive number")
		}
		q := *m.Quota
		q.Volume = v
		m.Quota = &q
	case "share_max":
		if m.Kind != KindSubsidy {
			return nil, bad("share_max belongs to subsidies")
		}
		f, err := parsePercent(value)
		if err != nil {
			return nil, bad("%s", err.Message)
		}
		if f.IsNegative() || f.GreaterThan(one) {
			return nil, bad("must be between 0%% and 100%%")
		}
		m.ShareMax = decimal.NullDecimal{Decimal: f, Valid: true}
	case "cap":
		if m.Kind != KindSubsidy {
			return nil, bad("cap belongs to subsidies")
		}
		amt, cur, err := parseAmount(value)
		if err != nil {
			return nil, bad("%s", err.Message)
		}
		if amt.IsNegative() {
			return nil, bad("must not be negative")
		}
		m.CapAmount, m.CapCurrency = decimal.NullDecimal{Decimal: amt, Valid: true}, cur
	default:
		hint := ""
		if c := closest(field, settableFields); c != "" {
			hint = " (did you mean " + strconv.Quote(c) + "?)"
		}
		return nil, fmt.Errorf("tariff: measure %s: field %q cannot be set; fields: rate, share_max, cap, quota.volume, quota.in_quota_rate%s", measureID, field, hint)
	}
	d := &decoder{file: p.Source}
	checkMeasure(d, &m, p.Areas, false)
	if len(d.probs) > 0 {
		return nil, bad("%s", d.probs[0].Message)
	}
	np := *p
	np.Measures = append([]Measure(nil), p.Measures...)
	np.Measures[at] = m
	np.Hash = hashOf([]byte(p.Hash + "|" + measureID + "." + field + "=" + value))
	np.idx = compile(&np)
	return &np, nil
}
