package tariff

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrUnknownMeasure is returned (wrapped) by Policy.WithMeasureField for an id the policy does
// not have.
var ErrUnknownMeasure = errors.New("unknown measure")

// ErrUnknownField is returned (wrapped) by Policy.WithMeasureField for a field the policy
// language does not have, or one that cannot be changed (id).
var ErrUnknownField = errors.New("unknown measure field")

// WhatIfSource is the file name problems of Policy.WithMeasureField are reported against, and
// the ChangedBy of the measure it changes.
const WhatIfSource = "what-if"

// listFields are the measure fields whose value is a list.
var listFields = map[string]bool{"origin": true, "origin_except": true, "destination": true,
	"destination_except": true, "products": true, "hs": true, "buyer": true, "regions": true,
	"buyer_regions": true, "vendor_country": true, "models": true, "legal": true}

// quotaFields are the fields of a quota, changed as "quota.<field>".
var quotaFields = []string{"period", "volume", "unit", "in_quota_rate"}

// WithMeasureField returns a new policy in which one field of the measure measureID holds
// value: the policy a scenario with the single change modify: {id: measureID, field: value}
// would give, compiled and ready to assess. p is not changed.
//
// field is a measure field as written in the policy language ("rate", "valid_to",
// "share_max", "destination", …) or a field of the measure's quota ("quota.volume",
// "quota.in_quota_rate"). value is written as in a document: "21%", "2026-12-31", "5000000";
// list fields take "[CN, DE]" or "CN, DE". The new value is validated as a document's would be
// (and conflicts with other measures re-checked): problems come back as Problems, reported
// against the file name WhatIfSource at line 1, the column pointing into value. An id the
// policy does not have wraps ErrUnknownMeasure; a field the language does not have (or "id")
// wraps ErrUnknownField; both name the closest candidate.
//
// The result keeps p's ID, Title and Version; its Hash covers p's hash and the change, and the
// changed measure's ChangedBy is WhatIfSource.
func (p *Policy) WithMeasureField(measureID, field, value string) (*Policy, error) {
	i := -1
	ids := make([]string, len(p.Measures))
	for j := range p.Measures {
		ids[j] = p.Measures[j].ID
		if ids[j] == measureID {
			i = j
		}
	}
	if i < 0 {
		return nil, unknownErr(ErrUnknownMeasure, measureID, "in policy "+strconv.Quote(p.ID), ids)
	}
	node, err := whatIfNode(&p.Measures[i], field, value)
	if err != nil {
		return nil, err
	}
	q := &Policy{
		ID:          p.ID,
		Title:       p.Title,
		Hash:        hashOf([]byte(p.Hash + "\x00" + measureID + "\x00" + field + "\x00" + value)),
		Version:     p.Version,
		Description: p.Description,
		Source:      p.Source,
		Areas:       p.Areas,
		Measures:    append([]Measure(nil), p.Measures...),
		Scenarios:   p.Scenarios,
	}
	d := &decoder{file: WhatIfSource}
	m := q.Measures[i]
	m.pos = maps.Clone(m.pos)
	d.decodeMeasure(node, &m)
	m.ChangedBy = WhatIfSource
	checkMeasure(d, &m, p.Areas, false)
	q.Measures[i] = m
	checkConflictsOf(d, q, i)
	if len(d.probs) > 0 {
		sortProblems(d.probs)
		return nil, d.probs
	}
	q.idx = p.index().derive(q, i, field, &p.Measures[i])
	return q, nil
}

// whatIfNode builds the mapping {id: …, field: value} a scenario's modify would hold.
func whatIfNode(m *Measure, field, value string) (*yaml.Node, error) {
	scalar := func(s string, col int) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: 1, Column: col}
	}
	var v *yaml.Node
	key := field
	switch {
	case field == "id":
		return nil, &lookupError{msg: "tariff: the id of a measure cannot be changed (derive a policy with another measure instead)", sentinel: ErrUnknownField}
	case strings.HasPrefix(field, "quota."):
		sub := strings.TrimPrefix(field, "quota.")
		if !slices.Contains(quotaFields, sub) {
			return nil, unknownErr(ErrUnknownField, field, "of a quota", prefixed("quota.", quotaFields))
		}
		q := m.Quota
		if q == nil {
			return nil, fmt.Errorf("tariff: measure %q has no quota: set quota (a mapping) rather than %s", m.ID, field)
		}
		current := map[string]string{"period": q.Period, "volume": q.Volume.String(), "unit": q.Unit}
		if q.InQuotaRate != nil {
			current["in_quota_rate"] = q.InQuotaRate.Source
		}
		current[sub] = value
		v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}
		for _, k := range quotaFields {
			if s, ok := current[k]; ok {
				v.Content = append(v.Content, scalar(k, 1), scalar(s, 1))
			}
		}
		key = "quota"
	case !slices.Contains(measureFields, field):
		return nil, unknownErr(ErrUnknownField, field, "of a measure", append(append([]string(nil), measureFields...), prefixed("quota.", quotaFields)...))
	case listFields[field]:
		items := strings.TrimSpace(value)
		if strings.HasPrefix(items, "[") && strings.HasSuffix(items, "]") {
			items = items[1 : len(items)-1]
		}
		v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: 1, Column: 1}
		off := strings.Index(value, items)
		for _, it := range strings.Split(items, ",") {
			s := strings.TrimSpace(it)
			col := 1 + off + strings.Index(it, s)
			off += len(it) + 1
			if s == "" {
				continue
			}
			v.Content = append(v.Content, scalar(strings.Trim(s, `"'`), col))
		}
	case field == "quota":
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) == 0 {
			return nil, Problems{{File: WhatIfSource, Line: 1, Col: 1, MeasureID: m.ID,
				Message: "quota: expected a mapping such as {period: calendar_year, volume: \"5000000\", unit: gpu_hour, in_quota_rate: \"0%\"}"}}
		}
		v = doc.Content[0]
	default:
		v = scalar(value, 1)
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1, Content: []*yaml.Node{
		scalar("id", 1), scalar(m.ID, 1), scalar(key, 1), v}}, nil
}

// lookupError is an unknown measure or field; it unwraps to its sentinel.
type lookupError struct {
	msg      string
	sentinel error
}

func (e *lookupError) Error() string { return e.msg }
func (e *lookupError) Unwrap() error { return e.sentinel }

// unknownErr reports name as unknown (sentinel), with the closest candidate as a hint.
func unknownErr(sentinel error, name, where string, candidates []string) error {
	msg := fmt.Sprintf("tariff: %v %q %s", sentinel, name, where)
	if c := closest(name, candidates); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return &lookupError{msg: msg, sentinel: sentinel}
}

func prefixed(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}
