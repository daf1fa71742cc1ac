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
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
	"corridor/web/i18n"
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
var pageNames = []string{"market", "offer", "quote", "order", "compare", "map", "doc", "error",
	"signup", "signin", "account", "buyerkey", "orders"} // the buyer's account and orders: pages_buyers.go

// ui holds what the page handlers share: templates parsed once at start-up, the CSRF guard
// and the version string that busts caches of the static files.
type ui struct {
	market pageMarket
	buyers pageBuyers
	log    *slog.Logger
	csrf   *csrfGuard
	tmpl   map[string]*template.Template
	asset  string
	// regionsByHash caches the buyer regions named by each policy version, by its hash.
	regionsByHash sync.Map
	maps          mapCache // rendered maps (pages_map.go)
	responses     *responseCache
}

// addPageRoutes adds the server-rendered browser UI.
func addPageRoutes(app *fiber.App, d Deps) {
	u := newUI(d)
	static, _ := fs.Sub(uiFS, "static")
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 365 * 24 * 3600}))
	app.Get("/lang/:code", handleLang)

	app.Get("/", u.page(u.cachedPage("market", u.handleMarket)))
	app.Get("/offers/:id", u.page(u.handleOffer))
	app.Post("/quotes", u.page(u.csrfChecked(u.handleQuoteForm)))
	app.Get("/quotes/:id", u.page(u.handleQuotePage))
	app.Post("/quotes/:id/accept", u.page(u.csrfChecked(u.handleAccept)))
	u.addBuyerPages(app) // sign-up, sign-in, account, orders: pages_buyers.go
	app.Get("/compare", u.page(u.handleCompare))
	app.Get("/map", u.page(u.handleMap))
	app.Get("/index", u.page(u.handleIndexPage)) // the price index: pages_index.go
	app.Get("/docs/policy.schema.json", handlePolicySchema)
	app.Get("/docs/:name", u.page(u.handleDoc))
	app.Post("/compare", u.page(u.csrfChecked(u.handleCompare)))
	// The what-if workbench: pages_whatif.go.
	u.addWhatifPages(app, d.Market)
	app.Use(u.page(func(c *fiber.Ctx, v *view) error { // any other path: an HTML 404 for people
		return &marketplace.Error{Code: marketplace.CodeNotFound, Message: v.T("error.no_page")}
	}))
}

// newUI parses the embedded templates; a broken template is a bug every test catches, so it
// panics rather than starting a server without pages.
func newUI(d Deps) *ui {
	u := &ui{market: d.Market, buyers: d.Market, log: d.Log, csrf: &csrfGuard{market: d.Market}, tmpl: map[string]*template.Template{}, responses: d.responses}
	for _, name := range pageNames {
		t := template.New(name).Funcs(template.FuncMap{"currencies": func() []string { return formCurrencies },
			"purposes": func() []tariff.Purpose { return formPurposes }, "taxterms": func() []tariff.TaxTerms { return formTaxTerms }})
		u.tmpl[name] = template.Must(t.ParseFS(uiFS, "templates/layout.html", "templates/components.html", "templates/terms.html", "templates/study_effects.html", "templates/"+name+".html"))
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
	Lang      string // the language's short code ("en", "zh")
	L         *i18n.Locale
	Title     string
	CSRF      string
	Path      string
	Asset     string
	RequestID string
	// Buyer is the signed-in buyer (SignedIn), from the session cookie.
	Buyer    marketplace.BuyerAccount
	SignedIn bool
}

// pageFunc handles a page request with the request's view prepared.
type pageFunc func(c *fiber.Ctx, v *view) error

// page wraps a page handler: it picks the language, issues the CSRF token, renders errors as
// HTML pages (not problem+json) and logs requests slower than slowPage.
func (u *ui) page(h pageFunc) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		l := i18n.Pick(c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
		v := &view{Lang: l.Code, L: l, Path: string(c.Request().URI().RequestURI()), Asset: u.asset}
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
			err = u.signedIn(c, v)
		}
		if err == nil {
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
		p.Status, p.Message = http.StatusInternalServerError, v.T("error.internal")
	}
	if p.Status == http.StatusNotFound {
		v.Title = v.T("error.notfound")
	} else {
		v.Title = v.T("error.title")
	}
	switch {
	case strings.HasPrefix(c.Path(), "/quotes/"):
		p.Back = "/quotes/" + url.PathEscape(c.Params("id"))
	case strings.HasPrefix(c.Path(), "/orders/"):
		p.Back = "/orders/" + url.PathEscape(c.Params("id"))
	}
	if rerr := u.render(c, p.Status, "error", p); rerr != nil {
		u.log.Error("render error page", "err", rerr)
		return c.Status(p.Status).SendString(http.StatusText(p.Status))
	}
	return nil
}

// T returns the message id in the page's language.
func (v *view) T(id string) string { return v.L.T(id) }

// Tf returns the message id with its placeholders filled from name–value pairs:
// {{.Tf "offer.title" "ID" .ID}}.
func (v *view) Tf(id string, kv ...any) string { return v.L.T(id, kv...) }

// HTMLLang is the lang attribute of the page (a BCP 47 tag such as zh-CN).
func (v *view) HTMLLang() string { return v.L.Tag.String() }

// Languages lists the languages of the switch, each with its link back to this page.
func (v *view) Languages() []langLink {
	out := make([]langLink, 0, len(i18n.All()))
	for _, l := range i18n.All() {
		out = append(out, langLink{Code: l.Code, Tag: l.Tag.String(), Name: l.Name(), URL: "/lang/" + l.Code + "?next=" + url.QueryEscape(v.Path), Current: l == v.L})
	}
	return out
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Tag, Name, URL string
	Current              bool
}

// Money formats an amount with its currency for the page's language.
func (v *view) Money(d decimal.Decimal, cur string) string { return v.L.Money(d, cur) }

// Unit formats a unit price (up to four decimals) with its currency.
func (v *view) Unit(d decimal.Decimal, cur string) string { return v.L.UnitPrice(d, cur) }

// Num formats a quantity with the language's separators and at most places decimals.
func (v *view) Num(d decimal.Decimal, places int) string { return v.L.Number(d, int32(places)) }

// Int formats a whole number with the language's thousands separator.
func (v *view) Int(n int) string { return v.L.Int(int64(n)) }

// NullNum formats an optional figure, or says it was not found in the sources.
func (v *view) NullNum(d decimal.NullDecimal, places int) string {
	if !d.Valid {
		return v.T("offer.not_found_value")
	}
	return v.L.Number(d.Decimal, int32(places))
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
	if v.Lang == "zh" && r.NameZH != "" {
		return r.NameZH
	}
	return r.Name
}

// AccName is the accelerator's name in the page's language.
func (v *view) AccName(a marketplace.Accelerator) string {
	if s := accNames(a)[v.Lang]; s != "" {
		return s
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Model
}

// accNames names an accelerator by language code, as i18n.Line wants it.
func accNames(a marketplace.Accelerator) map[string]string {
	return map[string]string{"en": a.Name, "zh": a.NameZH}
}

// Country names an ISO country code in the page's language, keeping the code.
func (v *view) Country(code string) string {
	return v.L.CountryName(code) + " (" + code + ")"
}

// Blocs lists the blocs for the forms' selects.
func (v *view) Blocs() []string {
	out := make([]string, len(marketplace.Blocs))
	for i, b := range marketplace.Blocs {
		out[i] = string(b)
	}
	return out
}

// mapArg is the argument of the "map" template: the view and the map.
type mapArg struct {
	V *view
	M mapView
}

// MapArg packs a map for the "map" template.
func (v *view) MapArg(m mapView) mapArg { return mapArg{V: v, M: m} }

// regionArg is the argument of the "buyer-region" template.
type regionArg struct {
	V        *view
	ID       string
	Value    string
	Options  []buyerRegionOption
	Err      string
	Unlisted bool // the value is not among the options (typed into a URL): kept as it is
}

// RegionArg packs the buyer-region select: its element id, the value, the options and the
// field's error.
func (v *view) RegionArg(id, value string, options []buyerRegionOption, err string) regionArg {
	a := regionArg{V: v, ID: id, Value: value, Options: options, Err: err, Unlisted: value != ""}
	for _, o := range options {
		if o.Code == value {
			a.Unlisted = false
		}
	}
	return a
}

// BuyerRegion names a place of registration (buyer.region) in the page's language.
func (v *view) BuyerRegion(code string) string { return v.L.TOr("buyer_region."+code, code) }

// PolicyName names a policy by its id in the page's language (policy.<id>, else the id); a
// quote under a scenario records "<base>+<scenario>" and is named by its base here (the page
// names the scenario with ScenarioName).
func (v *view) PolicyName(id string) string {
	base, _, _ := strings.Cut(id, "+")
	return v.L.TOr("policy."+base, base)
}

// ScenarioName names a scenario by its id in the page's language (scenario.<id>, else the id).
func (v *view) ScenarioName(id string) string { return v.L.TOr("scenario."+id, id) }

// FlagName names a compliance flag's code in the page's language.
func (v *view) FlagName(f tariff.Flag) string { return v.L.TOr("flag.code."+f.Code, f.Code) }

// Severity names a flag's severity in the page's language.
func (v *view) Severity(f tariff.Flag) string {
	return v.L.TOr("severity."+string(f.Severity), string(f.Severity))
}

// FlagMessage is a flag's message in the page's language. English readers get the message as
// the policy (or the engine) wrote it; other languages the catalogue's translation of the
// engine's own flags (flag.<code>: fx.stale with the dates of the quote q, quota.low,
// rate.unknown, vat_id.*) or of the measure's message (flag.<measure id>), else the message as
// written.
func (v *view) FlagMessage(f tariff.Flag, q *pricing.Quote) string {
	switch {
	case v.Lang == i18n.DefaultCode:
		return f.Message
	case f.Code == "quota.low" || f.Code == "rate.unknown":
		return v.L.TOr("flag."+f.Code, f.Message, "Measure", f.MeasureID)
	case strings.HasPrefix(f.Code, "vat_id.") || f.Code == "tax_terms.not_offered":
		return v.L.TOr("flag."+f.Code, f.Message)
	case f.Code == "fx.stale" && f.Confidence == "illustrative": // a rate carried forward
		return v.L.TOr("flag.fx.carried", f.Message, "Source", v.FXSource(f.Source))
	case f.MeasureID != "":
		return v.L.TOr("flag."+f.MeasureID, f.Message)
	case f.Code == "fx.stale" && q != nil && len(q.FX) > 0:
		oldest := q.FX[0].Date
		for _, u := range q.FX {
			if u.Date.Before(oldest) {
				oldest = u.Date
			}
		}
		days := int(q.AsOf.Sub(oldest).Hours() / 24)
		return v.L.TOr("flag.fx.stale", f.Message, "RateDate", v.Date(oldest), "Days", days, "AsOf", v.Date(q.AsOf))
	}
	return f.Message
}

// countryOption is one country of a form's select.
type countryOption struct{ Code, Name string }

// Countries lists the buyer countries the forms offer, named in the page's language.
func (v *view) Countries() []countryOption {
	out := make([]countryOption, len(formCountries))
	for i, c := range formCountries {
		out[i] = countryOption{Code: c, Name: v.L.CountryName(c)}
	}
	return out
}

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
