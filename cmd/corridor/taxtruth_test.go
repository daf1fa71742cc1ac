package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSupplierCreateWithEstablishment: the command line declares where a supplier is
// established, as the API does, and refuses what the API refuses.
func TestSupplierCreateWithEstablishment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corridor.db")
	env := func(string) string { return "" }
	var out bytes.Buffer
	err := run(context.Background(), []string{"supplier", "create", "--name", "Rhine GPU GmbH", "--country", "de", "--establishments", "nl, be",
		"--vat-registrations", "NL:nl123456789b01", "--listings", "cn-beijing-ai-compute-partner", "--db", db}, env, &out, &out)
	if err != nil {
		t.Fatalf("supplier create: %v\n%s", err, out.String())
	}
	for _, want := range []string{"established in: DE, NL, BE\n", "VAT registration: NL123456789B01 (NL)\n", "listed on: cn-beijing-ai-compute-partner\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The list shows where each supplier is established; --json is GET /api/v1/suppliers.
	out.Reset()
	if err := run(context.Background(), []string{"supplier", "list", "--db", db}, env, &out, &out); err != nil ||
		!regexp.MustCompile(`(?m)^sup_[0-9a-f]{32} +Rhine GPU GmbH +DE +NL,BE +`).MatchString(out.String()) {
		t.Errorf("supplier list: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"supplier", "list", "--json", "--db", db}, env, &out, &out); err != nil ||
		!strings.Contains(out.String(), `"establishments": [
        "NL",
        "BE"
      ],
      "vat_registrations": [
        {
          "country": "NL",
          "vat_id": "NL123456789B01"
        }
      ],
      "listings": [
        "cn-beijing-ai-compute-partner"
      ]`) {
		t.Errorf("supplier list --json: %v\n%s", err, out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "rhine  gpu GMBH"}, "a supplier named \"rhine  gpu GMBH\" is registered already"},
		{[]string{"--establishments", "Netherlands"}, "establishments[0] must be an ISO 3166-1 alpha-2 code"},
		{[]string{"--vat-registrations", "NL123"}, "takes COUNTRY:NUMBER items"},
		{[]string{"--vat-registrations", "DE:123"}, "vat_registrations[0].vat_id"},
	} {
		out.Reset()
		args := append([]string{"supplier", "create", "--name", "X", "--country", "DE", "--db", db}, tc.args...) // a later --name wins
		if err := run(context.Background(), args, env, &out, &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestQuoteTermsAndConfidence: the quote command takes the request's new fields and prints,
// like the API and the pages, the terms applied, who was priced, and how sure every line is.
func TestQuoteTermsAndConfidence(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corridor.db")
	ctx := context.Background()
	if err := seedOnly(ctx, db); err != nil {
		t.Fatal(err)
	}
	env := func(string) string { return "" }
	var out bytes.Buffer
	args := []string{"quote", "--db", db, "--offer", "demo-offer-001", "--gpus", "8", "--hours", "100", "--buyer-country", "DE",
		"--buyer-type", "business", "--vat-id", "DE123456789", "--vat-recovery", "60%", "--purpose", "training", "--tax-terms", "tax_inclusive",
		"--buyer-headquarters", "US", "--currency", "EUR"}
	if err := run(ctx, args, env, &out, &out); err != nil {
		t.Fatalf("quote: %v\n%s", err, out.String())
	}
	// The demo offer is illustrative and the offline FX rate is carried forward.
	for _, want := range []string{"CONFIDENCE: ILLUSTRATIVE", "offer demo-offer-001 (illustrative)", "fx CNY/EUR (illustrative)",
		"Priced for a business buyer; supplier established in CN, capacity hosted in CN; tax terms tax_inclusive",
		"sourced", "FLAG [info] vat_id.not_verified", "FLAG [warning] fx.stale", "FLAG [warning] tax_terms.not_offered"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("quote output lacks %q:\n%s", want, out.String())
		}
	}
	// Without the VAT number the German business is quoted as a consumer, and told why.
	out.Reset()
	if err := run(ctx, append(args[:11:11], "--currency", "EUR"), env, &out, &out); err != nil || !strings.Contains(out.String(), "Priced for a consumer buyer") ||
		!strings.Contains(out.String(), "FLAG [warning] vat_id.invalid") {
		t.Errorf("no VAT number: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, append(args, "--json"), env, &out, &out); err != nil || !strings.Contains(out.String(), `"confidence": "illustrative"`) ||
		!strings.Contains(out.String(), `"tax_terms": "tax_inclusive"`) || !strings.Contains(out.String(), `"vat_recovery": "0.6"`) {
		t.Errorf("--json: %v\n%.2000s", err, out.String())
	}
	for _, tc := range []struct{ flag, value, want string }{
		{"--vat-recovery", "150%", "--vat-recovery must be a share"},
		{"--tax-terms", "gross", "--tax-terms must be net_of_cn_tax"},
		{"--purpose", "gaming", "--purpose must be training, inference or other"},
		{"--buyer-headquarters", "Paris", "--buyer-headquarters must be an ISO 3166-1"},
	} {
		out.Reset()
		a := append(append([]string{}, args...), tc.flag, tc.value)
		if err := run(ctx, a, env, &out, &out); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: %v, want %q", tc.flag, tc.value, err, tc.want)
		}
	}
}
