package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// idempotent makes a mutating endpoint safe to retry: a request with an Idempotency-Key is
// claimed in the database before it runs (so two servers cannot both run it), its response is
// stored sealed (marketplace.Idempotency), and a retry with the same key and body gets the
// stored response (same status, header Idempotent-Replayed: true). A key is scoped to the
// caller (supplier, admin, or an anonymous caller's address) and the exact request target, so
// the same key elsewhere is another key. The same key with another body is 422; a retry while
// the first is still running is 409. 5xx responses are not stored: the retry runs again.
// minKey is the shortest key accepted (long keys where the response holds a secret).
func idempotent(m *marketplace.Service, opts Options, minKey int) fiber.Handler {
	minKey = max(minKey, 1)
	return func(c *fiber.Ctx) error {
		key := c.Get("Idempotency-Key")
		if key == "" {
			return c.Next()
		}
		if len(key) > maxIdempotencyKey || !printableASCII(key) {
			return marketplace.Invalid("invalid Idempotency-Key", marketplace.FieldError{Field: "Idempotency-Key", Message: "must be 1 to 255 printable ASCII characters, e.g. a UUID"})
		}
		if len(key) < minKey {
			return marketplace.Invalid("Idempotency-Key too short", marketplace.FieldError{Field: "Idempotency-Key",
				Message: fmt.Sprintf("must be at least %d characters here, e.g. a UUID: the stored response holds a secret and is only as safe as the key", minKey)})
		}
		caller := callerOf(c)
		scope := caller
		if caller == callerAnon {
			scope += ":" + clientAddr(c, opts.TrustedProxies).String()
		}
		idem := marketplace.NewIdempotency(key, scope+" "+c.Method()+" "+c.OriginalURL())
		sum := sha256.Sum256(c.Body())
		rec := marketplace.IdempotencyRecord{Key: idem.LookupKey(), Caller: caller, BodyHash: hex.EncodeToString(sum[:])}
		ctx := c.UserContext()
		prior, claimed, err := m.ClaimIdempotencyKey(ctx, rec)
		if err != nil {
			return err
		}
		if !claimed {
			switch {
			case prior.BodyHash != rec.BodyHash:
				return &marketplace.Error{Code: marketplace.CodeIdempotency, Message: "this Idempotency-Key was used for this request with another body; use a new key for a new request",
					Fields: []marketplace.FieldError{{Field: "Idempotency-Key", Message: "already used with a different body"}}}
			case prior.Status == 0:
				return &marketplace.Error{Code: marketplace.CodeConflict, Message: "a request with this Idempotency-Key is still being processed; retry shortly",
					Fields: []marketplace.FieldError{{Field: "Idempotency-Key", Message: "in progress"}}}
			}
			body, err := idem.Open(prior.Response)
			if err != nil {
				return err
			}
			c.Set("Idempotent-Replayed", "true")
			c.Set(fiber.HeaderContentType, prior.ContentType)
			return c.Status(prior.Status).Send(body)
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
		sealed, err := idem.Seal(c.Response().Body())
		if err != nil {
			m.ReleaseIdempotencyKey(ctx, rec.Key, rec.Caller)
			return err
		}
		rec.Status = status
		rec.ContentType = string(c.Response().Header.ContentType())
		rec.Response = sealed
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
