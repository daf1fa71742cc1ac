package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// addBuyerRoutes adds the buyer account endpoints (/api/v1/buyers): opening an account (anyone;
// the response holds the buyer key, once), reading it and rotating its key (the buyer).
func addBuyerRoutes(api fiber.Router, d Deps) {
	m := d.Market
	buyer := requireBuyer(m, d.AdminTokenHash)
	idemSecret := idempotent(m, d.Options, marketplace.MinSecretIdempotencyKey) // the response holds a buyer key
	api.Post("/buyers", idemSecret, handleBuyerCreate(m))
	api.Get("/buyers/me", buyer, handleBuyerMe())
	api.Post("/buyers/me/keys", buyer, idemSecret, handleBuyerKeyRotate(m))
	// A buyer who lost the key asks the operator, who issues a new one (the old ones revoked).
	api.Post("/buyers/:id/keys", requireAdmin(d.AdminTokenHash), idemSecret, handleBuyerKeyRotate(m))
}

// buyerBody is a new account as clients write it.
type buyerBody struct {
	Organisation string `json:"organisation"`
	Country      string `json:"country"`
	Type         string `json:"type"`
	VATID        string `json:"vat_id"`
	Headquarters string `json:"headquarters"`
	Region       string `json:"region"`
}

// buyerJSONOut is an account in responses (and, on an order, who to invoice).
type buyerJSONOut struct {
	ID           string `json:"id"`
	Organisation string `json:"organisation"`
	Country      string `json:"country"`
	Type         string `json:"type"`
	VATID        string `json:"vat_id"`
	Headquarters string `json:"headquarters"`
	Region       string `json:"region"`
	CreatedAt    string `json:"created_at"`
}

func toBuyerAccountJSON(b marketplace.BuyerAccount) buyerJSONOut {
	return buyerJSONOut{ID: b.ID, Organisation: b.Organisation, Country: b.Country, Type: b.Type, VATID: b.VATID,
		Headquarters: b.Headquarters, Region: b.Region, CreatedAt: rfc3339(b.CreatedAt)}
}

// buyerCreated is the answer to opening an account: the account and its key, shown once.
type buyerCreated struct {
	buyerJSONOut
	APIKey string `json:"api_key"`
	KeyID  string `json:"key_id"`
}

// keyIDOf is the key id inside a plain key of the given prefix (<prefix><16 hex>_<secret>).
func keyIDOf(prefix, plain string) string { return plain[len(prefix) : len(prefix)+16] }

// handleBuyerCreate opens a buyer account; the buyer key is in this response only.
func handleBuyerCreate(m buyerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body buyerBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		b, key, err := m.CreateBuyer(c.UserContext(), marketplace.NewBuyer(body))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Location("/api/v1/buyers/me")
		return c.Status(fiber.StatusCreated).JSON(buyerCreated{buyerJSONOut: toBuyerAccountJSON(b), APIKey: key, KeyID: keyIDOf(marketplace.BuyerKeyPrefix, key)})
	}
}

// handleBuyerMe answers with the calling buyer's account.
func handleBuyerMe() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c); err != nil {
			return err
		}
		b, _ := buyerOf(c)
		return c.JSON(toBuyerAccountJSON(b))
	}
}

// handleBuyerKeyRotate issues a new key for the calling buyer (or, for the admin, the buyer of
// the :id parameter), revokes its other keys and ends its browser sessions.
func handleBuyerKeyRotate(m buyerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := noBody(c); err != nil {
			return err
		}
		id := param(c, "id")
		if b, ok := buyerOf(c); ok {
			id = b.ID
		}
		k, plain, err := m.RotateBuyerKey(c.UserContext(), id)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"buyer_id": k.BuyerID, "key_id": k.ID, "api_key": plain, "created_at": rfc3339(k.CreatedAt)})
	}
}

// buyerAPI is what the buyer endpoints use of the marketplace.
type buyerAPI interface {
	CreateBuyer(ctx context.Context, in marketplace.NewBuyer) (marketplace.BuyerAccount, string, error)
	RotateBuyerKey(ctx context.Context, buyerID string) (marketplace.BuyerKey, string, error)
}
