package marketplace

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

func TestSlugsIDsAndHSCodes(t *testing.T) {
	for s, want := range map[string]bool{
		"cn-ningxia-zhongwei": true, "eu-fi-kajaani": true, "a": true, "v1.2_x": true, strings.Repeat("a", MaxCodeLen): true,
		"": false, "-x": false, "x-": false, "Upper": false, "with space": false, "cn+eu": false, strings.Repeat("a", MaxCodeLen+1): false,
	} {
		if IsSlug(s) != want {
			t.Errorf("IsSlug(%q) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"demo-offer-001": true, "q_3f9aAB": true, "": false, "a b": false, "x'--": false, strings.Repeat("a", 65): false} {
		if IsID(s) != want {
			t.Errorf("IsID(%q) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"8471.50": true, "8473.30": true, "8471": true, "847150": true, "84": false, "8471.5": false, "x8471": false} {
		if IsHSCode(s) != want {
			t.Errorf("IsHSCode(%q) = %v", s, !want)
		}
	}
}

// TestQuoteFieldNeverCutsACharacter: a message quotes at most 40 characters of user input,
// whole characters only (a Chinese name cut at a byte would be invalid UTF-8 in the JSON).
func TestQuoteFieldNeverCutsACharacter(t *testing.T) {
	name := strings.Repeat("宁夏中卫", 20) // 80 characters of 3 bytes
	q := quoteField(name)
	if !utf8.ValidString(q) || !strings.HasSuffix(q, `…"`) || utf8.RuneCountInString(q) != 42 {
		t.Errorf("quoteField = %s (%d characters)", q, utf8.RuneCountInString(q))
	}
}

func TestRegionValidate(t *testing.T) {
	ok := Region{Code: "cn-ningxia-zhongwei", Name: "Zhongwei", NameZH: "中卫", Country: "CN", Bloc: BlocCN, Kind: RegionCluster,
		Class: "west", Parent: "cn-hub-ningxia", Lat: "37.5", Lon: "105.2"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, mut := range map[string]func(*Region){
		"code":           func(r *Region) { r.Code = "Zhongwei" },
		"country":        func(r *Region) { r.Country = "XX" },
		"kind":           func(r *Region) { r.Kind = RegionAIFactory }, // not a Chinese kind
		"class":          func(r *Region) { r.Class = "north" },
		"parent":         func(r *Region) { r.Parent = "" },
		"lat":            func(r *Region) { r.Lat = "north" },
		"power_currency": func(r *Region) { r.PowerPrice = decimal.NewNullDecimal(decimal.RequireFromString("0.4")) },
	} {
		r := ok
		mut(&r)
		e, isErr := AsError(r.Validate())
		if !isErr || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: %v", field, r.Validate())
		}
	}
}

func TestValidateOfferIsTheAPIsValidation(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	in := OfferInput{Region: str("cn-ningxia-zhongwei"), Accelerator: str("h100-sxm"), Product: str("hardware"), GPUs: num(8),
		Price: str("1500000"), Currency: str("CNY"), AvailableFrom: str("2026-01-01"), AvailableUntil: str("2027-01-01")}
	_, err := ValidateOffer(in, []string{"cn-ningxia-zhongwei"}, []string{"h100-sxm"})
	if e, ok := AsError(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "hs_code" {
		t.Fatalf("hardware without an HS code: %v", err)
	}
	in.HSCode = str("8471.50")
	o, err := ValidateOffer(in, []string{"cn-ningxia-zhongwei"}, []string{"h100-sxm"})
	if err != nil || o.Pricing != "on_demand" || !o.Price.Equal(decimal.NewFromInt(1500000)) {
		t.Fatalf("%+v, %v", o, err)
	}
	if _, err := ValidateOffer(in, []string{"eu-fi-kajaani"}, []string{"h100-sxm"}); err == nil {
		t.Error("an unknown region is accepted")
	}
}
