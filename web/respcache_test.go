package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/marketplace/store"
)

// TestResponseCacheIsExact drives two servers over one database and one clock — one keeping
// answers (respcache.go), one computing every answer — through searches, comparisons and
// market pages between writes of every kind the answers depend on, made by either server or by
// a third on the same database (another process, as far as the cache can tell): after each
// write, each request's answer from the cache must be byte for byte the fresh one, and asking
// twice must be answered from the cache the second time. On SQLite and, with
// CORRIDOR_TEST_POSTGRES, PostgreSQL (the counter is kept by triggers on both).
func TestResponseCacheIsExact(t *testing.T) {
	clock := testClock
	now := func() time.Time { return clock }
	m, st := seededMarket(t, now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rc := newResponseCache(m.MarketState, 8<<20)
	cached := NewServer(Deps{Market: m, Log: log, AdminTokenHash: sha256Hex(testAdminToken), responses: rc})
	fresh := NewServer(Deps{Market: m, Log: log, AdminTokenHash: sha256Hex(testAdminToken), Options: Options{ResponseCacheBytes: -1}})
	// another process on the same database: its own service, so nothing in memory is shared
	other := &supplyEnv{t: t, app: NewServer(Deps{Market: marketplace.NewService(st, now), Log: log, AdminTokenHash: sha256Hex(testAdminToken)}), st: st}
	e := &supplyEnv{t: t, app: cached, st: st, market: m}

	compare := `{"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","limit":5}`
	compareCN := `{"accelerator":"h100-sxm","gpus":1,"hours":10,"buyer":{"country":"CN","type":"business"},"currency":"CNY"}`
	type request struct{ method, path, body, lang string }
	requests := []request{
		{"GET", "/api/v1/offers?q=&sort=price&limit=50", "", ""},
		{"GET", "/api/v1/offers?q=accelerator%3Dh100-sxm&sort=price", "", ""},
		{"GET", "/api/v1/offers?q=bloc%3DCN%20gpus%3E%3D8&sort=available_from", "", ""},
		{"POST", "/api/v1/compare", compare, ""},
		{"POST", "/api/v1/compare", compareCN, ""},
		{"GET", "/", "", ""},
		{"GET", "/", "", "zh-CN"},
		{"GET", "/?accelerator=h100-sxm&sort=price", "", ""},
	}
	send := func(app *fiber.App, r request) resp {
		t.Helper()
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		req := httptest.NewRequest(r.method, r.path, body)
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if r.lang != "" {
			req.Header.Set("Accept-Language", r.lang)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return resp{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b, header: res.Header}
	}
	check := func(step string) {
		t.Helper()
		hits := rc.hits.Load()
		for _, r := range requests {
			want := send(fresh, r)
			if want.status != 200 {
				t.Fatalf("%s: %s %s: status %d: %.300s", step, r.method, r.path, want.status, want.body)
			}
			for try := range 2 {
				got := send(cached, r)
				if got.status != want.status || got.ctype != want.ctype || !bytes.Equal(got.body, want.body) {
					t.Fatalf("%s: %s %s %s (try %d): the cached answer is not the fresh one:\n got %d %s %.400s\nwant %d %s %.400s",
						step, r.method, r.path, r.lang, try, got.status, got.ctype, got.body, want.status, want.ctype, want.body)
				}
				if got.header.Get("Cache-Control") != want.header.Get("Cache-Control") || got.header.Get("X-Request-Id") == "" {
					t.Fatalf("%s: %s %s: headers differ: got %v, want %v", step, r.method, r.path, got.header, want.header)
				}
			}
		}
		// each request's second ask at least is answered from the cache
		if n := rc.hits.Load() - hits; n < uint64(len(requests)) {
			t.Fatalf("%s: %d answers came from the cache, want at least %d", step, n, len(requests))
		}
	}
	contains := func(step string, r request, s string, want bool) {
		t.Helper()
		if got := send(cached, r); bytes.Contains(got.body, []byte(s)) != want {
			t.Fatalf("%s: %s %s: contains %q is %v, want %v", step, r.method, r.path, s, !want, want)
		}
	}

	check("seeded market")

	// a supplier of another process posts an offer: the next answers have it
	supID, key := other.supplier("Corridor Cache Test Compute")
	id := other.offer(key, offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "16", "0.50", "USD"))
	contains("offer posted elsewhere", requests[1], id, true)
	check("offer posted elsewhere")

	// its price changes here
	if r := e.do("PATCH", "/api/v1/offers/"+id, `{"price":"0.45"}`, bearerH(key)...); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	contains("price patched", requests[1], `"price":"0.45"`, true)
	check("price patched")

	// a buyer reserves 6 of its 16 GPUs: what is available changes
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3) // inside the offer's window (offerJSONBody)
	q := e.quote(id, 6, start, start.Add(48*time.Hour), time.Hour)
	if r := e.do("POST", "/api/v1/quotes/"+q+"/accept", "", e.asBuyer()...); r.status != 201 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	check("order accepted")

	// a quote changes nothing the answers depend on: every answer comes from the cache
	qb := `{"offer_id":"` + id + `","gpus":1,"hours":24,"buyer":{"country":"FR","type":"consumer"},"currency":"EUR","start":"` + start.Format(time.RFC3339) + `"}`
	if r := e.do("POST", "/api/v1/quotes", qb); r.status != 201 {
		t.Fatalf("quote: %d %s", r.status, r.body)
	}
	hits := rc.hits.Load()
	check("a quote")
	if n := rc.hits.Load() - hits; n != 2*uint64(len(requests)) {
		t.Fatalf("a quote: %d of %d answers came from the cache", n, 2*len(requests))
	}

	// where the supplier is established changes (its taxes in comparisons)
	if r := e.do("PATCH", "/api/v1/suppliers/"+supID, `{"establishments":["nl"],"vat_registrations":[{"country":"NL","vat_id":"nl 123456789 b01"}]}`, bearerH(key)...); r.status != 200 {
		t.Fatalf("establishment: %d %s", r.status, r.body)
	}
	check("supplier established in the Netherlands")

	// the clock moves on: a new day, new windows
	clock = clock.Add(24 * time.Hour)
	check("a day later")

	// the offer is withdrawn by the other process
	if r := other.do("DELETE", "/api/v1/offers/"+id, "", bearerH(key)...); r.status != 200 {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	contains("withdrawn elsewhere", requests[1], id, false)
	check("withdrawn elsewhere")
}

// TestResponseCacheBounds: an answer larger than a 16th of the budget or one that sets a
// cookie is computed every time, and a full cache starts empty again.
func TestResponseCacheBounds(t *testing.T) {
	st := store.OpenTest(t)
	seedFixtures(t, st)
	m := marketplace.NewService(st, func() time.Time { return testClock })
	rc := newResponseCache(m.MarketState, 64<<10) // entries of at most 4 KiB
	app := fiber.New()
	app.Get("/small/:n", func(c *fiber.Ctx) error {
		return rc.serve(c, "small"+c.Params("n"), func() error { return c.SendString(strings.Repeat("x", 3000)) })
	})
	app.Get("/big", func(c *fiber.Ctx) error {
		return rc.serve(c, "big", func() error { return c.SendString(strings.Repeat("x", 5000)) })
	})
	app.Get("/cookie", func(c *fiber.Ctx) error {
		return rc.serve(c, "cookie", func() error {
			c.Cookie(&fiber.Cookie{Name: "mine", Value: "secret"})
			return c.SendString("yours")
		})
	})
	get := func(path string) {
		t.Helper()
		res, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, res, err)
		}
	}
	for range 2 {
		get("/big")
		get("/cookie")
	}
	if h := rc.hits.Load(); h != 0 {
		t.Fatalf("an answer over a 16th of the budget or with a cookie was kept: %d hits", h)
	}
	// 3000-byte bodies (plus their keys) in a 64 KiB budget: 21 fit; the 22nd empties the cache
	for i := range 22 {
		get("/small/" + string(rune('a'+i)))
	}
	if n := len(rc.entries); n != 1 || rc.size > rc.limit {
		t.Fatalf("after overflowing: %d entries, %d bytes; want 1 (the cache started again)", n, rc.size)
	}
	get("/small/v")
	if h := rc.hits.Load(); h != 1 {
		t.Fatalf("the entry kept after starting again was not served: %d hits", h)
	}
}

// TestResponseCacheComputesOnce: requests alike that miss together wait for one computation
// (when a second begins, every busy request misses at once) and get its answer.
func TestResponseCacheComputesOnce(t *testing.T) {
	st := store.OpenTest(t)
	seedFixtures(t, st)
	m := marketplace.NewService(st, func() time.Time { return testClock })
	var arrived, computed atomic.Int32
	rc := newResponseCache(func(ctx context.Context) (marketplace.MarketState, error) {
		arrived.Add(1)
		return m.MarketState(ctx)
	}, 1<<20)
	release := make(chan struct{})
	app := fiber.New()
	app.Get("/slow", func(c *fiber.Ctx) error {
		return rc.serve(c, "slow", func() error {
			computed.Add(1)
			<-release // held until every request has arrived
			return c.SendString("the answer")
		})
	})
	const n = 8
	var wg sync.WaitGroup
	bodies := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := app.Test(httptest.NewRequest("GET", "/slow", nil), -1)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(res.Body)
			bodies[i] = string(b)
		}()
	}
	// Wait until every request has read the state, and a little more: without one flight per
	// request and state they would all be computing now. (One that is slower than that finds
	// the kept answer after the first is done: the count stays right either way.)
	for deadline := time.Now().Add(5 * time.Second); arrived.Load() < n && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if c := computed.Load(); c != 1 || rc.misses.Load() != 1 || rc.hits.Load() != n-1 {
		t.Errorf("%d requests alike computed the answer %d times (%d misses, %d hits), want once (1 miss, %d hits)", n, c, rc.misses.Load(), rc.hits.Load(), n-1)
	}
	for i, b := range bodies {
		if b != "the answer" {
			t.Errorf("request %d: %q", i, b)
		}
	}
}
