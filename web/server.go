// Package web is Corridor's Fiber adapter: routes, JSON API handlers, HTML pages (embedded
// templates and static files), middleware (auth, CSRF, limits, request ids) and the OpenAPI
// document. Handlers stay thin: decode, call the marketplace Service, encode.
package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/netip"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// maxBodyBytes bounds every request body: a batch of 1000 offers fits with room to spare.
const maxBodyBytes = 4 << 20

// Deps are what the server needs from the rest of Corridor.
type Deps struct {
	Market *marketplace.Service
	Log    *slog.Logger
	// AdminTokenHash is the hex SHA-256 of the admin token (never the token itself).
	AdminTokenHash string
	// Options are the operator's settings: limits, trusted proxies.
	Options Options
}

// NewServer returns the Fiber app serving the API and the browser UI.
func NewServer(d Deps) *fiber.App {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	app := fiber.New(fiber.Config{
		AppName:               "corridor",
		BodyLimit:             maxBodyBytes,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(d.Log),
		// X-Forwarded-Proto (and so c.Protocol, secure cookies and HSTS) counts only from the
		// operator's trusted proxies.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          prefixStrings(d.Options.TrustedProxies),
	})
	app.Use(requestID, serverTiming, securityHeaders)
	addRoutes(app, d)
	return app
}

// requestID gives every request an id (kept from X-Request-Id when the caller sets a sane one)
// that log lines and 500 problems carry.
func requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if id == "" || len(id) > 64 {
		var b [8]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Locals("request_id", id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

// serverTiming reports the server time of every response in the Server-Timing header, so
// browsers' developer tools, tests and load balancers can see it without a metrics stack.
func serverTiming(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			return herr
		}
	}
	c.Set("Server-Timing", "app;dur="+strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 2, 64))
	return nil
}

// securityHeaders sets the headers every response carries. The CSP forbids inline script and
// any third-party origin: all assets are embedded and served from here.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if c.Protocol() == "https" { // over TLS, or a trusted proxy says so
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age="+strconv.Itoa(int(hstsMaxAge.Seconds())))
	}
	return c.Next()
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
