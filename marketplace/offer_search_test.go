package marketplace

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"corridor/marketplace/search"
	"corridor/pricing"
	"corridor/tariff"
)

// TestParseSearchErrorIsInvalid checks that a bad query reaches the API as a CodeInvalid *Error
// naming q once per problem, with the parser's column-prefixed messages.
func TestParseSearchErrorIsInvalid(t *testing.T) {
	_, err := ParseSearch("gpu>=8 price=>2")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid || len(e.Fields) != 2 {
		t.Fatalf("ParseSearch error = %#v; want a CodeInvalid *Error with 2 fields", err)
	}
	for i, want := range []string{`col 1: unknown field "gpu"; did you mean "gpus"?`, `col 13: unknown operator "=>" after "price"; use >=`} {
		if e.Fields[i].Field != "q" || e.Fields[i].Message != want {
			t.Errorf("field %d = %+v; want q: %s", i, e.Fields[i], want)
		}
	}
	if err := searchError(nil); err != nil {
		t.Errorf("searchError(nil) = %v", err)
	}
	_, err = search.ParseSort("cheapest")
	if !errors.As(searchError(err), &e) || e.Code != CodeInvalid || e.Fields[0].Field != "sort" || !strings.Contains(e.Fields[0].Message, "unknown sort") {
		t.Errorf("sort error = %#v", searchError(err))
	}
}

// TestSearchVocabulary keeps the search catalogue's enums in step with the domain's values.
func TestSearchVocabulary(t *testing.T) {
	want := map[string][]string{
		"listed_currency": OfferCurrencies,
		"bloc":            blocEnum(),
		"product":         codes(tariff.Products()),
		"pricing":         codes(pricing.PricingModels),
	}
	for name, values := range want {
		f, ok := search.Lookup(name)
		if !ok || !slices.Equal(f.Enum, values) {
			t.Errorf("search field %s enumerates %v; the domain has %v", name, f.Enum, values)
		}
	}
}

// codes lists typed codes as text.
func codes[T ~string](cs []T) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
