package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/tariff"
)

// compareRequestJSON is the body of POST /api/v1/compare.
type compareRequestJSON struct {
	Accelerator   string    `json:"accelerator"`
	MinBF16TFLOPS decString `json:"min_bf16_tflops"`
	GPUs          int       `json:"gpus"`
	Hours         int       `json:"hours"`
	Buyer         buyerJSON `json:"buyer"`
	Currency      string    `json:"currency"`
	Bloc          string    `json:"bloc"`
	Regions       []string  `json:"regions"`
	PersonalData  bool      `json:"personal_data"`
	Scenario      string    `json:"scenario"`
	Purpose       string    `json:"purpose"`
	TaxTerms      string    `json:"tax_terms"` // "" prices each offer under its own posted terms
	Limit         int       `json:"limit"`     // offers per page: 0 = marketplace.DefaultCompareLimit
	Cursor        string    `json:"cursor"`    // a previous page's next_cursor
}

// toDomain converts the body, naming buyer.vat_recovery when it does not parse.
func (r compareRequestJSON) toDomain() (marketplace.Need, error) {
	var fs []marketplace.FieldError
	n := marketplace.Need{
		Accelerator: strings.ToLower(strings.TrimSpace(r.Accelerator)), MinBF16TFLOPS: r.MinBF16TFLOPS.Decimal,
		GPUs: r.GPUs, Hours: r.Hours, Buyer: r.Buyer.toDomain(&fs),
		Currency: strings.ToUpper(strings.TrimSpace(r.Currency)), Bloc: marketplace.Bloc(strings.ToUpper(r.Bloc)),
		Regions: r.Regions, PersonalData: r.PersonalData, Scenario: strings.TrimSpace(r.Scenario),
		Purpose: strings.TrimSpace(r.Purpose), TaxTerms: strings.TrimSpace(r.TaxTerms),
		Limit: r.Limit, Cursor: strings.TrimSpace(r.Cursor),
	}
	if len(fs) > 0 {
		return n, marketplace.Invalid("the need has invalid fields", fs...)
	}
	return n, nil
}

type rankedJSON struct {
	Rank           int             `json:"rank,omitempty"`
	OfferID        string          `json:"offer_id"`
	Supplier       string          `json:"supplier"`
	Region         string          `json:"region"`
	RegionName     string          `json:"region_name"`
	Bloc           string          `json:"bloc"`
	Accelerator    string          `json:"accelerator"`
	Pricing        string          `json:"pricing"`
	ListPrice      decimal.Decimal `json:"list_price"`
	ListCurrency   string          `json:"list_currency"`
	Currency       string          `json:"currency,omitempty"`
	Total          amount          `json:"total,omitempty"`
	NetCost        amount          `json:"net_cost,omitempty"`
	LandedCost     amount          `json:"landed_cost,omitempty"`
	PerGPUHour     decimal.Decimal `json:"per_gpu_hour"`
	PerPFLOPHour   decimal.Decimal `json:"per_pflop_hour"`
	Breakdown      *breakdownJSON  `json:"breakdown,omitempty"`
	TaxTerms       string          `json:"tax_terms,omitempty"` // the terms the offer was priced under
	Confidence     string          `json:"confidence,omitempty"`
	Flags          []flagJSON      `json:"flags"`
	NoQuoteReason  string          `json:"no_quote_reason,omitempty"`
	NoQuoteMessage string          `json:"no_quote_message,omitempty"`
}

type breakdownJSON struct {
	Price        amount `json:"price"`
	DutiesLevies amount `json:"duties_levies"`
	Taxes        amount `json:"taxes"`
	Subsidies    amount `json:"subsidies"`
}

type comparisonJSON struct {
	Basis    string        `json:"ranked_by"`
	Currency string        `json:"currency"`
	Policy   policyRefJSON `json:"policy"`
	// BuyerType is how the buyer was priced (a business in the EU without a VAT number valid
	// for its country is ranked as a consumer; Notices say why).
	BuyerType string `json:"buyer_type"`
	// TaxTerms are the terms every offer was priced under, or "offer" when each was priced
	// under its own posted terms (each offer's tax_terms).
	TaxTerms string       `json:"tax_terms"`
	Notices  []flagJSON   `json:"notices"`
	Offers   []rankedJSON `json:"offers"`
	Warnings []string     `json:"warnings"`
	// NextCursor continues the ranking on the next page (the body again with "cursor"); null
	// on the last page.
	NextCursor *string `json:"next_cursor"`
}

// rankBasis names what a comparison ranks by for a buyer priced as bt: net cost for a
// business, total for a consumer.
func rankBasis(bt tariff.BuyerType) string {
	if bt == tariff.BuyerConsumer {
		return "total"
	}
	return "net_cost"
}

// termsApplied names the tax terms a comparison priced every offer under, or "offer" when
// each was priced under its own posted terms.
func termsApplied(n marketplace.Need) string {
	if n.TaxTerms == "" {
		return "offer"
	}
	return n.TaxTerms
}

func toComparisonJSON(n marketplace.Need, c marketplace.Comparison) comparisonJSON {
	out := comparisonJSON{Basis: rankBasis(c.BuyerType), Currency: n.Currency, Policy: policyRefJSON{ID: c.Policy.ID, Version: c.Policy.Version, Hash: c.Policy.Hash},
		BuyerType: string(c.BuyerType), TaxTerms: termsApplied(n), Notices: toFlagsJSON(c.Notices), Offers: []rankedJSON{}, Warnings: c.Warnings,
		NextCursor: nextCursor(c.NextCursor)}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	rank := c.RankOffset
	for _, r := range c.Ranked {
		oc := c.Offers[r.OfferID]
		j := rankedJSON{OfferID: r.OfferID, Supplier: oc.Supplier.Name, Region: oc.Region.Code, RegionName: oc.Region.Name, Bloc: string(oc.Region.Bloc),
			Accelerator: oc.Offer.Accelerator, Pricing: oc.Offer.Pricing, ListPrice: oc.Offer.Price, ListCurrency: oc.Offer.Currency,
			Flags: toFlagsJSON(r.Flags), NoQuoteReason: r.NoQuoteReason, NoQuoteMessage: r.NoQuoteMessage}
		if r.NoQuoteReason == "" {
			rank++
			j.Rank, j.Currency = rank, r.Quote.Currency
			cur := r.Quote.Currency
			j.Total, j.NetCost, j.LandedCost = fixed(r.Quote.Total, cur), fixed(r.Quote.NetCost, cur), fixed(r.LandedCost, cur)
			j.PerGPUHour, j.PerPFLOPHour = r.PerGPUHour, r.PerPFLOPHour
			j.Breakdown = &breakdownJSON{Price: fixed(r.Breakdown.Price, cur), DutiesLevies: fixed(r.Breakdown.DutiesLevies, cur),
				Taxes: fixed(r.Breakdown.Taxes, cur), Subsidies: fixed(r.Breakdown.Subsidies, cur)}
			j.TaxTerms, j.Confidence = string(r.Quote.TaxTerms), r.Quote.Reliance().Confidence
		}
		out.Offers = append(out.Offers, j)
	}
	return out
}

func handleCompare(m compareAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body compareRequestJSON
		if err := decodeStrict(c, &body); err != nil {
			return err
		}
		need, err := body.toDomain()
		if err != nil {
			return err
		}
		cmp, err := m.Compare(c.UserContext(), need)
		if err != nil {
			return err
		}
		return c.JSON(toComparisonJSON(need, cmp))
	}
}
