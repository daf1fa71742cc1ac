package tariff

import (
	"strings"
	"testing"
)

// Worked cases of the language additions: supplier establishment, contract tax terms and the
// income tax withheld on the payment net of VAT, rate: unknown, purposes, lists, buyer
// headquarters, fab country and export class, provenance.

const (
	mNLVATRC  = `  - {id: nl-rc, kind: vat, jurisdiction: NL, origin: ["*"], destination: [NL], supplier_except: [NL], products: [gpu_hours], buyer: [business], rate: "21%", base: net_price, liability: buyer, legal: [art. 196]}` + "\n"
	mNLVATDom = `  - {id: nl-dom, kind: vat, jurisdiction: NL, origin: ["*"], destination: [NL], supplier: [NL], products: [gpu_hours], buyer: [business], rate: "21%", base: net_price, legal: [art. 193]}` + "\n"
	mDEVATRC  = `  - {id: de-rc, kind: vat, jurisdiction: DE, origin: ["*"], destination: [DE], supplier_except: [DE], products: [gpu_hours], buyer: [business], rate: "19%", base: net_price, liability: buyer, legal: [art. 196]}` + "\n"
	mDEVATDom = `  - {id: de-dom, kind: vat, jurisdiction: DE, origin: ["*"], destination: [DE], supplier: [DE], products: [gpu_hours], buyer: [business], rate: "19%", base: net_price, legal: [art. 193]}` + "\n"
	mCNWHTVAT = `  - {id: cn-wht-vat, kind: withholding, jurisdiction: CN, destination: [CN], supplier_except: [CN], products: [gpu_hours, bare_metal], buyer: [business], rate: "6%", base: gross_payment, label: "CN withholding VAT {rate}", source: "https://example.org/vat", as_of: 2026-11-27, confidence: sourced, legal: [VAT Law art. 15]}` + "\n"
	mCNWHTCIT = `  - {id: cn-wht-cit, kind: withholding, jurisdiction: CN, destination: [CN], supplier_except: [CN], products: [bare_metal], buyer: [business], stacking_group: cit, rate: "10%", base: payment_net_of_vat, recoverable: false, label: "CN income tax withheld {rate}", confidence: estimate, note: "treaty rates not modelled", legal: [EIT Law art. 37]}` + "\n"
)

// A German supplier with servers in the Netherlands: a Dutch business self-accounts Dutch VAT
// (servers are no establishment); a German business is charged German VAT. 10,000.00 × 21% =
// 2,100.00 reverse-charged; × 19% = 1,900.00 charged. A fixed establishment declared in NL
// makes the Dutch sale domestic.
func TestSupplierEstablishmentDecidesVAT(t *testing.T) {
	p := testPolicy(t, mNLVATRC+mNLVATDom+mDEVATRC+mDEVATDom)
	s := service("NL", "NL", BuyerBusiness, "1000", "10000")
	s.SupplierCountry = "DE"
	a, _ := Assess(p, s, day(dateDefault))
	if got := chargesString(a.Charges); got != `nl-rc=2100 payable=false quota=""; ` {
		t.Errorf("DE supplier, NL servers, NL business: %s", got)
	}
	if !strings.Contains(reasonOf(a, "nl-dom"), "supplier established in [DE] not in [NL]") {
		t.Errorf("trail: %q", reasonOf(a, "nl-dom"))
	}
	s.Destination = "DE"
	a, _ = Assess(p, s, day(dateDefault))
	if got := chargesString(a.Charges); got != `de-dom=1900 payable=true quota=""; ` {
		t.Errorf("DE supplier, NL servers, DE business: %s", got)
	}
	s.Destination, s.SupplierEstablishments = "NL", []string{"NL"}
	a, _ = Assess(p, s, day(dateDefault))
	if got := chargesString(a.Charges); got != `nl-dom=2100 payable=true quota=""; ` {
		t.Errorf("DE supplier with a Dutch establishment: %s", got)
	}
	// Without a supplier country the hosting country stands in (the behaviour before).
	s = service("NL", "NL", BuyerBusiness, "1000", "10000")
	a, _ = Assess(p, s, day(dateDefault))
	if got := chargesString(a.Charges); got != `nl-dom=2100 payable=true quota=""; ` {
		t.Errorf("no supplier country: %s", got)
	}
}

// Chinese withholding under both contract terms, on a price P of 1,000,000.00:
//
//	GPU-hours (VAT 6% only)
//	  tax_inclusive: VAT = 1,000,000 ÷ 1.06 × 6% = 56,603.773…, carved out (Included)
//	  net_of_cn_tax: VAT = 1,000,000 × 6% = 60,000, on top; gross payment 1,060,000
//	bare-metal rent (VAT 6% here and income tax 10% on the payment net of VAT)
//	  tax_inclusive: net of VAT 1,000,000 ÷ 1.06 = 943,396.226…; VAT 56,603.773…; CIT 94,339.622…
//	  net_of_cn_tax: I = 1,000,000 ÷ (1 − 10%) = 1,111,111.111…; VAT = I × 6% = 66,666.666…;
//	                 CIT = I × 10% = 111,111.111…; the supplier keeps I − CIT = 1,000,000
func TestTaxTermsGrossUpAndCarveOut(t *testing.T) {
	p := testPolicy(t, mCNWHTVAT+mCNWHTCIT)
	type line struct{ id, amount, base string }
	cases := []struct {
		product Product
		terms   TaxTerms
		want    []line
		onTop   string
	}{
		{ProductGPUHours, TaxTermsInclusive, []line{{"cn-wht-vat", "56603.773584905660377358490566037738", "1000000"}}, "0"},
		{ProductGPUHours, "", []line{{"cn-wht-vat", "56603.773584905660377358490566037738", "1000000"}}, "0"},
		{ProductGPUHours, TaxTermsNetOfCNTax, []line{{"cn-wht-vat", "60000", "1060000"}}, "60000"},
		{ProductBareMetal, TaxTermsInclusive, []line{{"cn-wht-vat", "56603.773584905660377358490566037738", "1000000"},
			{"cn-wht-cit", "94339.62264150943396226415094339623", "943396.2264150943396226415094339623"}}, "0"},
		{ProductBareMetal, TaxTermsNetOfCNTax, []line{{"cn-wht-vat", "66666.666666666666666666666666666666", "1177777.777777777777777777777777777766"},
			{"cn-wht-cit", "111111.11111111111111111111111111111", "1111111.1111111111111111111111111111"}}, "177777.777777777777777777777777777776"},
	}
	for _, tc := range cases {
		s := service("DE", "CN", BuyerBusiness, "1000", "1000000")
		s.Product, s.TaxTerms, s.Currency = tc.product, tc.terms, "CNY"
		a, err := Assess(p, s, day(dateDefault))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Charges) != len(tc.want) {
			t.Fatalf("%s %s: %s", tc.product, tc.terms, chargesString(a.Charges))
		}
		terms := tc.terms
		if terms == "" {
			terms = TaxTermsInclusive
		}
		for i, w := range tc.want {
			c := a.Charges[i]
			if c.MeasureID != w.id || !c.Amount.Equal(d(w.amount)) || !c.BaseAmount.Equal(d(w.base)) ||
				c.TaxTerms != terms || c.Included != (terms == TaxTermsInclusive) || !c.Payable {
				t.Errorf("%s %s line %d: %s %s on %s terms %s included %v, want %s on %s", tc.product, tc.terms, i,
					c.MeasureID, c.Amount, c.BaseAmount, c.TaxTerms, c.Included, w.amount, w.base)
			}
		}
		if !a.OnTop().Equal(d(tc.onTop)) {
			t.Errorf("%s %s: on top %s, want %s", tc.product, tc.terms, a.OnTop(), tc.onTop)
		}
	}
	// The supplier's side of net terms: what it keeps is the price it asked.
	s := service("DE", "CN", BuyerBusiness, "1000", "1000000")
	s.Product, s.TaxTerms = ProductBareMetal, TaxTermsNetOfCNTax
	a, _ := Assess(p, s, day(dateDefault))
	if kept := a.Charges[1].BaseAmount.Sub(a.Charges[1].Amount).Round(10); !kept.Equal(d("1000000")) {
		t.Errorf("the supplier keeps %s, want 1,000,000", kept)
	}
	// Provenance travels with the lines.
	if c := a.Charges[0]; c.Source != "https://example.org/vat" || c.AsOf != "2026-11-27" || c.Confidence != "sourced" {
		t.Errorf("provenance %+v", c.Provenance)
	}
	if a.WeakestConfidence() != "estimate" || a.Charges[1].Note != "treaty rates not modelled" {
		t.Errorf("weakest %s, note %q", a.WeakestConfidence(), a.Charges[1].Note)
	}
	s.TaxTerms = "gross"
	if _, err := Assess(p, s, day(dateDefault)); err == nil || !strings.Contains(err.Error(), `unknown tax terms "gross"`) {
		t.Errorf("bad terms: %v", err)
	}
}

// A surtax on taxes (base tax_amount; China's city and education surtaxes of 7% + 3% + 2% on
// VAT withheld before 2021-09-01) is levied on the VAT, never on the income tax withheld, and
// follows the contract terms of the VAT it is levied on. Bare-metal rent, P = 1,000,000.00:
//
//	net_of_cn_tax: VAT = 1,000,000 ÷ 0.9 × 6% = 66,666.666…; CIT 111,111.111…;
//	               surtax = 66,666.666… × 12% = 8,000 (not (66,666.67 + 111,111.11) × 12%
//	               = 21,333.33); on top 66,666.67 + 111,111.11 + 8,000 = 185,777.78
//	tax_inclusive: VAT = 1,000,000 ÷ 1.06 × 6% = 56,603.773…; CIT 94,339.622…;
//	               surtax = 56,603.773… × 12% = 6,792.452…, carved out with them: on top 0,
//	               total 56,603.77 + 94,339.62 + 6,792.45 = 157,735.85
func TestSurtaxOnVATNotIncomeTax(t *testing.T) {
	p := testPolicy(t, mCNWHTVAT+mCNWHTCIT+`  - {id: cn-surtax, kind: surtax, jurisdiction: CN, destination: [CN], rate: "12%", base: tax_amount, legal: [城市维护建设税暂行条例]}`+"\n")
	s := service("DE", "CN", BuyerBusiness, "1000", "1000000")
	s.Product, s.Currency = ProductBareMetal, "CNY"
	for _, tc := range []struct {
		terms               TaxTerms
		surtax, base, onTop string
		included            bool
		total               string
	}{
		{TaxTermsNetOfCNTax, "8000", "66666.67", "185777.78", false, "185777.78"},
		{TaxTermsInclusive, "6792.45", "56603.77", "0", true, "157735.85"},
	} {
		s.TaxTerms = tc.terms
		a, err := Assess(p, s, day(dateDefault))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Charges) != 3 {
			t.Fatalf("%s: %s", tc.terms, chargesString(a.Charges))
		}
		c := a.Charges[2]
		if c.MeasureID != "cn-surtax" || c.Amount.Round(2).String() != tc.surtax || c.BaseAmount.Round(2).String() != tc.base ||
			c.Included != tc.included || c.Recoverable || !c.Payable {
			t.Errorf("%s: surtax %s on %s included %v recoverable %v, want %s on %s included %v",
				tc.terms, c.Amount, c.BaseAmount, c.Included, c.Recoverable, tc.surtax, tc.base, tc.included)
		}
		if tc.included && c.TaxTerms != TaxTermsInclusive || !tc.included && c.TaxTerms != "" {
			t.Errorf("%s: surtax terms %q", tc.terms, c.TaxTerms)
		}
		if a.OnTop().Round(2).String() != tc.onTop || a.Total().Round(2).String() != tc.total {
			t.Errorf("%s: on top %s total %s, want %s and %s", tc.terms, a.OnTop(), a.Total(), tc.onTop, tc.total)
		}
	}
	// A surtax on a domestic VAT charged by the supplier is never "included": 6% of 1,000,000 =
	// 60,000, surtax 7,200 on top.
	dom := testPolicy(t, `  - {id: cn-vat, kind: vat, jurisdiction: CN, destination: [CN], products: [gpu_hours], rate: "6%", base: net_price, legal: [36号]}`+"\n"+
		`  - {id: cn-surtax, kind: surtax, jurisdiction: CN, destination: [CN], rate: "12%", base: tax_amount, legal: [x]}`+"\n")
	g := service("CN", "CN", BuyerBusiness, "1000", "1000000")
	g.TaxTerms = TaxTermsInclusive
	a, _ := Assess(dom, g, day(dateDefault))
	if got := chargesString(a.Charges); got != `cn-vat=60000 payable=true quota=""; cn-surtax=7200 payable=true quota=""; ` || a.Charges[1].Included || !a.OnTop().Equal(d("67200")) {
		t.Errorf("domestic: %s on top %s", got, a.OnTop())
	}
}

// A VAT whose rate is not known for the date gives a warning and no charge, never a zero.
func TestRateUnknownWarns(t *testing.T) {
	p := testPolicy(t, `  - {id: fr-vat, kind: vat, jurisdiction: FR, products: [gpu_hours], rate: "20%", base: net_price, valid_from: 2020-01-01, legal: [CGI art. 278]}
  - {id: fr-vat-unknown, kind: vat, jurisdiction: FR, rate: unknown, priority: 99, legal: [CGI art. 278], source: "https://example.org/fr", confidence: sourced}
`)
	s := service("CN", "FR", BuyerConsumer, "100", "1000")
	a, _ := Assess(p, s, day("2019-12-31"))
	if len(a.Charges) != 0 || len(a.Flags) != 1 {
		t.Fatalf("2019: charges %s flags %+v", chargesString(a.Charges), a.Flags)
	}
	f := a.Flags[0]
	if f.Code != "rate.unknown" || f.Severity != SeverityWarning || f.MeasureID != "fr-vat-unknown" || f.Source != "https://example.org/fr" ||
		f.Message != "FR VAT applies to this supply, but no rate is known for 2019-12-31: it is left out of the amounts; check the rate in force." {
		t.Errorf("flag %+v", f)
	}
	if r := reasonOf(a, "fr-vat-unknown"); r != "applied: no rate known on 2019-12-31: flag rate.unknown (warning)" {
		t.Errorf("trail %q", r)
	}
	a, _ = Assess(p, s, day("2020-01-01"))
	if got := chargesString(a.Charges); got != `fr-vat=200 payable=true quota=""; ` || len(a.Flags) != 0 {
		t.Errorf("2020: %s %+v", got, a.Flags)
	}
	if !strings.Contains(reasonOf(a, "fr-vat-unknown"), "superseded by fr-vat (priority 0 over 99)") {
		t.Errorf("2020 trail %q", reasonOf(a, "fr-vat-unknown"))
	}
	for _, doc := range []string{
		`  - {id: x, kind: vat, jurisdiction: FR, rate: unknown, quota: {period: calendar_year, volume: "1", unit: unit, in_quota_rate: "0%"}, legal: [x]}`,
		`  - {id: x, kind: gate, jurisdiction: FR, rate: unknown, action: warn, legal: [x]}`,
		`  - {id: x, kind: vat, jurisdiction: FR, rate: "19%", base: net_price, message: m, legal: [x]}`,
	} {
		if probs := Validate("x.yaml", []byte(testHeader+doc+"\n")); len(probs) != 1 {
			t.Errorf("%s: %v", doc, probs)
		}
	}
}

// Purposes, lists, buyer headquarters, fab country and export class.
func TestBuyerAndAcceleratorConditions(t *testing.T) {
	p := testPolicy(t, `  - {id: train, kind: subsidy, jurisdiction: CN, origin: [CN], destination: [CN], purposes: [training], share_max: "50%", legal: [x]}
  - {id: listed, kind: subsidy, jurisdiction: CN, origin: [CN], destination: [CN], listed: [cn-list-a], share_max: "10%", legal: [x]}
  - {id: hq, kind: gate, jurisdiction: US, destination: ["*"], buyer_headquarters: [CN, MO], export_class: [3a090a], action: license_required, legal: [x]}
  - {id: unknown-class, kind: gate, jurisdiction: US, destination: ["*"], export_class: [unknown], action: warn, legal: [x]}
  - {id: fab, kind: additional_duty, jurisdiction: CN, destination: [CN], fab_country: [US], rate: "10%", base: customs_value, legal: [x]}
`)
	s := service("CN", "CN", BuyerBusiness, "100", "1000")
	s.Currency = "CNY"
	a, _ := Assess(p, s, day(dateDefault))
	if got := chargesString(a.Charges); got != "" || !strings.Contains(reasonOf(a, "train"), "no purpose declared; the measure is for [training]") {
		t.Errorf("no purpose: %s / %q", got, reasonOf(a, "train"))
	}
	s.Purpose, s.Listings = PurposeTraining, []string{"cn-list-b", "cn-list-a"}
	a, _ = Assess(p, s, day(dateDefault))
	// 1,000 × 50% = 500 and × 10% = 100.
	if got := chargesString(a.Charges); got != `train=-500 payable=true quota=""; listed=-100 payable=true quota=""; ` {
		t.Errorf("training, listed: %s", got)
	}
	s.Purpose = PurposeInference
	a, _ = Assess(p, s, day(dateDefault))
	if !strings.Contains(reasonOf(a, "train"), "purpose inference not in [training]") {
		t.Errorf("inference: %q", reasonOf(a, "train"))
	}
	// A buyer headquartered in China, established in Germany, buying H100 capacity anywhere.
	s = service("US", "DE", BuyerBusiness, "100", "1000")
	s.Accelerator, s.BuyerHeadquarters = h100(), "CN"
	a, _ = Assess(p, s, day(dateDefault))
	if len(a.Flags) != 1 || a.Flags[0].MeasureID != "hq" {
		t.Errorf("CN headquarters: %+v", a.Flags)
	}
	s.BuyerHeadquarters = ""
	a, _ = Assess(p, s, day(dateDefault))
	if len(a.Flags) != 0 || !strings.Contains(reasonOf(a, "hq"), "buyer headquarters DE not in [CN MO]") {
		t.Errorf("no headquarters (= establishment DE): %+v %q", a.Flags, reasonOf(a, "hq"))
	}
	// TPP known, die area not: the class is unknown, not none.
	s.Accelerator = Accelerator{Model: "x", VendorCountry: "US", TPP: d("3000")}
	a, _ = Assess(p, s, day(dateDefault))
	if len(a.Flags) != 1 || a.Flags[0].MeasureID != "unknown-class" {
		t.Errorf("unknown class: %+v", a.Flags)
	}
	// China's duty on US-origin chips follows the fab: TSMC (TW) no, a US fab yes.
	hw := hardware("US", "CN", "8542.31", "10", "100000")
	hw.Accelerator = h100()
	hw.Accelerator.FabCountry = "TW"
	a, _ = Assess(p, hw, day(dateDefault))
	if got := chargesString(a.Charges); got != "" {
		t.Errorf("TW fab: %s", got)
	}
	hw.Accelerator.FabCountry = "US"
	a, _ = Assess(p, hw, day(dateDefault))
	if got := chargesString(a.Charges); got != `fab=10000 payable=true quota=""; ` {
		t.Errorf("US fab: %s", got)
	}
}

func TestClassifyAccelerator(t *testing.T) {
	for _, tc := range []struct {
		a    Accelerator
		want ExportClass
	}{
		{Accelerator{}, ""},
		{Accelerator{Model: "p800"}, ExportClassUnknown},
		{h100(), ExportClass3A090a},                                                      // .a.1: 15,830.4 ≥ 4,800
		{Accelerator{Model: "x", TPP: d("4800")}, ExportClass3A090a},                     // .a.1 at the threshold, density unknown
		{Accelerator{Model: "x", TPP: d("2000"), Density: d("5.92")}, ExportClass3A090a}, // .a.2
		{Accelerator{Model: "x", TPP: d("3000"), Density: d("2")}, ExportClass3A090b},    // .b.1
		{Accelerator{Model: "x", TPP: d("1600"), Density: d("3.2")}, ExportClass3A090b},  // .b.2
		{Accelerator{Model: "h20", TPP: d("2368"), Density: d("2.91")}, ExportClassNone},
		{Accelerator{Model: "x", TPP: d("2399"), Density: d("3.19")}, ExportClassNone},
		{Accelerator{Model: "x", TPP: d("1599"), Density: d("30")}, ExportClassNone},
		{Accelerator{Model: "x", TPP: d("3000")}, ExportClassUnknown}, // density decides, area unknown
	} {
		if got := ClassifyAccelerator(tc.a); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

func reasonOf(a Assessment, id string) string {
	for _, c := range a.Trail {
		if c.MeasureID == id {
			return c.Reason
		}
	}
	return ""
}
