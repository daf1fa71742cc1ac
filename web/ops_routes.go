package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// handleReady answers /readyz: 200 when the server can take traffic (the database answers
// and its schema is migrated), else 503 with the reason, so a load balancer stops sending
// requests to an instance that cannot serve them, or that is shutting down.
func handleReady(ready func(context.Context) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			c.Set(fiber.HeaderRetryAfter, "5")
			if marketplace.ErrorCode(err) == marketplace.CodeUnavailable {
				return err
			}
			return &marketplace.Error{Code: marketplace.CodeUnavailable, Message: "not ready: " + err.Error()}
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"status": "ready"})
	}
}
