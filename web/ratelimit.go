package web

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// RateCountStore shares rate-limit counts between the Corridor instances on one database
// (*store.Store implements it).
type RateCountStore interface {
	// SyncRateCounts stores this instance's counts, forgets buckets older than since and
	// returns the other instances' counts from since on, summed per caller and bucket.
	SyncRateCounts(ctx context.Context, instance string, mine []marketplace.RateCount, since time.Time) ([]marketplace.RateCount, error)
}

// The rate limit counts requests over a sliding minute in six buckets of ten seconds: a
// bucket's requests stop counting one minute after the bucket began.
const (
	rateWindow     = time.Minute
	rateBucketSecs = 10
	rateBuckets    = int(rateWindow/time.Second) / rateBucketSecs
	rateShards     = 32
	// rateMaxCallers bounds the limiter's memory; callers beyond it are not tracked (and not
	// limited) until others expire, and corridor_rate_limit_clients shows how close it is.
	rateMaxCallers = 200_000
	// rateShareFrom: a caller's count is shared once it used 1/rateShareFrom of its limit at
	// an instance.
	rateShareFrom = 10
)

// rateSyncEvery is how often an instance shares its counts (a variable for tests).
var rateSyncEvery = time.Second

// rateLimiter enforces Options.RateLimits. The request path touches only memory (one sharded
// map); with a RateCountStore, a background loop writes this instance's counts to the
// database about once a second and reads the other instances' sums back, so a caller's limit
// holds across instances up to a documented imprecision (docs/operations.md).
type rateLimiter struct {
	limits    RateLimits
	trusted   []netip.Prefix
	adminHash string
	metrics   *Metrics
	log       interface{ Warn(string, ...any) }
	now       func() time.Time
	seed      maphash.Seed
	shards    [rateShards]rateShard
	callers   atomic.Int64
	remote    atomic.Pointer[map[string]*[rateBuckets]rateBucket] // other instances' counts
	store     RateCountStore
	instance  string
	stop      chan struct{}
	stopOnce  sync.Once
}

type rateShard struct {
	mu      sync.Mutex
	callers map[string]*rateCounter
}

// rateBucket counts the requests of one ten-second bucket starting at start (Unix seconds).
type rateBucket struct {
	start int64
	n     int
}

type rateCounter struct {
	limit   int
	buckets [rateBuckets]rateBucket
	dirty   bool // counted since the last sync
}

func newRateLimiter(d Deps) *rateLimiter {
	rl := &rateLimiter{limits: d.Options.RateLimits, trusted: d.Options.TrustedProxies, adminHash: d.AdminTokenHash,
		metrics: d.Metrics, log: d.Log, now: time.Now, seed: maphash.MakeSeed(), store: d.RateCounts,
		instance: newRequestID() + newRequestID()[:8], stop: make(chan struct{})}
	for i := range rl.shards {
		rl.shards[i].callers = map[string]*rateCounter{}
	}
	if rl.store != nil && rl.enabled() {
		go rl.syncLoop()
	}
	return rl
}

func (rl *rateLimiter) enabled() bool {
	return rl.limits.Anonymous > 0 || rl.limits.Supplier > 0 || rl.limits.Admin > 0
}

// rateExempt are paths that are never limited: probes, metrics and static files.
func rateExempt(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || strings.HasPrefix(path, "/static/")
}

// handler limits each request by its caller: the admin token, a supplier API key (by key id,
// and refused while its address is over the anonymous limit in failed authentications, so
// made-up keys buy nothing), or the client address.
func (rl *rateLimiter) handler(c *fiber.Ctx) error {
	if !rl.enabled() || rateExempt(c.Path()) {
		return c.Next()
	}
	addr := clientAddr(c, rl.trusted)
	addrKey := addr.String()
	if addr.Is6() && !addr.Is4In6() {
		addrKey = netip.PrefixFrom(addr, 64).Masked().String() // one IPv6 customer has a /64
	}
	tok := bearer(c)
	keyID, isKey := marketplace.APIKeyID(tok)
	var caller string
	var limit int
	switch {
	case tok != "" && isAdminToken(tok, rl.adminHash):
		caller, limit = "admin", rl.limits.Admin
	case isKey:
		if n := rl.limits.Anonymous; n > 0 {
			if ok, retry := rl.take("f:"+addrKey, n, false); !ok {
				return rl.refuse(c, n, retry, "failed authentications from your address")
			}
		}
		caller, limit = "k:"+keyID, rl.limits.Supplier
	default:
		caller, limit = "a:"+addrKey, rl.limits.Anonymous
	}
	if limit > 0 {
		if ok, retry := rl.take(caller, limit, true); !ok {
			return rl.refuse(c, limit, retry, "requests")
		}
	}
	err := c.Next()
	if isKey && marketplace.ErrorCode(err) == marketplace.CodeUnauthorized && rl.limits.Anonymous > 0 {
		rl.take("f:"+addrKey, rl.limits.Anonymous, true)
	}
	return err
}

func (rl *rateLimiter) refuse(c *fiber.Ctx, limit, retry int, what string) error {
	return &fiberProblem{status: fiber.StatusTooManyRequests,
		detail:  fmt.Sprintf("rate limit of %d %s per minute exceeded; retry in %d s", limit, what, retry),
		headers: map[string]string{fiber.HeaderRetryAfter: strconv.Itoa(retry)}}
}

// take counts one request of caller (when count is true) unless the caller has used its limit
// over the last minute here and at the other instances; retry is then the seconds until
// enough of the window has passed.
func (rl *rateLimiter) take(caller string, limit int, count bool) (ok bool, retry int) {
	now := rl.now().Unix()
	start := now - now%rateBucketSecs
	oldest := start - int64(rateWindow/time.Second) + rateBucketSecs
	var remote *[rateBuckets]rateBucket
	if m := rl.remote.Load(); m != nil {
		remote = (*m)[caller]
	}
	sh := &rl.shards[maphash.String(rl.seed, caller)%rateShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ctr := sh.callers[caller]
	if ctr == nil {
		if !count {
			ctr = &rateCounter{} // a peek at an unknown caller: nothing counted yet
		} else if rl.callers.Load() >= rateMaxCallers {
			return true, 0
		} else {
			ctr = &rateCounter{limit: limit}
			sh.callers[caller] = ctr
			rl.callers.Add(1)
		}
	}
	// per[i] is the requests of the bucket starting at oldest+i*rateBucketSecs, here and elsewhere.
	var per [rateBuckets]int
	total := 0
	for _, bs := range []*[rateBuckets]rateBucket{&ctr.buckets, remote} {
		if bs == nil {
			continue
		}
		for _, b := range bs {
			if b.start >= oldest && b.start <= start {
				per[(b.start-oldest)/rateBucketSecs] += b.n
				total += b.n
			}
		}
	}
	if total >= limit {
		for i := range per {
			total -= per[i]
			if total < limit {
				return false, int(max(oldest+int64(i+1)*rateBucketSecs+int64(rateWindow/time.Second)-rateBucketSecs-now, 1))
			}
		}
		return false, int(rateWindow / time.Second)
	}
	if count {
		b := &ctr.buckets[(start/rateBucketSecs)%int64(rateBuckets)]
		if b.start != start {
			*b = rateBucket{start: start}
		}
		b.n++
		ctr.dirty = true
	}
	return true, 0
}

// syncLoop shares this instance's counts every rateSyncEvery until close.
func (rl *rateLimiter) syncLoop() {
	t := time.NewTicker(rateSyncEvery)
	defer t.Stop()
	for {
		select {
		case <-rl.stop:
			return
		case <-t.C:
			if err := rl.sync(context.Background()); err != nil && !errors.Is(err, context.Canceled) {
				rl.log.Warn("rate limit: sharing counts failed; limiting on this instance's counts", "err", err)
			}
		}
	}
}

// sync forgets expired callers, sends the counts of callers that used at least
// 1/rateShareFrom of their limit here, and keeps the other instances' counts.
func (rl *rateLimiter) sync(ctx context.Context) error {
	now := rl.now().Unix()
	start := now - now%rateBucketSecs
	oldest := start - int64(rateWindow/time.Second) + rateBucketSecs
	var mine []marketplace.RateCount
	for i := range rl.shards {
		sh := &rl.shards[i]
		sh.mu.Lock()
		for caller, ctr := range sh.callers {
			used, live := 0, false
			for _, b := range ctr.buckets {
				if b.start >= oldest {
					used += b.n
					live = true
				}
			}
			if !live {
				delete(sh.callers, caller)
				rl.callers.Add(-1)
				continue
			}
			if !ctr.dirty || used*rateShareFrom < ctr.limit {
				continue
			}
			ctr.dirty = false
			for _, b := range ctr.buckets {
				if b.start >= oldest && b.n > 0 {
					mine = append(mine, marketplace.RateCount{Caller: caller, Bucket: time.Unix(b.start, 0), Count: b.n})
				}
			}
		}
		sh.mu.Unlock()
	}
	rl.metrics.rateUsers.Set(float64(rl.callers.Load()))
	others, err := rl.store.SyncRateCounts(ctx, rl.instance, mine, time.Unix(oldest, 0))
	if err != nil {
		return err
	}
	remote := make(map[string]*[rateBuckets]rateBucket, len(others))
	for _, o := range others {
		bs := remote[o.Caller]
		if bs == nil {
			bs = &[rateBuckets]rateBucket{}
			remote[o.Caller] = bs
		}
		s := o.Bucket.Unix()
		bs[(s/rateBucketSecs)%int64(rateBuckets)] = rateBucket{start: s, n: o.Count}
	}
	rl.remote.Store(&remote)
	return nil
}

// close stops sharing counts.
func (rl *rateLimiter) close() { rl.stopOnce.Do(func() { close(rl.stop) }) }
