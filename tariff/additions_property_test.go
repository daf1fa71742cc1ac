package tariff

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Inputs added after the first release reproduce the earlier results when they state what the
// engine assumed before: a supplier established where the capacity is hosted, a buyer
// headquartered where it is established, tax_inclusive terms.
func TestPropertyDefaultsReproduceTheImplicitInputs(t *testing.T) {
	p := baseline(t)
	assessAll(t, p, func(s Supply, at time.Time, a Assessment) {
		explicit := s
		explicit.SupplierCountry, explicit.BuyerHeadquarters, explicit.TaxTerms = s.Origin, s.Destination, TaxTermsInclusive
		b, err := Assess(p, explicit, at)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := render(b, nil), render(a, nil); got != want {
			t.Fatalf("%+v on %s: explicit defaults differ:\n%s\nvs\n%s", s, at, got, want)
		}
	})
}

// Under net_of_cn_tax terms the supplier keeps the whole price whatever is withheld
// (income I less the income tax I × c is the price P), the withheld VAT is the gross payment's
// r/(1+r), and the buyer's outlay is P plus the taxes; under tax_inclusive terms the withheld
// lines are inside the price (nothing on top) and smaller than under net terms.
func TestPropertyTaxTermsInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 300; i++ {
		v := decimal.New(int64(1+r.IntN(25)), -2) // 1%–25%
		c := decimal.New(int64(1+r.IntN(30)), -2) // 1%–30%
		p := testPolicy(t, `  - {id: vat, kind: withholding, jurisdiction: CN, destination: [CN], supplier_except: [CN], rate: "`+v.Shift(2).String()+`%", base: gross_payment, legal: [x]}
  - {id: cit, kind: withholding, jurisdiction: CN, destination: [CN], supplier_except: [CN], stacking_group: cit, rate: "`+c.Shift(2).String()+`%", base: payment_net_of_vat, legal: [x]}
`)
		price := decimal.New(int64(1+r.IntN(1e9)), -2)
		s := service("DE", "CN", BuyerBusiness, "1", "1")
		s.NetPrice, s.Currency = price, "CNY"
		s.TaxTerms = TaxTermsNetOfCNTax
		net, err := Assess(p, s, day(dateDefault))
		if err != nil {
			t.Fatal(err)
		}
		s.TaxTerms = TaxTermsInclusive
		incl, err := Assess(p, s, day(dateDefault))
		if err != nil {
			t.Fatal(err)
		}
		nv, nc := net.Charges[0], net.Charges[1]
		tolerance := decimal.New(1, -15)
		if kept := nc.BaseAmount.Sub(nc.Amount); kept.Sub(price).Abs().GreaterThan(tolerance) {
			t.Fatalf("v %s c %s P %s: the supplier keeps %s", v, c, price, kept)
		}
		if share := nv.Amount.Div(nv.BaseAmount); share.Sub(v.Div(one.Add(v))).Abs().GreaterThan(tolerance) {
			t.Fatalf("v %s: withheld VAT is %s of the gross payment", v, share)
		}
		if !net.OnTop().Equal(nv.Amount.Add(nc.Amount)) || !incl.OnTop().IsZero() {
			t.Fatalf("on top: net %s, inclusive %s", net.OnTop(), incl.OnTop())
		}
		for j := range incl.Charges {
			if !incl.Charges[j].Included || incl.Charges[j].Amount.GreaterThan(net.Charges[j].Amount) {
				t.Fatalf("inclusive %s %s (included %v) vs net %s", incl.Charges[j].MeasureID, incl.Charges[j].Amount, incl.Charges[j].Included, net.Charges[j].Amount)
			}
		}
	}
}
