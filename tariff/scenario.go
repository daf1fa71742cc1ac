package tariff

import (
	"maps"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"
)

var scenarioFields = []string{"format", "id", "base", "title", "description", "source", "as_of", "note", "changes", "fx_shocks"}

func parseScenario(name string, data []byte) (*Scenario, Problems) {
	root, probs := parseRoot(name, data)
	if probs != nil {
		return nil, probs
	}
	d := &decoder{file: name}
	s := &Scenario{Hash: hashOf(data), FXShocks: map[string]decimal.Decimal{}, file: name}
	seen := map[string]bool{}
	d.fields(root, "", scenarioFields, func(key string, _, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "format":
			if f, ok := d.str(v, "", key); ok && f != FormatScenario {
				d.add(v, "", "scenarios start with format: "+FormatScenario, "unknown format %q", f)
			}
		case "id":
			s.ID, _ = d.str(v, "", key)
		case "base":
			s.Base, _ = d.str(v, "", key)
		case "title":
			s.Title, _ = d.str(v, "", key)
		case "description":
			s.Description, _ = d.str(v, "", key)
		case "source", "note":
			d.str(v, "", key)
		case "as_of":
			d.date(v, "", key)
		case "fx_shocks":
			s.FXShocks = d.decodeShocks(v)
		case "changes":
			if v.Kind != yaml.SequenceNode {
				d.add(v, "", "", "changes: expected a list, found %s", kindName(v))
				return
			}
			for _, c := range v.Content {
				if ch, ok := d.decodeChange(resolve(c)); ok {
					s.Changes = append(s.Changes, ch)
				}
			}
		}
	})
	for _, k := range []string{"format", "id", "base"} {
		if !seen[k] {
			d.add(root, "", "", "missing %s", k)
		}
	}
	if len(d.probs) > 0 {
		sortProblems(d.probs)
		return nil, d.probs
	}
	return s, nil
}

// decodeShocks reads fx_shocks: {CNY: "-5%"}.
func (d *decoder) decodeShocks(n *yaml.Node) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	if n.Kind != yaml.MappingNode {
		d.add(n, "", `write fx_shocks: {CNY: "-5%"}`, "fx_shocks: expected a mapping, found %s", kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		cur := k.Value
		if len(cur) != 3 || strings.ToUpper(cur) != cur {
			d.add(k, "", "currencies are ISO 4217 codes such as CNY", "fx_shocks: bad currency %q", cur)
			continue
		}
		if _, dup := out[cur]; dup {
			d.add(k, "", "", "fx_shocks: duplicate currency %q", cur)
			continue
		}
		if v == nil {
			continue
		}
		str, ok := d.str(v, "", "fx_shocks."+cur)
		if !ok {
			continue
		}
		f, err := parsePercent(str)
		if err != nil {
			d.add(v, "", `write the change against EUR as a percentage, e.g. "-5%" (CNY weakens 5%)`, "fx_shocks.%s: %s", cur, err.Message)
			continue
		}
		if f.LessThanOrEqual(decimal.NewFromInt(-1)) {
			d.add(v, "", "", "fx_shocks.%s: a currency cannot lose 100%% or more", cur)
			continue
		}
		out[cur] = f
	}
	return out
}

func (d *decoder) decodeChange(n *yaml.Node) (Change, bool) {
	var ch Change
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		if n != nil {
			d.add(n, "", "write - add: {...}, - modify: {id: ..., field: value}, or - suspend: {id: ...}", "a change is a mapping with exactly one of add, modify, suspend")
		}
		return ch, false
	}
	k, v := n.Content[0], resolve(n.Content[1])
	ch.Line, ch.Col = k.Line, k.Column
	if v == nil {
		return ch, false
	}
	ch.Op = ChangeOp(k.Value)
	switch ch.Op {
	case ChangeAdd:
		d.decodeMeasure(v, &ch.Measure)
		checkMeasure(d, &ch.Measure, nil, true)
		ch.ID = ch.Measure.ID
	case ChangeModify:
		var m Measure
		d.decodeMeasure(v, &m)
		if m.ID == "" {
			d.add(v, "", "name the measure to modify: modify: {id: vat-de-b2c, rate: \"21%\"}", "modify: missing id")
			return ch, false
		}
		ch.ID, ch.node = m.ID, v
	case ChangeSuspend:
		d.fields(v, "", []string{"id", "note"}, func(key string, _, x *yaml.Node) {
			s, _ := d.str(x, "", key)
			if key == "id" {
				ch.ID = s
			}
		})
		if ch.ID == "" && v.Kind == yaml.MappingNode {
			d.add(v, "", "name the measure to suspend: suspend: {id: cn-voucher-shanghai}", "suspend: missing id")
			return ch, false
		}
	default:
		hint := "changes: add, modify, suspend"
		if c := closest(k.Value, []string{"add", "modify", "suspend"}); c != "" {
			hint = "did you mean " + strconv.Quote(c) + "?"
		}
		d.add(k, "", hint, "unknown change %q", k.Value)
		return ch, false
	}
	return ch, true
}

func (s *Scenario) apply(base *Policy) (*Policy, Problems) {
	d := &decoder{file: s.file}
	if base == nil {
		return nil, Problems{{File: s.file, Line: 1, Col: 1, Message: "no base policy given"}}
	}
	if s.Base != base.ID && !strings.HasPrefix(base.ID, s.Base+"+") {
		d.probs = append(d.probs, Problem{File: s.file, Line: 1, Col: 1,
			Message: "scenario is written for base " + strconv.Quote(s.Base) + ", not " + strconv.Quote(base.ID),
			Hint:    "apply it to the policy it names, or change base"})
	}
	p := &Policy{
		ID:          base.ID + "+" + s.ID,
		Title:       base.Title,
		Hash:        hashOf([]byte(base.Hash + "+" + s.Hash)),
		Description: base.Description,
		Source:      base.Source,
		Areas:       base.Areas,
		Measures:    append([]Measure(nil), base.Measures...),
		Scenarios:   append(append([]string(nil), base.Scenarios...), s.ID),
	}
	if s.Title != "" {
		p.Title = base.Title + " + " + s.Title
	}
	index := map[string]int{}
	ids := make([]string, 0, len(p.Measures))
	for i, m := range p.Measures {
		index[m.ID] = i
		ids = append(ids, m.ID)
	}
	missing := func(ch Change, verb string) {
		hint := "ids of the base are case-sensitive"
		if c := closest(ch.ID, ids); c != "" {
			hint = "did you mean " + strconv.Quote(c) + "?"
		}
		d.probs = append(d.probs, Problem{File: s.file, Line: ch.Line, Col: ch.Col, MeasureID: ch.ID,
			Message: verb + ": no measure " + strconv.Quote(ch.ID) + " in base " + strconv.Quote(base.ID), Hint: hint})
	}
	for _, ch := range s.Changes {
		switch ch.Op {
		case ChangeAdd:
			if _, dup := index[ch.ID]; dup {
				d.probs = append(d.probs, Problem{File: s.file, Line: ch.Line, Col: ch.Col, MeasureID: ch.ID,
					Message: "add: measure " + strconv.Quote(ch.ID) + " already exists", Hint: "use modify to change it, or choose a new id"})
				continue
			}
			m := ch.Measure
			m.pos = maps.Clone(ch.Measure.pos)
			m.ChangedBy = s.ID
			checkMeasure(d, &m, base.Areas, false)
			index[m.ID] = len(p.Measures)
			ids = append(ids, m.ID)
			p.Measures = append(p.Measures, m)
		case ChangeModify:
			i, ok := index[ch.ID]
			if !ok {
				missing(ch, "modify")
				continue
			}
			m := p.Measures[i]
			m.pos = maps.Clone(m.pos)
			d.decodeMeasure(ch.node, &m)
			m.ChangedBy = s.ID
			checkMeasure(d, &m, base.Areas, false)
			p.Measures[i] = m
		case ChangeSuspend:
			i, ok := index[ch.ID]
			if !ok {
				missing(ch, "suspend")
				continue
			}
			p.Measures[i].SuspendedBy = s.ID
		}
	}
	checkConflicts(d, p)
	if len(d.probs) > 0 {
		sortProblems(d.probs)
		return nil, d.probs
	}
	p.idx = compile(p)
	return p, nil
}
