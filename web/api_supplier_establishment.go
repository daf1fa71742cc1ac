package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// Where a supplier is established: its seat (country), the fixed establishments it declares
// as taking part in its supplies, its VAT registrations and the official lists it is on. The
// seat and establishments decide who charges VAT on what it sells; where its servers are (the
// offer's region) keeps deciding customs origin, export-control and data-transfer gates.

// vatRegistrationBody is a VAT registration in requests and responses.
type vatRegistrationBody struct {
	Country string `json:"country"`
	VATID   string `json:"vat_id"`
}

// establishmentBody is what a supplier declares about its establishment: on create beside its
// name, and as a partial update (PATCH; a member left out is unchanged, [] clears a list).
type establishmentBody struct {
	Country          *string                `json:"country"`
	Establishments   *[]string              `json:"establishments"`
	VATRegistrations *[]vatRegistrationBody `json:"vat_registrations"`
	Listings         *[]string              `json:"listings"`
}

func (b establishmentBody) toDomain() marketplace.SupplierUpdate {
	u := marketplace.SupplierUpdate{Country: b.Country, Establishments: b.Establishments, Listings: b.Listings}
	if b.VATRegistrations != nil {
		regs := make([]marketplace.VATRegistration, len(*b.VATRegistrations))
		for i, r := range *b.VATRegistrations {
			regs[i] = marketplace.VATRegistration(r)
		}
		u.VATRegistrations = &regs
	}
	return u
}

// supplierJSON is a supplier record in responses.
type supplierJSON struct {
	ID               string                `json:"id"`
	Name             string                `json:"name"`
	Country          string                `json:"country"`
	Establishments   []string              `json:"establishments"`
	VATRegistrations []vatRegistrationBody `json:"vat_registrations"`
	Listings         []string              `json:"listings"`
	Demo             bool                  `json:"demo"`
	CreatedAt        string                `json:"created_at"`
}

func toSupplierJSON(sp marketplace.Supplier) supplierJSON {
	j := supplierJSON{ID: sp.ID, Name: sp.Name, Country: sp.Country, Establishments: []string{}, VATRegistrations: []vatRegistrationBody{},
		Listings: []string{}, Demo: sp.Demo, CreatedAt: rfc3339(sp.CreatedAt)}
	j.Establishments = append(j.Establishments, sp.Establishments...)
	j.Listings = append(j.Listings, sp.Listings...)
	for _, r := range sp.VATRegistrations {
		j.VATRegistrations = append(j.VATRegistrations, vatRegistrationBody(r))
	}
	return j
}

// handleSupplierGet reads the caller's own supplier record (the admin reads any).
func handleSupplierGet(m supplierRecordAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := ownSupplierParam(c)
		if err != nil {
			return err
		}
		sp, err := m.Supplier(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(toSupplierJSON(sp))
	}
}

// handleSupplierUpdate changes where the caller (or, for the admin, any supplier) declares it
// is established; quotes priced afterwards follow it.
func handleSupplierUpdate(m supplierRecordAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := ownSupplierParam(c)
		if err != nil {
			return err
		}
		var body establishmentBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		sp, err := m.UpdateSupplier(c.UserContext(), id, body.toDomain())
		if err != nil {
			return err
		}
		return c.JSON(toSupplierJSON(sp))
	}
}

// supplierRecordAPI is what the supplier record endpoints use of the marketplace.
type supplierRecordAPI interface {
	Supplier(ctx context.Context, id string) (marketplace.Supplier, error)
	UpdateSupplier(ctx context.Context, id string, in marketplace.SupplierUpdate) (marketplace.Supplier, error)
}
