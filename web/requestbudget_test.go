package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestRequestBudget: with a budget of 1 ns every request's context has ended before its
// handler reads the database, so a search, a quote and a compare are each answered 503
// problem+json with Retry-After, naming the budget; with no budget (negative) they answer.
func TestRequestBudget(t *testing.T) {
	_, svc, _ := seededApp(t)
	app := NewServer(Deps{Market: svc, AdminTokenHash: sha256Hex(testAdminToken), Options: Options{RequestBudget: time.Nanosecond}})
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/offers?limit=5", ""},
		{"POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`},
		{"POST", "/api/v1/compare", `{"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		var p problem
		json.Unmarshal(body, &p)
		if res.StatusCode != 503 || res.Header.Get("Content-Type") != "application/problem+json" || res.Header.Get("Retry-After") != "1" ||
			!strings.Contains(p.Detail, "budget of 1ns") {
			t.Errorf("%s %s: %d %s Retry-After %q: %s", r.method, r.path, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Retry-After"), body)
		}
	}

	open := NewServer(Deps{Market: svc, Options: Options{RequestBudget: -1}})
	res, err := open.Test(httptest.NewRequest("GET", "/api/v1/offers?limit=5", nil), -1)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("without a budget: %v %v", res, err)
	}
}

// TestAbandonedRequestStops serves a handler that works until its context ends, sends it a
// request over a real TCP connection, closes the connection, and checks that the handler's
// context ends because the client went away — before the 10 s budget.
func TestAbandonedRequestStops(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(budget(DefaultOptions())) // the middleware of NewServer, with the default 10 s budget
	causes := make(chan error, 1)
	started := make(chan struct{})
	app.Get("/test/slow", func(c *fiber.Ctx) error {
		close(started)
		ctx := c.UserContext()
		<-ctx.Done() // a long computation that checks its context
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	defer app.Shutdown()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "GET /test/slow HTTP/1.1\r\nHost: corridor.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(8 * time.Second):
		t.Fatal("the handler never started")
	}
	conn.Close()
	select {
	case cause := <-causes:
		if !errors.Is(cause, errClientGone) {
			t.Errorf("the request ended because of %v, want %v", cause, errClientGone)
		}
	case <-time.After(8 * time.Second): // the budget is 10 s: this is only a safety net
		t.Fatal("the abandoned request kept running")
	}
}

// TestPeerClosed peeks at a live connection (nothing to read; then a pipelined byte, which is
// left in place) and at one the client closed.
func TestPeerClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	raw := rawConn(server)
	if raw == nil {
		t.Fatal("no raw connection under a TCP connection")
	}
	if peerClosed(raw) {
		t.Fatal("an open, silent connection looks closed")
	}
	client.Write([]byte("x"))
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if peerClosed(raw) {
			t.Fatal("a connection with a pipelined byte looks closed")
		}
		var b [1]byte
		server.SetReadDeadline(time.Now().Add(time.Millisecond))
		if n, _ := server.Read(b[:]); n == 1 { // the byte was left for the server to read
			break
		}
	}
	client.Close()
	for deadline := time.Now().Add(5 * time.Second); !peerClosed(raw); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a closed connection never looked closed")
		}
	}
}

// TestBudgetEndsARunningRequest: a request still running when its budget runs out has its
// context ended with the budget as cause (by the request's one timer, which also watches the
// client), and is answered 503 problem+json naming the budget; one that finishes in time is
// answered as it answers.
func TestBudgetEndsARunningRequest(t *testing.T) {
	o := DefaultOptions()
	o.RequestBudget = 120 * time.Millisecond // beyond clientCheckAfter: the watch peeks first, then ends it
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Use(budget(o))
	causes := make(chan error, 1)
	app.Get("/test/slow", func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	app.Get("/test/quick", func(c *fiber.Ctx) error { return c.SendString("done") })
	res, err := app.Test(httptest.NewRequest("GET", "/test/slow", nil), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if cause := <-causes; !errors.Is(cause, errBudgetExceeded) {
		t.Errorf("the request ended because of %v, want %v", cause, errBudgetExceeded)
	}
	if res.StatusCode != 503 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "budget of 120ms") {
		t.Errorf("answer %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, err = app.Test(httptest.NewRequest("GET", "/test/quick", nil), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(res.Body); res.StatusCode != 200 || string(body) != "done" {
		t.Errorf("a quick request: %d %s", res.StatusCode, body)
	}
}
