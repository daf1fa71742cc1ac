package tariff

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 40, "short"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		// 12 Chinese characters of 3 bytes each: cut after 4 characters (12 bytes), never inside one.
		{"华北华东华南西北西南东北", 5, "华北华东…"},
		{"华北华东华南", 6, "华北华东华南"},
		{"é" + strings.Repeat("x", 50), 3, "éx…"},
		{"anything", 0, ""},
	} {
		got := Shorten(tc.in, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
