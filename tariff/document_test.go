package tariff

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDocumentReadsTheFormatField(t *testing.T) {
	policy := testHeader + mDEVATB2C
	doc, err := ParseDocument("p.yaml", []byte(policy))
	if err != nil || doc.Format != FormatPolicy || doc.Policy == nil || doc.Scenario != nil || doc.ID() != "test" {
		t.Fatalf("policy: %+v %v", doc, err)
	}
	doc, err = ParseDocument("s.yaml", []byte(scenarioDoc))
	if err != nil || doc.Format != FormatScenario || doc.Scenario == nil || doc.Policy != nil ||
		doc.ID() != "what-if" || doc.Title() != "EU levy, dearer German VAT, no voucher" {
		t.Fatalf("scenario: %+v %v", doc, err)
	}
	// A policy whose text mentions the scenario format (the substring test marketplace used to
	// make) is still a policy: only the format field counts.
	tricky := "# not a corridor.scenario/v1 document\n" + policy
	if doc, err = ParseDocument("t.yaml", []byte(tricky)); err != nil || doc.Format != FormatPolicy {
		t.Errorf("tricky policy: %+v %v", doc, err)
	}
	// JSON is YAML.
	js := `{"format": "corridor.scenario/v1", "id": "j", "base": "test", "changes": [{"suspend": {"id": "voucher"}}]}`
	if doc, err = ParseDocument("j.json", []byte(js)); err != nil || doc.Scenario == nil || doc.Scenario.Changes[0].ID != "voucher" {
		t.Errorf("json scenario: %+v %v", doc, err)
	}
}

func TestParseDocumentProblems(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"format: corridor.policy/v2\nid: x\n", `x.yaml:1:9: unknown format "corridor.policy/v2" (write format: corridor.policy/v1 for a policy or format: corridor.scenario/v1 for a scenario)`},
		{"id: x\nmeasures: []\n", `x.yaml:1:1: missing format`},
		{"format: [a]\nid: x\n", `x.yaml:1:9: unknown format ""`},
		{"format: corridor.scenario/v1\nid: s\n", `x.yaml:1:1: missing base`},
		{"", `x.yaml:1:1: empty document`},
	} {
		doc, err := ParseDocument("x.yaml", []byte(tc.doc))
		var ps Problems
		if !errors.As(err, &ps) || doc.Policy != nil || doc.Scenario != nil {
			t.Errorf("%q: %+v %v", tc.doc, doc, err)
			continue
		}
		if !strings.HasPrefix(ps[0].String(), tc.want) {
			t.Errorf("%q: %s, want %s", tc.doc, ps[0], tc.want)
		}
		if got := Validate("x.yaml", []byte(tc.doc)); len(got) != len(ps) {
			t.Errorf("%q: Validate found %d problems, ParseDocument %d", tc.doc, len(got), len(ps))
		}
	}
}
