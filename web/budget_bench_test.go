package web

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// BenchmarkRequestBudget measures what the budget middleware adds to a request served over a
// real TCP connection (the request's context and the one timer that ends it at the budget or
// when the client has gone), beside the rest of Corridor's middleware:
//
//	go test ./web -run '^$' -bench RequestBudget -benchmem
func BenchmarkRequestBudget(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	hello := func(c *fiber.Ctx) error { return c.SendString("hello") }
	for _, withBudget := range []bool{false, true} {
		name := "middleware"
		if withBudget {
			name = "middleware+budget"
		}
		b.Run(name, func(b *testing.B) {
			d := Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
				Options: Options{RateLimits: RateLimits{Anonymous: 1 << 30}}}.withDefaults()
			app := fiber.New(fiber.Config{DisableStartupMessage: true})
			app.Use(requestID, observe(d), securityHeaders, newRateLimiter(d).handler, limitBodies(d.Options))
			if withBudget {
				app.Use(budget(d.Options))
			}
			app.Get("/hello", hello)
			h := app.Handler()
			var ctx fasthttp.RequestCtx
			ctx.Init2(server, nil, false)
			ctx.Request.SetRequestURI("/hello")
			ctx.Request.Header.SetMethod("GET")
			b.ReportAllocs()
			for b.Loop() {
				h(&ctx)
				ctx.Response.Reset()
				ctx.ResetUserValues() // as fasthttp does after each request
			}
		})
	}
}
