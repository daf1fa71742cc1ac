package marketplace

import (
	"context"
	"strings"
	"sync"
	"time"
)

// The offer cache: what a quote reads of its offer — the offer with its region, accelerator
// and supplier (OfferDetail), and the offer's reservations (checkAvailable) — kept in memory
// under the change counters they were read with (ReferenceVersions: the reference data's and
// the market's, which counts every change of offers, reservations and suppliers in the
// database, by any process). A quote reads the counters (one small query it makes anyway for
// the reference data) and, while they are unchanged, nothing else of the offer; the first
// request after any change starts the cache again. The argument that no answer is staler
// than reading the tables is the reference cache's (refcache.go): counters first, data after.
type offerCache struct {
	mu           sync.Mutex
	seen         ReferenceVersions
	offers       map[string]OfferContext
	views        map[string]OfferView // what a search shows of an offer (SearchOffers)
	reservations map[string][]Reservation
	searches     map[searchKey]SearchPage // the hits of searches, without their free GPUs (SearchOffers)
}

const (
	// offerCacheEntries bounds the offers (and reservation lists) kept: past it the cache starts
	// again, so a scan of the whole market costs memory only in passing.
	offerCacheEntries = 20_000
	// reservationsKept is the longest reservation list kept for one offer; an offer with more
	// is read from the database each time (its list grows with its orders).
	reservationsKept = 256
)

// at returns the cache's maps for v, emptied when v is not what they were read under. The
// caller holds mu.
func (c *offerCache) at(v ReferenceVersions) {
	if c.offers == nil || c.seen != v || len(c.offers)+len(c.views)+len(c.reservations) > offerCacheEntries {
		c.seen, c.offers, c.views, c.reservations = v, map[string]OfferContext{}, map[string]OfferView{}, map[string][]Reservation{}
		c.searches = map[searchKey]SearchPage{}
	}
}

// OfferDetail reads an offer with its region, accelerator and supplier, for display and
// quoting; withdrawn offers are returned too (their pages say so). Callers must not change
// the slices it holds: they are shared with the cache.
func (s *Service) OfferDetail(ctx context.Context, id string) (OfferContext, error) {
	if !validID(id) {
		return OfferContext{}, &Error{Code: CodeNotFound, Message: "no such offer"}
	}
	v, err := s.versions(ctx)
	if err != nil {
		return OfferContext{}, err
	}
	c := &s.offerCache
	c.mu.Lock()
	c.at(v)
	oc, ok := c.offers[id]
	c.mu.Unlock()
	if ok {
		return oc, nil
	}
	if oc, err = s.store.OfferContext(ctx, id); err != nil {
		return OfferContext{}, err
	}
	c.mu.Lock()
	if c.seen == v { // not if a newer state started the cache while this read ran
		c.offers[strings.Clone(id)] = oc // the id may live in a request's buffer (Fiber's parameters)
	}
	c.mu.Unlock()
	return oc, nil
}

// gpusAvailable is how many of o's GPUs no reservation holds at the busiest moment of
// [start, end).
func (s *Service) gpusAvailable(ctx context.Context, o Offer, start, end time.Time) (int, error) {
	v, err := s.versions(ctx)
	if err != nil {
		return 0, err
	}
	c := &s.offerCache
	c.mu.Lock()
	c.at(v)
	res, ok := c.reservations[o.ID]
	c.mu.Unlock()
	if !ok {
		// every reservation of the offer, whatever its window, so that the next quote of
		// another window is answered from the same list
		if res, err = s.store.Reservations(ctx, []string{o.ID}, time.Unix(0, 0), time.Unix(1<<40, 0)); err != nil {
			return 0, err
		}
		if len(res) <= reservationsKept {
			c.mu.Lock()
			if c.seen == v {
				c.reservations[o.ID] = res
			}
			c.mu.Unlock()
		}
	}
	return max(0, o.GPUs-PeakReserved(res, start, end)), nil
}

// offerViews reads the offers with the given ids, keyed by id: those kept under the current
// counters from the cache, the others in one read of the store. Callers must not change the
// slices the views hold.
func (s *Service) offerViews(ctx context.Context, ids []string) (map[string]OfferView, error) {
	return readThrough(ctx, s, ids, func(c *offerCache) map[string]OfferView { return c.views }, s.store.OfferViews)
}

// offerContexts reads the offers with the given ids with their regions, accelerators and
// suppliers, keyed by id, as OfferDetail does for one: from the cache, the others in one read.
func (s *Service) offerContexts(ctx context.Context, ids []string) (map[string]OfferContext, error) {
	return readThrough(ctx, s, ids, func(c *offerCache) map[string]OfferContext { return c.offers }, s.store.OfferContexts)
}

// readThrough answers ids from the map of the offer cache that kept picks, and the ids it does
// not hold with one call of read, whose results it keeps unless newer counters started the
// cache again meanwhile.
func readThrough[T any](ctx context.Context, s *Service, ids []string, kept func(*offerCache) map[string]T,
	read func(context.Context, []string) (map[string]T, error)) (map[string]T, error) {
	v, err := s.versions(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(ids))
	var missing []string
	c := &s.offerCache
	c.mu.Lock()
	c.at(v)
	for _, id := range ids {
		if x, ok := kept(c)[id]; ok {
			out[id] = x
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := read(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	keep := c.seen == v
	for id, x := range got {
		out[id] = x
		if keep {
			kept(c)[id] = x // ids read from the store: not a request's buffer
		}
	}
	c.mu.Unlock()
	return out, nil
}
