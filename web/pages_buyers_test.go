package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var buyerKeyOnPage = regexp.MustCompile(`id="buyer-key">(cbk_[0-9a-f]{16}_[0-9a-f]{64})<`)

// signUp opens an account through the sign-up form and returns its key (the page client is
// signed in afterwards).
func signUp(t *testing.T, pc *pageClient, organisation, country, typ, vat string) string {
	t.Helper()
	form := pc.get("/signup")
	r := pc.post("/signup", url.Values{"_csrf": {token(t, form.Body)}, "organisation": {organisation}, "country": {country}, "type": {typ}, "vat_id": {vat}, "next": {"/orders"}})
	m := buyerKeyOnPage.FindStringSubmatch(r.Body)
	if r.Status != http.StatusCreated || m == nil {
		t.Fatalf("sign up: %d\n%.2000s", r.Status, r.Body)
	}
	if pc.cookies[sessionCookie] == "" {
		t.Fatal("signing up did not sign the browser in")
	}
	return m[1]
}

// TestBuyerAccountPages: sign up (every field error at once, input kept), the key shown once,
// signed in; a second sign-up while signed in is refused; the account page; rotating the key
// (the old one no longer signs in, the new one does); signing out; CSRF on every form.
func TestBuyerAccountPages(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	if r := pc.get("/orders"); r.Status != http.StatusSeeOther || r.Location != "/signin?next=%2Forders" {
		t.Errorf("orders when not signed in: %d %q", r.Status, r.Location)
	}
	form := pc.get("/signup")
	for _, w := range []string{`name="organisation"`, `name="vat_id"`, `name="headquarters"`, `name="buyer.region"`, `id="signup"`} {
		if !strings.Contains(form.Body, w) {
			t.Errorf("sign-up page lacks %s", w)
		}
	}
	if r := pc.post("/signup", url.Values{"organisation": {"No Token Ltd"}, "country": {"CN"}, "type": {"business"}}); r.Status != http.StatusForbidden {
		t.Errorf("sign-up without the CSRF token: %d", r.Status)
	}
	bad := pc.post("/signup", url.Values{"_csrf": {token(t, form.Body)}, "organisation": {""}, "country": {"DE"}, "type": {"business"}, "vat_id": {"DE12"}})
	if bad.Status != http.StatusBadRequest || strings.Count(bad.Body, `class="field-error"`) != 2 || !strings.Contains(bad.Body, `value="DE12"`) ||
		!strings.Contains(bad.Body, "is required: the name to invoice") || !strings.Contains(bad.Body, "expected 9 digits after DE") {
		t.Errorf("sign-up with two bad fields: %d\n%.3000s", bad.Status, bad.Body)
	}
	key := signUp(t, pc, "Kraftwerk Compute GmbH", "DE", "business", "DE123456789")
	home := pc.get("/")
	if !strings.Contains(home.Body, `id="account-link">Kraftwerk Compute GmbH<`) || !strings.Contains(home.Body, `id="signout"`) {
		t.Errorf("the header does not show the signed-in buyer")
	}
	if again := pc.post("/signup", url.Values{"_csrf": {token(t, home.Body)}, "organisation": {"Second GmbH"}, "country": {"DE"}, "type": {"business"}, "vat_id": {"DE999999999"}}); again.Status != http.StatusConflict {
		t.Errorf("a second sign-up while signed in: %d", again.Status)
	}
	acct := pc.get("/account")
	if acct.Status != 200 || !strings.Contains(acct.Body, "<code>DE123456789</code>") || strings.Contains(acct.Body, key) {
		t.Errorf("account page: %d\n%.2000s", acct.Status, acct.Body)
	}
	rot := pc.post("/account/key", url.Values{"_csrf": {token(t, acct.Body)}})
	m := buyerKeyOnPage.FindStringSubmatch(rot.Body)
	if rot.Status != http.StatusCreated || m == nil || m[1] == key {
		t.Fatalf("rotate: %d\n%.2000s", rot.Status, rot.Body)
	}
	if r := pc.get("/account"); r.Status != 200 {
		t.Errorf("the browser that rotated the key was signed out: %d", r.Status)
	}
	// Another browser: the old key is refused, the new one signs in and goes on to next.
	other := newPageClient(t, app)
	signin := other.get("/signin?next=/account")
	if r := other.post("/signin", url.Values{"_csrf": {token(t, signin.Body)}, "key": {key}, "next": {"/account"}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "This key is not valid") {
		t.Errorf("signing in with the replaced key: %d", r.Status)
	}
	if r := other.post("/signin", url.Values{"_csrf": {token(t, signin.Body)}, "key": {m[1]}, "next": {"//evil.example/"}}); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Errorf("signing in with an off-site next: %d %q", r.Status, r.Location)
	}
	if r := other.get("/account"); r.Status != 200 || !strings.Contains(r.Body, "Kraftwerk Compute GmbH") {
		t.Errorf("signed in with the new key: %d", r.Status)
	}
	if r := other.post("/signin", url.Values{"key": {m[1]}}); r.Status != http.StatusForbidden {
		t.Errorf("sign-in without the CSRF token: %d", r.Status)
	}
	// Signing out ends the session here only.
	out := other.post("/signout", url.Values{"_csrf": {token(t, other.get("/").Body)}})
	if out.Status != http.StatusSeeOther || other.cookies[sessionCookie] != "" {
		t.Errorf("sign out: %d, cookie %q", out.Status, other.cookies[sessionCookie])
	}
	if r := other.get("/account"); r.Status != http.StatusSeeOther {
		t.Errorf("account after signing out: %d", r.Status)
	}
	if r := pc.get("/account"); r.Status != 200 {
		t.Errorf("the first browser was signed out too: %d", r.Status)
	}
}

// TestBuyerOrderPages: a signed-in buyer quotes (filled in from the account), accepts, finds
// the order in /orders and on the quote, cancels it with a reason under the offer's terms; a
// second buyer neither lists nor opens nor cancels it; a visitor is sent to sign in.
func TestBuyerOrderPages(t *testing.T) {
	app, _, _ := seededApp(t)
	pc := newPageClient(t, app)
	signUp(t, pc, "Kraftwerk Compute GmbH", "DE", "business", "DE123456789")
	offer := pc.get("/offers/demo-offer-001")
	if !strings.Contains(offer.Body, `id="offer-cancellation">Free cancellation until 24 hours before the start<`) {
		t.Errorf("the offer page does not state its cancellation terms")
	}
	f := germanQuoteForm("demo-offer-001", token(t, offer.Body))
	f.Set("buyer.vat_id", "DE123456789")
	f.Set("start", "2026-12-05") // a week ahead of the test clock: free cancellation until 2026-12-04 00:00
	q := pc.post("/quotes", f)
	quote := pc.get(q.Location)
	if !strings.Contains(quote.Body, `id="accept"`) || !strings.Contains(quote.Body, `id="quote-terms">Cancellation terms: Free cancellation until 24 hours before the start<`) {
		t.Fatalf("quote page:\n%.3000s", quote.Body)
	}
	acc := pc.post(q.Location+"/accept", url.Values{"_csrf": {token(t, quote.Body)}})
	orderPath := acc.Location
	orders := pc.get("/orders")
	if orders.Status != 200 || !strings.Contains(orders.Body, `href="`+orderPath+`"`) || !strings.Contains(orders.Body, "free cancellation until 2026-12-04 00:00 UTC") {
		t.Errorf("orders page:\n%.3000s", orders.Body)
	}
	order := pc.get(orderPath)
	for _, w := range []string{`id="order-buyer">Kraftwerk Compute GmbH · Germany (DE) · <code>DE123456789</code>`, `id="cancel-form"`,
		`(ends <time datetime="2026-12-04T00:00:00Z">`} {
		if !strings.Contains(order.Body, w) {
			t.Errorf("order page lacks %s:\n%.3000s", w, order.Body)
		}
	}
	// Another buyer: not listed, not found, cannot cancel.
	other := newPageClient(t, app)
	signUp(t, other, "Other <b>Buyer</b> SARL", "FR", "consumer", "")
	if r := other.get("/orders"); !strings.Contains(r.Body, "Other &lt;b&gt;Buyer&lt;/b&gt; SARL") || strings.Contains(r.Body, "<b>Buyer</b>") {
		t.Errorf("an organisation's markup is not shown as text")
	}
	if r := other.get("/orders"); strings.Contains(r.Body, orderPath) || !strings.Contains(r.Body, `id="no-orders"`) {
		t.Errorf("another buyer's order list shows the order")
	}
	if r := other.get(orderPath); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Kraftwerk") {
		t.Errorf("another buyer opening the order: %d", r.Status)
	}
	if r := other.post(orderPath+"/cancel", url.Values{"_csrf": {token(t, other.get("/").Body)}, "reason": {"mine"}}); r.Status != http.StatusNotFound {
		t.Errorf("another buyer cancelling the order: %d", r.Status)
	}
	if r := newPageClient(t, app).get(orderPath); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/signin?next=") {
		t.Errorf("a visitor opening the order: %d %q", r.Status, r.Location)
	}
	// Cancelling: CSRF, a reason, then cancelled with who, when and why.
	if r := pc.post(orderPath+"/cancel", url.Values{"reason": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("cancel without the CSRF token: %d", r.Status)
	}
	if r := pc.post(orderPath+"/cancel", url.Values{"_csrf": {token(t, order.Body)}, "reason": {" "}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "<code>reason</code>") {
		t.Errorf("cancel without a reason: %d\n%.2000s", r.Status, r.Body)
	}
	c := pc.post(orderPath+"/cancel", url.Values{"_csrf": {token(t, order.Body)}, "reason": {"project postponed"}})
	if c.Status != http.StatusSeeOther || c.Location != orderPath {
		t.Fatalf("cancel: %d %q", c.Status, c.Location)
	}
	done := pc.get(orderPath)
	if !strings.Contains(done.Body, "Cancelled") || !strings.Contains(done.Body, "project postponed") || strings.Contains(done.Body, `id="cancel-form"`) {
		t.Errorf("the cancelled order's page:\n%.3000s", done.Body)
	}
	if r := pc.get(q.Location); !strings.Contains(r.Body, `id="quote-accepted"`) || strings.Contains(r.Body, `id="accept"`) {
		t.Errorf("the quote of a cancelled order offers to accept it again")
	}
}
