package tariff

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// AppendKey appends to b a rendering of every field of s the engine reads, except the
// converter, the quota ledger and the subsidies already used: two supplies with equal keys are
// assessed identically on the same day with the same converter, ledger and used subsidies, so a
// caller may share an assessment between them. Equal values written differently (15 and 15.00)
// give different keys: a missed share, never a wrong one. Every field of Supply is covered
// (TestAppendKeyCoversEveryField), so a field added to Supply cannot be forgotten here.
func (s *Supply) AppendKey(b []byte) []byte {
	a := &s.Accelerator
	for _, f := range [...]string{string(s.Product), s.Origin, s.Destination, s.Region, s.BuyerRegion, string(s.BuyerType),
		s.SupplierCountry, s.BuyerHeadquarters, string(s.Purpose), string(s.TaxTerms), s.HSCode,
		a.Model, a.VendorCountry, a.FabCountry, s.Currency} {
		b = append(append(b, f...), '|')
	}
	for _, list := range [...][]string{s.SupplierEstablishments, s.Listings} {
		b = strconv.AppendInt(b, int64(len(list)), 10)
		for _, x := range list {
			b = append(append(b, ','), x...)
		}
		b = append(b, '|')
	}
	if s.PersonalData {
		b = append(b, 'P')
	}
	for _, v := range [...]decimal.Decimal{a.TPP, a.Density, s.Quantity, s.EnergyKWh, s.NetPrice, s.Freight, s.Insurance} {
		b = appendDecimalKey(b, v)
		b = append(b, '|')
	}
	return b
}

// appendDecimalKey writes d as coefficient 'e' exponent, without allocating when the
// coefficient fits in an int64.
func appendDecimalKey(b []byte, d decimal.Decimal) []byte {
	if d.NumDigits() > 18 {
		return append(b, d.String()...)
	}
	b = strconv.AppendInt(b, d.CoefficientInt64(), 10)
	b = append(b, 'e')
	return strconv.AppendInt(b, int64(d.Exponent()), 10)
}
