// Package web is Corridor's Fiber adapter: routes, JSON API handlers, HTML pages (embedded
// templates and static files), middleware (auth, CSRF, limits, request ids) and the OpenAPI
// document. Handlers stay thin: decode, call the marketplace Service, encode.
package web

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// Deps are what the server needs from the rest of Corridor.
type Deps struct {
	Market *marketplace.Service
	Log    *slog.Logger
	// AdminTokenHash is the hex SHA-256 of the admin token (never the token itself).
	AdminTokenHash string
	// Options are the operator's settings: limits, timeouts, trusted proxies, rate limits.
	Options Options
	// Metrics are exported at /metrics; nil gets a fresh set without database pool metrics.
	Metrics *Metrics
	// Ready reports whether the server can take traffic (/readyz): the database answers and
	// its schema is migrated. Nil falls back to pinging the database through Market.
	Ready func(context.Context) error
	// RateCounts shares rate-limit counts with the other instances on the same database; nil
	// limits each instance on its own.
	RateCounts RateCountStore
	// RequestLog writes the access log (Options.AccessLog); nil writes it through Log.
	// JSONRequestLog writes the lines of a JSON Log faster.
	RequestLog RequestLog

	// responses keeps the answers of search, compare and the market page (respcache.go); made
	// by NewServer.
	responses *responseCache
}

// withDefaults fills what a test may leave out.
func (d Deps) withDefaults() Deps {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.RequestLog == nil {
		d.RequestLog = slogRequestLog{d.Log}
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(nil)
	}
	if d.Ready == nil && d.Market != nil {
		d.Ready = d.Market.Ready
	}
	d.Options = d.Options.withDefaults()
	if d.responses == nil && d.Market != nil {
		d.responses = newResponseCache(d.Market.MarketState, d.Options.ResponseCacheBytes)
		d.Metrics.watchResponseCache(d.responses)
	}
	return d
}

// NewServer returns the Fiber app serving the API and the browser UI.
func NewServer(d Deps) *fiber.App {
	d = d.withDefaults()
	o := d.Options
	concurrency := 256 * 1024 // fasthttp's default
	if o.MaxConns > 0 {
		// The connection limiter (Serve) refuses excess connections first, with a problem
		// document; this is fasthttp's own backstop.
		concurrency = o.MaxConns + 64
	}
	app := fiber.New(fiber.Config{
		AppName: "corridor",
		// Bodies are read only when a handler asks, after limitBodies has checked their
		// declared length against the endpoint's limit: a client that announces megabytes and
		// sends one byte costs a read buffer, not megabytes.
		StreamRequestBody:     true,
		BodyLimit:             o.BatchBodyLimit,
		ReadTimeout:           o.ReadTimeout,
		WriteTimeout:          o.WriteTimeout,
		IdleTimeout:           o.IdleTimeout,
		Concurrency:           concurrency,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(d.Log),
		// goccy/go-json writes what encoding/json writes (sorted map keys, <, > and &
		// escaped), about twice as fast: a quote's answer is 33 KB of JSON.
		JSONEncoder: gojson.Marshal,
		// X-Forwarded-Proto (and so c.Protocol, secure cookies and HSTS) counts only from the
		// operator's trusted proxies.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          prefixStrings(o.TrustedProxies),
	})
	limiter := newRateLimiter(d)
	app.Hooks().OnShutdown(func() error { limiter.close(); return nil })
	app.Use(requestID, observe(d), securityHeaders, limiter.handler, limitBodies(o), budget(o), newBudgets(o.Budget).handler)
	addRoutes(app, d)
	return app
}

// requestID gives every request an id, echoed in X-Request-Id, that its access-log line and
// any problem document carry: the caller's own X-Request-Id when it is a sane token (so ids
// can follow a request across services), else a random one.
func requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !saneRequestID(id) {
		id = newRequestID()
	} else {
		id = strings.Clone(id)
	}
	c.Locals("request_id", id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

// newRequestID returns 16 random hex digits: unique enough to find a request in the logs, and
// cheap (ids need not be secret, so no system call for crypto randomness).
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// saneRequestID accepts 1 to 64 characters of letters, digits, '-', '_', '.' and ':'.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// securityHeaders sets the headers every response carries. The CSP forbids inline script and
// any third-party origin: all assets are embedded and served from here.
func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	for _, kv := range securityHeaderValues {
		h.SetCanonical(kv[0], kv[1]) // names already canonical: no per-request normalising
	}
	if c.Protocol() == "https" { // over TLS, or a trusted proxy says so
		h.SetCanonical(hstsHeader[0], hstsHeader[1])
	}
	return c.Next()
}

var (
	securityHeaderValues = [][2][]byte{
		{[]byte("Content-Security-Policy"), []byte("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")},
		{[]byte("X-Content-Type-Options"), []byte("nosniff")},
		{[]byte("X-Frame-Options"), []byte("DENY")},
		{[]byte("Referrer-Policy"), []byte("same-origin")},
		{[]byte("Cross-Origin-Opener-Policy"), []byte("same-origin")},
		{[]byte("Permissions-Policy"), []byte("camera=(), microphone=(), geolocation=()")},
	}
	hstsHeader = [2][]byte{[]byte(fiber.HeaderStrictTransportSecurity), []byte("max-age=" + strconv.Itoa(int(hstsMaxAge.Seconds())))}
)

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
