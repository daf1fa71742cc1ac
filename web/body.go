package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// decimalFields are the JSON members of supply requests that carry decimals as strings; a JSON
// number there gets a message that says how to write it.
var decimalFields = map[string]bool{"price": true, "min_gpu_hours": true, "discount": true}

// decodeBody is decodeStrict for the supply endpoints, whose decimals are plain *string
// members (validated by the domain so batch errors can name the item): a JSON number in a
// decimal member is answered with how to write it.
func decodeBody(c *fiber.Ctx, v any) error {
	err := decodeStrict(c, v)
	var de *marketplace.Error
	if errors.As(err, &de) && len(de.Fields) == 1 {
		f := de.Fields[0].Field
		if decimalFields[f[strings.LastIndex(f, ".")+1:]] && strings.Contains(de.Fields[0].Message, "number") {
			de.Fields[0].Message = `must be a decimal string like "2.50", not a JSON number`
		}
	}
	return err
}

// noBody accepts a request without a body, or with an empty JSON object, for endpoints that take
// none: a member is a 400 naming it.
func noBody(c *fiber.Ctx) error {
	if len(c.Body()) == 0 {
		return nil
	}
	var empty struct{}
	return decodeBody(c, &empty)
}

// nextCursor is a page's next_cursor in JSON: the cursor, or null on the last page.
func nextCursor(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}
