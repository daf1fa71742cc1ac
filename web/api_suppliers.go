package web

import (
	"context"
	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

type supplierBody struct {
	Name    string `json:"name"`
	Country string `json:"country"`
}

// handleSupplierCreate registers a supplier; the API key is in this response only.
func handleSupplierCreate(m supplierAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body supplierBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		sp, key, err := m.CreateSupplier(c.UserContext(), marketplace.NewSupplier{Name: body.Name, Country: body.Country})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{
			"id": sp.ID, "name": sp.Name, "country": sp.Country, "api_key": key,
			"key_id": key[len(marketplace.APIKeyPrefix) : len(marketplace.APIKeyPrefix)+16], "created_at": rfc3339(sp.CreatedAt),
		})
	}
}

// handleSupplierList lists every supplier, for the administrator.
func handleSupplierList(m supplierAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c); err != nil {
			return err
		}
		sps, err := m.Suppliers(c.UserContext())
		if err != nil {
			return err
		}
		out := make([]fiber.Map, len(sps))
		for i, sp := range sps {
			out[i] = fiber.Map{"id": sp.ID, "name": sp.Name, "country": sp.Country, "demo": sp.Demo, "created_at": rfc3339(sp.CreatedAt)}
		}
		return c.JSON(fiber.Map{"suppliers": out})
	}
}

// ownSupplierParam checks that a supplier caller acts on itself; the admin may act on anyone.
// Another supplier's id answers 404, like every cross-tenant access.
func ownSupplierParam(c *fiber.Ctx) (string, error) {
	id := param(c, "id")
	if sp, ok := supplierOf(c); ok && sp.ID != id {
		return "", &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such supplier"}
	}
	return id, nil
}

// handleKeyRotate issues a new API key for the supplier and revokes its other keys.
func handleKeyRotate(m supplierAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := ownSupplierParam(c)
		if err != nil {
			return err
		}
		if err := noBody(c); err != nil {
			return err
		}
		k, plain, err := m.RotateAPIKey(c.UserContext(), id)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"supplier_id": k.SupplierID, "key_id": k.ID, "api_key": plain, "created_at": rfc3339(k.CreatedAt)})
	}
}

// handleKeyRevoke revokes one API key of the supplier.
func handleKeyRevoke(m supplierAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := ownSupplierParam(c)
		if err != nil {
			return err
		}
		if err := m.RevokeAPIKey(c.UserContext(), id, param(c, "key_id")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// supplierAPI is what the supplier and API-key endpoints use of the marketplace.
type supplierAPI interface {
	CreateSupplier(ctx context.Context, in marketplace.NewSupplier) (marketplace.Supplier, string, error)
	RotateAPIKey(ctx context.Context, supplierID string) (marketplace.APIKey, string, error)
	RevokeAPIKey(ctx context.Context, supplierID, keyID string) error
	Suppliers(ctx context.Context) ([]marketplace.Supplier, error)
}
