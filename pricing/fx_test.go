package pricing

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func rate(cur, perEUR, on string) Rate {
	return Rate{Currency: cur, PerEUR: d(perEUR), Date: date(on), Source: SourceECB}
}

func TestRateTableOn(t *testing.T) {
	tab := NewRateTable(
		rate("CNY", "7.9", "2026-11-26"),
		rate("CNY", "8.0", "2026-11-27"), // Friday
		rate("USD", "1.05", "2026-11-27"),
		rate("CYP", "0.58", "2007-12-31"), // replaced by the euro
	)
	for _, day := range []string{"2026-11-27", "2026-11-28", "2026-11-29"} { // Fri, Sat, Sun
		s, flags := tab.On(date(day))
		r, ok := s.Rate("CNY")
		if !ok || !r.PerEUR.Equal(d("8.0")) || !r.Date.Equal(date("2026-11-27")) {
			t.Errorf("%s: CNY = %+v, %v; want Friday's 8.0", day, r, ok)
		}
		if len(flags) != 0 {
			t.Errorf("%s: unexpected warnings %v", day, flags)
		}
		if _, ok := s.Rate("CYP"); ok {
			t.Errorf("%s: a discontinued currency must not be in force", day)
		}
	}
	s, _ := tab.On(date("2026-11-26"))
	if r, _ := s.Rate("CNY"); !r.PerEUR.Equal(d("7.9")) {
		t.Errorf("Thursday: CNY = %s", r.PerEUR)
	}
	if _, ok := s.Rate("USD"); ok {
		t.Error("Thursday: USD was not yet published")
	}
	// Five days on is still fresh; six is stale.
	if _, flags := tab.On(date("2026-12-02")); len(flags) != 0 {
		t.Errorf("5 days: unexpected warnings %v", flags)
	}
	s, flags := tab.On(date("2026-12-03"))
	if len(flags) != 1 || flags[0].Code != "fx.stale" {
		t.Fatalf("6 days: want one fx.stale warning, got %v", flags)
	}
	if _, ok := s.Rate("CNY"); !ok || !s.Stale("CNY") {
		t.Error("a stale table still gives its rates, marked stale")
	}
	if s, flags := tab.On(date("2000-01-01")); len(flags) != 0 || len(s.Rates) != 0 {
		t.Errorf("before any publication: want nothing in force, got %v, %v", s.Rates, flags)
	}
	if tab.Len() != 4 || !tab.Latest().Equal(date("2026-11-27")) {
		t.Errorf("Len = %d, Latest = %s", tab.Len(), tab.Latest())
	}
	// A re-published rate replaces the old one.
	tab.Add(rate("CNY", "8.1", "2026-11-27"))
	s, _ = tab.On(date("2026-11-28"))
	if r, _ := s.Rate("CNY"); !r.PerEUR.Equal(d("8.1")) || tab.Len() != 4 {
		t.Errorf("replacement: CNY = %s, Len = %d", r.PerEUR, tab.Len())
	}
}

func TestConvertCross(t *testing.T) {
	s, _ := NewRateTable(rate("CNY", "8", "2026-11-27"), rate("USD", "1.25", "2026-11-27")).On(date("2026-11-27"))
	tests := []struct{ amount, from, to, want string }{
		{"150000", "CNY", "EUR", "18750"},
		{"18750", "EUR", "CNY", "150000"},
		{"100", "USD", "CNY", "640"}, // 8 / 1.25 = 6.4 CNY per USD
		{"640", "CNY", "USD", "100"}, // 1.25 / 8 = 0.15625 USD per CNY
		{"1", "EUR", "EUR", "1"},
	}
	for _, tt := range tests {
		got, err := s.Convert(d(tt.amount), tt.from, tt.to)
		if err != nil || !got.Equal(d(tt.want)) {
			t.Errorf("Convert(%s %s→%s) = %s, %v; want %s", tt.amount, tt.from, tt.to, got, err, tt.want)
		}
	}
	if _, err := s.Convert(d("1"), "CNY", "GBP"); err == nil {
		t.Error("missing rate: want error")
	}
	// Non-terminating cross rates keep 16 decimals.
	s2, _ := NewRateTable(rate("CNY", "7.8", "2026-11-27")).On(date("2026-11-27"))
	u, _ := s2.CrossRate("CNY", "EUR")
	if !u.Rate.Equal(d("0.1282051282051282")) || u.Source != SourceECB || !u.Date.Equal(date("2026-11-27")) {
		t.Errorf("CrossRate = %+v", u)
	}
}

func TestShock(t *testing.T) {
	s, _ := NewRateTable(rate("CNY", "8", "2026-11-27")).On(date("2026-11-27"))
	// CNY -5%: CNY weakens 5% against EUR; CNY per EUR = 8 / 0.95.
	sh, err := s.Shock(map[string]decimal.Decimal{"CNY": d("-0.05")})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := sh.Rate("CNY")
	if !r.PerEUR.Equal(d("8.4210526315789474")) || r.Source != "ECB_REF shocked -5%" {
		t.Errorf("shocked CNY = %s (%s)", r.PerEUR, r.Source)
	}
	// A CNY 150,000 price now costs 5% less in EUR: 18,750 × 0.95 = 17,812.50.
	eur, _ := sh.Convert(d("150000"), "CNY", "EUR")
	if got := Round(eur, "EUR", HalfUp); !got.Equal(d("17812.50")) {
		t.Errorf("shocked conversion = %s, want 17812.50", got)
	}
	if orig, _ := s.Rate("CNY"); !orig.PerEUR.Equal(d("8")) {
		t.Error("Shock changed the original snapshot")
	}
	for _, bad := range []map[string]decimal.Decimal{{"EUR": d("0.1")}, {"CNY": d("-1")}, {"GBP": d("0.1")}} {
		if _, err := s.Shock(bad); err == nil {
			t.Errorf("Shock(%v): want error", bad)
		}
	}
}
