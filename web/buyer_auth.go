package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// sessionCookie holds a signed-in buyer's session token (HttpOnly, SameSite=Lax, Secure over
// HTTPS); the database keeps only its SHA-256, so every instance knows every session.
const sessionCookie = "corridor_session"

// buyerAuth is what the buyer checks use of the marketplace.
type buyerAuth interface {
	AuthenticateBuyer(ctx context.Context, token string) (marketplace.BuyerAccount, error)
}

// requireBuyer admits requests carrying a valid, unrevoked buyer key and records the account
// for the handler (buyerOf).
func requireBuyer(m buyerAuth, adminHash string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok := bearer(c)
		switch {
		case tok == "":
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor"`)
			return unauthorized("this endpoint needs a buyer key: Authorization: Bearer cbk_… (POST /api/v1/buyers opens an account)")
		case isAdminToken(tok, adminHash), marketplace.IsAPIKey(tok):
			return &marketplace.Error{Code: marketplace.CodeForbidden, Message: "this endpoint acts for a buyer: use the buyer's key"}
		}
		return authenticateBuyer(c, m, tok)
	}
}

// authenticateBuyer checks a buyer key and records the account; a bad key is 401.
func authenticateBuyer(c *fiber.Ctx, m buyerAuth, tok string) error {
	b, err := m.AuthenticateBuyer(c.UserContext(), tok)
	if err != nil {
		if marketplace.ErrorCode(err) == marketplace.CodeUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor", error="invalid_token"`)
		}
		return err
	}
	c.Locals("buyer", b)
	c.Locals("caller", b.ID)
	return c.Next()
}

// identifyCaller records whoever the credentials name — the admin, a supplier or a buyer — for
// endpoints open to several kinds of caller (and to anonymous ones: no credentials pass
// through). Credentials that are present but wrong are 401, as everywhere.
func identifyCaller(m interface {
	authenticator
	buyerAuth
}, adminHash string) fiber.Handler {
	asSupplier := requireSupplier(m, adminHash)
	return func(c *fiber.Ctx) error {
		tok := bearer(c)
		switch {
		case tok == "":
			return c.Next()
		case isAdminToken(tok, adminHash):
			c.Locals("caller", callerAdmin)
			return c.Next()
		case marketplace.IsBuyerKey(tok):
			return authenticateBuyer(c, m, tok)
		}
		return asSupplier(c)
	}
}

// buyerOf returns the buyer a buyer key authenticated (requireBuyer or identifyCaller ran).
func buyerOf(c *fiber.Ctx) (marketplace.BuyerAccount, bool) {
	b, ok := c.Locals("buyer").(marketplace.BuyerAccount)
	return b, ok
}

// isAdminCaller reports whether the admin token authenticated the request.
func isAdminCaller(c *fiber.Ctx) bool { return callerOf(c) == callerAdmin }

// setSessionCookie hands the browser its session token until the session ends.
func setSessionCookie(c *fiber.Ctx, token string, until time.Time) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: until, HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https"})
}

// clearSessionCookie makes the browser forget its session token.
func clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1, HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https"})
}
