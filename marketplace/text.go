package marketplace

import (
	"fmt"
	"unicode/utf8"
)

// TextProblem says what is wrong with free text that Corridor stores and shows to other
// people, or returns "" when nothing is. It refuses what either database or a reader's
// terminal or browser would mishandle: invalid UTF-8, NUL (PostgreSQL cannot store it in text),
// every other C0 and C1 control character (ANSI escape sequences start with one), DEL, and the
// Unicode controls that reorder or hide text (bidirectional embeddings, overrides and isolates,
// the "Trojan Source" characters). Line breaks and tabs are allowed only in multiline text.
func TextProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("contains the control character U+%04X; only printable text is accepted", r)
		case r == 0x2028 || r == 0x2029:
			if !multiline {
				return fmt.Sprintf("contains the line separator U+%04X; this field is one line", r)
			}
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("contains the bidirectional control character U+%04X, which can disguise text", r)
		}
	}
	return ""
}
