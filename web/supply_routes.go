package web

import "github.com/gofiber/fiber/v2"

// addSupplyRoutes adds the supplier, offer, search and order endpoints and the OpenAPI document.
func addSupplyRoutes(api fiber.Router, d Deps) {
	m := d.Market
	admin := requireAdmin(d.AdminTokenHash)
	supplier := requireSupplier(m, d.AdminTokenHash)
	adminOrSelf := requireAdminOrSupplier(m, d.AdminTokenHash)
	idem := idempotent(m)

	api.Get("/openapi.json", handleOpenAPI())

	api.Post("/suppliers", admin, idem, handleSupplierCreate(m))
	api.Post("/suppliers/:id/keys", adminOrSelf, idem, handleKeyRotate(m))
	api.Delete("/suppliers/:id/keys/:key_id", adminOrSelf, handleKeyRevoke(m))

	api.Get("/offers", handleOfferSearch(m))
	api.Post("/offers", supplier, idem, handleOfferCreate(m))
	api.Post("/offers/batch", supplier, idem, handleOfferBatch(m))
	api.Get("/offers/:id", handleOfferGet(m))
	api.Patch("/offers/:id", supplier, idem, handleOfferUpdate(m))
	api.Delete("/offers/:id", supplier, idem, handleOfferWithdraw(m))

	api.Post("/quotes/:id/accept", idem, handleQuoteAccept(m))
	api.Get("/orders", supplier, handleOrderList(m))
	api.Get("/orders/:id", handleOrderGet(m))
}
