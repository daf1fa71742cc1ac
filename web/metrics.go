package web

import (
	"database/sql"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics one Corridor process exports at /metrics. Each server
// has its own registry, so tests can run many servers in one process.
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	inFlight  prometheus.Gauge
	rejected  *prometheus.CounterVec
	quotes    *prometheus.CounterVec
	orders    *prometheus.CounterVec
	conns     prometheus.Gauge
	panics    prometheus.Counter
	rateUsers prometheus.Gauge
	walHold   *prometheus.HistogramVec

	series sync.Map // seriesKey → *series: the label lookups done once per route, method and status
}

type seriesKey struct {
	route  *fiber.Route
	method string
	status int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// NewMetrics registers Corridor's metrics, the Go runtime's and the process's, and the
// database pool's when db is not nil.
func NewMetrics(db *sql.DB) *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.registry.MustRegister(c) }
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "corridor_http_requests_total",
		Help: "HTTP requests by method, route pattern and status."}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "corridor_http_request_duration_seconds",
		Help:    "Time from the request's headers to its response, by method, route pattern and status.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route", "status"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "corridor_http_requests_in_flight", Help: "Requests being handled now."})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "corridor_rejected_requests_total",
		Help: "Requests and connections refused, by reason: invalid, unauthorized, forbidden, method_not_allowed, body_too_large, unsupported_encoding, length_required, rate_limited, connection_limit, connection_limit_per_ip, unavailable."}, []string{"reason"})
	m.quotes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "corridor_quotes_created_total",
		Help: "Quotes created, by channel (api, page)."}, []string{"channel"})
	m.orders = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "corridor_orders_created_total",
		Help: "Orders created by accepting a quote, by channel (api: 201 responses; page: accept forms that reached an order page)."}, []string{"channel"})
	m.conns = prometheus.NewGauge(prometheus.GaugeOpts{Name: "corridor_http_connections_open", Help: "Open client connections."})
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{Name: "corridor_handler_panics_total", Help: "Handler panics recovered (each answered 500)."})
	m.rateUsers = prometheus.NewGauge(prometheus.GaugeOpts{Name: "corridor_rate_limit_clients", Help: "Callers the rate limiter tracks."})
	m.walHold = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "corridor_sqlite_wal_restart_hold_seconds",
		Help:    "SQLite: how long each restart of the WAL held the quote writer back, by outcome (restarted; readers_stayed: tried again at the next checkpoint).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25}}, []string{"outcome"})
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.inFlight, m.rejected, m.quotes, m.orders, m.conns, m.panics, m.rateUsers, m.walHold,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	if db != nil {
		f(collectors.NewDBStatsCollector(db, "corridor"))
	}
	return m
}

// ObserveWALRestart records one restart of SQLite's WAL (store.Store.OnWALRestart).
func (m *Metrics) ObserveWALRestart(held time.Duration, done bool) {
	outcome := "restarted"
	if !done {
		outcome = "readers_stayed"
	}
	m.walHold.WithLabelValues(outcome).Observe(held.Seconds())
}

// reject counts one refused request or connection.
func (m *Metrics) reject(reason string) { m.rejected.WithLabelValues(reason).Inc() }

// rejectReasons names the refusals by status, for corridor_rejected_requests_total.
var rejectReasons = map[int]string{
	400: "invalid", 401: "unauthorized", 403: "forbidden", 405: "method_not_allowed", 411: "length_required",
	413: "body_too_large", 415: "unsupported_encoding", 429: "rate_limited", 503: "unavailable",
}

// methodLabel returns a constant string for method (Fiber reuses the request's bytes, and the
// registry keeps label values) and folds unknown methods into OTHER, bounding the series.
func methodLabel(method string) string {
	for _, m := range []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPatch, fiber.MethodDelete, fiber.MethodPut, fiber.MethodHead, fiber.MethodOptions} {
		if method == m {
			return m
		}
	}
	return "OTHER"
}

// observe records one finished request of route.
func (m *Metrics) observe(method string, r *fiber.Route, status int, seconds float64) {
	method = methodLabel(method)
	k := seriesKey{r, method, status}
	v, ok := m.series.Load(k)
	if !ok {
		code := strconv.Itoa(status)
		v, _ = m.series.LoadOrStore(k, &series{m.requests.WithLabelValues(method, r.Path, code), m.latency.WithLabelValues(method, r.Path, code)})
	}
	s := v.(*series)
	s.requests.Inc()
	s.latency.Observe(seconds)
	route := r.Path
	if reason, ok := rejectReasons[status]; ok {
		m.reject(reason)
	}
	switch {
	case method == fiber.MethodPost && route == "/api/v1/quotes" && status == fiber.StatusCreated:
		m.quotes.WithLabelValues("api").Inc()
	case method == fiber.MethodPost && route == "/quotes" && status == fiber.StatusSeeOther:
		m.quotes.WithLabelValues("page").Inc()
	case method == fiber.MethodPost && route == "/api/v1/quotes/:id/accept" && status == fiber.StatusCreated:
		m.orders.WithLabelValues("api").Inc()
	case method == fiber.MethodPost && route == "/quotes/:id/accept" && status == fiber.StatusSeeOther:
		m.orders.WithLabelValues("page").Inc()
	}
}

// handler serves the registry in the Prometheus text format.
func (m *Metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}
