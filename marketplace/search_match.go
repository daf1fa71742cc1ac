package marketplace

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Matches reports whether the offer oc satisfies every clause of s, evaluated in memory.
// queryPrice is the offer's price converted into s.Currency (the price clause compares it).
// It gives the same answers as the stored search for the fields of the catalogue, and serves
// callers that already hold the offers (the browser UI over a small market, tests).
func (s Search) Matches(oc OfferContext, queryPrice decimal.Decimal) bool {
	for _, c := range s.Clauses {
		if !c.matches(oc, queryPrice) {
			return false
		}
	}
	return true
}

func (c Clause) matches(oc OfferContext, queryPrice decimal.Decimal) bool {
	o, a, r := oc.Offer, oc.Accelerator, oc.Region
	switch c.Field {
	case "currency":
		return true // a setting, not a filter
	case "accelerator":
		return c.matchText(o.Accelerator)
	case "vendor":
		return c.matchText(strings.ToLower(a.Vendor))
	case "vendor_country":
		return c.matchText(a.VendorCountry)
	case "region":
		return c.matchText(o.Region)
	case "bloc":
		return c.matchText(string(r.Bloc))
	case "country":
		return c.matchText(r.Country)
	case "product":
		return c.matchText(o.Product)
	case "pricing":
		return c.matchText(o.Pricing)
	case "listed_currency":
		return c.matchText(o.Currency)
	case "supplier":
		return c.matchText(o.SupplierID)
	case "export_class":
		return c.matchText(ExportClass(a))
	case "demo":
		return c.matchText(strconv.FormatBool(o.Demo))
	case "available_from":
		return c.matchText(o.AvailableFrom.UTC().Format(time.DateOnly))
	case "available_until":
		return c.matchText(o.AvailableUntil.UTC().Format(time.DateOnly))
	case "gpus":
		return c.matchNumber(decimal.NewFromInt(int64(o.GPUs)))
	case "min_hours":
		return c.matchNumber(decimal.NewFromInt(int64(o.MinHours)))
	case "term_months":
		return c.matchNumber(decimal.NewFromInt(int64(o.TermMonths)))
	case "price":
		return c.matchNumber(queryPrice)
	case "memory_gb":
		return c.matchNumber(a.MemoryGB)
	case "bf16_tflops":
		return c.matchNumber(a.BF16TFLOPS)
	case "tpp":
		return c.matchNumber(a.TPP)
	case "text":
		if len(c.Values) == 0 {
			return false
		}
		v := strings.ToLower(c.Values[0])
		return strings.Contains(strings.ToLower(oc.Supplier.Name), v) || strings.Contains(strings.ToLower(o.Note), v)
	}
	return false
}

// matchText compares a code or a YYYY-MM-DD date (whose text order is its date order).
func (c Clause) matchText(got string) bool {
	return c.compare(func(v string) int { return strings.Compare(got, v) })
}

func (c Clause) matchNumber(got decimal.Decimal) bool {
	return c.compare(func(v string) int {
		d, err := decimal.NewFromString(v)
		if err != nil {
			return 2 // never equal, never ordered: the clause fails
		}
		return got.Cmp(d)
	})
}

// compare applies the clause's operator to cmp(value), which orders the offer's value against
// one clause value (-1, 0, 1; any other number means incomparable).
func (c Clause) compare(cmp func(v string) int) bool {
	if len(c.Values) == 0 {
		return false
	}
	switch c.Op {
	case OpIn, OpNotIn:
		found := false
		for _, v := range c.Values {
			if cmp(v) == 0 {
				found = true
				break
			}
		}
		return found == (c.Op == OpIn)
	}
	r := cmp(c.Values[0])
	if r < -1 || r > 1 {
		return false
	}
	switch c.Op {
	case OpEq:
		return r == 0
	case OpNe:
		return r != 0
	case OpLt:
		return r < 0
	case OpLe:
		return r <= 0
	case OpGt:
		return r > 0
	case OpGe:
		return r >= 0
	}
	return false
}
