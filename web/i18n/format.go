package i18n

import (
	"strings"

	"github.com/shopspring/decimal"

	"corridor/pricing"
)

// Money formats an amount with exactly its currency's minor units, the language's separators
// and the currency named as the language names it: "EUR 1,234.56", "1,234.56 欧元". The
// pattern is the message "money"; currency names are "currency.<ISO code>" (the code itself
// when the language has no name for it).
func (l *Locale) Money(amount decimal.Decimal, cur string) string {
	return l.T("money", "Amount", l.separators(pricing.FormatAmount(amount, cur)), "Currency", l.CurrencyName(cur))
}

// UnitPrice formats a price per unit with up to four decimals (unit prices are quoted finer
// than the currency's minor unit), at least the minor units, named like Money.
func (l *Locale) UnitPrice(amount decimal.Decimal, cur string) string {
	minor, ok := pricing.MinorUnits(cur)
	if !ok {
		minor = 2
	}
	places := int32(minor)
	if r := amount.Round(4); !r.Equal(amount.Round(places)) {
		places = 4
		for places > int32(minor) && r.Equal(r.Round(places-1)) {
			places--
		}
	}
	return l.T("money", "Amount", l.separators(groupThousands(amount.StringFixed(places))), "Currency", l.CurrencyName(cur))
}

// Number formats a quantity (kWh, TFLOPS, GPU-hours) with the language's separators and at
// most places decimals, trailing zeros dropped.
func (l *Locale) Number(d decimal.Decimal, places int32) string {
	return l.separators(groupThousands(d.Round(places).String()))
}

// Int formats a whole number with the language's thousands separator.
func (l *Locale) Int(n int64) string {
	return l.Number(decimal.NewFromInt(n), 0)
}

// CurrencyName names an ISO 4217 currency: "currency.<code>", else the code.
func (l *Locale) CurrencyName(cur string) string { return l.TOr("currency."+cur, cur) }

// CountryName names an ISO 3166-1 country: "country.<code>", else the code.
func (l *Locale) CountryName(code string) string { return l.TOr("country."+code, code) }

// separators rewrites a number written with "," thousands and "." decimals in the
// language's separators.
func (l *Locale) separators(s string) string {
	if l.group == "," && l.decimal == "." {
		return s
	}
	return strings.NewReplacer(",", l.group, ".", l.decimal).Replace(s)
}

// groupThousands inserts comma separators into the integer part of a decimal string.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
