package marketplace_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// newBuyer opens a buyer account (an organisation named after the country) and returns it.
func newBuyer(tb testing.TB, svc *marketplace.Service, country, typ, vat string) marketplace.BuyerAccount {
	tb.Helper()
	b, key, err := svc.CreateBuyer(context.Background(), marketplace.NewBuyer{Organisation: "Buyer " + country + " " + typ, Country: country, Type: typ, VATID: vat})
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(key, marketplace.BuyerKeyPrefix) || len(key) != len("cbk_")+16+1+64 {
		tb.Fatalf("buyer key %q", key)
	}
	return b
}

// fieldsOf lists the fields a validation error names.
func fieldsOf(err error) []string {
	e, ok := marketplace.AsError(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestCreateBuyerValidation: every field is checked at once, a VAT number by the format of its
// member state (and normalized), a consumer has none, a business in the EU must have one.
func TestCreateBuyerValidation(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	ok := []struct {
		in      marketplace.NewBuyer
		wantVAT string
	}{
		{marketplace.NewBuyer{Organisation: "Kraftwerk Compute GmbH", Country: "de", Type: "business", VATID: "de 123.456-789"}, "DE123456789"},
		{marketplace.NewBuyer{Organisation: "Αθήνα Cloud", Country: "GR", Type: "business", VATID: "GR123456789"}, "EL123456789"},
		{marketplace.NewBuyer{Organisation: "Ningxia Buyer", Country: "CN", Type: "business", VATID: "91640500mA76xxxx1q", Region: "cn-ningxia-zhongwei"}, "91640500MA76XXXX1Q"},
		{marketplace.NewBuyer{Organisation: "No Tax Id Ltd", Country: "US", Type: "business"}, ""},
		{marketplace.NewBuyer{Organisation: "Jane Doe", Country: "FR", Type: "consumer", Headquarters: ""}, ""},
		{marketplace.NewBuyer{Organisation: "EU Arm of a US Group", Country: "IE", Type: "business", VATID: "IE1234567T", Headquarters: "us"}, "IE1234567T"},
	}
	for _, c := range ok {
		b, _, err := svc.CreateBuyer(ctx, c.in)
		if err != nil {
			t.Errorf("%+v: %v", c.in, err)
			continue
		}
		if b.VATID != c.wantVAT || b.Country != strings.ToUpper(c.in.Country) || !strings.HasPrefix(b.ID, "buy_") || !b.CreatedAt.Equal(testClock.Truncate(time.Second)) {
			t.Errorf("%+v: stored %+v", c.in, b)
		}
		if got, err := svc.Buyer(ctx, b.ID); err != nil || got != b {
			t.Errorf("read back %+v, %v; want %+v", got, err, b)
		}
	}
	bad := []struct {
		in   marketplace.NewBuyer
		want []string
	}{
		{marketplace.NewBuyer{}, []string{"organisation", "country", "type"}},
		{marketplace.NewBuyer{Organisation: "X", Country: "DE", Type: "business"}, []string{"vat_id"}},                         // required in the EU
		{marketplace.NewBuyer{Organisation: "X", Country: "DE", Type: "business", VATID: "DE12345678"}, []string{"vat_id"}},    // 8 digits, not 9
		{marketplace.NewBuyer{Organisation: "X", Country: "DE", Type: "business", VATID: "FR12345678901"}, []string{"vat_id"}}, // another state's
		{marketplace.NewBuyer{Organisation: "X", Country: "FR", Type: "consumer", VATID: "FR12345678901"}, []string{"vat_id"}},
		{marketplace.NewBuyer{Organisation: "X", Country: "CN", Type: "business", VATID: "91<script>"}, []string{"vat_id"}},
		{marketplace.NewBuyer{Organisation: "X", Country: "ZZ", Type: "individual", Headquarters: "Mars", Region: "Beijing City"}, []string{"country", "type", "headquarters", "region"}},
		{marketplace.NewBuyer{Organisation: "bad\x1b[31m", Country: "CN", Type: "consumer"}, []string{"organisation"}},
		{marketplace.NewBuyer{Organisation: strings.Repeat("x", 201), Country: "CN", Type: "consumer"}, []string{"organisation"}},
	}
	for _, c := range bad {
		_, _, err := svc.CreateBuyer(ctx, c.in)
		if marketplace.ErrorCode(err) != marketplace.CodeInvalid || strings.Join(fieldsOf(err), ",") != strings.Join(c.want, ",") {
			t.Errorf("%+v: %v, fields %v; want %v", c.in, err, fieldsOf(err), c.want)
		}
	}
}

// TestBuyerKeysAndSessions: the key authenticates until it is rotated, a rotation ends the
// browser sessions, a session ends when signed out or after BuyerSessionTTL, and every
// failure is the same 401.
func TestBuyerKeysAndSessions(t *testing.T) {
	clock := testClock
	svc, st := newMarket(t, &clock)
	ctx := context.Background()
	b, key, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Keys Ltd", Country: "CN", Type: "business"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.AuthenticateBuyer(ctx, key); err != nil || got.ID != b.ID {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	tampered := key[:len(key)-1] + map[bool]string{true: "0", false: "1"}[key[len(key)-1] != '0']
	for _, bad := range []string{"", "cbk_", tampered, "csk_" + key[4:], key + "0"} {
		if _, err := svc.AuthenticateBuyer(ctx, bad); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
			t.Errorf("key %q: %v, want unauthorized", bad, err)
		}
	}
	// Signing in with the key opens a session; the session knows the buyer.
	_, sess, until, err := svc.SignInBuyer(ctx, " "+key+" ")
	if err != nil || !until.Equal(testClock.Truncate(time.Second).Add(marketplace.BuyerSessionTTL)) {
		t.Fatalf("sign in: %v until %s", err, until)
	}
	if got, err := svc.BuyerBySession(ctx, sess); err != nil || got.ID != b.ID {
		t.Fatalf("session: %+v %v", got, err)
	}
	// Nothing stores the session token or the key's secret.
	for name, secret := range map[string]string{"session token": sess, "key secret": key[strings.LastIndexByte(key, '_')+1:]} {
		if cols, err := st.ColumnsContaining(ctx, secret); err != nil || len(cols) > 0 {
			t.Errorf("%s stored in clear in %v (%v)", name, cols, err)
		}
	}
	// Rotation: the old key stops working, the new one works, the session has ended.
	_, fresh, err := svc.RotateBuyerKey(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AuthenticateBuyer(ctx, key); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
		t.Errorf("the rotated-out key still works: %v", err)
	}
	if _, err := svc.AuthenticateBuyer(ctx, fresh); err != nil {
		t.Errorf("the new key: %v", err)
	}
	if _, err := svc.BuyerBySession(ctx, sess); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
		t.Errorf("the session survived the rotation: %v", err)
	}
	// A new session ends when signed out, another when it expires.
	s1, _, err := svc.StartBuyerSession(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	s2, _, err := svc.StartBuyerSession(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.EndBuyerSession(ctx, s1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.BuyerBySession(ctx, s1); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
		t.Errorf("a signed-out session still works: %v", err)
	}
	clock = testClock.Add(marketplace.BuyerSessionTTL - time.Second)
	if _, err := svc.BuyerBySession(ctx, s2); err != nil {
		t.Errorf("a session a second before its end: %v", err)
	}
	clock = testClock.Add(marketplace.BuyerSessionTTL)
	if _, err := svc.BuyerBySession(ctx, s2); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
		t.Errorf("an expired session still works: %v", err)
	}
	if _, err := svc.BuyerBySession(ctx, "not-a-session"); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
		t.Errorf("an unknown session: %v", err)
	}
}

// TestAcceptNeedsTheBuyerItWasPricedFor: accepting needs an account; a quote priced for other
// buyer details, or asked for by another buyer, is not the account's; the quote then reads
// accepted and names its order, and the order its buyer and the terms it was accepted under.
func TestAcceptNeedsTheBuyerItWasPricedFor(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	de := newBuyer(t, svc, "DE", "business", "DE123456789")
	fr := newBuyer(t, svc, "FR", "consumer", "")
	anonymous, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 2, Hours: 10,
		Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "de123456789"}, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if anonymous.BuyerID != "" || anonymous.Status(clock) != marketplace.QuoteValid {
		t.Fatalf("anonymous quote: buyer %q status %s", anonymous.BuyerID, anonymous.Status(clock))
	}
	if _, _, err := svc.AcceptQuote(ctx, anonymous.ID, ""); marketplace.ErrorCode(err) != marketplace.CodeUnauthorized {
		t.Errorf("accepting without a buyer: %v", err)
	}
	var e *marketplace.Error
	if _, _, err := svc.AcceptQuote(ctx, anonymous.ID, fr.ID); !errors.As(err, &e) || e.Code != marketplace.CodeConflict || e.Reason != "buyer_mismatch" ||
		!strings.Contains(e.Message, "priced for a business buyer in DE with VAT number de123456789") {
		t.Errorf("a French consumer accepting a quote priced for a German business: %v", err)
	}
	order, created, err := svc.AcceptQuote(ctx, anonymous.ID, de.ID)
	if err != nil || !created || order.BuyerID != de.ID || order.Buyer.Organisation != de.Organisation || order.Status != marketplace.OrderConfirmed {
		t.Fatalf("accept: %+v created %v, %v", order, created, err)
	}
	// demo-offer-001 is on demand and states no terms: free cancellation until 24 hours before.
	if order.Cancellation != (marketplace.Cancellation{Kind: marketplace.CancelFreeUntil, NoticeHours: 24}) {
		t.Errorf("order terms %+v", order.Cancellation)
	}
	q, err := svc.GetQuote(ctx, anonymous.ID)
	if err != nil || q.OrderID != order.ID || q.BuyerID != de.ID || q.Status(clock) != marketplace.QuoteAccepted {
		t.Errorf("the accepted quote: order %q buyer %q status %s, %v", q.OrderID, q.BuyerID, q.Status(clock), err)
	}
	if again, created, err := svc.AcceptQuote(ctx, anonymous.ID, de.ID); err != nil || created || again.ID != order.ID {
		t.Errorf("accepting again: %+v %v %v", again, created, err)
	}
	other := newBuyer(t, svc, "DE", "business", "DE999999999")
	if _, _, err := svc.AcceptQuote(ctx, anonymous.ID, other.ID); marketplace.ErrorCode(err) != marketplace.CodeForbidden {
		t.Errorf("another buyer accepting an accepted quote: %v", err)
	}
	// A signed-in buyer's quote: the account fills the buyer; another account may not accept it.
	mine, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 1, Hours: 5, Currency: "EUR", BuyerID: fr.ID})
	if err != nil {
		t.Fatal(err)
	}
	if mine.BuyerID != fr.ID || mine.Request.Buyer != (marketplace.Buyer{Country: "FR", Type: "consumer"}) {
		t.Errorf("signed-in quote: buyer %q, priced for %+v", mine.BuyerID, mine.Request.Buyer)
	}
	if _, _, err := svc.AcceptQuote(ctx, mine.ID, de.ID); marketplace.ErrorCode(err) != marketplace.CodeForbidden {
		t.Errorf("accepting another buyer's quote: %v", err)
	}
	if _, created, err := svc.AcceptQuote(ctx, mine.ID, fr.ID); err != nil || !created {
		t.Errorf("accepting one's own quote: %v", err)
	}
}

// TestCancelOrder: an order is cancelled under the terms it was accepted under, releasing its
// GPUs, with who, when and why recorded; once only; by its buyer only.
func TestCancelOrder(t *testing.T) {
	clock := testClock
	svc, st := newMarket(t, &clock)
	ctx := context.Background()
	de := newBuyer(t, svc, "DE", "business", "DE123456789")
	start := testClock.Truncate(24*time.Hour).AddDate(0, 0, 3) // 2026-12-01 00:00 UTC
	req := marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 200, Hours: 48, Start: start, Currency: "EUR", BuyerID: de.ID}
	q, err := svc.Quote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	order, _, err := svc.AcceptQuote(ctx, q.ID, de.ID)
	if err != nil {
		t.Fatal(err)
	}
	free := func() int {
		n, err := st.GPUsAvailable(ctx, "demo-offer-001", start, start.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := free(); n != 56 { // 256 − 200
		t.Fatalf("%d GPUs free after the order, want 56", n)
	}
	// Another buyer cannot cancel it, nor see that it exists.
	other := newBuyer(t, svc, "DE", "business", "DE999999999")
	if _, _, err := svc.CancelOrder(ctx, other.ID, order.ID, "not mine"); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
		t.Errorf("another buyer cancelling: %v", err)
	}
	if _, _, err := svc.CancelOrder(ctx, de.ID, order.ID, "  "); marketplace.ErrorCode(err) != marketplace.CodeInvalid || strings.Join(fieldsOf(err), ",") != "reason" {
		t.Errorf("cancelling without a reason: %v", err)
	}
	// The terms: free until 24 h before the start (2026-11-30 00:00). A second after, refused.
	clock = start.Add(-24*time.Hour + time.Second)
	var e *marketplace.Error
	if _, _, err := svc.CancelOrder(ctx, de.ID, order.ID, "late"); !errors.As(err, &e) || e.Code != marketplace.CodeConflict || e.Reason != "not_cancellable" ||
		e.Extra["cancellable_until"] != "2026-11-30T00:00:00Z" {
		t.Errorf("cancelling after the deadline: %v %+v", err, e)
	}
	clock = start.Add(-24 * time.Hour)
	got, changed, err := svc.CancelOrder(ctx, de.ID, order.ID, "project postponed")
	if err != nil || !changed || got.Status != marketplace.OrderCancelled ||
		got.Cancelled != (marketplace.OrderCancellation{At: clock, By: de.ID, Reason: "project postponed"}) {
		t.Fatalf("cancel: %+v changed %v, %v", got, changed, err)
	}
	if n := free(); n != 256 {
		t.Errorf("%d GPUs free after the cancellation, want all 256", n)
	}
	again, changed, err := svc.CancelOrder(ctx, de.ID, order.ID, "again")
	if err != nil || changed || again.Cancelled.Reason != "project postponed" {
		t.Errorf("cancelling twice: %+v changed %v, %v", again.Cancelled, changed, err)
	}
	// The quote stays accepted, naming its (cancelled) order.
	if q, err := svc.GetQuote(ctx, q.ID); err != nil || q.Status(clock) != marketplace.QuoteAccepted || q.OrderID != order.ID {
		t.Errorf("quote after the cancellation: %s %q %v", q.Status(clock), q.OrderID, err)
	}

	// Reserved capacity states no terms: it cannot be cancelled once ordered.
	clock = testClock
	rq, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-002", GPUs: 1, Hours: 720, Start: start, Currency: "EUR", BuyerID: de.ID})
	if err != nil {
		t.Fatal(err)
	}
	ro, _, err := svc.AcceptQuote(ctx, rq.ID, de.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ro.Cancellation.Kind != marketplace.CancelNone {
		t.Errorf("reserved order terms %+v", ro.Cancellation)
	}
	if _, _, err := svc.CancelOrder(ctx, de.ID, ro.ID, "changed my mind"); !errors.As(err, &e) || e.Reason != "not_cancellable" || !strings.Contains(e.Message, "non_cancellable") {
		t.Errorf("cancelling reserved capacity: %v", err)
	}
}

// TestCancelReleasesQuota: the tariff-quota volume an order consumed is given back when it is
// cancelled, exactly once.
func TestCancelReleasesQuota(t *testing.T) {
	clock := testClock
	svc, st := newMarket(t, &clock)
	ctx := context.Background()
	de := newBuyer(t, svc, "DE", "business", "DE123456789")
	start := testClock.Truncate(24*time.Hour).AddDate(0, 0, 5)
	q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Start: start, Currency: "EUR",
		Scenario: "cn-eu-compute-corridor", BuyerID: de.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.QuotaUses) == 0 {
		t.Fatal("the corridor scenario's quote consumes no quota: the test needs one that does")
	}
	use := q.QuotaUses[0]
	consumed := func() decimal.Decimal {
		m, err := st.QuotaConsumed(ctx, []string{use.MeasureID}, use.Period)
		if err != nil {
			t.Fatal(err)
		}
		return m[use.MeasureID]
	}
	order, _, err := svc.AcceptQuote(ctx, q.ID, de.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := consumed(); !got.Equal(use.Volume) {
		t.Fatalf("consumed %s after the order, want %s", got, use.Volume)
	}
	for i := 0; i < 2; i++ {
		if _, _, err := svc.CancelOrder(ctx, de.ID, order.ID, "budget cut"); err != nil {
			t.Fatal(err)
		}
	}
	if got := consumed(); !got.IsZero() {
		t.Errorf("consumed %s after cancelling (twice), want 0", got)
	}
}

// TestOrdersOfOneBuyerOnly: a buyer lists its own orders, never another's, newest first, by
// status and creation date.
func TestOrdersOfOneBuyerOnly(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	a := newBuyer(t, svc, "DE", "business", "DE123456789")
	b := newBuyer(t, svc, "FR", "consumer", "")
	place := func(buyer marketplace.BuyerAccount) marketplace.Order {
		q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 1, Hours: 5, Currency: "EUR", BuyerID: buyer.ID})
		if err != nil {
			t.Fatal(err)
		}
		o, _, err := svc.AcceptQuote(ctx, q.ID, buyer.ID)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	a1 := place(a)
	clock = clock.Add(48 * time.Hour)
	a2 := place(a)
	b1 := place(b)
	list := func(q marketplace.OrderQuery) []string {
		p, err := svc.Orders(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range p.Orders {
			ids = append(ids, o.ID)
		}
		return ids
	}
	if got := list(marketplace.OrderQuery{BuyerID: a.ID}); strings.Join(got, ",") != a2.ID+","+a1.ID {
		t.Errorf("a's orders %v, want a2, a1", got)
	}
	if got := list(marketplace.OrderQuery{BuyerID: b.ID}); strings.Join(got, ",") != b1.ID {
		t.Errorf("b's orders %v, want b1 only", got)
	}
	if got := list(marketplace.OrderQuery{BuyerID: a.ID, From: testClock.Add(24 * time.Hour)}); strings.Join(got, ",") != a2.ID {
		t.Errorf("a's orders from the next day %v, want a2", got)
	}
	if got := list(marketplace.OrderQuery{BuyerID: a.ID, To: testClock.Add(24 * time.Hour)}); strings.Join(got, ",") != a1.ID {
		t.Errorf("a's orders before the next day %v, want a1", got)
	}
	if got := list(marketplace.OrderQuery{BuyerID: a.ID, Status: marketplace.OrderCancelled}); len(got) != 0 {
		t.Errorf("a's cancelled orders %v, want none", got)
	}
	if _, err := svc.Orders(ctx, marketplace.OrderQuery{BuyerID: a.ID, Status: "shipped", Limit: 501}); strings.Join(fieldsOf(err), ",") != "limit,status" {
		t.Errorf("bad listing: %v", err)
	}
	if _, err := svc.Orders(ctx, marketplace.OrderQuery{}); err == nil {
		t.Error("a listing for nobody in particular was answered")
	}
}

// TestAccountFieldsOfAQuote: the account's headquarters is one of the buyer fields it fills in
// and matches (QuoteBuyer, Prefill, Matches), an empty headquarters counting as the buyer's
// country as pricing reads it; the VAT recovery share is the request's alone and matches any.
func TestAccountFieldsOfAQuote(t *testing.T) {
	acct := marketplace.BuyerAccount{ID: "buy_x", Country: "DE", Type: "business", VATID: "DE123456789", Headquarters: "US"}
	full := marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789", Headquarters: "US"}
	if got := acct.QuoteBuyer(); got != full {
		t.Errorf("QuoteBuyer = %+v, want %+v", got, full)
	}
	if got := acct.Prefill(marketplace.Buyer{}); got != full {
		t.Errorf("Prefill of nothing = %+v, want %+v", got, full)
	}
	sixty := decimal.NewNullDecimal(decimal.RequireFromString("0.6"))
	if got := acct.Prefill(marketplace.Buyer{Headquarters: "CN", VATRecovery: sixty}); got.Headquarters != "CN" || got.VATRecovery != sixty || got.VATID != "DE123456789" {
		t.Errorf("Prefill keeps what the request says: %+v", got)
	}
	withShare := full
	withShare.VATRecovery = sixty
	noHQ := full
	noHQ.Headquarters = ""
	otherHQ := full
	otherHQ.Headquarters = "CN"
	for _, c := range []struct {
		name string
		acct marketplace.BuyerAccount
		b    marketplace.Buyer
		want bool
	}{
		{"every field the account's", acct, full, true},
		{"another VAT recovery share", acct, withShare, true},
		{"no headquarters named: Germany's, not the account's US", acct, noHQ, false},
		{"another headquarters", acct, otherHQ, false},
		{"an account without headquarters, a quote naming its country", marketplace.BuyerAccount{Country: "DE", Type: "business", VATID: "DE123456789"},
			marketplace.Buyer{Country: "DE", Type: "business", VATID: "de 123456789", Headquarters: "DE"}, true},
		{"an account without headquarters, a quote naming another", marketplace.BuyerAccount{Country: "DE", Type: "business", VATID: "DE123456789"},
			marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789", Headquarters: "US"}, false},
	} {
		if got := c.acct.Matches(c.b); got != c.want {
			t.Errorf("%s: Matches = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestAcceptFollowsHeadquarters: a signed-in buyer's quote is priced with the account's
// headquarters (the export-control rules that follow the buyer see it); a quote priced without
// them is not the account's to accept, one priced with them and another VAT recovery share is.
func TestAcceptFollowsHeadquarters(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	acct, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Rhein Rechenwerk GmbH", Country: "DE", Type: "business",
		VATID: "DE123456789", Headquarters: "us"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 1, Hours: 5, Currency: "EUR", BuyerID: acct.ID})
	if err != nil {
		t.Fatal(err)
	}
	if mine.Request.Buyer.Headquarters != "US" || mine.Inputs.Request.BuyerHeadquarters != "US" {
		t.Errorf("the signed-in quote was priced with headquarters %q (request %q), want the account's US",
			mine.Inputs.Request.BuyerHeadquarters, mine.Request.Buyer.Headquarters)
	}
	ask := func(b marketplace.Buyer) marketplace.Quote {
		q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 1, Hours: 5, Currency: "EUR", Buyer: b})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	german := ask(marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"})
	var e *marketplace.Error
	if _, _, err := svc.AcceptQuote(ctx, german.ID, acct.ID); !errors.As(err, &e) || e.Reason != "buyer_mismatch" ||
		!strings.Contains(e.Message, "priced for a business buyer in DE with VAT number DE123456789; your account is a business buyer in DE with VAT number DE123456789, headquartered in US") {
		t.Errorf("accepting a quote priced without the account's headquarters: %v", err)
	}
	shared := ask(marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789", Headquarters: "US",
		VATRecovery: decimal.NewNullDecimal(decimal.RequireFromString("0.5"))})
	if _, created, err := svc.AcceptQuote(ctx, shared.ID, acct.ID); err != nil || !created {
		t.Errorf("accepting a quote priced with the account's details and a VAT recovery share: %v", err)
	}
}
