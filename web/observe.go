package web

import (
	"context"
	"fmt"
	"log/slog"
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
	m, log, accessLog := d.Metrics, d.Log, d.Options.AccessLog
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
				log.LogAttrs(context.Background(), slog.LevelInfo, "request",
					slog.String("request_id", id), slog.String("method", c.Method()), slog.String("path", c.Path()),
					slog.String("route", route.Path), slog.Int("status", status), slog.Float64("ms", float64(elapsed.Microseconds())/1000),
					slog.Int("bytes_in", max(c.Request().Header.ContentLength(), 0)), slog.Int("bytes_out", len(c.Response().Body())),
					slog.String("client", clientAddr(c, d.Options.TrustedProxies).String()))
			}
		}()
		return c.Next()
	}
}
