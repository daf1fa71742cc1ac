package tariff

import (
	"strings"
	"testing"
)

func TestCheckVATID(t *testing.T) {
	good := []struct{ country, id, want string }{
		{"DE", "DE 123 456 789", "DE123456789"},
		{"DE", "123456789", "DE123456789"},
		{"AT", "atu12345678", "ATU12345678"},
		{"BE", "BE0123.456.789", "BE0123456789"},
		{"GR", "EL123456789", "EL123456789"},
		{"GR", "GR123456789", "EL123456789"},
		{"NL", "NL123456789B01", "NL123456789B01"},
		{"ES", "ESX1234567Z", "ESX1234567Z"},
		{"ES", "ES12345678Z", "ES12345678Z"},
		{"FR", "FR AB 123456789", "FRAB123456789"},
		{"FR", "FR12345678901", "FR12345678901"},
		{"IE", "IE1234567T", "IE1234567T"},
		{"IE", "IE1A23456T", "IE1A23456T"},
		{"IE", "IE1234567WH", "IE1234567WH"},
		{"IE", "IE1+23456T", "IE1+23456T"},
		{"CY", "CY12345678L", "CY12345678L"},
		{"RO", "RO12", "RO12"},
		{"RO", "RO1234567890", "RO1234567890"},
		{"SE", "SE123456789001", "SE123456789001"},
		{"LT", "LT123456789012", "LT123456789012"},
		{"CZ", "CZ12345678", "CZ12345678"},
		{"HR", "HR12345678901", "HR12345678901"},
	}
	for _, tc := range good {
		if got, err := CheckVATID(tc.country, tc.id); err != nil || got != tc.want {
			t.Errorf("%s %q: %q %v, want %q", tc.country, tc.id, got, err, tc.want)
		}
	}
	bad := []struct{ country, id, why string }{
		{"DE", "DE12345678", "expected 9 digits after DE"},
		{"DE", "FR12345678901", "is a number of FR, not of DE"},
		{"AT", "AT12345678", "expected U and 8 digits"},
		{"BE", "BE2123456789", "10 digits starting with 0 or 1"},
		{"ES", "ES123456789", "not both digits"},
		{"FR", "FRIO123456789", "not I or O"},
		{"NL", "NL123456789X01", "9 digits, B and 2 digits"},
		{"RO", "RO0123", "not starting with 0"},
		{"RO", "RO1", "2 to 10 digits"},
		{"DE", "", "expected 9 digits"},
		{"DE", "DE12345678é", "outside A–Z"},
		{"CN", "91110000600037341L", "not an EU member state"},
		{"GB", "GB123456789", "not an EU member state"},
	}
	for _, tc := range bad {
		if got, err := CheckVATID(tc.country, tc.id); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s %q: %q %v, want an error saying %q", tc.country, tc.id, got, err, tc.why)
		}
	}
	// Every member state has a format, Greece under EL.
	for _, c := range []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"} {
		if VATPrefix(c) == "" {
			t.Errorf("%s has no format", c)
		}
	}
	if len(vatFormats) != 27 || VATPrefix("GR") != "EL" || VATPrefix("GB") != "" {
		t.Errorf("%d formats", len(vatFormats))
	}
}

func TestBusinessVATStatus(t *testing.T) {
	ok, n, f := BusinessVATStatus("DE", "de123456789")
	if !ok || n != "DE123456789" || f.Code != "vat_id.not_verified" || f.Severity != SeverityInfo || !strings.Contains(f.Message, "not checked against VIES") || f.Source != VATIDSource {
		t.Errorf("valid: %v %q %+v", ok, n, f)
	}
	ok, n, f = BusinessVATStatus("DE", "12345")
	if ok || n != "" || f.Code != "vat_id.invalid" || f.Severity != SeverityWarning ||
		!strings.HasPrefix(f.Message, "Quoted as a consumer: a business buyer in DE") || !strings.Contains(f.Message, "expected 9 digits after DE") {
		t.Errorf("invalid: %v %q %+v", ok, n, f)
	}
	if ok, _, f = BusinessVATStatus("FR", " "); ok || !strings.Contains(f.Message, "no VAT number was given") {
		t.Errorf("missing: %v %+v", ok, f)
	}
	if ok, _, f = BusinessVATStatus("CN", ""); !ok || f.Code != "" {
		t.Errorf("outside the EU: %v %+v", ok, f)
	}
}

// The check never panics; what it accepts it accepts again unchanged (normal form), and the
// normal form starts with the country's prefix and holds only A–Z, 0–9, + and *.
func FuzzCheckVATID(f *testing.F) {
	for _, s := range []string{"DE123456789", "atu12345678", "EL 123.456-789", "FR", "NL123456789B01", "IE1+23456T", "", "é", "ESX1234567Z"} {
		f.Add("DE", s)
		f.Add("GR", s)
		f.Add("IE", s)
	}
	f.Fuzz(func(t *testing.T, country, id string) {
		n, err := CheckVATID(country, id)
		if err != nil {
			if n != "" {
				t.Fatalf("error with a result %q", n)
			}
			return
		}
		if !strings.HasPrefix(n, VATPrefix(country)) || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+*") != "" {
			t.Fatalf("%s %q → %q", country, id, n)
		}
		if again, err := CheckVATID(country, n); err != nil || again != n {
			t.Fatalf("%s %q → %q → %q %v", country, id, n, again, err)
		}
		ok, m, fl := BusinessVATStatus(country, id)
		if !ok || m != n || fl.Code != "vat_id.not_verified" {
			t.Fatalf("status disagrees: %v %q %+v", ok, m, fl)
		}
	})
}
