package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Serve serves app on ln until ctx ends, then shuts down gracefully: it stops accepting
// connections, lets the requests in flight finish within d.Options.ShutdownGrace, closes the
// connections still open after that (stalled clients, slow uploads) and returns nil. Open
// connections are capped as d.Options says; with tlsConfig the listener speaks HTTPS.
// d must be the Deps app was made from (NewServer), for its metrics and log.
func Serve(ctx context.Context, app *fiber.App, ln net.Listener, tlsConfig *tls.Config, d Deps) error {
	d = d.withDefaults()
	limited := newConnLimiter(ln, d.Options, d.Metrics)
	var served net.Listener = limited
	if tlsConfig != nil {
		served = tls.NewListener(limited, tlsConfig)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(served) }()

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	grace := d.Options.ShutdownGrace
	start := time.Now()
	d.Log.Info("shutting down: no new connections; finishing requests in flight", "grace", grace.String(), "open_connections", limited.openConns())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := app.ShutdownWithContext(shutdownCtx)
	closed := 0
	if errors.Is(err, context.DeadlineExceeded) {
		// Whatever is still open is stalled or too slow: close it so the process can exit.
		closed = limited.closeAll()
		d.Log.Warn("shutdown: closed connections still open after the grace period", "connections", closed)
		for i := 0; i < 50 && limited.openConns() > 0; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		err = nil
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	case <-time.After(time.Second):
	}
	d.Log.Info("shut down cleanly", "took", time.Since(start).Round(time.Millisecond).String(), "closed_connections", closed)
	return nil
}
