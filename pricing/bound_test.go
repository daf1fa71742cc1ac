package pricing

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// TestLowerBoundWorked: 8 GPUs × 100 h of an offer at CNY 15.80 for a German business in EUR,
// at 8.2626 CNY per EUR: 800 × 15.80 = CNY 12,640 = EUR 1,529.7848…; a 5% tier from 500
// GPU-hours leaves 1,453.2956…; less two cents of rounding, 1,453.2756…. Price gives a net of
// 1,529.78 − 76.49 = 1,453.29 (no measures), at least the bound.
func TestLowerBoundWorked(t *testing.T) {
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	fx := NewSnapshot(day, map[string]Rate{"CNY": {Currency: "CNY", PerEUR: decimal.RequireFromString("8.2626"), Date: day, Source: SourceECB}})
	need := Need{Accelerator: "h100-sxm", GPUs: 8, Hours: 100, BuyerCountry: "DE", BuyerType: tariff.BuyerBusiness, Currency: "EUR", AsOf: day}
	common := Inputs{FX: fx, Now: day.Add(12 * time.Hour)}
	o := OfferTerms{ID: "o1", Product: tariff.ProductGPUHours, Price: decimal.RequireFromString("15.80"), Currency: "CNY",
		Tiers: []Tier{{MinGPUHours: decimal.NewFromInt(500), Discount: decimal.RequireFromString("0.05")}}, Accelerator: tariff.Accelerator{Model: "h100-sxm"}}
	c := NewComparer(need, common)
	b := c.LowerBound(&o)
	want := decimal.RequireFromString("12640").Div(decimal.RequireFromString("8.2626")).Mul(decimal.RequireFromString("0.95")).Sub(decimal.RequireFromString("0.02"))
	if b.Kind != BoundValue || !b.Value.Round(8).Equal(want.Round(8)) || b.Value.Round(4).String() != "1453.2756" {
		t.Fatalf("bound %+v, want %s", b, want)
	}
	r := c.Rank([]OfferTerms{o})
	if len(r) != 1 || r[0].NoQuoteReason != "" || r[0].LandedCost.String() != "1453.29" || r[0].LandedCost.LessThan(b.Value) {
		t.Fatalf("ranked %+v", r)
	}
	// No USD rate: the offer cannot be quoted, and sorts after every bound.
	usd := o
	usd.Currency = "USD"
	if b := c.LowerBound(&usd); b.Kind != BoundUnquotable || !(Bound{Kind: BoundValue}).Less(b) {
		t.Errorf("USD offer: %+v", b)
	}
}
