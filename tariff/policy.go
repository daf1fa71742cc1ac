package tariff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"
)

const dateLayout = "2006-01-02"

// decoder walks yaml.v3 nodes strictly and collects every problem with its position.
type decoder struct {
	file  string
	probs Problems
}

func (d *decoder) add(n *yaml.Node, id, hint, format string, args ...any) {
	p := Problem{File: d.file, MeasureID: id, Message: fmt.Sprintf(format, args...), Hint: hint}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	d.probs = append(d.probs, p)
}

func (d *decoder) addAt(pos position, id, hint, format string, args ...any) {
	file := pos.file
	if file == "" {
		file = d.file
	}
	d.probs = append(d.probs, Problem{File: file, Line: pos.line, Col: pos.col, MeasureID: id,
		Message: fmt.Sprintf(format, args...), Hint: hint})
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "an alias"
}

// fields iterates a mapping's keys in order, reporting duplicate and unknown keys; fn is
// called for every known key.
func (d *decoder) fields(n *yaml.Node, id string, known []string, fn func(key string, k, v *yaml.Node)) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil {
			d.add(n, id, "", "expected a mapping, found %s", kindName(n))
		}
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if v == nil {
			continue
		}
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			d.add(k, id, "", "mapping keys must be plain strings")
			continue
		}
		if seen[key] {
			d.add(k, id, "remove one of them", "duplicate field %q", key)
			continue
		}
		seen[key] = true
		ok := false
		for _, f := range known {
			if f == key {
				ok = true
				break
			}
		}
		if !ok {
			hint := "known fields: " + strings.Join(known, ", ")
			if c := closest(key, known); c != "" {
				hint = "did you mean " + strconv.Quote(c) + "?"
			}
			d.add(k, id, hint, "unknown field %q", key)
			continue
		}
		fn(key, k, v)
	}
	return true
}

// str returns a scalar's string value, reporting anything else.
func (d *decoder) str(n *yaml.Node, id, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.add(n, id, "", "%s: expected a string, found %s", field, kindName(n))
		return "", false
	}
	return n.Value, true
}

// list returns a sequence of scalars; a single scalar is reported (lists are always lists).
func (d *decoder) list(n *yaml.Node, id, field string) ([]string, []*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf("write [%s]", n.Value)
		}
		d.add(n, id, hint, "%s: expected a list, found %s", field, kindName(n))
		return nil, nil, false
	}
	out := make([]string, 0, len(n.Content))
	nodes := make([]*yaml.Node, 0, len(n.Content))
	ok := true
	for _, c := range n.Content {
		c = resolve(c)
		if c == nil {
			continue
		}
		s, good := d.str(c, id, field)
		if !good {
			ok = false
			continue
		}
		out = append(out, s)
		nodes = append(nodes, c)
	}
	return out, nodes, ok
}

func (d *decoder) date(n *yaml.Node, id, field string) (time.Time, bool) {
	s, ok := d.str(n, id, field)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		d.add(n, id, "dates are written YYYY-MM-DD, e.g. 2025-01-01", "%s: bad date %q", field, s)
		return time.Time{}, false
	}
	return t, true
}

func (d *decoder) dec(n *yaml.Node, id, field string) (decimal.Decimal, bool) {
	s, ok := d.str(n, id, field)
	if !ok {
		return decimal.Zero, false
	}
	v, err := decimal.NewFromString(s)
	if err != nil || strings.ContainsAny(s, "eE") {
		d.add(n, id, "write a plain decimal such as \"4800\" or \"5.92\"", "%s: bad number %q", field, s)
		return decimal.Zero, false
	}
	if v.IsNegative() {
		d.add(n, id, "", "%s: must not be negative", field)
		return decimal.Zero, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, id, field string) (bool, bool) {
	s, ok := d.str(n, id, field)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	d.add(n, id, "write true or false", "%s: expected a boolean, found %q", field, s)
	return false, false
}

func (d *decoder) exprAt(n *yaml.Node, id, field, src string) *Expr {
	e, err := ParseExpr(src)
	if err != nil {
		off := 0
		msg := err.Error()
		if ee, ok := err.(*ExprError); ok {
			off, msg = ee.Offset, ee.Message
		}
		col := n.Column + off
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			col++
		}
		d.probs = append(d.probs, Problem{File: d.file, Line: n.Line, Col: col, MeasureID: id,
			Message: fmt.Sprintf("%s: bad duty expression %q: %s", field, src, msg),
			Hint:    `examples: "19%", "0.12 EUR/gpu_hour", "5% + 0.02 EUR/gpu_hour", "5% MIN 30.00 EUR/unit"`})
		return nil
	}
	return e
}

// measureFields are the spellings of every measure field, in documentation order.
var measureFields = []string{"id", "kind", "jurisdiction", "direction", "origin", "origin_except",
	"destination", "destination_except", "products", "hs", "buyer", "regions", "buyer_regions", "personal_data",
	"vendor_country", "models", "tpp_min", "tpp_max", "density_min", "rate", "base", "valid_from",
	"valid_to", "stacking_group", "priority", "liability", "recoverable", "quota", "share_max", "cap",
	"action", "flag", "message", "label", "label_zh", "legal", "source", "as_of", "note", "confidence"}

// decodeMeasure sets the fields present in n on m (fields absent are left alone, which is
// how scenario modifications work). It checks syntax only; checkMeasure checks meaning.
func (d *decoder) decodeMeasure(n *yaml.Node, m *Measure) {
	n = resolve(n)
	if m.pos == nil {
		m.pos = map[string]position{}
	}
	if n == nil {
		return
	}
	m.pos[""] = position{d.file, n.Line, n.Column}
	m.file = d.file
	// Find the id first so every problem can name the measure.
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := resolve(n.Content[i+1]); n.Content[i].Value == "id" && v != nil && v.Kind == yaml.ScalarNode {
				m.ID = v.Value
			}
		}
	}
	id := m.ID
	d.fields(n, id, measureFields, func(key string, _, v *yaml.Node) {
		m.pos[key] = position{d.file, v.Line, v.Column}
		strList := func() []string {
			l, nodes, _ := d.list(v, id, key)
			for i, n := range nodes {
				m.pos[key+"["+strconv.Itoa(i)+"]"] = position{d.file, n.Line, n.Column}
			}
			return l
		}
		switch key {
		case "id":
			m.ID, _ = d.str(v, id, key)
		case "kind":
			s, _ := d.str(v, id, key)
			m.Kind = Kind(s)
		case "jurisdiction":
			m.Jurisdiction, _ = d.str(v, id, key)
		case "direction":
			s, _ := d.str(v, id, key)
			m.Direction = Direction(s)
		case "origin":
			m.Origin = strList()
		case "origin_except":
			m.OriginExcept = strList()
		case "destination":
			m.Destination = strList()
		case "destination_except":
			m.DestinationExcept = strList()
		case "products":
			l := strList()
			m.Products = make([]Product, len(l))
			for i, s := range l {
				m.Products[i] = Product(s)
			}
		case "hs":
			m.HS = strList()
		case "buyer":
			l := strList()
			m.Buyer = make([]BuyerType, len(l))
			for i, s := range l {
				m.Buyer[i] = BuyerType(s)
			}
		case "regions":
			m.Regions = strList()
		case "buyer_regions":
			m.BuyerRegions = strList()
		case "personal_data":
			if b, ok := d.boolean(v, id, key); ok {
				m.PersonalData = &b
			}
		case "vendor_country":
			m.VendorCountry = strList()
		case "models":
			m.Models = strList()
		case "tpp_min", "tpp_max", "density_min":
			x, ok := d.dec(v, id, key)
			nd := decimal.NullDecimal{Decimal: x, Valid: ok}
			switch key {
			case "tpp_min":
				m.TPPMin = nd
			case "tpp_max":
				m.TPPMax = nd
			default:
				m.DensityMin = nd
			}
		case "rate":
			if s, ok := d.str(v, id, key); ok {
				m.Rate = d.exprAt(v, id, key, s)
			}
		case "base":
			s, _ := d.str(v, id, key)
			m.Base = Base(s)
		case "valid_from":
			m.ValidFrom, _ = d.date(v, id, key)
		case "valid_to":
			m.ValidTo, _ = d.date(v, id, key)
		case "stacking_group":
			m.StackingGroup, _ = d.str(v, id, key)
		case "priority":
			if s, ok := d.str(v, id, key); ok {
				p, err := strconv.Atoi(s)
				if err != nil || p < 0 {
					d.add(v, id, "priorities are whole numbers ≥ 0; lower wins", "priority: bad value %q", s)
				}
				m.Priority = p
			}
		case "liability":
			m.Liability, _ = d.str(v, id, key)
		case "recoverable":
			if b, ok := d.boolean(v, id, key); ok {
				m.Recoverable = &b
			}
		case "quota":
			m.Quota = d.decodeQuota(v, id)
		case "share_max":
			if s, ok := d.str(v, id, key); ok {
				f, err := parsePercent(s)
				if err != nil {
					d.add(v, id, `write a percentage such as "20%"`, "share_max: %s", err.Message)
				} else if f.IsNegative() || f.GreaterThan(decimal.NewFromInt(1)) {
					d.add(v, id, "", "share_max: must be between 0%% and 100%%")
				} else {
					m.ShareMax = decimal.NullDecimal{Decimal: f, Valid: true}
				}
			}
		case "cap":
			if s, ok := d.str(v, id, key); ok {
				amt, cur, err := parseAmount(s)
				if err != nil {
					d.add(v, id, `write an amount and a currency, e.g. "2000000 CNY"`, "cap: %s", err.Message)
				} else {
					m.CapAmount, m.CapCurrency = decimal.NullDecimal{Decimal: amt, Valid: true}, cur
				}
			}
		case "action":
			s, _ := d.str(v, id, key)
			m.Action = Action(s)
		case "flag":
			m.Flag, _ = d.str(v, id, key)
		case "message":
			m.Message, _ = d.str(v, id, key)
		case "label":
			m.Label, _ = d.str(v, id, key)
		case "label_zh":
			m.LabelZH, _ = d.str(v, id, key)
		case "legal":
			m.Legal = strList()
		case "source":
			m.Source, _ = d.str(v, id, key)
		case "as_of":
			if t, ok := d.date(v, id, key); ok {
				m.AsOf = t.Format(dateLayout)
			}
		case "note":
			m.Note, _ = d.str(v, id, key)
		case "confidence":
			m.Confidence, _ = d.str(v, id, key)
		}
	})
}

func (d *decoder) decodeQuota(n *yaml.Node, id string) *Quota {
	q := &Quota{}
	seen := map[string]bool{}
	d.fields(n, id, []string{"period", "volume", "unit", "in_quota_rate"}, func(key string, _, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "period":
			if s, ok := d.str(v, id, "quota.period"); ok {
				if s != "calendar_year" {
					d.add(v, id, "the only period is calendar_year", "quota.period: unknown period %q", s)
				}
				q.Period = s
			}
		case "volume":
			if x, ok := d.dec(v, id, "quota.volume"); ok {
				if !x.IsPositive() {
					d.add(v, id, "", "quota.volume: must be positive")
				}
				q.Volume = x
			}
		case "unit":
			if s, ok := d.str(v, id, "quota.unit"); ok {
				if s != UnitGPUHour && s != UnitUnit {
					d.add(v, id, "units: gpu_hour, unit", "quota.unit: unknown unit %q", s)
				}
				q.Unit = s
			}
		case "in_quota_rate":
			if s, ok := d.str(v, id, "quota.in_quota_rate"); ok {
				q.InQuotaRate = d.exprAt(v, id, "quota.in_quota_rate", s)
			}
		}
	})
	n = resolve(n)
	if n != nil && n.Kind == yaml.MappingNode {
		for _, k := range []string{"period", "volume", "unit", "in_quota_rate"} {
			if !seen[k] {
				d.add(n, id, "a quota needs period, volume, unit and in_quota_rate", "quota: missing %s", k)
			}
		}
	}
	return q
}

// decodeAreas reads the areas mapping: id → {title, members: [DE, {country: HR, valid_from: …}]}.
func (d *decoder) decodeAreas(n *yaml.Node) map[string]Area {
	areas := map[string]Area{}
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil {
			d.add(n, "", "", "areas: expected a mapping of area id to {members: [...]}, found %s", kindName(n))
		}
		return areas
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		id := k.Value
		if _, dup := areas[id]; dup {
			d.add(k, "", "", "duplicate area %q", id)
			continue
		}
		if len(id) < 3 || strings.ToUpper(id) != id || strings.ContainsAny(id, " *") {
			d.add(k, "", "area ids are upper case, at least 3 characters (e.g. EU27), so they never collide with country codes", "bad area id %q", id)
		}
		a := Area{ID: id}
		d.fields(v, "", []string{"title", "members"}, func(key string, _, fv *yaml.Node) {
			switch key {
			case "title":
				a.Title, _ = d.str(fv, "", "title")
			case "members":
				if fv.Kind != yaml.SequenceNode {
					d.add(fv, "", "", "members: expected a list, found %s", kindName(fv))
					return
				}
				for _, mn := range fv.Content {
					mn = resolve(mn)
					if mn == nil {
						continue
					}
					var ms Membership
					mpos := mn
					if mn.Kind == yaml.ScalarNode {
						ms.Country = mn.Value
					} else {
						d.fields(mn, "", []string{"country", "valid_from", "valid_to"}, func(key string, _, x *yaml.Node) {
							switch key {
							case "country":
								ms.Country, _ = d.str(x, "", "country")
								mpos = x
							case "valid_from":
								ms.ValidFrom, _ = d.date(x, "", "valid_from")
							case "valid_to":
								ms.ValidTo, _ = d.date(x, "", "valid_to")
							}
						})
					}
					if !isoCountries[ms.Country] {
						d.add(mpos, "", "use ISO 3166-1 alpha-2 codes (GR for Greece, GB for the UK)", "area %s: unknown country %q", id, ms.Country)
					}
					if !ms.ValidFrom.IsZero() && !ms.ValidTo.IsZero() && ms.ValidTo.Before(ms.ValidFrom) {
						d.add(mpos, "", "", "area %s: membership of %s ends before it starts", id, ms.Country)
					}
					a.Members = append(a.Members, ms)
				}
			}
		})
		areas[id] = a
	}
	return areas
}

// parseRoot unmarshals data into a document node, turning syntax errors (and any panic of the
// YAML library on hostile input) into a problem.
func parseRoot(name string, data []byte) (root *yaml.Node, probs Problems) {
	defer func() {
		if r := recover(); r != nil {
			root, probs = nil, Problems{{File: name, Line: 1, Col: 1, Message: fmt.Sprintf("syntax error: %v", r)}}
		}
	}()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: name, Line: 1, Col: 1, Message: "empty document", Hint: "start with format: " + FormatPolicy}}
		}
		return nil, Problems{syntaxProblem(name, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Problems{{File: name, Line: extra.Line, Col: extra.Column, Message: "a second YAML document in the file",
			Hint: "one policy or scenario per file; remove the --- separator"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, Problems{syntaxProblem(name, err)}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, Problems{{File: name, Line: 1, Col: 1, Message: "empty document", Hint: "start with format: " + FormatPolicy}}
	}
	root = resolve(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, Problems{{File: name, Line: doc.Content[0].Line, Col: doc.Content[0].Column,
			Message: "a document is a mapping with format, id, …", Hint: "start with format: " + FormatPolicy}}
	}
	return root, nil
}

// formatOf returns the document's format field, if any.
func formatOf(root *yaml.Node) (string, *yaml.Node) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "format" {
			v := resolve(root.Content[i+1])
			if v != nil {
				return v.Value, v
			}
		}
	}
	return "", nil
}

func hashOf(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

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
	root, probs := parseRoot(name, data)
	if probs != nil {
		return probs
	}
	if f, _ := formatOf(root); f == FormatScenario {
		_, probs = parseScenario(name, data)
	} else {
		_, probs = parsePolicy(name, data)
	}
	return probs
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

// checkMeasure checks the meaning of one decoded measure, applies defaults and reports
// problems. With lenientAreas, names that are not countries are assumed to be areas of a base
// policy not at hand.
func checkMeasure(d *decoder, m *Measure, areas map[string]Area, lenientAreas bool) {
	id := m.ID
	errAt := func(field, hint, format string, args ...any) {
		d.addAt(m.at(field), id, hint, format, args...)
	}
	if id == "" {
		errAt("id", "every measure needs a unique id, e.g. vat-de-b2b", "missing id")
	} else if strings.ContainsAny(id, " \t\n,") {
		errAt("id", "ids are written without spaces or commas", "bad id %q", id)
	}
	if m.Kind == "" {
		errAt("kind", "kinds: "+strings.Join(kindNames(), ", "), "missing kind")
	} else if !validKind(m.Kind) {
		hint := "kinds: " + strings.Join(kindNames(), ", ")
		if c := closest(string(m.Kind), kindNames()); c != "" {
			hint = "did you mean " + strconv.Quote(c) + "?"
		}
		errAt("kind", hint, "unknown kind %q", m.Kind)
	}
	place := func(code string) bool {
		if isoCountries[code] {
			return true
		}
		if _, ok := areas[code]; ok {
			return true
		}
		return lenientAreas && len(code) > 2
	}
	switch {
	case m.Jurisdiction == "":
		errAt("jurisdiction", "who levies it: a country (DE, CN), EU, or an area", "missing jurisdiction")
	case m.Jurisdiction != "EU" && !place(m.Jurisdiction):
		errAt("jurisdiction", "use an ISO 3166-1 alpha-2 code, EU, or an area defined under areas", "unknown jurisdiction %q", m.Jurisdiction)
	}
	switch m.Direction {
	case "":
		m.Direction = DirectionImport
	case DirectionImport, DirectionExport, DirectionBoth:
	default:
		errAt("direction", "directions: import, export, both", "unknown direction %q", m.Direction)
	}
	checkPlaces := func(field string, list []string, star bool) {
		for i, c := range list {
			if c == "*" && star {
				continue
			}
			if !place(c) {
				hint := "use ISO 3166-1 alpha-2 codes, \"*\" for all, or an area defined under areas"
				switch c {
				case "EU":
					hint = "EU is a jurisdiction; for its member states name the area, e.g. [EU27]"
				case "UK":
					hint = `the ISO code of the United Kingdom is "GB"`
				case "EL":
					hint = `the ISO code of Greece is "GR" (EL is its VAT prefix)`
				}
				errAt(field+"["+strconv.Itoa(i)+"]", hint, "%s: unknown country or area %q", field, c)
			}
		}
	}
	checkPlaces("origin", m.Origin, true)
	checkPlaces("origin_except", m.OriginExcept, false)
	checkPlaces("destination", m.Destination, true)
	checkPlaces("destination_except", m.DestinationExcept, false)
	isCountry := isoCountries[m.Jurisdiction]
	if len(m.Destination) == 0 {
		if m.Direction == DirectionImport && isCountry {
			m.Destination = []string{m.Jurisdiction}
		} else if m.Direction == DirectionImport && m.Jurisdiction == "EU" {
			errAt("", "EU import measures name their destination, e.g. destination: [EU27]", "missing destination")
		} else {
			m.Destination = []string{"*"}
		}
	}
	if len(m.Origin) == 0 {
		if m.Direction == DirectionExport && isCountry {
			m.Origin = []string{m.Jurisdiction}
		} else {
			m.Origin = []string{"*"}
		}
	}
	for i, p := range m.Products {
		if p != ProductGPUHours && p != ProductBareMetal && p != ProductHardware {
			errAt("products["+strconv.Itoa(i)+"]", "products: gpu_hours, bare_metal, hardware", "unknown product %q", p)
		}
	}
	hs := make([]string, len(m.HS))
	for i, h := range m.HS {
		n := normalizeHS(h)
		if n == "" || len(n) < 2 || len(n) > 10 || len(n)%2 != 0 {
			errAt("hs["+strconv.Itoa(i)+"]", `HS codes are 2 to 10 digits, dots allowed: "8471", "8471.50", "8471.50.00"`, "bad HS code %q", h)
		}
		hs[i] = n
	}
	m.HS = hs
	if len(m.HS) > 0 {
		if len(m.Products) == 0 {
			m.Products = []Product{ProductHardware}
		}
		for _, p := range m.Products {
			if p != ProductHardware {
				errAt("hs", "HS codes classify goods; drop hs or list only hardware", "hs given with product %q", p)
			}
		}
	}
	for i, b := range m.Buyer {
		if b != BuyerBusiness && b != BuyerConsumer {
			errAt("buyer["+strconv.Itoa(i)+"]", "buyers: business, consumer", "unknown buyer type %q", b)
		}
	}
	for i, c := range m.VendorCountry {
		if !isoCountries[c] {
			errAt("vendor_country["+strconv.Itoa(i)+"]", "use ISO 3166-1 alpha-2 codes", "vendor_country: unknown country %q", c)
		}
	}
	if m.TPPMin.Valid && m.TPPMax.Valid && m.TPPMax.Decimal.LessThan(m.TPPMin.Decimal) {
		errAt("tpp_max", "", "tpp_max %s is below tpp_min %s: the measure can never apply", m.TPPMax.Decimal, m.TPPMin.Decimal)
	}
	if !m.ValidFrom.IsZero() && !m.ValidTo.IsZero() && m.ValidTo.Before(m.ValidFrom) {
		errAt("valid_to", "valid_to is inclusive and must not be before valid_from", "valid_to %s is before valid_from %s",
			m.ValidTo.Format(dateLayout), m.ValidFrom.Format(dateLayout))
	}
	if len(m.Legal) == 0 {
		errAt("", `cite the legal act, or write legal: ["hypothetical"] for a what-if`, "missing legal reference")
	}
	switch m.Confidence {
	case "", "sourced", "estimate", "illustrative":
	default:
		errAt("confidence", "confidence: sourced, estimate, illustrative", "unknown confidence %q", m.Confidence)
	}
	if m.Liability != "" {
		if m.Kind != KindVAT {
			errAt("liability", "liability is a VAT field", "liability on a %s measure", m.Kind)
		} else if m.Liability != "supplier" && m.Liability != "buyer" {
			errAt("liability", "liability: supplier (default) or buyer (reverse charge)", "unknown liability %q", m.Liability)
		}
	}
	// Kind-specific fields.
	switch m.Kind {
	case KindGate:
		switch m.Action {
		case "":
			errAt("", "gates say what to do: action: warn | license_required | block", "missing action")
		case ActionWarn, ActionLicenseRequired, ActionBlock:
		default:
			errAt("action", "actions: warn, license_required, block", "unknown action %q", m.Action)
		}
		for _, f := range []string{"rate", "base", "quota", "share_max", "cap"} {
			if _, ok := m.pos[f]; ok {
				errAt(f, "gates set flags, never prices", "%s on a gate", f)
			}
		}
		if m.Flag == "" {
			m.Flag = "gate." + m.ID
		}
	case KindSubsidy:
		if !m.ShareMax.Valid {
			if _, ok := m.pos["share_max"]; !ok {
				errAt("", `subsidies say how much of the contract they cover: share_max: "20%"`, "missing share_max")
			}
		}
		if _, ok := m.pos["rate"]; ok {
			errAt("rate", "subsidies use share_max and cap, not rate", "rate on a subsidy")
		}
		if m.Base == "" {
			m.Base = BaseContractAmount
		}
		if m.Quota != nil {
			errAt("quota", "", "quota on a subsidy")
		}
	case "":
	default:
		if m.Rate == nil {
			if _, ok := m.pos["rate"]; !ok {
				errAt("", `priced measures need a duty expression, e.g. rate: "19%"`, "missing rate")
			}
		}
		for _, f := range []string{"share_max", "cap"} {
			if _, ok := m.pos[f]; ok {
				errAt(f, "share_max and cap belong to subsidies", "%s on a %s measure", f, m.Kind)
			}
		}
	}
	if m.Kind != KindGate {
		for _, f := range []string{"action", "flag", "message"} {
			if _, ok := m.pos[f]; ok {
				errAt(f, "action, flag and message belong to gates", "%s on a %s measure", f, m.Kind)
			}
		}
		switch m.Base {
		case BaseNetPrice, BaseCustomsValue, BaseValuePlusDuties, BaseGrossPayment, BaseTaxAmount, BaseContractAmount:
		case "":
			if m.Kind != "" {
				errAt("", "bases: net_price, customs_value, value_plus_duties, gross_payment, tax_amount, contract_amount", "missing base")
			}
		default:
			errAt("base", "bases: net_price, customs_value, value_plus_duties, gross_payment, tax_amount, contract_amount", "unknown base %q", m.Base)
		}
	}
	m.fmt = m.formatLists()
	if m.Rate != nil && m.Rate.HasSpecific() {
		for _, t := range m.Rate.all() {
			if !t.AdValorem && t.Unit == UnitUnit {
				for _, p := range m.Products {
					if p != ProductHardware {
						errAt("rate", "per-unit amounts apply to hardware; use gpu_hour for services", "rate per unit on product %q", p)
					}
				}
			}
		}
	}
}

// normalizeHS keeps the digits of an HS code; "" when anything else is in it.
func normalizeHS(h string) string {
	var b strings.Builder
	for _, r := range h {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == ' ':
		default:
			return ""
		}
	}
	return b.String()
}

// checkPolicy checks what concerns several measures: unique ids and conflicts.
func checkPolicy(d *decoder, p *Policy) {
	ids := map[string]int{}
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.ID == "" {
			continue
		}
		if j, dup := ids[m.ID]; dup {
			first := p.Measures[j].at("id")
			d.addAt(m.at("id"), m.ID, fmt.Sprintf("ids must be unique; first defined at %s:%d:%d", first.file, first.line, first.col),
				"duplicate measure id %q", m.ID)
			continue
		}
		ids[m.ID] = i
	}
	checkConflicts(d, p)
}

// conflictKey groups measures that compete with each other (see competitionKey), ignoring
// measures that could only be told apart by amount (customs duty alternatives).
func checkConflicts(d *decoder, p *Policy) {
	groups := map[string][]int{}
	var keys []string
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.SuspendedBy != "" || m.Kind == KindCustomsDuty || !validKind(m.Kind) {
			continue
		}
		k := competitionKey(m)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	sort.Strings(keys)
	for _, k := range keys {
		idx := groups[k]
		for a := 0; a < len(idx); a++ {
			for b := a + 1; b < len(idx); b++ {
				m1, m2 := &p.Measures[idx[a]], &p.Measures[idx[b]]
				if m1.Priority != m2.Priority || staticSpecificity(m1, p.Areas) != staticSpecificity(m2, p.Areas) {
					continue
				}
				if !mayOverlap(m1, m2, p.Areas) {
					continue
				}
				first := m1.at("id")
				d.addAt(m2.at("id"), m2.ID,
					fmt.Sprintf("give one a different priority (lower wins), make one more specific, or make their dates, buyers, products or places disjoint; the other is at %s:%d:%d", first.file, first.line, first.col),
					"conflicts with %s: same kind, jurisdiction and group, same specificity and priority, and they can apply to the same supply on the same day", m1.ID)
			}
		}
	}
}
