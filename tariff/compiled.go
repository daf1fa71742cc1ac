package tariff

import (
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

	memo  sync.Map     // matchKey → *matchResult
	size  atomic.Int64 // entries stored in memo (approximately, under concurrent resets)
	mu    sync.Mutex
	reuse map[string]string // trail reasons shared between memo entries, under mu
}

// maxMemo bounds the memo; when full it starts afresh (the key contains the day, so a
// long-running process would otherwise keep every past day).
const maxMemo = 1024

// keyUse says which supply fields any measure of the policy looks at; the others are left
// out of the memo key so that supplies differing only in them share an entry.
type keyUse struct {
	hs, region, buyerRegion, personal, vendor, model, tpp, density bool
}

// cmeasure is the supply-independent part of assessing one measure.
type cmeasure struct {
	rate, inQuota, outQuota, subsidy Charge          // charge templates (amounts unset)
	recoverable                      int8            // 0 never, 1 for a business buyer, 2 always
	grossDiv, grossDivIn             decimal.Decimal // 1 + the ad valorem sum of Rate, of the in-quota rate
	lowQuota                         decimal.Decimal // a tenth of the quota volume: below it, quota.low
}

// matchKey is everything the matching phase reads from a supply and its date.
type matchKey struct {
	day                                   int32 // asOf's calendar day, y<<9 | m<<5 | d
	personal                              bool
	product                               Product
	buyer                                 BuyerType
	origin, dest, hs, region, buyerRegion string
	vendor, model                         string
	tpp, density                          decKey
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
	trail   []Consideration
	flags   []Flag
	blocked bool
	steps   []step
}

// step is one priced measure to compute, or (group non-nil) customs duty alternatives of
// which the lowest applies.
type step struct {
	i     int
	group []int
}

// compile builds the assessment index of p. It must be called when p is final.
func compile(p *Policy) *compiled {
	c := &compiled{n: len(p.Measures), ms: make([]cmeasure, len(p.Measures))}
	if len(p.Measures) > 0 {
		c.first = &p.Measures[0]
	}
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

		cm := &c.ms[i]
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
	k = matchKey{day: int32(y)<<9 | int32(mo)<<5 | int32(d), product: s.Product, buyer: s.BuyerType,
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
	if u.tpp {
		var good bool
		k.tpp, good = keyOf(s.Accelerator.TPP)
		ok = ok && good
	}
	if u.density {
		var good bool
		k.density, good = keyOf(s.Accelerator.Density)
		ok = ok && good
	}
	return k, ok
}

// matched returns the matching phase for s on asOf, from the memo when it is there.
func (c *compiled) matched(p *Policy, s *Supply, asOf time.Time) *matchResult {
	k, ok := c.key(s, asOf)
	if ok {
		if r, hit := c.memo.Load(k); hit {
			return r.(*matchResult)
		}
	}
	r := matchAll(p, s, asOf)
	if ok {
		c.remember(k, r)
	}
	return r
}

// remember stores r under k; when the memo is full it starts afresh.
func (c *compiled) remember(k matchKey, r *matchResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size.Load() >= maxMemo || c.reuse == nil {
		c.memo.Clear()
		c.size.Store(0)
		c.reuse = map[string]string{}
	}
	// Entries mostly repeat each other's reasons ("destination DE not in [AT]"): keep one copy.
	for i := range r.trail {
		why := r.trail[i].Reason
		if s, seen := c.reuse[why]; seen {
			r.trail[i].Reason = s
		} else {
			c.reuse[why] = why
		}
	}
	if _, loaded := c.memo.LoadOrStore(k, r); !loaded {
		c.size.Add(1)
	}
}
