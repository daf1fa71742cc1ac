package web

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// pageBuyers is what the buyer's pages use of the marketplace: accounts, sessions and orders.
type pageBuyers interface {
	CreateBuyer(ctx context.Context, in marketplace.NewBuyer) (marketplace.BuyerAccount, string, error)
	RotateBuyerKey(ctx context.Context, buyerID string) (marketplace.BuyerKey, string, error)
	StartBuyerSession(ctx context.Context, buyerID string) (string, time.Time, error)
	SignInBuyer(ctx context.Context, key string) (marketplace.BuyerAccount, string, time.Time, error)
	BuyerBySession(ctx context.Context, token string) (marketplace.BuyerAccount, error)
	EndBuyerSession(ctx context.Context, token string) error
	AcceptQuote(ctx context.Context, quoteID, buyerID string) (marketplace.Order, bool, error)
	Order(ctx context.Context, id string) (marketplace.Order, error)
	Orders(ctx context.Context, q marketplace.OrderQuery) (marketplace.OrderPage, error)
	CancelOrder(ctx context.Context, buyerID, orderID, reason string) (marketplace.Order, bool, error)
}

// addBuyerPages adds the buyer's pages: opening an account, signing in and out, the account
// and its key, the buyer's orders and cancelling one. Every form is CSRF-checked.
func (u *ui) addBuyerPages(app *fiber.App) {
	app.Get("/signup", u.page(u.handleSignUpForm))
	app.Post("/signup", u.page(u.csrfChecked(u.handleSignUp)))
	app.Get("/signin", u.page(u.handleSignInForm))
	app.Post("/signin", u.page(u.csrfChecked(u.handleSignIn)))
	app.Post("/signout", u.page(u.csrfChecked(u.handleSignOut)))
	app.Get("/account", u.page(u.signedInOnly(u.handleAccount)))
	app.Post("/account/key", u.page(u.csrfChecked(u.signedInOnly(u.handleKeyRotate))))
	app.Get("/orders", u.page(u.signedInOnly(u.handleOrders)))
	app.Get("/orders/:id", u.page(u.handleOrder))
	app.Post("/orders/:id/cancel", u.page(u.csrfChecked(u.signedInOnly(u.handleCancel))))
}

// signedIn reads the session cookie into the view; a session that ended (signed out, expired,
// the key rotated elsewhere) makes the browser forget its cookie.
func (u *ui) signedIn(c *fiber.Ctx, v *view) error {
	tok := c.Cookies(sessionCookie)
	if tok == "" {
		return nil
	}
	b, err := u.buyers.BuyerBySession(c.UserContext(), strings.Clone(tok))
	switch {
	case marketplace.ErrorCode(err) == marketplace.CodeUnauthorized:
		clearSessionCookie(c)
		return nil
	case err != nil:
		return err
	}
	v.Buyer, v.SignedIn = b, true
	return nil
}

// signedInOnly sends a visitor who is not signed in to the sign-in page, coming back here
// after (a form post comes back to the page it was posted from).
func (u *ui) signedInOnly(h pageFunc) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		if !v.SignedIn {
			return c.Redirect(signInURL(v.Path), fiber.StatusSeeOther)
		}
		return h(c, v)
	}
}

// signInURL is the sign-in page that comes back to next.
func signInURL(next string) string { return "/signin?next=" + url.QueryEscape(localPath(next)) }

// BackLabel words the error page's way back: to the quote, the order, or the market.
func (p errorPage) BackLabel() string {
	switch {
	case strings.HasPrefix(p.Back, "/quotes/"):
		return p.T("order.quote")
	case strings.HasPrefix(p.Back, "/orders/"):
		return p.T("buyers.back_to_order")
	}
	return p.T("error.back")
}

// signUpForm is the account form as typed, so an error shows it again.
type signUpForm struct {
	Organisation, Country, Type, VATID, Headquarters, Region, Next string
}

// signUpFields are the form's inputs, by the API's field names.
var signUpFields = map[string]bool{"organisation": true, "country": true, "type": true, "vat_id": true, "headquarters": true, "region": true}

// signUpPage is the data of the sign-up page.
type signUpPage struct {
	*view
	Form         signUpForm
	Errs         map[string]string
	Message      string
	BuyerRegions []buyerRegionOption
}

func (u *ui) handleSignUpForm(c *fiber.Ctx, v *view) error {
	f := signUpForm{Country: v.T("default.country"), Type: "business", Next: localPath(c.Query("next", "/orders"))}
	return u.renderSignUp(c, v, fiber.StatusOK, f, nil)
}

func (u *ui) renderSignUp(c *fiber.Ctx, v *view, status int, f signUpForm, err error) error {
	po, perr := u.policyOptions(c, v.L)
	if perr != nil {
		return perr
	}
	v.Title = v.T("buyers.signup.title")
	p := signUpPage{view: v, Form: f, Errs: map[string]string{}, BuyerRegions: po.BuyerRegions}
	if err != nil {
		var de *marketplace.Error
		if !errors.As(err, &de) {
			return err
		}
		p.Message, p.Errs = fieldErrors(de, signUpFields)
	}
	return u.render(c, status, "signup", p)
}

// keyPage shows a buyer key once: after opening an account or rotating the key.
type keyPage struct {
	*view
	Key     string
	Created bool // a new account (else a rotated key)
	Next    string
}

// handleSignUp opens an account, signs the browser in and shows the key, this once.
func (u *ui) handleSignUp(c *fiber.Ctx, v *view) error {
	val := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := signUpForm{Organisation: val("organisation"), Country: val("country"), Type: val("type"), VATID: val("vat_id"),
		Headquarters: val("headquarters"), Region: val("buyer.region"), Next: localPath(val("next"))}
	if v.SignedIn { // a reload of the key page would otherwise open a second account
		return u.renderSignUp(c, v, fiber.StatusConflict, f, &marketplace.Error{Code: marketplace.CodeConflict,
			Message: v.Tf("buyers.signup.signed_in", "Organisation", v.Buyer.Organisation)})
	}
	b, key, err := u.buyers.CreateBuyer(c.UserContext(), marketplace.NewBuyer{Organisation: f.Organisation, Country: f.Country, Type: f.Type,
		VATID: f.VATID, Headquarters: f.Headquarters, Region: f.Region})
	if err != nil {
		if marketplace.ErrorCode(err) != marketplace.CodeInvalid {
			return err
		}
		return u.renderSignUp(c, v, fiber.StatusBadRequest, f, err)
	}
	if err := u.startSession(c, v, b); err != nil {
		return err
	}
	v.Title = v.T("buyers.key.created_title")
	return u.render(c, fiber.StatusCreated, "buyerkey", keyPage{view: v, Key: key, Created: true, Next: f.Next})
}

// startSession signs the browser in as b.
func (u *ui) startSession(c *fiber.Ctx, v *view, b marketplace.BuyerAccount) error {
	tok, until, err := u.buyers.StartBuyerSession(c.UserContext(), b.ID)
	if err != nil {
		return err
	}
	setSessionCookie(c, tok, until)
	v.Buyer, v.SignedIn = b, true
	return nil
}

// signInPage is the data of the sign-in page.
type signInPage struct {
	*view
	Next    string
	Message string
}

func (u *ui) handleSignInForm(c *fiber.Ctx, v *view) error {
	v.Title = v.T("buyers.signin.title")
	return u.render(c, fiber.StatusOK, "signin", signInPage{view: v, Next: localPath(c.Query("next", "/orders"))})
}

// handleSignIn signs the browser in with a buyer key and goes on to next.
func (u *ui) handleSignIn(c *fiber.Ctx, v *view) error {
	next := localPath(strings.TrimSpace(c.FormValue("next")))
	b, tok, until, err := u.buyers.SignInBuyer(c.UserContext(), c.FormValue("key"))
	if marketplace.ErrorCode(err) == marketplace.CodeUnauthorized {
		v.Title = v.T("buyers.signin.title")
		return u.render(c, fiber.StatusUnauthorized, "signin", signInPage{view: v, Next: next, Message: v.T("buyers.signin.denied")})
	}
	if err != nil {
		return err
	}
	setSessionCookie(c, tok, until)
	v.Buyer, v.SignedIn = b, true
	return c.Redirect(next, fiber.StatusSeeOther)
}

// handleSignOut ends the browser's session.
func (u *ui) handleSignOut(c *fiber.Ctx, v *view) error {
	if err := u.buyers.EndBuyerSession(c.UserContext(), strings.Clone(c.Cookies(sessionCookie))); err != nil {
		return err
	}
	clearSessionCookie(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

// accountPage is the data of the account page.
type accountPage struct {
	*view
}

func (u *ui) handleAccount(c *fiber.Ctx, v *view) error {
	v.Title = v.T("buyers.account.title")
	return u.render(c, fiber.StatusOK, "account", accountPage{view: v})
}

// handleKeyRotate issues a new key (revoking the old one and ending every session), signs this
// browser in again and shows the new key, this once.
func (u *ui) handleKeyRotate(c *fiber.Ctx, v *view) error {
	_, key, err := u.buyers.RotateBuyerKey(c.UserContext(), v.Buyer.ID)
	if err != nil {
		return err
	}
	if err := u.startSession(c, v, v.Buyer); err != nil {
		return err
	}
	v.Title = v.T("buyers.key.rotated_title")
	return u.render(c, fiber.StatusCreated, "buyerkey", keyPage{view: v, Key: key, Next: "/account"})
}

// ordersPage is the data of the buyer's order list.
type ordersPage struct {
	*view
	Orders []marketplace.Order
	Next   string // the next page's link, if any
	First  bool   // the first page
	now    time.Time
	offers map[string]marketplace.OfferContext
}

// CancelUntil is the end of free cancellation of o, worded, or "" when it can no longer be
// cancelled (by the service's clock).
func (p ordersPage) CancelUntil(o marketplace.Order) string {
	if !o.CanCancelAt(p.now) {
		return ""
	}
	d, _ := o.CancellableUntil()
	return p.DateTime(d)
}

// Offer names an order's offer in the page's language: accelerator, region, supplier.
func (p ordersPage) Offer(id string) string { return offerLabel(p.view, p.offers, id) }

// offerLabel names offer id by what it sells, where and by whom (the id when it cannot be read).
func offerLabel(v *view, offers map[string]marketplace.OfferContext, id string) string {
	oc, ok := offers[id]
	if !ok {
		return id
	}
	return v.AccName(oc.Accelerator) + " · " + v.RegionName(oc.Region) + " · " + oc.Supplier.Name
}

// orderOffers reads the offers of the orders (each once), for their names.
func (u *ui) orderOffers(c *fiber.Ctx, orders ...marketplace.Order) map[string]marketplace.OfferContext {
	out := map[string]marketplace.OfferContext{}
	for _, o := range orders {
		if _, done := out[o.OfferID]; done {
			continue
		}
		if oc, err := u.market.OfferDetail(c.UserContext(), o.OfferID); err == nil {
			out[o.OfferID] = oc
		}
	}
	return out
}

func (u *ui) handleOrders(c *fiber.Ctx, v *view) error {
	page, err := u.buyers.Orders(c.UserContext(), marketplace.OrderQuery{BuyerID: v.Buyer.ID, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	v.Title = v.T("buyers.orders.title")
	p := ordersPage{view: v, Orders: page.Orders, First: c.Query("cursor") == "", now: u.market.Now(), offers: u.orderOffers(c, page.Orders...)}
	if page.NextCursor != "" {
		p.Next = "/orders?cursor=" + url.QueryEscape(page.NextCursor)
	}
	return u.render(c, fiber.StatusOK, "orders", p)
}

// OrderStatus words an order's status.
func (v *view) OrderStatus(status string) string { return v.L.TOr("order.status."+status, status) }

// orderPage is the data of the order page.
type orderPage struct {
	*view
	O         marketplace.Order
	CanCancel bool
	Deadline  time.Time // the end of free cancellation, when there is one
	HasTerms  bool
	offers    map[string]marketplace.OfferContext
}

// Offer names the order's offer in the page's language.
func (p orderPage) Offer() string { return offerLabel(p.view, p.offers, p.O.OfferID) }

// Terms words the order's cancellation terms.
func (p orderPage) Terms() string { return p.CancellationTerms(p.O.Cancellation) }

// CancellationTerms words cancellation terms: "Free cancellation until 24 hours before the
// start" or "Not cancellable once ordered".
func (v *view) CancellationTerms(c marketplace.Cancellation) string {
	if c.Kind == marketplace.CancelFreeUntil {
		if c.NoticeHours == 0 {
			return v.T("buyers.terms.free_until_start")
		}
		return v.Tf("buyers.terms.free_until", "Hours", c.NoticeHours)
	}
	return v.T("buyers.terms.non_cancellable")
}

// handleOrder shows an order to its buyer (an order placed before buyer accounts to anyone
// with its id); a visitor who is not signed in is asked to sign in first, another buyer is
// told there is no such order.
func (u *ui) handleOrder(c *fiber.Ctx, v *view) error {
	o, err := u.buyers.Order(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	if o.BuyerID != "" && !v.SignedIn {
		return c.Redirect(signInURL(v.Path), fiber.StatusSeeOther)
	}
	if o.BuyerID != "" && o.BuyerID != v.Buyer.ID {
		return &marketplace.Error{Code: marketplace.CodeNotFound, Message: v.T("buyers.no_order")}
	}
	v.Title = v.Tf("order.title", "ID", o.ID)
	p := orderPage{view: v, O: o, HasTerms: !o.Cancellation.IsZero(), offers: u.orderOffers(c, o)}
	p.Deadline, _ = o.Cancellation.Deadline(o.Start)
	p.CanCancel = o.BuyerID != "" && o.CanCancelAt(u.market.Now())
	return u.render(c, fiber.StatusOK, "order", p)
}

// handleAccept turns the quote into an order of the signed-in buyer and shows it; a visitor
// who is not signed in gets the sign-in page (401), which comes back to the quote. An expired
// quote (410), a capacity or quota conflict (409) or a quote priced for another buyer (409)
// shows an error page that links back to the quote.
func (u *ui) handleAccept(c *fiber.Ctx, v *view) error {
	id := strings.Clone(c.Params("id"))
	if !v.SignedIn {
		v.Title = v.T("buyers.signin.title")
		return u.render(c, fiber.StatusUnauthorized, "signin", signInPage{view: v, Next: "/quotes/" + url.PathEscape(id), Message: v.T("buyers.quote.signin_to_accept")})
	}
	o, _, err := u.buyers.AcceptQuote(c.UserContext(), id, v.Buyer.ID)
	if err != nil {
		return err
	}
	return c.Redirect("/orders/"+url.PathEscape(o.ID), fiber.StatusSeeOther)
}

// handleCancel cancels the signed-in buyer's order with the reason given.
func (u *ui) handleCancel(c *fiber.Ctx, v *view) error {
	id := strings.Clone(c.Params("id"))
	if _, _, err := u.buyers.CancelOrder(c.UserContext(), v.Buyer.ID, id, c.FormValue("reason")); err != nil {
		return err
	}
	return c.Redirect("/orders/"+url.PathEscape(id), fiber.StatusSeeOther)
}

// prefillQuoteForm fills the quote form's buyer fields from the signed-in buyer's account
// (BuyerAccount.QuoteBuyer, the one mapping of account fields into a request); the buyer may
// still change them, and a quote priced for other fields is not the account's to accept.
func prefillQuoteForm(v *view, f quoteForm) quoteForm {
	if !v.SignedIn {
		return f
	}
	b := v.Buyer.QuoteBuyer()
	f.Country, f.BuyerType, f.VATID, f.BuyerRegion, f.Headquarters = b.Country, b.Type, b.VATID, b.Region, b.Headquarters
	return f
}
