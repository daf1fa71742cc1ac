package marketplace

import (
	"strconv"

	"corridor/tariff"
)

// IsSlug reports whether s is a code such as a region code ("cn-ningxia-zhongwei"): 1 to
// MaxCodeLen lowercase letters, digits and - _ ., starting and ending with a letter or digit.
func IsSlug(s string) bool { return len(s) <= MaxCodeLen && slugChars(s) }

// slugChars is the character rule of slugs, whatever their length limit.
func slugChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && ((c != '-' && c != '_' && c != '.') || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// IsID reports whether s can be the id of a stored record (offer, supplier, quote, order, API
// key): 1 to MaxCodeLen letters, digits, - and _.
func IsID(s string) bool {
	if len(s) == 0 || len(s) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// quoteField quotes user input for a message, cut to 40 characters.
func quoteField(s string) string { return strconv.Quote(tariff.Shorten(s, 40)) }
