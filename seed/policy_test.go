package seed

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// eurRates converts with 1 EUR = 8 CNY (the illustrative rate of the worked examples in
// docs/policy-language.md).
type eurRates struct{}

func (eurRates) Convert(a decimal.Decimal, from, to string) (decimal.Decimal, error) {
	per := map[string]decimal.Decimal{"EUR": dec("1"), "CNY": dec("8")}
	f, ok1 := per[from]
	t, ok2 := per[to]
	if !ok1 || !ok2 {
		return decimal.Zero, fmt.Errorf("no rate %s/%s", from, to)
	}
	return a.Div(f).Mul(t), nil
}

type quota map[string]decimal.Decimal

func (q quota) Remaining(id string, _ time.Time) (decimal.Decimal, error) { return q[id], nil }

func mustBaseline(t *testing.T) *tariff.Policy {
	t.Helper()
	p, err := BaselinePolicy()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func scenario(t *testing.T, id string) *tariff.Policy {
	t.Helper()
	ss, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.ID == id {
			p, err := s.Apply(mustBaseline(t))
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("no scenario %s", id)
	return nil
}

func gpuHours(origin, dest string, buyer tariff.BuyerType, hours, net, cur string) tariff.Supply {
	return tariff.Supply{Product: tariff.ProductGPUHours, Origin: origin, Destination: dest, BuyerType: buyer,
		Quantity: dec(hours), NetPrice: dec(net), Currency: cur, Rates: eurRates{}}
}

func TestEveryPolicyFileValidates(t *testing.T) {
	files := PolicyFiles()
	if len(files) < 6 {
		t.Fatalf("only %d policy files", len(files))
	}
	base := mustBaseline(t)
	scenarios := 0
	for path, data := range files {
		probs := tariff.Validate(path, data)
		if strings.HasPrefix(path, "policy/scenarios/") {
			scenarios++
			probs = append(probs, tariff.ValidateScenarioAgainst(base, path, data)...)
		}
		for _, p := range probs {
			t.Error(p)
		}
	}
	if scenarios < 5 {
		t.Errorf("only %d scenarios", scenarios)
	}
}

// Every measure of the baseline, and every measure a scenario adds or changes, has a legal
// reference, an as-of date and a confidence, and either a source or (estimate or illustrative)
// a note saying what was estimated and why; sources are public (a URL or an official document
// name), never a file outside the repository.
func TestBaselineProvenance(t *testing.T) {
	p := mustBaseline(t)
	if len(p.Measures) < 250 {
		t.Errorf("only %d measures", len(p.Measures))
	}
	check := func(where string, m tariff.Measure) {
		if len(m.Legal) == 0 || m.AsOf == "" || m.Confidence == "" {
			t.Errorf("%s %s: legal %v as_of %q confidence %q", where, m.ID, m.Legal, m.AsOf, m.Confidence)
		}
		switch m.Confidence {
		case "sourced":
			if m.Source == "" {
				t.Errorf("%s %s: sourced without a source", where, m.ID)
			}
		case "estimate", "illustrative":
			if m.Note == "" {
				t.Errorf("%s %s: an %s needs a note saying what was estimated and why", where, m.ID, m.Confidence)
			}
		}
		for _, text := range append([]string{m.Source, m.Note}, m.Legal...) {
			if forbiddenRef(text) != "" {
				t.Errorf("%s %s: cites a file outside the repository: %q", where, m.ID, text)
			}
		}
		for _, src := range strings.Split(m.Source, " ; ") {
			if src != "" && !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") && !strings.ContainsAny(src, "《》'(") {
				t.Errorf("%s %s: source %q is neither a URL nor an official document name", where, m.ID, src)
			}
		}
	}
	for _, m := range p.Measures {
		check("baseline", m)
	}
	ss, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		q, err := s.Apply(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range q.Measures {
			if m.ChangedBy == s.ID {
				check(s.ID, m)
			}
		}
	}
}

func TestEveryScenarioApplies(t *testing.T) {
	ss, err := Scenarios()
	if err != nil {
		t.Fatal(err)
	}
	base := mustBaseline(t)
	for _, s := range ss {
		p, err := s.Apply(base)
		if err != nil {
			t.Errorf("%s: %v", s.ID, err)
			continue
		}
		if p.ID != "baseline+"+s.ID || s.Title == "" {
			t.Errorf("%s: id %q title %q", s.ID, p.ID, s.Title)
		}
	}
}

// vatLine assesses a supply and returns the single VAT line of the destination's jurisdiction.
func vatLine(t *testing.T, p *tariff.Policy, s tariff.Supply, on string) tariff.Charge {
	t.Helper()
	a, err := tariff.Assess(p, s, date(on))
	if err != nil {
		t.Fatal(err)
	}
	var vat []tariff.Charge
	for _, c := range a.Charges {
		if c.Kind == tariff.KindVAT && c.Jurisdiction == s.Destination {
			vat = append(vat, c)
		}
	}
	if len(vat) != 1 {
		t.Fatalf("%s → %s on %s: %d VAT lines: %+v; flags %+v", s.Origin, s.Destination, on, len(vat), a.Charges, a.Flags)
	}
	for _, f := range a.Flags {
		if f.Code == "rate.unknown" {
			t.Errorf("%s → %s on %s: %s", s.Origin, s.Destination, on, f.Message)
		}
	}
	return vat[0]
}

func TestBaselineVATRates(t *testing.T) {
	p := mustBaseline(t)
	cases := []struct {
		country, on, rate string
	}{
		// The rate table of seed/SOURCES.md (EU VAT).
		{"DE", "2026-11-28", "19%"},
		{"FR", "2026-11-28", "20%"},
		{"IT", "2026-11-28", "22%"},
		{"ES", "2026-11-28", "21%"},
		{"NL", "2026-11-28", "21%"},
		{"SE", "2026-11-28", "25%"},
		{"PL", "2026-11-28", "23%"},
		{"AT", "2026-11-28", "20%"},
		{"GR", "2026-11-28", "24%"},
		{"BG", "2026-11-28", "20%"},
		{"SI", "2026-11-28", "22%"},
		{"CZ", "2026-11-28", "21%"},
		{"LT", "2026-11-28", "21%"},
		{"IE", "2026-11-28", "23%"},
		{"BE", "2026-11-28", "21%"},
		{"DK", "2026-11-28", "25%"},
		{"PT", "2026-11-28", "23%"},
		{"CY", "2026-11-28", "19%"},
		{"HR", "2026-11-28", "25%"},
		{"HU", "2026-11-28", "27%"},
		{"LV", "2026-11-28", "21%"},
		{"MT", "2026-11-28", "18%"},
		{"FI", "2024-08-31", "24%"},
		{"FI", "2024-09-01", "25.5%"},
		{"RO", "2025-07-31", "19%"},
		{"RO", "2025-08-01", "21%"},
		{"EE", "2025-06-30", "22%"},
		{"EE", "2025-07-01", "24%"},
		{"SK", "2024-12-31", "20%"},
		{"SK", "2025-01-01", "23%"},
		{"LU", "2023-12-31", "16%"},
		{"LU", "2024-01-01", "17%"},
		// Before 2024, and the temporary cuts of 2020.
		{"DE", "2020-06-30", "19%"},
		{"DE", "2020-07-01", "16%"},
		{"DE", "2020-12-31", "16%"},
		{"DE", "2021-01-01", "19%"},
		{"IE", "2020-08-31", "23%"},
		{"IE", "2020-09-01", "21%"},
		{"IE", "2021-02-28", "21%"},
		{"IE", "2021-03-01", "23%"},
		{"EE", "2020-01-01", "20%"},
		{"EE", "2023-12-31", "20%"},
		{"EE", "2024-01-01", "22%"},
		{"LU", "2022-12-31", "17%"},
		{"LU", "2023-01-01", "16%"},
		{"FI", "2020-01-01", "24%"},
		{"SK", "2020-01-01", "20%"},
		{"RO", "2020-01-01", "19%"},
		{"FR", "2020-01-01", "20%"},
		{"HU", "2020-01-01", "27%"},
	}
	for _, tc := range cases {
		for _, buyer := range []tariff.BuyerType{tariff.BuyerBusiness, tariff.BuyerConsumer} {
			c := vatLine(t, p, gpuHours("CN", tc.country, buyer, "100", "1000", "EUR"), tc.on)
			if c.Rate != tc.rate {
				t.Errorf("%s %s on %s: rate %s, want %s", tc.country, buyer, tc.on, c.Rate, tc.rate)
			}
			if c.Payable != (buyer == tariff.BuyerConsumer) {
				t.Errorf("%s %s: payable %v", tc.country, buyer, c.Payable)
			}
		}
	}
}

// Every member state has exactly one VAT measure for each shape of supply on every day from
// 2020-01-01 to the as-of date (checked on the 1st and 15th of every month and on the days
// around each rate change): B2B services from a supplier established elsewhere and there,
// consumer services, imported hardware, hardware within the EU to a consumer and to a business.
func TestBaselineVATCoversEveryDaySince2020(t *testing.T) {
	p := mustBaseline(t)
	var days []string
	for d := date("2020-01-01"); !d.After(date("2026-11-28")); d = d.AddDate(0, 0, 14) {
		days = append(days, d.Format("2006-01-02"))
	}
	days = append(days, "2020-06-30", "2020-07-01", "2020-08-31", "2020-09-01", "2020-12-31", "2021-01-01", "2021-02-28",
		"2021-03-01", "2022-12-31", "2023-01-01", "2023-12-31", "2024-01-01", "2024-08-31", "2024-09-01", "2024-12-31",
		"2025-01-01", "2025-06-30", "2025-07-01", "2025-07-31", "2025-08-01")
	for _, cc := range eu27 {
		for _, on := range days {
			other := "FR"
			if cc == "FR" {
				other = "DE"
			}
			shapes := []tariff.Supply{
				gpuHours("CN", cc, tariff.BuyerBusiness, "1", "1", "EUR"),
				gpuHours("CN", cc, tariff.BuyerConsumer, "1", "1", "EUR"),
				server("CN", cc),
				server(other, cc),
			}
			dom := gpuHours(other, cc, tariff.BuyerBusiness, "1", "1", "EUR")
			dom.SupplierCountry = cc
			shapes = append(shapes, dom)
			b2c := server(other, cc)
			b2c.BuyerType = tariff.BuyerConsumer
			shapes = append(shapes, b2c)
			for _, s := range shapes {
				vatLine(t, p, s, on)
			}
		}
	}
}

// The rate periods of each member state's VAT measures of one shape (vat-xx-b2b,
// vat-xx-b2b-2020-07, …) run from 2020-01-01 without a gap or an overlap of a single day, the
// last one open-ended, and every shape has the same periods and rates: a day missed by the
// sampling of TestBaselineVATCoversEveryDaySince2020 would still be caught.
func TestBaselineVATPeriodsAreContiguous(t *testing.T) {
	p := mustBaseline(t)
	shape := regexp.MustCompile(`^vat-([a-z]{2})-(b2b|domestic-b2b|b2c|import|goods-acquisition|goods)(-\d{4}-\d{2})?$`)
	type period struct {
		from, to time.Time
		rate     string
	}
	periods := map[string][]period{} // "de b2c" → periods in document order
	for _, m := range p.Measures {
		if g := shape.FindStringSubmatch(m.ID); g != nil {
			if strings.ToUpper(g[1]) != m.Jurisdiction {
				t.Errorf("%s: jurisdiction %s", m.ID, m.Jurisdiction)
			}
			k := g[1] + " " + g[2]
			periods[k] = append(periods[k], period{m.ValidFrom, m.ValidTo, m.Rate.Source})
		}
	}
	if len(periods) != 27*6 {
		t.Errorf("%d state × shape groups, want 27 × 6", len(periods))
	}
	ref := map[string]string{} // state → the periods of its b2c measures, for the other shapes
	for k, ps := range periods {
		sort.Slice(ps, func(i, j int) bool { return ps[i].from.Before(ps[j].from) })
		var desc []string
		for i, x := range ps {
			desc = append(desc, x.from.Format("2006-01-02")+" "+x.rate)
			switch {
			case i == 0 && !x.from.Equal(date("2020-01-01")):
				t.Errorf("%s: first period starts %s", k, x.from.Format("2006-01-02"))
			case i > 0 && !x.from.Equal(ps[i-1].to.AddDate(0, 0, 1)):
				t.Errorf("%s: %s follows a period ending %s (gap or overlap)", k, x.from.Format("2006-01-02"), ps[i-1].to.Format("2006-01-02"))
			}
			if last := i == len(ps)-1; last != x.to.IsZero() {
				t.Errorf("%s: period from %s ends %v", k, x.from.Format("2006-01-02"), x.to)
			}
		}
		state := strings.Fields(k)[0]
		if strings.HasSuffix(k, " b2c") {
			ref[state] = strings.Join(desc, ", ")
		}
		periods[k] = ps
	}
	for k, ps := range periods {
		var desc []string
		for _, x := range ps {
			desc = append(desc, x.from.Format("2006-01-02")+" "+x.rate)
		}
		if state := strings.Fields(k)[0]; strings.Join(desc, ", ") != ref[state] {
			t.Errorf("%s: periods %v differ from the state's b2c periods %s", k, desc, ref[state])
		}
	}
}

var eu27 = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

func TestWorkedExampleA(t *testing.T) {
	p := mustBaseline(t)
	// CNY 150,000 at 8 CNY/EUR is EUR 18,750 (pricing converts before assessing).
	s := gpuHours("CN", "DE", tariff.BuyerBusiness, "10000", "18750", "EUR")
	s.Accelerator = tariff.Accelerator{Model: "h100-sxm", VendorCountry: "US", TPP: dec("15830.4"), Density: dec("19.45")}
	a, err := tariff.Assess(p, s, date("2026-11-28"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Charges) != 1 {
		t.Fatalf("charges = %+v", a.Charges)
	}
	c := a.Charges[0]
	if c.MeasureID != "vat-de-b2b" || !c.Amount.Equal(dec("3562.5")) || c.Payable || !c.Recoverable ||
		c.Label != "DE VAT 19% (reverse charge, art. 196)" {
		t.Errorf("line = %+v", c)
	}
	if !a.Total().IsZero() {
		t.Errorf("total = %s, want 0 (reverse charge is informational)", a.Total())
	}
	if len(a.Flags) != 1 || a.Flags[0].Code != "export_control.3A090a" || a.Flags[0].Severity != tariff.SeverityLicenseRequired {
		t.Errorf("flags = %+v", a.Flags)
	}
	// The consumer variant pays 3,562.50.
	s.BuyerType = tariff.BuyerConsumer
	a, _ = tariff.Assess(p, s, date("2026-11-28"))
	if !a.Total().Equal(dec("3562.5")) {
		t.Errorf("B2C total = %s", a.Total())
	}
}

func server(origin, dest string) tariff.Supply {
	return tariff.Supply{Product: tariff.ProductHardware, HSCode: "8471.50.00", Origin: origin, Destination: dest,
		BuyerType: tariff.BuyerBusiness, Quantity: dec("10"), NetPrice: dec("250000"), Currency: "EUR"}
}

func TestWorkedExampleB(t *testing.T) {
	a, err := tariff.Assess(mustBaseline(t), server("CN", "DE"), date("2026-11-28"))
	if err != nil {
		t.Fatal(err)
	}
	// The Chinese side zero-rates the export (0); the EU's ITA duty is 0%; German import VAT is
	// 19% of 250,000 = 47,500.
	if got := lines(a); got != "eu-duty-ita=0 cn-vat-export-goods=0 vat-de-import=47500" {
		t.Errorf("baseline: %s", got)
	}
	a, err = tariff.Assess(scenario(t, "eu-retaliation-gpu-servers"), server("CN", "DE"), date("2026-11-28"))
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(a); got != "eu-duty-ita=0 eu-retaliation-cn-servers=25000 cn-vat-export-goods=0 vat-de-import=52250" || !a.Total().Equal(dec("77250")) {
		t.Errorf("retaliation: %s total %s", got, a.Total())
	}
	// China: 0% ITA duty and 13% import VAT on goods from Germany (250,000 × 13% = 32,500); the
	// EU zero-rates the export; no surtax on import VAT.
	a, _ = tariff.Assess(mustBaseline(t), server("DE", "CN"), date("2026-11-28"))
	if got := lines(a); got != "cn-duty-ita=0 cn-vat-import-2026=32500 eu-vat-export-goods=0 cn-surtax-on-import-vat=0" {
		t.Errorf("DE→CN server: %s", got)
	}
}

func lines(a tariff.Assessment) string {
	var parts []string
	for _, c := range a.Charges {
		parts = append(parts, c.MeasureID+"="+c.Amount.String())
	}
	return strings.Join(parts, " ")
}

func TestChineseWithholding(t *testing.T) {
	p := mustBaseline(t)
	s := gpuHours("DE", "CN", tariff.BuyerBusiness, "1000", "1060000", "CNY")
	for on, id := range map[string]string{"2025-12-31": "cn-wht-vat-services-2016", "2026-01-01": "cn-wht-vat-services-2026"} {
		a, err := tariff.Assess(p, s, date(on))
		if err != nil {
			t.Fatal(err)
		}
		if got := lines(a); got != id+"=60000 cn-surtax-on-withheld-vat=0" {
			t.Errorf("%s: %s", on, got)
		}
		if !a.Charges[0].Recoverable || !a.Charges[0].Payable {
			t.Errorf("withholding line %+v", a.Charges[0])
		}
	}
}

func TestVouchers(t *testing.T) {
	p := mustBaseline(t)
	cases := []struct {
		region, vendor, on string
		purpose            tariff.Purpose
		listings           []string
		want               string
	}{
		// Every CN-hosted supply to a CN buyer carries the supplier's 6% domestic VAT
		// (1,000,000 × 6% = 60,000); vouchers come on top of it.
		{"cn-beijing", "US", "2025-06-30", "", []string{"cn-beijing-ai-compute-partner"}, "cn-vat-domestic-services=60000 cn-voucher-beijing=-200000"},
		{"cn-beijing", "US", "2025-06-30", "", nil, "cn-vat-domestic-services=60000"},                                       // supplier not on the partner list
		{"cn-beijing", "US", "2026-11-28", "", []string{"cn-beijing-ai-compute-partner"}, "cn-vat-domestic-services=60000"}, // programme 2023–2025 ended
		{"cn-shanghai", "US", "2026-11-28", "", nil, "cn-vat-domestic-services=60000 cn-voucher-shanghai=-300000"},
		{"cn-shanghai", "US", "2025-07-27", "", nil, "cn-vat-domestic-services=60000"}, // measures of 2025-07-28
		{"cn-shenzhen", "US", "2026-11-28", tariff.PurposeTraining, nil, "cn-vat-domestic-services=60000 cn-voucher-shenzhen=-500000"},
		{"cn-shenzhen", "US", "2026-11-28", tariff.PurposeInference, nil, "cn-vat-domestic-services=60000"}, // training only
		{"cn-shenzhen", "US", "2026-11-28", "", nil, "cn-vat-domestic-services=60000"},                      // purpose not declared
		{"cn-shenzhen", "US", "2024-12-17", tariff.PurposeTraining, nil, "cn-vat-domestic-services=60000"},  // issued 2024-12-18
		{"cn-shenzhen", "US", "2026-12-17", tariff.PurposeTraining, nil, "cn-vat-domestic-services=60000 cn-voucher-shenzhen=-500000"},
		{"cn-shenzhen", "US", "2026-12-18", tariff.PurposeTraining, nil, "cn-vat-domestic-services=60000"}, // valid two years
		{"cn-hangzhou", "CN", "2026-11-28", "", []string{"cn-hangzhou-voucher-centre"}, "cn-vat-domestic-services=60000 cn-voucher-hangzhou-domestic=-300000"},
		{"cn-hangzhou", "US", "2026-11-28", "", []string{"cn-hangzhou-voucher-centre"}, "cn-vat-domestic-services=60000 cn-voucher-hangzhou-other=-200000"},
		{"cn-hangzhou", "CN", "2026-11-28", "", nil, "cn-vat-domestic-services=60000"},                                    // not a qualifying centre
		{"cn-hangzhou", "CN", "2024-06-30", "", []string{"cn-hangzhou-voucher-centre"}, "cn-vat-domestic-services=60000"}, // from 2024-07
		{"", "US", "2026-11-28", tariff.PurposeTraining, nil, "cn-vat-domestic-services=60000"},
	}
	for _, tc := range cases {
		s := gpuHours("CN", "CN", tariff.BuyerBusiness, "10000", "1000000", "CNY")
		s.BuyerRegion, s.Purpose, s.Listings = tc.region, tc.purpose, tc.listings
		s.Accelerator.VendorCountry = tc.vendor
		a, err := tariff.Assess(p, s, date(tc.on))
		if err != nil {
			t.Fatal(err)
		}
		if got := lines(a); got != tc.want {
			t.Errorf("%s %s %s %s %v: %q, want %q", tc.region, tc.vendor, tc.on, tc.purpose, tc.listings, got, tc.want)
		}
	}
	// The scenario suspends Shanghai and halves Shenzhen.
	q := scenario(t, "cny-weakens-vouchers-cut")
	s := gpuHours("CN", "CN", tariff.BuyerBusiness, "10000", "1000000", "CNY")
	s.BuyerRegion, s.Purpose = "cn-shenzhen", tariff.PurposeTraining
	if a, _ := tariff.Assess(q, s, date("2026-11-28")); lines(a) != "cn-vat-domestic-services=60000 cn-voucher-shenzhen=-250000" {
		t.Errorf("scenario Shenzhen: %s", lines(a))
	}
}

func TestGatesAndDataTransfer(t *testing.T) {
	p := mustBaseline(t)
	s := gpuHours("CN", "FR", tariff.BuyerBusiness, "1", "1", "EUR")
	s.PersonalData = true
	a, _ := tariff.Assess(p, s, date("2026-11-28"))
	if len(a.Flags) != 1 || a.Flags[0].Code != "data_transfer.eu_cn" || !strings.Contains(strings.Join(a.Flags[0].Legal, ";"), "GDPR") {
		t.Errorf("EU buyer, CN capacity: %+v", a.Flags)
	}
	s = gpuHours("DE", "CN", tariff.BuyerBusiness, "1", "1", "EUR")
	s.PersonalData = true
	s.Accelerator = tariff.Accelerator{VendorCountry: "US", TPP: dec("15830.4")}
	a, _ = tariff.Assess(p, s, date("2026-11-28"))
	var codes []string
	for _, f := range a.Flags {
		codes = append(codes, f.Code)
	}
	if strings.Join(codes, ",") != "export_control.iaas_red_flag,data_transfer.cn_eu" {
		t.Errorf("CN buyer, EU capacity: %v", codes)
	}
	// The BIS policy statement of 2025-05-13 follows the buyer's headquarters in any D:5
	// country or Macau, not only the PRC: a Russian-headquartered buyer established in Germany,
	// on H100s in Germany, raises it; a German-headquartered one does not.
	ru := gpuHours("DE", "DE", tariff.BuyerBusiness, "1", "1", "EUR")
	ru.Accelerator = tariff.Accelerator{VendorCountry: "US", TPP: dec("15830.4")}
	ru.BuyerHeadquarters = "RU"
	if a, _ = tariff.Assess(p, ru, date("2026-11-28")); len(a.Flags) != 1 || a.Flags[0].Code != "export_control.iaas_red_flag" {
		t.Errorf("RU-headquartered buyer: %+v", a.Flags)
	}
	ru.BuyerHeadquarters = "DE"
	if a, _ = tariff.Assess(p, ru, date("2026-11-28")); len(a.Flags) != 0 {
		t.Errorf("DE-headquartered buyer: %+v", a.Flags)
	}
	hw := server("DE", "CN")
	hw.Accelerator = tariff.Accelerator{VendorCountry: "US", TPP: dec("15830.4")}
	a, _ = tariff.Assess(p, hw, date("2026-11-28"))
	codes = nil
	for _, f := range a.Flags {
		codes = append(codes, f.Code)
	}
	// The US re-export licence (3A090.a hardware to China, from anywhere) and the EU's own
	// export authorisation.
	if strings.Join(codes, ",") != "export_control.3A090a_reexport,export_control.eu_2021_821" {
		t.Errorf("EU hardware export: %v", codes)
	}
}

func TestScenarioLibraryEffects(t *testing.T) {
	on := date("2026-11-28")
	b2b := gpuHours("CN", "DE", tariff.BuyerBusiness, "10000", "18750", "EUR")
	a, _ := tariff.Assess(scenario(t, "eu-compute-levy-cn-10"), b2b, on)
	if lines(a) != "eu-levy-cn-compute=1875 vat-de-b2b=3562.5" {
		t.Errorf("levy: %s", lines(a))
	}
	b := b2b
	b.EnergyKWh = dec("70000")
	a, _ = tariff.Assess(scenario(t, "eu-carbon-levy-compute"), b, on)
	if lines(a) != "eu-carbon-levy-compute=1400 vat-de-b2b=3562.5" {
		t.Errorf("carbon: %s", lines(a))
	}
	a, _ = tariff.Assess(scenario(t, "cn-export-rebate-compute"), b2b, on)
	if lines(a) != "cn-export-rebate-compute=-1125 vat-de-b2b=3562.5" {
		t.Errorf("rebate: %s", lines(a))
	}
	corridor := scenario(t, "cn-eu-compute-corridor")
	b = b2b
	b.Quota = quota{"eu-levy-compute-cn-corridor": dec("4000")}
	a, _ = tariff.Assess(corridor, b, on)
	if lines(a) != "eu-levy-compute-cn-corridor=0 eu-levy-compute-cn-corridor=1125 vat-de-b2b=3562.5" {
		t.Errorf("corridor: %s", lines(a))
	}
	us := gpuHours("US", "DE", tariff.BuyerBusiness, "10000", "18750", "EUR")
	a, _ = tariff.Assess(corridor, us, on)
	if lines(a) != "eu-levy-compute-erga-omnes=1875 vat-de-b2b=3562.5" {
		t.Errorf("corridor, US origin: %s", lines(a))
	}
	ss, _ := Scenarios()
	for _, s := range ss {
		if s.ID == "cny-weakens-vouchers-cut" && !s.FXShocks["CNY"].Equal(dec("-0.05")) {
			t.Errorf("shock = %v", s.FXShocks)
		}
	}
}

// A supplier established in the buyer's own country charges local VAT; a business deducts it.
// Without a supplier country the hosting country stands in. FI business, 1,000 GPU-hours for
// EUR 2,000.00 on 2026-11-28: 25.5% = 510.00, payable and recoverable. A CN business buying
// CN-hosted hours pays 6% (120.00), also recoverable.
func TestDomesticVAT(t *testing.T) {
	p := mustBaseline(t)
	for _, tc := range []struct {
		origin, dest, cur, want string
	}{
		{"FI", "FI", "EUR", "vat-fi-domestic-b2b=510"},
		{"DE", "DE", "EUR", "vat-de-domestic-b2b=380"},
		{"CN", "CN", "CNY", "cn-vat-domestic-services=120"},
	} {
		s := gpuHours(tc.origin, tc.dest, tariff.BuyerBusiness, "1000", "2000", tc.cur)
		a, err := tariff.Assess(p, s, date("2026-11-28"))
		if err != nil {
			t.Fatal(err)
		}
		if got := lines(a); got != tc.want {
			t.Errorf("%s→%s: %q, want %q", tc.origin, tc.dest, got, tc.want)
			continue
		}
		if c := a.Charges[0]; !c.Payable || !c.Recoverable {
			t.Errorf("%s→%s: domestic VAT must be payable and recoverable for a business: %+v", tc.origin, tc.dest, c)
		}
	}
}
