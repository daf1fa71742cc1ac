package tariff

import "unicode/utf8"

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
