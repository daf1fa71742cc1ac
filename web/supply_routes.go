package web

import (
	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// addSupplyRoutes adds the supplier, offer, search and order endpoints and the OpenAPI document.
func addSupplyRoutes(api fiber.Router, d Deps) {
	m := d.Market
	admin := requireAdmin(d.AdminTokenHash)
	supplier := requireSupplier(m, d.AdminTokenHash)
	adminOrSelf := requireAdminOrSupplier(m, d.AdminTokenHash)
	idem := idempotent(m, d.Options, 1)
	idemSecret := idempotent(m, d.Options, marketplace.MinSecretIdempotencyKey) // the response holds an API key

	api.Get("/openapi.json", handleOpenAPI())

	api.Get("/suppliers", admin, handleSupplierList(m))
	api.Post("/suppliers", admin, idemSecret, handleSupplierCreate(m))
	api.Get("/suppliers/me/offers", supplier, handleSupplierOffers(m))
	api.Get("/suppliers/:id", adminOrSelf, handleSupplierGet(m))            // api_supplier_establishment.go
	api.Patch("/suppliers/:id", adminOrSelf, idem, handleSupplierUpdate(m)) // establishment, VAT registrations, listings
	api.Post("/suppliers/:id/keys", adminOrSelf, idemSecret, handleKeyRotate(m))
	api.Delete("/suppliers/:id/keys/:key_id", adminOrSelf, handleKeyRevoke(m))

	api.Get("/offers", d.responses.cached("search", queryKey, handleOfferSearch(m)))
	api.Post("/offers", supplier, idem, handleOfferCreate(m))
	api.Post("/offers/batch", supplier, idem, handleOfferBatch(m))
	api.Get("/offers/:id", handleOfferGet(m))
	api.Patch("/offers/:id", supplier, idem, handleOfferUpdate(m))
	api.Delete("/offers/:id", supplier, idem, handleOfferWithdraw(m))
	api.Post("/offers/:id/reinstate", supplier, idem, handleOfferReinstate(m))

	// Orders: accepting and cancelling need the buyer's key; a supplier lists the orders on its
	// offers, a buyer its own (api_buyers.go has the accounts).
	buyer := requireBuyer(m, d.AdminTokenHash)
	anyCaller := identifyCaller(m, d.AdminTokenHash)
	api.Post("/quotes/:id/accept", buyer, idem, handleQuoteAccept(m))
	api.Get("/orders", anyCaller, handleOrderList(m))
	api.Get("/orders/:id", anyCaller, handleOrderGet(m))
	api.Post("/orders/:id/cancel", buyer, idem, handleOrderCancel(m))
}
