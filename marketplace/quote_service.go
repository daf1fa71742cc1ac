package marketplace

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// OfferContext is an offer with the region and accelerator it refers to, as pricing needs them.
type OfferContext struct {
	Offer       Offer
	Region      Region
	Accelerator Accelerator
	Supplier    Supplier
}

// Terms turns an offer context into the pricing engine's view of it: the offer, where it is
// hosted (the region: customs origin, export-control and data-transfer gates), where its
// supplier is established (VAT), the lists the supplier declares, and the accelerator with its
// fab country (China's origin rule).
func (oc OfferContext) Terms() pricing.OfferTerms {
	o, r, a, sp := oc.Offer, oc.Region, oc.Accelerator, oc.Supplier
	t := pricing.OfferTerms{
		ID: o.ID, Product: tariff.Product(o.Product), Price: o.Price, Currency: o.Currency, Pricing: pricing.PricingModel(o.Pricing),
		MinHours: o.MinHours, TermMonths: o.TermMonths, Capacity: o.GPUs, AvailableFrom: o.AvailableFrom,
		AvailableUntil: o.AvailableUntil, HSCode: o.HSCode, Origin: r.Country, Region: r.Code, Bloc: string(r.Bloc),
		Accelerator: a.tariff(), BF16TFLOPS: a.BF16TFLOPS, TDPW: a.TDPW,
		SupplierCountry: sp.Country, SupplierEstablishments: sp.Establishments, Listings: sp.Listings,
		TaxTerms: o.PostedTaxTerms(), Provenance: o.provenance(),
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

// provenance is where an offer's price comes from, for the price lines of its quotes: the
// supplier's posted offer, or the demo market's invention.
func (o Offer) provenance() tariff.Provenance {
	if o.Demo {
		return tariff.Provenance{Source: "Corridor demo market: an invented offer", AsOf: o.UpdatedAt.Format(time.DateOnly),
			Confidence: string(ConfidenceIllustrative), Note: "demo data, not a real listing or price"}
	}
	return tariff.Provenance{Source: fmt.Sprintf("offer %s version %d, as posted by supplier %s", o.ID, o.Version, o.SupplierID),
		AsOf: o.UpdatedAt.Format(time.DateOnly), Confidence: string(ConfidenceSourced)}
}

// Quote prices a request against an offer with the policy and FX rates in force on the
// request's as-of date, stores the quote and returns it. The path, one step per function:
// Resolve (validate once, gather every input), pricing.Price (pure), store a record of the
// inputs and the result.
func (s *Service) Quote(ctx context.Context, req QuoteRequest) (Quote, error) {
	// A quote reads the market and changes none of it: one read of the counters serves all
	// its reads of reference data and of its offer.
	ctx, err := s.pinState(ctx)
	if err != nil {
		return Quote{}, err
	}
	if req.BuyerID != "" { // a signed-in buyer: the account fills what the request leaves out
		acct, err := s.Buyer(ctx, req.BuyerID)
		if err != nil {
			return Quote{}, err
		}
		req.Buyer = acct.Prefill(req.Buyer)
	}
	r, err := s.Resolve(ctx, req)
	if err != nil {
		return Quote{}, err
	}
	priced, err := pricing.Price(r.Inputs)
	if err != nil {
		return Quote{}, noQuoteError(err)
	}
	q := r.record(priced)
	if err := s.store.PutQuote(ctx, q); err != nil {
		return Quote{}, err
	}
	return q, nil
}

// record is the stored quote of a priced resolution. Only the FX rates the quote used are
// kept (re-pricing converts with no others).
func (r Resolution) record(priced pricing.Quote) Quote {
	used := make([]string, 0, 2*len(priced.FX))
	for _, u := range priced.FX {
		used = append(used, u.From, u.To)
	}
	in := r.Inputs
	in.Policy = nil // named by in.Baseline and in.Scenario
	in.FX = in.FX.Only(used...)
	priced.Snapshot = in.FX
	req := r.Request
	gpus := req.GPUs
	if r.Offer.Offer.Product == string(tariff.ProductHardware) {
		gpus = req.Units
		req.GPUs = req.Units // what the order reserves
	}
	return Quote{
		ID: NewTimeOrderedID("q", in.Now), OfferID: r.Offer.Offer.ID, Request: req, GPUs: gpus, Start: r.Start, End: r.End,
		Currency: priced.Currency, Total: priced.Total, CreatedAt: in.Now, ValidUntil: priced.ValidUntil,
		QuotaUses: quotaUses(priced, r.Policy, r.Request.AsOf), Inputs: in, Priced: priced,
		BuyerID: r.Request.BuyerID, Cancellation: r.Offer.Offer.CancellationTerms(), Accelerator: r.Offer.Accelerator,
	}
}

// GetQuote reads a stored quote.
func (s *Service) GetQuote(ctx context.Context, id string) (Quote, error) {
	if !validID(id) {
		return Quote{}, &Error{Code: CodeNotFound, Message: "no such quote"}
	}
	return s.store.Quote(ctx, id)
}

// Reprice prices a stored quote's inputs again with the policy versions they name (whatever
// has been activated since); the result must equal the stored quote (quotes are reproducible).
func (s *Service) Reprice(ctx context.Context, id string) (stored, again pricing.Quote, err error) {
	q, err := s.GetQuote(ctx, id)
	if err != nil {
		return stored, again, err
	}
	rp, err := s.PolicyOf(ctx, q.Inputs.Baseline, q.Inputs.Scenario)
	if err != nil {
		return stored, again, err
	}
	in := q.Inputs
	in.Policy = rp.Policy
	again, err = pricing.Price(in)
	return q.Priced, again, err
}

// DefaultQuoteRetention is how long an unaccepted quote is kept after it expires (its page and
// API document stay readable meanwhile); accepted quotes are kept forever.
const DefaultQuoteRetention = 7 * 24 * time.Hour

// PurgeQuotes deletes the quotes that expired more than retention ago and were never
// accepted, and returns how many it deleted.
func (s *Service) PurgeQuotes(ctx context.Context, retention time.Duration) (int, error) {
	return s.store.PurgeQuotes(ctx, s.now().Add(-retention))
}

// noQuoteError turns the pricing engine's refusal into a 422 problem naming the field.
func noQuoteError(err error) error {
	var nq *pricing.NoQuoteError
	if !errors.As(err, &nq) {
		return err
	}
	e := &Error{Code: CodeUnquotable, Reason: nq.Reason, Message: nq.Message, Err: err}
	if nq.Field != "" {
		e.Fields = []FieldError{{Field: nq.Field, Message: nq.Message}}
	}
	return e
}

// quotaUses lists the tariff-quota volume the quote's in-quota lines would consume.
func quotaUses(q pricing.Quote, p ResolvedPolicy, asOf time.Time) []QuotaUse {
	var uses []QuotaUse
	for _, l := range q.Lines {
		if l.Quota != "in_quota" || l.MeasureID == "" {
			continue
		}
		limit, ok := p.Quotas[l.MeasureID]
		if !ok {
			continue
		}
		uses = append(uses, QuotaUse{MeasureID: l.MeasureID, Period: quotaPeriod(asOf), Volume: l.QuotaVolume, Limit: limit})
	}
	return uses
}

// quotaPeriod names the calendar-year period containing t (the only period the language has).
func quotaPeriod(t time.Time) string { return strconv.Itoa(t.UTC().Year()) }

// ActiveOffersPerRegion counts the active offers of each region that has any, without
// reading them: one aggregate over an index, run again only when the market's change counter
// has moved since the last one (a write by any process on the database is seen by the next
// call). The map is shared: callers must not change it.
func (s *Service) ActiveOffersPerRegion(ctx context.Context) (map[string]int, error) {
	v, err := s.versions(ctx) // read before the counts: they are at least this new
	if err != nil {
		return nil, err
	}
	c := &s.regionCounts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts != nil && c.market == v.Market {
		return c.counts, nil
	}
	counts, err := s.store.ActiveOffersPerRegion(ctx)
	if err != nil {
		return nil, err
	}
	c.counts, c.market = counts, v.Market
	return counts, nil
}

// regionCountsCache holds the last counts of ActiveOffersPerRegion and the market counter they
// were counted under; the mutex also makes concurrent callers wait for one aggregate rather
// than each run their own.
type regionCountsCache struct {
	mu     sync.Mutex
	market int64
	counts map[string]int
}

// ActiveOffers lists active offers matching f with their regions, accelerators and suppliers.
func (s *Service) ActiveOffers(ctx context.Context, f OfferContextFilter) ([]OfferContext, error) {
	return s.store.ActiveOfferContexts(ctx, f)
}

// ValidateQuoteRequest checks every field of a quote request for a hardware offer (units) or
// another (GPUs and hours) and names each bad one, as Quote does: the quote form shows its
// verdict next to the fields whose text did not parse.
func ValidateQuoteRequest(r QuoteRequest, hardware bool) error {
	product := tariff.ProductGPUHours
	if hardware {
		product = tariff.ProductHardware
	}
	if fs := quoteFieldErrors(r, product); len(fs) > 0 {
		return Invalid("the quote request has invalid fields", fs...)
	}
	return nil
}

// quoteFieldErrors names every bad field of a quote request for an offer of product; with
// product "" (the offer is not known) the quantity fields, which depend on it, are left out.
func quoteFieldErrors(r QuoteRequest, product tariff.Product) []FieldError {
	var fs []FieldError
	if r.OfferID == "" {
		fs = append(fs, FieldError{Field: "offer_id", Message: "is required"})
	}
	switch product {
	case "":
	case tariff.ProductHardware:
		if r.Units < 1 || r.Units > MaxUnits {
			fs = append(fs, FieldError{Field: "units", Message: fmt.Sprintf("must be a whole number from 1 to %d for hardware offers", MaxUnits)})
		}
	default:
		fs = append(fs, quantityFieldErrors(r.GPUs, r.Hours)...)
	}
	fs = append(fs, buyerFieldErrors(r.Buyer, r.Currency)...)
	fs = append(fs, termsFieldErrors(r.Purpose, r.TaxTerms)...)
	if r.Scenario != "" {
		if msg := policyIDProblem(r.Scenario); msg != "" {
			fs = append(fs, FieldError{Field: "scenario", Message: msg})
		}
	}
	return fs
}

// termsFieldErrors checks the declared workload purpose and the contract tax terms asked for.
func termsFieldErrors(purpose, taxTerms string) []FieldError {
	var fs []FieldError
	switch tariff.Purpose(purpose) {
	case "", tariff.PurposeTraining, tariff.PurposeInference, tariff.PurposeOther:
	default:
		fs = append(fs, FieldError{Field: "purpose", Message: "must be training, inference or other, not " + quoteField(purpose)})
	}
	switch tariff.TaxTerms(taxTerms) {
	case "", tariff.TaxTermsNetOfCNTax, tariff.TaxTermsInclusive:
	default:
		fs = append(fs, FieldError{Field: "tax_terms", Message: "must be net_of_cn_tax (the buyer bears Chinese taxes withheld, on top) or tax_inclusive (the price includes them), not " + quoteField(taxTerms)})
	}
	return fs
}

// quantityFieldErrors checks the GPUs and hours of a request for GPU-hours or bare metal.
func quantityFieldErrors(gpus, hours int) []FieldError {
	var fs []FieldError
	if gpus < 1 || gpus > MaxGPUs {
		fs = append(fs, FieldError{Field: "gpus", Message: fmt.Sprintf("must be a whole number from 1 to %d", MaxGPUs)})
	}
	if hours < 1 || hours > MaxHours {
		fs = append(fs, FieldError{Field: "hours", Message: fmt.Sprintf("must be a whole number from 1 to %d", MaxHours)})
	}
	return fs
}

// ParseShare reads a share written as a fraction ("0.6") or a percentage ("60%") and returns
// the fraction, from 0 to 1 inclusive, with at most 6 decimals; the message is empty when valid.
func ParseShare(s string) (decimal.Decimal, string) {
	const msg = `must be a share like "0.6" or "60%", from 0 to 1 (100%)`
	txt, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	d, err := parseDecimalText(txt)
	if err != nil {
		return decimal.Decimal{}, msg
	}
	if pct {
		d = d.Div(hundred)
	}
	if d.IsNegative() || d.GreaterThan(oneDecimal) || !d.Equal(d.Round(PriceDecimals)) {
		return decimal.Decimal{}, msg
	}
	return d, ""
}

// businessEvidence decides how a buyer is quoted: a business established in the EU only on
// the evidence of a VAT number valid in format for its country (tariff.BusinessVATStatus; no
// live VIES check is possible offline, which the notice says), else as a consumer with a
// warning saying why. Outside the EU the declared type stands.
func businessEvidence(b Buyer) (tariff.BuyerType, []tariff.Flag) {
	if b.Type != string(tariff.BuyerBusiness) {
		return tariff.BuyerType(b.Type), nil
	}
	ok, _, flag := tariff.BusinessVATStatus(b.Country, b.VATID)
	var notices []tariff.Flag
	if flag.Code != "" {
		notices = []tariff.Flag{flag}
	}
	if !ok {
		return tariff.BuyerConsumer, notices
	}
	return tariff.BuyerBusiness, notices
}

// buyerFieldErrors checks who is buying and in which currency.
func buyerFieldErrors(b Buyer, currency string) []FieldError {
	var fs []FieldError
	if !tariff.IsCountry(b.Country) {
		fs = append(fs, FieldError{Field: "buyer.country", Message: "must be an ISO 3166-1 alpha-2 country code such as DE or CN, not " + quoteField(b.Country)})
	}
	if b.Type != string(tariff.BuyerBusiness) && b.Type != string(tariff.BuyerConsumer) {
		fs = append(fs, FieldError{Field: "buyer.type", Message: "must be business or consumer, not " + quoteField(b.Type)})
	}
	if b.Region != "" && !IsSlug(b.Region) {
		fs = append(fs, FieldError{Field: "buyer.region", Message: "must be a region code of lowercase letters, digits and dashes such as cn-beijing, not " + quoteField(b.Region)})
	}
	if len(b.VATID) > MaxVATIDLen {
		fs = append(fs, FieldError{Field: "buyer.vat_id", Message: fmt.Sprintf("is longer than %d characters", MaxVATIDLen)})
	}
	if b.Headquarters != "" && !tariff.IsCountry(b.Headquarters) {
		fs = append(fs, FieldError{Field: "buyer.headquarters", Message: "must be an ISO 3166-1 alpha-2 country code such as CN or US, not " + quoteField(b.Headquarters)})
	}
	if v := b.VATRecovery; v.Valid {
		switch {
		case v.Decimal.IsNegative() || v.Decimal.GreaterThan(oneDecimal):
			fs = append(fs, FieldError{Field: "buyer.vat_recovery", Message: "must be a share from 0 to 1 (\"0.6\" or \"60%\"), not " + v.Decimal.String()})
		case b.Type == string(tariff.BuyerConsumer):
			fs = append(fs, FieldError{Field: "buyer.vat_recovery", Message: "is for business buyers: a consumer recovers no VAT"})
		}
	}
	if !pricing.KnownCurrency(currency) {
		fs = append(fs, FieldError{Field: "currency", Message: "must be an ISO 4217 currency code such as EUR, CNY or USD, not " + quoteField(currency)})
	}
	return fs
}
