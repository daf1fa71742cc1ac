package marketplace

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OrderConfirmed is the status of an order whose reservation is held.
const OrderConfirmed = "confirmed"

// AcceptQuote turns quote id into an order of buyerID. This is the one place orders are
// created (the API and the pages call it). Accepting needs a buyer (CodeUnauthorized
// without); a quote another buyer asked for is CodeForbidden, and one priced for another buyer
// than the account (another country, type, VAT number or registered region) is CodeConflict
// with reason buyer_mismatch: its taxes are someone else's. Then, in one transaction, the store
// re-checks that the quote is still valid (CodeGone), that the offer is active and has the
// quote's GPUs free over its whole window (CodeConflict with "gpus_available"), consumes any
// tariff-quota volume (CodeConflict with "quota_remaining") and records the order with its
// reservation, the buyer and the cancellation terms the quote carries. Accepting an accepted
// quote returns its order again with created false.
func (s *Service) AcceptQuote(ctx context.Context, quoteID, buyerID string) (Order, bool, error) {
	if buyerID == "" {
		return Order{}, false, &Error{Code: CodeUnauthorized, Message: "accepting a quote needs a buyer account: send its buyer key (Authorization: Bearer cbk_…), or sign in"}
	}
	if !validID(quoteID) {
		return Order{}, false, &Error{Code: CodeNotFound, Message: "no such quote"}
	}
	q, err := s.store.Quote(ctx, quoteID)
	if err != nil {
		return Order{}, false, err
	}
	if q.OrderID != "" {
		o, err := s.store.Order(ctx, q.OrderID)
		if err != nil {
			return Order{}, false, err
		}
		if o.BuyerID != "" && o.BuyerID != buyerID {
			return Order{}, false, AcceptedByAnother()
		}
		return o, false, nil
	}
	if q.BuyerID != "" && q.BuyerID != buyerID {
		return Order{}, false, QuoteOfAnother()
	}
	acct, err := s.Buyer(ctx, buyerID)
	if err != nil {
		return Order{}, false, err
	}
	if !acct.Matches(q.Request.Buyer) {
		return Order{}, false, &Error{Code: CodeConflict, Reason: "buyer_mismatch",
			Message: fmt.Sprintf("this quote was priced for %s; your account is %s: ask for a new quote as your account (its taxes and export-control gates differ)",
				buyerPhrase(q.Request.Buyer), buyerPhrase(acct.QuoteBuyer()))}
	}
	now := s.now().Truncate(time.Second)
	return s.store.AcceptQuote(ctx, Acceptance{QuoteID: quoteID, OrderID: NewID("ord"), BuyerID: buyerID, Now: now, Index: s.indexEntry(ctx, q, now)})
}

// AcceptedByAnother is the error for accepting a quote another buyer accepted.
func AcceptedByAnother() *Error {
	return &Error{Code: CodeForbidden, Reason: "other_buyer", Message: "another buyer accepted this quote"}
}

// QuoteOfAnother is the error for accepting a quote another buyer asked for.
func QuoteOfAnother() *Error {
	return &Error{Code: CodeForbidden, Reason: "other_buyer", Message: "this quote was asked for by another buyer; ask for your own quote"}
}

// buyerPhrase words the fields of a buyer that Matches compares, for a message: "a business
// buyer in DE with VAT number DE123456789 registered in cn-beijing, headquartered in US".
func buyerPhrase(b Buyer) string {
	s := fmt.Sprintf("a %s buyer in %s", b.Type, b.Country)
	if b.VATID != "" {
		s += " with VAT number " + b.VATID
	}
	if b.Region != "" {
		s += " registered in " + b.Region
	}
	if hq := headquartersOf(b); hq != b.Country {
		s += ", headquartered in " + hq
	}
	return s
}

// Acceptance is what the store needs to turn a quote into an order.
type Acceptance struct {
	QuoteID string
	OrderID string // the new order's id
	BuyerID string
	Now     time.Time
	// Index is the order's contribution to the price index, which the store adds in the same
	// transaction (nil: none).
	Index *IndexEntry
}

// Order reads one order by its (unguessable) id, with its buyer.
func (s *Service) Order(ctx context.Context, id string) (Order, error) {
	if !validID(id) {
		return Order{}, &Error{Code: CodeNotFound, Message: "no such order"}
	}
	return s.store.Order(ctx, id)
}

// Default and largest page sizes of listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// OrderPage is one page of orders, newest first.
type OrderPage struct {
	Orders     []Order
	NextCursor string // empty on the last page
}

// OrderQuery asks for the orders of one supplier or one buyer, newest first: every order
// whose creation falls in [From, To) (zero bounds are open), of one status or all.
type OrderQuery struct {
	SupplierID string
	BuyerID    string
	Status     string // "", confirmed or cancelled
	From, To   time.Time
	Limit      int    // 0 = DefaultPageSize
	Cursor     string // a NextCursor
}

// OrderListing is an OrderQuery resolved for the store: a position in the list (orders
// created before (Before, BeforeID) in newest-first order) and Limit+1 rows at most.
type OrderListing struct {
	SupplierID string
	BuyerID    string
	Status     string
	From, To   time.Time // created in [From, To); zero bounds are open
	Limit      int
	Before     time.Time // zero for the first page
	BeforeID   string
}

// Orders lists the orders of q's supplier or buyer (exactly one must be set: one party never
// sees another's orders), newest first, one page at a time.
func (s *Service) Orders(ctx context.Context, q OrderQuery) (OrderPage, error) {
	if (q.SupplierID == "") == (q.BuyerID == "") {
		return OrderPage{}, fmt.Errorf("marketplace: an order listing is for one supplier or one buyer")
	}
	l := OrderListing{SupplierID: q.SupplierID, BuyerID: q.BuyerID, Status: q.Status, From: q.From, To: q.To, Limit: q.Limit}
	if l.Limit == 0 {
		l.Limit = DefaultPageSize
	}
	var errs []FieldError
	if l.Limit < 1 || l.Limit > MaxPageSize {
		errs = append(errs, FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxPageSize)})
	}
	if l.Status != "" && l.Status != OrderConfirmed && l.Status != OrderCancelled {
		errs = append(errs, FieldError{Field: "status", Message: "must be confirmed or cancelled, not " + quoteField(l.Status)})
	}
	if !l.From.IsZero() && !l.To.IsZero() && !l.To.After(l.From) {
		errs = append(errs, FieldError{Field: "to", Message: "must be after from"})
	}
	if q.Cursor != "" {
		t, id, ok := decodeOrderCursor(q.Cursor)
		if !ok {
			errs = append(errs, FieldError{Field: "cursor", Message: "malformed cursor; pass next_cursor back unchanged"})
		}
		l.Before, l.BeforeID = t, id
	}
	if len(errs) > 0 {
		return OrderPage{}, Invalid("invalid order listing", errs...)
	}
	orders, err := s.store.Orders(ctx, l)
	if err != nil {
		return OrderPage{}, err
	}
	var p OrderPage
	if len(orders) > l.Limit {
		orders = orders[:l.Limit]
		last := orders[len(orders)-1]
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.CreatedAt.Unix(), 10) + "|" + last.ID))
	}
	p.Orders = orders
	return p, nil
}

// SupplierOrders lists supplierID's orders, newest first, limit per page (0 = default).
func (s *Service) SupplierOrders(ctx context.Context, supplierID string, limit int, cursor string) (OrderPage, error) {
	return s.Orders(ctx, OrderQuery{SupplierID: supplierID, Limit: limit, Cursor: cursor})
}

func decodeOrderCursor(c string) (time.Time, string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) > 200 {
		return time.Time{}, "", false
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || !validID(id) {
		return time.Time{}, "", false
	}
	return time.Unix(n, 0).UTC(), id, true
}
