package tariff

import (
	"errors"
	"strings"
	"testing"
)

// WithMeasureField gives the policy a scenario's modify would give: the same assessment,
// field by field, on every supply of the property suite.
func TestWithMeasureFieldEqualsScenarioModify(t *testing.T) {
	base := testPolicy(t, mDEVATB2B+mDEVATB2C+mFIVAT+mQuotaLevy+mVoucher+mCNWHT)
	cases := []struct{ id, field, value, yaml string }{
		{"de-vat-b2c", "rate", "21%", `rate: "21%"`},
		{"de-vat-b2c", "valid_to", "2025-12-31", `valid_to: 2025-12-31`},
		{"corridor", "quota.volume", "4000", `quota: {period: calendar_year, volume: "4000", unit: gpu_hour, in_quota_rate: "0%"}`},
		{"corridor", "quota.in_quota_rate", "2%", `quota: {period: calendar_year, volume: "5000000", unit: gpu_hour, in_quota_rate: "2%"}`},
		{"voucher", "share_max", "35%", `share_max: "35%"`},
		{"voucher", "cap", "10 EUR", `cap: "10 EUR"`},
		{"cn-wht", "buyer", "[business, consumer]", `buyer: [business, consumer]`},
		{"fi-vat-24", "destination", "FI, DE", `destination: [FI, DE]`},
		{"de-vat-b2b", "label", "DE VAT: {rate}, reverse charge", `label: "DE VAT: {rate}, reverse charge"`},
	}
	for _, tc := range cases {
		got, err := base.WithMeasureField(tc.id, tc.field, tc.value)
		if err != nil {
			t.Errorf("%s.%s = %s: %v", tc.id, tc.field, tc.value, err)
			continue
		}
		s, err := ParseScenario("s.yaml", []byte("format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - modify: {id: "+tc.id+", "+tc.yaml+"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Apply(base)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != base.ID || got.Hash == base.Hash || got.Version != base.Version {
			t.Errorf("%s.%s: id %q hash %q", tc.id, tc.field, got.ID, got.Hash)
		}
		for _, sup := range supplies(150) {
			sup.Quota = ledger{"corridor": d("3000")}
			for _, on := range []string{"2025-06-30", dateDefault} {
				a, b := render(Assess(got, sup, day(on))), render(Assess(want, sup, day(on)))
				if a != b {
					t.Fatalf("%s.%s = %s differs from the scenario on %+v %s:\n%s\nvs\n%s", tc.id, tc.field, tc.value, sup, on, a, b)
				}
			}
		}
	}
	// The base is untouched.
	if base.Measures[1].Rate.Source != "19%" || base.Measures[1].ChangedBy != "" {
		t.Error("WithMeasureField changed its base")
	}
}

// A German consumer's 18,750.00 at 21% instead of 19%: 3,937.50 instead of 3,562.50; derived
// policies chain (then 7,000 GPU-hours of the 10,000 fall outside a 3,000-hour quota).
func TestWithMeasureFieldWorked(t *testing.T) {
	base := testPolicy(t, mDEVATB2C+mQuotaLevy)
	p, err := base.WithMeasureField("de-vat-b2c", "rate", "21%")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Assess(p, service("US", "DE", BuyerConsumer, "10000", "18750"), day(dateDefault))
	if got := chargesString(a.Charges); got != `de-vat-b2c=3937.5 payable=true quota=""; ` {
		t.Errorf("21%%: %s", got)
	}
	if p.Measures[0].ChangedBy != WhatIfSource || p.Measures[0].Label != "" {
		t.Errorf("changed measure: %+v", p.Measures[0])
	}
	q, err := p.WithMeasureField("corridor", "quota.volume", "3000")
	if err != nil {
		t.Fatal(err)
	}
	s := service("CN", "DE", BuyerConsumer, "10000", "18750")
	s.Quota = ledger{"corridor": d("3000")}
	a, _ = Assess(q, s, day(dateDefault))
	// In quota 18,750 × 3,000 ÷ 10,000 = 5,625 at 0%; out of quota 13,125 × 10% = 1,312.5;
	// VAT 21% of 18,750 = 3,937.5.
	if got := chargesString(a.Charges); got != `corridor=0 payable=true quota="in_quota"; corridor=1312.5 payable=true quota="out_of_quota"; de-vat-b2c=3937.5 payable=true quota=""; ` {
		t.Errorf("quota 3000: %s", got)
	}
}

func TestWithMeasureFieldErrors(t *testing.T) {
	base := testPolicy(t, mDEVATB2B+mDEVATB2C+mQuotaLevy)
	for _, tc := range []struct {
		id, field, value string
		is               error
		want             string
	}{
		{"de-vat-b2x", "rate", "21%", ErrUnknownMeasure, `tariff: unknown measure "de-vat-b2x" in policy "test" (did you mean "de-vat-b2b"?)`},
		{"de-vat-b2c", "rat", "21%", ErrUnknownField, `tariff: unknown measure field "rat" of a measure (did you mean "rate"?)`},
		{"de-vat-b2c", "id", "x", ErrUnknownField, `tariff: the id of a measure cannot be changed`},
		{"corridor", "quota.volum", "1", ErrUnknownField, `tariff: unknown measure field "quota.volum" of a quota (did you mean "quota.volume"?)`},
		{"de-vat-b2c", "quota.volume", "1", nil, `tariff: measure "de-vat-b2c" has no quota`},
		{"de-vat-b2c", "rate", "19 %", nil, `what-if:1:4: [de-vat-b2c] rate: bad duty expression "19 %": expected '%' or a currency code like EUR after the number`},
		{"de-vat-b2c", "destination", "[DE, XX]", nil, `what-if:1:6: [de-vat-b2c] destination: unknown country or area "XX"`},
		{"de-vat-b2c", "valid_from", "2025-13-01", nil, `what-if:1:1: [de-vat-b2c] valid_from: bad date "2025-13-01"`},
		{"corridor", "quota.volume", "-5", nil, `what-if:1:1: [corridor] quota.volume: must not be negative`},
		{"de-vat-b2c", "buyer", "business", nil, `[de-vat-b2c] conflicts with de-vat-b2b`},
	} {
		_, err := base.WithMeasureField(tc.id, tc.field, tc.value)
		if err == nil {
			t.Errorf("%s.%s = %s: accepted", tc.id, tc.field, tc.value)
			continue
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s.%s: %v is not %v", tc.id, tc.field, err, tc.is)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s.%s = %s:\n got %v\nwant %s", tc.id, tc.field, tc.value, err, tc.want)
		}
	}
}
