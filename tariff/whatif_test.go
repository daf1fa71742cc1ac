package tariff

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
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

// TestPropertyDerivedPoliciesMatchFreshOnes derives policies from the baseline (with the
// scenario additions of the equivalence suite) one field at a time, in chains, and checks
// every derived policy against the policy a scenario gives for the same change, compiled
// afresh, and against the reference engine. Rates, quota figures and subsidy shares cannot
// change matching, so those derived policies share their parent's cache, which the parent's
// assessments have filled beforehand: a result kept for the parent that did not hold for the
// derived policy would show here.
func TestPropertyDerivedPoliciesMatchFreshOnes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := equivalencePolicies(t)["baseline+12"]
	n := 40
	if testing.Short() {
		n = 12
	}
	ss := equivalenceSupplies(n)
	dates := []time.Time{day("2025-12-31"), day(dateDefault)}
	shared := 0
	p := base
	for step := range 30 {
		if step%6 == 0 {
			p = base // start a new chain
		}
		m := &p.Measures[r.IntN(len(p.Measures))]
		field, value, yaml := derivedChange(r, m)
		q, err := p.WithMeasureField(m.ID, field, value)
		if err != nil {
			continue // a change the checker refuses (a conflict, say)
		}
		sc, err := ParseScenario("s.yaml", []byte("format: corridor.scenario/v1\nid: s\nbase: baseline\nchanges:\n  - modify: {id: "+m.ID+", "+yaml+"}\n"))
		if err != nil {
			t.Fatalf("%s.%s: %v", m.ID, field, err)
		}
		fresh, err := sc.Apply(p)
		if err != nil {
			t.Fatalf("%s.%s: %v", m.ID, field, err)
		}
		if q.index().cache == p.index().cache {
			shared++
		}
		for _, at := range dates {
			for i, s := range ss {
				Assess(p, s, at) // the parent first: its results fill a cache q may share
				got, want := render(Assess(q, s, at)), render(Assess(fresh, s, at))
				if got != want {
					t.Fatalf("step %d, %s.%s = %s, supply %d on %s:\n got %s\nwant %s", step, m.ID, field, value, i, at, got, want)
				}
				if ref := render(refAssess(fresh, s, at)); got != ref {
					t.Fatalf("step %d, %s.%s = %s, supply %d on %s: differs from the reference:\n got %s\nwant %s", step, m.ID, field, value, i, at, got, ref)
				}
			}
		}
		p = q
	}
	if shared == 0 {
		t.Error("no derived policy shared its parent's cache: the test misses the sharing")
	}
}

// derivedChange picks a change of measure m: a field that cannot change matching where m has
// one (rate, quota, share, cap) or, one time in three, one that can (priority, dates, a
// destination, a gate's label).
func derivedChange(r *rand.Rand, m *Measure) (field, value, yaml string) {
	if r.IntN(3) > 0 {
		switch {
		case m.Quota != nil && r.IntN(2) == 0:
			vol := strconv.Itoa(1000 + r.IntN(100000))
			in := "0%"
			if m.Quota.InQuotaRate != nil {
				in = m.Quota.InQuotaRate.Source
			}
			return "quota.volume", vol, fmt.Sprintf(`quota: {period: %s, volume: "%s", unit: %s, in_quota_rate: "%s"}`, m.Quota.Period, vol, m.Quota.Unit, in)
		case m.Kind == KindSubsidy:
			v := strconv.Itoa(5+r.IntN(40)) + "%"
			return "share_max", v, `share_max: "` + v + `"`
		case m.Kind != KindGate && m.Rate != nil:
			v := strconv.Itoa(r.IntN(30)) + "." + strconv.Itoa(r.IntN(10)) + "%"
			return "rate", v, `rate: "` + v + `"`
		}
	}
	switch r.IntN(4) {
	case 0:
		v := strconv.Itoa(r.IntN(9))
		return "priority", v, "priority: " + v
	case 1:
		return "valid_to", "2026-01-01", "valid_to: 2026-01-01"
	case 2:
		return "label", "relabelled {rate}", `label: "relabelled {rate}"`
	}
	return "destination", "[DE, FR, CN]", "destination: [DE, FR, CN]"
}
