package pricing

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// A CN business buys 1,000 GPU-hours hosted in Finland at EUR 2.12 = CNY 16,960.00 (EUR 1 =
// CNY 8.0000). The VAT it withholds follows the terms applied: the request's, else the offer's.
func TestTaxTermsApplied(t *testing.T) {
	base, _ := policies(t)
	cases := []struct {
		name           string
		offer, request tariff.TaxTerms
		applied        tariff.TaxTerms
		wht            string // the withholding line
		included       bool
		total, net     string
		flags          string
	}{
		// Neither names terms (a quote priced before they existed): the carve-out,
		// 16,960.00 ÷ 1.06 × 6% = 960.00 inside the price; total 16,960.00, net 16,000.00.
		{"none", "", "", tariff.TaxTermsInclusive, "960.00", true, "16960.00", "16000.00", ""},
		// The offer's net_of_cn_tax: 16,960.00 × 6% = 1,017.60 on top (gross payment 17,977.60);
		// total 17,977.60; creditable, so net cost 16,960.00.
		{"offer net", tariff.TaxTermsNetOfCNTax, "", tariff.TaxTermsNetOfCNTax, "1017.60", false, "17977.60", "16960.00", ""},
		{"offer inclusive", tariff.TaxTermsInclusive, "", tariff.TaxTermsInclusive, "960.00", true, "16960.00", "16000.00", ""},
		// The request's terms win, with a warning that the supplier has not posted them.
		{"request inclusive on a net offer", tariff.TaxTermsNetOfCNTax, tariff.TaxTermsInclusive, tariff.TaxTermsInclusive, "960.00", true, "16960.00", "16000.00", "tax_terms.not_offered"},
		{"request net on a net offer", tariff.TaxTermsNetOfCNTax, tariff.TaxTermsNetOfCNTax, tariff.TaxTermsNetOfCNTax, "1017.60", false, "17977.60", "16960.00", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := fiH100()
			o.TaxTerms = tc.offer
			r := services(4, 250, "CN", tariff.BuyerBusiness, "CNY")
			r.TaxTerms = tc.request
			q, err := Price(Inputs{Offer: o, Request: r, Policy: base, FX: testFX(), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			l := q.Lines[1]
			if q.TaxTerms != tc.applied || l.Kind != "withholding" || l.Amount.String() != decimal.RequireFromString(tc.wht).String() ||
				l.Included != tc.included || l.Payable == tc.included {
				t.Errorf("terms %s, line %s %s included %v payable %v", q.TaxTerms, l.Kind, l.Amount, l.Included, l.Payable)
			}
			if q.Total.StringFixed(2) != tc.total || q.NetCost.StringFixed(2) != tc.net {
				t.Errorf("total %s net %s, want %s %s", q.Total, q.NetCost, tc.total, tc.net)
			}
			if got := flagCodes(q.Flags); got != tc.flags {
				t.Errorf("flags %q, want %q", got, tc.flags)
			}
		})
	}
	r := services(4, 250, "CN", tariff.BuyerBusiness, "CNY")
	r.TaxTerms = "gross"
	var nq *NoQuoteError
	if _, err := Price(Inputs{Offer: fiH100(), Request: r, Policy: base, FX: testFX(), Now: now}); !errors.As(err, &nq) || nq.Field != "tax_terms" {
		t.Errorf("unknown terms: %v", err)
	}
}

func flagCodes(flags []tariff.Flag) string {
	s := ""
	for i, f := range flags {
		if i > 0 {
			s += ","
		}
		s += f.Code
	}
	return s
}

// A business that recovers only part of its input VAT: the GPU server into Germany (customs
// value 250,000.00, import VAT 19% = 47,500.00, total 297,500.00).
func TestPartialVATRecovery(t *testing.T) {
	base, _ := policies(t)
	server := Request{Units: 1, BuyerCountry: "DE", BuyerType: tariff.BuyerBusiness, Currency: "EUR", AsOf: saturday,
		Freight: d("4000.00"), Insurance: d("1000.00")}
	for share, net := range map[string]string{
		"":         "250000.00", // all of it: 297,500.00 − 47,500.00
		"1":        "250000.00",
		"0.6":      "269000.00", // 47,500.00 × 0.6 = 28,500.00 recovered: 297,500.00 − 28,500.00
		"0.333333": "281666.68", // 47,500.00 × 0.333333 = 15,833.3175 → 15,833.32: 297,500.00 − 15,833.32
		"0":        "297500.00", // nothing recovered: the net cost is the total
	} {
		r := server
		if share != "" {
			r.VATRecovery = decimal.NewNullDecimal(d(share))
		}
		q, err := Price(Inputs{Offer: cnServer(), Request: r, Policy: base, FX: testFX(), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if q.Total.StringFixed(2) != "297500.00" || q.NetCost.StringFixed(2) != net || !q.LandedCost.Equal(q.NetCost) {
			t.Errorf("share %q: total %s net %s landed %s, want net %s", share, q.Total, q.NetCost, q.LandedCost, net)
		}
		// The breakdown still sums to the landed cost: the share not recovered is a tax.
		b := breakdown(&q)
		if sum := b.Price.Add(b.DutiesLevies).Add(b.Taxes).Add(b.Subsidies); !sum.Equal(q.LandedCost) {
			t.Errorf("share %q: breakdown %+v sums to %s, landed %s", share, b, sum, q.LandedCost)
		}
		if want := q.NetCost.Sub(d("250000")); !b.Taxes.Equal(want) {
			t.Errorf("share %q: taxes %s, want the unrecovered %s", share, b.Taxes, want)
		}
	}
	// A consumer recovers nothing whatever it declares; a share outside [0, 1] is refused.
	c := server
	c.BuyerType, c.VATRecovery = tariff.BuyerConsumer, decimal.NewNullDecimal(d("0.5"))
	if q, err := Price(Inputs{Offer: cnServer(), Request: c, Policy: base, FX: testFX(), Now: now}); err != nil || !q.NetCost.Equal(q.Total) {
		t.Errorf("consumer: %v net %s total %s", err, q.NetCost, q.Total)
	}
	server.VATRecovery = decimal.NewNullDecimal(d("1.2"))
	var nq *NoQuoteError
	if _, err := Price(Inputs{Offer: cnServer(), Request: server, Policy: base, FX: testFX(), Now: now}); !errors.As(err, &nq) || nq.Field != "buyer.vat_recovery" {
		t.Errorf("share 1.2: %v", err)
	}
}

// An offer and a quote in the same currency need no rate; another quote currency does.
func TestSameCurrencyNeedsNoFX(t *testing.T) {
	base, _ := policies(t)
	empty := NewSnapshot(saturday, map[string]Rate{})
	// 10 × 1,000 × CNY 15.00 = CNY 150,000.00 for a CN business: 6% domestic VAT in the test
	// policy does not apply to imports only, so the base alone is checked.
	q, err := Price(Inputs{Offer: cnH100(), Request: services(10, 1000, "CN", tariff.BuyerBusiness, "CNY"), Policy: base, FX: empty, Now: now})
	if err != nil || q.Lines[0].Amount.StringFixed(2) != "150000.00" || len(q.FX) != 0 {
		t.Fatalf("same currency on an empty table: %v %+v fx %v", err, q.Lines, q.FX)
	}
	var nq *NoQuoteError
	if _, err := Price(Inputs{Offer: cnH100(), Request: services(10, 1000, "DE", tariff.BuyerBusiness, "EUR"), Policy: base, FX: empty, Now: now}); !errors.As(err, &nq) || nq.Reason != ReasonNoFXRate {
		t.Errorf("EUR quote of a CNY offer on an empty table: %v", err)
	}
}

// A rate carried forward from an earlier fixing raises fx.stale however fresh its date, and
// the quote says it rests on an illustrative figure.
func TestCarriedForwardRateIsStale(t *testing.T) {
	base, _ := policies(t)
	carried := rate("CNY", "8.0000", "2026-11-27")
	carried.Source, carried.CarriedFrom = "Illustrative: carried forward", date("2025-10-21")
	fx, _ := NewRateTable(carried).On(saturday)
	q, err := Price(Inputs{Offer: cnH100(), Request: services(10, 1000, "DE", tariff.BuyerBusiness, "EUR"), Policy: base, FX: fx, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// The CN-hosted H100 raises the policy's gate; the carried rate adds fx.stale.
	if got := flagCodes(q.Flags); got != "gate.cn-hosted-advanced-accelerator,fx.stale" || q.Flags[1].Confidence != "illustrative" {
		t.Errorf("flags %q %+v", got, q.Flags)
	}
	if !q.FX[0].CarriedFrom.Equal(date("2025-10-21")) {
		t.Errorf("fx use %+v", q.FX[0])
	}
	rel := q.Reliance()
	if rel.Confidence != "illustrative" || len(rel.Reasons) != 1 || rel.Reasons[0].Subject != "fx CNY/EUR" {
		t.Errorf("reliance %+v", rel)
	}
	// The same rate published on its date: no flag, and the quote is sourced.
	q, _ = Price(Inputs{Offer: cnH100(), Request: services(10, 1000, "DE", tariff.BuyerBusiness, "EUR"), Policy: base, FX: testFX(), Now: now})
	if len(q.Flags) != 1 || q.Reliance().Confidence != "sourced" {
		t.Errorf("published rate: flags %v reliance %+v", q.Flags, q.Reliance())
	}
}

// Lines carry their measure's provenance, price lines the offer's, and the quote's reliance
// names each figure that is not sourced.
func TestLinesCarryProvenance(t *testing.T) {
	p, err := tariff.ParsePolicy("p.yaml", []byte(`format: corridor.policy/v1
id: p
title: p
measures:
  - id: de-vat
    kind: vat
    jurisdiction: DE
    destination: [DE]
    rate: "19%"
    base: net_price
    legal: ["UStG § 12"]
    source: "https://www.gesetze-im-internet.de/ustg_1980/__12.html"
    as_of: "2026-11-27"
    confidence: sourced
  - id: de-levy
    kind: levy
    jurisdiction: DE
    destination: [DE]
    rate: "1%"
    base: net_price
    legal: ["an assumed levy"]
    source: "a reading of the levy act"
    as_of: "2026-11-27"
    confidence: estimate
    note: "the rate is read from a draft"
`))
	if err != nil {
		t.Fatal(err)
	}
	o := cnH100()
	o.Provenance = tariff.Provenance{Source: "demo market", AsOf: "2026-11-27", Confidence: "illustrative", Note: "invented offer"}
	q, err := Price(Inputs{Offer: o, Request: services(10, 1000, "DE", tariff.BuyerConsumer, "EUR"), Policy: p, FX: testFX(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"base": "illustrative", "de-vat": "sourced", "de-levy": "estimate"}
	for _, l := range q.Lines {
		key := l.Kind
		if l.MeasureID != "" {
			key = l.MeasureID
		}
		if l.Confidence != want[key] || l.Source == "" || l.AsOf != "2026-11-27" {
			t.Errorf("line %s: provenance %+v", key, l.Provenance)
		}
	}
	rel := q.Reliance()
	if rel.Confidence != "illustrative" || len(rel.Reasons) != 2 || rel.Reasons[0].Subject != "offer off-cn-h100" ||
		rel.Reasons[1].Subject != "measure de-levy" || rel.Reasons[1].Note != "the rate is read from a draft" {
		t.Errorf("reliance %+v", rel)
	}
}
