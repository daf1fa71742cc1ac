package tariff

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateReportsEveryProblemWithPosition(t *testing.T) {
	doc := `format: corridor.policy/v1
id: broken
measures:
  - id: a
    kind: vat
    jurisdiction: DE
    rate: "19 %"
    base: net_price
    valid_from: 2025-13-01
    legal: [x]
    colour: red
  - id: a
    kind: vatt
    jurisdiction: XX
    rate: "5% + 2 EUR/hour"
    base: net_price
    legal: [x]
  - id: c
    kind: levy
    jurisdiction: EU
    destination: [EU]
    rate: "1%"
    base: net_pric
    legal: [x]
`
	probs := Validate("broken.yaml", []byte(doc))
	want := []string{
		`broken.yaml:7:15: [a] rate: bad duty expression "19 %": expected '%' or a currency code like EUR after the number`,
		`broken.yaml:9:17: [a] valid_from: bad date "2025-13-01" (dates are written YYYY-MM-DD, e.g. 2025-01-01)`,
		`broken.yaml:11:5: [a] unknown field "colour"`,
		`broken.yaml:12:9: [a] duplicate measure id "a" (ids must be unique; first defined at broken.yaml:4:9)`,
		`broken.yaml:13:11: [a] unknown kind "vatt" (did you mean "vat"?)`,
		`broken.yaml:14:19: [a] unknown jurisdiction "XX"`,
		`broken.yaml:15:23: [a] rate: bad duty expression "5% + 2 EUR/hour": unknown unit "hour"`,
		`broken.yaml:21:19: [c] destination: unknown country or area "EU" (EU is a jurisdiction; for its member states name the area, e.g. [EU27])`,
		`broken.yaml:23:11: [c] unknown base "net_pric"`,
	}
	got := make([]string, len(probs))
	for i, p := range probs {
		got[i] = p.String()
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if _, err := ParsePolicy("broken.yaml", []byte(doc)); err == nil {
		t.Fatal("ParsePolicy accepted a broken document")
	} else {
		var ps Problems
		if !errors.As(err, &ps) || len(ps) != len(want) {
			t.Errorf("ParsePolicy error = %v", err)
		}
	}
}

func TestValidateCases(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"syntax error", "format: corridor.policy/v1\nid: a: b\n", "x.yaml:2:1: syntax error: line 2: mapping values are not allowed"},
		{"not a mapping", "- 1\n", "x.yaml:1:1: a document is a mapping"},
		{"empty", "", "x.yaml:1:1: empty document"},
		{"two documents", "format: corridor.policy/v1\nid: x\n---\nid: y\n", "x.yaml:3:1: a second YAML document in the file"},
		{"missing id", "format: corridor.policy/v1\nmeasures: []\n", "x.yaml:1:1: missing id"},
		{"wrong format", "format: corridor.policy/v2\nid: x\n", `x.yaml:1:9: unknown format "corridor.policy/v2"`},
		{"list expected", testHeader + "  - {id: a, kind: vat, jurisdiction: DE, buyer: business, rate: \"1%\", base: net_price, legal: [x]}\n",
			`x.yaml:6:49: [a] buyer: expected a list, found a scalar (write [business])`},
		{"missing legal", testHeader + "  - {id: a, kind: vat, jurisdiction: DE, rate: \"1%\", base: net_price}\n",
			`x.yaml:6:5: [a] missing legal reference`},
		{"missing rate", testHeader + "  - {id: a, kind: vat, jurisdiction: DE, base: net_price, legal: [x]}\n", `x.yaml:6:5: [a] missing rate`},
		{"missing base", testHeader + "  - {id: a, kind: vat, jurisdiction: DE, rate: \"1%\", legal: [x]}\n", `x.yaml:6:5: [a] missing base`},
		{"gate without action", testHeader + "  - {id: g, kind: gate, jurisdiction: US, legal: [x]}\n", `x.yaml:6:5: [g] missing action`},
		{"gate with a rate", testHeader + "  - {id: g, kind: gate, jurisdiction: US, action: warn, rate: \"1%\", legal: [x]}\n", `x.yaml:6:63: [g] rate on a gate`},
		{"subsidy without share", testHeader + "  - {id: s, kind: subsidy, jurisdiction: CN, legal: [x]}\n", `x.yaml:6:5: [s] missing share_max`},
		{"bad cap", testHeader + "  - {id: s, kind: subsidy, jurisdiction: CN, share_max: \"20%\", cap: \"2M CNY\", legal: [x]}\n", `x.yaml:6:69: [s] cap: malformed amount "2M"`},
		{"bad HS", testHeader + "  - {id: h, kind: customs_duty, jurisdiction: EU, destination: [EU27], hs: [\"84A1\"], rate: \"0%\", base: customs_value, legal: [x]}\n", `[h] bad HS code "84A1"`},
		{"hs with services", testHeader + "  - {id: h, kind: customs_duty, jurisdiction: EU, destination: [EU27], products: [gpu_hours], hs: [\"8471\"], rate: \"0%\", base: customs_value, legal: [x]}\n", `[h] hs given with product "gpu_hours"`},
		{"EU import without destination", testHeader + "  - {id: e, kind: levy, jurisdiction: EU, rate: \"1%\", base: net_price, legal: [x]}\n", `x.yaml:6:5: [e] missing destination`},
		{"dates reversed", testHeader + "  - {id: e, kind: vat, jurisdiction: DE, rate: \"1%\", base: net_price, valid_from: 2025-01-01, valid_to: 2024-01-01, legal: [x]}\n", `[e] valid_to 2024-01-01 is before valid_from 2025-01-01`},
		{"bad boolean", testHeader + "  - {id: g, kind: gate, jurisdiction: EU, action: warn, personal_data: yes, legal: [x]}\n", `[g] personal_data: expected a boolean, found "yes"`},
		{"tpp not a number", testHeader + "  - {id: g, kind: gate, jurisdiction: US, action: warn, tpp_min: lots, legal: [x]}\n", `[g] tpp_min: bad number "lots"`},
		{"quota incomplete", testHeader + "  - {id: q, kind: levy, jurisdiction: DE, rate: \"1%\", base: net_price, quota: {volume: \"5\"}, legal: [x]}\n", `[q] quota: missing period`},
		{"unknown area member", "format: corridor.policy/v1\nid: x\nareas:\n  EU27: {members: [DE, UK]}\n", `x.yaml:4:24: area EU27: unknown country "UK"`},
		{"area id like a country", "format: corridor.policy/v1\nid: x\nareas:\n  EU: {members: [DE]}\n", `x.yaml:4:3: bad area id "EU"`},
		{"duplicate key", "format: corridor.policy/v1\nid: x\nid: y\n", `x.yaml:3:1: duplicate field "id"`},
		{"conflict", testHeader +
			"  - {id: v1, kind: vat, jurisdiction: DE, buyer: [consumer], rate: \"19%\", base: net_price, legal: [x]}\n" +
			"  - {id: v2, kind: vat, jurisdiction: DE, rate: \"21%\", base: net_price, valid_from: 2026-01-01, legal: [x]}\n",
			`x.yaml:7:10: [v2] conflicts with v1`},
		{"no conflict when buyers differ", testHeader +
			"  - {id: v1, kind: vat, jurisdiction: DE, buyer: [consumer], rate: \"19%\", base: net_price, legal: [x]}\n" +
			"  - {id: v2, kind: vat, jurisdiction: DE, buyer: [business], rate: \"19%\", base: net_price, legal: [x]}\n", ""},
		{"no conflict when dates are disjoint", testHeader +
			"  - {id: v1, kind: vat, jurisdiction: DE, rate: \"19%\", base: net_price, valid_to: 2025-12-31, legal: [x]}\n" +
			"  - {id: v2, kind: vat, jurisdiction: DE, rate: \"21%\", base: net_price, valid_from: 2026-01-01, legal: [x]}\n", ""},
		{"no conflict when priorities differ", testHeader +
			"  - {id: v1, kind: vat, jurisdiction: DE, rate: \"19%\", base: net_price, legal: [x]}\n" +
			"  - {id: v2, kind: vat, jurisdiction: DE, rate: \"21%\", base: net_price, priority: 1, legal: [x]}\n", ""},
		{"JSON document", `{"format": "corridor.policy/v1", "id": "j", "measures": [{"id": "a", "kind": "vat", "jurisdiction": "DE", "rate": "19%", "base": "net_price", "legal": ["x"], "colour": 1}]}`,
			`x.yaml:1:159: [a] unknown field "colour"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			probs := Validate("x.yaml", []byte(tc.doc))
			if tc.want == "" {
				if len(probs) > 0 {
					t.Fatalf("unexpected problems: %v", probs)
				}
				return
			}
			if len(probs) == 0 {
				t.Fatalf("no problems, want %q", tc.want)
			}
			if !strings.Contains(probs.Error(), tc.want) {
				t.Errorf("problems:\n%s\nwant one containing %q", probs.Error(), tc.want)
			}
		})
	}
}
