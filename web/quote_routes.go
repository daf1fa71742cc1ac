package web

import "github.com/gofiber/fiber/v2"

// addQuoteRoutes adds the quote, compare and policy endpoints.
func addQuoteRoutes(api fiber.Router, d Deps) {}
