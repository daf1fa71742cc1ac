package marketplace

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestPeakReserved(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	r := func(gpus, from, to int) Reservation { return Reservation{GPUs: gpus, Start: h(from), End: h(to)} }
	tests := []struct {
		name     string
		res      []Reservation
		from, to int
		want     int
	}{
		{"none", nil, 0, 10, 0},
		{"one inside", []Reservation{r(3, 2, 4)}, 0, 10, 3},
		{"overlapping stack", []Reservation{r(3, 0, 5), r(4, 3, 8), r(2, 4, 6)}, 0, 10, 9},
		{"adjacent never add up (ends are exclusive)", []Reservation{r(5, 0, 4), r(5, 4, 8)}, 0, 10, 5},
		{"outside the window", []Reservation{r(7, 10, 12), r(6, -5, 0)}, 0, 10, 0},
		{"clipped to the window", []Reservation{r(3, 0, 5), r(4, 3, 8)}, 5, 10, 4},
		{"same instants", []Reservation{r(1, 1, 2), r(1, 1, 2), r(1, 1, 2)}, 0, 3, 3},
	}
	for _, tc := range tests {
		if got := PeakReserved(tc.res, h(tc.from), h(tc.to)); got != tc.want {
			t.Errorf("%s: PeakReserved = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestParseDiscountAndPrice(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" = invalid
	}{
		{"5%", "0.05"}, {"0.05", "0.05"}, {"12.5%", "0.125"}, {"99.9%", "0.999"},
		{"0", ""}, {"100%", ""}, {"1", ""}, {"-5%", ""}, {"5e-2", ""}, {"five", ""}, {"%", ""},
	} {
		got, msg := ParseDiscount(tc.in)
		if (tc.want == "") != (msg != "") || (tc.want != "" && !got.Equal(decimal.RequireFromString(tc.want))) {
			t.Errorf("ParseDiscount(%q) = %s, %q; want %q", tc.in, got, msg, tc.want)
		}
	}
	if got := FormatDiscount(decimal.RequireFromString("0.125")); got != "12.5%" {
		t.Errorf("FormatDiscount(0.125) = %q", got)
	}
	for _, tc := range []struct {
		in, wantMsg string
	}{
		{"2.50", ""}, {"0.000001", ""}, {"999999999.999999", ""},
		{"0", "greater than 0"}, {"-1", "greater than 0"}, {"0.0000001", "6 decimals"}, {"1000000000", "less than"},
		{"1e3", "decimal string"}, {" 2", "decimal string"}, {"+2", "decimal string"}, {"", "decimal string"},
	} {
		_, msg := parsePrice(tc.in)
		if (tc.wantMsg == "") != (msg == "") || !strings.Contains(msg, tc.wantMsg) {
			t.Errorf("parsePrice(%q) = %q, want a message containing %q", tc.in, msg, tc.wantMsg)
		}
	}
}

func TestAPIKeyFormat(t *testing.T) {
	k, plain := newAPIKey("sup_x", time.Unix(0, 0))
	id, secret, ok := parseAPIKey(plain)
	if !ok || id != k.ID || hashSecret(secret) != k.Hash || strings.Contains(k.Hash, secret) {
		t.Fatalf("key %q does not parse back to its record", plain)
	}
	for _, bad := range []string{"", "csk_", "csk_" + k.ID, "csk_" + k.ID + "_short", strings.Replace(plain, "csk_", "cak_", 1), plain + "0", "csk_ZZZZZZZZZZZZZZZZ_" + secret} {
		if IsAPIKey(bad) {
			t.Errorf("IsAPIKey(%q) = true", bad)
		}
	}
}

// TestNewTimeOrderedID: "q_" + 12 hex digits of Unix milliseconds + 32 random hex digits; ids
// of later instants sort after earlier ones, ids of one instant differ, and every one is an id.
func TestNewTimeOrderedID(t *testing.T) {
	at := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC) // 1,796,166,000,000 ms = 0x01a233d61d80
	id := NewTimeOrderedID("q", at)
	if len(id) != 2+12+32 || id[:14] != "q_01a233d61d80" || !IsID(id) {
		t.Fatalf("id %q: want q_01a233d61d80 then 32 hex digits", id)
	}
	prev := id
	for i := 1; i <= 1000; i++ {
		next := NewTimeOrderedID("q", at.Add(time.Duration(i)*time.Millisecond))
		if next <= prev {
			t.Fatalf("%q (%d ms later) sorts before %q", next, i, prev)
		}
		prev = next
	}
	if a, b := NewTimeOrderedID("q", at), NewTimeOrderedID("q", at); a == b {
		t.Errorf("two ids of one instant are equal: %s", a)
	}
}
