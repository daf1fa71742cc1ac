package web

import (
	"io"
	"log/slog"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// BenchmarkRequestOverhead measures what Corridor's per-request middleware costs on a
// hello-world handler, side by side in one run: bare Fiber; with the request id, metrics,
// Server-Timing, security headers, rate limiter and body checks; and with the JSON access log
// as well (to io.Discard, so the figure is the formatting, not the terminal), written through
// slog's JSON handler and by JSONRequestLog, as the server writes it.
//
//	go test ./web -run '^$' -bench RequestOverhead -count 5
func BenchmarkRequestOverhead(b *testing.B) {
	hello := func(c *fiber.Ctx) error { return c.SendString("hello") }
	for _, tc := range []struct {
		name                  string
		middleware, accessLog bool
		lines                 RequestLog // nil: through the slog logger
	}{{"bare-fiber", false, false, nil}, {"middleware", true, false, nil}, {"middleware+access-log-slog", true, true, nil},
		{"middleware+access-log-json", true, true, JSONRequestLog(io.Discard)}} {
		b.Run(tc.name, func(b *testing.B) {
			app := fiber.New(fiber.Config{DisableStartupMessage: true})
			if tc.middleware {
				d := Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestLog: tc.lines,
					Options: Options{AccessLog: tc.accessLog, RateLimits: RateLimits{Anonymous: 1 << 30}}}.withDefaults()
				app.Use(requestID, observe(d), securityHeaders, newRateLimiter(d).handler, limitBodies(d.Options))
			}
			app.Get("/hello", hello)
			h := app.Handler()
			var ctx fasthttp.RequestCtx
			ctx.Request.SetRequestURI("/hello")
			ctx.Request.Header.SetMethod("GET")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h(&ctx)
				ctx.Response.Reset()
			}
		})
	}
}
