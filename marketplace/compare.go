package marketplace

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Need is a buyer's requirement to compare offers against.
type Need struct {
	Accelerator   string
	MinBF16TFLOPS decimal.Decimal
	GPUs, Hours   int
	Buyer         Buyer
	Currency      string
	Bloc          Bloc
	Regions       []string
	PersonalData  bool
	Scenario      string
	Purpose       string // as QuoteRequest.Purpose
	// TaxTerms prices every offer under these terms; "" prices each under its own posted terms.
	TaxTerms string
	// Limit is how many ranked offers one page holds: 0 = DefaultCompareLimit, at most
	// MaxCompareLimit.
	Limit int
	// Cursor is a previous page's NextCursor: the page continues after it ("" = the first).
	Cursor string
}

// The page sizes of a comparison.
const (
	DefaultCompareLimit = 20
	MaxCompareLimit     = 100
)

// Comparison is the ranked answer to a Need.
type Comparison struct {
	Ranked   []pricing.Ranked
	Offers   map[string]OfferContext // by offer id, for display
	Policy   pricing.PolicyRef
	Warnings []string
	// BuyerType is how the buyer was priced: a business without the VAT number its country
	// requires as evidence is ranked as a consumer (by total), and Notices say why.
	BuyerType tariff.BuyerType
	Notices   []tariff.Flag
	// RankOffset is how many quoted offers earlier pages held: Ranked[0], if quoted, is rank
	// RankOffset+1.
	RankOffset int
	// NextCursor continues the comparison on the next page; "" when this page is the last.
	NextCursor string
}

// Compare ranks the active GPU-hour and bare-metal offers that match the need by landed cost
// for the buyer (net cost for a business, total for a consumer; ties by offer id; offers that
// cannot be quoted follow, by id, with their reason) and returns one page of that ranking:
// the n.Limit first after n.Cursor. Nothing is stored: a buyer turns the chosen line into a
// quote with Quote.
func (s *Service) Compare(ctx context.Context, n Need) (Comparison, error) {
	ctx, err := s.pinState(ctx) // a comparison only reads: one read of the counters serves it all
	if err != nil {
		return Comparison{}, err
	}
	var fs []FieldError
	if n.Accelerator == "" && !n.MinBF16TFLOPS.IsPositive() {
		fs = append(fs, FieldError{Field: "accelerator", Message: "name an accelerator model or a min_bf16_tflops"})
	}
	if n.MinBF16TFLOPS.IsNegative() {
		fs = append(fs, FieldError{Field: "min_bf16_tflops", Message: "must not be negative"})
	}
	if n.Bloc != "" && !n.Bloc.Valid() {
		fs = append(fs, FieldError{Field: "bloc", Message: "must be " + blocNames()})
	}
	if len(n.Regions) > MaxCompareRegions {
		fs = append(fs, FieldError{Field: "regions", Message: fmt.Sprintf("at most %d regions", MaxCompareRegions)})
	}
	fs = append(fs, quantityFieldErrors(n.GPUs, n.Hours)...)
	fs = append(fs, buyerFieldErrors(n.Buyer, n.Currency)...)
	fs = append(fs, termsFieldErrors(n.Purpose, n.TaxTerms)...)
	if n.Scenario != "" {
		if msg := policyIDProblem(n.Scenario); msg != "" {
			fs = append(fs, FieldError{Field: "scenario", Message: msg})
		}
	}
	limit := n.Limit
	if limit == 0 {
		limit = DefaultCompareLimit
	}
	if limit < 1 || limit > MaxCompareLimit {
		fs = append(fs, FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxCompareLimit)})
	}
	var after *compareCursor
	if n.Cursor != "" {
		c, err := decodeCompareCursor(n.Cursor, n)
		if err != nil {
			fs = append(fs, FieldError{Field: "cursor", Message: err.Error()})
		}
		after = &c
	}
	if len(fs) > 0 {
		return Comparison{}, Invalid("the need has invalid fields", fs...)
	}
	now := s.now()
	asOf := now.Truncate(24 * time.Hour)
	fx, warnings, err := s.FXOn(ctx, asOf)
	if ErrorCode(err) == CodeNotFound {
		// Offers listed in the need's currency are still priced; the others say no_fx_rate.
		fx, err = pricing.NewSnapshot(asOf, map[string]pricing.Rate{}), nil
		warnings = append(warnings, fmt.Sprintf("no FX rates are stored for %s or before: only offers listed in %s can be priced", asOf.Format(time.DateOnly), n.Currency))
	}
	if err != nil {
		return Comparison{}, err
	}
	policy, err := s.ResolvePolicy(ctx, n.Scenario, now)
	if err != nil {
		return Comparison{}, err
	}
	if fx, err = policy.shock(fx); err != nil {
		return Comparison{}, err
	}
	filter := OfferContextFilter{
		Products: []string{string(tariff.ProductGPUHours), string(tariff.ProductBareMetal)}, Accelerator: n.Accelerator, Bloc: n.Bloc, Regions: n.Regions,
		MinBF16TFLOPS: n.MinBF16TFLOPS,
	}
	buyerType, notices := businessEvidence(n.Buyer)
	need := pricing.Need{
		Accelerator: n.Accelerator, MinBF16TFLOPS: n.MinBF16TFLOPS, GPUs: n.GPUs, Hours: n.Hours,
		BuyerCountry: n.Buyer.Country, BuyerRegion: n.Buyer.Region, BuyerType: buyerType, Currency: n.Currency,
		Bloc: string(n.Bloc), Regions: n.Regions, PersonalData: n.PersonalData, AsOf: asOf,
		BuyerHeadquarters: n.Buyer.Headquarters, Purpose: tariff.Purpose(n.Purpose), VATRecovery: n.Buyer.VATRecovery,
		TaxTerms: tariff.TaxTerms(n.TaxTerms),
	}
	cmp := pricing.NewComparer(need, pricing.Inputs{Policy: policy.Policy, Baseline: policy.Baseline, Scenario: policy.Scenario, FX: fx, Now: now})
	page, byID, more, err := s.comparePage(ctx, cmp, filter, n.GPUs, after, limit)
	if err != nil {
		return Comparison{}, err
	}
	out := Comparison{Ranked: page, Offers: byID, BuyerType: buyerType, Notices: notices}
	if after != nil {
		out.RankOffset = after.rank
	}
	if more && len(page) > 0 {
		out.NextCursor = encodeCompareCursor(page[len(page)-1], out.RankOffset+quotedCount(page), n)
	}
	ranked := page
	ref := pricing.PolicyRef{ID: policy.Policy.ID, Version: policy.Baseline.Version, Hash: policy.Policy.Hash}
	if len(ranked) == 0 && after == nil {
		warnings = append(warnings, fmt.Sprintf("no active offer matches %s", describeNeed(n)))
	}
	out.Policy, out.Warnings = ref, warnings
	return out, nil
}

func describeNeed(n Need) string {
	what := n.Accelerator
	if what == "" {
		what = "≥ " + n.MinBF16TFLOPS.String() + " BF16 TFLOPS"
	}
	if n.Bloc != "" {
		what += " in " + string(n.Bloc)
	}
	return what
}
