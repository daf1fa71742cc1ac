package tariff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// exact renders a decimal with its representation (coefficient and exponent), so that two
// results are "identical" only if they are the same number written the same way.
func exact(x decimal.Decimal) string {
	return x.Coefficient().String() + "e" + fmt.Sprint(x.Exponent())
}

// render is a canonical, complete rendering of an assessment (or an error) for comparisons.
func render(a Assessment, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "blocked=%v charges-nil=%v flags-nil=%v\n", a.Blocked, a.Charges == nil, a.Flags == nil)
	for _, c := range a.Charges {
		fmt.Fprintf(&b, "charge %s|%s|%q|%q|%s|%s|%s|%q|%s|%v|%v|%v|%s|%q|%s|%q|%+v\n", c.Kind, c.MeasureID, c.Label, c.LabelZH, c.Jurisdiction,
			c.Basis, exact(c.BaseAmount), c.Rate, exact(c.Amount), c.Payable, c.Included, c.Recoverable, c.TaxTerms, c.Quota,
			exact(c.Quantity), c.Legal, c.Provenance)
	}
	for _, f := range a.Flags {
		fmt.Fprintf(&b, "flag %s|%s|%q|%s|%q|%+v\n", f.Code, f.Severity, f.Message, f.MeasureID, f.Legal, f.Provenance)
	}
	fmt.Fprintf(&b, "trail-nil=%v\n", a.Trail == nil)
	for _, c := range a.Trail {
		fmt.Fprintf(&b, "trail %s|%v|%q\n", c.MeasureID, c.Applied, c.Reason)
	}
	return b.String()
}

// equivalencePolicies are the policies the engine is compared with the reference on: the
// baseline, the baseline with scenario additions of every shape (quotas, MIN/MAX, specific
// amounts, gross payment, tax amount bases, subsidies, customs alternatives), pricing's test
// policy and its scenario, and small documents made of the worked measures.
func equivalencePolicies(t *testing.T) map[string]*Policy {
	t.Helper()
	base := baseline(t)
	ps := map[string]*Policy{"baseline": base}
	extra := base
	extras := []string{
		`{id: x-quota, kind: additional_duty, jurisdiction: EU, origin: [CN], destination: [EU27], products: [gpu_hours, bare_metal], rate: "10% + 0.01 EUR/gpu_hour", base: net_price, quota: {period: calendar_year, volume: "50000", unit: gpu_hour, in_quota_rate: "1%"}, legal: [x]}`,
		`{id: x-minmax, kind: fee, jurisdiction: EU, origin: ["*"], destination: [EU27], rate: "5% MIN 30.00 EUR/unit", products: [hardware], base: customs_value, legal: [x]}`,
		`{id: x-kwh, kind: levy, jurisdiction: DE, origin: ["*"], destination: [DE], rate: "0.02 CNY/kwh MAX 1%", base: net_price, label: "energy {rate}", label_zh: "能源 {rate}", legal: [x]}`,
		`{id: x-alt1, kind: customs_duty, jurisdiction: EU, origin: [CN], destination: [EU27], hs: ["8471"], rate: "3%", base: customs_value, legal: [x]}`,
		`{id: x-alt2, kind: customs_duty, jurisdiction: EU, origin: ["*"], destination: [EU27], hs: ["8471.50"], rate: "2% + 1 USD/unit", base: customs_value, quota: {period: calendar_year, volume: "20", unit: unit, in_quota_rate: "0%"}, legal: [x]}`,
		`{id: x-vpd, kind: levy, jurisdiction: EU, origin: ["*"], destination: [EU27], rate: "1%", base: value_plus_duties, legal: [x]}`,
		`{id: x-surtax, kind: surtax, jurisdiction: DE, origin: ["*"], destination: ["*"], rate: "12%", base: tax_amount, legal: [x]}`,
		`{id: x-export, kind: export_duty, jurisdiction: CN, direction: export, origin: [CN], destination: ["*"], rate: "2%", base: net_price, regions: [cn-ningxia], legal: [x]}`,
		`{id: x-rebate, kind: export_rebate, jurisdiction: CN, direction: export, origin: [CN], destination: [EU27], rate: "1%", base: net_price, recoverable: true, legal: [x]}`,
		`{id: x-block, kind: gate, jurisdiction: EU, origin: [CN], destination: [EU27], models: [L20], action: block, legal: [x]}`,
		`{id: x-pd, kind: gate, jurisdiction: EU, origin: ["*"], destination: [CN], personal_data: false, tpp_max: "13000", action: warn, legal: [x]}`,
		`{id: x-sub, kind: subsidy, jurisdiction: CN, origin: ["*"], destination: [CN], share_max: "30%", cap: "1000 EUR", label: "voucher {rate}", legal: [x]}`,
		`{id: x-wht, kind: withholding, jurisdiction: DE, origin: [FR], destination: [DE], rate: "6%", base: gross_payment, valid_from: 2024-09-01, valid_to: 2025-08-01, legal: [x]}`,
		// Later language: establishment, headquarters, purposes, lists, fab, class, unknown rates,
		// income tax withheld on the payment net of VAT, provenance.
		`{id: x-sup, kind: levy, jurisdiction: FR, origin: ["*"], destination: [FR], supplier: [EU27], supplier_except: [DE], rate: "1%", base: net_price, source: "https://example.org/x", as_of: 2026-01-01, confidence: estimate, note: n, legal: [x]}`,
		`{id: x-hq, kind: gate, jurisdiction: US, destination: ["*"], buyer_headquarters: [CN, HK], export_class: [3a090a, unknown], action: license_required, confidence: sourced, source: s, legal: [x]}`,
		`{id: x-purpose, kind: subsidy, jurisdiction: CN, origin: [CN], destination: [CN], purposes: [training, other], listed: [cn-x-list, cn-y-list], share_max: "10%", legal: [x]}`,
		`{id: x-fab, kind: additional_duty, jurisdiction: CN, destination: [CN], fab_country: [US, KR], rate: "10%", base: customs_value, legal: [x]}`,
		`{id: x-unknown-vat, kind: vat, jurisdiction: GB, origin: ["*"], destination: [GB], rate: unknown, priority: 98, legal: [x]}`,
		`{id: x-unknown-duty, kind: additional_duty, jurisdiction: EU, origin: [CN], destination: [EU27], rate: unknown, message: "suspension lapsed", flag: duty.unknown, valid_from: 2026-01-01, legal: [x]}`,
		`{id: x-unknown-customs, kind: customs_duty, jurisdiction: EU, origin: [US], destination: [EU27], hs: ["8471"], rate: unknown, legal: [x]}`,
		`{id: x-cit, kind: withholding, jurisdiction: CN, destination: [CN], supplier_except: [CN], products: [bare_metal, gpu_hours], buyer: [business], stacking_group: cit, rate: "10%", base: payment_net_of_vat, recoverable: false, legal: [x]}`,
		`{id: x-wht-bm, kind: withholding, jurisdiction: CN, destination: [CN], supplier_except: [CN], products: [bare_metal], buyer: [business], rate: "13%", base: gross_payment, priority: 5, legal: [x]}`,
		`{id: x-density, kind: gate, jurisdiction: US, origin: ["*"], destination: [CN, HK], tpp_min: "1600", density_min: "5.92", action: warn, legal: [x]}`,
	}
	for i, m := range extras {
		extra = withMeasure(t, extra, m)
		// A few stages of the stack suffice (each runs the whole suite against the reference):
		// the first additions, the older language complete, and everything.
		if i == 0 || i == 6 || i == 12 || i == len(extras)-1 {
			ps[fmt.Sprintf("baseline+%d", i)] = extra
		}
	}
	b, err := os.ReadFile("../pricing/testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pp, err := ParsePolicy("policy.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	ps["pricing"] = pp
	sb, err := os.ReadFile("../pricing/testdata/scenario-duty10.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScenario("scenario.yaml", sb)
	if err != nil {
		t.Fatal(err)
	}
	if ps["pricing+duty"], err = sc.Apply(pp); err != nil {
		t.Fatal(err)
	}
	for name, ms := range map[string]string{
		"vat":     mDEVATB2B + mDEVATB2C + mFRVATB2C + mIEVATB2C + mFIVAT + mDEImport,
		"goods":   mEUITA + mRetaliate + mDEImport,
		"cn":      mCNWHT + mCNSurtax + mVoucher,
		"gates":   mGateA1 + mGateA2 + mGatePD + mGateBlock,
		"quota":   mQuotaLevy + mDEVATB2C,
		"levies":  levy("l1", "levy", "0.12 EUR/gpu_hour") + levy("l2", "fee", "1 CNY/gpu_hour", "stacking_group: g") + levy("l3", "fee", "5% MIN 30.00 EUR/unit", "products: [hardware]", "stacking_group: g", "priority: 1"),
		"levies2": levy("l4", "levy", "10% - 0.01 EUR/gpu_hour") + levy("l5", "levy", "10% MAX 0.50 EUR/gpu_hour", "buyer: [consumer]"),
	} {
		ps[name] = testPolicy(t, ms)
	}
	return ps
}

// equivalenceSupplies extends supplies with what they leave out: capacity regions, models
// spelled in other cases, TPP written with trailing zeros, quota ledgers of every state,
// subsidy already used, missing FX rates, and invalid supplies.
func equivalenceSupplies(n int) []Supply {
	r := rand.New(rand.NewPCG(3, 4))
	out := supplies(n)
	regions := []string{"", "cn-ningxia-zhongwei", "cn-ningxia", "cn-beijing-3", "eu-frankfurt"}
	for i := range out {
		s := &out[i]
		s.Region = regions[r.IntN(len(regions))]
		switch r.IntN(6) {
		case 0:
			s.Accelerator.Model = strings.ToUpper(s.Accelerator.Model)
		case 1:
			s.Accelerator.TPP = s.Accelerator.TPP.Mul(d("1.00"))
		}
		switch r.IntN(6) {
		case 0:
			s.Quota = ledger{"x-quota": d("0"), "x-alt2": d("0"), "corridor": d("0")}
		case 1:
			s.Quota = ledger{"x-quota": d("1000"), "x-alt2": d("3"), "corridor": d("100")}
		case 2:
			s.Quota = ledger{"x-quota": d("49999"), "x-alt2": d("19"), "corridor": d("4999999")}
		case 3:
			s.Quota = ledger{} // every balance is an error
		}
		if r.IntN(4) == 0 {
			s.SubsidyUsed = map[string]decimal.Decimal{"x-sub": d("900"), "voucher": d("1000"), "cn-voucher-beijing": d("10")}
		}
		// Establishment, headquarters, purposes, lists, fab and terms.
		switch r.IntN(5) {
		case 0:
			s.SupplierCountry = []string{"DE", "CN", "FI", "NL"}[r.IntN(4)]
		case 1:
			s.SupplierCountry = "FI"
			s.SupplierEstablishments = [][]string{{"DE"}, {"FR", "CN"}}[r.IntN(2)]
		}
		if r.IntN(3) == 0 {
			s.BuyerHeadquarters = []string{"CN", "HK", "US", "DE"}[r.IntN(4)]
		}
		s.Purpose = []Purpose{"", PurposeTraining, PurposeInference, PurposeOther}[r.IntN(4)]
		if r.IntN(3) == 0 {
			s.Listings = [][]string{{"cn-x-list"}, {"cn-z-list", "cn-y-list"}, {"cn-z-list"}}[r.IntN(3)]
		}
		s.Accelerator.FabCountry = []string{"", "TW", "US", "CN"}[r.IntN(4)]
		if r.IntN(6) == 0 {
			s.Accelerator = []Accelerator{{Model: "mystery", VendorCountry: "US", TPP: d("3000")}, {Model: "p800", VendorCountry: "CN"},
				{Model: "b-class", VendorCountry: "US", TPP: d("3000"), Density: d("2"), FabCountry: "US"}}[r.IntN(3)]
		}
		s.TaxTerms = []TaxTerms{"", TaxTermsNetOfCNTax, TaxTermsInclusive}[r.IntN(3)]
		switch r.IntN(40) {
		case 0:
			s.Rates = nil
		case 1:
			s.Currency = ""
		case 2:
			s.NetPrice = d("-1")
		case 3:
			s.Currency = "USD"
		}
		if r.IntN(5) == 0 {
			s.Freight, s.Insurance = d("120.5"), d("3")
		}
		if r.IntN(10) == 0 {
			s.NetPrice = decimal.New(int64(r.IntN(1000)), 3) // a positive exponent
		}
		switch r.IntN(30) { // values no validator checked
		case 0:
			s.Origin = []string{"", "cn", "EU27", "*"}[r.IntN(4)]
		case 1:
			s.Destination = []string{"", "de", "EU27", "*"}[r.IntN(4)]
		case 2:
			s.Product = "foo"
		case 3:
			s.BuyerType = ""
		case 4:
			s.HSCode = "84a"
		case 5:
			s.TaxTerms = "gross"
		case 6:
			s.Purpose = "mining"
		}
	}
	return out
}

var equivalenceDates = append([]time.Time{day("2019-04-01"), day("2025-12-31"),
	time.Date(2025, 12, 31, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))}, propertyDates...)

// referenceOutcomes are texts TestAssessMatchesReference requires some assessment of the
// reference to show, so that the comparison covers every path: errors, blocks, quotas, caps,
// customs alternatives, competition, dates, unknown rates, tax terms, and a failure of every
// condition of the language.
var referenceOutcomes = []string{"error:", "blocked=true", "in_quota", "out_of_quota", "capped", "alternatives", "superseded", "quota.low",
	"not valid on", "rate.unknown", "duty.unknown", "net_of_cn_tax", "payment_net_of_vat", "supplier established", "buyer headquarters",
	"purpose", "export class", "not on any of the lists", "fab country", "no accelerator named", "vendor country", "buyer region",
	`region \"`, "personal data", "accelerator model", "TPP ", "performance density"}

// TestAssessMatchesReference checks that the engine returns exactly what the reference
// implementation (reference_test.go) returns, cold (first assessment of a supply shape) and
// warm (memoized), for thousands of supplies and dates on every equivalence policy.
func TestAssessMatchesReference(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 40
	}
	outcomes := map[string]int{}
	ss := equivalenceSupplies(n)
	for name, p := range equivalencePolicies(t) {
		bad := 0
		for _, at := range equivalenceDates {
			for i, s := range ss {
				want := render(refAssess(p, s, at))
				for _, k := range referenceOutcomes {
					if strings.Contains(want, k) {
						outcomes[k]++
					}
				}
				for round := 0; round < 2; round++ {
					if got := render(Assess(p, s, at)); got != want && bad < 3 {
						bad++
						t.Errorf("%s: supply %d on %s (round %d):\n got %s\nwant %s", name, i, at, round, got, want)
					}
				}
			}
		}
	}
	for _, k := range referenceOutcomes {
		if outcomes[k] == 0 && !testing.Short() {
			t.Errorf("no assessment shows %q: the comparison misses a path", k)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	// A hand-built policy (no parse-time index) and a nil one.
	hand := &Policy{ID: "hand", Areas: map[string]Area{"EU27": {ID: "EU27", Members: []Membership{{Country: "DE"}}}},
		Measures: []Measure{{ID: "v", Kind: KindVAT, Jurisdiction: "DE", Direction: DirectionImport, Origin: []string{"*"},
			Destination: []string{"EU27"}, Rate: mustExpr(t, "19%"), Base: BaseNetPrice, Legal: []string{"x"}}}}
	// Dates that are not midnight UTC, an area named like what a supply might send, products
	// and buyers the language does not know.
	cst := time.FixedZone("CST", 8*3600)
	odd := &Policy{ID: "odd", Areas: map[string]Area{
		"EU27": {ID: "EU27", Members: []Membership{{Country: "DE", ValidFrom: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)},
			{Country: "FR", ValidTo: time.Date(2026, 11, 28, 7, 0, 0, 0, cst)}, {Country: "FI", ValidTo: time.Date(2026, 11, 29, 7, 0, 0, 0, cst)}}},
		"*": {ID: "*", Members: []Membership{{Country: "CN"}}}},
		Measures: []Measure{
			{ID: "a", Kind: KindLevy, Jurisdiction: "EU", Origin: []string{"*", "EU27"}, Destination: []string{"EU27"},
				Rate: mustExpr(t, "1%"), Base: BaseNetPrice, Legal: []string{"x"}, ValidFrom: time.Date(2026, 11, 28, 0, 0, 1, 0, time.UTC)},
			{ID: "b", Kind: KindLevy, Jurisdiction: "EU", Origin: []string{"EU27"}, Destination: []string{"*"}, OriginExcept: []string{"cn"},
				Products: []Product{"foo", ProductGPUHours}, Buyer: []BuyerType{"", BuyerConsumer},
				Rate: mustExpr(t, "2%"), Base: BaseNetPrice, Legal: []string{"x"}, ValidTo: time.Date(2026, 11, 28, 23, 0, 0, 0, cst)},
			{ID: "c", Kind: KindFee, Jurisdiction: "EU", Origin: []string{"*"}, Destination: []string{"EU27", "*"}, DestinationExcept: []string{"EU27"},
				Rate: mustExpr(t, "3%"), Base: BaseNetPrice, Legal: []string{"x"}, SuspendedBy: "what-if"},
		}}
	for k, hp := range []*Policy{hand, odd, hand, odd} {
		if k >= 2 {
			hp.idx = compile(hp) // as if parsed: memoized
		}
		for i, s := range ss {
			for _, at := range []time.Time{day("2026-11-27"), day("2026-11-28"), day("2026-11-29"), day("2026-11-30")} {
				if got, want := render(Assess(hp, s, at)), render(refAssess(hp, s, at)); got != want {
					t.Fatalf("%s policy, supply %d on %s:\n got %s\nwant %s", hp.ID, i, at, got, want)
				}
			}
		}
	}
	if got, want := render(Assess(nil, ss[0], day(dateDefault))), render(refAssess(nil, ss[0], day(dateDefault))); got != want {
		t.Errorf("nil policy: got %s want %s", got, want)
	}
}

func must(a Assessment, err error) Assessment {
	if err != nil {
		panic(err)
	}
	return a
}

func mustExpr(t *testing.T, src string) *Expr {
	t.Helper()
	e, err := ParseExpr(src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestAssessUnderPressureMatchesReference compares the engine with the reference when its
// cache can keep almost nothing (see memo.go): outcomes resolved and not kept, routes that
// start new generations, outcomes resolved again after a renewal.
func TestAssessUnderPressureMatchesReference(t *testing.T) {
	n := 30
	if testing.Short() {
		n = 12
	}
	// In the order made, most supplies start a new route; sorted by route, they meet the
	// routes' other outcomes while the budget is spent.
	mixed := equivalenceSupplies(n)
	byRoute := slices.Clone(mixed)
	slices.SortStableFunc(byRoute, func(a, b Supply) int {
		return strings.Compare(string(a.Product)+a.HSCode+"|"+a.Origin+"|"+a.Destination, string(b.Product)+b.HSCode+"|"+b.Origin+"|"+b.Destination)
	})
	for name, p := range equivalencePolicies(t) {
		c := p.index()
		for _, trails := range []int64{1, 3} {
			c.cache.budget = trails * int64(len(p.Measures))
			g0 := c.cache.gen.Load()
			for round, ss := range [][]Supply{mixed, byRoute, byRoute} {
				for _, at := range equivalenceDates[:2] {
					for i, s := range ss {
						if got, want := render(Assess(p, s, at)), render(refAssess(p, s, at)); got != want {
							t.Fatalf("%s, %d trails: supply %d on %s (round %d):\n got %s\nwant %s", name, trails, i, at, round, got, want)
						}
					}
				}
			}
			if c.cache.gen.Load() == g0 {
				t.Errorf("%s: no new generation: the test misses the renewal", name)
			}
		}
	}
	// Past the budget a new outcome is the caller's own, and the cache does not keep it.
	p := baseline(t)
	c := p.index()
	c.cache.budget = int64(len(p.Measures)) // one trail: the route's
	a, b := service("CN", "DE", BuyerBusiness, "1", "1"), service("CN", "DE", BuyerConsumer, "1", "1")
	at := day(dateDefault)
	if _, own := c.matched(p, &a, at); own {
		t.Fatal("the first outcome of a route is kept (it is the route's template)")
	}
	if r, own := c.matched(p, &b, at); !own {
		t.Fatal("a second outcome past the budget should be the caller's own")
	} else if got, want := render(Assessment{Trail: r.trail}, nil), render(Assessment{Trail: must(refAssess(p, b, at)).Trail}, nil); got != want {
		t.Fatalf("the trail of an outcome not kept:\n got %s\nwant %s", got, want)
	}
	if r, own := c.matched(p, &a, at); own || r.trail == nil {
		t.Fatal("the kept outcome is served from the cache")
	}
}

// TestAssessConcurrentMatchesReference assesses the same policy from many goroutines at once
// (run it with -race): results must not depend on what other goroutines memoized, with a
// cache that keeps everything and with one that keeps almost nothing.
func TestAssessConcurrentMatchesReference(t *testing.T) {
	for _, trails := range []int64{0, 3} { // 0: the default budget
		p := equivalencePolicies(t)["baseline+12"]
		if trails > 0 {
			p.index().cache.budget = trails * int64(len(p.Measures))
		}
		assessConcurrently(t, p)
	}
}

func assessConcurrently(t *testing.T, p *Policy) {
	ss := equivalenceSupplies(60)
	want := make([]string, len(ss))
	for i, s := range ss {
		want[i] = render(refAssess(p, s, day(dateDefault)))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 3 * len(ss) {
				i := (k*7 + g) % len(ss)
				a, err := Assess(p, ss[i], day(dateDefault))
				if got := render(a, err); got != want[i] {
					t.Errorf("goroutine %d supply %d:\n got %s\nwant %s", g, i, got, want[i])
					return
				}
				// Charges and flags are the caller's and must not leak into memos; the trail is
				// read-only by contract (Assessment.Trail) and shared, so it is not scribbled on.
				if err == nil && len(a.Flags) > 0 {
					a.Flags[0].Message = "scribbled"
				}
			}
		})
	}
	wg.Wait()
}

// A policy with more areas than one word of bits holds: memberships past the 64th area are
// kept in areaSet.more, and matching must read them as it reads the first 64.
func TestAssessManyAreasMatchesReference(t *testing.T) {
	var b strings.Builder
	b.WriteString("format: corridor.policy/v1\nid: many\nareas:\n")
	for i := range 70 {
		// Area i has DE from 2026-01-01 + i days, and FR always when i is odd.
		fmt.Fprintf(&b, "  A%02d: {members: [{country: DE, valid_from: %s}", i, day("2026-01-01").AddDate(0, 0, i).Format(dateLayout))
		if i%2 == 1 {
			b.WriteString(", FR")
		}
		b.WriteString("]}\n")
	}
	b.WriteString("measures:\n")
	for _, a := range []string{"A03", "A64", "A69"} {
		fmt.Fprintf(&b, "  - {id: levy-%s, kind: levy, jurisdiction: EU, origin: [\"*\"], destination: [%s], rate: \"1%%\", base: net_price, legal: [x]}\n", a, a)
		fmt.Fprintf(&b, "  - {id: fee-%s, kind: fee, jurisdiction: EU, origin: [%s], origin_except: [A66], destination: [\"*\"], supplier: [A67], rate: \"2%%\", base: net_price, legal: [x]}\n", a, a)
	}
	p, err := ParsePolicy("many.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, at := range []string{"2026-01-02", "2026-03-06", "2026-03-11", "2026-06-01"} {
		for _, route := range [][2]string{{"DE", "DE"}, {"FR", "DE"}, {"DE", "FR"}, {"CN", "FR"}} {
			s := service(route[0], route[1], BuyerBusiness, "1", "100")
			for round := range 2 {
				got, want := render(Assess(p, s, day(at))), render(refAssess(p, s, day(at)))
				if got != want {
					t.Fatalf("%v on %s (round %d):\n got %s\nwant %s", route, at, round, got, want)
				}
				applied += strings.Count(got, "|true|\"applied")
			}
		}
	}
	if applied == 0 {
		t.Error("no measure applied: the test misses the areas past the 64th")
	}
}
