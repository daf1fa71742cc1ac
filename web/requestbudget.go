package web

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Work stops when nobody waits. Each request's context (c.UserContext(), which handlers pass
// to the marketplace) carries a deadline, the request budget, and is cancelled early when the
// client is seen to have gone. Everything that waits on the database stops at once when the
// context ends (the drivers cancel the query: SQLite interrupts it, PostgreSQL is sent a
// cancel request), and the long computations check the context between their steps (compare
// before pricing the offers it read). What does not check it is CPU work between two such
// points — pricing one batch of offers, rendering one page — which ends on its own.
//
// Detecting a gone client. fasthttp does not read a connection while its handler runs and
// offers no close notification, so a request still running after clientCheckAfter asks the
// operating system, every clientCheckEvery, whether the client closed its connection: a
// non-blocking peek at the socket (Unix only; elsewhere the budget alone bounds the work). A
// peek that finds end-of-file or a reset cancels the request. A client that half-closes its
// side after sending its request (rare for HTTP clients) looks gone too; a pipelined next
// request is only peeked at, never consumed. Requests that finish within clientCheckAfter —
// nearly all — cost one timer.

// errBudgetExceeded and errClientGone are the causes of a request context's end.
var (
	errBudgetExceeded = errors.New("request budget exceeded")
	errClientGone     = errors.New("client closed the connection")
)

const (
	clientCheckAfter = 50 * time.Millisecond
	clientCheckEvery = 50 * time.Millisecond
)

// budget is the middleware that gives each request its deadline and its gone-client watch,
// and answers a request that failed because its budget ran out with 503 problem+json and
// Retry-After.
//
// One timer per request does both (requestWatch): it ends the request's context when the
// budget runs out and, from clientCheckAfter on, when the client has gone. A context with a
// deadline of its own (context.WithTimeout) beside the watch's cost a second timer and a
// child registered with its parent on every request, 4% of a cached search's CPU. The
// context ends at the budget but does not report it as its Deadline; nothing in Corridor
// reads one.
func budget(o Options) fiber.Handler {
	limit := o.RequestBudget
	retryAfter := strconv.Itoa(max(1, int(min(limit, 30*time.Second)/time.Second)))
	return func(c *fiber.Ctx) error {
		if limit < 0 {
			return c.Next()
		}
		ctx, end := context.WithCancelCause(c.UserContext())
		defer end(nil)
		w := &requestWatch{deadline: time.Now().Add(limit), end: end}
		if conn := c.Context().Conn(); conn != nil && canPeek {
			w.conn = conn
		}
		if !time.Now().Before(w.deadline) { // a budget shorter than starting the request
			end(errBudgetExceeded)
		} else {
			w.mu.Lock() // check waits until the timer is assigned
			w.timer = time.AfterFunc(min(clientCheckAfter, limit), w.check)
			w.mu.Unlock()
			defer w.stop()
		}
		c.SetUserContext(ctx)
		err := c.Next()
		if err == nil || ctx.Err() == nil {
			return err
		}
		switch context.Cause(ctx) {
		case errBudgetExceeded:
			return &fiberProblem{status: fiber.StatusServiceUnavailable,
				detail:  "the request took longer than its budget of " + limit.String() + " and was stopped; retry later, or narrow it",
				headers: map[string]string{fiber.HeaderRetryAfter: retryAfter}}
		case errClientGone:
			// Nobody reads this answer; the status is for the access log and metrics.
			return &fiberProblem{status: fiber.StatusServiceUnavailable, detail: "the client closed the connection; the request was stopped"}
		}
		return err
	}
}

// requestWatch ends a running request's context when its budget runs out or, peeking at its
// connection (conn; nil where it cannot), when its client has gone.
type requestWatch struct {
	deadline time.Time
	end      context.CancelCauseFunc
	conn     net.Conn
	raw      syscall.RawConn // found at the first peek: most requests end before it
	timer    *time.Timer
	mu       sync.Mutex
	done     bool
}

func (w *requestWatch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	now := time.Now()
	if !now.Before(w.deadline) {
		w.end(errBudgetExceeded)
		return
	}
	if w.conn != nil && w.raw == nil {
		if w.raw = rawConn(w.conn); w.raw == nil {
			w.conn = nil // not a socket: the budget alone bounds this request
		}
	}
	if w.raw != nil && peerClosed(w.raw) {
		w.end(errClientGone)
		return
	}
	next := w.deadline.Sub(now)
	if w.conn != nil {
		next = min(next, clientCheckEvery)
	}
	w.timer.Reset(next)
}

func (w *requestWatch) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
	w.timer.Stop()
}

// rawConn finds the socket under the connections Corridor wraps (the connection limiter,
// TLS); nil when there is none to peek at.
func rawConn(c net.Conn) syscall.RawConn {
	for range 4 {
		switch t := c.(type) {
		case *limitedConn:
			c = t.Conn
		case *tls.Conn:
			c = t.NetConn()
		case syscall.Conn:
			raw, err := t.SyscallConn()
			if err != nil {
				return nil
			}
			return raw
		default:
			return nil
		}
	}
	return nil
}
