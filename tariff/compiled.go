package tariff

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// compiled is what ParsePolicy, Scenario.Apply and WithMeasureField precompute for
// assessment: per measure, the parts of its charges, flags and trail entries that do not
// depend on the supply, and (in cache) what assessments have learnt about matching: which
// measures apply to a supply, why the others do not, which competitors win, which gates fire.
//
// Everything in it is immutable once built except the cache, whose maps hold immutable
// entries: readers never lock, so many goroutines may assess the same policy at once.
type compiled struct {
	first *Measure // &p.Measures[0] (nil for no measures) and len(p.Measures) when compiled:
	n     int      // a policy whose measure slice was replaced afterwards is compiled afresh

	ms       []*cmeasure    // by measure; shared with derived policies for the measures they keep
	use      keyUse         // the supply fields some measure looks at
	areas    map[string]int // the policy's areas by id: indices into areaList
	areaList []members
	dates    []dateClass    // the validity periods of the measures (cmeasure.dateClass)
	groups   map[string]int // competition keys (competitionKey) numbered
	cache    *matchCache    // see memo.go; shared with derived policies whose change cannot alter matching
	// transient is set on an index compiled for one assessment (Policy.index): it does not
	// allocate a memo.
	transient bool
}

// keyUse says which supply fields any measure of the policy looks at; the others are left
// out of the memo key so that supplies differing only in them share an entry.
type keyUse struct {
	hs, region, buyerRegion, personal, vendor, model, tpp, density bool
	supplier, buyerHQ, purpose, listed, fab, class                 bool
}

// add records the supply fields m looks at.
func (u *keyUse) add(m *Measure) {
	u.hs = u.hs || len(m.HS) > 0
	u.region = u.region || len(m.Regions) > 0
	u.buyerRegion = u.buyerRegion || len(m.BuyerRegions) > 0
	u.personal = u.personal || m.PersonalData != nil
	u.vendor = u.vendor || len(m.VendorCountry) > 0
	u.model = u.model || len(m.Models) > 0
	u.tpp = u.tpp || m.TPPMin.Valid || m.TPPMax.Valid
	u.density = u.density || m.DensityMin.Valid
	u.supplier = u.supplier || len(m.Supplier) > 0 || len(m.SupplierExcept) > 0
	u.buyerHQ = u.buyerHQ || len(m.BuyerHeadquarters) > 0
	u.purpose = u.purpose || len(m.Purposes) > 0
	u.listed = u.listed || len(m.Listed) > 0
	u.fab = u.fab || len(m.FabCountry) > 0
	u.class = u.class || len(m.ExportClass) > 0
}

// cmeasure is the supply-independent part of assessing one measure.
type cmeasure struct {
	rate, inQuota, outQuota, subsidy Charge          // charge templates (amounts unset)
	recoverable                      int8            // 0 never, 1 for a business buyer, 2 always
	grossDiv, grossDivIn             decimal.Decimal // 1 + the ad valorem sum of Rate, of the in-quota rate
	lowQuota                         decimal.Decimal // a tenth of the quota volume: below it, quota.low

	// Matching.
	from, to                               int64 // validity as dayKeys, inclusive (open: min/max)
	dateClass                              int   // index into compiled.dates
	products, buyers                       uint8 // known products and buyers named, as bits
	origin, originExcept, dest, destExcept placeList
	supplier, supplierExcept, buyerHQ      placeList
	group                                  int // competition group (same competitionKey, same group)
	suspended                              string
	productWhy                             [3]string // "product X not in [...]" by productBit
	buyerWhy                               [2]string
	listedWhy                              string // "not on any of the lists [...]"
}

// dayKey numbers calendar days so that they compare like dates.
func dayKey(y int, m time.Month, d int) int64 { return int64(y)<<9 | int64(m)<<5 | int64(d) }

// fromKey is the first day whose midnight (UTC) is not before t, the first day of a validity
// starting at t; zero is open.
func fromKey(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	u := t.UTC()
	y, m, d := u.Date()
	if !u.Equal(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		y, m, d = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Date()
	}
	return dayKey(y, m, d)
}

// toKey is the last day whose midnight (UTC) is not after t; zero is open.
func toKey(t time.Time) int64 {
	if t.IsZero() {
		return math.MaxInt64
	}
	y, m, d := t.UTC().Date()
	return dayKey(y, m, d)
}

var knownProducts = [...]Product{ProductGPUHours, ProductBareMetal, ProductHardware}

func productBit(p Product) uint8 {
	for i, k := range knownProducts {
		if p == k {
			return 1 << i
		}
	}
	return 0
}

var knownBuyers = [...]BuyerType{BuyerBusiness, BuyerConsumer}

func buyerBit(b BuyerType) uint8 {
	for i, k := range knownBuyers {
		if b == k {
			return 1 << i
		}
	}
	return 0
}

// placeList is a compiled place list (origin, destination, supplier…).
type placeList struct {
	all   []string // the entries as written: a country equal to one matches at country level
	star  bool     // "*" is one of them
	areas []int    // the areas named, as indices into compiled.areaList
}

// members are an area's membership periods by country.
type members map[string][]span

// span is a period as dayKeys, inclusive.
type span struct{ from, to int64 }

func areaMembers(a Area) members {
	ms := members{}
	for _, m := range a.Members {
		ms[m.Country] = append(ms[m.Country], span{fromKey(m.ValidFrom), toKey(m.ValidTo)})
	}
	return ms
}

func compilePlaces(list []string, areas map[string]int) placeList {
	l := placeList{all: list}
	for _, x := range list {
		if x == "*" {
			l.star = true
		} else if a, ok := areas[x]; ok {
			l.areas = append(l.areas, a)
		}
	}
	return l
}

// areaSet is a set of areas (indices into compiled.areaList): bits of small for the first 64,
// of more beyond.
type areaSet struct {
	small uint64
	more  []uint64
}

func (s *areaSet) has(a int) bool {
	if a < 64 {
		return s.small&(1<<a) != 0
	}
	a -= 64
	return a>>6 < len(s.more) && s.more[a>>6]&(1<<(a&63)) != 0
}

func (s *areaSet) add(a int) {
	if a < 64 {
		s.small |= 1 << a
		return
	}
	a -= 64
	for a>>6 >= len(s.more) {
		s.more = append(s.more, 0)
	}
	s.more[a>>6] |= 1 << (a & 63)
}

// memberOf returns the areas country c is a member of on day dk.
func (c *compiled) memberOf(country string, dk int64) areaSet {
	var set areaSet
	for a, ms := range c.areaList {
		for _, sp := range ms[country] {
			if sp.from <= dk && dk <= sp.to {
				set.add(a)
				break
			}
		}
	}
	return set
}

// level returns the level at which a country that is a member of the areas in matches the
// list (2 country, 1 area, 0 "*"), or -1.
func (l *placeList) level(c string, in *areaSet) int {
	for _, x := range l.all {
		if x == c {
			return 2
		}
	}
	for _, a := range l.areas {
		if in.has(a) {
			return 1
		}
	}
	if l.star {
		return 0
	}
	return -1
}

// dateClass is a validity period shared by measures: the dates as dayKeys and as the trail
// shows them. Reasons of dates are made per class, for the few periods a policy has.
type dateClass struct {
	from, to int64
	text     string // Measure.lists().dates
}

// classOf returns the index of m's date class in classes, appending it if it is new.
func classOf(classes []dateClass, m *Measure) ([]dateClass, int) {
	d := dateClass{fromKey(m.ValidFrom), toKey(m.ValidTo), m.lists().dates}
	for k, x := range classes {
		if x == d {
			return classes, k
		}
	}
	return append(classes, d), len(classes)
}

// matchKey is everything the matching phase reads from a supply and its date.
type matchKey struct {
	day                                   int64 // asOf's calendar day as a dayKey
	personal                              bool
	product                               Product
	buyer                                 BuyerType
	origin, dest, hs, region, buyerRegion string
	vendor, model                         string
	tpp, density                          decKey

	// codes packs the short values later conditions read: the supplier's seat (bits 0–15), the
	// buyer's headquarters (16–31), the fab country (32–47), the purpose (48–51) and whether an
	// accelerator model is named (52, for the export class).
	codes                    uint64
	establishments, listings string // joined with NUL, when used and given
}

var (
	purposeCodes = map[Purpose]uint64{"": 0, PurposeTraining: 1, PurposeInference: 2, PurposeOther: 3}
)

// code2 packs a two-letter country code (or "") into 16 bits; ok is false for anything else.
func code2(s string) (uint64, bool) {
	switch len(s) {
	case 0:
		return 0, true
	case 2:
		return uint64(s[0])<<8 | uint64(s[1]), true
	}
	return 0, false
}

// decKey is a decimal's exact representation when its coefficient fits an int64.
type decKey struct {
	coef int64
	exp  int32
}

func keyOf(x decimal.Decimal) (decKey, bool) {
	if x.NumDigits() > 18 {
		return decKey{}, false
	}
	return decKey{x.CoefficientInt64(), x.Exponent()}, true
}

// compile builds the assessment index of p. It must be called when p is final.
func compile(p *Policy) *compiled {
	c := &compiled{n: len(p.Measures), ms: make([]*cmeasure, len(p.Measures)), cache: newMatchCache()}
	if len(p.Measures) > 0 {
		c.first = &p.Measures[0]
	}
	c.areas = make(map[string]int, len(p.Areas))
	for _, id := range slices.Sorted(maps.Keys(p.Areas)) {
		c.areas[id] = len(c.areaList)
		c.areaList = append(c.areaList, areaMembers(p.Areas[id]))
	}
	c.groups = map[string]int{}
	cms := make([]cmeasure, len(p.Measures)) // one allocation for all
	for i := range p.Measures {
		m := &p.Measures[i]
		c.use.add(m)
		c.ms[i] = &cms[i]
		compileMeasure(c.ms[i], m, c.areas)
		c.ms[i].group = numberGroup(c.groups, m)
		c.dates, c.ms[i].dateClass = classOf(c.dates, m)
	}
	return c
}

// numberGroup returns the competition group of m, numbering its key if it is new.
func numberGroup(groups map[string]int, m *Measure) int {
	k := competitionKey(m)
	g, seen := groups[k]
	if !seen {
		g = len(groups)
		groups[k] = g
	}
	return g
}

// derive compiles q, a copy of the policy c was compiled for (same areas) in which measure i
// is replaced by changing one field: the other measures' compiled parts are shared, and so is
// the matching cache when the field cannot change matching (matchNeutral).
func (c *compiled) derive(q *Policy, i int, field string, old *Measure) *compiled {
	m := &q.Measures[i]
	d := &compiled{n: len(q.Measures), first: &q.Measures[0], ms: slices.Clone(c.ms), areas: c.areas, areaList: c.areaList,
		groups: c.groups}
	cm := &cmeasure{}
	compileMeasure(cm, m, c.areas)
	d.ms[i] = cm
	// The classes are shared with c: a new one goes to a copy.
	d.dates, cm.dateClass = classOf(c.dates[:len(c.dates):len(c.dates)], m)
	if competitionKey(m) == competitionKey(old) {
		cm.group = c.ms[i].group
	} else {
		// Renumber every measure's group: ms entries are shared, so the changed ones are copied.
		d.groups = map[string]int{}
		for j := range q.Measures {
			if g := numberGroup(d.groups, &q.Measures[j]); g != d.ms[j].group {
				if j != i {
					cp := *d.ms[j]
					d.ms[j] = &cp
				}
				d.ms[j].group = g
			}
		}
	}
	if matchNeutral(field, old, m) {
		d.use, d.cache = c.use, c.cache
		return d
	}
	for j := range q.Measures {
		d.use.add(&q.Measures[j])
	}
	d.cache = newMatchCache()
	return d
}

// matchNeutral reports whether changing field of a measure from old to m leaves the matching
// phase of every assessment unchanged, so that the derived policy may share its parent's
// cache: the field is read only when charges are computed (rates, bases, quota figures,
// subsidy shares and caps, labels of priced measures), and the change keeps what matching
// does read of it (whether the rate is known, whether there is a quota). Any field not listed
// here counts as changing matching.
func matchNeutral(field string, old, m *Measure) bool {
	if old.Kind != m.Kind || old.RateUnknown != m.RateUnknown || (old.Quota == nil) != (m.Quota == nil) {
		return false
	}
	switch field {
	case "rate", "base", "liability", "recoverable", "share_max", "cap",
		"quota", "quota.period", "quota.volume", "quota.unit", "quota.in_quota_rate":
		return true
	case "label", "label_zh":
		return m.Kind != KindGate // a gate's flag falls back to its label
	}
	return false
}

// compileMeasure fills cm (all but its group) for m.
func compileMeasure(cm *cmeasure, m *Measure, areas map[string]int) {
	cm.from, cm.to = fromKey(m.ValidFrom), toKey(m.ValidTo)
	l := m.lists()
	for _, pr := range m.Products {
		cm.products |= productBit(pr)
	}
	for j, pr := range knownProducts {
		cm.productWhy[j] = "product " + string(pr) + " not in " + l.products
	}
	for _, b := range m.Buyer {
		cm.buyers |= buyerBit(b)
	}
	for j, b := range knownBuyers {
		cm.buyerWhy[j] = "buyer " + string(b) + " not in " + l.buyer
	}
	if len(m.Listed) > 0 {
		cm.listedWhy = "not on any of the lists " + list(m.Listed)
	}
	cm.origin, cm.originExcept = compilePlaces(m.Origin, areas), compilePlaces(m.OriginExcept, areas)
	cm.dest, cm.destExcept = compilePlaces(m.Destination, areas), compilePlaces(m.DestinationExcept, areas)
	cm.supplier, cm.supplierExcept = compilePlaces(m.Supplier, areas), compilePlaces(m.SupplierExcept, areas)
	cm.buyerHQ = compilePlaces(m.BuyerHeadquarters, areas)
	if m.SuspendedBy != "" {
		cm.suspended = "suspended by scenario " + m.SuspendedBy
	}
	switch m.Kind {
	case KindVAT, KindWithholding:
		cm.recoverable = 1
	}
	if m.Recoverable != nil {
		cm.recoverable = 0
		if *m.Recoverable {
			cm.recoverable = 2
		}
	}
	if m.Kind == KindSubsidy {
		cm.subsidy = chargeTemplate(m, subsidyRate(m))
	}
	if m.Kind.priced() && m.Rate != nil {
		cm.rate = chargeTemplate(m, m.Rate.Source)
		cm.grossDiv = one.Add(m.Rate.AdValoremSum())
		if q := m.Quota; q != nil {
			cm.outQuota = quotaTemplate(cm.rate, "out_of_quota")
			cm.lowQuota = q.Volume.Mul(tenth)
			if q.InQuotaRate != nil {
				cm.inQuota = quotaTemplate(chargeTemplate(m, q.InQuotaRate.Source), "in_quota")
				cm.grossDivIn = one.Add(q.InQuotaRate.AdValoremSum())
			}
		}
	}
}

func quotaTemplate(c Charge, quota string) Charge {
	c.Quota = quota
	c.Label += map[string]string{"in_quota": " — in quota", "out_of_quota": " — out of quota"}[quota]
	c.LabelZH += map[string]string{"in_quota": "（配额内）", "out_of_quota": "（配额外）"}[quota]
	return c
}

// index returns p's compiled index: the one made when p was parsed, or (for a policy built by
// hand or whose measures were replaced) a fresh one that is not kept.
func (p *Policy) index() *compiled {
	if c := p.idx; c != nil && c.n == len(p.Measures) && (c.n == 0 || c.first == &p.Measures[0]) {
		return c
	}
	c := compile(p)
	c.transient = true
	return c
}

// key returns the memo key of a supply on asOf's calendar day; ok is false when the supply
// cannot be keyed (accelerator figures with more than 18 digits), and it is then matched
// without the memo.
func (c *compiled) key(s *Supply, asOf time.Time) (k matchKey, ok bool) {
	y, mo, d := asOf.Date()
	k = matchKey{day: dayKey(y, mo, d), product: s.Product, buyer: s.BuyerType,
		origin: s.Origin, dest: s.Destination}
	u := &c.use
	if u.hs {
		k.hs = s.HSCode
	}
	if u.region {
		k.region = s.Region
	}
	if u.buyerRegion {
		k.buyerRegion = s.BuyerRegion
	}
	if u.personal {
		k.personal = s.PersonalData
	}
	if u.vendor {
		k.vendor = s.Accelerator.VendorCountry
	}
	if u.model {
		k.model = s.Accelerator.Model
	}
	ok = true
	if u.supplier {
		c, good := code2(s.supplierCountry())
		k.codes, ok = c, ok && good
		if len(s.SupplierEstablishments) > 0 {
			k.establishments = strings.Join(s.SupplierEstablishments, "\x00")
		}
	}
	if u.buyerHQ {
		c, good := code2(s.buyerHQ())
		k.codes, ok = k.codes|c<<16, ok && good
	}
	if u.fab {
		c, good := code2(s.Accelerator.FabCountry)
		k.codes, ok = k.codes|c<<32, ok && good
	}
	if u.purpose {
		c, good := purposeCodes[s.Purpose]
		k.codes, ok = k.codes|c<<48, ok && good
	}
	if u.class && s.Accelerator.Model != "" {
		// The class is a function of the TPP, the density and whether a model is named: keying
		// on those (below) spares classifying on every assessment.
		k.codes |= 1 << 52
	}
	if u.listed && len(s.Listings) > 0 {
		k.listings = strings.Join(s.Listings, "\x00")
	}
	if u.tpp || u.class {
		var good bool
		k.tpp, good = keyOf(s.Accelerator.TPP)
		ok = ok && good
	}
	if u.density || u.class {
		var good bool
		k.density, good = keyOf(s.Accelerator.Density)
		ok = ok && good
	}
	return k, ok
}
