package web

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// idempotent makes a mutating endpoint safe to retry: a request with an Idempotency-Key is
// claimed in the database before it runs (so two servers cannot both run it), its response is
// stored, and a retry with the same key and body gets the stored response (same status, header
// Idempotent-Replayed: true). The same key with another body or endpoint is 422; a retry while
// the first is still running is 409. 5xx responses are not stored: the retry runs again.
func idempotent(m *marketplace.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		if key == "" {
			return c.Next()
		}
		if len(key) > maxIdempotencyKey || !printableASCII(key) {
			return marketplace.Invalid("invalid Idempotency-Key", marketplace.FieldError{Field: "Idempotency-Key", Message: "must be 1 to 255 printable ASCII characters, e.g. a UUID"})
		}
		key = string([]byte(key)) // fasthttp reuses header memory
		sum := sha256.Sum256(c.Body())
		rec := marketplace.IdempotencyRecord{Key: key, Caller: callerOf(c), Request: c.Method() + " " + c.Path(), BodyHash: hex.EncodeToString(sum[:])}
		ctx := c.UserContext()
		prior, claimed, err := m.ClaimIdempotencyKey(ctx, rec)
		if err != nil {
			return err
		}
		if !claimed {
			switch {
			case prior.Request != rec.Request || prior.BodyHash != rec.BodyHash:
				return &marketplace.Error{Code: marketplace.CodeIdempotency, Message: "this Idempotency-Key was used with another request; use a new key for a new request",
					Fields: []marketplace.FieldError{{Field: "Idempotency-Key", Message: "already used for " + prior.Request + " with a different body"}}}
			case prior.Status == 0:
				return &marketplace.Error{Code: marketplace.CodeConflict, Message: "a request with this Idempotency-Key is still being processed; retry shortly",
					Fields: []marketplace.FieldError{{Field: "Idempotency-Key", Message: "in progress"}}}
			}
			c.Set("Idempotent-Replayed", "true")
			c.Set(fiber.HeaderContentType, prior.ContentType)
			return c.Status(prior.Status).Send(prior.Response)
		}
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				m.ReleaseIdempotencyKey(ctx, rec.Key, rec.Caller)
				return herr
			}
		}
		status := c.Response().StatusCode()
		if status >= 500 {
			if err := m.ReleaseIdempotencyKey(ctx, rec.Key, rec.Caller); err != nil {
				return err
			}
			return nil
		}
		rec.Status = status
		rec.ContentType = string(c.Response().Header.ContentType())
		rec.Response = append([]byte(nil), c.Response().Body()...)
		return m.CompleteIdempotencyKey(ctx, rec)
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return len(s) > 0
}
