package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// orderJSON is an order in responses.
type orderJSON struct {
	ID                string              `json:"id"`
	QuoteID           string              `json:"quote_id"`
	OfferID           string              `json:"offer_id"`
	SupplierID        string              `json:"supplier_id"`
	GPUs              int                 `json:"gpus"`
	Start             string              `json:"start"`
	End               string              `json:"end"`
	Currency          string              `json:"currency"`
	Total             string              `json:"total"`
	Status            string              `json:"status"`
	CreatedAt         string              `json:"created_at"`
	Buyer             *buyerJSONOut       `json:"buyer,omitempty"`              // who placed it and is invoiced; absent for orders placed before buyer accounts
	CancellationTerms *cancellationJSON   `json:"cancellation_terms,omitempty"` // the terms it was accepted under
	Cancellation      *orderCancelledJSON `json:"cancellation,omitempty"`       // who cancelled it, when and why
}

// cancellationJSON is an offer's, a quote's or an order's cancellation terms; on a quote or an
// order, cancellable_until is the last instant of free cancellation.
type cancellationJSON struct {
	Kind             string  `json:"kind"`
	NoticeHours      *int    `json:"notice_hours,omitempty"`
	CancellableUntil *string `json:"cancellable_until,omitempty"`
}

// toCancellationJSON renders terms; with a window start, their deadline too.
func toCancellationJSON(c marketplace.Cancellation, start time.Time) *cancellationJSON {
	if c.IsZero() {
		return nil
	}
	out := &cancellationJSON{Kind: string(c.Kind)}
	if c.Kind == marketplace.CancelFreeUntil {
		n := c.NoticeHours
		out.NoticeHours = &n
		if !start.IsZero() {
			d, _ := c.Deadline(start)
			s := rfc3339(d)
			out.CancellableUntil = &s
		}
	}
	return out
}

type orderCancelledJSON struct {
	At     string `json:"at"`
	By     string `json:"by"`
	Reason string `json:"reason"`
}

func toOrderJSON(o marketplace.Order) orderJSON {
	j := orderJSON{
		ID: o.ID, QuoteID: o.QuoteID, OfferID: o.OfferID, SupplierID: o.SupplierID, GPUs: o.GPUs,
		Start: rfc3339(o.Start), End: rfc3339(o.End), Currency: o.Currency, Total: string(fixed(o.Total, o.Currency)),
		Status: o.Status, CreatedAt: rfc3339(o.CreatedAt), CancellationTerms: toCancellationJSON(o.Cancellation, o.Start),
	}
	if o.BuyerID != "" {
		b := toBuyerAccountJSON(o.Buyer)
		j.Buyer = &b
	}
	if o.Status == marketplace.OrderCancelled {
		j.Cancellation = &orderCancelledJSON{At: rfc3339(o.Cancelled.At), By: o.Cancelled.By, Reason: o.Cancelled.Reason}
	}
	return j
}

// handleQuoteAccept turns a quote into an order of the calling buyer: 201 the first time, 200
// with the same order when the buyer had accepted the quote already.
func handleQuoteAccept(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := noBody(c); err != nil {
			return err
		}
		b, _ := buyerOf(c)
		o, created, err := m.AcceptQuote(c.UserContext(), param(c, "id"), b.ID)
		if err != nil {
			return err
		}
		status := fiber.StatusOK
		if created {
			status = fiber.StatusCreated
			c.Location("/api/v1/orders/" + o.ID)
		}
		return c.Status(status).JSON(toOrderJSON(o))
	}
}

// visibleOrder reads an order for the caller: its buyer, its supplier and the admin see it;
// an order placed before buyer accounts (no buyer) is seen by anyone with its id, as it always
// was. Anyone else is told there is no such order.
func visibleOrder(c *fiber.Ctx, m orderAPI, id string) (marketplace.Order, error) {
	o, err := m.Order(c.UserContext(), id)
	if err != nil {
		return marketplace.Order{}, err
	}
	if o.BuyerID == "" || isAdminCaller(c) {
		return o, nil
	}
	if b, ok := buyerOf(c); ok && b.ID == o.BuyerID {
		return o, nil
	}
	if sp, ok := supplierOf(c); ok && sp.ID == o.SupplierID {
		return o, nil
	}
	return marketplace.Order{}, &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such order"}
}

func handleOrderGet(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c); err != nil {
			return err
		}
		o, err := visibleOrder(c, m, param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(toOrderJSON(o))
	}
}

// handleOrderList lists the caller's orders: a supplier's (on its offers, each naming the
// buyer to invoice) or a buyer's (the quotes it accepted), newest first, optionally of one
// status and created within [from, to).
func handleOrderList(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "limit", "cursor", "status", "from", "to"); err != nil {
			return err
		}
		q := marketplace.OrderQuery{Status: c.Query("status"), Cursor: c.Query("cursor")}
		switch sp, isSupplier := supplierOf(c); {
		case isSupplier:
			q.SupplierID = sp.ID
		default:
			b, ok := buyerOf(c)
			if !ok {
				if isAdminCaller(c) {
					return &marketplace.Error{Code: marketplace.CodeForbidden, Message: "orders are listed for a supplier or a buyer: use its key"}
				}
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="corridor"`)
				return unauthorized("listing orders needs a supplier API key (csk_…) or a buyer key (cbk_…)")
			}
			q.BuyerID = b.ID
		}
		var err error
		if q.Limit, err = limitParam(c); err != nil {
			return err
		}
		if q.From, q.To, err = dateRangeParams(c); err != nil {
			return err
		}
		page, err := m.Orders(c.UserContext(), q)
		if err != nil {
			return err
		}
		out := make([]orderJSON, len(page.Orders))
		for i, o := range page.Orders {
			out[i] = toOrderJSON(o)
		}
		return c.JSON(fiber.Map{"orders": out, "next_cursor": nextCursor(page.NextCursor)})
	}
}

// dateRangeParams reads ?from=&to=: dates YYYY-MM-DD (midnight UTC) or RFC 3339 times.
func dateRangeParams(c *fiber.Ctx) (time.Time, time.Time, error) {
	var out [2]time.Time
	var fs []marketplace.FieldError
	for i, name := range []string{"from", "to"} {
		s := c.Query(name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t, err = time.Parse(time.RFC3339, s)
		}
		if err != nil {
			fs = append(fs, marketplace.FieldError{Field: name, Message: "must be a date YYYY-MM-DD or an RFC 3339 time, got " + quoteShort(s)})
		}
		out[i] = t.UTC()
	}
	if len(fs) > 0 {
		return time.Time{}, time.Time{}, marketplace.Invalid("invalid date range", fs...)
	}
	return out[0], out[1], nil
}

// cancelBody is the body of POST /api/v1/orders/{id}/cancel.
type cancelBody struct {
	Reason string `json:"reason"`
}

// handleOrderCancel cancels the calling buyer's order under its terms: 200 with the cancelled
// order (also when it was cancelled already).
func handleOrderCancel(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body cancelBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		b, _ := buyerOf(c)
		o, _, err := m.CancelOrder(c.UserContext(), b.ID, param(c, "id"), body.Reason)
		if err != nil {
			return err
		}
		return c.JSON(toOrderJSON(o))
	}
}

// orderAPI is what the accept and order endpoints use of the marketplace.
type orderAPI interface {
	AcceptQuote(ctx context.Context, quoteID, buyerID string) (marketplace.Order, bool, error)
	Order(ctx context.Context, id string) (marketplace.Order, error)
	Orders(ctx context.Context, q marketplace.OrderQuery) (marketplace.OrderPage, error)
	CancelOrder(ctx context.Context, buyerID, orderID, reason string) (marketplace.Order, bool, error)
}
