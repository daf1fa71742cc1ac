package tariff

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"
)

// competitionKey names the set of measures a measure competes with: exclusive kinds (VAT,
// withholding, customs duty) compete within their kind and jurisdiction (and stacking group);
// other kinds stack unless they share a stacking group.
func competitionKey(m *Measure) string {
	if m.Kind.exclusive() || m.StackingGroup != "" {
		return string(m.Kind) + "|" + m.Jurisdiction + "|" + m.StackingGroup
	}
	return "id|" + m.ID
}

// specificity ranks how precisely a measure names a supply: longer HS prefix first, then origin
// (country 2, area 1, "*" 0), then destination.
type specificity struct {
	hs, origin, dest int
}

func (a specificity) cmp(b specificity) int {
	switch {
	case a.hs != b.hs:
		return a.hs - b.hs
	case a.origin != b.origin:
		return a.origin - b.origin
	default:
		return a.dest - b.dest
	}
}

func (a specificity) explain(b specificity) string {
	lv := []string{"*", "area", "country"}
	switch {
	case a.hs != b.hs:
		return fmt.Sprintf("HS %d digits over %d", a.hs, b.hs)
	case a.origin != b.origin:
		return fmt.Sprintf("origin: %s over %s", lv[a.origin], lv[b.origin])
	default:
		return fmt.Sprintf("destination: %s over %s", lv[a.dest], lv[b.dest])
	}
}

func purposesOf(m *Measure) []string {
	ps := make([]string, len(m.Purposes))
	for i, p := range m.Purposes {
		ps[i] = string(p)
	}
	return ps
}

func classesOf(m *Measure) []string {
	cs := make([]string, len(m.ExportClass))
	for i, c := range m.ExportClass {
		cs[i] = string(c)
	}
	return cs
}

func productsOf(m *Measure) []string {
	ps := make([]string, len(m.Products))
	for i, p := range m.Products {
		ps[i] = string(p)
	}
	return ps
}

func buyersOf(m *Measure) []string {
	bs := make([]string, len(m.Buyer))
	for i, b := range m.Buyer {
		bs[i] = string(b)
	}
	return bs
}

// regionMatch reports whether region code r is named by pattern: equal, or pattern followed
// by "-" ("cn-beijing" names "cn-beijing-3").
func regionMatch(pattern, r string) bool {
	return r == pattern || strings.HasPrefix(r, pattern+"-")
}

func dateRange(m *Measure) string {
	f, t := "", ""
	if !m.ValidFrom.IsZero() {
		f = m.ValidFrom.Format(dateLayout)
	}
	if !m.ValidTo.IsZero() {
		t = m.ValidTo.Format(dateLayout)
	}
	return f + ".." + t
}

func list(xs []string) string { return "[" + strings.Join(xs, " ") + "]" }

// measureLists holds a measure's condition lists formatted for trail reasons, computed once
// when the measure is checked (measures are immutable afterwards).
type measureLists struct {
	dates, products, hs, origin, originExcept, destination, destinationExcept, buyer string
	supplier, supplierExcept, buyerHQ                                                string
}

func (m *Measure) lists() *measureLists {
	if m.fmt != nil {
		return m.fmt
	}
	return m.formatLists()
}

func (m *Measure) formatLists() *measureLists {
	return &measureLists{dates: dateRange(m), products: list(productsOf(m)), hs: list(m.HS),
		origin: list(m.Origin), originExcept: list(m.OriginExcept), destination: list(m.Destination),
		destinationExcept: list(m.DestinationExcept), buyer: list(buyersOf(m)),
		supplier: list(m.Supplier), supplierExcept: list(m.SupplierExcept), buyerHQ: list(m.BuyerHeadquarters)}
}

// supplierPlaces are the countries a supplier is established in: its seat (the hosting
// country when not given) and its declared fixed establishments.
func supplierPlaces(s *Supply) []string {
	if len(s.SupplierEstablishments) == 0 {
		return []string{s.supplierCountry()}
	}
	return append([]string{s.supplierCountry()}, s.SupplierEstablishments...)
}

// matcher is the state of matching one supply against a compiled policy: the supply, its
// day, and the reason tables of its origin, destination and day (fetched when first needed).
type matcher struct {
	c      *compiled
	p      *Policy
	s      *Supply
	dk     int64 // the day as a dayKey
	day    time.Time
	hs     string // the supply's HS code normalized, once needed
	hsDone bool
	orig   *placeReasons
	dest   *placeReasons
	dates  []string
}

// match decides whether measure i applies to the supply; when not, reason says why. The
// conditions are checked in the order of the language reference, and the first that fails
// is the reason.
func (x *matcher) match(i int) (bool, string, specificity) {
	var sp specificity
	m, cm, s := &x.p.Measures[i], &x.c.ms[i], x.s
	if m.SuspendedBy != "" {
		return false, cm.suspended, sp
	}
	if cm.from > x.dk || cm.to < x.dk {
		if x.dates == nil {
			x.dates = x.c.dayReasons(x.p, x.dk, x.day)
		}
		return false, x.dates[i], sp
	}
	if len(m.Products) > 0 {
		if b := productBit(s.Product); b != 0 {
			if cm.products&b == 0 {
				return false, cm.productWhy[bits.TrailingZeros8(b)], sp
			}
		} else if !slices.Contains(m.Products, s.Product) {
			return false, "product " + string(s.Product) + " not in " + m.lists().products, sp
		}
	}
	if len(m.HS) > 0 {
		if !x.hsDone {
			x.hs, _ = NormalizeHSCode(s.HSCode)
			x.hsDone = true
		}
		for _, h := range m.HS {
			if x.hs != "" && strings.HasPrefix(x.hs, h) && len(h) > sp.hs {
				sp.hs = len(h)
			}
		}
		if sp.hs == 0 {
			return false, "HS " + strconv.Quote(s.HSCode) + " not under " + m.lists().hs, sp
		}
	}
	if sp.origin = cm.origin.level(s.Origin, x.dk); sp.origin < 0 {
		if r := x.origin(); r != nil {
			return false, r.notIn[i], sp
		}
		return false, "origin " + s.Origin + " not in " + m.lists().origin, sp
	}
	if cm.originExcept.level(s.Origin, x.dk) >= 0 {
		if r := x.origin(); r != nil {
			return false, r.excluded[i], sp
		}
		return false, "origin " + s.Origin + " excluded by " + m.lists().originExcept, sp
	}
	if sp.dest = cm.dest.level(s.Destination, x.dk); sp.dest < 0 {
		if r := x.destination(); r != nil {
			return false, r.notIn[i], sp
		}
		return false, "destination " + s.Destination + " not in " + m.lists().destination, sp
	}
	if cm.destExcept.level(s.Destination, x.dk) >= 0 {
		if r := x.destination(); r != nil {
			return false, r.excluded[i], sp
		}
		return false, "destination " + s.Destination + " excluded by " + m.lists().destinationExcept, sp
	}
	if len(m.Supplier) > 0 || len(m.SupplierExcept) > 0 {
		places := supplierPlaces(s)
		if len(m.Supplier) > 0 {
			best := -1
			for _, c := range places {
				best = max(best, cm.supplier.level(c, x.dk))
			}
			if best < 0 {
				return false, "supplier established in " + list(places) + " not in " + m.lists().supplier, sp
			}
		}
		for _, c := range places {
			if cm.supplierExcept.level(c, x.dk) >= 0 {
				return false, "supplier established in " + list(places) + " excluded by " + m.lists().supplierExcept, sp
			}
		}
	}
	if len(m.BuyerHeadquarters) > 0 && cm.buyerHQ.level(s.buyerHQ(), x.dk) < 0 {
		return false, "buyer headquarters " + s.buyerHQ() + " not in " + m.lists().buyerHQ, sp
	}
	if len(m.Buyer) > 0 {
		if b := buyerBit(s.BuyerType); b != 0 {
			if cm.buyers&b == 0 {
				return false, cm.buyerWhy[bits.TrailingZeros8(b)], sp
			}
		} else if !slices.Contains(m.Buyer, s.BuyerType) {
			return false, "buyer " + string(s.BuyerType) + " not in " + m.lists().buyer, sp
		}
	}
	if len(m.Regions) > 0 {
		ok := false
		for _, r := range m.Regions {
			ok = ok || regionMatch(r, s.Region)
		}
		if !ok {
			return false, fmt.Sprintf("region %q not in %s", s.Region, list(m.Regions)), sp
		}
	}
	if len(m.BuyerRegions) > 0 {
		ok := false
		for _, r := range m.BuyerRegions {
			ok = ok || regionMatch(r, s.BuyerRegion)
		}
		if !ok {
			return false, fmt.Sprintf("buyer region %q not in %s", s.BuyerRegion, list(m.BuyerRegions)), sp
		}
	}
	if m.PersonalData != nil && *m.PersonalData != s.PersonalData {
		if s.PersonalData {
			return false, "personal data declared; the measure is for supplies without", sp
		}
		return false, "no personal data declared", sp
	}
	if len(m.Purposes) > 0 && !slices.Contains(m.Purposes, s.Purpose) {
		if s.Purpose == "" {
			return false, "no purpose declared; the measure is for " + list(purposesOf(m)), sp
		}
		return false, "purpose " + string(s.Purpose) + " not in " + list(purposesOf(m)), sp
	}
	if len(m.Listed) > 0 {
		ok := false
		for _, l := range m.Listed {
			ok = ok || slices.Contains(s.Listings, l)
		}
		if !ok {
			return false, "not on any of the lists " + list(m.Listed), sp
		}
	}
	acc := &s.Accelerator
	if len(m.VendorCountry) > 0 {
		ok := false
		for _, c := range m.VendorCountry {
			ok = ok || c == acc.VendorCountry
		}
		if !ok {
			return false, fmt.Sprintf("accelerator vendor country %q not in %s", acc.VendorCountry, list(m.VendorCountry)), sp
		}
	}
	if len(m.Models) > 0 {
		ok := false
		for _, c := range m.Models {
			ok = ok || strings.EqualFold(c, acc.Model)
		}
		if !ok {
			return false, fmt.Sprintf("accelerator model %q not in %s", acc.Model, list(m.Models)), sp
		}
	}
	if len(m.FabCountry) > 0 && !slices.Contains(m.FabCountry, acc.FabCountry) {
		return false, fmt.Sprintf("accelerator fab country %q not in %s", acc.FabCountry, list(m.FabCountry)), sp
	}
	if len(m.ExportClass) > 0 {
		if class := ClassifyAccelerator(*acc); !slices.Contains(m.ExportClass, class) {
			if class == "" {
				return false, "no accelerator named; the measure is for export class " + list(classesOf(m)), sp
			}
			return false, "export class " + string(class) + " not in " + list(classesOf(m)), sp
		}
	}
	if m.TPPMin.Valid && acc.TPP.LessThan(m.TPPMin.Decimal) {
		return false, fmt.Sprintf("TPP %s below %s", acc.TPP, m.TPPMin.Decimal), sp
	}
	if m.TPPMax.Valid && acc.TPP.GreaterThan(m.TPPMax.Decimal) {
		return false, fmt.Sprintf("TPP %s above %s", acc.TPP, m.TPPMax.Decimal), sp
	}
	if m.DensityMin.Valid && acc.Density.LessThan(m.DensityMin.Decimal) {
		return false, fmt.Sprintf("performance density %s below %s (unknown counts as 0)", acc.Density, m.DensityMin.Decimal), sp
	}
	return true, "applied", sp
}

// origin returns the reason table of the supply's origin; nil if it is not an ISO country
// (no table is kept for those).
func (x *matcher) origin() *placeReasons {
	if x.orig == nil && isoCountries[x.s.Origin] {
		x.orig = x.c.placeReasons(x.p, x.s.Origin, "origin ")
	}
	return x.orig
}

// destination is origin for the destination.
func (x *matcher) destination() *placeReasons {
	if x.dest == nil && isoCountries[x.s.Destination] {
		x.dest = x.c.placeReasons(x.p, x.s.Destination, "destination ")
	}
	return x.dest
}
