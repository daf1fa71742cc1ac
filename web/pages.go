package web

import "github.com/gofiber/fiber/v2"

// addPageRoutes adds the server-rendered browser UI.
func addPageRoutes(app *fiber.App, d Deps) {}
