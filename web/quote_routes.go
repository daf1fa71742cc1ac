package web

import "github.com/gofiber/fiber/v2"

// addQuoteRoutes adds the quote, compare and policy endpoints.
func addQuoteRoutes(api fiber.Router, d Deps) {
	api.Post("/quotes", handleQuoteCreate(d.Market))
	api.Get("/quotes/:id", handleQuoteGet(d.Market))
	api.Post("/compare", handleCompare(d.Market))

	api.Get("/policies", handlePolicyList(d.Market))
	api.Get("/policies/:id/versions/:n", handlePolicyVersionGet(d.Market))
	api.Post("/policies", requireAdmin(d.AdminTokenHash), handlePolicyCreate(d.Market))
	api.Post("/policies/:id/versions/:n/activate", requireAdmin(d.AdminTokenHash), handlePolicyActivate(d.Market))
}
