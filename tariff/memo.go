package tariff

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The matching phase of an assessment (which measures apply to a supply, why the others do
// not, which competitors win, which gates fire) depends on a few supply fields and the day
// only, and most measures of a policy are decided by the first few of them: a measure for
// another destination, another product or another period fails there, whatever else the
// supply says. The cache below exploits both, on three levels:
//
//   - a route is the part of a supply the first checks read (day, product, HS code, origin,
//     destination; routeKey). For each route the cache keeps how every measure fares in those
//     checks (one byte each: the reasons are in tables by day and country) — all but a
//     handful fail, the others are the candidates — and the candidates' specificity;
//   - an outcome is what the remaining checks say of each candidate (applied, or the reason
//     it does not apply). Each outcome of a route is resolved once (competition, gates,
//     steps, the trail), and every supply with that outcome shares the result: supplies that
//     differ in fields no candidate reads, or in values no reason mentions (the TPP of two
//     accelerators of the same export class), share one trail;
//   - the memo maps every supply field matching reads (matchKey) straight to the result, so a
//     supply seen before costs one hash and one lookup.
//
// A supply missing the memo therefore checks only its route's candidates (a route of the
// baseline policy has 5–13 of its ~300 measures) and usually finds their outcome resolved; a
// new route checks every measure once.
//
// What costs memory is trails: one entry (40 bytes) per measure, one trail per outcome kept.
// They are bounded by maxTrailEntries: past the bound a new outcome is resolved for the
// assessment at hand and not kept (its trail is the caller's). A generation that has resolved
// outcomes without keeping them for renewAfter times its budget starts afresh (routes,
// outcomes and memo), so that what is kept follows what the market asks now; so does one that
// has made maxRoutes routes. The memo is a two-way set-associative table of memoSlots keys (a
// new key takes the place of an old one of its set), so it adapts to what is asked without
// ever being emptied at once; the reason tables by country and by day are bounded by the
// number of ISO countries and by maxDays.

// memoSlots is the number of keys the memo holds: an entry is a key (~230 bytes) and a
// pointer to a shared result, 256 bytes in all, so the memo holds at most 4 MiB of them (and
// 128 KiB of slots, allocated on the first store).
const memoSlots = 1 << 14

// maxTrailEntries bounds the trail entries (40 bytes each) of the outcomes a cache keeps:
// 1<<19 entries are 20 MiB, about 1,700 trails of a 300-measure policy.
const maxTrailEntries = 1 << 19

// maxRoutes bounds the routes of a generation: a route is a byte per measure, its candidates
// and a few words, about 0.5 KiB for a 300-measure policy, 4 MiB for all.
const maxRoutes = 8192

// renewAfter is how many times its trail budget a generation may resolve outcomes without
// keeping them before the cache starts a new one.
const renewAfter = 16

// maxDays bounds the table of date reasons; when full it starts afresh.
const maxDays = 64

// matchCache is what assessments of one policy (and of the policies derived from it that
// match alike, see matchNeutral) have learnt about matching.
type matchCache struct {
	seed   maphash.Seed // of every hash below
	gen    atomic.Pointer[generation]
	budget int64 // maxTrailEntries (tests lower it)

	// Trail reasons that depend on one supply value, made once for every measure: by origin
	// and destination country (ISO codes only), and by day.
	origins, dests, days sync.Map
	ndays                atomic.Int64
}

// generation is the part of the cache that is dropped at once.
type generation struct {
	memo    atomic.Pointer[memoTable]
	routes  sync.Map     // hash of a routeKey (uint64) → *route
	nroutes atomic.Int64 // routes made in this generation
	trails  atomic.Int64 // trail entries of the outcomes kept
	unkept  atomic.Int64 // trail entries of the outcomes resolved and not kept
}

func newMatchCache() *matchCache {
	c := &matchCache{seed: maphash.MakeSeed(), budget: maxTrailEntries}
	c.gen.Store(&generation{})
	return c
}

// renew replaces generation g by a new one (unless another goroutine already has) and
// returns the current one.
func (c *matchCache) renew(g *generation) *generation {
	c.gen.CompareAndSwap(g, &generation{})
	return c.gen.Load()
}

// matchResult is the matching phase for one outcome of a route: the trail an assessment
// returns when no computed note changes it (reasons of the measures that do not apply,
// superseded alternatives, fired gates, priced measures other than customs alternatives
// marked applied), the gates' flags, and the priced measures to compute in order of
// computation. A result the cache keeps is shared by every assessment with that outcome and
// is read-only.
type matchResult struct {
	trail   []Consideration
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

// memoTable is the memo's slots: the key hashed to h lives in slot h or h^1 (mod memoSlots).
type memoTable [memoSlots]atomic.Pointer[memoEntry]

// memoEntry is one memoized matching phase with the key it was made for: two keys with the
// same hash (a 2⁻⁶⁴ chance) never share a result, the second one is matched afresh.
type memoEntry struct {
	h   uint64 // the key's hash, compared first
	key matchKey
	r   *matchResult
}

// routeKey is what the first checks of every measure read: the day, the product, the HS code
// (as given: reasons quote it), the origin and the destination.
type routeKey struct {
	day              int64
	product          Product
	hs, origin, dest string
}

// route is what the first checks decide for one routeKey: per measure, how it fares (why;
// the reasons themselves are in the policy's tables or, for the few that are not, in extra).
type route struct {
	key   routeKey
	why   []uint8        // by measure: whyCandidate, or the check that fails
	extra map[int]string // the reasons of the measures whose why is whyOther
	cands []int          // the measures that pass the first checks, in document order
	specs []specificity  // their specificity (HS, origin, destination level)
	// template is the trail of an outcome the cache keeps (nil until one is kept): every
	// trail of the route differs from it only at candidates, so new ones start as its copy.
	template atomic.Pointer[[]Consideration]
	results  sync.Map // hash of an outcome (uint64) → *outcome, for the outcomes kept
}

// outcome is one resolved outcome of a route: the verdict of each candidate.
type outcome struct {
	verdicts []verdict
	r        *matchResult
}

// matched returns the matching phase for s on asOf. own is true when the result is the
// caller's alone (the cache did not keep it), its trail included.
func (c *compiled) matched(p *Policy, s *Supply, asOf time.Time) (r *matchResult, own bool) {
	g := c.cache.gen.Load()
	k, ok := c.key(s, asOf)
	var slot *atomic.Pointer[memoEntry]
	var h uint64
	if ok {
		h = c.cache.hashKey(&k)
		t := g.memo.Load()
		if t != nil {
			a, b := &t[h%memoSlots], &t[(h^1)%memoSlots]
			if e := a.Load(); e != nil && e.h == h && e.key == k {
				return e.r, false
			}
			e := b.Load()
			if e != nil && e.h == h && e.key == k {
				return e.r, false
			}
			// The place of a new key: a free slot of its set, else one of the two, picked by
			// the bit of h above those that index the slots.
			switch {
			case a.Load() == nil:
				slot = a
			case e == nil || h&memoSlots != 0:
				slot = b
			default:
				slot = a
			}
		} else if !c.transient {
			g.memo.CompareAndSwap(nil, new(memoTable))
			slot = &g.memo.Load()[h%memoSlots]
		}
	}
	sc := *s // matching keeps pointers into the supply: keep them off the caller's copy
	r, own = c.resolve(p, g, &sc, asOf)
	if slot != nil && !own {
		slot.Store(&memoEntry{h: h, key: k, r: r})
	}
	return r, own
}

// resolve is matched without the memo: the supply's route, its candidates' outcome, and the
// result of that outcome, each from the cache when it is there.
func (c *compiled) resolve(p *Policy, g *generation, s *Supply, asOf time.Time) (*matchResult, bool) {
	y, mo, d := asOf.Date()
	x := matcher{c: c, p: p, s: s, dk: dayKey(y, mo, d), day: time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)}
	rk := routeKey{day: x.dk, product: s.Product, hs: s.HSCode, origin: s.Origin, dest: s.Destination}
	rh := c.cache.hashRoute(&rk)
	v, found := g.routes.Load(rh)
	if found && v.(*route).key == rk {
		return c.outcomeOf(p, g, v.(*route), &x)
	}
	if g.nroutes.Add(1) > maxRoutes {
		g = c.cache.renew(g)
		g.nroutes.Add(1)
	}
	rt, r, own := c.newRoute(p, g, &x, rk)
	if !found { // (found with another key: a hash collision, the route is not kept)
		g.routes.Store(rh, rt)
	}
	return r, own
}

// newRoute runs the first checks of every measure for x's route and resolves x's outcome;
// its trail becomes the route's template if the budget allows.
func (c *compiled) newRoute(p *Policy, g *generation, x *matcher, rk routeKey) (*route, *matchResult, bool) {
	n := len(p.Measures)
	rt := &route{key: rk, why: make([]uint8, n)}
	trail := make([]Consideration, n)
	for i := range p.Measures {
		why, reason, sp := x.first(i)
		rt.why[i] = why
		switch why {
		case whyCandidate:
			rt.cands = append(rt.cands, i)
			rt.specs = append(rt.specs, sp)
		case whyOther:
			if rt.extra == nil {
				rt.extra = map[int]string{}
			}
			rt.extra[i] = reason
		}
		trail[i] = Consideration{MeasureID: p.Measures[i].ID, Reason: reason}
	}
	var buf [16]verdict
	vs := x.rest(rt, buf[:0])
	r := c.settle(p, rt, vs, trail, x.day)
	if !c.keep(g, n) {
		return rt, r, true
	}
	rt.template.Store(&trail)
	rt.results.Store(c.cache.hashOutcome(vs), &outcome{verdicts: slices.Clone(vs), r: r})
	return rt, r, false
}

// outcomeOf returns the result of x's outcome on route rt, and whether it is the caller's own
// (not kept: the trail budget is spent).
func (c *compiled) outcomeOf(p *Policy, g *generation, rt *route, x *matcher) (*matchResult, bool) {
	var buf [16]verdict
	vs := x.rest(rt, buf[:0])
	h := c.cache.hashOutcome(vs)
	v, found := rt.results.Load(h)
	if found && slices.Equal(v.(*outcome).verdicts, vs) {
		return v.(*outcome).r, false
	}
	n := len(rt.why)
	trail := make([]Consideration, n)
	if t := rt.template.Load(); t != nil {
		copy(trail, *t)
	} else {
		for i, why := range rt.why {
			reason := ""
			switch why {
			case whyCandidate:
			case whyOther:
				reason = rt.extra[i]
			default:
				reason = x.firstReason(i, why)
			}
			trail[i] = Consideration{MeasureID: p.Measures[i].ID, Reason: reason}
		}
	}
	r := c.settle(p, rt, vs, trail, x.day)
	if found || !c.keep(g, n) {
		if g.unkept.Add(int64(n)) > renewAfter*c.cache.budget {
			c.cache.renew(g)
		}
		return r, true
	}
	rt.template.CompareAndSwap(nil, &trail)
	rt.results.Store(h, &outcome{verdicts: slices.Clone(vs), r: r})
	return r, false
}

// keep reports whether a trail of n entries fits the budget of generation g, and counts it
// if it does.
func (c *compiled) keep(g *generation, n int) bool {
	if g.trails.Add(int64(n)) > c.cache.budget {
		g.trails.Add(-int64(n))
		return false
	}
	return true
}

// hashKey hashes k. Hashing the fields one by one is several times faster than the runtime's
// generic hash of a struct used as an interface key.
func (c *matchCache) hashKey(k *matchKey) uint64 {
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

// hashRoute hashes k.
func (c *matchCache) hashRoute(k *routeKey) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(k.day))
	binary.LittleEndian.PutUint64(b[8:], uint64(len(k.product))|uint64(len(k.hs))<<16|uint64(len(k.origin))<<32|uint64(len(k.dest))<<48)
	h.Write(b[:])
	h.WriteString(string(k.product))
	h.WriteString(k.hs)
	h.WriteString(k.origin)
	h.WriteString(k.dest)
	return h.Sum64()
}

// hashOutcome hashes a route's verdicts.
func (c *matchCache) hashOutcome(vs []verdict) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	var b [24]byte
	for i := range vs {
		v := &vs[i]
		binary.LittleEndian.PutUint64(b[:], uint64(v.code)|uint64(len(v.arg))<<8)
		binary.LittleEndian.PutUint64(b[8:], uint64(v.num.coef))
		binary.LittleEndian.PutUint64(b[16:], uint64(uint32(v.num.exp)))
		h.Write(b[:])
		h.WriteString(v.arg)
	}
	return h.Sum64()
}

// placeReasons are the reasons for which a country fails each measure's origin (or
// destination) list and its exclusions, by measure. They are kept for ISO countries only, so
// the tables stay bounded whatever a supply names.
type placeReasons struct {
	notIn, excluded []string
}

func (c *matchCache) placeReasons(p *Policy, country, what string) *placeReasons {
	tbl := &c.origins
	if what == "destination " {
		tbl = &c.dests
	}
	if v, ok := tbl.Load(country); ok {
		return v.(*placeReasons)
	}
	// All the table's strings are cut from one, so that it is two allocations, not hundreds.
	var b strings.Builder
	ends := make([]int, 0, 2*len(p.Measures))
	for i := range p.Measures {
		m := &p.Measures[i]
		l := m.lists()
		list, except, exceptList := l.origin, m.OriginExcept, l.originExcept
		if what == "destination " {
			list, except, exceptList = l.destination, m.DestinationExcept, l.destinationExcept
		}
		b.WriteString(what + country + " not in ")
		b.WriteString(list)
		ends = append(ends, b.Len())
		if len(except) > 0 {
			b.WriteString(what + country + " excluded by ")
			b.WriteString(exceptList)
		}
		ends = append(ends, b.Len())
	}
	all := b.String()
	r := &placeReasons{notIn: make([]string, len(p.Measures)), excluded: make([]string, len(p.Measures))}
	from := 0
	for i := range p.Measures {
		r.notIn[i] = all[from:ends[2*i]]
		r.excluded[i] = all[ends[2*i]:ends[2*i+1]]
		from = ends[2*i+1]
	}
	v, _ := tbl.LoadOrStore(country, r)
	return v.(*placeReasons)
}

// dayReasons returns the reasons for which day dk is outside each date class of the policy
// ("" for the classes it is inside).
func (c *compiled) dayReasons(dk int64, day time.Time) []string {
	if v, ok := c.cache.days.Load(dk); ok && len(v.([]string)) == len(c.dates) {
		return v.([]string)
	}
	prefix := "not valid on " + day.Format(dateLayout) + " (valid "
	r := make([]string, len(c.dates))
	for k, d := range c.dates {
		if d.from > dk || d.to < dk {
			r[k] = prefix + d.text + ")"
		}
	}
	if c.cache.ndays.Add(1) > maxDays {
		c.cache.days.Clear()
		c.cache.ndays.Store(1)
	}
	c.cache.days.Store(dk, r)
	return r
}
