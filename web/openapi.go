package web

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument is the OpenAPI 3.1 description of every endpoint, kept as a JSON file so
// that it is reviewed as the document clients read; openapi_test.go checks it against the
// routes and the handlers' responses.
//
//go:embed openapi.json
var openAPIDocument []byte

func handleOpenAPI() fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		return c.Send(openAPIDocument)
	}
}
