package tariff

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// Measures shared by the worked cases (flow YAML, one per line).
const (
	mDEVATB2B   = `  - {id: de-vat-b2b, kind: vat, jurisdiction: DE, origin: ["*"], origin_except: [DE], products: [gpu_hours, bare_metal], buyer: [business], rate: "19%", base: net_price, liability: buyer, legal: [art. 196], label: "DE VAT {rate} (reverse charge, art. 196)"}` + "\n"
	mDEVATB2C   = `  - {id: de-vat-b2c, kind: vat, jurisdiction: DE, products: [gpu_hours, bare_metal], buyer: [consumer], rate: "19%", base: net_price, legal: [art. 58]}` + "\n"
	mFRVATB2C   = `  - {id: fr-vat-b2c, kind: vat, jurisdiction: FR, products: [gpu_hours], buyer: [consumer], rate: "20%", base: net_price, legal: [art. 58]}` + "\n"
	mIEVATB2C   = `  - {id: ie-vat-b2c, kind: vat, jurisdiction: IE, products: [gpu_hours], buyer: [consumer], rate: "23%", base: net_price, legal: [art. 58]}` + "\n"
	mFIVAT      = `  - {id: fi-vat-24, kind: vat, jurisdiction: FI, products: [gpu_hours], rate: "24%", base: net_price, valid_from: 2024-01-01, valid_to: 2024-08-31, legal: [AVL]}` + "\n" + `  - {id: fi-vat-25.5, kind: vat, jurisdiction: FI, products: [gpu_hours], rate: "25.5%", base: net_price, valid_from: 2024-09-01, legal: [AVL]}` + "\n"
	mDEImport   = `  - {id: de-vat-import, kind: vat, jurisdiction: DE, origin: ["*"], origin_except: [EU27], products: [hardware], rate: "19%", base: value_plus_duties, legal: [arts 85-86]}` + "\n"
	mEUITA      = `  - {id: eu-duty-ita, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: ["8471", "8473", "8542"], rate: "0%", base: customs_value, legal: [ITA]}` + "\n"
	mRetaliate  = `  - {id: eu-retaliation, kind: additional_duty, jurisdiction: EU, origin: [CN], destination: [EU27], hs: ["8471.50"], rate: "10%", base: customs_value, legal: [hypothetical]}` + "\n"
	mCNWHT      = `  - {id: cn-wht, kind: withholding, jurisdiction: CN, origin: ["*"], origin_except: [CN], products: [gpu_hours], buyer: [business], rate: "6%", base: gross_payment, legal: [36号]}` + "\n"
	mCNSurtax   = `  - {id: cn-surtax, kind: surtax, jurisdiction: CN, rate: "12%", base: tax_amount, legal: [hypothetical]}` + "\n"
	mVoucher    = `  - {id: voucher, kind: subsidy, jurisdiction: CN, origin: [CN], destination: [CN], buyer: [business], share_max: "20%", cap: "2000000 CNY", legal: [方案]}` + "\n"
	mGateA1     = `  - {id: gate-a1, kind: gate, jurisdiction: US, direction: export, origin: [CN], destination: ["*"], vendor_country: [US], tpp_min: "4800", stacking_group: a, priority: 1, action: license_required, flag: export_control.3A090a, legal: [ECCN 3A090]}` + "\n"
	mGateA2     = `  - {id: gate-a2, kind: gate, jurisdiction: US, direction: export, origin: [CN], destination: ["*"], vendor_country: [US], tpp_min: "1600", density_min: "5.92", stacking_group: a, priority: 2, action: license_required, flag: export_control.3A090a, legal: [ECCN 3A090]}` + "\n"
	mGatePD     = `  - {id: gate-pd, kind: gate, jurisdiction: EU, direction: export, origin: [CN], destination: [EU27], personal_data: true, action: warn, flag: data_transfer.eu_cn, legal: [GDPR ch. V, PIPL art. 38]}` + "\n"
	mGateBlock  = `  - {id: gate-block, kind: gate, jurisdiction: EU, origin: [CN], destination: [EU27], models: [x9000], action: block, legal: [hypothetical]}` + "\n"
	mQuotaLevy  = `  - {id: corridor, kind: additional_duty, jurisdiction: EU, origin: [CN], destination: [EU27], products: [gpu_hours], rate: "10%", base: net_price, quota: {period: calendar_year, volume: "5000000", unit: gpu_hour, in_quota_rate: "0%"}, legal: [hypothetical]}` + "\n"
	anyLevy     = `jurisdiction: EU, origin: [CN], destination: [EU27], base: net_price, legal: [hypothetical]`
	dateDefault = "2026-11-28"
)

func levy(id, kind, rate string, extra ...string) string {
	x := ""
	if len(extra) > 0 {
		x = ", " + strings.Join(extra, ", ")
	}
	return `  - {id: ` + id + `, kind: ` + kind + `, rate: "` + rate + `", ` + anyLevy + x + "}\n"
}

type wantLine struct {
	id, amount string
	payable    bool
	quota      string
}

type workedCase struct {
	name     string
	measures string
	supply   Supply
	date     string
	ledger   ledger
	want     []wantLine
	total    string   // sum of payable lines
	flags    []string // flag codes in order
	blocked  bool
	trail    map[string]string // measure id → substring of its reason
	check    func(t *testing.T, a Assessment)
}

func withAcc(s Supply, a Accelerator) Supply { s.Accelerator = a; return s }
func withPD(s Supply) Supply                 { s.PersonalData = true; return s }
func withEnergy(s Supply, kwh string) Supply { s.EnergyKWh = d(kwh); return s }
func withCur(s Supply, cur string) Supply    { s.Currency = cur; return s }
func withUsed(s Supply, id, used string) Supply {
	s.SubsidyUsed = map[string]decimal.Decimal{id: d(used)}
	return s
}
func withCIF(s Supply, freight, ins string) Supply {
	s.Freight, s.Insurance = d(freight), d(ins)
	return s
}

func TestWorkedCases(t *testing.T) {
	cnDEb2b := service("CN", "DE", BuyerBusiness, "10000", "18750")
	cnDEb2c := service("CN", "DE", BuyerConsumer, "10000", "18750")
	serverB := withCIF(hardware("CN", "DE", "8471.50.00", "10", "240000"), "8000", "2000")
	cases := []workedCase{
		// --- VAT on services (worked example A and its variants, docs/policy-language.md) ---
		{name: "A: CN→DE B2B reverse charge 19% of 18,750", measures: mDEVATB2B + mDEVATB2C, supply: cnDEb2b,
			want: []wantLine{{"de-vat-b2b", "3562.5", false, ""}}, total: "0",
			trail: map[string]string{"de-vat-b2c": "buyer business not in [consumer]"},
			check: func(t *testing.T, a Assessment) {
				c := a.Charges[0]
				if c.Label != "DE VAT 19% (reverse charge, art. 196)" || !c.Recoverable || c.Basis != "net_price" || !c.BaseAmount.Equal(d("18750")) {
					t.Errorf("line = %+v", c)
				}
			}},
		{name: "A variant: DE consumer pays 19% destination VAT", measures: mDEVATB2B + mDEVATB2C, supply: cnDEb2c,
			want: []wantLine{{"de-vat-b2c", "3562.5", true, ""}}, total: "3562.5",
			check: func(t *testing.T, a Assessment) {
				if a.Charges[0].Recoverable {
					t.Error("consumer VAT must not be recoverable")
				}
			}},
		{name: "A variant: FR consumer 20%", measures: mDEVATB2C + mFRVATB2C + mIEVATB2C, supply: service("CN", "FR", BuyerConsumer, "10000", "18750"),
			want: []wantLine{{"fr-vat-b2c", "3750", true, ""}}, total: "3750",
			trail: map[string]string{"de-vat-b2c": "destination FR not in [DE]"}},
		{name: "A variant: IE consumer 23%", measures: mFRVATB2C + mIEVATB2C, supply: service("CN", "IE", BuyerConsumer, "10000", "18750"),
			want: []wantLine{{"ie-vat-b2c", "4312.5", true, ""}}, total: "4312.5"},
		{name: "FI 24% on the last day before the change (valid_to inclusive)", measures: mFIVAT, supply: service("CN", "FI", BuyerConsumer, "1", "1000"), date: "2024-08-31",
			want: []wantLine{{"fi-vat-24", "240", true, ""}}, total: "240",
			trail: map[string]string{"fi-vat-25.5": "not valid on 2024-08-31 (valid 2024-09-01..)"}},
		{name: "FI 25.5% from 2024-09-01 (valid_from inclusive)", measures: mFIVAT, supply: service("CN", "FI", BuyerConsumer, "1", "1000"), date: "2024-09-01",
			want: []wantLine{{"fi-vat-25.5", "255", true, ""}}, total: "255",
			trail: map[string]string{"fi-vat-24": "not valid on 2024-09-01 (valid 2024-01-01..2024-08-31)"}},
		{name: "reverse charge does not apply to a domestic supplier (origin_except)", measures: mDEVATB2B, supply: service("DE", "DE", BuyerBusiness, "1", "100"),
			want: nil, total: "0", trail: map[string]string{"de-vat-b2b": "origin DE excluded by [DE]"}},
		// --- Hardware (worked example B) ---
		{name: "B: server EUR 250,000 CIF, 0% ITA duty, import VAT 47,500", measures: mEUITA + mDEImport, supply: serverB,
			want: []wantLine{{"eu-duty-ita", "0", true, ""}, {"de-vat-import", "47500", true, ""}}, total: "47500",
			check: func(t *testing.T, a Assessment) {
				if !a.Charges[0].BaseAmount.Equal(d("250000")) || a.Charges[0].Basis != "customs_value" {
					t.Errorf("customs value = %s", a.Charges[0].BaseAmount)
				}
				if !a.Charges[1].Recoverable {
					t.Error("import VAT of a business importer is recoverable")
				}
			}},
		{name: "B what-if: 10% retaliation 25,000, VAT on value plus duty 52,250", measures: mEUITA + mRetaliate + mDEImport, supply: serverB,
			want: []wantLine{{"eu-duty-ita", "0", true, ""}, {"eu-retaliation", "25000", true, ""}, {"de-vat-import", "52250", true, ""}}, total: "77250"},
		{name: "HS outside the ITA codes: no duty measure", measures: mEUITA + mDEImport, supply: hardware("CN", "DE", "8517.62", "1", "1000"),
			want: []wantLine{{"de-vat-import", "190", true, ""}}, total: "190",
			trail: map[string]string{"eu-duty-ita": `HS "8517.62" not under [8471 8473 8542]`}},
		{name: "intra-EU goods are no import (origin_except area)", measures: mDEImport, supply: hardware("FR", "DE", "8471.50", "1", "1000"),
			want: nil, total: "0", trail: map[string]string{"de-vat-import": "origin FR excluded by [EU27]"}},
		// --- Expressions ---
		{name: "specific: 0.12 EUR/gpu_hour × 10,000", measures: levy("l", "levy", "0.12 EUR/gpu_hour"), supply: cnDEb2b,
			want: []wantLine{{"l", "1200", true, ""}}, total: "1200"},
		{name: "specific in another currency: 1 CNY/gpu_hour × 10,000 at 8 CNY/EUR", measures: levy("l", "levy", "1 CNY/gpu_hour"), supply: cnDEb2b,
			want: []wantLine{{"l", "1250", true, ""}}, total: "1250"},
		{name: "compound: 5% + 0.02 EUR/gpu_hour", measures: levy("l", "levy", "5% + 0.02 EUR/gpu_hour"), supply: cnDEb2b,
			want: []wantLine{{"l", "1137.5", true, ""}}, total: "1137.5"},
		{name: "minus: 10% - 0.01 EUR/gpu_hour", measures: levy("l", "levy", "10% - 0.01 EUR/gpu_hour"), supply: cnDEb2b,
			want: []wantLine{{"l", "1775", true, ""}}, total: "1775"},
		{name: "MIN floor binds: 5% of 5,000 = 250 < 10 × 30", measures: levy("l", "fee", "5% MIN 30.00 EUR/unit", "products: [hardware]"), supply: hardware("CN", "DE", "8471.50", "10", "5000"),
			want: []wantLine{{"l", "300", true, ""}}, total: "300"},
		{name: "MIN floor does not bind: 5% of 10,000 = 500 > 300", measures: levy("l", "fee", "5% MIN 30.00 EUR/unit", "products: [hardware]"), supply: hardware("CN", "DE", "8471.50", "10", "10000"),
			want: []wantLine{{"l", "500", true, ""}}, total: "500"},
		{name: "MAX cap binds: 10% of 10,000 = 1,000 > 1,000 h × 0.50", measures: levy("l", "levy", "10% MAX 0.50 EUR/gpu_hour"), supply: service("CN", "DE", BuyerBusiness, "1000", "10000"),
			want: []wantLine{{"l", "500", true, ""}}, total: "500"},
		{name: "MAX cap does not bind: 10% of 1,000 = 100 < 500", measures: levy("l", "levy", "10% MAX 0.50 EUR/gpu_hour"), supply: service("CN", "DE", BuyerBusiness, "1000", "1000"),
			want: []wantLine{{"l", "100", true, ""}}, total: "100"},
		{name: "MIN and MAX together: 1% of 10,000 = 100 raised to floor 150", measures: levy("l", "levy", "1% MIN 0.15 EUR/gpu_hour MAX 0.50 EUR/gpu_hour"), supply: service("CN", "DE", BuyerBusiness, "1000", "10000"),
			want: []wantLine{{"l", "150", true, ""}}, total: "150"},
		{name: "per kWh: 0.02 EUR/kwh × 50,000 kWh", measures: levy("carbon", "levy", "0.02 EUR/kwh"), supply: withEnergy(cnDEb2b, "50000"),
			want: []wantLine{{"carbon", "1000", true, ""}}, total: "1000"},
		// --- Kinds ---
		{name: "export duty 2% of net price", measures: `  - {id: xd, kind: export_duty, jurisdiction: CN, direction: export, rate: "2%", base: net_price, legal: [hypothetical]}` + "\n", supply: cnDEb2b,
			want: []wantLine{{"xd", "375", true, ""}}, total: "375"},
		{name: "export rebate 6% is negative", measures: `  - {id: xr, kind: export_rebate, jurisdiction: CN, direction: export, destination_except: [CN], rate: "6%", base: net_price, legal: [hypothetical]}` + "\n", supply: cnDEb2b,
			want: []wantLine{{"xr", "-1125", true, ""}}, total: "-1125"},
		{name: "fee 25 EUR/unit × 4", measures: levy("f", "fee", "25 EUR/unit", "products: [hardware]"), supply: hardware("CN", "DE", "8471.50", "4", "1000"),
			want: []wantLine{{"f", "100", true, ""}}, total: "100"},
		{name: "levy enters the VAT base of a consumer service (value_plus_duties)",
			measures: levy("l", "levy", "10%") + `  - {id: vat, kind: vat, jurisdiction: DE, buyer: [consumer], rate: "19%", base: value_plus_duties, legal: [x]}` + "\n", supply: cnDEb2c,
			want: []wantLine{{"l", "1875", true, ""}, {"vat", "3918.75", true, ""}}, total: "5793.75"},
		{name: "CN withholding 6% of a gross 1,060,000 is 60,000", measures: mCNWHT, supply: withCur(service("DE", "CN", BuyerBusiness, "1", "1060000"), "CNY"),
			want: []wantLine{{"cn-wht", "60000", true, ""}}, total: "60000",
			check: func(t *testing.T, a Assessment) {
				if !a.Charges[0].Recoverable || a.Charges[0].Basis != "gross_payment" || !a.Charges[0].BaseAmount.Equal(d("1060000")) {
					t.Errorf("line = %+v", a.Charges[0])
				}
			}},
		{name: "no withholding for a Chinese consumer", measures: mCNWHT, supply: service("DE", "CN", BuyerConsumer, "1", "1060"),
			want: nil, total: "0", trail: map[string]string{"cn-wht": "buyer consumer not in [business]"}},
		{name: "surtax 12% on the withheld VAT (tax_amount)", measures: mCNWHT + mCNSurtax, supply: withCur(service("DE", "CN", BuyerBusiness, "1", "1060000"), "CNY"),
			want: []wantLine{{"cn-wht", "60000", true, ""}, {"cn-surtax", "7200", true, ""}}, total: "67200"},
		{name: "voucher 20% under its cap", measures: mVoucher, supply: withCur(service("CN", "CN", BuyerBusiness, "1000", "1000000"), "CNY"),
			want: []wantLine{{"voucher", "-200000", true, ""}}, total: "-200000"},
		{name: "voucher capped at the unused part of the cap", measures: mVoucher, supply: withUsed(withCur(service("CN", "CN", BuyerBusiness, "1000", "20000000"), "CNY"), "voucher", "500000"),
			want: []wantLine{{"voucher", "-1500000", true, ""}}, total: "-1500000", trail: map[string]string{"voucher": "capped"}},
		{name: "voucher cap used up: zero, never positive", measures: mVoucher, supply: withUsed(withCur(service("CN", "CN", BuyerBusiness, "1000", "20000000"), "CNY"), "voucher", "3000000"),
			want: []wantLine{{"voucher", "0", true, ""}}, total: "0"},
		{name: "voucher cap converted: CNY 2M = EUR 250,000", measures: mVoucher, supply: service("CN", "CN", BuyerBusiness, "1000", "2000000"),
			want: []wantLine{{"voucher", "-250000", true, ""}}, total: "-250000"},
		{name: "voucher not for EU buyers", measures: mVoucher, supply: cnDEb2b,
			want: nil, total: "0", trail: map[string]string{"voucher": "destination DE not in [CN]"}},
		// --- Stacking and specificity ---
		{name: "customs alternatives: preference 2% beats MFN 5%",
			measures: `  - {id: mfn, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: ["8517"], rate: "5%", base: customs_value, legal: [x]}` + "\n" +
				`  - {id: pref, kind: customs_duty, jurisdiction: EU, origin: [CN], destination: [EU27], hs: ["8517"], rate: "2%", base: customs_value, legal: [x]}` + "\n",
			supply: hardware("CN", "DE", "8517.62", "1", "1000"),
			want:   []wantLine{{"pref", "20", true, ""}}, total: "20",
			trail: map[string]string{"mfn": "alternative not chosen: pref is lower (20 vs 50)", "pref": "lowest of 2 alternatives"}},
		{name: "customs alternatives: a specific duty is lower on cheap goods",
			measures: `  - {id: mfn, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: ["8517"], rate: "5%", base: customs_value, legal: [x]}` + "\n" +
				`  - {id: spec, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: ["8517"], rate: "3 EUR/unit", base: customs_value, legal: [x]}` + "\n",
			supply: hardware("CN", "DE", "8517.62", "10", "1000"),
			want:   []wantLine{{"spec", "30", true, ""}}, total: "30",
			trail: map[string]string{"mfn": "alternative not chosen: spec is lower (30 vs 50)"}},
		{name: "specificity: origin country beats erga omnes for VAT",
			measures: `  - {id: vat-all, kind: vat, jurisdiction: DE, buyer: [consumer], rate: "19%", base: net_price, legal: [x]}` + "\n" +
				`  - {id: vat-cn, kind: vat, jurisdiction: DE, origin: [CN], buyer: [consumer], rate: "21%", base: net_price, legal: [x]}` + "\n",
			supply: cnDEb2c, want: []wantLine{{"vat-cn", "3937.5", true, ""}}, total: "3937.5",
			trail: map[string]string{"vat-all": "superseded by vat-cn (more specific, origin: country over *)"}},
		{name: "specificity: country beats area in a stacking group",
			measures: levy("area", "additional_duty", "10%", "stacking_group: g") + strings.Replace(levy("country", "additional_duty", "4%", "stacking_group: g"), "destination: [EU27]", "destination: [DE]", 1),
			supply:   cnDEb2b, want: []wantLine{{"country", "750", true, ""}}, total: "750",
			trail: map[string]string{"area": "superseded by country (more specific, destination: country over area)"}},
		{name: "specificity: HS 6 digits beat 4 digits",
			measures: levy("hs4", "additional_duty", "10%", `hs: ["8471"]`, "stacking_group: g") + levy("hs6", "additional_duty", "3%", `hs: ["8471.50"]`, "stacking_group: g"),
			supply:   hardware("CN", "DE", "8471.50", "1", "1000"), want: []wantLine{{"hs6", "30", true, ""}}, total: "30",
			trail: map[string]string{"hs4": "superseded by hs6 (more specific, HS 6 digits over 4)"}},
		{name: "priority breaks a tie of specificity",
			measures: levy("p2", "additional_duty", "10%", "stacking_group: g", "priority: 2") + levy("p1", "additional_duty", "3%", "stacking_group: g", "priority: 1"),
			supply:   cnDEb2b, want: []wantLine{{"p1", "562.5", true, ""}}, total: "562.5",
			trail: map[string]string{"p2": "superseded by p1 (priority 1 over 2)"}},
		{name: "additive measures without a group stack",
			measures: levy("a", "additional_duty", "10%") + levy("b", "additional_duty", "5%"),
			supply:   cnDEb2b, want: []wantLine{{"a", "1875", true, ""}, {"b", "937.5", true, ""}}, total: "2812.5"},
		// --- Dates and areas ---
		{name: "valid_to is inclusive", measures: levy("l", "levy", "1%", "valid_to: 2025-12-31"), supply: cnDEb2b, date: "2025-12-31",
			want: []wantLine{{"l", "187.5", true, ""}}, total: "187.5"},
		{name: "the day after valid_to the measure is gone", measures: levy("l", "levy", "1%", "valid_to: 2025-12-31"), supply: cnDEb2b, date: "2026-01-01",
			want: nil, total: "0", trail: map[string]string{"l": "not valid on 2026-01-01 (valid ..2025-12-31)"}},
		{name: "dated area membership: GB in EU27 on 2020-01-31", measures: strings.Replace(levy("l", "levy", "1%"), "origin: [CN]", `origin: ["*"]`, 1), supply: service("CN", "GB", BuyerBusiness, "1", "100"), date: "2020-01-31",
			want: []wantLine{{"l", "1", true, ""}}, total: "1"},
		{name: "dated area membership: GB left EU27 on 2020-02-01", measures: strings.Replace(levy("l", "levy", "1%"), "origin: [CN]", `origin: ["*"]`, 1), supply: service("CN", "GB", BuyerBusiness, "1", "100"), date: "2020-02-01",
			want: nil, total: "0", trail: map[string]string{"l": "destination GB not in [EU27]"}},
		// --- Quotas ---
		{name: "quota: fully inside the balance", measures: mQuotaLevy, supply: cnDEb2b, ledger: ledger{"corridor": d("4000000")},
			want: []wantLine{{"corridor", "0", true, "in_quota"}}, total: "0"},
		{name: "quota: exhausted, out-of-quota rate", measures: mQuotaLevy, supply: cnDEb2b, ledger: ledger{"corridor": d("0")},
			want: []wantLine{{"corridor", "1875", true, "out_of_quota"}}, total: "1875", flags: []string{"quota.low"}},
		{name: "quota: straddling request split pro rata (3,000 of 10,000 h in quota)", measures: mQuotaLevy, supply: cnDEb2b, ledger: ledger{"corridor": d("3000")},
			want: []wantLine{{"corridor", "0", true, "in_quota"}, {"corridor", "1312.5", true, "out_of_quota"}}, total: "1312.5", flags: []string{"quota.low"},
			check: func(t *testing.T, a Assessment) {
				in, out := a.Charges[0], a.Charges[1]
				if !in.BaseAmount.Equal(d("5625")) || !out.BaseAmount.Equal(d("13125")) || !in.Quantity.Equal(d("3000")) || !out.Quantity.Equal(d("7000")) {
					t.Errorf("split = %s/%s for %s/%s", in.BaseAmount, out.BaseAmount, in.Quantity, out.Quantity)
				}
			}},
		{name: "quota: uneven split keeps the exact total", measures: mQuotaLevy, supply: service("CN", "DE", BuyerBusiness, "3", "100"), ledger: ledger{"corridor": d("1")}, flags: []string{"quota.low"},
			check: func(t *testing.T, a Assessment) {
				if len(a.Charges) != 2 || !a.Charges[0].BaseAmount.Add(a.Charges[1].BaseAmount).Equal(d("100")) {
					t.Errorf("charges = %s", chargesString(a.Charges))
				}
			}},
		{name: "quota: no ledger means unlimited", measures: mQuotaLevy, supply: cnDEb2b,
			want: []wantLine{{"corridor", "0", true, "in_quota"}}, total: "0"},
		// --- Gates ---
		{name: "gate: H100 hosted in CN is 3A090.a.1 (one flag from the group)", measures: mGateA1 + mGateA2, supply: withAcc(service("CN", "DE", BuyerBusiness, "1", "1"), h100()),
			want: []wantLine{}, total: "0", flags: []string{"export_control.3A090a"},
			trail: map[string]string{"gate-a1": "applied", "gate-a2": "superseded by gate-a1 (priority 1 over 2)"}},
		{name: "gate: TPP exactly 4800 is a.1", measures: mGateA1, supply: withAcc(service("CN", "DE", BuyerBusiness, "1", "1"), Accelerator{VendorCountry: "US", TPP: d("4800")}),
			total: "0", flags: []string{"export_control.3A090a"}},
		{name: "gate: TPP 2000 and density 6 is a.2", measures: mGateA1 + mGateA2, supply: withAcc(service("CN", "DE", BuyerBusiness, "1", "1"), Accelerator{VendorCountry: "US", TPP: d("2000"), Density: d("6")}),
			total: "0", flags: []string{"export_control.3A090a"}, trail: map[string]string{"gate-a1": "TPP 2000 below 4800", "gate-a2": "applied"}},
		{name: "gate: TPP 2000 and density 5.91 is not controlled", measures: mGateA1 + mGateA2, supply: withAcc(service("CN", "DE", BuyerBusiness, "1", "1"), Accelerator{VendorCountry: "US", TPP: d("2000"), Density: d("5.91")}),
			total: "0", trail: map[string]string{"gate-a2": "performance density 5.91 below 5.92"}},
		{name: "gate: a Chinese-designed chip is not a US item", measures: mGateA1, supply: withAcc(service("CN", "DE", BuyerBusiness, "1", "1"), Accelerator{VendorCountry: "CN", TPP: d("9000")}),
			total: "0", trail: map[string]string{"gate-a1": `accelerator vendor country "CN" not in [US]`}},
		{name: "gate: personal data CN capacity for an EU buyer", measures: mGatePD + mDEVATB2B, supply: withPD(cnDEb2b),
			want: []wantLine{{"de-vat-b2b", "3562.5", false, ""}}, total: "0", flags: []string{"data_transfer.eu_cn"}},
		{name: "gate: no personal data declared, no flag", measures: mGatePD, supply: cnDEb2b,
			total: "0", trail: map[string]string{"gate-pd": "no personal data declared"}},
		{name: "gate: block stops pricing", measures: mGateBlock + mDEVATB2B, supply: withAcc(cnDEb2b, Accelerator{Model: "X9000"}),
			total: "0", blocked: true, flags: []string{"gate.gate-block"},
			trail: map[string]string{"de-vat-b2b": "not assessed: the supply is blocked"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := testPolicy(t, tc.measures)
			s := tc.supply
			if tc.ledger != nil {
				s.Quota = tc.ledger
			}
			date := tc.date
			if date == "" {
				date = dateDefault
			}
			a, err := Assess(p, s, day(date))
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil {
				if len(a.Charges) != len(tc.want) {
					t.Fatalf("charges = %s, want %d lines", chargesString(a.Charges), len(tc.want))
				}
				for i, w := range tc.want {
					c := a.Charges[i]
					if c.MeasureID != w.id || !c.Amount.Equal(d(w.amount)) || c.Payable != w.payable || c.Quota != w.quota {
						t.Errorf("line %d = %s=%s payable=%v quota=%q, want %+v", i, c.MeasureID, c.Amount, c.Payable, c.Quota, w)
					}
				}
			}
			if tc.total != "" && !a.Total().Equal(d(tc.total)) {
				t.Errorf("total = %s, want %s (%s)", a.Total(), tc.total, chargesString(a.Charges))
			}
			var codes []string
			for _, f := range a.Flags {
				codes = append(codes, f.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tc.flags, ",") {
				t.Errorf("flags = %v, want %v", codes, tc.flags)
			}
			if a.Blocked != tc.blocked {
				t.Errorf("blocked = %v", a.Blocked)
			}
			if len(a.Trail) != len(p.Measures) {
				t.Errorf("trail has %d entries for %d measures", len(a.Trail), len(p.Measures))
			}
			for id, want := range tc.trail {
				found := false
				for _, c := range a.Trail {
					if c.MeasureID == id {
						found = true
						if !strings.Contains(c.Reason, want) {
							t.Errorf("trail %s = %q, want it to contain %q", id, c.Reason, want)
						}
					}
				}
				if !found {
					t.Errorf("no trail entry for %s", id)
				}
			}
			checkTrailBase(t, a)
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
	if len(cases) < 30 {
		t.Errorf("only %d worked cases", len(cases))
	}
}

func TestQuotaFlagOnlyFromChosenAlternative(t *testing.T) {
	p := testPolicy(t, `  - {id: mfn, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: ["8517"], rate: "1%", base: customs_value, legal: [x]}`+"\n"+
		`  - {id: trq, kind: customs_duty, jurisdiction: EU, origin: [CN], destination: [EU27], hs: ["8517"], rate: "20%", base: customs_value, quota: {period: calendar_year, volume: "1000", unit: unit, in_quota_rate: "0%"}, legal: [x]}`+"\n")
	s := hardware("CN", "DE", "8517.62", "10", "1000")
	s.Quota = ledger{"trq": d("0")} // exhausted: 20% > MFN 1%, so MFN is chosen
	a, err := Assess(p, s, day(dateDefault))
	if err != nil {
		t.Fatal(err)
	}
	if chargesString(a.Charges) != `mfn=10 payable=true quota=""; ` || len(a.Flags) != 0 {
		t.Errorf("charges %s flags %+v", chargesString(a.Charges), a.Flags)
	}
	s.Quota = ledger{"trq": d("50")} // in quota at 0%: chosen, and the balance is low
	a, _ = Assess(p, s, day(dateDefault))
	if chargesString(a.Charges) != `trq=0 payable=true quota="in_quota"; ` || len(a.Flags) != 1 || a.Flags[0].Code != "quota.low" {
		t.Errorf("charges %s flags %+v", chargesString(a.Charges), a.Flags)
	}
}

// checkTrailBase checks Assessment.TrailBase: only a noted trail has one; it is as long as the
// trail, explains the same measures in the same order, and differs from it in at least one
// entry (the notes).
func checkTrailBase(t *testing.T, a Assessment) {
	t.Helper()
	if a.TrailBase == nil {
		return
	}
	if !a.TrailNoted {
		t.Fatalf("a trail base on an assessment without notes")
	}
	if len(a.TrailBase) != len(a.Trail) {
		t.Fatalf("trail base of %d entries, trail of %d", len(a.TrailBase), len(a.Trail))
	}
	differ := 0
	for i, c := range a.Trail {
		if c == a.TrailBase[i] {
			continue
		}
		differ++
		if c.MeasureID != a.TrailBase[i].MeasureID {
			t.Errorf("entry %d explains %s, its base %s", i, c.MeasureID, a.TrailBase[i].MeasureID)
		}
	}
	if differ == 0 {
		t.Errorf("a noted trail equal to its base")
	}
}

// TestNotedTrailKeepsItsBase: the customs alternatives' notes are written into a copy of the
// match's shared trail, which the assessment keeps as its base — the very array another
// assessment of the same match explains itself with — and which the notes leave unchanged.
func TestNotedTrailKeepsItsBase(t *testing.T) {
	p := testPolicy(t, `  - {id: mfn, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: ["8517"], rate: "5%", base: customs_value, legal: [x]}`+"\n"+
		`  - {id: pref, kind: customs_duty, jurisdiction: EU, origin: [CN], destination: [EU27], hs: ["8517"], rate: "2%", base: customs_value, legal: [x]}`+"\n")
	a, err := Assess(p, hardware("CN", "DE", "8517.62", "1", "1000"), day(dateDefault))
	if err != nil {
		t.Fatal(err)
	}
	if !a.TrailNoted || a.TrailBase == nil {
		t.Fatalf("noted %v, base %v: want a noted trail with its base", a.TrailNoted, a.TrailBase)
	}
	checkTrailBase(t, a)
	for i, c := range a.TrailBase {
		if strings.Contains(c.Reason, "alternative") {
			t.Errorf("base entry %d holds a note: %+v", i, c)
		}
	}
	b, err := Assess(p, hardware("CN", "DE", "8517.62", "2", "2000"), day(dateDefault)) // the same match, other amounts
	if err != nil {
		t.Fatal(err)
	}
	if &b.TrailBase[0] != &a.TrailBase[0] {
		t.Error("two assessments of the same match have different trail bases: the base is not the shared trail")
	}
	if a.Trail[0] == b.Trail[0] && a.Trail[1] == b.Trail[1] {
		t.Error("the two assessments' notes should differ with their amounts")
	}
}
