package web

import "github.com/gofiber/fiber/v2"

// addSupplyRoutes adds the supplier, offer, search and order endpoints.
func addSupplyRoutes(api fiber.Router, d Deps) {}
