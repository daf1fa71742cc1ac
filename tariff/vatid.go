package tariff

import (
	"fmt"
	"strings"
)

// EU VAT identification numbers: the format check a quote can make offline. In the EU, B2B
// treatment of a service (place of supply at the customer, reverse charge) rests on the
// customer's VAT number (Implementing Regulation (EU) 282/2011 art. 18(1)); a live check
// against VIES is out of reach offline, so a number valid in format is accepted with a flag
// saying it was not verified, and a "business" without one is quoted as a consumer.

// vatFormat is one member state's VAT number structure after its prefix, as the European
// Commission's VIES FAQ ("What is the structure of a VAT number?") describes it: alternatives
// of patterns in which 9 is a digit, A a letter, X a letter or digit, and any other byte
// itself.
type vatFormat struct {
	prefix   string
	patterns []string
	extra    func(string) bool // a further condition on the characters, or nil
	hint     string
}

// vatFormats by ISO country code (Greece's prefix is EL).
var vatFormats = map[string]vatFormat{
	"AT": {"AT", []string{"U99999999"}, nil, "U and 8 digits"},
	"BE": {"BE", []string{"9999999999"}, func(s string) bool { return s[0] == '0' || s[0] == '1' }, "10 digits starting with 0 or 1"},
	"BG": {"BG", []string{"999999999", "9999999999"}, nil, "9 or 10 digits"},
	"CY": {"CY", []string{"99999999A"}, nil, "8 digits and a letter"},
	"CZ": {"CZ", []string{"99999999", "999999999", "9999999999"}, nil, "8, 9 or 10 digits"},
	"DE": {"DE", []string{"999999999"}, nil, "9 digits"},
	"DK": {"DK", []string{"99999999"}, nil, "8 digits"},
	"EE": {"EE", []string{"999999999"}, nil, "9 digits"},
	"ES": {"ES", []string{"X9999999X"}, func(s string) bool { return !isDigit(s[0]) || !isDigit(s[8]) }, "9 characters, the first and last letters or digits but not both digits"},
	"FI": {"FI", []string{"99999999"}, nil, "8 digits"},
	"FR": {"FR", []string{"XX999999999"}, func(s string) bool { return !strings.ContainsAny(s[:2], "IO") }, "2 letters or digits (not I or O) and 9 digits"},
	"GR": {"EL", []string{"999999999"}, nil, "9 digits (prefix EL)"},
	"HR": {"HR", []string{"99999999999"}, nil, "11 digits"},
	"HU": {"HU", []string{"99999999"}, nil, "8 digits"},
	"IE": {"IE", []string{"9999999A", "9+99999A", "9*99999A", "9A99999A", "9999999AA"}, nil, "7 digits and 1 or 2 letters, or a digit, a letter, + or *, 5 digits and a letter"},
	"IT": {"IT", []string{"99999999999"}, nil, "11 digits"},
	"LT": {"LT", []string{"999999999", "999999999999"}, nil, "9 or 12 digits"},
	"LU": {"LU", []string{"99999999"}, nil, "8 digits"},
	"LV": {"LV", []string{"99999999999"}, nil, "11 digits"},
	"MT": {"MT", []string{"99999999"}, nil, "8 digits"},
	"NL": {"NL", []string{"999999999B99"}, nil, "9 digits, B and 2 digits"},
	"PL": {"PL", []string{"9999999999"}, nil, "10 digits"},
	"PT": {"PT", []string{"999999999"}, nil, "9 digits"},
	"RO": {"RO", []string{"99", "999", "9999", "99999", "999999", "9999999", "99999999", "999999999", "9999999999"}, func(s string) bool { return s[0] != '0' }, "2 to 10 digits, not starting with 0"},
	"SE": {"SE", []string{"999999999999"}, nil, "12 digits"},
	"SI": {"SI", []string{"99999999"}, nil, "8 digits"},
	"SK": {"SK", []string{"9999999999"}, nil, "10 digits"},
}

// VATIDSource is where the formats come from.
const VATIDSource = "European Commission, VIES FAQ: structure of VAT numbers (https://ec.europa.eu/taxation_customs/vies/#/faq)"

// VATPrefix returns the prefix of VAT numbers of an EU member state (EL for Greece), or "" for
// a country outside the EU's VAT area.
func VATPrefix(country string) string { return vatFormats[country].prefix }

// CheckVATID checks that id is a VAT identification number valid in format for the EU member
// state country and returns it normalized: upper case, with its prefix, without spaces, dots
// or hyphens (the prefix may be left out; Greece's may be written GR). It checks the structure
// only, not check digits and not whether the number is registered (a live VIES query).
func CheckVATID(country, id string) (string, error) {
	f, ok := vatFormats[country]
	if !ok {
		return "", fmt.Errorf("tariff: %q is not an EU member state: no EU VAT number format", country)
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(id) {
		switch {
		case r == ' ' || r == '.' || r == '-' || r == '\u00a0':
		case r < 0x80:
			b.WriteRune(r)
		default:
			return "", fmt.Errorf("tariff: VAT number %q has a character outside A–Z, 0–9", id)
		}
	}
	s := b.String()
	switch {
	case strings.HasPrefix(s, f.prefix):
		s = s[len(f.prefix):]
	case country == "GR" && strings.HasPrefix(s, "GR"):
		s = s[2:]
	case len(s) >= 2 && isLetter(s[0]) && isLetter(s[1]) && vatPrefixOf(s[:2]) != "" && !matchesAny(s, f):
		return "", fmt.Errorf("tariff: VAT number %q is a number of %s, not of %s", id, vatPrefixOf(s[:2]), country)
	}
	if !matchesAny(s, f) {
		return "", fmt.Errorf("tariff: VAT number %q is not valid in format for %s: expected %s after %s", id, country, f.hint, f.prefix)
	}
	return f.prefix + s, nil
}

// matchesAny reports whether s (without prefix) has one of f's structures.
func matchesAny(s string, f vatFormat) bool {
	for _, p := range f.patterns {
		if len(p) != len(s) {
			continue
		}
		ok := true
		for i := 0; i < len(p) && ok; i++ {
			switch p[i] {
			case '9':
				ok = isDigit(s[i])
			case 'A':
				ok = isLetter(s[i])
			case 'X':
				ok = isDigit(s[i]) || isLetter(s[i])
			default:
				ok = s[i] == p[i]
			}
		}
		if ok && (f.extra == nil || f.extra(s)) {
			return true
		}
	}
	return false
}

// vatPrefixOf returns the member state whose VAT prefix is p, or "".
func vatPrefixOf(p string) string {
	for c, f := range vatFormats {
		if f.prefix == p {
			return c
		}
	}
	return ""
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }

// vatIDLegal are the rules that make the number the evidence of business status.
var vatIDLegal = []string{"Implementing Regulation (EU) 282/2011 art. 18(1) (customer status: VAT number)",
	"VAT Directive 2006/112/EC arts 44 and 196", "VAT Directive 2006/112/EC art. 214 (identification numbers)"}

// BusinessVATStatus decides whether a buyer declared a business in country may be quoted as
// one on the evidence of its VAT number, offline. Outside the EU it returns ok with no flag
// (Code ""). In an EU member state a number valid in format gives ok, the normalized number
// and an info flag vat_id.not_verified (the number was not checked against VIES); anything
// else gives not ok and a warning vat_id.invalid saying the buyer is quoted as a consumer and
// why. The caller quotes a buyer that is not ok as a consumer and shows the flag.
func BusinessVATStatus(country, vatID string) (ok bool, normalized string, flag Flag) {
	if VATPrefix(country) == "" {
		return true, strings.TrimSpace(vatID), Flag{}
	}
	prov := Provenance{Source: VATIDSource, AsOf: "2026-11-27", Confidence: "sourced"}
	n, err := CheckVATID(country, vatID)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), "tariff: ")
		if strings.TrimSpace(vatID) == "" {
			why = "no VAT number was given"
		}
		return false, "", Flag{Code: "vat_id.invalid", Severity: SeverityWarning, Legal: vatIDLegal, Provenance: prov,
			Message: "Quoted as a consumer: a business buyer in " + country + " is treated as one (place of supply at the customer, reverse charge) on the evidence of a VAT number valid for " + country + ", and " + why + ". Give a valid VAT number to be quoted as a business."}
	}
	return true, n, Flag{Code: "vat_id.not_verified", Severity: SeverityInfo, Legal: vatIDLegal, Provenance: prov,
		Message: "VAT number " + n + " is valid in format for " + country + "; it was not checked against VIES (no live check is made): confirm it is registered before relying on the reverse charge."}
}
