package web

import (
	"context"
	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// orderJSON is an order in responses.
type orderJSON struct {
	ID         string `json:"id"`
	QuoteID    string `json:"quote_id"`
	OfferID    string `json:"offer_id"`
	SupplierID string `json:"supplier_id"`
	GPUs       int    `json:"gpus"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Currency   string `json:"currency"`
	Total      string `json:"total"`
	Status     string `json:"status"`
	CreatedAt  string `json:"created_at"`
}

func toOrderJSON(o marketplace.Order) orderJSON {
	return orderJSON{
		ID: o.ID, QuoteID: o.QuoteID, OfferID: o.OfferID, SupplierID: o.SupplierID, GPUs: o.GPUs,
		Start: rfc3339(o.Start), End: rfc3339(o.End), Currency: o.Currency, Total: string(fixed(o.Total, o.Currency)),
		Status: o.Status, CreatedAt: rfc3339(o.CreatedAt),
	}
}

// handleQuoteAccept turns a quote into an order: 201 the first time, 200 with the same order
// when the quote was already accepted.
func handleQuoteAccept(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Body()) > 0 {
			var empty struct{}
			if err := decodeBody(c, &empty); err != nil {
				return err
			}
		}
		o, created, err := m.AcceptQuote(c.UserContext(), param(c, "id"))
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

func handleOrderGet(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		o, err := m.Order(c.UserContext(), param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(toOrderJSON(o))
	}
}

func handleOrderList(m orderAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "limit", "cursor"); err != nil {
			return err
		}
		sp, _ := supplierOf(c)
		limit, err := limitParam(c)
		if err != nil {
			return err
		}
		page, err := m.SupplierOrders(c.UserContext(), sp.ID, limit, c.Query("cursor"))
		if err != nil {
			return err
		}
		out := make([]orderJSON, len(page.Orders))
		for i, o := range page.Orders {
			out[i] = toOrderJSON(o)
		}
		var next *string
		if page.NextCursor != "" {
			next = &page.NextCursor
		}
		return c.JSON(fiber.Map{"orders": out, "next_cursor": next})
	}
}

// orderAPI is what the accept and order endpoints use of the marketplace.
type orderAPI interface {
	AcceptQuote(ctx context.Context, quoteID string) (marketplace.Order, bool, error)
	Order(ctx context.Context, id string) (marketplace.Order, error)
	SupplierOrders(ctx context.Context, supplierID string, limit int, cursor string) (marketplace.OrderPage, error)
}
