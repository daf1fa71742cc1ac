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

func TestPriceBoundsAreExact(t *testing.T) {
	d := decimal.RequireFromString
	// A USD listing compared in EUR at 1 USD = 0.8 EUR: price_EUR = micros × 0.8 / 10^6.
	rate := d("0.8")
	tests := []struct {
		op       Op
		x        string
		want     []Bound
		possible bool
	}{
		{OpLe, "2", []Bound{{OpLe, 2500000}}, true},         // 2.5 USD = 2 EUR exactly: included
		{OpLt, "2", []Bound{{OpLt, 2500000}}, true},         // …excluded
		{OpGe, "2", []Bound{{OpGe, 2500000}}, true},         // …included
		{OpGt, "2", []Bound{{OpGt, 2500000}}, true},         // …excluded
		{OpLe, "1.0000001", []Bound{{OpLe, 1250000}}, true}, // 1.25 USD = 1 EUR ≤ 1.0000001; 1.250001 USD is 1.0000008 EUR
		{OpLt, "1.0000001", []Bound{{OpLe, 1250000}}, true},
		{OpGe, "1.0000001", []Bound{{OpGt, 1250000}}, true},
		{OpEq, "2", []Bound{{OpEq, 2500000}}, true},
		{OpEq, "1.0000001", nil, false}, // no whole number of micro-USD converts to it
		{OpNe, "1.0000001", nil, true},  // so every price differs: no bound at all
	}
	for _, tc := range tests {
		got, possible, err := priceBounds([]Clause{{Field: "price", Op: tc.op, Values: []string{tc.x}}}, rate)
		if err != nil || possible != tc.possible || len(got) != len(tc.want) || (len(got) == 1 && got[0] != tc.want[0]) {
			t.Errorf("price%s%s: got %v, %v, %v; want %v, %v", tc.op, tc.x, got, possible, err, tc.want, tc.possible)
		}
	}
}

func TestFloorDiv(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		x, by string
		want  int64
		exact bool
	}{
		{"10", "3", 3, false},
		{"9", "3", 3, true},
		{"2162255.0", "1.1562", 1870139, false}, // 1870139.248…
		{"1", "0.1212517369321414", 8, false},   // 8.247…
		{"-1", "3", -1, false},
	}
	for _, tc := range tests {
		got, exact := floorDiv(d(tc.x), d(tc.by))
		if got != tc.want || exact != tc.exact {
			t.Errorf("floorDiv(%s, %s) = %d, %v; want %d, %v", tc.x, tc.by, got, exact, tc.want, tc.exact)
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

func TestPerPFLOPMicros(t *testing.T) {
	d := decimal.RequireFromString
	// 2.50 per GPU-hour on 989 TFLOPS: 2.5 / 0.989 = 2.527805…/PFLOP-hour → 2527805 micro-units.
	if got := PerPFLOPMicros(d("2.50"), d("989")); got != 2527805 {
		t.Errorf("PerPFLOPMicros(2.50, 989) = %d", got)
	}
	if got := PerPFLOPMicros(d("2.50"), decimal.Zero); got != NoPerPFLOP {
		t.Errorf("unknown TFLOPS: %d", got)
	}
}
