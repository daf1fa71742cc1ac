package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/seed"
)

// testClock is the instant API tests run at: a Saturday, so FX lookups fall back to Friday.
var testClock = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

const testAdminToken = "test-admin-token-0123456789"

// seededApp returns the real server over a fresh database (SQLite, or PostgreSQL when
// CORRIDOR_TEST_POSTGRES is set: see store.OpenTest) seeded with the reference data, the demo
// market and the policy library, with the clock fixed at testClock.
func seededApp(t testing.TB) (*fiber.App, *marketplace.Service, *store.Store) {
	t.Helper()
	svc, st := seededMarket(t, func() time.Time { return testClock })
	app := NewServer(Deps{Market: svc, AdminTokenHash: sha256Hex(testAdminToken)})
	return app, svc, st
}

// seededMarket is seededApp's service and store, on the clock now.
func seededMarket(t testing.TB, now func() time.Time) (*marketplace.Service, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st := store.OpenTest(t)
	svc := marketplace.NewService(st, now)
	data, docs, err := seed.Load(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Seed(ctx, data); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedPolicies(ctx, docs); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// call sends one request through the app and returns status, content type and body.
func call(t testing.TB, app *fiber.App, method, path, body string, headers ...string) (int, string, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	recordResponse(method, path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func decode(t testing.TB, body string, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func offerFilterAll() marketplace.OfferContextFilter { return marketplace.OfferContextFilter{} }
