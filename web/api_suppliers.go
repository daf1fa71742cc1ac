package web

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// supplierBody registers a supplier: its name and what establishmentBody holds.
type supplierBody struct {
	Name             string                `json:"name"`
	Country          string                `json:"country"`
	Establishments   []string              `json:"establishments"`
	VATRegistrations []vatRegistrationBody `json:"vat_registrations"`
	Listings         []string              `json:"listings"`
}

// handleSupplierCreate registers a supplier; the API key is in this response only.
func handleSupplierCreate(m supplierAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body supplierBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		in := marketplace.NewSupplier{Name: body.Name, Country: body.Country, Establishments: body.Establishments, Listings: body.Listings}
		for _, r := range body.VATRegistrations {
			in.VATRegistrations = append(in.VATRegistrations, marketplace.VATRegistration(r))
		}
		sp, key, err := m.CreateSupplier(c.UserContext(), in)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(fiber.StatusCreated).JSON(struct {
			supplierJSON
			APIKey string `json:"api_key"`
			KeyID  string `json:"key_id"`
		}{toSupplierJSON(sp), key, key[len(marketplace.APIKeyPrefix) : len(marketplace.APIKeyPrefix)+16]})
	}
}

// handleSupplierList lists every supplier, for the administrator, each as GET
// /suppliers/{id} answers it.
func handleSupplierList(m supplierAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c); err != nil {
			return err
		}
		sps, err := m.Suppliers(c.UserContext())
		if err != nil {
			return err
		}
		return c.JSON(toSupplierListJSON(sps))
	}
}

// supplierListJSON is the answer of GET /api/v1/suppliers.
type supplierListJSON struct {
	Suppliers []supplierJSON `json:"suppliers"`
}

func toSupplierListJSON(sps []marketplace.Supplier) supplierListJSON {
	out := supplierListJSON{Suppliers: make([]supplierJSON, len(sps))}
	for i, sp := range sps {
		out.Suppliers[i] = toSupplierJSON(sp)
	}
	return out
}

// SuppliersDocument renders suppliers exactly as GET /api/v1/suppliers serves them, for the
// command-line tools.
func SuppliersDocument(sps []marketplace.Supplier) ([]byte, error) {
	return json.MarshalIndent(toSupplierListJSON(sps), "", "  ")
}

// ownSupplierParam checks that a supplier caller acts on itself; the admin may act on anyone.
// Another supplier's id answers 404, like every cross-tenant access. A supplier may write its
// own id as "me" (as in /suppliers/me/offers).
func ownSupplierParam(c *fiber.Ctx) (string, error) {
	id := param(c, "id")
	sp, ok := supplierOf(c)
	if ok && id == "me" {
		return sp.ID, nil
	}
	if ok && sp.ID != id {
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
