package tariff

// Decoding: policy and scenario documents are read as yaml.v3 node trees and walked strictly,
// so that every problem keeps the line and column it was found at. Decoding checks syntax and
// types only; check.go checks meaning and fills defaults.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
		var ee *ExprError
		if errors.As(err, &ee) {
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
	"destination", "destination_except", "supplier", "supplier_except", "products", "hs", "buyer",
	"buyer_headquarters", "regions", "buyer_regions", "purposes", "listed", "personal_data",
	"vendor_country", "models", "tpp_min", "tpp_max", "density_min", "fab_country", "export_class",
	"rate", "base", "valid_from", "valid_to", "stacking_group", "priority", "liability", "recoverable",
	"quota", "share_max", "cap", "action", "flag", "message", "label", "label_zh", "legal", "source",
	"as_of", "note", "confidence"}

// typed converts a decoded list of strings to a list of a string type (kinds of values the
// checker then validates).
func typed[T ~string](l []string) []T {
	out := make([]T, len(l))
	for i, s := range l {
		out[i] = T(s)
	}
	return out
}

// rateUnknown is how a measure says it applies but no rate is known for its dates.
const rateUnknown = "unknown"

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
		case "supplier":
			m.Supplier = strList()
		case "supplier_except":
			m.SupplierExcept = strList()
		case "buyer_headquarters":
			m.BuyerHeadquarters = strList()
		case "purposes":
			m.Purposes = typed[Purpose](strList())
		case "listed":
			m.Listed = strList()
		case "fab_country":
			m.FabCountry = strList()
		case "export_class":
			m.ExportClass = typed[ExportClass](strList())
		case "products":
			m.Products = typed[Product](strList())
		case "hs":
			m.HS = strList()
		case "buyer":
			m.Buyer = typed[BuyerType](strList())
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
				m.Rate, m.RateUnknown = nil, s == rateUnknown
				if !m.RateUnknown {
					m.Rate = d.exprAt(v, id, key, s)
				}
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
