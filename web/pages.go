package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// The browser UI: server-rendered html/template pages (auto-escaped) and a little CSS and
// JavaScript, all embedded in the binary. Every page works without JavaScript; app.js only
// adds the quote countdown and the print button.
//
//go:embed templates static
var uiFS embed.FS

// slowPage is the server time above which a page request is logged at warn.
const slowPage = 100 * time.Millisecond

// pageNames are the templates under templates/, each rendered inside layout.html.
var pageNames = []string{"market", "offer", "quote", "order", "compare", "error"}

// ui holds what the page handlers share: templates parsed once at start-up, the CSRF guard
// and the version string that busts caches of the static files.
type ui struct {
	market pageMarket
	log    *slog.Logger
	csrf   *csrfGuard
	tmpl   map[string]*template.Template
	asset  string
}

// addPageRoutes adds the server-rendered browser UI.
func addPageRoutes(app *fiber.App, d Deps) {
	u := newUI(d)
	static, _ := fs.Sub(uiFS, "static")
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 365 * 24 * 3600}))
	app.Get("/lang/:code", handleLang)

	app.Get("/", u.page(u.handleMarket))
	app.Get("/offers/:id", u.page(u.handleOffer))
	app.Post("/quotes", u.page(u.csrfChecked(u.handleQuoteForm)))
	app.Get("/quotes/:id", u.page(u.handleQuotePage))
	app.Post("/quotes/:id/accept", u.page(u.csrfChecked(u.handleAccept)))
	app.Get("/orders/:id", u.page(u.handleOrder))
	app.Get("/compare", u.page(u.handleCompare))
	app.Post("/compare", u.page(u.csrfChecked(u.handleCompare)))
	app.Use(u.page(func(c *fiber.Ctx, v *view) error { // any other path: an HTML 404 for people
		return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no page " + quoteShort(c.Path())}
	}))
}

// newUI parses the embedded templates; a broken template is a bug every test catches, so it
// panics rather than starting a server without pages.
func newUI(d Deps) *ui {
	u := &ui{market: d.Market, log: d.Log, csrf: &csrfGuard{market: d.Market}, tmpl: map[string]*template.Template{}}
	for _, name := range pageNames {
		t := template.New(name).Funcs(template.FuncMap{"currencies": func() []string { return formCurrencies }})
		u.tmpl[name] = template.Must(t.ParseFS(uiFS, "templates/layout.html", "templates/"+name+".html"))
	}
	h := sha256.New()
	for _, f := range []string{"static/app.css", "static/app.js"} {
		b, _ := uiFS.ReadFile(f)
		h.Write(b)
	}
	u.asset = hex.EncodeToString(h.Sum(nil))[:12]
	return u
}

// view is what every page's template gets besides its own data: language, title, CSRF token,
// the current path for the language switch, and formatting methods.
type view struct {
	Lang      string
	Title     string
	CSRF      string
	Path      string
	Asset     string
	RequestID string
}

// pageFunc handles a page request with the request's view prepared.
type pageFunc func(c *fiber.Ctx, v *view) error

// page wraps a page handler: it picks the language, issues the CSRF token, renders errors as
// HTML pages (not problem+json) and logs requests slower than slowPage.
func (u *ui) page(h pageFunc) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		v := &view{Lang: pickLang(c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage)), Path: string(c.Request().URI().RequestURI()), Asset: u.asset}
		if id, ok := c.Locals("request_id").(string); ok {
			v.RequestID = id
		}
		if c.Method() != fiber.MethodGet {
			v.Path = "/" // a form post cannot be repeated by a link: the language switch goes back to the form
			if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && ref.Path != "" {
				v.Path = localPath(ref.RequestURI())
			}
		}
		tok, err := u.csrf.token(c)
		if err == nil {
			v.CSRF = tok
			err = h(c, v)
		}
		if err != nil {
			err = u.renderError(c, v, err)
		}
		if d := time.Since(start); d > slowPage {
			u.log.Warn("slow page", "path", c.Path(), "method", c.Method(), "ms", d.Milliseconds(), "request_id", v.RequestID)
		}
		return err
	}
}

// csrfChecked refuses a form post whose _csrf field does not match the signed cookie.
func (u *ui) csrfChecked(h pageFunc) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		if err := u.csrf.verify(c); err != nil {
			return err
		}
		return h(c, v)
	}
}

// render executes the page template into a buffer first, so a template error never sends half
// a page.
func (u *ui) render(c *fiber.Ctx, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := u.tmpl[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}

// errorPage is the data of the HTML error page.
type errorPage struct {
	*view
	Status  int
	Message string
	Fields  []marketplace.FieldError
	Back    string
}

// renderError shows err as an HTML page with the status the API would use; internal errors
// are logged and shown without detail.
func (u *ui) renderError(c *fiber.Ctx, v *view, err error) error {
	p := errorPage{view: v, Back: "/"}
	var de *marketplace.Error
	var fe *fiber.Error
	switch {
	case errors.Is(err, errCSRF):
		p.Status, p.Message = http.StatusForbidden, v.T("error.csrf")
	case errors.As(err, &de):
		p.Status, p.Message, p.Fields = statusOf(de.Code), de.Message, de.Fields
		if p.Status >= 500 {
			u.log.Error("page failed", "request_id", v.RequestID, "path", c.Path(), "err", err)
		}
	case errors.As(err, &fe):
		p.Status, p.Message = fe.Code, fe.Message
	default:
		u.log.Error("page failed", "request_id", v.RequestID, "path", c.Path(), "err", err)
		p.Status, p.Message = http.StatusInternalServerError, "internal error; quote the request id when reporting it"
	}
	if p.Status == http.StatusNotFound {
		v.Title = v.T("error.notfound")
	} else {
		v.Title = v.T("error.title")
	}
	if strings.HasPrefix(c.Path(), "/quotes/") {
		p.Back = "/quotes/" + url.PathEscape(c.Params("id"))
	}
	if rerr := u.render(c, p.Status, "error", p); rerr != nil {
		u.log.Error("render error page", "err", rerr)
		return c.Status(p.Status).SendString(http.StatusText(p.Status))
	}
	return nil
}

// T returns the UI string key in the page's language.
func (v *view) T(key string) string { return tr(v.Lang, key) }

// Tf formats the UI string key with args.
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(tr(v.Lang, key), args...) }

// HTMLLang is the lang attribute of the page.
func (v *view) HTMLLang() string {
	if v.Lang == langZH {
		return "zh-CN"
	}
	return "en"
}

// LangURL is the link that switches the page to code and comes back here.
func (v *view) LangURL(code string) string {
	return "/lang/" + code + "?next=" + url.QueryEscape(v.Path)
}

// Money formats an amount with its currency for the page's language.
func (v *view) Money(d decimal.Decimal, cur string) string { return formatMoney(v.Lang, d, cur) }

// Unit formats a unit price (up to four decimals) with its currency.
func (v *view) Unit(d decimal.Decimal, cur string) string { return formatUnitPrice(v.Lang, d, cur) }

// Num formats a quantity with thousands separators and at most places decimals.
func (v *view) Num(d decimal.Decimal, places int) string { return formatNumber(d, int32(places)) }

// NullNum formats an optional figure, or says it was not found in the sources.
func (v *view) NullNum(d decimal.NullDecimal, places int) string {
	if !d.Valid {
		return v.T("offer.not_found_value")
	}
	return formatNumber(d.Decimal, int32(places))
}

// Date formats t as an ISO date (UTC).
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.DateOnly)
}

// DateTime formats t as an ISO date and minute in UTC.
func (v *view) DateTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// RFC3339 formats t for machine-readable attributes.
func (v *view) RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// RegionName is the region's name in the page's language.
func (v *view) RegionName(r marketplace.Region) string {
	if v.Lang == langZH && r.NameZH != "" {
		return r.NameZH
	}
	return r.Name
}

// AccName is the accelerator's name in the page's language.
func (v *view) AccName(a marketplace.Accelerator) string {
	if v.Lang == langZH && a.NameZH != "" {
		return a.NameZH
	}
	if a.Name == "" {
		return a.Model
	}
	return a.Name
}

// Country names an ISO country code in the page's language, keeping the code.
func (v *view) Country(code string) string {
	for _, c := range countryNames {
		if c.Code == code {
			if v.Lang == langZH {
				return c.ZH + " (" + code + ")"
			}
			return c.EN + " (" + code + ")"
		}
	}
	return code
}

// Countries lists the buyer countries the forms offer.
func (v *view) Countries() []struct{ Code, EN, ZH string } { return countryNames }

// selArg is the argument of an options template: the view and the selected value.
type selArg struct {
	V     *view
	Value string
}

// Selected packs the selected value of a select for an options template.
func (v *view) Selected(value string) selArg { return selArg{V: v, Value: value} }

// Confidence is the badge text of a provenance confidence mark.
func (v *view) Confidence(c marketplace.Confidence) string { return v.T("badge." + string(c)) }

// provArg is the argument of the "provenance" template: the view and a figure's provenance.
type provArg struct {
	V *view
	P marketplace.Provenance
}

// Prov packs a provenance for the "provenance" template.
func (v *view) Prov(p marketplace.Provenance) provArg { return provArg{V: v, P: p} }
