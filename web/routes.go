package web

import "github.com/gofiber/fiber/v2"

// addRoutes shows the whole HTTP surface: each area adds its routes in its own file.
func addRoutes(app *fiber.App, d Deps) {
	app.Get("/healthz", handleHealth(d.Market))
	app.Get("/readyz", handleReady(d.Ready)) // operations: ops_routes.go
	app.Get("/metrics", d.Metrics.handler())

	api := app.Group("/api/v1")
	api.Get("/regions", handleRegions(d.Market))
	api.Get("/accelerators", handleAccelerators(d.Market))
	api.Get("/fx", handleFX(d.Market))
	addSupplyRoutes(api, d) // suppliers, offers, search, orders, openapi.json: supply_routes.go
	addQuoteRoutes(api, d)  // quotes, compare, policies: quote_routes.go
	addBuyerRoutes(api, d)  // buyer accounts and keys: api_buyers.go
	addStudyRoutes(api, d)  // what-if studies: api_studies.go

	api.Post("/effects", handleEffects())                         // the trade-effects model alone: api_effects.go
	api.Get("/studies/:id/effects", handleStudyEffects(d.Market)) // a study's trade effects: api_study_effects.go

	api.Get("/index", handleIndex(d.Market)) // the price index: api_index.go

	api.Use(apiFallback(app)) // 405 with Allow, or 404: methods.go

	addPageRoutes(app, d) // the browser UI: pages.go
}
