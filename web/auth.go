package web

import (
	"context"
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// Callers, as recorded with idempotency keys.
const (
	callerAdmin = "admin"
	callerAnon  = "anon"
)

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(c *fiber.Ctx) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(c.Get(fiber.HeaderAuthorization)), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// isAdminToken compares the token's hash with the admin token hash in constant time.
func isAdminToken(tok, adminHash string) bool {
	if tok == "" || adminHash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(sha256Hex(tok)), []byte(strings.ToLower(adminHash))) == 1
}

func unauthorized(msg string) error {
	return &marketplace.Error{Code: marketplace.CodeUnauthorized, Message: msg}
}

// requireAdmin admits requests carrying the admin token.
func requireAdmin(adminHash string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok := bearer(c)
		if tok == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor"`)
			return unauthorized("this endpoint needs the admin token: Authorization: Bearer <token>")
		}
		if !isAdminToken(tok, adminHash) {
			if marketplace.IsAPIKey(tok) || marketplace.IsBuyerKey(tok) {
				return &marketplace.Error{Code: marketplace.CodeForbidden, Message: "this endpoint is for the administrator, not suppliers or buyers"}
			}
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor", error="invalid_token"`)
			return unauthorized("invalid admin token")
		}
		c.Locals("caller", callerAdmin)
		return c.Next()
	}
}

// requireSupplier admits requests carrying a valid, unrevoked supplier API key and records
// the supplier for the handler (supplierOf).
func requireSupplier(m authenticator, adminHash string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok := bearer(c)
		if tok == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor"`)
			return unauthorized("this endpoint needs a supplier API key: Authorization: Bearer csk_…")
		}
		if isAdminToken(tok, adminHash) {
			return &marketplace.Error{Code: marketplace.CodeForbidden, Message: "this endpoint acts for a supplier: use the supplier's API key, not the admin token"}
		}
		sp, err := m.Authenticate(c.UserContext(), tok)
		if err != nil {
			if marketplace.ErrorCode(err) == marketplace.CodeUnauthorized {
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor", error="invalid_token"`)
			}
			return err
		}
		c.Locals("supplier", sp)
		c.Locals("caller", sp.ID)
		return c.Next()
	}
}

// requireAdminOrSupplier admits the admin token or the API key of the supplier named by the
// :id route parameter (suppliers manage their own keys).
func requireAdminOrSupplier(m authenticator, adminHash string) fiber.Handler {
	asSupplier := requireSupplier(m, adminHash)
	return func(c *fiber.Ctx) error {
		if isAdminToken(bearer(c), adminHash) {
			c.Locals("caller", callerAdmin)
			return c.Next()
		}
		return asSupplier(c)
	}
}

// supplierOf returns the authenticated supplier (requireSupplier ran before).
func supplierOf(c *fiber.Ctx) (marketplace.Supplier, bool) {
	sp, ok := c.Locals("supplier").(marketplace.Supplier)
	return sp, ok
}

// callerOf names who is calling, for idempotency keys: a supplier id, "admin" or "anon".
func callerOf(c *fiber.Ctx) string {
	if id, ok := c.Locals("caller").(string); ok && id != "" {
		return id
	}
	return callerAnon
}

// authenticator is what the supplier checks use of the marketplace.
type authenticator interface {
	Authenticate(ctx context.Context, token string) (marketplace.Supplier, error)
}
