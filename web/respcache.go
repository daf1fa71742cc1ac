package web

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"corridor/marketplace"
)

// The response cache of the market's read endpoints: offer search (GET /api/v1/offers),
// compare (POST /api/v1/compare) and the market page for visitors who are not signed in
// (GET /). What they answer is a function of the request and of the market's state — the
// change counters of the reference data and of the market (offers, reservations, suppliers;
// kept by database triggers, marketplace/store/marketversion.go) and the clock's second —
// and nothing else. So the encoded answer is kept, labelled with the state read before it was
// computed, and given again to the same request while the state is the same.
//
// Why it is exact. Each request first reads the state (one read of the counters, which the
// reference cache makes anyway). A kept answer is given only to a request that read the same
// state; it was computed after that state was read, so it holds at least every change the
// state counts — exactly what computing it again at that moment would hold, since a change
// that commits while a request runs may or may not be in its answer either way. Another
// process's write moves the counter in the database, so every process sees it at its next
// request: there is no time-to-live and no window in which a stale answer is given. The
// second is part of the state because windows start now and policies come into force at an
// instant; within one second a busy endpoint computes each distinct request once.
//
// What it keeps. One answer per distinct request (the path and query, or the body of a
// compare, with the page's language), the latest state only: a new state replaces the answer
// at the next miss. Only 200 answers without cookies are kept, at most a 16th of the budget
// each; when the bodies kept would pass the budget (Options.ResponseCacheBytes, 16 MiB by
// default) the cache starts empty again, which costs one miss per request shape.
type responseCache struct {
	state func(context.Context) (marketplace.MarketState, error)
	limit int // bytes of kept bodies; 0 is off

	mu      sync.RWMutex
	entries map[string]*cachedResponse
	size    int
	flights map[string]*flight // answers being computed, by key

	hits, misses atomic.Uint64
}

// cachedResponse is one kept answer.
type cachedResponse struct {
	state  marketplace.MarketState
	status int
	header [][2]string // the headers the handler set (content type, cache control)
	body   []byte
}

func newResponseCache(state func(context.Context) (marketplace.MarketState, error), limit int) *responseCache {
	if limit < 0 {
		limit = 0
	}
	return &responseCache{state: state, limit: limit, entries: map[string]*cachedResponse{}, flights: map[string]*flight{}}
}

// lookup returns the answer kept for key if it was computed in state st, and counts a hit.
func (rc *responseCache) lookup(key string, st marketplace.MarketState) (*cachedResponse, bool) {
	rc.mu.RLock()
	e, ok := rc.entries[key]
	rc.mu.RUnlock()
	if !ok || e.state != st {
		return nil, false
	}
	rc.hits.Add(1)
	return e, true
}

// store keeps e under key, replacing what was kept for it.
func (rc *responseCache) store(key string, e *cachedResponse) {
	n := len(e.body) + len(key)
	if n > rc.limit/16 {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old, ok := rc.entries[key]; ok {
		rc.size -= len(old.body) + len(key)
	}
	if rc.size+n > rc.limit {
		clear(rc.entries)
		rc.size = 0
	}
	rc.entries[key] = e
	rc.size += n
}

// serve answers from the cache under key, or runs next and keeps its answer. An empty key, a
// cache that is off or a state that cannot be read runs next uncached.
func (rc *responseCache) serve(c *fiber.Ctx, key string, next func() error) error {
	if rc == nil || rc.limit == 0 || key == "" {
		return next()
	}
	st, err := rc.state(c.UserContext())
	if err != nil {
		return next() // the handler meets the same database and says what is wrong
	}
	if e, ok := rc.lookup(key, st); ok {
		return e.send(c)
	}
	// One computation per request and state: the others that miss meanwhile wait for it (when
	// a second begins, every busy request misses at once) and are answered from the cache.
	if f, leader := rc.join(key, st); !leader {
		select {
		case <-f.done:
			if e, ok := rc.lookup(key, st); ok {
				return e.send(c)
			}
		case <-c.UserContext().Done():
		}
		// not kept (not a 200, a cookie) or no time to wait: compute it as if alone
	} else {
		defer rc.land(key, f)
	}
	rc.misses.Add(1) // computed
	// the answer is computed with the state just read: the handler's reads of reference data
	// and offers use its counters rather than reading them again (the endpoints only read)
	c.SetUserContext(marketplace.WithMarketState(c.UserContext(), st))
	before := snapshotHeader(&c.Response().Header)
	if err := next(); err != nil {
		return err
	}
	resp := c.Response()
	if resp.StatusCode() != fiber.StatusOK || resp.IsBodyStream() {
		return nil
	}
	e := &cachedResponse{state: st, status: fiber.StatusOK, body: bytes.Clone(resp.Body())}
	after := snapshotHeader(&resp.Header)
	if after.cookies != before.cookies {
		return nil // the handler set a cookie: its answer is the caller's own
	}
	for _, kv := range after.values {
		switch kv[0] {
		case fiber.HeaderContentLength, fiber.HeaderDate, fiber.HeaderServer, fiber.HeaderConnection:
			continue
		}
		if !slices.Contains(before.values, kv) {
			e.header = append(e.header, kv)
		}
	}
	rc.store(key, e)
	return nil
}

// send answers c with the kept answer.
func (e *cachedResponse) send(c *fiber.Ctx) error {
	h := &c.Response().Header
	for _, kv := range e.header {
		h.Set(kv[0], kv[1])
	}
	c.Status(e.status)
	return c.Send(e.body)
}

// flight is one computation of an answer that other requests alike may wait for.
type flight struct {
	state marketplace.MarketState
	done  chan struct{} // closed when the answer is kept, or turned out not to be keepable
}

// join returns the flight computing key in state st, or starts one (leader true) when there is
// none; a flight for another state is left alone and this request computes on its own, as a
// leader of nothing (its flight is not registered).
func (rc *responseCache) join(key string, st marketplace.MarketState) (*flight, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if f, ok := rc.flights[key]; ok {
		if f.state == st {
			return f, false
		}
		return &flight{state: st, done: make(chan struct{})}, true
	}
	f := &flight{state: st, done: make(chan struct{})}
	rc.flights[key] = f
	return f, true
}

// land ends the flight f of key: the requests waiting for it look the answer up.
func (rc *responseCache) land(key string, f *flight) {
	rc.mu.Lock()
	if rc.flights[key] == f {
		delete(rc.flights, key)
	}
	rc.mu.Unlock()
	close(f.done)
}

// headerSnapshot is a response's headers at one moment: the values other than cookies, and
// how many Set-Cookie lines there are.
type headerSnapshot struct {
	values  [][2]string
	cookies int
}

// snapshotHeader reads h; before the handler runs, it holds what the middleware and the page
// wrapper set (request id, security headers, a page's CSRF cookie), which a kept answer must
// not carry to another request.
func snapshotHeader(h *fasthttp.ResponseHeader) headerSnapshot {
	var s headerSnapshot
	h.VisitAll(func(k, v []byte) {
		if string(k) == fiber.HeaderSetCookie {
			s.cookies++
			return
		}
		s.values = append(s.values, [2]string{string(k), string(v)})
	})
	return s
}

// cached wraps an API handler: its answers are kept under the key key returns ("" = do not
// keep this one).
func (rc *responseCache) cached(name string, key func(c *fiber.Ctx) string, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		k := key(c)
		if k != "" {
			k = name + "\x00" + k
		}
		return rc.serve(c, k, func() error { return h(c) })
	}
}

// queryKey keys a GET by its query string, as sent.
func queryKey(c *fiber.Ctx) string { return string(c.Request().URI().QueryString()) }

// bodyKey keys a POST by its JSON body, as sent (the query string must be empty: a POST
// endpoint takes none, and one that came is answered uncached).
func bodyKey(c *fiber.Ctx) string {
	if len(c.Request().URI().QueryString()) > 0 || !bytes.HasPrefix(c.Request().Header.ContentType(), []byte(fiber.MIMEApplicationJSON)) {
		return ""
	}
	return string(c.Body())
}

// cachedPage wraps a page whose HTML, for a visitor who is not signed in, depends only on the
// request's path and query, the page's language and the market's state: its answers to GET
// are kept under those. A signed-in buyer's page names the buyer and carries a CSRF token, so
// it is never kept.
func (u *ui) cachedPage(name string, h pageFunc) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		key := ""
		if !v.SignedIn && c.Method() == fiber.MethodGet {
			key = name + "\x00" + v.Lang + "\x00" + v.Path
		}
		return u.responses.serve(c, key, func() error { return h(c, v) })
	}
}

// watchResponseCache exports the cache's hits, misses and kept bytes at /metrics (the first
// cache of a Metrics, when several servers share one).
func (m *Metrics) watchResponseCache(rc *responseCache) {
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "corridor_response_cache_hits_total",
			Help: "Search, compare and market-page requests answered from the response cache (at once, or after waiting for a request alike to compute the answer)."}, func() float64 { return float64(rc.hits.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "corridor_response_cache_misses_total",
			Help: "Search, compare and market-page requests the response cache could not answer: computed (and kept when they can be)."}, func() float64 { return float64(rc.misses.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "corridor_response_cache_bytes",
			Help: "Bytes of answers the response cache keeps."}, func() float64 {
			rc.mu.RLock()
			defer rc.mu.RUnlock()
			return float64(rc.size)
		}),
	} {
		_ = m.registry.Register(c) // already registered: another server's cache is reported
	}
}
