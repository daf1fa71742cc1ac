package main

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/web"
)

// serveFlags registers the HTTP server's operational flags, each defaulting to its
// environment variable or else to web.DefaultOptions; finish turns them into web.Options once
// the flags are parsed. docs/operations.md lists them.
type serveFlags struct {
	trustedProxies, maxBody, maxBatchBody, responseCache, logFormat, tlsCert, tlsKey string
	maxConns, maxConnsPerIP, rateAnon, rateSupplier, rateAdmin                       int
	budgetSlots, budgetQuoteSlots, budgetQueue, maxActiveOffers                      int
	readTimeout, writeTimeout, idleTimeout, shutdownGrace, budgetWait                time.Duration
	accessLog                                                                        bool
	envErr                                                                           error

	// The database pool (store.Pool); 0 takes the default, and 0 for a duration is no limit.
	dbMaxConns, dbMaxIdleConns    int
	dbConnLifetime, dbConnIdleFor time.Duration

	requestBudget time.Duration // 0: none
}

func registerServeFlags(fs *flag.FlagSet, getenv func(string) string) *serveFlags {
	d := web.DefaultOptions()
	f := &serveFlags{}
	str := func(p *string, name, env, def, usage string) {
		fs.StringVar(p, name, envOr(getenv, env, def), usage+" (env "+env+")")
	}
	num := func(p *int, name, env string, def int, usage string) {
		v := def
		if s := getenv(env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				f.envErr = fmt.Errorf("%s must be a whole number ≥ 0, not %q", env, s)
			}
			v = n
		}
		fs.IntVar(p, name, v, usage+" (env "+env+")")
	}
	dur := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		v := def
		if s := getenv(env); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				f.envErr = fmt.Errorf("%s must be a duration like 30s, not %q", env, s)
			}
			v = d
		}
		fs.DurationVar(p, name, v, usage+" (env "+env+")")
	}
	prefixes := make([]string, len(d.TrustedProxies))
	for i, p := range d.TrustedProxies {
		prefixes[i] = p.String()
	}
	str(&f.trustedProxies, "trusted-proxies", "CORRIDOR_TRUSTED_PROXIES", strings.Join(prefixes, ","),
		`comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed ("" for none)`)
	str(&f.maxBody, "max-body", "CORRIDOR_MAX_BODY", "64KiB", "largest request body, except the document endpoints")
	str(&f.maxBatchBody, "max-batch-body", "CORRIDOR_MAX_BATCH_BODY", "4MiB", "largest body of POST /api/v1/offers/batch and /api/v1/policies")
	str(&f.responseCache, "response-cache", "CORRIDOR_RESPONSE_CACHE", "16MiB", "bytes of answers kept for search, compare and the market page while the market is unchanged (0: off)")
	num(&f.maxConns, "max-conns", "CORRIDOR_MAX_CONNS", d.MaxConns, "most open connections in total (0: no cap)")
	num(&f.maxConnsPerIP, "max-conns-per-ip", "CORRIDOR_MAX_CONNS_PER_IP", d.MaxConnsPerIP, "most open connections per client address, trusted proxies excepted (0: no cap)")
	dur(&f.readTimeout, "read-timeout", "CORRIDOR_READ_TIMEOUT", d.ReadTimeout, "longest time to read one request, headers and body")
	dur(&f.writeTimeout, "write-timeout", "CORRIDOR_WRITE_TIMEOUT", d.WriteTimeout, "longest time to write one response")
	dur(&f.idleTimeout, "idle-timeout", "CORRIDOR_IDLE_TIMEOUT", d.IdleTimeout, "longest wait for the next request on a kept-alive connection")
	dur(&f.shutdownGrace, "shutdown-grace", "CORRIDOR_SHUTDOWN_GRACE", d.ShutdownGrace, "on SIGTERM, how long requests in flight may take before connections are closed")
	num(&f.rateAnon, "rate-limit-anonymous", "CORRIDOR_RATE_LIMIT_ANONYMOUS", d.RateLimits.Anonymous, "requests per minute per anonymous client address (0: unlimited)")
	num(&f.rateSupplier, "rate-limit-supplier", "CORRIDOR_RATE_LIMIT_SUPPLIER", d.RateLimits.Supplier, "requests per minute per supplier API key (0: unlimited)")
	num(&f.rateAdmin, "rate-limit-admin", "CORRIDOR_RATE_LIMIT_ADMIN", d.RateLimits.Admin, "requests per minute with the admin token (0: unlimited)")
	// 0 is a valid duration here (no limit), unlike the timeouts above.
	poolDur := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		v := def
		if s := getenv(env); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				f.envErr = fmt.Errorf("%s must be a duration like 30m (0: no limit), not %q", env, s)
			}
			v = d
		}
		fs.DurationVar(p, name, v, usage+" (env "+env+")")
	}
	dp := store.PoolDefaults(store.Pool{}, false)
	num(&f.dbMaxConns, "db-max-conns", "CORRIDOR_DB_MAX_CONNS", 0, "most open database connections (0: 20 on PostgreSQL, 8 on SQLite)")
	num(&f.dbMaxIdleConns, "db-max-idle-conns", "CORRIDOR_DB_MAX_IDLE_CONNS", 0, "database connections kept open when idle (0: as many as --db-max-conns)")
	poolDur(&f.dbConnLifetime, "db-conn-max-lifetime", "CORRIDOR_DB_CONN_MAX_LIFETIME", dp.MaxLifetime, "close a database connection this long after it was opened (0: never)")
	poolDur(&f.dbConnIdleFor, "db-conn-max-idle-time", "CORRIDOR_DB_CONN_MAX_IDLE_TIME", dp.MaxIdleTime, "close a database connection unused this long (0: never)")
	poolDur(&f.requestBudget, "request-budget", "CORRIDOR_REQUEST_BUDGET", d.RequestBudget, "stop a request running longer than this and answer 503 with Retry-After (0: no budget)")
	num(&f.budgetSlots, "budget-slots", "CORRIDOR_BUDGET_SLOTS", d.Budget.Slots, "compare requests, and market pages, running at once (0: no budget for any expensive class)")
	num(&f.budgetQuoteSlots, "budget-quote-slots", "CORRIDOR_BUDGET_QUOTE_SLOTS", d.Budget.QuoteSlots, "quote requests running at once (0: as --budget-slots)")
	num(&f.budgetQueue, "budget-queue", "CORRIDOR_BUDGET_QUEUE", d.Budget.Queue, "requests of each expensive class waiting for a slot; more are refused with 503")
	num(&f.maxActiveOffers, "max-active-offers", "CORRIDOR_MAX_ACTIVE_OFFERS", marketplace.DefaultMaxActiveOffers, "active offers one supplier may have (0: no cap)")
	dur(&f.budgetWait, "budget-wait", "CORRIDOR_BUDGET_WAIT", d.Budget.Wait, "longest wait for a slot of an expensive class before 503")
	accessLog := d.AccessLog
	if s := getenv("CORRIDOR_ACCESS_LOG"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			f.envErr = fmt.Errorf("CORRIDOR_ACCESS_LOG must be true or false, not %q", s)
		}
		accessLog = b
	}
	fs.BoolVar(&f.accessLog, "access-log", accessLog, "log one JSON line per request (env CORRIDOR_ACCESS_LOG)")
	str(&f.logFormat, "log-format", "CORRIDOR_LOG_FORMAT", "json", "log format: json or text")
	str(&f.tlsCert, "tls-cert", "CORRIDOR_TLS_CERT", "", "serve HTTPS with this PEM certificate (with --tls-key)")
	str(&f.tlsKey, "tls-key", "CORRIDOR_TLS_KEY", "", "the PEM private key of --tls-cert")
	return f
}

// pool returns the database pool the flags ask for (store.PoolDefaults fills in the zeros).
func (f *serveFlags) pool() (store.Pool, error) {
	if f.envErr != nil {
		return store.Pool{}, f.envErr
	}
	if f.dbMaxConns < 0 || f.dbMaxIdleConns < 0 {
		return store.Pool{}, fmt.Errorf("--db-max-conns and --db-max-idle-conns must be ≥ 0 (0: the default)")
	}
	if f.dbMaxIdleConns > 0 && f.dbMaxConns > 0 && f.dbMaxIdleConns > f.dbMaxConns {
		return store.Pool{}, fmt.Errorf("--db-max-idle-conns (%d) cannot exceed --db-max-conns (%d)", f.dbMaxIdleConns, f.dbMaxConns)
	}
	if f.dbConnLifetime < 0 || f.dbConnIdleFor < 0 {
		return store.Pool{}, fmt.Errorf("database connection durations must be ≥ 0 (0: no limit)")
	}
	noLimit := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1
		}
		return d
	}
	return store.Pool{MaxOpen: f.dbMaxConns, MaxIdle: f.dbMaxIdleConns, MaxLifetime: noLimit(f.dbConnLifetime), MaxIdleTime: noLimit(f.dbConnIdleFor)}, nil
}

// options checks the parsed flags and returns the server's options.
func (f *serveFlags) options() (web.Options, error) {
	if f.envErr != nil {
		return web.Options{}, f.envErr
	}
	o := web.Options{MaxConns: f.maxConns, MaxConnsPerIP: f.maxConnsPerIP, ReadTimeout: f.readTimeout, WriteTimeout: f.writeTimeout,
		IdleTimeout: f.idleTimeout, ShutdownGrace: f.shutdownGrace, AccessLog: f.accessLog,
		RateLimits: web.RateLimits{Anonymous: f.rateAnon, Supplier: f.rateSupplier, Admin: f.rateAdmin}, RequestBudget: f.requestBudget,
		Budget: web.Budget{Slots: f.budgetSlots, QuoteSlots: f.budgetQuoteSlots, Queue: f.budgetQueue, Wait: f.budgetWait}}
	switch {
	case f.requestBudget == 0:
		o.RequestBudget = -1 // none
	case f.requestBudget < 0:
		return o, fmt.Errorf("--request-budget must be ≥ 0 (0: none), not %s", f.requestBudget)
	}
	for _, n := range []int{f.maxConns, f.maxConnsPerIP, f.rateAnon, f.rateSupplier, f.rateAdmin, f.budgetSlots, f.budgetQuoteSlots, f.budgetQueue} {
		if n < 0 {
			return o, fmt.Errorf("limits must be ≥ 0 (0 means none), not %d", n)
		}
	}
	for _, d := range []time.Duration{f.readTimeout, f.writeTimeout, f.idleTimeout, f.shutdownGrace, f.budgetWait} {
		if d <= 0 {
			return o, fmt.Errorf("timeouts must be positive, not %s", d)
		}
	}
	var err error
	if o.BodyLimit, err = parseSize("--max-body", f.maxBody); err != nil {
		return o, err
	}
	if o.BatchBodyLimit, err = parseSize("--max-batch-body", f.maxBatchBody); err != nil {
		return o, err
	}
	if strings.TrimSpace(f.responseCache) == "0" {
		o.ResponseCacheBytes = -1 // off
	} else if o.ResponseCacheBytes, err = parseSize("--response-cache", f.responseCache); err != nil {
		return o, err
	}
	for _, s := range strings.Split(f.trustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return o, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		o.TrustedProxies = append(o.TrustedProxies, p.Masked())
	}
	if f.logFormat != "json" && f.logFormat != "text" {
		return o, fmt.Errorf("--log-format must be json or text, not %q", f.logFormat)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return o, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	return o, nil
}

// parseSize reads a byte count: 65536, 64KiB, 4MiB (KB and MB are read as KiB and MiB).
func parseSize(flag, s string) (int, error) {
	t := strings.TrimSpace(s)
	mult := 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"KiB", 1 << 10}, {"KB", 1 << 10}, {"K", 1 << 10}, {"MiB", 1 << 20}, {"MB", 1 << 20}, {"M", 1 << 20}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 || n > (1<<30)/mult {
		return 0, fmt.Errorf("%s must be a size like 65536, 64KiB or 4MiB (at most 1GiB), not %q", flag, s)
	}
	return n * mult, nil
}
