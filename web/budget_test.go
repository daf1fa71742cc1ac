package web

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// budgetApp serves the budget middleware in front of a compare route that holds its slot
// until release is closed, a quote route, and a cheap route.
func budgetApp(b Budget) (*fiber.App, *budgets, chan struct{}, chan struct{}) {
	bs := newBudgets(b)
	entered, release := make(chan struct{}, 8), make(chan struct{})
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Use(bs.handler)
	app.Post("/api/v1/compare", func(c *fiber.Ctx) error { entered <- struct{}{}; <-release; return c.SendString("ranked") })
	app.Post("/api/v1/quotes", func(c *fiber.Ctx) error { return c.SendString("quoted") })
	app.Get("/api/v1/offers", func(c *fiber.Ctx) error { return c.SendString("found") })
	return app, bs, entered, release
}

type budgetResult struct {
	status       int
	ctype, retry string
	body         string
}

func budgetDo(t *testing.T, app *fiber.App, method, path string) budgetResult {
	t.Helper()
	res, err := app.Test(httptest.NewRequest(method, path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return budgetResult{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Retry-After"), string(b)}
}

// TestBudgetRefusesBeyondSlotsAndQueue: with one slot and no queue, a second compare while the
// first runs is refused with 503 problem+json and Retry-After, while a quote (another class)
// and a search (no class) are served; once the first is done, compare is served again.
func TestBudgetRefusesBeyondSlotsAndQueue(t *testing.T) {
	app, _, entered, release := budgetApp(Budget{Slots: 1, Queue: 0})
	first := make(chan budgetResult)
	go func() { first <- budgetDo(t, app, "POST", "/api/v1/compare") }()
	<-entered
	r := budgetDo(t, app, "POST", "/api/v1/compare")
	if r.status != 503 || r.ctype != "application/problem+json" || r.retry != "1" || !strings.Contains(r.body, "too many compare requests") {
		t.Fatalf("second compare: %+v", r)
	}
	if r := budgetDo(t, app, "POST", "/api/v1/quotes"); r.status != 200 {
		t.Errorf("quote beside a full compare budget: %+v", r)
	}
	if r := budgetDo(t, app, "GET", "/api/v1/offers"); r.status != 200 {
		t.Errorf("search beside a full compare budget: %+v", r)
	}
	close(release)
	if r := <-first; r.status != 200 || r.body != "ranked" {
		t.Errorf("first compare: %+v", r)
	}
	go func() { <-entered }()
	if r := budgetDo(t, app, "POST", "/api/v1/compare"); r.status != 200 {
		t.Errorf("compare after the first finished: %+v", r)
	}
}

// TestBudgetQueues: with one slot and a queue of one, a second compare waits for the first
// and is then served; a third, finding the queue full, is refused.
func TestBudgetQueues(t *testing.T) {
	app, bs, entered, release := budgetApp(Budget{Slots: 1, Queue: 1})
	results := make(chan budgetResult, 2)
	go func() { results <- budgetDo(t, app, "POST", "/api/v1/compare") }()
	<-entered
	go func() { results <- budgetDo(t, app, "POST", "/api/v1/compare") }()
	for bs.classes["compare"].waiting.Load() != 1 {
		runtime.Gosched()
	}
	if r := budgetDo(t, app, "POST", "/api/v1/compare"); r.status != 503 {
		t.Fatalf("third compare with the queue full: %+v", r)
	}
	close(release) // both held requests return
	for range 2 {
		if r := <-results; r.status != 200 {
			t.Errorf("queued compare: %+v", r)
		}
	}
	if n := len(bs.classes["compare"].slots); n != 0 {
		t.Errorf("%d slots still held", n)
	}
}

// TestBudgetOff: the zero Budget (what tests and NewServer(Deps{}) get) refuses nothing.
func TestBudgetOff(t *testing.T) {
	app, _, _, release := budgetApp(Budget{})
	close(release)
	for range 3 { // entered holds 8
		if r := budgetDo(t, app, "POST", "/api/v1/compare"); r.status != 200 {
			t.Fatalf("%+v", r)
		}
	}
}

// TestBudgetQuoteSlots: quotes have their own number of slots; a full compare budget does not
// limit them and the other way round.
func TestBudgetQuoteSlots(t *testing.T) {
	bs := newBudgets(Budget{Slots: 1, QuoteSlots: 3})
	if n := cap(bs.classes["quote"].slots); n != 3 {
		t.Errorf("quote slots %d, want 3", n)
	}
	if n := cap(bs.classes["compare"].slots); n != 1 {
		t.Errorf("compare slots %d, want 1", n)
	}
	if n := cap(newBudgets(Budget{Slots: 2}).classes["quote"].slots); n != 2 {
		t.Errorf("quote slots without QuoteSlots %d, want 2", n)
	}
}
