package web

import (
	"github.com/gofiber/fiber/v2"

	"corridor/web/i18n"
)

// The words of the pages live in the message files of web/i18n (one per language); this file
// only remembers the reader's choice.

// langCookie remembers the language a user picked with the switch on every page.
const langCookie = "lang"

// handleLang remembers the chosen language for a year and goes back to the page the switch
// was clicked on (only a local path, never another site).
func handleLang(c *fiber.Ctx) error {
	code := c.Params("code")
	if _, ok := i18n.Lookup(code); !ok {
		code = i18n.DefaultCode
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", HTTPOnly: true, Secure: c.Protocol() == "https"})
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// formCountries are the buyer countries the forms offer, in this order: the EU27, China and
// common others (any ISO code works via the API). Their names are the catalogue's country.*.
var formCountries = []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
	"LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "CN", "HK", "CH", "GB", "NO", "US", "JP", "KR", "SG", "IN"}

// formCurrencies are the quote currencies the forms offer (any ISO code works via the API).
var formCurrencies = []string{"EUR", "CNY", "USD", "GBP", "CHF", "PLN", "SEK", "CZK", "DKK", "HUF", "JPY"}
