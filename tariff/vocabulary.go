package tariff

import (
	"slices"
	"unicode/utf8"
)

// The words the policy language shares with the marketplace that uses it, defined once here
// (the lowest package) with their rules: products, HS codes, and how user text is quoted in
// messages.

// Products lists every product a measure or an offer can name.
func Products() []Product { return slices.Clone(knownProducts[:]) }

// Valid reports whether p is one of Products.
func (p Product) Valid() bool { return slices.Contains(knownProducts[:], p) }

// NormalizeHSCode returns the digits of a Harmonized System code written with optional dots
// or spaces ("8471.50" → "847150") and whether it is one: 2 to 10 digits, an even number of
// them (chapter, heading, subheading, national tariff lines).
func NormalizeHSCode(s string) (string, bool) {
	digits := make([]byte, 0, 10)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case (c == '.' || c == ' ') && len(digits) > 0:
		default:
			return "", false
		}
	}
	n := len(digits)
	return string(digits), n >= 2 && n <= 10 && n%2 == 0
}

// Shorten returns s cut to at most n characters (runes), ending in "…" when it was cut, for
// quoting user input in messages. It never cuts a multi-byte character in two, and never
// returns invalid UTF-8 that was not in s.
func Shorten(s string, n int) string {
	if n < 1 {
		return ""
	}
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}
