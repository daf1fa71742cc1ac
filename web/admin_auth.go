package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// adminOnly lets a request through only with `Authorization: Bearer <admin token>`; the token
// is compared by its SHA-256 in constant time and never logged.
func adminOnly(d Deps) fiber.Handler {
	want, _ := hex.DecodeString(d.AdminTokenHash)
	return func(c *fiber.Ctx) error {
		tok, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		if !ok || len(want) != len(sum) || subtle.ConstantTimeCompare(sum[:], want) != 1 {
			return &marketplace.Error{Code: marketplace.CodeUnauthorized, Message: "this endpoint needs the admin token: Authorization: Bearer <token>"}
		}
		return c.Next()
	}
}
