package marketplace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// BaselinePolicyID is the policy every quote is priced under unless a scenario is named.
const BaselinePolicyID = "baseline"

// Request bounds: generous for real procurement, small enough that no product of them can
// overflow anything or make a quote absurd.
const (
	maxGPUs  = 100000
	maxHours = 24 * 366 * 5
	maxUnits = 100000
)

// OfferContext is an offer with the region and accelerator it refers to, as pricing needs them.
type OfferContext struct {
	Offer       Offer
	Region      Region
	Accelerator Accelerator
	Supplier    Supplier
}

// PricedQuote is a stored quote together with the priced document it holds.
type PricedQuote struct {
	Quote
	Priced pricing.Quote
}

// Terms turns an offer context into the pricing engine's view of it.
func (oc OfferContext) Terms() pricing.OfferTerms {
	o, r, a := oc.Offer, oc.Region, oc.Accelerator
	t := pricing.OfferTerms{
		ID: o.ID, Product: tariff.Product(o.Product), Price: o.Price, Currency: o.Currency, Pricing: o.Pricing,
		MinHours: o.MinHours, TermMonths: o.TermMonths, Capacity: o.GPUs, AvailableFrom: o.AvailableFrom,
		AvailableUntil: o.AvailableUntil, HSCode: o.HSCode, Origin: r.Country, Region: r.Code, Bloc: string(r.Bloc),
		Accelerator: tariff.Accelerator{Model: a.Model, VendorCountry: a.VendorCountry, TPP: a.TPP, Density: a.Density},
		BF16TFLOPS:  a.BF16TFLOPS, TDPW: a.TDPW,
	}
	if r.PUETarget.Valid {
		t.PUE = r.PUETarget.Decimal
	}
	if r.GridKgPerKWh.Valid {
		t.GridKgPerKWh = r.GridKgPerKWh.Decimal
	}
	for _, tier := range o.Tiers {
		t.Tiers = append(t.Tiers, pricing.Tier{MinGPUHours: tier.MinGPUHours, Discount: tier.Discount})
	}
	return t
}

// ValidateQuoteRequest checks every field of a quote request and names each bad one.
func ValidateQuoteRequest(r QuoteRequest, hardware bool) error {
	var fs []FieldError
	add := func(field, format string, args ...any) {
		fs = append(fs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if r.OfferID == "" {
		add("offer_id", "is required")
	}
	if hardware {
		if r.Units < 1 || r.Units > maxUnits {
			add("units", "must be a whole number from 1 to %d for hardware offers", maxUnits)
		}
	} else {
		if r.GPUs < 1 || r.GPUs > maxGPUs {
			add("gpus", "must be a whole number from 1 to %d", maxGPUs)
		}
		if r.Hours < 1 || r.Hours > maxHours {
			add("hours", "must be a whole number from 1 to %d", maxHours)
		}
	}
	if !tariff.IsCountry(r.Buyer.Country) {
		add("buyer.country", "must be an ISO 3166-1 alpha-2 country code such as DE or CN, not %q", r.Buyer.Country)
	}
	if r.Buyer.Type != string(tariff.BuyerBusiness) && r.Buyer.Type != string(tariff.BuyerConsumer) {
		add("buyer.type", "must be business or consumer, not %q", r.Buyer.Type)
	}
	if r.Buyer.Region != "" && !isSlug(r.Buyer.Region) {
		add("buyer.region", "must be a region code of lowercase letters, digits and dashes such as cn-beijing, not %q", r.Buyer.Region)
	}
	if len(r.Buyer.VATID) > 20 {
		add("buyer.vat_id", "is longer than 20 characters")
	}
	if !pricing.KnownCurrency(r.Currency) {
		add("currency", "must be an ISO 4217 currency code such as EUR, CNY or USD, not %q", r.Currency)
	}
	if len(fs) > 0 {
		return Invalid("the quote request has invalid fields", fs...)
	}
	return nil
}

// Quote prices a request against an offer with the policy and FX rates in force on the
// request's as-of date, stores the quote and returns it.
func (s *Service) Quote(ctx context.Context, req QuoteRequest, scenario string) (PricedQuote, error) {
	now := s.now()
	if err := ValidateQuoteRequest(req, false); err != nil {
		// Hardware requests carry units, not GPUs and hours: validate again once the offer is known.
		var e *Error
		if !errors.As(err, &e) || !onlyServiceFields(e) {
			return PricedQuote{}, err
		}
	}
	oc, err := s.store.OfferContext(ctx, req.OfferID)
	if ErrorCode(err) == CodeNotFound {
		return PricedQuote{}, &Error{Code: CodeUnquotable, Reason: "unknown_offer", Message: "no offer " + strconv.Quote(req.OfferID),
			Fields: []FieldError{{Field: "offer_id", Message: "no such offer"}}}
	}
	if err != nil {
		return PricedQuote{}, err
	}
	hardware := oc.Offer.Product == string(tariff.ProductHardware)
	if err := ValidateQuoteRequest(req, hardware); err != nil {
		return PricedQuote{}, err
	}
	if oc.Offer.Status != OfferActive {
		return PricedQuote{}, &Error{Code: CodeUnquotable, Reason: "withdrawn", Message: "offer " + oc.Offer.ID + " was withdrawn and can no longer be quoted",
			Fields: []FieldError{{Field: "offer_id", Message: "offer withdrawn"}}}
	}
	asOf, err := s.asOfDate(req.AsOf, now)
	if err != nil {
		return PricedQuote{}, err
	}
	req.AsOf = asOf
	fx, _, err := s.FXOn(ctx, asOf)
	if err != nil {
		return PricedQuote{}, &Error{Code: CodeUnquotable, Reason: pricing.ReasonNoFXRate, Message: err.Error(), Fields: []FieldError{{Field: "as_of", Message: "no FX rates for this date"}}}
	}
	policy, ver, err := s.policyAt(ctx, scenario, policyInstant(asOf, now))
	if err != nil {
		return PricedQuote{}, err
	}
	if len(policy.scenarioShocks) > 0 {
		if fx, err = fx.Shock(policy.scenarioShocks); err != nil {
			return PricedQuote{}, err
		}
	}
	start, end := s.window(oc.Offer, req, now)
	req.Start = start
	in := pricing.Inputs{
		Offer: oc.Terms(),
		Request: pricing.Request{
			GPUs: req.GPUs, Hours: req.Hours, Units: req.Units, BuyerCountry: req.Buyer.Country, BuyerRegion: req.Buyer.Region,
			BuyerType: tariff.BuyerType(req.Buyer.Type), Currency: req.Currency, AsOf: asOf, Start: start,
			PersonalData: req.PersonalData,
		},
		Policy: policy.Policy, PolicyVersion: ver, FX: fx, Now: now,
		Quota: quotaLedger{ctx: ctx, store: s.store, policy: policy.Policy},
	}
	priced, err := pricing.Price(in)
	if err != nil {
		return PricedQuote{}, noQuoteError(err)
	}
	if hardware {
		req.GPUs = req.Units
	}
	if err := s.checkAvailable(ctx, oc.Offer, req.GPUs, start, end); err != nil {
		return PricedQuote{}, err
	}
	doc, err := json.Marshal(priced)
	if err != nil {
		return PricedQuote{}, fmt.Errorf("marketplace: encode quote: %w", err)
	}
	q := Quote{
		ID: NewID("q"), OfferID: oc.Offer.ID, Request: req, GPUs: req.GPUs, Start: start, End: end,
		Currency: priced.Currency, Total: priced.Total, CreatedAt: now, ValidUntil: priced.ValidUntil,
		PolicyID: priced.Policy.ID, PolicyVer: ver, PolicyHash: priced.Policy.Hash,
		QuotaUses: quotaUses(priced, policy.Policy, asOf), Document: doc,
	}
	if err := s.store.PutQuote(ctx, q); err != nil {
		return PricedQuote{}, err
	}
	return PricedQuote{Quote: q, Priced: priced}, nil
}

// checkAvailable refuses a request for more GPUs than are free on the offer over [start, end).
func (s *Service) checkAvailable(ctx context.Context, o Offer, gpus int, start, end time.Time) error {
	av, ok := s.store.(availabilityStore)
	if !ok {
		return nil
	}
	avail, err := av.GPUsAvailable(ctx, o.ID, start, end)
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

// onlyServiceFields reports whether every field error is about GPUs or hours, which a hardware
// offer does not use.
func onlyServiceFields(e *Error) bool {
	for _, f := range e.Fields {
		if f.Field != "gpus" && f.Field != "hours" && f.Field != "units" {
			return false
		}
	}
	return true
}

// GetQuote reads a stored quote and its priced document.
func (s *Service) GetQuote(ctx context.Context, id string) (PricedQuote, error) {
	if id == "" || len(id) > 64 {
		return PricedQuote{}, &Error{Code: CodeNotFound, Message: "no such quote"}
	}
	q, err := s.store.Quote(ctx, id)
	if err != nil {
		return PricedQuote{}, err
	}
	var priced pricing.Quote
	if err := json.Unmarshal(q.Document, &priced); err != nil {
		return PricedQuote{}, fmt.Errorf("marketplace: decode stored quote %s: %w", id, err)
	}
	return PricedQuote{Quote: q, Priced: priced}, nil
}

// Reprice prices a stored quote's inputs again with the policy version and FX snapshot it
// recorded; the result must equal the stored quote (quotes are reproducible).
func (s *Service) Reprice(ctx context.Context, id string) (stored, again pricing.Quote, err error) {
	pq, err := s.GetQuote(ctx, id)
	if err != nil {
		return stored, again, err
	}
	pv, err := s.loadPolicyVersion(ctx, pq.PolicyID, pq.PolicyVer)
	if err != nil {
		return stored, again, err
	}
	in := pq.Priced.Inputs(pv.Policy)
	in.Quota = frozenQuota(pq.Priced)
	again, err = pricing.Price(in)
	return pq.Priced, again, err
}

// asOfDate checks the requested pricing date: not in the future, not before 1999 (the euro).
func (s *Service) asOfDate(asOf, now time.Time) (time.Time, error) {
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

// policyInstant is the instant whose policy version prices a date: now for today, the end of
// the day for a past date (the version in force at the close of that day).
func policyInstant(asOf, now time.Time) time.Time {
	if end := asOf.Add(24*time.Hour - time.Second); end.Before(now) {
		return end
	}
	return now
}

// window is the reservation window a quote prices: from the requested start (or the later of
// now and the offer's start, on the hour) for the requested hours. Hardware has no window.
func (s *Service) window(o Offer, r QuoteRequest, now time.Time) (time.Time, time.Time) {
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

// noQuoteError turns the pricing engine's refusal into a 422 problem naming the field.
func noQuoteError(err error) error {
	var nq *pricing.NoQuoteError
	if !errors.As(err, &nq) {
		return err
	}
	e := &Error{Code: CodeUnquotable, Reason: nq.Reason, Message: nq.Message}
	if nq.Field != "" {
		e.Fields = []FieldError{{Field: nq.Field, Message: nq.Message}}
	}
	return e
}

// quotaUses lists the tariff-quota volume the quote's in-quota lines would consume.
func quotaUses(q pricing.Quote, p *tariff.Policy, asOf time.Time) []QuotaUse {
	var uses []QuotaUse
	for _, l := range q.Lines {
		if l.Quota != "in_quota" || l.MeasureID == "" {
			continue
		}
		m := findMeasure(p, l.MeasureID)
		if m == nil || m.Quota == nil {
			continue
		}
		uses = append(uses, QuotaUse{MeasureID: l.MeasureID, Period: quotaPeriod(asOf), Volume: l.QuotaVolume, Limit: m.Quota.Volume})
	}
	return uses
}

func findMeasure(p *tariff.Policy, id string) *tariff.Measure {
	if p == nil {
		return nil
	}
	for i := range p.Measures {
		if p.Measures[i].ID == id {
			return &p.Measures[i]
		}
	}
	return nil
}

// quotaPeriod names the calendar-year period containing t (the only period the language has).
func quotaPeriod(t time.Time) string { return strconv.Itoa(t.UTC().Year()) }

// quotaLedger reads quota balances from storage for the pricing engine.
type quotaLedger struct {
	ctx    context.Context
	store  Store
	policy *tariff.Policy
}

// Remaining implements tariff.QuotaLedger: the measure's volume less what accepted orders used.
func (l quotaLedger) Remaining(measureID string, at time.Time) (decimal.Decimal, error) {
	m := findMeasure(l.policy, measureID)
	if m == nil || m.Quota == nil {
		return decimal.Zero, fmt.Errorf("marketplace: measure %s has no quota", measureID)
	}
	used, err := l.store.QuotaConsumed(l.ctx, measureID, quotaPeriod(at))
	if err != nil {
		return decimal.Zero, err
	}
	left := m.Quota.Volume.Sub(used)
	if left.IsNegative() {
		left = decimal.Zero
	}
	return left, nil
}

// frozenQuota replays the quota balance a stored quote saw, so re-pricing it is exact even after
// other orders consumed volume: in-quota volume is what was available then.
func frozenQuota(q pricing.Quote) tariff.QuotaLedger {
	bal := map[string]decimal.Decimal{}
	for _, l := range q.Lines {
		switch l.Quota {
		case "in_quota":
			bal[l.MeasureID] = bal[l.MeasureID].Add(l.QuotaVolume)
		case "out_of_quota":
			if _, ok := bal[l.MeasureID]; !ok {
				bal[l.MeasureID] = decimal.Zero
			}
		}
	}
	return fixedLedger(bal)
}

type fixedLedger map[string]decimal.Decimal

func (f fixedLedger) Remaining(measureID string, _ time.Time) (decimal.Decimal, error) {
	if v, ok := f[measureID]; ok {
		return v, nil
	}
	return decimal.New(1, 18), nil
}

// OfferDetail reads an offer with its region, accelerator and supplier, for display and
// quoting; withdrawn offers are returned too (their pages say so).
func (s *Service) OfferDetail(ctx context.Context, id string) (OfferContext, error) {
	if id == "" || len(id) > 64 {
		return OfferContext{}, &Error{Code: CodeNotFound, Message: "no such offer"}
	}
	return s.store.OfferContext(ctx, id)
}

// ActiveOffers lists active offers matching f with their regions, accelerators and suppliers.
func (s *Service) ActiveOffers(ctx context.Context, f OfferContextFilter) ([]OfferContext, error) {
	return s.store.ActiveOfferContexts(ctx, f)
}

// isSlug reports whether s is a lowercase code such as a region code (1–64 of a-z, 0-9, -).
func isSlug(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
