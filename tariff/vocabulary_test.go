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

func TestNormalizeHSCode(t *testing.T) {
	for in, want := range map[string]string{"8471": "8471", "8471.50": "847150", "8471 50 00": "84715000", "84": "84", "8542.31.00.90": "8542310090"} {
		if got, ok := NormalizeHSCode(in); !ok || got != want {
			t.Errorf("NormalizeHSCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "8", "847", "8471.5", ".8471", "8471-50", "84715000001", "８４７１"} {
		if got, ok := NormalizeHSCode(bad); ok {
			t.Errorf("NormalizeHSCode(%q) = %q accepted", bad, got)
		}
	}
}

func TestProducts(t *testing.T) {
	for _, p := range Products() {
		if !p.Valid() {
			t.Errorf("%s is listed but not valid", p)
		}
	}
	if len(Products()) != 3 || Product("gpu-hours").Valid() || Product("").Valid() {
		t.Errorf("products %v", Products())
	}
}
