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

// AcceptQuote turns quote id into an order: in one transaction the store re-checks that the
// quote is still valid (CodeGone), that the offer is active and has the quote's GPUs free over
// its whole window (CodeConflict with "gpus_available"), consumes any tariff-quota volume
// (CodeConflict with "quota_remaining") and records the order with its reservation. Accepting
// an accepted quote returns its order again with created false.
func (s *Service) AcceptQuote(ctx context.Context, quoteID string) (Order, bool, error) {
	if !validID(quoteID) {
		return Order{}, false, &Error{Code: CodeNotFound, Message: "no such quote"}
	}
	return s.store.AcceptQuote(ctx, quoteID, NewID("ord"), s.now().Truncate(time.Second))
}

// Order reads one order by its (unguessable) id.
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

// OrderPage is one page of a supplier's orders, newest first.
type OrderPage struct {
	Orders     []Order
	NextCursor string // empty on the last page
}

// OrderListing is a position in a supplier's order list: orders created before (CreatedAt, ID)
// in newest-first order.
type OrderListing struct {
	SupplierID string
	Limit      int
	Before     time.Time // zero for the first page
	BeforeID   string
}

// SupplierOrders lists supplierID's orders, newest first, limit per page (0 = default).
func (s *Service) SupplierOrders(ctx context.Context, supplierID string, limit int, cursor string) (OrderPage, error) {
	l := OrderListing{SupplierID: supplierID, Limit: limit}
	if l.Limit == 0 {
		l.Limit = DefaultPageSize
	}
	if l.Limit < 1 || l.Limit > MaxPageSize {
		return OrderPage{}, Invalid("invalid limit", FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxPageSize)})
	}
	if cursor != "" {
		t, id, ok := decodeOrderCursor(cursor)
		if !ok {
			return OrderPage{}, Invalid("invalid cursor", FieldError{Field: "cursor", Message: "malformed cursor; pass next_cursor back unchanged"})
		}
		l.Before, l.BeforeID = t, id
	}
	orders, err := s.store.SupplierOrders(ctx, l)
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
