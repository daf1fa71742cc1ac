package tariff

import (
	"strings"
	"testing"
)

func TestWithMeasureField(t *testing.T) {
	base := testPolicy(t, mQuotaLevy+mDEVATB2C+mVoucher)
	cnDE := service("CN", "DE", BuyerConsumer, "10000", "18750")
	at := day(dateDefault)

	p, err := base.WithMeasureField("corridor", "rate", "12.5%")
	if err != nil {
		t.Fatal(err)
	}
	if p.Hash == base.Hash || base.Measures[0].Rate.Source != "10%" {
		t.Fatalf("hash %q, base rate %q: the copy must be new and the base unchanged", p.Hash, base.Measures[0].Rate.Source)
	}
	a, err := Assess(p, cnDE, at)
	if err != nil {
		t.Fatal(err)
	}
	// Without a ledger the quota is fully available: in quota at 0%; the VAT is 19% of 18,750.
	if got := chargesString(a.Charges); got != `corridor=0 payable=true quota="in_quota"; de-vat-b2c=3562.5 payable=true quota=""; ` {
		t.Errorf("charges = %s", got)
	}
	// Exhausted quota: the swept out-of-quota rate applies, 12.5% × 18,750 = 2,343.75.
	cnDE.Quota = ledger{"corridor": d("0")}
	a, _ = Assess(p, cnDE, at)
	if got := chargesString(a.Charges); !strings.HasPrefix(got, `corridor=2343.75 payable=true quota="out_of_quota"`) {
		t.Errorf("charges = %s", got)
	}
	// A smaller quota volume moves the low-balance flag (a tenth of the volume).
	v, err := base.WithMeasureField("corridor", "quota.volume", "1000")
	if err != nil {
		t.Fatal(err)
	}
	cnDE.Quota = ledger{"corridor": d("500")}
	if a, _ := Assess(v, cnDE, at); len(a.Flags) != 0 {
		t.Errorf("500 of 1,000 left is not low: flags %v", a.Flags)
	}
	if a, _ := Assess(base, cnDE, at); len(a.Flags) != 1 || a.Flags[0].Code != "quota.low" {
		t.Errorf("500 of 5,000,000 left is low: flags %v", a.Flags)
	}
	// The voucher's share: 50% of a CNY 100 contract (the cap of CNY 2M does not bind).
	s, err := base.WithMeasureField("voucher", "share_max", "50%")
	if err != nil {
		t.Fatal(err)
	}
	a, _ = Assess(s, service("CN", "CN", BuyerBusiness, "1", "100"), at)
	if got := chargesString(a.Charges); got != `voucher=-50 payable=true quota=""; ` {
		t.Errorf("charges = %s", got)
	}

	for _, c := range []struct{ id, field, value, want string }{
		{"coridor", "rate", "5%", `no measure "coridor" (did you mean "corridor"?)`},
		{"corridor", "rat", "5%", `field "rat" cannot be set`},
		{"corridor", "rate", "5 %%", "offset 2"},
		{"corridor", "quota.volume", "-3", "positive"},
		{"corridor", "share_max", "5%", "belongs to subsidies"},
		{"voucher", "rate", "5%", "a subsidy has no rate"},
		{"voucher", "share_max", "150%", "between 0% and 100%"},
		{"de-vat-b2c", "quota.volume", "10", "no quota"},
		{"corridor", "rate", "1 EUR/unit", "rate per unit on product"},
	} {
		_, err := base.WithMeasureField(c.id, c.field, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s.%s=%s: err %v, want %q", c.id, c.field, c.value, err, c.want)
		}
	}
}
