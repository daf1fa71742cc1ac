package marketplace

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

var (
	maxPrice   = decimal.New(1, 9) // exclusive bound: prices must be below 10^9
	oneDecimal = decimal.NewFromInt(1)
	hundred    = decimal.NewFromInt(100)
)

// TierInput is a volume tier as a client writes it: decimals as text, the discount either a
// fraction ("0.05") or a percentage ("5%").
type TierInput struct {
	MinGPUHours *string
	Discount    *string
}

// OfferInput is an offer as a client writes it: every field optional so that the same type
// serves create (required fields checked), partial update (nil = unchanged) and batch upsert.
// Decimals and instants are text so that the domain, not the decoder, names what is wrong.
type OfferInput struct {
	ID             *string // batch only: the offer to replace; empty creates a new one
	Region         *string
	Accelerator    *string
	Product        *string
	GPUs           *int
	Price          *string
	Currency       *string
	Pricing        *string
	MinHours       *int
	TermMonths     *int
	Tiers          *[]TierInput
	AvailableFrom  *string // RFC 3339 or YYYY-MM-DD (midnight UTC)
	AvailableUntil *string
	HSCode         *string
	TaxTerms       *string // net_of_cn_tax (the default) or tax_inclusive
	Note           *string
	Cancellation   *CancellationInput
}

// offerRefs is the reference data a validation needs: which region and accelerator codes exist.
type offerRefs struct {
	regions      map[string]bool
	accelerators map[string]bool
}

func (s *Service) offerRefs(ctx context.Context) (offerRefs, error) {
	d, err := s.reference(ctx)
	if err != nil {
		return offerRefs{}, err
	}
	return offerRefs{regions: d.regionCodes, accelerators: d.accModels}, nil
}

// apply validates in and writes its fields onto o. With create, the required fields must be
// present. Field names are prefixed with prefix (e.g. "offers[3].") for batch errors.
func (in OfferInput) apply(o *Offer, create bool, refs offerRefs, prefix string) []FieldError {
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: prefix + field, Message: fmt.Sprintf(format, args...)})
	}
	required := func(field string, present bool) bool {
		if !present && create {
			bad(field, "is required")
		}
		return present
	}
	if required("region", in.Region != nil) {
		if !refs.regions[*in.Region] {
			bad("region", "unknown region %s; see GET /api/v1/regions", quoteField(*in.Region))
		} else {
			o.Region = *in.Region
		}
	}
	if required("accelerator", in.Accelerator != nil) {
		if !refs.accelerators[*in.Accelerator] {
			bad("accelerator", "unknown accelerator %s; see GET /api/v1/accelerators", quoteField(*in.Accelerator))
		} else {
			o.Accelerator = *in.Accelerator
		}
	}
	if required("product", in.Product != nil) {
		if !tariff.Product(*in.Product).Valid() {
			bad("product", "must be one of %s", joinCodes(tariff.Products()))
		} else {
			o.Product = *in.Product
		}
	}
	if required("gpus", in.GPUs != nil) {
		if *in.GPUs < 1 || *in.GPUs > MaxGPUs {
			bad("gpus", "must be a whole number from 1 to %d", MaxGPUs)
		} else {
			o.GPUs = *in.GPUs
		}
	}
	if required("price", in.Price != nil) {
		if p, msg := parsePrice(*in.Price); msg != "" {
			bad("price", "%s", msg)
		} else {
			o.Price = p
		}
	}
	if required("currency", in.Currency != nil) {
		if !IsOfferCurrency(*in.Currency) {
			bad("currency", "offers are listed in %s; %s is not accepted", strings.Join(OfferCurrencies, ", "), quoteField(*in.Currency))
		} else {
			o.Currency = *in.Currency
		}
	}
	if in.Pricing != nil {
		if !pricing.PricingModel(*in.Pricing).Valid() {
			bad("pricing", "must be one of %s", joinCodes(pricing.PricingModels))
		} else {
			o.Pricing = *in.Pricing
		}
	} else if create {
		o.Pricing = string(pricing.PricingOnDemand)
	}
	if in.MinHours != nil {
		if *in.MinHours < 0 || *in.MinHours > MaxHours {
			bad("min_hours", "must be from 0 to %d", MaxHours)
		} else {
			o.MinHours = *in.MinHours
		}
	}
	if in.TermMonths != nil {
		if *in.TermMonths < 0 || *in.TermMonths > MaxOfferTermMonths {
			bad("term_months", "must be from 0 to %d", MaxOfferTermMonths)
		} else {
			o.TermMonths = *in.TermMonths
		}
	}
	if in.Tiers != nil {
		tiers, tErrs := parseTiers(*in.Tiers, prefix+"tiers")
		errs = append(errs, tErrs...)
		if len(tErrs) == 0 {
			o.Tiers = tiers
		}
	}
	windowOK := true
	if required("available_from", in.AvailableFrom != nil) {
		if t, ok := parseInstant(*in.AvailableFrom); !ok {
			bad("available_from", "must be an RFC 3339 time like 2026-12-01T00:00:00Z or a date YYYY-MM-DD")
			windowOK = false
		} else {
			o.AvailableFrom = t
		}
	}
	if required("available_until", in.AvailableUntil != nil) {
		if t, ok := parseInstant(*in.AvailableUntil); !ok {
			bad("available_until", "must be an RFC 3339 time like 2027-12-01T00:00:00Z or a date YYYY-MM-DD")
			windowOK = false
		} else {
			o.AvailableUntil = t
		}
	}
	if windowOK && (in.AvailableFrom != nil || in.AvailableUntil != nil) && !o.AvailableFrom.IsZero() && !o.AvailableUntil.IsZero() {
		switch {
		case !o.AvailableUntil.After(o.AvailableFrom):
			bad("available_until", "must be after available_from")
		case o.AvailableUntil.Sub(o.AvailableFrom) > MaxOfferWindow:
			bad("available_until", "the window may span at most 10 years")
		}
	}
	if in.HSCode != nil {
		if *in.HSCode != "" && !IsHSCode(*in.HSCode) {
			bad("hs_code", "must be an HS code like 8471.50 or 847150")
		} else {
			o.HSCode = *in.HSCode
		}
	}
	if o.Product == string(tariff.ProductHardware) && o.HSCode == "" && (create || in.Product != nil || in.HSCode != nil) {
		bad("hs_code", "is required for hardware offers")
	}
	if in.TaxTerms != nil {
		if t := tariff.TaxTerms(*in.TaxTerms); t != tariff.TaxTermsNetOfCNTax && t != tariff.TaxTermsInclusive {
			bad("tax_terms", "must be %s or %s", tariff.TaxTermsNetOfCNTax, tariff.TaxTermsInclusive)
		} else {
			o.TaxTerms = *in.TaxTerms
		}
	} else if create {
		o.TaxTerms = string(tariff.TaxTermsNetOfCNTax)
	}
	if in.Note != nil {
		if len(*in.Note) > MaxOfferNote {
			bad("note", "is %d bytes long; the limit is %d", len(*in.Note), MaxOfferNote)
		} else {
			o.Note = *in.Note
		}
	}
	if in.Cancellation != nil {
		c, cErrs := in.Cancellation.apply(prefix + "cancellation.")
		errs = append(errs, cErrs...)
		if len(cErrs) == 0 {
			o.Cancellation = c
		}
	}
	if in.ID != nil && *in.ID != "" && !validID(*in.ID) {
		bad("id", "must be letters, digits, - and _ (at most 64)")
	}
	return errs
}

// PostedTaxTerms are the terms the offer's price is posted on for taxes withheld at source:
// its TaxTerms, or net_of_cn_tax (the default) when it names none.
func (o Offer) PostedTaxTerms() tariff.TaxTerms {
	if o.TaxTerms == "" {
		return tariff.TaxTermsNetOfCNTax
	}
	return tariff.TaxTerms(o.TaxTerms)
}

// parsePrice checks a price: a decimal string > 0, below 10^9, with at most 6 decimals.
func parsePrice(s string) (decimal.Decimal, string) {
	d, err := parseDecimalText(s)
	if err != nil {
		return decimal.Decimal{}, `must be a decimal string like "2.50"`
	}
	switch {
	case !d.IsPositive():
		return d, "must be greater than 0"
	case d.GreaterThanOrEqual(maxPrice):
		return d, "must be less than 1000000000"
	case -d.Exponent() > PriceDecimals && !d.Equal(d.Round(PriceDecimals)):
		return d, fmt.Sprintf("has more than %d decimals", PriceDecimals)
	}
	return d, ""
}

// parseDecimalText accepts plain decimal notation only: digits, an optional sign and point;
// no exponent, no spaces (decimal.NewFromString alone would accept "1e3").
func parseDecimalText(s string) (decimal.Decimal, error) {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, "eE+ _") {
		return decimal.Decimal{}, fmt.Errorf("not a decimal")
	}
	return decimal.NewFromString(s)
}

// parseTiers checks volume tiers: strictly ascending by min_gpu_hours, each discount in (0, 1).
func parseTiers(in []TierInput, field string) ([]Tier, []FieldError) {
	var errs []FieldError
	if len(in) > MaxOfferTiers {
		return nil, []FieldError{{Field: field, Message: fmt.Sprintf("at most %d tiers", MaxOfferTiers)}}
	}
	out := make([]Tier, 0, len(in))
	for i, t := range in {
		f := fmt.Sprintf("%s[%d].", field, i)
		var tier Tier
		ok := true
		if t.MinGPUHours == nil {
			errs = append(errs, FieldError{Field: f + "min_gpu_hours", Message: "is required"})
			ok = false
		} else if d, err := parseDecimalText(*t.MinGPUHours); err != nil || d.IsNegative() || d.GreaterThan(maxPrice) {
			errs = append(errs, FieldError{Field: f + "min_gpu_hours", Message: `must be a decimal string ≥ 0 like "10000"`})
			ok = false
		} else {
			tier.MinGPUHours = d
		}
		if t.Discount == nil {
			errs = append(errs, FieldError{Field: f + "discount", Message: "is required"})
			ok = false
		} else if d, msg := ParseDiscount(*t.Discount); msg != "" {
			errs = append(errs, FieldError{Field: f + "discount", Message: msg})
			ok = false
		} else {
			tier.Discount = d
		}
		if ok && len(out) > 0 && !tier.MinGPUHours.GreaterThan(out[len(out)-1].MinGPUHours) {
			errs = append(errs, FieldError{Field: f + "min_gpu_hours", Message: "tiers must be in ascending order of min_gpu_hours"})
		}
		if ok {
			out = append(out, tier)
		}
	}
	return out, errs
}

// ParseDiscount reads a discount written as a fraction ("0.05") or a percentage ("5%") and
// returns the fraction; it must lie strictly between 0 and 1. The message is empty when valid.
func ParseDiscount(s string) (decimal.Decimal, string) {
	const msg = `must be a fraction like "0.05" or a percentage like "5%", above 0 and below 1 (100%)`
	txt, pct := strings.CutSuffix(s, "%")
	d, err := parseDecimalText(txt)
	if err != nil {
		return decimal.Decimal{}, msg
	}
	if pct {
		d = d.Div(hundred)
	}
	if !d.IsPositive() || d.GreaterThanOrEqual(oneDecimal) {
		return decimal.Decimal{}, msg
	}
	return d, ""
}

// FormatDiscount renders a discount fraction as a percentage, e.g. 0.05 → "5%".
func FormatDiscount(d decimal.Decimal) string { return d.Mul(hundred).String() + "%" }

func parseInstant(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.Year() < 2000 || t.Year() > 2200 {
			return time.Time{}, false
		}
		return t.UTC().Truncate(time.Second), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil && len(s) == len(time.DateOnly) {
		if t.Year() < 2000 || t.Year() > 2200 {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}

func validID(s string) bool { return IsID(s) }

// joinCodes lists codes for a message: "a, b, c".
func joinCodes[T ~string](codes []T) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// OfferView is an offer with what a reader needs beside it: names, the region's bloc, the
// accelerator's TPP and export class, and the GPUs still free over the window asked about.
type OfferView struct {
	Offer
	SupplierName  string
	RegionName    string
	Bloc          Bloc
	Country       string
	TPP           decimal.Decimal
	BF16TFLOPS    decimal.Decimal
	ExportClass   string
	GPUsAvailable int
	WindowStart   time.Time // the window GPUsAvailable is for
	WindowEnd     time.Time
}

// CreateOffer validates in and stores a new offer of supplierID at version 1.
func (s *Service) CreateOffer(ctx context.Context, supplierID string, in OfferInput) (Offer, error) {
	refs, err := s.offerRefs(ctx)
	if err != nil {
		return Offer{}, err
	}
	now := s.now().Truncate(time.Second)
	o := Offer{SupplierID: supplierID, Status: OfferActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.ID != nil {
		return Offer{}, Invalid("invalid offer", FieldError{Field: "id", Message: "is assigned by the server; omit it"})
	}
	if errs := in.apply(&o, true, refs, ""); len(errs) > 0 {
		return Offer{}, Invalid("invalid offer", errs...)
	}
	o.ID = NewID("off")
	if err := s.checkOfferCap(ctx, supplierID, 1, "status"); err != nil {
		return Offer{}, err
	}
	if err := s.store.CreateOffer(ctx, o); err != nil {
		return Offer{}, err
	}
	return o, nil
}

// Offer returns one offer (any status) with the GPUs free over [start, end); zero bounds mean
// the rest of the offer's window from now.
func (s *Service) Offer(ctx context.Context, id string, start, end time.Time) (OfferView, error) {
	if !validID(id) {
		return OfferView{}, &Error{Code: CodeNotFound, Message: "no such offer"}
	}
	v, err := s.store.OfferView(ctx, id)
	if err != nil {
		return OfferView{}, err
	}
	views := []OfferView{v}
	if err := s.fillAvailability(ctx, views, start, end); err != nil {
		return OfferView{}, err
	}
	return views[0], nil
}

// ownOffer reads offer id and checks that supplierID owns it: another supplier's offer is
// reported as not found, so its existence does not leak either.
func (s *Service) ownOffer(ctx context.Context, supplierID, id string) (Offer, error) {
	notFound := &Error{Code: CodeNotFound, Message: "no such offer"}
	if !validID(id) {
		return Offer{}, notFound
	}
	v, err := s.store.OfferView(ctx, id)
	if err != nil {
		return Offer{}, err
	}
	if v.SupplierID != supplierID {
		return Offer{}, notFound
	}
	return v.Offer, nil
}

// UpdateOffer applies a partial update to supplierID's offer id. ifMatch is the version the
// client last read (0 = no If-Match): a different stored version is CodePrecondition.
func (s *Service) UpdateOffer(ctx context.Context, supplierID, id string, ifMatch int, in OfferInput) (Offer, error) {
	o, err := s.ownOffer(ctx, supplierID, id)
	if err != nil {
		return Offer{}, err
	}
	if in.ID != nil {
		return Offer{}, Invalid("invalid offer", FieldError{Field: "id", Message: "cannot be changed"})
	}
	if o.Status != OfferActive {
		return Offer{}, &Error{Code: CodeConflict, Message: "the offer is withdrawn and can no longer be changed"}
	}
	if ifMatch != 0 && ifMatch != o.Version {
		return Offer{}, staleVersion(o.Version)
	}
	refs, err := s.offerRefs(ctx)
	if err != nil {
		return Offer{}, err
	}
	if errs := in.apply(&o, false, refs, ""); len(errs) > 0 {
		return Offer{}, Invalid("invalid offer", errs...)
	}
	prev := o.Version
	o.Version++
	o.UpdatedAt = s.now().Truncate(time.Second)
	if err := s.store.UpdateOffer(ctx, o, prev); err != nil {
		return Offer{}, err
	}
	return o, nil
}

// WithdrawOffer withdraws supplierID's offer id: it stays readable by id (orders refer to it)
// but is no longer listed or quotable. Withdrawing twice is not an error.
func (s *Service) WithdrawOffer(ctx context.Context, supplierID, id string, ifMatch int) (Offer, error) {
	o, err := s.ownOffer(ctx, supplierID, id)
	if err != nil {
		return Offer{}, err
	}
	if o.Status == OfferWithdrawn {
		return o, nil
	}
	if ifMatch != 0 && ifMatch != o.Version {
		return Offer{}, staleVersion(o.Version)
	}
	prev := o.Version
	o.Status = OfferWithdrawn
	o.Version++
	o.UpdatedAt = s.now().Truncate(time.Second)
	if err := s.store.UpdateOffer(ctx, o, prev); err != nil {
		return Offer{}, err
	}
	return o, nil
}

func staleVersion(current int) *Error {
	return &Error{Code: CodePrecondition, Message: fmt.Sprintf("the offer changed: current version is %d; read it again", current),
		Fields: []FieldError{{Field: "If-Match", Message: fmt.Sprintf("does not match the current version %d", current)}},
		Extra:  map[string]any{"version": current}}
}

// BatchResult tells, per item of a batch, whether the offer was created or replaced.
type BatchResult struct {
	Offer   Offer
	Created bool
}

// UpsertOffers creates or replaces up to MaxBatchOffers offers of supplierID, all or nothing.
// An item with an id replaces that offer (which must be the supplier's own and active) or, when
// no offer has the id, creates it with that id; an item without id creates a new offer. Errors
// name the item: "offers[3].price".
func (s *Service) UpsertOffers(ctx context.Context, supplierID string, items []OfferInput) ([]BatchResult, error) {
	switch {
	case len(items) == 0:
		return nil, Invalid("empty batch", FieldError{Field: "offers", Message: "must hold at least one offer"})
	case len(items) > MaxBatchOffers:
		return nil, Invalid("batch too large", FieldError{Field: "offers", Message: fmt.Sprintf("holds %d offers; the limit is %d", len(items), MaxBatchOffers)})
	}
	refs, err := s.offerRefs(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]int{}
	for i, in := range items {
		if in.ID != nil && *in.ID != "" {
			if j, dup := seen[*in.ID]; dup {
				return nil, Invalid("invalid batch", FieldError{Field: fmt.Sprintf("offers[%d].id", i), Message: fmt.Sprintf("repeats offers[%d].id", j)})
			}
			seen[*in.ID] = i
			ids = append(ids, *in.ID)
		}
	}
	existing, err := s.store.OffersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Second)
	out := make([]BatchResult, len(items))
	var errs []FieldError
	for i, in := range items {
		prefix := fmt.Sprintf("offers[%d].", i)
		o := Offer{SupplierID: supplierID, Status: OfferActive, Version: 1, CreatedAt: now, UpdatedAt: now}
		create := true
		if in.ID != nil && *in.ID != "" {
			if old, ok := existing[*in.ID]; ok {
				if old.SupplierID != supplierID {
					// Never reveal that another supplier owns the id.
					errs = append(errs, FieldError{Field: prefix + "id", Message: "is taken; choose another id or omit it"})
					continue
				}
				if old.Status != OfferActive {
					errs = append(errs, FieldError{Field: prefix + "id", Message: "names a withdrawn offer, which can no longer be changed"})
					continue
				}
				o = old
				o.Version++
				o.UpdatedAt = now
				create = false
			}
		}
		// A replacement is a full document: every required field must be present again.
		if e := in.apply(&o, true, refs, prefix); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		if create {
			if in.ID != nil && *in.ID != "" {
				o.ID = *in.ID
			} else {
				o.ID = NewID("off")
			}
		}
		out[i] = BatchResult{Offer: o, Created: create}
	}
	if len(errs) > 0 {
		return nil, Invalid(fmt.Sprintf("batch rejected: %d error(s); nothing was written", len(errs)), errs...)
	}
	offers := make([]BatchOffer, len(out))
	created := 0
	for i, r := range out {
		offers[i] = BatchOffer{Offer: r.Offer, Create: r.Created, PrevVersion: r.Offer.Version - 1}
		if r.Created {
			created++
		}
	}
	if err := s.checkOfferCap(ctx, supplierID, created, "offers"); err != nil {
		return nil, err
	}
	if err := s.store.UpsertOffers(ctx, offers); err != nil {
		return nil, err
	}
	return out, nil
}

// checkOfferCap refuses a write that would take supplierID past the cap on active offers with
// adding more new ones: 409 naming field. The count is read before the write, so writes of
// one supplier racing each other may overshoot the cap by the ones in flight: the cap bounds
// what a supplier can do to the market's size, not an exact quota.
func (s *Service) checkOfferCap(ctx context.Context, supplierID string, adding int, field string) error {
	if s.maxActive <= 0 || adding <= 0 {
		return nil
	}
	n, err := s.store.ActiveOfferCount(ctx, supplierID)
	if err != nil {
		return err
	}
	if n+adding <= s.maxActive {
		return nil
	}
	return &Error{Code: CodeConflict, Message: fmt.Sprintf("a supplier may have at most %d active offers; you have %d", s.maxActive, n),
		Fields: []FieldError{{Field: field, Message: fmt.Sprintf("%d more active offer(s) would make %d, over the cap of %d: withdraw some first", adding, n+adding, s.maxActive)}},
		Extra:  map[string]any{"max_active_offers": s.maxActive, "active_offers": n}}
}

// BatchOffer is one write of a batch upsert: a new offer, or a replacement of the stored
// offer at PrevVersion (a concurrent change fails the whole batch with CodePrecondition).
type BatchOffer struct {
	Offer       Offer
	Create      bool
	PrevVersion int
}

// fillAvailability computes GPUsAvailable for each view over [start, end); zero bounds mean
// the rest of each offer's window from now.
func (s *Service) fillAvailability(ctx context.Context, views []OfferView, start, end time.Time) error {
	if len(views) == 0 {
		return nil
	}
	now := s.now().Truncate(time.Second)
	lo, hi := start, end
	ids := make([]string, len(views))
	for i := range views {
		ids[i] = views[i].ID
		ws, we := windowFor(views[i].Offer, start, end, now)
		views[i].WindowStart, views[i].WindowEnd = ws, we
		if i == 0 || ws.Before(lo) {
			lo = ws
		}
		if i == 0 || we.After(hi) {
			hi = we
		}
	}
	res, err := s.store.Reservations(ctx, ids, lo, hi)
	if err != nil {
		return err
	}
	byOffer := map[string][]Reservation{}
	for _, r := range res {
		byOffer[r.OfferID] = append(byOffer[r.OfferID], r)
	}
	for i := range views {
		v := &views[i]
		if !v.WindowEnd.After(v.WindowStart) {
			v.GPUsAvailable = 0
			continue
		}
		v.GPUsAvailable = max(0, v.GPUs-PeakReserved(byOffer[v.ID], v.WindowStart, v.WindowEnd))
	}
	return nil
}

// windowFor clips the asked window to the offer's; zero bounds take the rest of the offer's
// window from now.
func windowFor(o Offer, start, end, now time.Time) (time.Time, time.Time) {
	if start.IsZero() {
		start = now
	}
	if start.Before(o.AvailableFrom) {
		start = o.AvailableFrom
	}
	if end.IsZero() || end.After(o.AvailableUntil) {
		end = o.AvailableUntil
	}
	return start, end
}

// Reservation is a hold of GPUs on an offer over [Start, End), created with its order.
type Reservation struct {
	OrderID string
	OfferID string
	GPUs    int
	Start   time.Time
	End     time.Time
}

// PeakReserved returns the largest number of GPUs held at any instant of [start, end) by the
// reservations (a sweep over their start and end points; ends are exclusive, so a reservation
// ending when another starts does not overlap it).
func PeakReserved(res []Reservation, start, end time.Time) int {
	type event struct {
		at    int64
		delta int
	}
	ev := make([]event, 0, 2*len(res))
	for _, r := range res {
		s, e := r.Start, r.End
		if s.Before(start) {
			s = start
		}
		if e.After(end) {
			e = end
		}
		if !e.After(s) {
			continue
		}
		ev = append(ev, event{s.Unix(), r.GPUs}, event{e.Unix(), -r.GPUs})
	}
	// Ends before starts at the same instant: [a,b) and [b,c) never count together.
	sort.Slice(ev, func(i, j int) bool {
		if ev[i].at != ev[j].at {
			return ev[i].at < ev[j].at
		}
		return ev[i].delta < ev[j].delta
	})
	cur, peak := 0, 0
	for _, e := range ev {
		cur += e.delta
		peak = max(peak, cur)
	}
	return peak
}
