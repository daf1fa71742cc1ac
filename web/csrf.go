package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// CSRF protection for the browser forms: a signed double-submit token. The cookie holds a
// random token and its HMAC; every form carries the token in the hidden field _csrf. A post is
// accepted only when the cookie's signature verifies and the field equals the cookie's token,
// so another site can neither read the token nor plant a cookie of its own making. The HMAC key
// lives in the database (Service.SecretSetting), so every Corridor instance verifies the
// tokens any other issued.
const (
	csrfCookie     = "corridor_csrf"
	csrfField      = "_csrf"
	csrfSecretName = "csrf_key"
	csrfHeader     = "X-CSRF-Token"
)

// csrfGuard issues and checks CSRF tokens; the key is read from the database on first use.
type csrfGuard struct {
	market interface {
		SecretSetting(ctx context.Context, name string) ([]byte, error)
	}
	mu  sync.Mutex
	key []byte
}

func (g *csrfGuard) secret(ctx context.Context) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.key == nil {
		k, err := g.market.SecretSetting(ctx, csrfSecretName)
		if err != nil {
			return nil, err
		}
		g.key = k
	}
	return g.key, nil
}

func csrfSign(key []byte, token string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("corridor-csrf:" + token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// cookieToken returns the token of a validly signed CSRF cookie, or "".
func (g *csrfGuard) cookieToken(c *fiber.Ctx, key []byte) string {
	tok, sig, ok := strings.Cut(c.Cookies(csrfCookie), ".")
	if !ok || tok == "" || subtle.ConstantTimeCompare([]byte(sig), []byte(csrfSign(key, tok))) != 1 {
		return ""
	}
	return strings.Clone(tok)
}

// token returns the token the page's forms must carry, setting the cookie when the browser
// has none (or a forged one).
func (g *csrfGuard) token(c *fiber.Ctx) (string, error) {
	key, err := g.secret(c.UserContext())
	if err != nil {
		return "", err
	}
	if tok := g.cookieToken(c, key); tok != "" {
		return tok, nil
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok + "." + csrfSign(key, tok), Path: "/",
		HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
	return tok, nil
}

// errCSRF is returned for a post without a valid token; pages render it as a 403 page.
var errCSRF = &marketplace.Error{Code: marketplace.CodeForbidden, Reason: "csrf", Message: "missing or invalid CSRF token"}

// verify reports errCSRF unless the post's token matches the signed cookie.
func (g *csrfGuard) verify(c *fiber.Ctx) error {
	key, err := g.secret(c.UserContext())
	if err != nil {
		return err
	}
	want := g.cookieToken(c, key)
	got := submittedCSRFToken(c)
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// submittedCSRFToken is the token a post carries in the X-CSRF-Token header or the form body
// (URL-encoded or multipart), never the query string: a token in a URL ends up in logs,
// histories and Referer headers (c.FormValue would read the query string too).
func submittedCSRFToken(c *fiber.Ctx) string {
	if h := c.Get(csrfHeader); h != "" {
		return h
	}
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		if f, err := c.MultipartForm(); err == nil && len(f.Value[csrfField]) > 0 {
			return f.Value[csrfField][0]
		}
		return ""
	}
	return string(c.Request().PostArgs().Peek(csrfField))
}
