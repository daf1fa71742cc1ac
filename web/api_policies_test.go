package web

import (
	"strings"
	"testing"
)

// TestPolicyAPIRefusesBadIDsAndVersions: policy ids and version numbers that cannot exist are
// 400 problems naming the field, never a 404 that hides the mistake or a 500.
func TestPolicyAPIRefusesBadIDsAndVersions(t *testing.T) {
	app, _, _ := seededApp(t)
	admin := []string{"Authorization", "Bearer " + testAdminToken}
	long := strings.Repeat("p", 129)
	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"version +1", "GET", "/api/v1/policies/baseline/versions/+1", "", "n"},
		{"version 01", "GET", "/api/v1/policies/baseline/versions/01", "", "n"},
		{"version 0", "GET", "/api/v1/policies/baseline/versions/0", "", "n"},
		{"version +1 activated", "POST", "/api/v1/policies/baseline/versions/+1/activate", "", "n"},
		{"id too long", "GET", "/api/v1/policies/" + long + "/versions/1", "", "id"},
		{"id not a slug", "POST", "/api/v1/policies/Base%20Line/versions/1/activate", "", "id"},
		{"document id too long", "POST", "/api/v1/policies", "format: corridor.policy/v1\nid: " + long + "\ntitle: t\nmeasures: []\n", "id"},
		{"document id not a slug", "POST", "/api/v1/policies", "format: corridor.policy/v1\nid: \"Tax Rules!\"\ntitle: t\nmeasures: []\n", "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ctype, body := call(t, app, tc.method, tc.path, tc.body, admin...)
			if status != 400 || ctype != "application/problem+json" || !strings.Contains(body, `"field":"`+tc.field+`"`) {
				t.Errorf("%d %s %s", status, ctype, body)
			}
		})
	}
}

// TestPolicyAPIValidatesScenariosAgainstTheBaseline: a scenario that adds a measure for an
// area the baseline does not define is refused with its line and column, and nothing is
// stored; so is activating a stored scenario that a new baseline version broke.
func TestPolicyAPIValidatesScenariosAgainstTheBaseline(t *testing.T) {
	app, _, _ := seededApp(t)
	admin := []string{"Authorization", "Bearer " + testAdminToken}
	scen := "format: corridor.scenario/v1\nid: atlantis\nbase: baseline\nchanges:\n  - add:\n      id: atlantis-levy\n      kind: levy\n      jurisdiction: EU\n" +
		"      origin: [\"*\"]\n      destination: [ATLANTIS]\n      products: [gpu_hours]\n      rate: \"5%\"\n      base: net_price\n      label: Atlantis levy\n      legal: [none]\n"
	status, _, body := call(t, app, "POST", "/api/v1/policies?activate=true", scen, admin...)
	if status != 400 || !strings.Contains(body, `"field":"document:10:`) || !strings.Contains(body, "ATLANTIS") {
		t.Fatalf("unknown area: %d %s", status, body)
	}
	if _, _, list := call(t, app, "GET", "/api/v1/policies", ""); strings.Contains(list, "atlantis") {
		t.Errorf("the refused scenario was stored: %s", list)
	}
	if status, _, body := call(t, app, "POST", "/api/v1/policies?activate=true", "format: corridor.policy/v1\nid: baseline\ntitle: none\nmeasures: []\n", admin...); status != 201 {
		t.Fatalf("new baseline: %d %s", status, body)
	}
	status, ctype, body := call(t, app, "POST", "/api/v1/policies/cny-weakens-vouchers-cut/versions/1/activate", "", admin...)
	if status != 409 || ctype != "application/problem+json" || !strings.Contains(body, `"field":"document:`) {
		t.Errorf("activating a scenario the baseline broke: %d %s", status, body)
	}
	// Buyers quoting under it see that it cannot be applied, not the operator's problems.
	status, _, body = call(t, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","scenario":"cny-weakens-vouchers-cut"}`)
	if status != 422 || !strings.Contains(body, `"no_quote_reason":"scenario_not_applicable"`) || strings.Contains(body, "cn-voucher") {
		t.Errorf("quote under a broken scenario: %d %s", status, body)
	}
}
