package tariff

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
)

// compiled is what ParsePolicy and Scenario.Apply precompute for assessment: per measure, the
// parts of its charges, flags and trail entries that do not depend on the supply, and a memo
// of the matching phase (which measures apply to a supply, why the others do not, which
// competitors win, which gates fire), keyed by the few supply fields matching looks at.
//
// With the memo an assessment only copies the memoized trail and flags and computes the
// amounts of the measures that apply. Everything in it is immutable once built except the
// memo, a sync.Map whose entries are immutable once stored: readers never lock, so many
// goroutines may assess the same policy at once.
type compiled struct {
	first *Measure // &p.Measures[0] (nil for no measures) and len(p.Measures) when compiled:
	n     int      // a policy whose measure slice was replaced afterwards is compiled afresh

	ms  []cmeasure
	use keyUse

	memo sync.Map     // hash of a matchKey (uint64) → *memoEntry
	seed maphash.Seed // of the memo's hashes
	size atomic.Int64 // entries stored in memo (approximately, under concurrent misses)

	// Trail reasons that depend on one supply value, made once for every measure: by origin
	// and destination country (ISO codes only), and by day.
	origins, dests, days sync.Map
	ndays                atomic.Int64
}

// maxDays bounds the table of date reasons; when full it starts afresh.
const maxDays = 64

// maxMemo bounds the memo; when full it starts afresh (the key contains the day, so a
// long-running process would otherwise keep every past day).
const maxMemo = 1024

// keyUse says which supply fields any measure of the policy looks at; the others are left
// out of the memo key so that supplies differing only in them share an entry.
type keyUse struct {
	hs, region, buyerRegion, personal, vendor, model, tpp, density bool
	supplier, buyerHQ, purpose, listed, fab, class                 bool
}

// cmeasure is the supply-independent part of assessing one measure.
type cmeasure struct {
	rate, inQuota, outQuota, subsidy Charge          // charge templates (amounts unset)
	recoverable                      int8            // 0 never, 1 for a business buyer, 2 always
	grossDiv, grossDivIn             decimal.Decimal // 1 + the ad valorem sum of Rate, of the in-quota rate
	lowQuota                         decimal.Decimal // a tenth of the quota volume: below it, quota.low

	// Matching.
	from, to                               int64 // validity as dayKeys, inclusive (open: min/max)
	products, buyers                       uint8 // known products and buyers named, as bits
	origin, originExcept, dest, destExcept placeList
	supplier, supplierExcept, buyerHQ      placeList
	group                                  int // competition group (same competitionKey, same group)
	suspended                              string
	productWhy                             [3]string // "product X not in [...]" by productBit
	buyerWhy                               [2]string
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

// placeList is a compiled origin or destination list.
type placeList struct {
	all   []string  // the entries as written: a country equal to one matches at country level
	star  bool      // "*" is one of them
	areas []members // the areas named
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

func compilePlaces(list []string, areas map[string]members) placeList {
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

// level returns the level at which country c matches the list on day dk (2 country, 1 area,
// 0 "*"), or -1.
func (l *placeList) level(c string, dk int64) int {
	for _, x := range l.all {
		if x == c {
			return 2
		}
	}
	for _, a := range l.areas {
		for _, s := range a[c] {
			if s.from <= dk && dk <= s.to {
				return 1
			}
		}
	}
	if l.star {
		return 0
	}
	return -1
}

// placeReasons are the reasons for which a country fails each measure's origin (or
// destination) list and its exclusions, by measure. They are kept for ISO countries only, so
// the tables stay bounded whatever a supply names.
type placeReasons struct {
	notIn, excluded []string
}

func (c *compiled) placeReasons(p *Policy, country, what string) *placeReasons {
	tbl := &c.origins
	if what == "destination " {
		tbl = &c.dests
	}
	if v, ok := tbl.Load(country); ok {
		return v.(*placeReasons)
	}
	r := &placeReasons{notIn: make([]string, len(p.Measures)), excluded: make([]string, len(p.Measures))}
	for i := range p.Measures {
		m := &p.Measures[i]
		l := m.lists()
		list, except, exceptList := l.origin, m.OriginExcept, l.originExcept
		if what == "destination " {
			list, except, exceptList = l.destination, m.DestinationExcept, l.destinationExcept
		}
		r.notIn[i] = what + country + " not in " + list
		if len(except) > 0 {
			r.excluded[i] = what + country + " excluded by " + exceptList
		}
	}
	v, _ := tbl.LoadOrStore(country, r)
	return v.(*placeReasons)
}

// dayReasons are the reasons for which day dk is outside each measure's dates, by measure.
func (c *compiled) dayReasons(p *Policy, dk int64, day time.Time) []string {
	if v, ok := c.days.Load(dk); ok {
		return v.([]string)
	}
	dayStr := day.Format(dateLayout)
	r := make([]string, len(p.Measures))
	for i := range p.Measures {
		if cm := &c.ms[i]; cm.from > dk || cm.to < dk {
			r[i] = "not valid on " + dayStr + " (valid " + p.Measures[i].lists().dates + ")"
		}
	}
	if c.ndays.Add(1) > maxDays {
		c.days.Clear()
		c.ndays.Store(1)
	}
	c.days.Store(dk, r)
	return r
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

// matchResult is the memoized matching phase for one key: the trail as matching leaves it
// (reasons of the measures that do not apply, superseded alternatives, fired gates), the
// gates' flags, and the priced measures to compute in order of computation.
type matchResult struct {
	trail []Consideration
	// applied is trail with every priced step that is not a customs group marked "applied":
	// what an assessment returns, shared and read-only, when no computed note changes it.
	applied []Consideration
	flags   []Flag
	blocked bool
	steps   []step
	quotas  int // measures of the steps with a quota: each may add a quota.low flag
}

// step is one priced measure to compute, or (group non-nil) customs duty alternatives of
// which the lowest applies.
type step struct {
	i     int
	group []int
}

// compile builds the assessment index of p. It must be called when p is final.
func compile(p *Policy) *compiled {
	c := &compiled{n: len(p.Measures), ms: make([]cmeasure, len(p.Measures)), seed: maphash.MakeSeed()}
	if len(p.Measures) > 0 {
		c.first = &p.Measures[0]
	}
	areas := make(map[string]members, len(p.Areas))
	for id, a := range p.Areas {
		areas[id] = areaMembers(a)
	}
	groups := map[string]int{}
	for i := range p.Measures {
		m := &p.Measures[i]
		u := &c.use
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

		cm := &c.ms[i]
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
		cm.origin, cm.originExcept = compilePlaces(m.Origin, areas), compilePlaces(m.OriginExcept, areas)
		cm.dest, cm.destExcept = compilePlaces(m.Destination, areas), compilePlaces(m.DestinationExcept, areas)
		cm.supplier, cm.supplierExcept = compilePlaces(m.Supplier, areas), compilePlaces(m.SupplierExcept, areas)
		cm.buyerHQ = compilePlaces(m.BuyerHeadquarters, areas)
		k := competitionKey(m)
		g, seen := groups[k]
		if !seen {
			g = len(groups)
			groups[k] = g
		}
		cm.group = g
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
	return c
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
	return compile(p)
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

// memoEntry is one memoized matching phase with the key it was made for: two keys with the
// same hash (a 2⁻⁶⁴ chance) never share a result, the second one is matched afresh.
type memoEntry struct {
	key matchKey
	r   *matchResult
}

// hash hashes k with the memo's seed. Hashing the fields one by one is several times faster
// than the runtime's generic hash of a struct used as an interface key.
func (c *compiled) hash(k *matchKey) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	var b [8 * 7]byte
	put := func(i int, v uint64) { binary.LittleEndian.PutUint64(b[8*i:], v) }
	put(0, uint64(k.day))
	put(1, uint64(k.tpp.coef))
	put(2, uint64(uint32(k.tpp.exp))|uint64(uint32(k.density.exp))<<32)
	put(3, uint64(k.density.coef))
	put(4, k.codes)
	put(5, uint64(len(k.product))|uint64(len(k.buyer))<<16|uint64(len(k.origin))<<32|uint64(len(k.dest))<<48)
	var flags uint64
	if k.personal {
		flags = 1
	}
	put(6, flags|uint64(len(k.hs))<<8|uint64(len(k.region))<<16|uint64(len(k.buyerRegion))<<24|
		uint64(len(k.vendor))<<32|uint64(len(k.model))<<40|uint64(len(k.establishments))<<48|uint64(len(k.listings))<<56)
	h.Write(b[:])
	// The lengths above delimit the strings.
	for _, s := range [...]string{string(k.product), string(k.buyer), k.origin, k.dest, k.hs, k.region, k.buyerRegion,
		k.vendor, k.model, k.establishments, k.listings} {
		h.WriteString(s)
	}
	return h.Sum64()
}

// matched returns the matching phase for s on asOf, from the memo when it is there.
func (c *compiled) matched(p *Policy, s *Supply, asOf time.Time) *matchResult {
	k, ok := c.key(s, asOf)
	var h uint64
	if ok {
		h = c.hash(&k)
		if e, hit := c.memo.Load(h); hit && e.(*memoEntry).key == k {
			return e.(*memoEntry).r
		}
	}
	sc := *s // matching may keep pointers into the supply: keep them off the caller's copy
	r := c.matchAll(p, &sc, asOf)
	if ok {
		c.remember(h, k, r)
	}
	return r
}

// remember stores r under k (hash h); when the memo is full it starts afresh. (Concurrent
// misses may overshoot the bound a little; the count only keeps the memo from growing without
// end.)
func (c *compiled) remember(h uint64, k matchKey, r *matchResult) {
	if c.size.Add(1) > maxMemo {
		c.memo.Clear()
		c.size.Store(1)
	}
	c.memo.Store(h, &memoEntry{key: k, r: r})
}
