package web

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// errPanic is what a recovered handler panic becomes: the error handler answers it with a
// generic 500 problem that leaks nothing (the panic and its stack go to the log).
var errPanic = fmt.Errorf("handler panic")

// observe wraps every request: it recovers a handler's panic (the request answers 500
// problem+json and the process lives), renders errors through the error handler so that what
// follows sees the final status, then sets Server-Timing, records the metrics and writes the
// access-log line.
func observe(d Deps) fiber.Handler {
	m, log, accessLog, requests := d.Metrics, d.Log, d.Options.AccessLog, d.RequestLog
	return func(c *fiber.Ctx) (err error) {
		start := time.Now()
		m.inFlight.Inc()
		defer func() {
			if r := recover(); r != nil {
				m.panics.Inc()
				log.Error("handler panic", "request_id", c.Locals("request_id"), "method", c.Method(), "path", c.Path(),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = errPanic
			}
			if err != nil {
				if herr := c.App().ErrorHandler(c, err); herr != nil {
					err = herr
				} else {
					err = nil
				}
			}
			elapsed := time.Since(start)
			c.Set("Server-Timing", "app;dur="+strconv.FormatFloat(float64(elapsed.Microseconds())/1000, 'f', 2, 64))
			status := c.Response().StatusCode()
			route := c.Route()
			m.inFlight.Dec()
			m.observe(c.Method(), route, status, elapsed.Seconds())
			if accessLog {
				id, _ := c.Locals("request_id").(string)
				requests.logRequest(&requestLine{at: time.Now(), requestID: id, method: c.Method(), path: c.Path(), route: route.Path,
					status: status, elapsed: elapsed, bytesIn: max(c.Request().Header.ContentLength(), 0), bytesOut: len(c.Response().Body()),
					client: clientAddr(c, d.Options.TrustedProxies).String()})
			}
		}()
		return c.Next()
	}
}
