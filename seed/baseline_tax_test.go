package seed

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// Worked cases of the shipped baseline, one group per point of "tax truth": supplier
// establishment, hardware that is not imported, withholding by contract terms, dates before
// 2024, vouchers, export controls, bare metal under China's 2026 rules, and provenance. The
// arithmetic is in the comments; amounts are unrounded (pricing rounds).

const today = "2026-11-28"

func assess(t *testing.T, s tariff.Supply, on string) tariff.Assessment {
	t.Helper()
	a, err := tariff.Assess(mustBaseline(t), s, date(on))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func flagCodes(a tariff.Assessment) string {
	var codes []string
	for _, f := range a.Flags {
		codes = append(codes, f.Code)
	}
	return strings.Join(codes, ",")
}

func charge(a tariff.Assessment, id string) (tariff.Charge, bool) {
	for _, c := range a.Charges {
		if c.MeasureID == id {
			return c, true
		}
	}
	return tariff.Charge{}, false
}

// Point 1: the supplier's establishment, not the servers' location, decides VAT.
func TestSupplierEstablishmentNotServers(t *testing.T) {
	// A German company renting out GPU-hours on servers in the Netherlands, EUR 20,000.00.
	s := gpuHours("NL", "NL", tariff.BuyerBusiness, "10000", "20000", "EUR")
	s.SupplierCountry = "DE"
	// Dutch business: servers are no establishment, so the buyer self-accounts Dutch VAT:
	// 20,000 × 21% = 4,200, shown, not payable.
	a := assess(t, s, today)
	if got := lines(a); got != "vat-nl-b2b=4200" || a.Charges[0].Payable || !a.Total().IsZero() {
		t.Errorf("DE supplier, NL servers, NL business: %s payable %v", got, a.Charges[0].Payable)
	}
	// German business: the German supplier charges German VAT: 20,000 × 19% = 3,800, payable and
	// deductible.
	s.Destination = "DE"
	a = assess(t, s, today)
	if got := lines(a); got != "vat-de-domestic-b2b=3800" || !a.Charges[0].Payable || !a.Charges[0].Recoverable {
		t.Errorf("DE supplier, NL servers, DE business: %s", got)
	}
	// A fixed establishment in the Netherlands that takes part makes the Dutch sale domestic:
	// 20,000 × 21% = 4,200 charged.
	s.Destination, s.SupplierEstablishments = "NL", []string{"NL"}
	if got := lines(assess(t, s, today)); got != "vat-nl-domestic-b2b=4200" {
		t.Errorf("with a Dutch establishment: %s", got)
	}

	// A Finnish supplier with servers in China, H100s, EUR 20,000.00.
	fi := gpuHours("CN", "FI", tariff.BuyerBusiness, "10000", "20000", "EUR")
	fi.SupplierCountry = "FI"
	fi.Accelerator = tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", FabCountry: "TW", TPP: dec("15831.2"), Density: dec("19.4486")}
	// Finnish business: charged Finnish VAT, 20,000 × 25.5% = 5,100; the hosting in China still
	// raises the export-control flag.
	a = assess(t, fi, today)
	if got := lines(a); got != "vat-fi-domestic-b2b=5100" || flagCodes(a) != "export_control.3A090a" {
		t.Errorf("FI supplier, CN servers, FI business: %s %s", got, flagCodes(a))
	}
	// Chinese business of the same supplier: not a Chinese domestic supply; the buyer withholds
	// 6% on CNY 160,000: net_of_cn_tax 160,000 × 6% = 9,600 on top; tax_inclusive
	// 160,000 ÷ 1.06 × 6% = 9,056.6037… inside the price. No Chinese VAT is charged.
	cn := fi
	cn.Destination, cn.Currency, cn.NetPrice = "CN", "CNY", dec("160000")
	cn.TaxTerms = tariff.TaxTermsNetOfCNTax
	a = assess(t, cn, today)
	if got := lines(a); got != "cn-wht-vat-services-2026=9600 cn-surtax-on-withheld-vat=0" {
		t.Errorf("FI supplier, CN business, net terms: %s", got)
	}
	if c := a.Charges[0]; c.Included || c.TaxTerms != tariff.TaxTermsNetOfCNTax || !c.BaseAmount.Equal(dec("169600")) || !a.OnTop().Equal(dec("9600")) {
		t.Errorf("net terms line %+v on top %s", c, a.OnTop())
	}
	cn.TaxTerms = tariff.TaxTermsInclusive
	a = assess(t, cn, today)
	if c := a.Charges[0]; c.Amount.Round(4).String() != "9056.6038" || !c.Included || !a.OnTop().IsZero() {
		t.Errorf("inclusive terms: %+v", c)
	}
	// The old behaviour survives when no supplier country is given: hosting stands in.
	old := gpuHours("NL", "NL", tariff.BuyerBusiness, "10000", "20000", "EUR")
	if got := lines(assess(t, old, today)); got != "vat-nl-domestic-b2b=4200" {
		t.Errorf("no supplier country: %s", got)
	}
}

// Point 2: customs lines appear only when goods cross a customs border.
func TestHardwareNotImported(t *testing.T) {
	// Chinese supplier, servers in China, Chinese business, CNY 2,000,000: no customs, domestic
	// VAT 13% = 260,000 charged by the supplier, deductible.
	s := server("CN", "CN")
	s.NetPrice, s.Currency = dec("2000000"), "CNY"
	a := assess(t, s, today)
	if got := lines(a); got != "cn-vat-domestic-goods=260000" || !a.Charges[0].Recoverable {
		t.Errorf("CN→CN business: %s", got)
	}
	// German seller, German consumer, EUR 250,000: German VAT 19% = 47,500, no customs.
	de := server("DE", "DE")
	de.BuyerType = tariff.BuyerConsumer
	if got := lines(assess(t, de, today)); got != "vat-de-goods=47500" {
		t.Errorf("DE→DE consumer: %s", got)
	}
	// Dutch seller, German business: an exempt intra-Community supply and an acquisition the
	// buyer self-accounts: 250,000 × 19% = 47,500 shown, not payable; nothing on top.
	ic := server("NL", "DE")
	a = assess(t, ic, today)
	if got := lines(a); got != "vat-de-goods-acquisition=47500" || a.Charges[0].Payable || !a.OnTop().IsZero() {
		t.Errorf("NL→DE business: %s", got)
	}
	// Dutch seller, German consumer (distance sale): German VAT charged, 47,500.
	ic.BuyerType = tariff.BuyerConsumer
	if got := lines(assess(t, ic, today)); got != "vat-de-goods=47500" {
		t.Errorf("NL→DE consumer: %s", got)
	}
	// Export from Germany to China with H100 boards: zero-rated in the EU, the US re-export
	// licence and the EU authorisation gates; Chinese duty 0% and import VAT 13% of
	// 250,000 + 0 = 32,500.
	ex := server("DE", "CN")
	ex.HSCode = "8473.30"
	ex.Accelerator = tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", FabCountry: "TW", TPP: dec("15831.2"), Density: dec("19.4486")}
	a = assess(t, ex, today)
	if got := lines(a); got != "cn-duty-ita=0 cn-vat-import-2026=32500 eu-vat-export-goods=0 cn-surtax-on-import-vat=0" {
		t.Errorf("DE→CN: %s", got)
	}
	if flagCodes(a) != "export_control.3A090a_reexport,export_control.eu_2021_821" {
		t.Errorf("DE→CN flags: %s", flagCodes(a))
	}
	// Within the EU: no customs line, however the goods are classified.
	for _, hs := range []string{"8471.50", "8473.30", "8542.31"} {
		x := server("FR", "DE")
		x.HSCode = hs
		for _, c := range assess(t, x, today).Charges {
			if c.Kind == tariff.KindCustomsDuty {
				t.Errorf("FR→DE %s: customs line %s", hs, c.MeasureID)
			}
		}
	}
}

// Point 3: Chinese withholding follows the contract's tax terms; rent paid abroad also bears
// 10% enterprise income tax on the amount net of VAT.
func TestWithholdingByContractTerms(t *testing.T) {
	// A German supplier leases bare-metal servers hosted in Germany to a Chinese business for
	// CNY 1,000,000 on 2026-11-28 (consumed in China under the 2026 rules: VAT 13% withheld).
	s := gpuHours("DE", "CN", tariff.BuyerBusiness, "1000", "1000000", "CNY")
	s.Product, s.SupplierCountry = tariff.ProductBareMetal, "DE"
	// net_of_cn_tax: the supplier keeps 1,000,000; income I = 1,000,000 ÷ (1 − 10%) =
	// 1,111,111.11…; VAT = I × 13% = 144,444.44…; CIT = I × 10% = 111,111.11…; on top 255,555.55….
	s.TaxTerms = tariff.TaxTermsNetOfCNTax
	a := assess(t, s, today)
	vat, _ := charge(a, "cn-wht-vat-bare-metal-2026")
	cit, _ := charge(a, "cn-wht-eit-rent")
	if vat.Amount.Round(2).String() != "144444.44" || cit.Amount.Round(2).String() != "111111.11" || a.OnTop().Round(2).String() != "255555.56" ||
		vat.Included || cit.Included || cit.Recoverable {
		t.Errorf("net terms: vat %s cit %s on top %s (%s)", vat.Amount, cit.Amount, a.OnTop(), lines(a))
	}
	if flagCodes(a) != "withholding.treaty" {
		t.Errorf("net terms flags: %s", flagCodes(a))
	}
	// tax_inclusive: both carved out of the price: VAT = 1,000,000 ÷ 1.13 × 13% = 115,044.25;
	// CIT = 1,000,000 ÷ 1.13 × 10% = 88,495.58; nothing on top.
	s.TaxTerms = tariff.TaxTermsInclusive
	a = assess(t, s, today)
	vat, _ = charge(a, "cn-wht-vat-bare-metal-2026")
	cit, _ = charge(a, "cn-wht-eit-rent")
	if vat.Amount.Round(2).String() != "115044.25" || cit.Amount.Round(2).String() != "88495.58" || !vat.Included || !cit.Included || !a.OnTop().IsZero() {
		t.Errorf("inclusive terms: vat %s cit %s", vat.Amount, cit.Amount)
	}
	// GPU-hours performed abroad are not China-sourced: VAT only, no income tax, no treaty flag.
	g := gpuHours("DE", "CN", tariff.BuyerBusiness, "1000", "1000000", "CNY")
	g.TaxTerms = tariff.TaxTermsNetOfCNTax
	a = assess(t, g, today)
	if got := lines(a); got != "cn-wht-vat-services-2026=60000 cn-surtax-on-withheld-vat=0" || flagCodes(a) != "" {
		t.Errorf("GPU-hours abroad: %s %s", got, flagCodes(a))
	}
	// 2025 rules: a lease of servers used entirely abroad was not a domestic supply (no VAT),
	// but the rent is still China-sourced: CIT 1,000,000 ÷ 0.9 × 10% = 111,111.11 under net terms.
	s.TaxTerms = tariff.TaxTermsNetOfCNTax
	a = assess(t, s, "2025-06-30")
	if got := lines(a); !strings.HasPrefix(got, "cn-wht-eit-rent=111111.11") {
		t.Errorf("2025, servers abroad: %s", got)
	}
	// 2025, servers in China: withheld at 13% (lease of movable property used in China).
	s.Origin = "CN"
	a = assess(t, s, "2025-06-30")
	if _, ok := charge(a, "cn-wht-vat-bare-metal-2019"); !ok {
		t.Errorf("2025, servers in China: %s", lines(a))
	}
}

// Before the City Maintenance and Construction Tax Law (2021-09-01) the city tax (7% in a city
// district) and the education surcharges (3% + 2%) were withheld with the VAT on payments to
// overseas sellers: 12% of the VAT, never of the income tax.
func TestSurtaxOnWithheldVATBefore2021(t *testing.T) {
	// GPU-hours from a German supplier, CNY 1,000,000 net of Chinese tax: VAT 60,000; surtaxes
	// 60,000 × 12% = 7,200 on 2021-08-31, none from 2021-09-01.
	g := gpuHours("DE", "CN", tariff.BuyerBusiness, "1000", "1000000", "CNY")
	g.TaxTerms = tariff.TaxTermsNetOfCNTax
	for on, want := range map[string]string{
		"2020-01-01": "cn-wht-vat-services-2016=60000 cn-surtax-on-withheld-vat-2016-05=7200",
		"2021-08-31": "cn-wht-vat-services-2016=60000 cn-surtax-on-withheld-vat-2016-05=7200",
		"2021-09-01": "cn-wht-vat-services-2016=60000 cn-surtax-on-withheld-vat=0",
	} {
		a := assess(t, g, on)
		if got := lines(a); got != want {
			t.Errorf("GPU-hours on %s: %s, want %s", on, got, want)
		}
		if c := a.Charges[1]; c.Included || c.Recoverable || c.Confidence != "estimate" && on != "2021-09-01" {
			t.Errorf("surtax line on %s: %+v", on, c)
		}
	}
	// Bare metal hosted in China, 2021-06-30, net terms: I = 1,000,000 ÷ 0.9 = 1,111,111.11;
	// VAT 13% = 144,444.44; CIT 10% = 111,111.11; surtaxes 12% of the VAT only = 17,333.33; on
	// top 144,444.44 + 111,111.11 + 17,333.33 = 272,888.89.
	bm := gpuHours("CN", "CN", tariff.BuyerBusiness, "1000", "1000000", "CNY")
	bm.Product, bm.SupplierCountry, bm.TaxTerms = tariff.ProductBareMetal, "DE", tariff.TaxTermsNetOfCNTax
	a := assess(t, bm, "2021-06-30")
	sur, ok := charge(a, "cn-surtax-on-withheld-vat-2016-05")
	if !ok || sur.Amount.Round(2).String() != "17333.33" || a.OnTop().Round(2).String() != "272888.89" {
		t.Errorf("bare metal 2021-06-30: %s on top %s", lines(a), a.OnTop())
	}
	// The same under tax_inclusive terms: VAT 1,000,000 ÷ 1.13 × 13% = 115,044.25; surtaxes
	// 115,044.25 × 12% = 13,805.31, carved out of the price with the VAT: nothing on top.
	bm.TaxTerms = tariff.TaxTermsInclusive
	a = assess(t, bm, "2021-06-30")
	if sur, _ = charge(a, "cn-surtax-on-withheld-vat-2016-05"); sur.Amount.Round(2).String() != "13805.31" || !sur.Included || !a.OnTop().IsZero() {
		t.Errorf("bare metal inclusive 2021-06-30: %s on top %s", lines(a), a.OnTop())
	}
}

// Point 4: dates from 2020 find the rate in force; a date with none warns.
func TestDatesBefore2024(t *testing.T) {
	// German consumer, EUR 1,000: 16% in the second half of 2020, 19% before and after.
	for on, want := range map[string]string{"2020-06-30": "vat-de-b2c-2020-01=190", "2020-08-15": "vat-de-b2c-2020-07=160", "2021-01-01": "vat-de-b2c=190"} {
		if got := lines(assess(t, gpuHours("CN", "DE", tariff.BuyerConsumer, "1", "1000", "EUR"), on)); got != want {
			t.Errorf("DE %s: %s, want %s", on, got, want)
		}
	}
	// Irish consumer: 21% from 2020-09-01 to 2021-02-28 (210 on 1,000).
	if got := lines(assess(t, gpuHours("CN", "IE", tariff.BuyerConsumer, "1", "1000", "EUR"), "2020-10-01")); got != "vat-ie-b2c-2020-09=210" {
		t.Errorf("IE 2020-10-01: %s", got)
	}
	// Estonian consumer before 2024: 20% (200).
	if got := lines(assess(t, gpuHours("CN", "EE", tariff.BuyerConsumer, "1", "1000", "EUR"), "2023-06-30")); got != "vat-ee-b2c-2020-01=200" {
		t.Errorf("EE 2023: %s", got)
	}
	// 2019-12-31: no rate held: no VAT line (never a zero) and a warning.
	a := assess(t, gpuHours("CN", "FR", tariff.BuyerConsumer, "1", "1000", "EUR"), "2019-12-31")
	if len(a.Charges) != 0 || flagCodes(a) != "rate.unknown" || a.Flags[0].Severity != tariff.SeverityWarning ||
		!strings.Contains(a.Flags[0].Message, "holds FR's rates from 2020-01-01 only") {
		t.Errorf("FR 2019: %s %+v", lines(a), a.Flags)
	}
	// China before its services rates: a warning too.
	a = assess(t, gpuHours("CN", "CN", tariff.BuyerBusiness, "1", "1000", "CNY"), "2016-04-30")
	if flagCodes(a) != "rate.unknown" {
		t.Errorf("CN 2016: %s %s", lines(a), flagCodes(a))
	}
}

// Point 5: vouchers carry their real start dates and eligibility (TestVouchers has the others);
// Chengdu's 2025 scheme: 60% of CNY 10,000,000 = 6,000,000, capped at CNY 5,000,000.
func TestChengduVoucher(t *testing.T) {
	s := gpuHours("CN", "CN", tariff.BuyerBusiness, "100000", "10000000", "CNY")
	s.BuyerRegion = "cn-chengdu-gaoxin"
	a := assess(t, s, today)
	if c, ok := charge(a, "cn-voucher-chengdu"); !ok || !c.Amount.Equal(dec("-5000000")) || c.Confidence != "estimate" {
		t.Errorf("Chengdu: %s", lines(a))
	}
	if _, ok := charge(assess(t, s, "2025-08-27"), "cn-voucher-chengdu"); ok {
		t.Error("Chengdu voucher before its 2025 scheme")
	}
}

// Point 6: export-control gates on hardware and on who the buyer is; China's tariffs on
// US-origin goods with chips' origin from the wafer fab.
func TestExportControlGates(t *testing.T) {
	h100 := tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", FabCountry: "TW", TPP: dec("15831.2"), Density: dec("19.4486")}
	h20 := tariff.Accelerator{Model: "h20", VendorCountry: "US", FabCountry: "TW", TPP: dec("2368"), Density: dec("2.9091")}
	board := func(origin, dest string, acc tariff.Accelerator) tariff.Supply {
		s := server(origin, dest)
		s.HSCode, s.Accelerator = "8473.30", acc
		return s
	}
	type gateCase struct {
		name string
		s    tariff.Supply
		on   string
		want string
	}
	// A buyer headquartered in China, established in Germany; then receiving in China.
	hq := board("FR", "DE", h100)
	hq.BuyerHeadquarters = "CN"
	hqhk := hq
	hqhk.BuyerHeadquarters = "HK"
	hqcn := board("DE", "CN", h100)
	hqcn.BuyerHeadquarters = "CN"
	// 3A090.b (TPP 3,000, density 2) and an undecidable chip (TPP 3,000, die area unknown), in China.
	bclass := gpuHours("CN", "DE", tariff.BuyerBusiness, "1", "1", "EUR")
	bclass.Accelerator = tariff.Accelerator{Model: "x", VendorCountry: "US", TPP: dec("3000"), Density: dec("2")}
	unknown := bclass
	unknown.Accelerator.Density = decimal.Zero
	ascend := gpuHours("CN", "DE", tariff.BuyerBusiness, "1", "1", "EUR")
	ascend.Accelerator = tariff.Accelerator{Model: "ascend-910b", VendorCountry: "CN", FabCountry: "CN", TPP: dec("5120"), Density: dec("7.6922")}
	cases := []gateCase{
		{"H100 boards Germany → China", board("DE", "CN", h100), today, "export_control.3A090a_reexport,export_control.eu_2021_821"},
		{"H100 boards Singapore → Macau", board("SG", "MO", h100), today, "export_control.3A090a_reexport"},
		{"H20 boards Germany → China, before 2025-04-09", board("DE", "CN", h20), "2025-04-08", ""},
		{"H20 boards Germany → China, from 2025-04-09", board("DE", "CN", h20), "2025-04-09", "export_control.h20_class"},
		{"H100 boards Germany → China before the 2022 rule", board("DE", "CN", h100), "2022-10-20", ""},
		{"H100 boards for a China-headquartered buyer in Germany", hq, today, "export_control.3A090_headquarters"},
		{"… for a Hong Kong-headquartered buyer (Hong Kong is China under the EAR)", hqhk, today, "export_control.3A090_headquarters"},
		// One US licence flag (the destination rule), not two.
		{"… receiving in China", hqcn, today, "export_control.3A090a_reexport,export_control.eu_2021_821"},
		{"3A090.b accelerator hosted in China", bclass, today, "export_control.3A090b"},
		{"undecidable accelerator hosted in China", unknown, today, "export_control.3A090_unknown"},
		{"Ascend for a German buyer before 2025-05-13", ascend, "2025-05-12", ""},
		{"Ascend for a German buyer from 2025-05-13", ascend, "2025-05-13", "export_control.gp10"},
	}
	for _, tc := range cases {
		if got := flagCodes(assess(t, tc.s, tc.on)); got != tc.want {
			t.Errorf("%s on %s: flags %q, want %q", tc.name, tc.on, got, tc.want)
		}
	}

	// China's additional tariffs on US-origin chips: origin is the wafer fab. H100 chips shipped
	// from the US (CIF 100,000) on 2025-04-20, when 125% applied: TSMC-made (TW) — none;
	// US-made — 125,000, then import VAT 13% of 100,000 + 125,000 = 29,250.
	chips := server("US", "CN")
	chips.HSCode, chips.NetPrice, chips.Accelerator = "8542.31", dec("100000"), h100
	if got := lines(assess(t, chips, "2025-04-20")); got != "cn-duty-ita=0 cn-vat-import-2019=13000 eu-vat-export-goods=0 cn-surtax-on-import-vat=0" &&
		got != "cn-duty-ita=0 cn-vat-import-2019=13000 cn-surtax-on-import-vat=0" {
		t.Errorf("TW-fab chips: %s", got)
	}
	chips.Accelerator.FabCountry = "US"
	if got := lines(assess(t, chips, "2025-04-20")); got != "cn-duty-ita=0 cn-retaliation-us-ics-2025-04-12=125000 cn-vat-import-2019=29250 cn-surtax-on-import-vat=0" {
		t.Errorf("US-fab chips, 125%%: %s", got)
	}
	// From 2025-05-14 the 24% is suspended and 10% kept: 10,000; VAT 13% of 110,000 = 14,300.
	if got := lines(assess(t, chips, "2025-06-01")); got != "cn-duty-ita=0 cn-retaliation-us-ics-2025-05-14=10000 cn-vat-import-2019=14300 cn-surtax-on-import-vat=0" {
		t.Errorf("US-fab chips, 10%%: %s", got)
	}
	// After the suspension's end on 2026-11-10 the rate is not known: a warning, not a zero.
	a := assess(t, chips, today)
	if _, ok := charge(a, "cn-retaliation-us-ics-2026-11-11"); ok || !strings.Contains(flagCodes(a), "rate.unknown") {
		t.Errorf("US-fab chips after 2026-11-10: %s %s", lines(a), flagCodes(a))
	}
	// The same US-fabbed chips already in mainland China, sold by a Chinese supplier to a Chinese
	// business on 2025-04-20: not imported, so no tariff (it is a duty on imports) and no customs
	// line; domestic VAT 13% of 100,000 = 13,000.
	home := chips
	home.Origin = "CN"
	if got := lines(assess(t, home, "2025-04-20")); got != "cn-vat-domestic-goods=13000" {
		t.Errorf("US-fab chips sold within China: %s", got)
	}
	// Servers made in (shipped from) the US: 10% of 250,000 = 25,000 on 2025-06-01.
	srv := server("US", "CN")
	if got := lines(assess(t, srv, "2025-06-01")); !strings.Contains(got, "cn-retaliation-us-goods-2025-05-14=25000") {
		t.Errorf("US servers: %s", got)
	}
}

// Point 7: under China's 2026 rules a domestic bare-metal lease is a lease of tangible property
// (13%), not a 6% service: CNY 1,000,000 × 13% = 130,000; GPU-hours stay at 6% (60,000).
func TestChineseBareMetalIsALease(t *testing.T) {
	bm := gpuHours("CN", "CN", tariff.BuyerBusiness, "1000", "1000000", "CNY")
	bm.Product = tariff.ProductBareMetal
	if got := lines(assess(t, bm, today)); got != "cn-vat-domestic-bare-metal=130000" {
		t.Errorf("domestic bare metal: %s", got)
	}
	if got := lines(assess(t, gpuHours("CN", "CN", tariff.BuyerBusiness, "1000", "1000000", "CNY"), today)); got != "cn-vat-domestic-services=60000" {
		t.Errorf("domestic GPU-hours: %s", got)
	}
}

// Point 9: every charge and flag says how sure it is and where it comes from.
func TestEveryLineCarriesProvenance(t *testing.T) {
	p := mustBaseline(t)
	places := []string{"CN", "DE", "NL", "FI", "IE", "US", "FR"}
	products := []tariff.Product{tariff.ProductGPUHours, tariff.ProductBareMetal, tariff.ProductHardware}
	n := 0
	for _, o := range places {
		for _, d := range places {
			for _, pr := range products {
				for _, b := range []tariff.BuyerType{tariff.BuyerBusiness, tariff.BuyerConsumer} {
					s := gpuHours(o, d, b, "100", "1000", "EUR")
					s.Product, s.PersonalData = pr, true
					s.Accelerator = tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", FabCountry: "US", TPP: dec("15831.2"), Density: dec("19.4486")}
					if pr == tariff.ProductHardware {
						s.HSCode = "8542.31"
					}
					for _, on := range []string{"2019-06-01", "2020-08-01", "2025-04-20", today} {
						a, err := tariff.Assess(p, s, date(on))
						if err != nil {
							t.Fatal(err)
						}
						for _, c := range a.Charges {
							n++
							if c.Confidence == "" || c.AsOf == "" || c.Source == "" && c.Note == "" {
								t.Errorf("%s: charge without provenance %+v", c.MeasureID, c.Provenance)
							}
						}
						for _, f := range a.Flags {
							if f.Confidence == "" || f.AsOf == "" || f.Source == "" && f.Note == "" {
								t.Errorf("%s: flag without provenance %+v", f.MeasureID, f.Provenance)
							}
						}
					}
				}
			}
		}
	}
	if n < 500 {
		t.Errorf("only %d charges checked", n)
	}
}

// forbiddenRef returns the reference to a file outside the repository text makes, or "".
// (The patterns are split so that this file does not match itself.)
func forbiddenRef(text string) string {
	for _, p := range []string{"/wor" + "k/", "shared/" + "reference", "../" + "shared/", "REFERENCE" + "-DATA", "TARIFF" + "-RESEARCH", "CONTRACT" + ".md"} {
		if strings.Contains(text, p) {
			return p
		}
	}
	return ""
}

// Point 10: nothing in the tariff engine, the seed data or the docs refers to files outside
// the repository.
func TestNoReferencesOutsideTheRepository(t *testing.T) {
	for _, dir := range []string{"../tariff", ".", "../docs"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(b), "\n") {
				if p := forbiddenRef(line); p != "" {
					t.Errorf("%s:%d refers to %q: %s", path, i+1, p, strings.TrimSpace(line))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
