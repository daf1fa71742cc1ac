package tariff

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
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
	c         *compiled
	p         *Policy
	s         *Supply
	dk        int64 // the day as a dayKey
	day       time.Time
	hs        string // the supply's HS code normalized, once needed
	hsDone    bool
	orig      *placeReasons
	dest      *placeReasons
	dates     []string    // the day's reasons by date class
	origIn    areaSet     // the areas the origin is a member of on the day, once needed
	destIn    areaSet     // the same for the destination
	inDone    [2]bool     // origIn, destIn are set
	class     ExportClass // the accelerator's class, once needed
	classDone bool
}

// The conditions of a measure are checked in the order of the language reference, and the
// first that fails is the reason the measure does not apply. first checks those that read
// the supply's route (routeKey), rest the others.

// How a measure fares in the checks first runs (route.why): it passes them (a candidate), or
// which check fails, so that the reason can be found again in the policy's tables (whyOther:
// a reason made for the route, kept in route.extra).
const (
	whyCandidate uint8 = iota
	whySuspended
	whyDate
	whyProduct
	whyOriginNotIn
	whyOriginExcluded
	whyDestNotIn
	whyDestExcluded
	whyOther
)

// first runs the checks of measure i that read the supply's route: its suspension, dates,
// products, HS codes, origin and destination. why is whyCandidate if they all pass (then sp
// is the measure's specificity); otherwise which check fails, and reason says why.
func (x *matcher) first(i int) (why uint8, reason string, sp specificity) {
	m, cm, s := &x.p.Measures[i], x.c.ms[i], x.s
	if m.SuspendedBy != "" {
		return whySuspended, cm.suspended, sp
	}
	if cm.from > x.dk || cm.to < x.dk {
		if x.dates == nil {
			x.dates = x.c.dayReasons(x.dk, x.day)
		}
		return whyDate, x.dates[cm.dateClass], sp
	}
	if len(m.Products) > 0 {
		if b := productBit(s.Product); b != 0 {
			if cm.products&b == 0 {
				return whyProduct, cm.productWhy[bits.TrailingZeros8(b)], sp
			}
		} else if !slices.Contains(m.Products, s.Product) {
			return whyOther, "product " + string(s.Product) + " not in " + m.lists().products, sp
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
			return whyOther, "HS " + strconv.Quote(s.HSCode) + " not under " + m.lists().hs, sp
		}
	}
	if sp.origin = cm.origin.level(s.Origin, x.areasOf(s.Origin, nil)); sp.origin < 0 {
		if r := x.origin(); r != nil {
			return whyOriginNotIn, r.notIn[i], sp
		}
		return whyOther, "origin " + s.Origin + " not in " + m.lists().origin, sp
	}
	if cm.originExcept.level(s.Origin, x.areasOf(s.Origin, nil)) >= 0 {
		if r := x.origin(); r != nil {
			return whyOriginExcluded, r.excluded[i], sp
		}
		return whyOther, "origin " + s.Origin + " excluded by " + m.lists().originExcept, sp
	}
	if sp.dest = cm.dest.level(s.Destination, x.areasOf(s.Destination, nil)); sp.dest < 0 {
		if r := x.destination(); r != nil {
			return whyDestNotIn, r.notIn[i], sp
		}
		return whyOther, "destination " + s.Destination + " not in " + m.lists().destination, sp
	}
	if cm.destExcept.level(s.Destination, x.areasOf(s.Destination, nil)) >= 0 {
		if r := x.destination(); r != nil {
			return whyDestExcluded, r.excluded[i], sp
		}
		return whyOther, "destination " + s.Destination + " excluded by " + m.lists().destinationExcept, sp
	}
	return whyCandidate, "", sp
}

// firstReason finds again the reason first gave for measure i on x's route, from why (not
// whyOther or whyCandidate) and the policy's tables.
func (x *matcher) firstReason(i int, why uint8) string {
	cm := x.c.ms[i]
	switch why {
	case whySuspended:
		return cm.suspended
	case whyDate:
		if x.dates == nil {
			x.dates = x.c.dayReasons(x.dk, x.day)
		}
		return x.dates[cm.dateClass]
	case whyProduct:
		return cm.productWhy[bits.TrailingZeros8(productBit(x.s.Product))]
	case whyOriginNotIn:
		return x.origin().notIn[i]
	case whyOriginExcluded:
		return x.origin().excluded[i]
	case whyDestNotIn:
		return x.destination().notIn[i]
	case whyDestExcluded:
		return x.destination().excluded[i]
	}
	panic("tariff: no table holds this reason")
}

// rest appends to dst the verdict of each candidate of route rt: the supply's outcome.
func (x *matcher) rest(rt *route, dst []verdict) []verdict {
	for _, i := range rt.cands {
		dst = append(dst, x.other(i))
	}
	return dst
}

// verdict is what the checks first does not run say of a measure: that it applies (code
// vApplied), or which check failed and the supply value its reason names. Two supplies with
// the same verdicts on every candidate of a route have the same trail; the reason is written
// out (verdict.reason) only when a new combination is resolved.
type verdict struct {
	code uint8
	arg  string // the supply value the reason names, if any
	num  decKey // the TPP or density the reason names (for the codes that name one)
	big  bool   // the figure has more than 18 digits: arg holds it written out
}

// The codes of verdicts, one per reason other can give.
const (
	vApplied uint8 = iota
	vSupplierNotIn
	vSupplierExcluded
	vBuyerHQ
	vBuyer
	vRegion
	vBuyerRegion
	vPersonalDeclared
	vPersonalMissing
	vPurposeMissing
	vPurpose
	vListed
	vVendor
	vModel
	vFab
	vNoAccelerator
	vClass
	vTPPBelow
	vTPPAbove
	vDensity
)

// areasOf returns the areas country c is a member of on the day (the origin's and
// destination's are kept), in *buf unless it is one of them.
func (x *matcher) areasOf(c string, buf *areaSet) *areaSet {
	switch c {
	case x.s.Origin:
		if !x.inDone[0] {
			x.origIn, x.inDone[0] = x.c.memberOf(c, x.dk), true
		}
		return &x.origIn
	case x.s.Destination:
		if !x.inDone[1] {
			x.destIn, x.inDone[1] = x.c.memberOf(c, x.dk), true
		}
		return &x.destIn
	}
	*buf = x.c.memberOf(c, x.dk)
	return buf
}

// figure is the verdict of a check that names a TPP or density.
func figure(code uint8, d decimal.Decimal) verdict {
	if k, ok := keyOf(d); ok {
		return verdict{code: code, num: k}
	}
	return verdict{code: code, arg: d.String(), big: true}
}

// other runs the checks of measure i that first does not.
func (x *matcher) other(i int) verdict {
	m, cm, s := &x.p.Measures[i], x.c.ms[i], x.s
	if len(m.Supplier) > 0 || len(m.SupplierExcept) > 0 {
		seat := s.supplierCountry()
		places := func() string { // as list() shows them, without the brackets
			if len(s.SupplierEstablishments) == 0 {
				return seat
			}
			return strings.Join(supplierPlaces(s), " ")
		}
		var buf areaSet
		if len(m.Supplier) > 0 {
			best := cm.supplier.level(seat, x.areasOf(seat, &buf))
			for _, c := range s.SupplierEstablishments {
				best = max(best, cm.supplier.level(c, x.areasOf(c, &buf)))
			}
			if best < 0 {
				return verdict{code: vSupplierNotIn, arg: places()}
			}
		}
		if cm.supplierExcept.level(seat, x.areasOf(seat, &buf)) >= 0 {
			return verdict{code: vSupplierExcluded, arg: places()}
		}
		for _, c := range s.SupplierEstablishments {
			if cm.supplierExcept.level(c, x.areasOf(c, &buf)) >= 0 {
				return verdict{code: vSupplierExcluded, arg: places()}
			}
		}
	}
	if len(m.BuyerHeadquarters) > 0 {
		var buf areaSet
		if hq := s.buyerHQ(); cm.buyerHQ.level(hq, x.areasOf(hq, &buf)) < 0 {
			return verdict{code: vBuyerHQ, arg: hq}
		}
	}
	if len(m.Buyer) > 0 {
		if b := buyerBit(s.BuyerType); b != 0 {
			if cm.buyers&b == 0 {
				return verdict{code: vBuyer, arg: string(s.BuyerType)}
			}
		} else if !slices.Contains(m.Buyer, s.BuyerType) {
			return verdict{code: vBuyer, arg: string(s.BuyerType)}
		}
	}
	if len(m.Regions) > 0 {
		ok := false
		for _, r := range m.Regions {
			ok = ok || regionMatch(r, s.Region)
		}
		if !ok {
			return verdict{code: vRegion, arg: s.Region}
		}
	}
	if len(m.BuyerRegions) > 0 {
		ok := false
		for _, r := range m.BuyerRegions {
			ok = ok || regionMatch(r, s.BuyerRegion)
		}
		if !ok {
			return verdict{code: vBuyerRegion, arg: s.BuyerRegion}
		}
	}
	if m.PersonalData != nil && *m.PersonalData != s.PersonalData {
		if s.PersonalData {
			return verdict{code: vPersonalDeclared}
		}
		return verdict{code: vPersonalMissing}
	}
	if len(m.Purposes) > 0 && !slices.Contains(m.Purposes, s.Purpose) {
		if s.Purpose == "" {
			return verdict{code: vPurposeMissing}
		}
		return verdict{code: vPurpose, arg: string(s.Purpose)}
	}
	if len(m.Listed) > 0 {
		ok := false
		for _, l := range m.Listed {
			ok = ok || slices.Contains(s.Listings, l)
		}
		if !ok {
			return verdict{code: vListed}
		}
	}
	acc := &s.Accelerator
	if len(m.VendorCountry) > 0 && !slices.Contains(m.VendorCountry, acc.VendorCountry) {
		return verdict{code: vVendor, arg: acc.VendorCountry}
	}
	if len(m.Models) > 0 {
		ok := false
		for _, c := range m.Models {
			ok = ok || strings.EqualFold(c, acc.Model)
		}
		if !ok {
			return verdict{code: vModel, arg: acc.Model}
		}
	}
	if len(m.FabCountry) > 0 && !slices.Contains(m.FabCountry, acc.FabCountry) {
		return verdict{code: vFab, arg: acc.FabCountry}
	}
	if len(m.ExportClass) > 0 {
		if !x.classDone {
			x.class, x.classDone = ClassifyAccelerator(*acc), true
		}
		if class := x.class; !slices.Contains(m.ExportClass, class) {
			if class == "" {
				return verdict{code: vNoAccelerator}
			}
			return verdict{code: vClass, arg: string(class)}
		}
	}
	if m.TPPMin.Valid && acc.TPP.LessThan(m.TPPMin.Decimal) {
		return figure(vTPPBelow, acc.TPP)
	}
	if m.TPPMax.Valid && acc.TPP.GreaterThan(m.TPPMax.Decimal) {
		return figure(vTPPAbove, acc.TPP)
	}
	if m.DensityMin.Valid && acc.Density.LessThan(m.DensityMin.Decimal) {
		return figure(vDensity, acc.Density)
	}
	return verdict{}
}

// reason writes out verdict v of measure i: "applied", or why the measure does not apply.
func (c *compiled) reason(p *Policy, i int, v verdict) string {
	m, cm := &p.Measures[i], c.ms[i]
	num := func() string {
		if v.big {
			return v.arg
		}
		return decimal.New(v.num.coef, v.num.exp).String()
	}
	switch v.code {
	case vApplied:
		return "applied"
	case vSupplierNotIn:
		return "supplier established in [" + v.arg + "] not in " + m.lists().supplier
	case vSupplierExcluded:
		return "supplier established in [" + v.arg + "] excluded by " + m.lists().supplierExcept
	case vBuyerHQ:
		return "buyer headquarters " + v.arg + " not in " + m.lists().buyerHQ
	case vBuyer:
		if b := buyerBit(BuyerType(v.arg)); b != 0 {
			return cm.buyerWhy[bits.TrailingZeros8(b)]
		}
		return "buyer " + v.arg + " not in " + m.lists().buyer
	case vRegion:
		return "region " + strconv.Quote(v.arg) + " not in " + list(m.Regions)
	case vBuyerRegion:
		return "buyer region " + strconv.Quote(v.arg) + " not in " + list(m.BuyerRegions)
	case vPersonalDeclared:
		return "personal data declared; the measure is for supplies without"
	case vPersonalMissing:
		return "no personal data declared"
	case vPurposeMissing:
		return "no purpose declared; the measure is for " + list(purposesOf(m))
	case vPurpose:
		return "purpose " + v.arg + " not in " + list(purposesOf(m))
	case vListed:
		return cm.listedWhy
	case vVendor:
		return "accelerator vendor country " + strconv.Quote(v.arg) + " not in " + list(m.VendorCountry)
	case vModel:
		return "accelerator model " + strconv.Quote(v.arg) + " not in " + list(m.Models)
	case vFab:
		return "accelerator fab country " + strconv.Quote(v.arg) + " not in " + list(m.FabCountry)
	case vNoAccelerator:
		return "no accelerator named; the measure is for export class " + list(classesOf(m))
	case vClass:
		return "export class " + v.arg + " not in " + list(classesOf(m))
	case vTPPBelow:
		return "TPP " + num() + " below " + m.TPPMin.Decimal.String()
	case vTPPAbove:
		return "TPP " + num() + " above " + m.TPPMax.Decimal.String()
	case vDensity:
		return "performance density " + num() + " below " + m.DensityMin.Decimal.String() + " (unknown counts as 0)"
	}
	panic("tariff: unknown verdict")
}

// origin returns the reason table of the supply's origin; nil if it is not an ISO country
// (no table is kept for those).
func (x *matcher) origin() *placeReasons {
	if x.orig == nil && isoCountries[x.s.Origin] {
		x.orig = x.c.cache.placeReasons(x.p, x.s.Origin, "origin ")
	}
	return x.orig
}

// destination is origin for the destination.
func (x *matcher) destination() *placeReasons {
	if x.dest == nil && isoCountries[x.s.Destination] {
		x.dest = x.c.cache.placeReasons(x.p, x.s.Destination, "destination ")
	}
	return x.dest
}
