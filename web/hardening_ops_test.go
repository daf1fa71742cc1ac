package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"

	"corridor/marketplace/store"
)

// fromAddr returns headers that make app.Test's request come from addr through a trusted
// proxy (app.Test's own peer address is 0.0.0.0).
func fromAddr(addr string, more ...string) []string {
	return append([]string{"X-Forwarded-For", addr}, more...)
}

var viaTestProxy = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}

// TestRecoverPanics makes handlers panic in the real server (it has no marketplace to call):
// each request answers 500 problem+json carrying its request id, and the process keeps serving.
func TestRecoverPanics(t *testing.T) {
	var logs bytes.Buffer
	app := NewServer(Deps{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	for i := 0; i < 3; i++ {
		res, err := app.Test(httptest.NewRequest("GET", "/api/v1/regions", nil), -1)
		if err != nil {
			t.Fatalf("request %d: %v (the panic escaped)", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		var p problem
		if res.StatusCode != 500 || res.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil {
			t.Fatalf("panic answered %d %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if p.RequestID == "" || p.RequestID != res.Header.Get("X-Request-Id") || strings.Contains(string(body), "nil pointer") {
			t.Fatalf("problem %+v, X-Request-Id %q", p, res.Header.Get("X-Request-Id"))
		}
	}
	if res, err := app.Test(httptest.NewRequest("GET", "/api/v1/openapi.json", nil), -1); err != nil || res.StatusCode != 200 {
		t.Fatalf("after the panics: %v %v", res, err)
	}
	if !strings.Contains(logs.String(), `"msg":"handler panic"`) || !strings.Contains(logs.String(), "stack") {
		t.Errorf("the panic was not logged with its stack:\n%.1000s", logs.String())
	}
	res, _ := app.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	metrics, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(metrics), "corridor_handler_panics_total 3") {
		t.Errorf("panics not counted:\n%s", grepLines(string(metrics), "panics"))
	}
}

// TestAccessLogAndRequestID checks the JSON access log: one line per request naming its
// request id, route and status; the id is the caller's X-Request-Id when sane (else a new
// one), echoed in the header and in every problem document.
func TestAccessLogAndRequestID(t *testing.T) {
	var logs bytes.Buffer // written before each response or Serve's return: no race
	_, svc, _ := seededApp(t)
	app := NewServer(Deps{Market: svc, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Options: Options{AccessLog: true}})
	req := httptest.NewRequest("GET", "/api/v1/offers/no-such-offer", nil)
	req.Header.Set("X-Request-Id", "trace-abc.123")
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 404 || res.Header.Get("X-Request-Id") != "trace-abc.123" || !strings.Contains(string(body), `"request_id":"trace-abc.123"`) {
		t.Fatalf("%d %q %s", res.StatusCode, res.Header.Get("X-Request-Id"), body)
	}
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, "trace-abc.123") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatalf("access log line is not JSON: %s", l)
			}
		}
	}
	if line["msg"] != "request" || line["status"] != float64(404) || line["route"] != "/api/v1/offers/:id" || line["method"] != "GET" || line["ms"] == nil {
		t.Fatalf("access log line: %v\nall: %s", line, logs.String())
	}
	for _, bad := range []string{"has space", strings.Repeat("x", 65), "new\nline", "<script>"} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header["X-Request-Id"] = []string{bad}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get("X-Request-Id"); got == bad || !saneRequestID(got) {
			t.Errorf("X-Request-Id %q echoed as %q", bad, got)
		}
	}
}

// TestReadyz checks /readyz: ready on a migrated database; 503 naming the problem when a
// table is missing or the database is gone, while /healthz stays a liveness probe.
func TestReadyz(t *testing.T) {
	st := store.OpenTest(t)
	_, svc, _ := seededApp(t)
	app := NewServer(Deps{Market: svc, Ready: st.Ready})
	if code, _, body := call(t, app, "GET", "/readyz", ""); code != 200 || !strings.Contains(body, "ready") {
		t.Fatalf("ready database: %d %s", code, body)
	}
	if err := st.Pool().QueryRow("SELECT 1").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec("DROP TABLE rate_limit_counts"); err != nil {
		t.Fatal(err)
	}
	if code, ctype, body := call(t, app, "GET", "/readyz", ""); code != 503 || ctype != "application/problem+json" || !strings.Contains(body, "rate_limit_counts") {
		t.Fatalf("missing table: %d %s", code, body)
	}
	st.Close()
	if code, _, body := call(t, app, "GET", "/readyz", ""); code != 503 || !strings.Contains(body, "unreachable") {
		t.Fatalf("closed database: %d %s", code, body)
	}
}

// TestMetrics checks /metrics after a few requests: counts and latency histograms per route
// and status, quotes and orders created, rejected requests by reason, the database pool.
func TestMetrics(t *testing.T) {
	_, svc, st := seededApp(t)
	metrics := NewMetrics(st.Pool())
	app := NewServer(Deps{Market: svc, AdminTokenHash: sha256Hex(testAdminToken), Metrics: metrics})
	metrics.ObserveWALRestart(3*time.Millisecond, true) // what the SQLite checkpointer reports (cmd/corridor wires it)
	metrics.ObserveWALRestart(120*time.Millisecond, false)
	quote := `{"offer_id":"demo-offer-001","gpus":8,"hours":720,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`
	_, buyerKey, err := svc.CreateBuyer(context.Background(), marketplace.NewBuyer{Organisation: "Metrics GmbH", Country: "DE", Type: "business", VATID: "DE123456789"})
	if err != nil {
		t.Fatal(err)
	}
	code, _, body := call(t, app, "POST", "/api/v1/quotes", quote, "Authorization", "Bearer "+buyerKey) // the body says what the account says
	if code != 201 {
		t.Fatalf("quote: %d %s", code, body)
	}
	var q struct{ ID string }
	decode(t, body, &q)
	if code, _, body := call(t, app, "POST", "/api/v1/quotes/"+q.ID+"/accept", "", "Authorization", "Bearer "+buyerKey); code != 201 {
		t.Fatalf("accept: %d %s", code, body)
	}
	call(t, app, "POST", "/api/v1/quotes", `{"gpus":"x"}`)
	call(t, app, "DELETE", "/api/v1/regions", "")
	_, ctype, text := call(t, app, "GET", "/metrics", "")
	if !strings.HasPrefix(ctype, "text/plain") {
		t.Fatalf("content type %q", ctype)
	}
	for _, want := range []string{
		`corridor_http_requests_total{method="POST",route="/api/v1/quotes",status="201"} 1`,
		`corridor_http_requests_total{method="POST",route="/api/v1/quotes",status="400"} 1`,
		`corridor_http_request_duration_seconds_bucket{method="POST",route="/api/v1/quotes",status="201",le="+Inf"} 1`,
		`corridor_http_request_duration_seconds_count{method="POST",route="/api/v1/quotes/:id/accept",status="201"} 1`,
		`corridor_quotes_created_total{channel="api"} 1`,
		`corridor_orders_created_total{channel="api"} 1`,
		`corridor_rejected_requests_total{reason="invalid"} 1`,
		`corridor_rejected_requests_total{reason="method_not_allowed"} 1`,
		`go_sql_max_open_connections{db_name="corridor"}`,
		`corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="restarted",le="0.0025"} 0`,
		`corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="restarted",le="0.005"} 1`,
		`corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="readers_stayed",le="0.25"} 1`,
		`corridor_http_requests_in_flight 1`, // the /metrics request itself
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("%s", grepLines(text, "corridor_"))
	}
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRateLimits checks the per-caller limits on one instance: anonymous callers by address,
// suppliers by key, the admin exempt, made-up keys charged to the address, probes exempt; a
// refusal is 429 problem+json with Retry-After.
func TestRateLimits(t *testing.T) {
	e := newSupplyEnv(t)
	_, key := e.supplier("Rate Limited Compute")
	app := NewServer(Deps{Market: e.market, AdminTokenHash: sha256Hex(testAdminToken),
		Options: Options{TrustedProxies: viaTestProxy, RateLimits: RateLimits{Anonymous: 5, Supplier: 8}}})
	get := func(path string, headers ...string) resp {
		e.app = app
		return e.do("GET", path, "", headers...)
	}
	for i := 1; i <= 5; i++ {
		if r := get("/api/v1/regions", fromAddr("203.0.113.1")...); r.status != 200 {
			t.Fatalf("anonymous request %d: %d", i, r.status)
		}
	}
	r := get("/api/v1/regions", fromAddr("203.0.113.1")...)
	retry, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != 429 || r.ctype != "application/problem+json" || retry < 1 || retry > 60 || !strings.Contains(string(r.body), "request_id") {
		t.Fatalf("6th anonymous request: %d %q Retry-After %q %s", r.status, r.ctype, r.header.Get("Retry-After"), r.body)
	}
	if r := get("/api/v1/regions", fromAddr("203.0.113.2")...); r.status != 200 {
		t.Fatalf("another address was limited too: %d", r.status)
	}
	if r := get("/healthz", fromAddr("203.0.113.1")...); r.status != 200 {
		t.Fatalf("a probe was limited: %d", r.status)
	}
	// IPv6 callers are counted per /64.
	for i := 1; i <= 5; i++ {
		get("/api/v1/regions", fromAddr("2001:db8:1:2::"+strconv.Itoa(i))...)
	}
	if r := get("/api/v1/regions", fromAddr("2001:db8:1:2::99")...); r.status != 429 {
		t.Fatalf("a /64 escaped its limit: %d", r.status)
	}
	// A supplier has its own budget, even from a limited address.
	for i := 1; i <= 8; i++ {
		if r := get("/api/v1/orders", fromAddr("203.0.113.1", bearerH(key)...)...); r.status != 200 {
			t.Fatalf("supplier request %d: %d %s", i, r.status, r.body)
		}
	}
	if r := get("/api/v1/orders", fromAddr("203.0.113.3", bearerH(key)...)...); r.status != 429 {
		t.Fatalf("9th supplier request (other address): %d", r.status)
	}
	// The admin is not limited.
	for i := 1; i <= 12; i++ {
		if r := get("/api/v1/regions", fromAddr("203.0.113.1", bearerH(testAdminToken)...)...); r.status != 200 {
			t.Fatalf("admin request %d: %d", i, r.status)
		}
	}
	// Made-up keys are charged to the address: after 5 failures the 6th is refused unread.
	for i := 1; i <= 5; i++ {
		forged := "csk_" + strings.Repeat(strconv.Itoa(i), 16) + "_" + strings.Repeat("0", 64)
		if r := get("/api/v1/orders", fromAddr("203.0.113.4", bearerH(forged)...)...); r.status != 401 {
			t.Fatalf("forged key %d: %d", i, r.status)
		}
	}
	forged := "csk_" + strings.Repeat("7", 16) + "_" + strings.Repeat("0", 64)
	if r := get("/api/v1/orders", fromAddr("203.0.113.4", bearerH(forged)...)...); r.status != 429 || !strings.Contains(string(r.body), "failed authentications") {
		t.Fatalf("6th forged key: %d %s", r.status, r.body)
	}
}

// TestRateWindowSlides checks the sliding minute with a fake clock: a refused caller's
// Retry-After is when enough of its earlier requests leave the window, and it is then admitted.
func TestRateWindowSlides(t *testing.T) {
	now := time.Unix(1_800_000_000, 0) // a bucket boundary: 1_800_000_000 % 10 == 0
	rl := newRateLimiter(Deps{Options: Options{RateLimits: RateLimits{Anonymous: 4}}}.withDefaults())
	rl.now = func() time.Time { return now }
	// 2 requests at t=0, 2 at t=25: the limit of 4 is used.
	for _, at := range []int{0, 0, 25, 25} {
		now = time.Unix(1_800_000_000+int64(at), 0)
		if ok, _ := rl.take("a:x", 4, true); !ok {
			t.Fatalf("request at %ds refused", at)
		}
	}
	now = time.Unix(1_800_000_000+30, 0)
	ok, retry := rl.take("a:x", 4, true)
	// The bucket [0,10) stops counting at 60 s: 30 s from now.
	if ok || retry != 30 {
		t.Fatalf("at 30 s: ok=%v retry=%d, want refused with retry 30", ok, retry)
	}
	now = time.Unix(1_800_000_000+60, 0)
	if ok, _ := rl.take("a:x", 4, true); !ok {
		t.Fatal("at 60 s the first two requests left the window, but the caller is still refused")
	}
}

// TestRateLimitAcrossInstances runs two servers on one database (a PostgreSQL schema when
// CORRIDOR_TEST_POSTGRES is set, else one SQLite file): a caller's requests at one count
// against its limit at the other once the instances have shared their counts.
func TestRateLimitAcrossInstances(t *testing.T) {
	old := rateSyncEvery
	rateSyncEvery = 50 * time.Millisecond
	t.Cleanup(func() { rateSyncEvery = old })
	dsn := store.TestDSN(t)
	var apps []*fiber.App
	for i := 0; i < 2; i++ {
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		e := envOn(t, st)
		app := NewServer(Deps{Market: e.market, RateCounts: st, Options: Options{TrustedProxies: viaTestProxy, RateLimits: RateLimits{Anonymous: 10}}})
		t.Cleanup(func() { app.Shutdown() })
		apps = append(apps, app)
	}
	hit := func(app *fiber.App) int {
		req := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
		req.Header.Set("X-Forwarded-For", "198.51.100.7")
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := 0; i < 6; i++ {
		if code := hit(apps[0]); code != 200 {
			t.Fatalf("instance A request %d: %d", i, code)
		}
	}
	time.Sleep(400 * time.Millisecond) // several sync rounds
	admitted := 0
	for i := 0; i < 10; i++ {
		if hit(apps[1]) == 200 {
			admitted++
		}
	}
	// 6 at A + 4 at B = the limit of 10.
	if admitted != 4 {
		t.Fatalf("instance B admitted %d of the caller's requests after A admitted 6; want 4 (limit 10)", admitted)
	}
	time.Sleep(400 * time.Millisecond)
	if code := hit(apps[0]); code != 429 {
		t.Fatalf("instance A after B's share: %d, want 429", code)
	}
}

// TestGracefulShutdown serves a slow request and a stalled client, then cancels: the slow
// request finishes, new connections are refused, the stalled one is closed after the grace
// period, and Serve returns nil (the process would exit 0) saying so in the log.
func TestGracefulShutdown(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/slow", func(c *fiber.Ctx) error {
		time.Sleep(400 * time.Millisecond)
		return c.SendString("finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer // written before each response or Serve's return: no race
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, app, ln, nil, Deps{Log: slog.New(slog.NewJSONHandler(&logs, nil)), Options: Options{ShutdownGrace: 700 * time.Millisecond}})
	}()
	addr := ln.Addr().String()
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	stalled.Write([]byte("GET /slow HTTP/1.1\r\nHost: x\r\n")) // and never the blank line
	slow := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		slow <- string(b)
	}()
	time.Sleep(150 * time.Millisecond) // the slow request is in its handler
	start := time.Now()
	cancel()
	time.Sleep(50 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		c.Close()
		t.Error("a new connection was accepted during shutdown")
	}
	if got := <-slow; got != "finished" {
		t.Errorf("the request in flight got %q", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return 5 s after the grace period")
	}
	if took := time.Since(start); took < 600*time.Millisecond || took > 3*time.Second {
		t.Errorf("shutdown took %s with a 700ms grace period", took)
	}
	stalled.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := bufio.NewReader(stalled).ReadByte(); err == nil {
		t.Error("the stalled connection got an answer instead of being closed")
	}
	for _, want := range []string{"shutting down", "closed connections still open after the grace period", `"connections":1`, "shut down cleanly"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestConnectionCaps checks the caps on open connections over real sockets: beyond the
// per-address cap a connection is answered 429, beyond the total cap 503, each with a problem
// document, Retry-After and X-Request-Id, and closed; trusted proxies are spared the
// per-address cap; closing a connection frees its place.
func TestConnectionCaps(t *testing.T) {
	serve := func(o Options) (string, *Metrics) {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		d := Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: NewMetrics(nil), Options: o}
		done := make(chan error, 1)
		go func() { done <- Serve(ctx, app, ln, nil, d) }()
		t.Cleanup(func() { cancel(); <-done })
		return ln.Addr().String(), d.Metrics
	}
	hold := func(addr string, n int) []net.Conn {
		var conns []net.Conn
		for i := 0; i < n; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			conns = append(conns, c)
		}
		time.Sleep(100 * time.Millisecond) // accepted
		return conns
	}
	refused := func(addr string) *http.Response {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		return res
	}
	addr, m := serve(Options{MaxConnsPerIP: 2})
	hold(addr, 2)
	res := refused(addr)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 429 || res.Header.Get("Content-Type") != "application/problem+json" || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), `"request_id":"`+res.Header.Get("X-Request-Id")+`"`) || !json.Valid(body) {
		t.Fatalf("third connection from one address: %d %v %s", res.StatusCode, res.Header, body)
	}
	if got := testutilCount(t, m, `corridor_rejected_requests_total{reason="connection_limit_per_ip"}`); got != "1" {
		t.Errorf("rejections counted: %q", got)
	}

	addr, _ = serve(Options{MaxConnsPerIP: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	hold(addr, 3)
	if res := refused(addr); res.StatusCode != 200 {
		t.Fatalf("a trusted proxy's fourth connection: %d", res.StatusCode)
	}

	addr, _ = serve(Options{MaxConns: 3})
	conns := hold(addr, 3)
	if res := refused(addr); res.StatusCode != 503 {
		t.Fatalf("fourth connection with a total cap of 3: %d", res.StatusCode)
	}
	conns[0].Close()
	time.Sleep(100 * time.Millisecond)
	if res := refused(addr); res.StatusCode != 200 {
		t.Fatalf("after one closed, a new connection: %d", res.StatusCode)
	}
}

// testutilCount reads one sample of the metrics' text exposition.
func testutilCount(t *testing.T, m *Metrics, series string) string {
	t.Helper()
	app := fiber.New()
	app.Get("/metrics", m.handler())
	res, err := app.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}
