package tariff

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

var policyFields = []string{"format", "id", "title", "description", "source", "as_of", "note", "areas", "measures"}

func parsePolicy(name string, data []byte) (*Policy, Problems) {
	root, probs := parseRoot(name, data)
	if probs != nil {
		return nil, probs
	}
	d := &decoder{file: name}
	p := &Policy{Hash: hashOf(data), Source: name, Areas: map[string]Area{}}
	var measuresNode *yaml.Node
	seen := map[string]bool{}
	d.fields(root, "", policyFields, func(key string, _, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "format":
			if s, ok := d.str(v, "", key); ok && s != FormatPolicy {
				d.add(v, "", "policies start with format: "+FormatPolicy, "unknown format %q", s)
			}
		case "id":
			p.ID, _ = d.str(v, "", key)
		case "title":
			p.Title, _ = d.str(v, "", key)
		case "description":
			p.Description, _ = d.str(v, "", key)
		case "source", "note":
			d.str(v, "", key)
		case "as_of":
			d.date(v, "", key)
		case "areas":
			p.Areas = d.decodeAreas(v)
		case "measures":
			measuresNode = v
		}
	})
	for _, k := range []string{"format", "id"} {
		if !seen[k] {
			d.add(root, "", "", "missing %s", k)
		}
	}
	if measuresNode != nil {
		if measuresNode.Kind != yaml.SequenceNode {
			d.add(measuresNode, "", "", "measures: expected a list, found %s", kindName(measuresNode))
		} else {
			for _, mn := range measuresNode.Content {
				var m Measure
				d.decodeMeasure(mn, &m)
				p.Measures = append(p.Measures, m)
			}
		}
	}
	for i := range p.Measures {
		checkMeasure(d, &p.Measures[i], p.Areas, false)
	}
	checkPolicy(d, p)
	if len(d.probs) > 0 {
		sortProblems(d.probs)
		return nil, d.probs
	}
	p.idx = compile(p)
	return p, nil
}

// Validate checks one document, a policy or a scenario (told apart by its format field), and
// returns every problem found; nil when there are none. A scenario is checked without its base
// (use ValidateScenarioAgainst to check modified and suspended ids and area names too).
func Validate(name string, data []byte) Problems {
	_, probs := parseDocument(name, data)
	return probs
}

// Document is a parsed policy or scenario document: exactly one of Policy and Scenario is set,
// as the document's format field says (Format is FormatPolicy or FormatScenario).
type Document struct {
	Format   string
	Policy   *Policy
	Scenario *Scenario
}

// ID is the document's id.
func (d Document) ID() string {
	if d.Scenario != nil {
		return d.Scenario.ID
	}
	if d.Policy != nil {
		return d.Policy.ID
	}
	return ""
}

// Title is the document's title.
func (d Document) Title() string {
	if d.Scenario != nil {
		return d.Scenario.Title
	}
	if d.Policy != nil {
		return d.Policy.Title
	}
	return ""
}

// ParseDocument reads the format field of a document (YAML or JSON) and parses it as a policy
// (corridor.policy/v1) or a scenario (corridor.scenario/v1), validated as ParsePolicy and
// ParseScenario do. A document without a known format is refused with the position of its
// format field (or of the document, when there is none). A validation failure returns
// Problems (all of them).
func ParseDocument(name string, data []byte) (Document, error) {
	doc, probs := parseDocument(name, data)
	if len(probs) > 0 {
		return Document{}, probs
	}
	return doc, nil
}

func parseDocument(name string, data []byte) (Document, Problems) {
	root, probs := parseRoot(name, data)
	if probs != nil {
		return Document{}, probs
	}
	format, node := formatOf(root)
	switch format {
	case FormatScenario:
		s, probs := parseScenario(name, data)
		return Document{Format: format, Scenario: s}, probs
	case FormatPolicy:
		p, probs := parsePolicy(name, data)
		return Document{Format: format, Policy: p}, probs
	case "":
		if node == nil {
			// No format field: parse as a policy, which reports the missing field along with
			// everything else wrong.
			p, probs := parsePolicy(name, data)
			return Document{Format: FormatPolicy, Policy: p}, probs
		}
	}
	return Document{}, Problems{{File: name, Line: node.Line, Col: node.Column,
		Message: "unknown format " + strconv.Quote(format),
		Hint:    "write format: " + FormatPolicy + " for a policy or format: " + FormatScenario + " for a scenario"}}
}

// ValidateScenarioAgainst checks a scenario document and its application to base: ids of
// modified and suspended measures must exist, added ids must be new, areas must be defined,
// and the resulting policy must have no conflicting measures.
func ValidateScenarioAgainst(base *Policy, name string, data []byte) Problems {
	s, probs := parseScenario(name, data)
	if probs != nil {
		return probs
	}
	_, probs = s.apply(base)
	return probs
}
