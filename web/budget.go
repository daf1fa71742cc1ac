package web

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Expensive endpoints run under a concurrency budget, one per class, so that a flood of them
// cannot take every core and connection from the cheap ones (search, offers, health): at most
// Budget.Slots requests of a class run at once, up to Budget.Queue more wait for a slot (at
// most Budget.Wait each), and any further one is refused at once with 503 problem+json and
// Retry-After (quotes have Budget.QuoteSlots). The classes and their routes:
var budgetClasses = map[string]string{
	"POST /api/v1/compare": "compare", "GET /compare": "compare", "POST /compare": "compare",
	"GET /": "market", "GET /map": "market",
	"POST /api/v1/quotes": "quote", "POST /quotes": "quote",
}

// Budget is the concurrency budget of each expensive class (Options.Budget).
type Budget struct {
	Slots int // compare or market requests running at once, each class; 0 turns budgets off
	// QuoteSlots is how many quotes run at once (0: Slots). A quote costs about a millisecond
	// of CPU but also waits for its database write, so more of them may run than comparisons.
	QuoteSlots int
	Queue      int           // requests of one class waiting for a slot; beyond them, 503 at once
	Wait       time.Duration // the longest wait for a slot before 503 (zero: defaultBudgetWait)
}

// slots is the budget of class name.
func (b Budget) slots(name string) int {
	if name == "quote" && b.QuoteSlots > 0 {
		return b.QuoteSlots
	}
	return b.Slots
}

const defaultBudgetWait = 5 * time.Second

// budgets holds one semaphore per class.
type budgets struct {
	cfg     Budget
	classes map[string]*budgetClass
}

type budgetClass struct {
	name    string
	slots   chan struct{}
	waiting atomic.Int64
}

func newBudgets(b Budget) *budgets {
	if b.Wait <= 0 {
		b.Wait = defaultBudgetWait
	}
	bs := &budgets{cfg: b, classes: map[string]*budgetClass{}}
	for _, name := range budgetClasses {
		if bs.classes[name] == nil {
			bs.classes[name] = &budgetClass{name: name, slots: make(chan struct{}, max(b.slots(name), 1))}
		}
	}
	return bs
}

// handler runs the request within its class's budget; requests of no class pass.
func (bs *budgets) handler(c *fiber.Ctx) error {
	if bs.cfg.Slots <= 0 {
		return c.Next()
	}
	name, ok := budgetClasses[c.Method()+" "+c.Path()]
	if !ok {
		return c.Next()
	}
	b := bs.classes[name]
	select {
	case b.slots <- struct{}{}:
	default:
		if b.waiting.Add(1) > int64(bs.cfg.Queue) {
			b.waiting.Add(-1)
			return bs.refuse(b, "are running and as many waiting")
		}
		t := time.NewTimer(bs.cfg.Wait)
		select {
		case b.slots <- struct{}{}:
			t.Stop()
			b.waiting.Add(-1)
		case <-t.C:
			b.waiting.Add(-1)
			return bs.refuse(b, "have been running for the whole wait")
		case <-c.UserContext().Done():
			t.Stop()
			b.waiting.Add(-1)
			return bs.refuse(b, "are running")
		}
	}
	defer func() { <-b.slots }()
	return c.Next()
}

func (bs *budgets) refuse(b *budgetClass, why string) error {
	return &fiberProblem{status: fiber.StatusServiceUnavailable,
		detail:  fmt.Sprintf("too many %s requests at once: %d %s; retry in 1 s", b.name, bs.cfg.slots(b.name), why),
		headers: map[string]string{fiber.HeaderRetryAfter: strconv.Itoa(1)}}
}
