package marketplace

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Resolution is a quote request resolved into everything pricing needs: Inputs is complete
// (Price reads nothing else), Request has its pricing date and start filled in, and the offer,
// the policy and the reservation window come along for storing the quote.
type Resolution struct {
	Request    QuoteRequest
	Offer      OfferContext
	Policy     ResolvedPolicy
	Inputs     pricing.Inputs
	Start, End time.Time // the reservation window; Start == End for hardware
}

// Resolve validates req once, against the marketplace's limits, and gathers every input of
// its price, each with a method of its own that other callers (comparisons, studies) reuse:
// the offer and its terms (OfferDetail), the pricing date and the reservation window, the FX
// snapshot of that date (FXOn), the policy and scenario versions in force then, compiled and
// cached (ResolvePolicy), the GPUs free in the window (GPUsAvailable; too few is refused here
// as not_enough_capacity) and the quota balances (QuotaBalances). Nothing is written.
//
// A new input is added in three places: a field of QuoteRequest, its resolution here, and
// the field of pricing.Inputs (or pricing.Request) it fills.
func (s *Service) Resolve(ctx context.Context, req QuoteRequest) (Resolution, error) {
	now := s.now()
	// The offer first: which fields a request needs depends on its product. Every field is
	// then checked at once; an unknown offer is refused after the fields.
	oc, offerErr := s.quotableOffer(ctx, req.OfferID)
	if offerErr != nil && ErrorCode(offerErr) != CodeUnquotable {
		return Resolution{}, offerErr
	}
	product := tariff.Product(oc.Offer.Product)
	if fs := quoteFieldErrors(req, product); len(fs) > 0 {
		return Resolution{}, Invalid("the quote request has invalid fields", fs...)
	}
	if offerErr != nil {
		return Resolution{}, offerErr
	}
	var err error
	if req.AsOf, err = asOfDate(req.AsOf, now); err != nil {
		return Resolution{}, err
	}
	start, end := window(oc.Offer, req, now)
	req.Start = start
	ref, err := s.reference(ctx) // one check of the reference data serves FX and policy
	if err != nil {
		return Resolution{}, err
	}
	fx, err := s.quoteFX(ctx, ref, req.AsOf, oc.Offer.Currency == req.Currency)
	if err != nil {
		return Resolution{}, err
	}
	policy, err := s.resolvePolicy(ctx, ref, req.Scenario, policyInstant(req.AsOf, now))
	if err != nil {
		return Resolution{}, err
	}
	if fx, err = policy.shock(fx); err != nil {
		return Resolution{}, err
	}
	if product != tariff.ProductHardware {
		if err := s.checkAvailable(ctx, oc.Offer, req.GPUs, req.Start, end); err != nil {
			return Resolution{}, err
		}
	}
	quota, err := s.QuotaBalances(ctx, policy, req.AsOf)
	if err != nil {
		return Resolution{}, err
	}
	buyerType, notices := businessEvidence(req.Buyer)
	in := pricing.Inputs{
		Offer: oc.Terms(),
		Request: pricing.Request{
			GPUs: req.GPUs, Hours: req.Hours, Units: req.Units, BuyerCountry: req.Buyer.Country, BuyerRegion: req.Buyer.Region,
			BuyerType: buyerType, Currency: req.Currency, AsOf: req.AsOf, Start: req.Start,
			PersonalData: req.PersonalData, BuyerHeadquarters: req.Buyer.Headquarters, Purpose: tariff.Purpose(req.Purpose),
			TaxTerms: tariff.TaxTerms(req.TaxTerms), VATRecovery: req.Buyer.VATRecovery,
		},
		Policy: policy.Policy, Baseline: policy.Baseline, Scenario: policy.Scenario,
		FX: fx, Quota: quota, Now: now, Notices: notices,
	}
	return Resolution{Request: req, Offer: oc, Policy: policy, Inputs: in, Start: req.Start, End: end}, nil
}

// quoteFX reads the FX rates in force on asOf for a quote. With none stored for the date, a
// quote whose offer and quote currencies are the same is still priced, with no rates: it
// converts nothing, unless a measure's figure in another currency must be converted, which
// pricing refuses as no_fx_rate naming the pair.
func (s *Service) quoteFX(ctx context.Context, ref *refData, asOf time.Time, sameCurrency bool) (pricing.Snapshot, error) {
	fx, _, err := s.fxOn(ctx, ref, asOf)
	switch {
	case err == nil:
		return fx, nil
	case ErrorCode(err) != CodeNotFound:
		return pricing.Snapshot{}, err
	case sameCurrency:
		return pricing.NewSnapshot(asOf, map[string]pricing.Rate{}), nil
	}
	return pricing.Snapshot{}, &Error{Code: CodeUnquotable, Reason: pricing.ReasonNoFXRate, Message: fmt.Sprintf("no FX rates are stored for %s or before", asOf.Format(time.DateOnly)),
		Fields: []FieldError{{Field: "as_of", Message: "no FX rates for this date"}}, Err: err}
}

// quotableOffer reads the offer a quote is asked for; an unknown or withdrawn offer cannot be
// quoted (CodeUnquotable naming offer_id).
func (s *Service) quotableOffer(ctx context.Context, id string) (OfferContext, error) {
	oc, err := s.OfferDetail(ctx, id)
	if ErrorCode(err) == CodeNotFound {
		return OfferContext{}, &Error{Code: CodeUnquotable, Reason: "unknown_offer", Message: "no offer " + quoteField(id), Err: err,
			Fields: []FieldError{{Field: "offer_id", Message: "no such offer"}}}
	}
	if err != nil {
		return OfferContext{}, err
	}
	if oc.Offer.Status != OfferActive {
		return OfferContext{}, &Error{Code: CodeUnquotable, Reason: "withdrawn", Message: "offer " + oc.Offer.ID + " was withdrawn and can no longer be quoted",
			Fields: []FieldError{{Field: "offer_id", Message: "offer withdrawn"}}}
	}
	return oc, nil
}

// checkAvailable refuses a request for more GPUs than are free on the offer over [start, end)
// (accepting re-checks it in the transaction that reserves them).
func (s *Service) checkAvailable(ctx context.Context, o Offer, gpus int, start, end time.Time) error {
	avail, err := s.gpusAvailable(ctx, o, start, end)
	if err != nil {
		return err
	}
	if gpus <= avail {
		return nil
	}
	return &Error{Code: CodeUnquotable, Reason: pricing.ReasonNotEnoughCapacity,
		Message: fmt.Sprintf("only %d GPUs are free on offer %s between %s and %s", avail, o.ID, start.Format(time.RFC3339), end.Format(time.RFC3339)),
		Fields:  []FieldError{{Field: "gpus", Message: fmt.Sprintf("at most %d available in the window", avail)}},
		Extra:   map[string]any{"gpus_available": avail}}
}

// QuotaBalances reads, once, the volume left in each tariff quota of p for the period that
// contains asOf: the quota's volume less what accepted orders consumed, never below zero. It
// is nil when p has no quota.
func (s *Service) QuotaBalances(ctx context.Context, p ResolvedPolicy, asOf time.Time) (pricing.QuotaBalances, error) {
	if len(p.Quotas) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(p.Quotas))
	for id := range p.Quotas {
		ids = append(ids, id)
	}
	used, err := s.store.QuotaConsumed(ctx, ids, quotaPeriod(asOf))
	if err != nil {
		return nil, err
	}
	out := make(pricing.QuotaBalances, len(p.Quotas))
	for id, volume := range p.Quotas {
		left := volume.Sub(used[id])
		if left.IsNegative() {
			left = decimal.Zero
		}
		out[id] = left
	}
	return out, nil
}

// asOfDate checks the requested pricing date: not in the future, not before 1999 (the euro);
// zero means today.
func asOfDate(asOf, now time.Time) (time.Time, error) {
	today := now.Truncate(24 * time.Hour)
	if asOf.IsZero() {
		return today, nil
	}
	asOf = asOf.UTC().Truncate(24 * time.Hour)
	if asOf.After(today) {
		return time.Time{}, Invalid("as_of is in the future", FieldError{Field: "as_of", Message: "must be today or a past date; future rates and policies are not known"})
	}
	if asOf.Year() < 1999 {
		return time.Time{}, Invalid("as_of is too early", FieldError{Field: "as_of", Message: "must be 1999-01-04 or later (ECB reference rates)"})
	}
	return asOf, nil
}

// policyInstant is the instant whose policy versions price a date: now for today, the end of
// the day for a past date (the versions in force at the close of that day).
func policyInstant(asOf, now time.Time) time.Time {
	if end := asOf.Add(24*time.Hour - time.Second); end.Before(now) {
		return end
	}
	return now
}

// window is the reservation window a quote prices: from the requested start (or the later of
// now and the offer's start, on the hour) for the requested hours. Hardware has no window.
func window(o Offer, r QuoteRequest, now time.Time) (time.Time, time.Time) {
	start := r.Start
	if start.IsZero() {
		start = now.Truncate(time.Hour).Add(time.Hour)
		if o.AvailableFrom.After(start) {
			start = o.AvailableFrom
		}
	}
	if o.Product == string(tariff.ProductHardware) {
		return start, start
	}
	return start, start.Add(time.Duration(r.Hours) * time.Hour)
}
