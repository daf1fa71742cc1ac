package tariff

// Conflicts: two measures that compete (same competition set, see competitionKey) with the
// same specificity and priority and that could apply to one supply on one day can never be
// decided, and are validation errors. The check works on the measures' conditions alone,
// with area memberships expanded over all dates.

import (
	"fmt"
	"sort"
	"strings"
)

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

// checkConflicts reports every pair of measures of p that conflict.
func checkConflicts(d *decoder, p *Policy) { conflictsAmong(d, p, -1) }

// checkConflictsOf reports the conflicts of measure only with the others (after it alone was
// changed, the other pairs are as they were).
func checkConflictsOf(d *decoder, p *Policy, only int) { conflictsAmong(d, p, only) }

// conflictsAmong groups the measures that compete (see competitionKey), leaving out customs
// duties (alternatives decided by amount) and suspended measures, and reports the pairs of a
// group that conflict: all of them, or (only ≥ 0) those with measure only.
func conflictsAmong(d *decoder, p *Policy, only int) {
	groups := map[string][]int{}
	var keys []string
	onlyKey := ""
	if only >= 0 {
		onlyKey = competitionKey(&p.Measures[only])
	}
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.SuspendedBy != "" || m.Kind == KindCustomsDuty || !validKind(m.Kind) {
			continue
		}
		k := competitionKey(m)
		if only >= 0 && k != onlyKey {
			continue
		}
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
				if only >= 0 && idx[a] != only && idx[b] != only {
					continue
				}
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

func placeLevel(list []string, areas map[string]Area) int {
	lvl := 2
	for _, c := range list {
		l := 2
		if c == "*" {
			l = 0
		} else if _, ok := areas[c]; ok {
			l = 1
		}
		lvl = min(lvl, l)
	}
	return lvl
}

// staticSpecificity is the specificity a measure has for any supply it matches, taking the
// least specific entry of each list (used by the conflict check).
func staticSpecificity(m *Measure, areas map[string]Area) specificity {
	s := specificity{origin: placeLevel(m.Origin, areas), dest: placeLevel(m.Destination, areas)}
	if len(m.HS) > 0 {
		s.hs = 99
		for _, h := range m.HS {
			s.hs = min(s.hs, len(h))
		}
	}
	return s
}

// placeSet is a set of countries: all countries (minus), or exactly set (minus).
type placeSet struct {
	all   bool
	set   map[string]bool
	minus map[string]bool
}

func expand(list, except []string, areas map[string]Area) placeSet {
	ps := placeSet{set: map[string]bool{}, minus: map[string]bool{}}
	add := func(dst map[string]bool, c string) {
		if a, ok := areas[c]; ok {
			for _, m := range a.Members {
				dst[m.Country] = true
			}
			return
		}
		dst[c] = true
	}
	for _, c := range list {
		if c == "*" {
			ps.all = true
			continue
		}
		add(ps.set, c)
	}
	for _, c := range except {
		add(ps.minus, c)
	}
	return ps
}

func (ps placeSet) has(c string) bool {
	return (ps.all || ps.set[c]) && !ps.minus[c]
}

func (a placeSet) intersects(b placeSet) bool {
	switch {
	case a.all && b.all:
		return true // ignoring the unlikely case of exclusions covering every country
	case a.all:
		a, b = b, a
	}
	for c := range a.set {
		if !a.minus[c] && b.has(c) {
			return true
		}
	}
	return false
}

func intersectsStr(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// mayOverlap reports whether two measures could both match one supply on one day.
func mayOverlap(a, b *Measure, areas map[string]Area) bool {
	if !datesOverlap(a, b) || !intersectsStr(productsOf(a), productsOf(b)) || !intersectsStr(buyersOf(a), buyersOf(b)) {
		return false
	}
	if len(a.HS) > 0 && len(b.HS) > 0 {
		hit := false
		for _, x := range a.HS {
			for _, y := range b.HS {
				if strings.HasPrefix(x, y) || strings.HasPrefix(y, x) {
					hit = true
				}
			}
		}
		if !hit {
			return false
		}
	}
	if a.PersonalData != nil && b.PersonalData != nil && *a.PersonalData != *b.PersonalData {
		return false
	}
	if !intersectsStr(a.VendorCountry, b.VendorCountry) || !intersectsStr(a.Models, b.Models) {
		return false
	}
	if !regionsOverlap(a.Regions, b.Regions) || !regionsOverlap(a.BuyerRegions, b.BuyerRegions) {
		return false
	}
	if !intersectsStr(a.FabCountry, b.FabCountry) || !intersectsStr(classesOf(a), classesOf(b)) ||
		!intersectsStr(purposesOf(a), purposesOf(b)) {
		return false
	}
	oa, ob := expand(a.Origin, a.OriginExcept, areas), expand(b.Origin, b.OriginExcept, areas)
	da, db := expand(a.Destination, a.DestinationExcept, areas), expand(b.Destination, b.DestinationExcept, areas)
	if !oa.intersects(ob) || !da.intersects(db) {
		return false
	}
	// The supplier and the buyer's headquarters are compared as single countries (a supplier
	// with several establishments may match two measures these call disjoint; competition then
	// decides by specificity, priority and document order). Lists (listed) may always overlap.
	if len(a.BuyerHeadquarters) > 0 && len(b.BuyerHeadquarters) > 0 &&
		!expand(a.BuyerHeadquarters, nil, areas).intersects(expand(b.BuyerHeadquarters, nil, areas)) {
		return false
	}
	return supplierSet(a, areas).intersects(supplierSet(b, areas))
}

// supplierSet is the set of supplier countries a measure accepts.
func supplierSet(m *Measure, areas map[string]Area) placeSet {
	list := m.Supplier
	if len(list) == 0 {
		list = []string{"*"}
	}
	return expand(list, m.SupplierExcept, areas)
}

func regionsOverlap(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if regionMatch(x, y) || regionMatch(y, x) {
				return true
			}
		}
	}
	return false
}

func datesOverlap(a, b *Measure) bool {
	// [aFrom, aTo] ∩ [bFrom, bTo] ≠ ∅, zero = open.
	if !a.ValidTo.IsZero() && !b.ValidFrom.IsZero() && a.ValidTo.Before(b.ValidFrom) {
		return false
	}
	if !b.ValidTo.IsZero() && !a.ValidFrom.IsZero() && b.ValidTo.Before(a.ValidFrom) {
		return false
	}
	return true
}
