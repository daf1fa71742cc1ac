package marketplace

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"corridor/pricing"
)

// The reference data cache: the regions, the accelerator catalogue, the FX tables and which
// policy version is in force when, held in memory by each Service (policy documents, parsed and
// compiled, are cached by hash in policyCache: a version never changes).
//
// Invalidation. Every transaction that changes a kind of reference data — regions or
// accelerators inserted, an FX import, the completion of stored records, a policy version
// added or activated — adds one to that kind's counter in the reference_versions table before
// it commits (marketplace/store). Each use of the cache first reads the four counters (one
// query of a four-row table) and reloads only the kinds whose counter differs from the one its
// copy was loaded under. The same holds between several processes on one database (PostgreSQL,
// or one SQLite file): a change committed by one is seen by the others' next request.
//
// Why no quote can be priced with stale data. The counters are read before the data they
// guard, so a copy is never older than the counters it is labelled with: a copy labelled n
// holds at least change n. A request therefore prices with reference data at least as new as
// the state it saw when it began; a change that commits while it runs is either in its copy
// or not, exactly as with reading the tables directly at the same moment (which is what the
// request did before the cache). No interval or time-to-live is involved. Beyond that, a quote
// records the policy versions and document hashes and the FX rates it was priced with: it is
// accepted as priced, and Reprice reproduces it from exactly those versions (PolicyOf),
// whatever has been activated since.
//
// Writes made to these tables outside Corridor (by hand, in SQL) do not count a change: bump
// the kind's counter in the same transaction (UPDATE reference_versions SET counter = counter
// + 1 WHERE kind = 'fx') or restart the servers.
type refCache struct {
	mu  sync.Mutex // serialises reloads
	cur atomic.Pointer[refData]
}

// refData is one immutable copy of the reference data; fx fills itself per date.
type refData struct {
	seen ReferenceVersions // the counters each part was loaded under

	regions      []Region // ordered by bloc then code, as the store lists them
	regionCodes  map[string]bool
	accelerators []Accelerator // ordered by vendor then model
	accModels    map[string]bool
	policies     map[string]*policyHistory
	fx           *fxDays
}

// policyHistory is one policy's stored versions (without documents) and its activations in
// order of instant, then of recording.
type policyHistory struct {
	versions map[int]PolicyVersion
	acts     []PolicyActivation
}

// fxDays memoises FX lookups by date for one FX counter: what FXOn answers depends only on
// the stored rates and the date.
type fxDays struct {
	mu sync.Mutex
	m  map[int64]fxDay
}

type fxDay struct {
	snap     pricing.Snapshot
	warnings []string
	missing  bool // no rate published on or before the date
}

// fxDaysKept bounds the dates memoised per FX counter: past as_of dates are few in practice,
// and a flood of distinct ones only costs a reset of the memo.
const fxDaysKept = 512

// reference returns the reference data as stored now: one read of the counters, plus a reload
// of the kinds that changed since the copy in memory was made.
func (s *Service) reference(ctx context.Context) (*refData, error) {
	v, err := s.versions(ctx)
	if err != nil {
		return nil, err
	}
	v = v.reference() // a change of the market is not a change of the reference data
	if d := s.refs.cur.Load(); d != nil && d.seen == v {
		return d, nil
	}
	return s.reload(ctx, v)
}

// reload makes a copy labelled v, reading from the store only the kinds whose counter is not
// the current copy's. Concurrent requests that saw the same change wait for one reload.
func (s *Service) reload(ctx context.Context, v ReferenceVersions) (*refData, error) {
	s.refs.mu.Lock()
	defer s.refs.mu.Unlock()
	old := s.refs.cur.Load()
	if old != nil && old.seen == v {
		return old, nil
	}
	d := &refData{}
	if old != nil {
		*d = *old
	}
	d.seen = v
	if old == nil || old.seen.Regions != v.Regions {
		regions, err := s.store.Regions(ctx, RegionFilter{})
		if err != nil {
			return nil, err
		}
		d.regions, d.regionCodes = regions, make(map[string]bool, len(regions))
		for _, r := range regions {
			d.regionCodes[r.Code] = true
		}
	}
	if old == nil || old.seen.Accelerators != v.Accelerators {
		accs, err := s.store.Accelerators(ctx)
		if err != nil {
			return nil, err
		}
		d.accelerators, d.accModels = accs, make(map[string]bool, len(accs))
		for _, a := range accs {
			d.accModels[a.Model] = true
		}
	}
	if old == nil || old.seen.FX != v.FX {
		d.fx = &fxDays{}
	}
	if old == nil || old.seen.Policies != v.Policies {
		p, err := s.loadPolicies(ctx)
		if err != nil {
			return nil, err
		}
		d.policies = p
	}
	s.refs.cur.Store(d)
	return d, nil
}

// loadPolicies reads every policy version's metadata (never a document) and every activation.
func (s *Service) loadPolicies(ctx context.Context) (map[string]*policyHistory, error) {
	versions, err := s.store.PolicyVersions(ctx, "", s.now())
	if err != nil {
		return nil, err
	}
	acts, err := s.store.PolicyActivations(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]*policyHistory{}
	get := func(id string) *policyHistory {
		h := out[id]
		if h == nil {
			h = &policyHistory{versions: map[int]PolicyVersion{}}
			out[id] = h
		}
		return h
	}
	for _, v := range versions {
		v.Active, v.ActivatedAt, v.Document = false, nil, nil
		get(v.PolicyID).versions[v.Version] = v
	}
	for _, a := range acts {
		h := get(a.PolicyID)
		h.acts = append(h.acts, a)
	}
	return out, nil
}

// policyInForce is PolicyStore.PolicyVersionInForce answered from the copy: the version of id
// with the latest activation at or before at, or else the earliest activated one.
func (d *refData) policyInForce(id string, at time.Time) (PolicyVersion, error) {
	h := d.policies[id]
	if h == nil || len(h.acts) == 0 {
		return PolicyVersion{}, &Error{Code: CodeNotFound, Message: "policy " + id + " has no active version"}
	}
	t := at.Unix()
	i := sort.Search(len(h.acts), func(i int) bool { return h.acts[i].At > t })
	a := h.acts[0]
	if i > 0 {
		a = h.acts[i-1]
	}
	v, ok := h.versions[a.Version]
	if !ok {
		return PolicyVersion{}, &Error{Code: CodeNotFound, Message: "not found", Err: fmt.Errorf("policy %s: version %d is activated but not stored", id, a.Version)}
	}
	when := time.Unix(a.At, 0).UTC()
	v.ActivatedAt = &when
	return v, nil
}

// fxOn is FXOn answered from the copy, reading the store once per date and FX counter.
func (s *Service) fxOn(ctx context.Context, d *refData, date time.Time) (pricing.Snapshot, []string, error) {
	key := date.UnixNano()
	d.fx.mu.Lock()
	e, ok := d.fx.m[key]
	d.fx.mu.Unlock()
	if !ok {
		snap, warnings, err := s.fxFromStore(ctx, date)
		switch {
		case err == nil:
			e = fxDay{snap: snap, warnings: warnings}
		case ErrorCode(err) == CodeNotFound:
			e = fxDay{missing: true}
		default:
			return pricing.Snapshot{}, nil, err
		}
		d.fx.mu.Lock()
		if d.fx.m == nil || len(d.fx.m) >= fxDaysKept {
			d.fx.m = make(map[int64]fxDay)
		}
		d.fx.m[key] = e
		d.fx.mu.Unlock()
	}
	if e.missing {
		return pricing.Snapshot{}, nil, noFXRates(date)
	}
	// Clipped: a caller appending its own warnings must not write into the shared array.
	return e.snap, slices.Clip(e.warnings), nil
}

func noFXRates(date time.Time) error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("no FX rates published on or before %s", date.Format(time.DateOnly)),
		Fields: []FieldError{{Field: "date", Message: "no rates stored for this date; import an ECB file with `corridor fx import`"}}}
}
