package tariff

import (
	"strings"
	"testing"
)

const scenarioDoc = `format: corridor.scenario/v1
id: what-if
base: test
title: EU levy, dearer German VAT, no voucher
changes:
  - add: {id: eu-levy, kind: additional_duty, jurisdiction: EU, origin: [CN], destination: [EU27], products: [gpu_hours], rate: "10%", base: net_price, legal: [hypothetical]}
  - modify: {id: de-vat-b2c, rate: "21%"}
  - suspend: {id: voucher}
fx_shocks: {CNY: "-5%", USD: "+2.5%"}
`

func TestScenarioApply(t *testing.T) {
	base := testPolicy(t, mDEVATB2C+mVoucher)
	s, err := ParseScenario("what-if.yaml", []byte(scenarioDoc))
	if err != nil {
		t.Fatal(err)
	}
	if !s.FXShocks["CNY"].Equal(d("-0.05")) || !s.FXShocks["USD"].Equal(d("0.025")) {
		t.Errorf("shocks = %v", s.FXShocks)
	}
	p, err := s.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "test+what-if" || p.Hash == base.Hash || len(p.Hash) != 64 {
		t.Errorf("id %q hash %q", p.ID, p.Hash)
	}
	// The base is untouched.
	if base.Measures[0].Rate.Source != "19%" || base.Measures[1].SuspendedBy != "" || len(base.Measures) != 2 {
		t.Error("Apply changed its base")
	}
	a, err := Assess(p, service("CN", "DE", BuyerConsumer, "10000", "18750"), day(dateDefault))
	if err != nil {
		t.Fatal(err)
	}
	// Levy 1,875; VAT 21% of the net price 3,937.50.
	if got := chargesString(a.Charges); got != `eu-levy=1875 payable=true quota=""; de-vat-b2c=3937.5 payable=true quota=""; ` {
		t.Errorf("charges = %s", got)
	}
	b, _ := Assess(p, service("CN", "CN", BuyerBusiness, "1", "100"), day(dateDefault))
	for _, c := range b.Trail {
		if c.MeasureID == "voucher" && c.Reason != "suspended by scenario what-if" {
			t.Errorf("voucher reason = %q", c.Reason)
		}
	}
	// Deterministic hash.
	p2, _ := s.Apply(base)
	if p2.Hash != p.Hash {
		t.Error("hash differs between applications")
	}
}

func TestScenarioProblems(t *testing.T) {
	base := testPolicy(t, mDEVATB2C+mVoucher)
	cases := []struct{ name, doc, want string }{
		{"modify a missing id", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - modify: {id: de-vat-b2x, rate: \"21%\"}\n",
			`s.yaml:5:5: [de-vat-b2x] modify: no measure "de-vat-b2x" in base "test" (did you mean "de-vat-b2c"?)`},
		{"suspend a missing id", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - suspend: {id: nope}\n",
			`s.yaml:5:5: [nope] suspend: no measure "nope" in base "test"`},
		{"add an existing id", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - add: {id: voucher, kind: levy, jurisdiction: DE, rate: \"1%\", base: net_price, legal: [x]}\n",
			`s.yaml:5:5: [voucher] add: measure "voucher" already exists`},
		{"modify to a bad value", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - modify: {id: de-vat-b2c, rate: \"21\"}\n",
			`s.yaml:5:39: [de-vat-b2c] rate: bad duty expression "21"`},
		{"unknown area in an add", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - add: {id: l, kind: levy, jurisdiction: EU, destination: [EU28], rate: \"1%\", base: net_price, legal: [x]}\n",
			`s.yaml:5:62: [l] destination: unknown country or area "EU28"`},
		{"unknown change", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - suspnd: {id: voucher}\n",
			`s.yaml:5:5: unknown change "suspnd" (did you mean "suspend"?)`},
		{"bad shock", "format: corridor.scenario/v1\nid: s\nbase: test\nfx_shocks: {CNY: \"-5\"}\n",
			`s.yaml:4:18: fx_shocks.CNY: expected a percentage`},
		{"wrong base", "format: corridor.scenario/v1\nid: s\nbase: other\n",
			`s.yaml:1:1: scenario is written for base "other", not "test"`},
		{"conflict created by an add", "format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - add: {id: de-vat-2, kind: vat, jurisdiction: DE, rate: \"21%\", base: net_price, legal: [x]}\n",
			`[de-vat-2] conflicts with de-vat-b2c`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			probs := ValidateScenarioAgainst(base, "s.yaml", []byte(tc.doc))
			if !strings.Contains(probs.Error(), tc.want) {
				t.Errorf("problems:\n%s\nwant one containing %q", probs.Error(), tc.want)
			}
		})
	}
	// Without a base, only the overlay's syntax is checked.
	if probs := Validate("s.yaml", []byte("format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - modify: {id: de-vat-b2x, rate: \"21%\"}\n")); len(probs) != 0 {
		t.Errorf("Validate without base: %v", probs)
	}
	if probs := Validate("s.yaml", []byte("format: corridor.scenario/v1\nid: s\nbase: test\nchanges:\n  - modify: {id: x, rat: \"21%\"}\n")); !strings.Contains(probs.Error(), `s.yaml:5:21: [x] unknown field "rat" (did you mean "rate"?)`) {
		t.Errorf("Validate without base: %v", probs)
	}
}
