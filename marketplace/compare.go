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
}

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
}

// Compare prices the need against every active GPU-hour or bare-metal offer that matches it and
// ranks them by landed cost for the buyer (net cost for a business, total for a consumer).
// Nothing is stored: a buyer turns the chosen line into a quote with Quote.
func (s *Service) Compare(ctx context.Context, n Need) (Comparison, error) {
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
	ocs, err := s.store.ActiveOfferContexts(ctx, OfferContextFilter{
		Products: []string{string(tariff.ProductGPUHours), string(tariff.ProductBareMetal)}, Accelerator: n.Accelerator, Bloc: n.Bloc, Regions: n.Regions,
	})
	if err != nil {
		return Comparison{}, err
	}
	if err := ctx.Err(); err != nil { // nobody waits any more (request budget, client gone)
		return Comparison{}, &Error{Code: CodeUnavailable, Message: "request cancelled or timed out", Err: err}
	}
	terms := make([]pricing.OfferTerms, len(ocs))
	byID := make(map[string]OfferContext, len(ocs))
	for i, oc := range ocs {
		terms[i] = oc.Terms()
		byID[oc.Offer.ID] = oc
	}
	buyerType, notices := businessEvidence(n.Buyer)
	need := pricing.Need{
		Accelerator: n.Accelerator, MinBF16TFLOPS: n.MinBF16TFLOPS, GPUs: n.GPUs, Hours: n.Hours,
		BuyerCountry: n.Buyer.Country, BuyerRegion: n.Buyer.Region, BuyerType: buyerType, Currency: n.Currency,
		Bloc: string(n.Bloc), Regions: n.Regions, PersonalData: n.PersonalData, AsOf: asOf,
		BuyerHeadquarters: n.Buyer.Headquarters, Purpose: tariff.Purpose(n.Purpose), VATRecovery: n.Buyer.VATRecovery,
		TaxTerms: tariff.TaxTerms(n.TaxTerms),
	}
	ranked := pricing.Compare(need, terms, pricing.Inputs{Policy: policy.Policy, Baseline: policy.Baseline, Scenario: policy.Scenario, FX: fx, Now: now})
	ref := pricing.PolicyRef{ID: policy.Policy.ID, Version: policy.Baseline.Version, Hash: policy.Policy.Hash}
	if len(ranked) == 0 {
		warnings = append(warnings, fmt.Sprintf("no active offer matches %s", describeNeed(n)))
	}
	return Comparison{Ranked: ranked, Offers: byID, Policy: ref, Warnings: warnings, BuyerType: buyerType, Notices: notices}, nil
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
