package tariff

import (
	"errors"
	"strings"
	"testing"
)

func TestParseExpr(t *testing.T) {
	ok := []struct{ src, terms string }{
		{"19%", "19%"},
		{"25.5%", "25.5%"},
		{"0.12 EUR/gpu_hour", "0.12 EUR/gpu_hour"},
		{"5% + 0.02 EUR/gpu_hour", "5% 0.02 EUR/gpu_hour"},
		{"5% MIN 30.00 EUR/unit", "5% MIN 30 EUR/unit"},
		{"10% MAX 0.50 EUR/gpu_hour", "10% MAX 0.5 EUR/gpu_hour"},
		{"1% MIN 0.1 EUR/kwh MAX 2%", "1% MIN 0.1 EUR/kwh MAX 2%"},
		{"  3%  -  1 CNY/unit ", "3% -1 CNY/unit"},
	}
	for _, tc := range ok {
		e, err := ParseExpr(tc.src)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		var parts []string
		for i, term := range e.Terms {
			s := term.String()
			if e.Neg[i] {
				s = "-" + s
			}
			parts = append(parts, s)
		}
		if e.Min != nil {
			parts = append(parts, "MIN", e.Min.String())
		}
		if e.Max != nil {
			parts = append(parts, "MAX", e.Max.String())
		}
		if got := strings.Join(parts, " "); got != tc.terms {
			t.Errorf("%q parsed as %q, want %q", tc.src, got, tc.terms)
		}
	}
	bad := []struct {
		src    string
		offset int
		msg    string
	}{
		{"", 0, "empty expression"},
		{"%", 0, "expected a number"},
		{"19", 2, "expected '%' or a currency"},
		{"1.2.3%", 0, "malformed number"},
		{"5 EUR", 5, "expected '/unit'"},
		{"5 EURO/unit", 2, "expected '%' or a currency"},
		{"5 EUR/hour", 6, `unknown unit "hour"`},
		{"5% +", 4, "expected a number, found the end"},
		{"5% * 2%", 3, "unexpected"},
		{"5% MIN 1 EUR/unit MIN 2 EUR/unit", 18, "MIN given twice"},
		{"5% MAX 1% + 1%", 10, "'+' or '-' after MIN/MAX"},
	}
	for _, tc := range bad {
		_, err := ParseExpr(tc.src)
		var ee *ExprError
		if !errors.As(err, &ee) || ee.Offset != tc.offset || !strings.Contains(ee.Message, tc.msg) {
			t.Errorf("%q: error %v, want offset %d %q", tc.src, err, tc.offset, tc.msg)
		}
	}
}

func TestExprEval(t *testing.T) {
	in := exprInput{base: d("1000"), quantity: d("100"), energy: d("500"), currency: "EUR", rates: testRates}
	cases := []struct{ src, want string }{
		{"19%", "190"},
		{"0.5 EUR/gpu_hour", "50"},
		{"8 CNY/unit", "100"},
		{"0.1 EUR/kwh", "50"},
		{"1% + 1 EUR/unit", "110"},
		{"1% MIN 0.5 EUR/unit", "50"},
		{"10% MAX 0.5 EUR/unit", "50"},
		{"10% - 0.5 EUR/unit", "50"},
		{"0%", "0"},
	}
	for _, tc := range cases {
		e, err := ParseExpr(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.eval(in)
		if err != nil || !got.Equal(d(tc.want)) {
			t.Errorf("%q = %s, %v; want %s", tc.src, got, err, tc.want)
		}
	}
	e, _ := ParseExpr("1 GBP/unit")
	if _, err := e.eval(in); err == nil {
		t.Error("conversion without a rate must fail")
	}
	in.rates = nil
	e, _ = ParseExpr("1 CNY/unit")
	if _, err := e.eval(in); err == nil {
		t.Error("conversion without rates must fail")
	}
}

func FuzzParseExpression(f *testing.F) {
	for _, s := range []string{"19%", "0.12 EUR/gpu_hour", "5% + 0.02 EUR/gpu_hour", "5% MIN 30.00 EUR/unit",
		"10% MAX 0.50 EUR/gpu_hour", "1% MIN 0.1 EUR/kwh MAX 2%", "3% - 1 CNY/unit", "", "%", "5 EUR/", "5%MIN", "9999999999999999999999%"} {
		f.Add(s)
	}
	in := exprInput{base: d("1000"), quantity: d("100"), energy: d("500"), currency: "EUR", rates: testRates}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpr(src)
		if err != nil {
			var ee *ExprError
			if !errors.As(err, &ee) || ee.Offset < 0 || ee.Offset > len(src) {
				t.Fatalf("%q: bad error %v", src, err)
			}
			return
		}
		if len(e.Terms) == 0 || len(e.Terms) != len(e.Neg) {
			t.Fatalf("%q: %d terms", src, len(e.Terms))
		}
		_, _ = e.eval(in)
	})
}
