package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// onlyQueryParams rejects query parameters the endpoint does not know, so a typo in a filter
// is an error rather than a silently ignored filter (a common complaint about GPU marketplaces).
func onlyQueryParams(c *fiber.Ctx, allowed ...string) error {
	var bad []marketplace.FieldError
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		key := string(k)
		for _, a := range allowed {
			if a == key {
				return
			}
		}
		bad = append(bad, marketplace.FieldError{Field: key, Message: "unknown query parameter"})
	})
	if len(bad) > 0 {
		return marketplace.Invalid("unknown query parameter", bad...)
	}
	return nil
}

// quoteShort quotes user input for an error message, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
