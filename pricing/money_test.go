package pricing

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestMinorUnits(t *testing.T) {
	for cur, want := range map[string]int{"EUR": 2, "CNY": 2, "JPY": 0, "KRW": 0, "HUF": 2, "BHD": 3, "ISK": 0} {
		got, ok := MinorUnits(cur)
		if !ok || got != want {
			t.Errorf("MinorUnits(%s) = %d, %v; want %d", cur, got, ok, want)
		}
	}
	if KnownCurrency("XXX") || KnownCurrency("eur") {
		t.Error("unknown codes must not be known")
	}
	// Every currency the ECB files name is known.
	for _, c := range []string{"USD", "JPY", "BGN", "CYP", "CZK", "DKK", "EEK", "GBP", "HUF", "LTL", "LVL", "MTL", "PLN", "ROL", "RON", "SEK", "SIT", "SKK", "CHF", "ISK", "NOK", "HRK", "RUB", "TRL", "TRY", "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD", "PHP", "SGD", "THB", "ZAR"} {
		if !KnownCurrency(c) {
			t.Errorf("ECB currency %s unknown", c)
		}
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		in, cur string
		mode    RoundingMode
		want    string
	}{
		{"2.345", "EUR", HalfUp, "2.35"},
		{"2.345", "EUR", HalfEven, "2.34"},
		{"2.355", "EUR", HalfEven, "2.36"},
		{"-2.345", "EUR", HalfUp, "-2.35"}, // symmetric: away from zero
		{"-2.345", "EUR", HalfEven, "-2.34"},
		{"2.3449999", "EUR", HalfUp, "2.34"},
		{"1234.5", "JPY", HalfUp, "1235"},
		{"1234.5", "JPY", HalfEven, "1234"},
		{"1.0005", "BHD", HalfUp, "1.001"},
		{"3562.5", "EUR", "", "3562.50"},
		{"18750", "EUR", HalfUp, "18750"},
	}
	for _, tt := range tests {
		got := Round(d(tt.in), tt.cur, tt.mode)
		if !got.Equal(d(tt.want)) {
			t.Errorf("Round(%s, %s, %q) = %s, want %s", tt.in, tt.cur, tt.mode, got, tt.want)
		}
	}
}

func TestMoneyAddMismatch(t *testing.T) {
	a := Money{Amount: d("1"), Currency: "EUR"}
	if _, err := a.Add(Money{Amount: d("1"), Currency: "CNY"}); err == nil {
		t.Fatal("adding EUR and CNY must fail")
	}
	if _, err := a.Sub(Money{Amount: d("1"), Currency: "CNY"}); err == nil {
		t.Fatal("subtracting CNY from EUR must fail")
	}
	s, err := a.Add(Money{Amount: d("2.5"), Currency: "EUR"})
	if err != nil || !s.Amount.Equal(d("3.5")) {
		t.Fatalf("Add = %v, %v", s, err)
	}
	if got := (Money{Amount: d("18750"), Currency: "EUR"}).String(); got != "EUR 18,750.00" {
		t.Errorf("String = %q", got)
	}
	if got := FormatAmount(d("-1234567.5"), "JPY"); got != "-1,234,568" {
		t.Errorf("FormatAmount = %q", got)
	}
	if got := FormatAmount(d("999.999"), "EUR"); got != "1,000.00" {
		t.Errorf("FormatAmount = %q", got)
	}
	if got := (Money{Amount: d("0.125"), Currency: "EUR"}).Round(HalfEven); !got.Amount.Equal(d("0.12")) {
		t.Errorf("Money.Round = %v", got)
	}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		total   string
		weights []string
		cur     string
		want    []string
	}{
		{"100", []string{"1", "1", "1"}, "EUR", []string{"33.34", "33.33", "33.33"}},
		{"0.05", []string{"1", "1", "1"}, "EUR", []string{"0.02", "0.02", "0.01"}},
		{"10", []string{"0", "0"}, "EUR", []string{"5", "5"}},
		{"100", []string{"1", "2", "3"}, "JPY", []string{"17", "33", "50"}},
		{"-100", []string{"1", "1", "1"}, "EUR", []string{"-33.34", "-33.33", "-33.33"}},
		{"1200", []string{"250000", "0", "50000"}, "EUR", []string{"1000", "0", "200"}},
		// Remainders 0.6, 0.7 (of a cent): the larger gets the cent.
		{"0.03", []string{"3", "7"}, "EUR", []string{"0.01", "0.02"}},
	}
	for _, tt := range tests {
		ws := make([]decimal.Decimal, len(tt.weights))
		for i, w := range tt.weights {
			ws[i] = d(w)
		}
		got := Allocate(d(tt.total), ws, tt.cur)
		for i := range tt.want {
			if !got[i].Equal(d(tt.want[i])) {
				t.Errorf("Allocate(%s, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
				break
			}
		}
	}
	if Allocate(d("1"), nil, "EUR") != nil {
		t.Error("no weights: want nil")
	}
}

// TestAllocateSumsExactly is the property: shares always sum exactly to the (rounded) total,
// are whole minor units, and never differ from the exact proportional share by a unit or more.
func TestAllocateSumsExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	curs := []string{"EUR", "JPY", "BHD"}
	for i := 0; i < 2000; i++ {
		cur := curs[r.IntN(len(curs))]
		p, _ := MinorUnits(cur)
		total := decimal.New(r.Int64N(10_000_000)-1_000_000, -int32(p))
		n := 1 + r.IntN(12)
		ws := make([]decimal.Decimal, n)
		sumW := decimal.Zero
		for j := range ws {
			ws[j] = decimal.New(r.Int64N(1_000_000), -int32(r.IntN(4)))
			sumW = sumW.Add(ws[j])
		}
		shares := Allocate(total, ws, cur)
		sum := decimal.Zero
		unit := decimal.New(1, -int32(p))
		for j, s := range shares {
			sum = sum.Add(s)
			if !s.Equal(Round(s, cur, HalfUp)) {
				t.Fatalf("share %s is not in whole minor units of %s", s, cur)
			}
			if sumW.IsPositive() {
				exact := total.Mul(ws[j]).DivRound(sumW, 20)
				if s.Sub(exact).Abs().GreaterThanOrEqual(unit) {
					t.Fatalf("share %s too far from exact %s", s, exact)
				}
			}
		}
		if !sum.Equal(total) {
			t.Fatalf("Allocate(%s, %v, %s) sums to %s", total, ws, cur, sum)
		}
	}
}

// TestRoundFastMatchesBig: the int64 fast paths of Round and UnitPrice give exactly what the
// big-number arithmetic gives.
func TestRoundFastMatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 200000; i++ {
		c := r.Int64N(2_000_000_000_000) - 1_000_000_000_000
		if i%7 == 0 {
			c = c/1000*1000 + 500 // plenty of exact ties
		}
		d1 := decimal.New(c, -int32(r.IntN(12)))
		places := int32(r.IntN(5))
		mode := []RoundingMode{HalfUp, HalfEven}[r.IntN(2)]
		got, ok := roundFast(d1, places, mode)
		want := d1.Round(places)
		if mode == HalfEven {
			want = d1.RoundBank(places)
		}
		if ok && !got.Equal(want) {
			t.Fatalf("roundFast(%s, %d, %s) = %s, want %s", d1, places, mode, got, want)
		}
		den := decimal.New(1+r.Int64N(1_000_000), -int32(r.IntN(4)))
		fast, ok := divFast(d1, den.CoefficientInt64(), den.Exponent(), places, mode)
		ref := roundBig(d1.DivRound(den, places+30), places, mode)
		if ok && !fast.Equal(ref) {
			t.Fatalf("divFast(%s, %s, %d, %s) = %s, want %s", d1, den, places, mode, fast, ref)
		}
	}
	// Out of int64 range: the big path takes over.
	big := d("123456789012345678901234.5")
	if got := Round(big, "EUR", HalfUp); !got.Equal(d("123456789012345678901234.5")) {
		t.Errorf("big Round = %s", got)
	}
	if got := UnitPrice(big, d("3"), "EUR", HalfUp); !got.Equal(d("41152263004115226300411.5")) {
		t.Errorf("big UnitPrice = %s", got)
	}
	if got := UnitPrice(d("1"), d("3"), "EUR", HalfEven); !got.Equal(d("0.3333")) {
		t.Errorf("UnitPrice 1/3 = %s", got)
	}
	if got := UnitPrice(d("0.00005"), d("1"), "EUR", HalfEven); !got.Equal(d("0")) {
		t.Errorf("UnitPrice tie half-even = %s", got)
	}
	if got := UnitPrice(d("0.00005"), d("1"), "EUR", HalfUp); !got.Equal(d("0.0001")) {
		t.Errorf("UnitPrice tie half-up = %s", got)
	}
	for i := 0; i < 20000; i++ {
		total := decimal.New(r.Int64N(1_000_000_000)-1_000, -2)
		a, b := decimal.New(1+r.Int64N(100_000), 0), decimal.New(1+r.Int64N(10_000_000), -int32(r.IntN(4)))
		mode := []RoundingMode{HalfUp, HalfEven}[r.IntN(2)]
		if got, want := unitPriceOf(total, a, b, -3, "EUR", mode), UnitPrice(total, a.Mul(b).Shift(-3), "EUR", mode); !got.Equal(want) {
			t.Fatalf("unitPriceOf(%s, %s, %s) = %s, want %s", total, a, b, got, want)
		}
	}
}

func roundBig(x decimal.Decimal, places int32, mode RoundingMode) decimal.Decimal {
	if mode == HalfEven {
		return x.RoundBank(places)
	}
	return x.Round(places)
}

// TestFastArithmeticMatchesBig: add, mul, mulShift, sum and FormatAmount's fast paths agree with the
// big-number operations, including near the int64 limits.
func TestFastArithmeticMatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	edge := []int64{0, 1, -1, 999_999_999_999_999_999, -999_999_999_999_999_999, 500_000_000_000_000_000}
	for i := 0; i < 100000; i++ {
		pick := func() decimal.Decimal {
			if r.IntN(10) == 0 {
				return decimal.New(edge[r.IntN(len(edge))], -int32(r.IntN(6)))
			}
			return decimal.New(r.Int64N(2_000_000_000_000)-1_000_000_000_000, -int32(r.IntN(10)))
		}
		a, b := pick(), pick()
		if got, want := add(a, b), a.Add(b); !got.Equal(want) {
			t.Fatalf("add(%s, %s) = %s, want %s", a, b, got, want)
		}
		if got, want := mul(a, b), a.Mul(b); !got.Equal(want) {
			t.Fatalf("mul(%s, %s) = %s, want %s", a, b, got, want)
		}
		c := pick()
		if got, want := mulShift(a, b, c, -3), a.Mul(b).Mul(c).Shift(-3); !got.Equal(want) {
			t.Fatalf("mulShift(%s, %s, %s) = %s, want %s", a, b, c, got, want)
		}
		if got, want := mulShift(a, b, decimal.Decimal{}, 2), a.Mul(b).Shift(2); !got.Equal(want) {
			t.Fatalf("mulShift(%s, %s) = %s, want %s", a, b, got, want)
		}
		sm := newSum(int32(r.IntN(4)))
		want := decimal.Zero
		for _, x := range []decimal.Decimal{a, b, pick()} {
			sm.add(x)
			want = want.Add(x)
		}
		sm.sub(b)
		if want = want.Sub(b); !sm.value().Equal(want) {
			t.Fatalf("sum = %s, want %s", sm.value(), want)
		}
		shift := int32(r.IntN(5)) - 2
		if got, want := string(appendPlain(nil, a, shift)), a.Shift(shift).String(); got != want {
			t.Fatalf("appendPlain(%s, %d) = %q, want %q", a, shift, got, want)
		}
		cur := []string{"EUR", "JPY", "BHD"}[r.IntN(3)]
		if got, want := FormatAmount(a, cur), formatSlow(a, cur); got != want {
			t.Fatalf("FormatAmount(%s, %s) = %q, want %q", a, cur, got, want)
		}
	}
}

// formatSlow is FormatAmount's big-number path, for comparison.
func formatSlow(a decimal.Decimal, cur string) string {
	p, _ := MinorUnits(cur)
	s := a.StringFixed(int32(p))
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	out := ""
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out += ","
		}
		out += string(intPart[i])
	}
	if neg {
		out = "-" + out
	}
	return out + frac
}

// TestRoundMulMatchesBig: the fused multiply-and-round equals decimal's Mul, Shift and the big
// rounding path.
func TestRoundMulMatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 100000; i++ {
		n := 1 + r.IntN(3)
		fs := make([]decimal.Decimal, n)
		want := decimal.NewFromInt(1)
		for j := range fs {
			digits := []int64{10, 1_000, 1_000_000, 1_000_000_000, 1_000_000_000_000}[r.IntN(5)]
			fs[j] = decimal.New(r.Int64N(2*digits)-digits, -int32(r.IntN(10)))
			if r.IntN(20) == 0 {
				fs[j] = decimal.Decimal{}
			}
			want = want.Mul(fs[j])
		}
		places, shift := int32(r.IntN(5)), int32(r.IntN(7))-3
		mode := []RoundingMode{HalfUp, HalfEven}[r.IntN(2)]
		want = roundBig(want.Shift(shift), places, mode)
		if got := roundMul(places, mode, shift, fs...); !got.Equal(want) {
			t.Fatalf("roundMul(%d, %s, %d, %v) = %s, want %s", places, mode, shift, fs, got, want)
		}
	}
}
