package web

import (
	"net/netip"
	"time"
)

// Options are the operator's settings of the HTTP server: the flags and environment of
// `corridor serve` (docs/operations.md lists them with their defaults, which DefaultOptions
// returns). In the zero value, connection caps and rate limits are off and the other settings
// take their defaults: that is what tests get from NewServer(Deps{...}).
type Options struct {
	// TrustedProxies are the addresses of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed, and which the per-address connection cap spares.
	// Requests from anywhere else are taken at face value: their socket address is the client
	// and their scheme is the connection's.
	TrustedProxies []netip.Prefix

	// BodyLimit bounds request bodies (bytes) except on the endpoints that take documents,
	// which BatchBodyLimit bounds (POST /api/v1/offers/batch, /api/v1/policies and /api/v1/effects).
	BodyLimit      int
	BatchBodyLimit int

	// MaxConns caps open connections in total, MaxConnsPerIP per client address (trusted
	// proxies excepted); 0 is no cap.
	MaxConns      int
	MaxConnsPerIP int

	// ReadTimeout bounds reading one request (headers and body), WriteTimeout writing one
	// response, IdleTimeout a kept-alive connection's wait for the next request.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration

	// ShutdownGrace is how long a shutdown waits for requests in flight before closing the
	// connections that are left.
	ShutdownGrace time.Duration

	// RateLimits are requests per minute per caller; zero fields are unlimited.
	RateLimits RateLimits

	// AccessLog logs one JSON line per request.
	AccessLog bool

	// RequestBudget is how long a request may run before its context ends and it is answered
	// 503 with Retry-After (requestbudget.go); 0 is the default (10 s), negative is no budget.
	RequestBudget time.Duration

	// Budget bounds how many requests of each expensive class (compare, market page, quotes)
	// run at once; the zero value is no budget.
	Budget Budget

	// ResponseCacheBytes bounds the bodies the response cache of search, compare and the market
	// page keeps (respcache.go); 0 is the default (16 MiB), negative turns the cache off.
	ResponseCacheBytes int
}

// RateLimits are requests per minute, over a sliding minute, per caller: anonymous callers by
// address (IPv6 by /64), suppliers by API key, the admin by its token. 0 is unlimited.
type RateLimits struct {
	Anonymous int
	Supplier  int
	Admin     int
}

// DefaultOptions are the settings `corridor serve` starts with.
func DefaultOptions() Options {
	return Options{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		BodyLimit:      defaultBodyLimit,
		BatchBodyLimit: defaultBatchBodyLimit,
		MaxConns:       2048,
		MaxConnsPerIP:  128,
		ReadTimeout:    defaultReadTimeout,
		WriteTimeout:   defaultWriteTimeout,
		IdleTimeout:    defaultIdleTimeout,
		ShutdownGrace:  defaultShutdownGrace,
		RateLimits:     RateLimits{Anonymous: 600, Supplier: 1200},
		AccessLog:      true,
		RequestBudget:  defaultRequestBudget,
		Budget:         Budget{Slots: 4, QuoteSlots: 32, Queue: 1024, Wait: defaultBudgetWait},
	}
}

const (
	defaultBodyLimit      = 64 << 10
	defaultBatchBodyLimit = 4 << 20 // a batch of 1000 offers fits with room to spare
	defaultReadTimeout    = 30 * time.Second
	defaultWriteTimeout   = 60 * time.Second
	defaultIdleTimeout    = 120 * time.Second
	defaultShutdownGrace  = 10 * time.Second
	defaultRequestBudget  = 10 * time.Second
	defaultResponseCache  = 16 << 20 // a cached byte costs about two of RSS (Go's heap grows to twice what is live)
)

// withDefaults fills the settings whose zero value means "the default".
func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.BodyLimit, defaultBodyLimit)
	def(&o.BatchBodyLimit, defaultBatchBodyLimit)
	defDur(&o.ReadTimeout, defaultReadTimeout)
	defDur(&o.WriteTimeout, defaultWriteTimeout)
	defDur(&o.IdleTimeout, defaultIdleTimeout)
	defDur(&o.ShutdownGrace, defaultShutdownGrace)
	if o.RequestBudget == 0 {
		o.RequestBudget = defaultRequestBudget
	}
	if o.ResponseCacheBytes == 0 {
		o.ResponseCacheBytes = defaultResponseCache
	}
	return o
}

// hstsMaxAge is how long browsers remember to use HTTPS only, once told over HTTPS.
const hstsMaxAge = 365 * 24 * time.Hour
