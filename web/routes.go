package web

import "github.com/gofiber/fiber/v2"

// addRoutes shows the whole HTTP surface on one screen.
func addRoutes(app *fiber.App, d Deps) {
	app.Get("/healthz", handleHealth(d.Market))

	api := app.Group("/api/v1")
	api.Get("/regions", handleRegions(d.Market))
	api.Get("/accelerators", handleAccelerators(d.Market))
	api.Get("/fx", handleFX(d.Market))

	api.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no such endpoint: "+c.Method()+" "+c.Path())
	})
}
