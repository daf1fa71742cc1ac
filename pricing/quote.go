package pricing

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// PricingModel is how an offer is priced. Reserved and interruptible prices are simply the
// prices the supplier posts for them; a reserved commitment is expressed by the offer's
// MinHours (and shown with TermMonths), which Price enforces.
type PricingModel string

// The pricing models an offer can post.
const (
	PricingOnDemand      PricingModel = "on_demand"
	PricingReserved      PricingModel = "reserved"
	PricingInterruptible PricingModel = "interruptible"
)

// PricingModels lists every pricing model, in the order forms and documents show them.
var PricingModels = []PricingModel{PricingOnDemand, PricingReserved, PricingInterruptible}

// Valid reports whether m is one of PricingModels.
func (m PricingModel) Valid() bool {
	return m == PricingOnDemand || m == PricingReserved || m == PricingInterruptible
}

// one and minusOne are shared factors (decimal values are never mutated).
var (
	one      = decimal.NewFromInt(1)
	minusOne = decimal.NewFromInt(-1)
)

// Invariants of the arithmetic, not business limits (the marketplace's are far inside):
// maxHours is the most hours whose window (hours × time.Hour) fits a time.Duration, and with at
// most maxGPUs GPUs, GPUs × hours fits an int64.
const (
	maxHours = math.MaxInt64 / int64(time.Hour)
	maxGPUs  = math.MaxInt64 / maxHours
)

// ValidityPeriod is how long a quote is valid after it is created (valid_until = created +
// ValidityPeriod) unless Inputs.Validity says otherwise.
const ValidityPeriod = 24 * time.Hour

// Tier is a volume discount: a request of at least MinGPUHours GPU-hours (units for
// hardware) gets Discount (a fraction: 0.05 for 5%) off the gross price.
type Tier struct {
	MinGPUHours decimal.Decimal
	Discount    decimal.Decimal
}

// OfferTerms is everything about an offer, its region and its accelerator that pricing needs.
// The marketplace builds it from its records; pricing never reads storage.
type OfferTerms struct {
	ID             string
	Product        tariff.Product
	Price          decimal.Decimal // per GPU-hour, or per unit for hardware, in Currency
	Currency       string
	Pricing        PricingModel
	MinHours       int
	TermMonths     int
	Tiers          []Tier
	Capacity       int // GPUs (or units) available; 0 means unlimited
	AvailableFrom  time.Time
	AvailableUntil time.Time
	HSCode         string // hardware
	Origin         string // ISO alpha-2 of the hosting (or shipping) country
	Region         string // region code
	Bloc           string // CN | EU | NON_EU, for compare filters
	PUE            decimal.Decimal
	GridKgPerKWh   decimal.Decimal
	Accelerator    tariff.Accelerator
	BF16TFLOPS     decimal.Decimal // dense, per GPU
	TDPW           decimal.Decimal // per GPU

	// SupplierCountry is where the supplier is established (its seat), which decides who
	// charges VAT; "" = Origin, as quotes priced before establishment was modelled assumed.
	// Origin keeps deciding customs origin, export-control and data-transfer gates.
	SupplierCountry string
	// SupplierEstablishments are the further fixed establishments the supplier declares as
	// taking part in its supplies (tariff.Supply.SupplierEstablishments).
	SupplierEstablishments []string
	// Listings are the official lists the supplier declares it or its capacity is on (compute
	// vouchers: tariff.Supply.Listings).
	Listings []string
	// TaxTerms are the terms the offer is posted on for taxes withheld at source; a request
	// may ask for others (Request.TaxTerms).
	TaxTerms tariff.TaxTerms
	// Provenance is where the offer's price comes from: the supplier's posted offer, or the
	// demo market (illustrative); the price lines of a quote carry it.
	Provenance tariff.Provenance
}

// Request is what a buyer asks to be quoted.
type Request struct {
	GPUs         int
	Hours        int
	Units        int // hardware only
	BuyerCountry string
	BuyerRegion  string // where the buyer is registered, e.g. cn-beijing (vouchers); "" if unknown
	BuyerType    tariff.BuyerType
	Currency     string    // the quote currency
	AsOf         time.Time // the pricing date; zero means the creation date (Inputs.Now)
	Start        time.Time // optional start of use, checked against the offer's window
	PersonalData bool
	Freight      decimal.Decimal // goods: freight to the border, in the quote currency
	Insurance    decimal.Decimal // goods: insurance to the border, in the quote currency

	// BuyerHeadquarters is the country of the buyer's headquarters (or ultimate parent), for
	// rules that follow the buyer wherever it sits; "" = BuyerCountry.
	BuyerHeadquarters string
	// Purpose is the declared workload purpose (training vouchers); "" = not declared.
	Purpose tariff.Purpose
	// TaxTerms are the contract's terms for taxes withheld at source, when the buyer asks for
	// terms of its own; "" = the offer's (OfferTerms.TaxTerms). See AppliedTaxTerms.
	TaxTerms tariff.TaxTerms
	// VATRecovery is the share of its recoverable VAT a business buyer deducts (banks,
	// insurers and public bodies deduct less than all), from 0 to 1; null = all of it.
	VATRecovery decimal.NullDecimal
}

// Inputs is everything Price reads, resolved beforehand by the caller (the marketplace reads
// them from storage; Price never does). Price is a pure function of Inputs: the same Inputs
// give the identical Quote.
type Inputs struct {
	Offer   OfferTerms
	Request Request
	// Policy is the compiled policy to assess with: the baseline version named by Baseline,
	// with the scenario version named by Scenario overlaid when there is one. nil prices
	// without any measure.
	Policy   *tariff.Policy
	Baseline PolicyRef // the baseline policy version Policy was compiled from
	Scenario PolicyRef // the scenario version overlaid on it; zero when none
	FX       Snapshot  // the rates in force on the pricing date (shocked by the scenario, if any)
	// Quota is the volume left in each tariff quota of Policy for the period of the pricing
	// date, read before pricing; nil treats every quota as fully available.
	Quota       QuotaBalances
	SubsidyUsed map[string]decimal.Decimal // optional: subsidy already used per measure id
	// Notices are findings of the resolution the quote must show (the buyer's VAT number not
	// verified, or a business quoted as a consumer for want of one): the first of its flags.
	Notices  []tariff.Flag
	Now      time.Time     // creation time of the quote
	Validity time.Duration // zero means ValidityPeriod
	Rounding RoundingMode  // empty means HalfUp

	memo *assessMemo // set by Compare: assessments of identical supplies are computed once
}

// QuotaBalances is the volume left in each tariff quota, by measure id, for the period the
// pricing date falls in: read once before pricing, so that Price never asks storage. A measure
// that is not in the map has its whole quota available.
type QuotaBalances map[string]decimal.Decimal

// unlimitedQuota is what Remaining reports for a measure that is not in the map: more than any
// quantity a quote can have.
var unlimitedQuota = decimal.New(1, 18)

// Remaining implements tariff.QuotaLedger: the balance of measureID (the period is the one the
// balances were read for).
func (b QuotaBalances) Remaining(measureID string, _ time.Time) (decimal.Decimal, error) {
	if v, ok := b[measureID]; ok {
		return v, nil
	}
	return unlimitedQuota, nil
}

// Line is one rounded line of a quote.
type Line struct {
	Kind string // base | discount | export_duty | export_rebate | customs_duty | additional_duty | levy | vat | withholding | surtax | fee | subsidy
	// Label and LabelZH are the measure's own labels (English and Chinese) when a measure
	// produced the line, and the fee's name (FeeFreight, FeeInsurance) on the fee lines no
	// measure produces. Price lines (base, discount) have none: readers word every line in
	// their language from its kind, measure and the quote's request (web/i18n.LineLabel).
	Label       string
	LabelZH     string
	Amount      decimal.Decimal // rounded once, to Currency's minor units
	Currency    string
	MeasureID   string          // the measure that produced the line, if any
	Rate        string          // the duty expression or FX rate the line applied
	Basis       string          // e.g. "EUR 18,750.00 net price"
	BasisKind   string          // what BaseAmount is: quantity, gross_price (discount) or the measure's tariff base (net_price, customs_value, …)
	BaseAmount  decimal.Decimal // the base the rate applied to (rounded for display)
	LegalRef    []string
	Payable     bool // false for reverse-charged VAT and for Included lines: shown, not in Total
	Recoverable bool // a business buyer can deduct it
	Included    bool // the amount is inside the price (withholding on a gross payment): shown, not added
	Quota       string
	QuotaVolume decimal.Decimal // for in_quota/out_of_quota lines: the volume the line covers

	// Jurisdiction is who levies (or pays) the line: its measure's jurisdiction (DE, EU, CN…);
	// "" for price lines.
	Jurisdiction string
	// Provenance is how sure the line is: its measure's source, as-of date, confidence and
	// note, or on price lines the offer's (OfferTerms.Provenance); empty on fee lines.
	tariff.Provenance
}

// The names of the fee lines no measure produces (goods: freight and insurance to the border,
// part of the customs value), in Line.Label.
const (
	FeeFreight   = "Freight to the border"
	FeeInsurance = "Insurance to the border"
)

// What a line's BaseAmount is, besides the tariff bases of measures (tariff.Base).
const (
	BasisQuantity   = "quantity"    // GPU-hours (or units) of the base line
	BasisGrossPrice = "gross_price" // the base line's amount a volume discount applies to
)

// PolicyRef names one stored version of a policy or scenario document: its id, its version
// number and the hash of the policy it stands for (for a compiled policy, the hash of its
// documents together).
type PolicyRef struct {
	ID      string
	Version int
	Hash    string
}

// IsZero reports whether r names nothing (no scenario, for example).
func (r PolicyRef) IsZero() bool { return r == PolicyRef{} }

// Quote is a priced request. Its lines are rounded once each; Total is the exact sum of the
// payable lines. A Quote carries the inputs that shape every line (Offer, Request, Snapshot,
// Rounding, CreatedAt, Validity), so Price(q.Inputs(policy)) reproduces it exactly when no
// quota balance or subsidy usage was given; a stored quote keeps its complete Inputs beside it.
type Quote struct {
	OfferID         string
	Currency        string
	AsOf            time.Time
	CreatedAt       time.Time
	ValidUntil      time.Time
	Lines           []Line
	Subtotal        decimal.Decimal // net price: base + discount lines
	Total           decimal.Decimal // cash payable: sum of payable lines
	NetCost         decimal.Decimal // Total minus payable taxes a business recovers
	LandedCost      decimal.Decimal // NetCost for a business, Total for a consumer
	Quantity        decimal.Decimal // GPU-hours for services, units for hardware
	PerGPUHour      decimal.Decimal // landed cost per GPU-hour (zero for hardware)
	PerPFLOPHour    decimal.Decimal // landed cost per dense BF16 PFLOP-hour (zero if unknown)
	EnergyKWh       decimal.Decimal // facility energy estimate, 3 decimals
	EmissionsKgCO2e decimal.Decimal // estimate from the region's grid intensity, 3 decimals
	FX              []FXUse
	Flags           []tariff.Flag
	Trail           []tariff.Consideration
	TrailNoted      bool `json:"-"` // Trail holds notes computed for this quote (tariff.Assessment.TrailNoted); how it is stored, not part of the quote
	// TrailBase is the shared trail a noted Trail was copied from (tariff.Assessment.TrailBase);
	// how it is stored and sent, not part of the quote. Nil when a quote is read back.
	TrailBase []tariff.Consideration `json:"-"`
	Policy    PolicyRef              // the compiled policy: its id, the baseline version, its hash
	Rounding  RoundingMode
	Offer     OfferTerms
	Request   Request
	Snapshot  Snapshot
	Validity  time.Duration
	// TaxTerms are the terms the taxes withheld at source were computed under
	// (AppliedTaxTerms): the request's, else the offer's.
	TaxTerms tariff.TaxTerms
	// Notices are the resolution's findings (Inputs.Notices), also the first of Flags.
	Notices []tariff.Flag
}

// AppliedTaxTerms are the terms a quote computes taxes withheld at source under: the
// request's when it names some, else the offer's; a quote whose offer and request name none
// (priced before terms existed) was computed with the carve-out of tax_inclusive.
func AppliedTaxTerms(o OfferTerms, r Request) tariff.TaxTerms {
	switch {
	case r.TaxTerms != "":
		return r.TaxTerms
	case o.TaxTerms != "":
		return o.TaxTerms
	}
	return tariff.TaxTermsInclusive
}

// Inputs returns the inputs the quote was priced from, with policy (which must be the
// compiled policy q.Policy names, its Version set): re-pricing them gives the identical quote.
func (q Quote) Inputs(policy *tariff.Policy) Inputs {
	return Inputs{
		Offer: q.Offer, Request: q.Request, Policy: policy, Notices: q.Notices,
		FX: q.Snapshot, Rounding: q.Rounding, Now: q.CreatedAt, Validity: q.Validity,
	}
}

// Reasons a request cannot be quoted (NoQuoteError.Reason).
const (
	ReasonBelowMinHours     = "below_min_hours"
	ReasonBlockedByGate     = "blocked_by_gate"
	ReasonNoFXRate          = "no_fx_rate"
	ReasonUnknownCurrency   = "unknown_currency"
	ReasonHoursOutOfWindow  = "hours_out_of_window"
	ReasonNotEnoughCapacity = "not_enough_capacity"
	ReasonInvalidRequest    = "invalid_request"
	ReasonInvalidOffer      = "invalid_offer"
	ReasonNotMatching       = "not_matching"
)

// NoQuoteError says why a request cannot be quoted: Reason is a stable code (the quote's
// no_quote_reason), Field the request field at fault (if one is), Message a sentence.
type NoQuoteError struct {
	Reason  string
	Field   string
	Message string
}

// Error implements error.
func (e *NoQuoteError) Error() string {
	return "pricing: no quote: " + e.Reason + ": " + e.Message
}

func noQuote(reason, field, format string, args ...any) *NoQuoteError {
	return &NoQuoteError{Reason: reason, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Price computes a quote: the price build (price × GPUs × hours, or × units for hardware,
// less the volume tier discount), conversion into the quote currency, the tariff assessment
// on the converted net price, rounding of each line once (Round), the totals, unit prices,
// energy and emissions. It is pure and deterministic. A request that cannot be quoted returns
// a *NoQuoteError; a broken policy returns the tariff engine's error.
//
// Price does not validate requests: the marketplace does, once, against its limits. It keeps
// the invariants its own arithmetic relies on, and the offer's terms: known currencies (minor
// units), a rounding mode, a business or consumer buyer (which figure is the landed cost) with
// an ISO country (what the tariff engine matches), a positive quantity (unit prices divide by
// it), hours whose window fits a time.Duration and GPU-hours that fit an int64, no negative
// price, freight or insurance; then the offer's capacity, minimum hours and availability
// window (not_enough_capacity, below_min_hours, hours_out_of_window).
//
// Formulas (see README.md): base = price × quantity × FX; discount = −base × tier discount;
// net = base + discount (rounded lines), the tariff engine's net_price; total = Σ payable
// lines; net cost = total − Σ recoverable lines that are payable or included in the price
// (business buyers only; reverse-charged VAT is neither, so it nets to zero); landed = net
// cost (business) or total (consumer); per GPU-hour = landed ÷ GPU-hours; per PFLOP-hour =
// landed ÷ (GPU-hours × BF16 TFLOPS ÷ 1000); kWh = GPU-hours × TDP W ÷ 1000 × PUE;
// kg CO2e = kWh × grid kg/kWh.
func Price(in Inputs) (Quote, error) {
	o, r := in.Offer, in.Request
	mode := in.Rounding
	if mode == "" {
		mode = HalfUp
	}
	if !mode.Valid() {
		return Quote{}, noQuote(ReasonInvalidRequest, "rounding", "unknown rounding mode %q", mode)
	}
	cur := r.Currency
	if !KnownCurrency(cur) {
		return Quote{}, noQuote(ReasonUnknownCurrency, "currency", "unknown currency %q", cur)
	}
	if !KnownCurrency(o.Currency) {
		return Quote{}, noQuote(ReasonUnknownCurrency, "offer.currency", "the offer's currency %q is unknown", o.Currency)
	}
	if r.BuyerType != tariff.BuyerBusiness && r.BuyerType != tariff.BuyerConsumer {
		return Quote{}, noQuote(ReasonInvalidRequest, "buyer.type", "buyer type must be business or consumer, not %q", r.BuyerType)
	}
	if !tariff.IsCountry(r.BuyerCountry) {
		return Quote{}, noQuote(ReasonInvalidRequest, "buyer.country", "buyer country must be an ISO 3166 alpha-2 code, not %q", r.BuyerCountry)
	}
	if o.Price.IsNegative() {
		return Quote{}, noQuote(ReasonInvalidOffer, "offer.price", "the offer's price is negative")
	}
	if r.Freight.IsNegative() || r.Insurance.IsNegative() {
		return Quote{}, noQuote(ReasonInvalidRequest, "freight", "freight and insurance cannot be negative")
	}
	if err := checkTerms(o, r); err != nil {
		return Quote{}, err
	}
	validity := in.Validity
	if validity <= 0 {
		validity = ValidityPeriod
	}
	asOf := day(r.AsOf)
	if r.AsOf.IsZero() {
		asOf = day(in.Now)
	}

	// Quantity: GPU-hours for services, units for goods.
	hardware := o.Product == tariff.ProductHardware
	var qty, gpuHours decimal.Decimal
	if hardware {
		if r.Units <= 0 {
			return Quote{}, noQuote(ReasonInvalidRequest, "units", "units must be at least 1")
		}
		if o.Capacity > 0 && r.Units > o.Capacity {
			return Quote{}, noQuote(ReasonNotEnoughCapacity, "units", "%d units requested, %d available", r.Units, o.Capacity)
		}
		qty = decimal.NewFromInt(int64(r.Units))
	} else {
		if r.GPUs <= 0 {
			return Quote{}, noQuote(ReasonInvalidRequest, "gpus", "gpus must be at least 1")
		}
		if r.Hours <= 0 || int64(r.Hours) > maxHours {
			return Quote{}, noQuote(ReasonInvalidRequest, "hours", "hours must be between 1 and %d", maxHours)
		}
		if int64(r.GPUs) > maxGPUs {
			return Quote{}, noQuote(ReasonInvalidRequest, "gpus", "gpus must be at most %d", maxGPUs)
		}
		if o.Capacity > 0 && r.GPUs > o.Capacity {
			return Quote{}, noQuote(ReasonNotEnoughCapacity, "gpus", "%d GPUs requested, %d available", r.GPUs, o.Capacity)
		}
		if r.Hours < o.MinHours {
			return Quote{}, noQuote(ReasonBelowMinHours, "hours", "%d hours requested, the offer's minimum is %d", r.Hours, o.MinHours)
		}
		if !r.Start.IsZero() {
			end := r.Start.Add(time.Duration(r.Hours) * time.Hour)
			if (!o.AvailableFrom.IsZero() && r.Start.Before(o.AvailableFrom)) ||
				(!o.AvailableUntil.IsZero() && end.After(o.AvailableUntil)) {
				return Quote{}, noQuote(ReasonHoursOutOfWindow, "hours",
					"%s + %d h is outside the offer's availability %s..%s", r.Start.Format(time.RFC3339), r.Hours,
					o.AvailableFrom.Format(time.RFC3339), o.AvailableUntil.Format(time.RFC3339))
			}
		}
		gpuHours = decimal.NewFromInt(int64(r.GPUs) * int64(r.Hours))
		qty = gpuHours
	}

	q := Quote{
		OfferID:    o.ID,
		Currency:   cur,
		AsOf:       asOf,
		CreatedAt:  in.Now,
		ValidUntil: in.Now.Add(validity),
		Quantity:   qty,
		Rounding:   mode,
		Offer:      o,
		Request:    r,
		Snapshot:   in.FX,
		Validity:   in.Validity,
		TaxTerms:   AppliedTaxTerms(o, r),
		Notices:    in.Notices,
	}
	if in.Policy != nil {
		v := in.Baseline.Version
		if v == 0 {
			v = in.Policy.Version
		}
		q.Policy = PolicyRef{ID: in.Policy.ID, Version: v, Hash: in.Policy.Hash}
	}
	conv := &recorder{snap: in.FX}

	// Price build: price × quantity × FX rate at full precision, rounded once per line
	// (Round's rule, fused with the product by roundMul).
	disc := tierDiscount(o.Tiers, qty)
	rate := one
	if o.Currency != cur {
		u, err := conv.use(o.Currency, cur)
		if err != nil {
			return Quote{}, err
		}
		rate = u.Rate
	}
	p := places(cur)
	unit := "GPU-hour"
	if hardware {
		unit = "unit"
	}
	// The base line's basis is the quantity; the conversion is recorded in the quote's FX.
	baseLine := Line{
		Kind:       "base",
		Amount:     roundMul(p, mode, 0, o.Price, qty, rate),
		Currency:   cur,
		Rate:       priceRate(o.Price, o.Currency, unit),
		BaseAmount: qty,
		Basis:      quantityBasis(qty.IntPart(), unit),
		BasisKind:  BasisQuantity,
		Payable:    true,
		Provenance: o.Provenance,
	}
	// Lines before the assessment; q.Lines is allocated once, at its final size.
	var pre [4]Line
	pre[0] = baseLine
	npre := 1
	net := baseLine.Amount
	if disc.IsPositive() {
		var pb [32]byte
		pct := string(append(appendPlain(pb[:0], disc, 2), '%'))
		d := Line{
			Kind:       "discount",
			Amount:     roundMul(p, mode, 0, o.Price, qty, rate, disc, minusOne),
			Currency:   cur,
			Rate:       pct,
			BaseAmount: baseLine.Amount,
			Basis:      amountBasis(baseLine.Amount, cur, "gross price"),
			BasisKind:  BasisGrossPrice,
			Payable:    true,
			Provenance: o.Provenance,
		}
		pre[npre] = d
		npre++
		net = add(net, d.Amount)
	}
	q.Subtotal = net
	freight, insurance := decimal.Zero, decimal.Zero
	if !r.Freight.IsZero() {
		freight = Round(r.Freight, cur, mode)
	}
	if !r.Insurance.IsZero() {
		insurance = Round(r.Insurance, cur, mode)
	}
	if freight.IsPositive() {
		pre[npre] = Line{Kind: "fee", Label: FeeFreight, Amount: freight, Currency: cur, Payable: true}
		npre++
	}
	if insurance.IsPositive() {
		pre[npre] = Line{Kind: "fee", Label: FeeInsurance, Amount: insurance, Currency: cur, Payable: true}
		npre++
	}

	// Energy and emissions (services only: goods consume energy after delivery).
	kwh := decimal.Zero
	if !hardware && o.TDPW.IsPositive() {
		pue := o.PUE
		if !pue.IsPositive() {
			pue = one // unknown PUE: IT load only
		}
		kwh = mulShift(gpuHours, o.TDPW, pue, -3)
	}
	q.EnergyKWh = roundPlaces(kwh, 3, HalfUp)
	q.EmissionsKgCO2e = roundMul(3, HalfUp, 0, kwh, o.GridKgPerKWh)

	// The tariff assessment, on the rounded net price in the quote currency.
	if in.Policy != nil {
		supply := tariff.Supply{
			Product:      o.Product,
			Origin:       o.Origin,
			Destination:  r.BuyerCountry,
			BuyerRegion:  r.BuyerRegion,
			Region:       o.Region,
			BuyerType:    r.BuyerType,
			PersonalData: r.PersonalData,
			HSCode:       o.HSCode,
			Accelerator:  o.Accelerator,
			Quantity:     qty,
			EnergyKWh:    kwh,
			NetPrice:     net,
			Freight:      freight,
			Insurance:    insurance,
			Currency:     cur,
			Rates:        conv,
			SubsidyUsed:  in.SubsidyUsed,

			SupplierCountry:        o.SupplierCountry,
			SupplierEstablishments: o.SupplierEstablishments,
			Listings:               o.Listings,
			BuyerHeadquarters:      r.BuyerHeadquarters,
			Purpose:                r.Purpose,
			TaxTerms:               r.TaxTerms,
		}
		if supply.TaxTerms == "" {
			supply.TaxTerms = o.TaxTerms // both empty: the carve-out of quotes priced before terms existed
		}
		if in.Quota != nil {
			supply.Quota = in.Quota // never a typed nil: a nil ledger means unlimited quotas
		}
		a, lines, err := in.assess(supply, asOf, conv, mode)
		if err != nil {
			if conv.err != nil {
				return Quote{}, conv.err
			}
			return Quote{}, err
		}
		q.Flags = a.Flags[:len(a.Flags):len(a.Flags)] // capped: an append copies, never writes into it
		if lead := leadingFlags(in.Notices, o, r); len(lead) > 0 {
			q.Flags = append(lead, q.Flags...)
		}
		q.Trail, q.TrailNoted, q.TrailBase = a.Trail, a.TrailNoted, a.TrailBase
		if a.Blocked {
			return Quote{}, blockedError(a.Flags)
		}
		q.Lines = make([]Line, npre, npre+len(a.Charges))
		copy(q.Lines, pre[:npre])
		if lines != nil {
			q.Lines = append(q.Lines, lines...)
		} else {
			for _, c := range a.Charges {
				q.Lines = append(q.Lines, chargeLine(c, cur, mode))
			}
		}
	} else {
		q.Lines = append([]Line(nil), pre[:npre]...)
		q.Flags = leadingFlags(in.Notices, o, r)
	}
	q.FX = conv.fx
	q.Flags = append(q.Flags, conv.stale...)

	// Totals: sums of rounded lines, never rounded again; a business recovering only a share
	// of its VAT deducts that share of the recoverable lines, rounded once (Round).
	total, recoverable := newSum(p), newSum(p)
	business := r.BuyerType == tariff.BuyerBusiness
	for i := range q.Lines {
		l := &q.Lines[i]
		if l.Payable {
			total.add(l.Amount)
		}
		if (l.Payable || l.Included) && l.Recoverable && business {
			recoverable.add(l.Amount)
		}
	}
	q.Total = total.value()
	q.NetCost = q.Total
	if recovered := recoverable.value(); !recovered.IsZero() {
		if r.VATRecovery.Valid && !r.VATRecovery.Decimal.Equal(one) {
			recovered = Round(recovered.Mul(r.VATRecovery.Decimal), cur, mode)
		}
		q.NetCost = q.Total.Sub(recovered)
	}
	q.LandedCost = q.Total
	if business {
		q.LandedCost = q.NetCost
	}
	if !hardware {
		q.PerGPUHour = UnitPrice(q.LandedCost, gpuHours, cur, mode)
		if o.BF16TFLOPS.IsPositive() {
			q.PerPFLOPHour = unitPriceOf(q.LandedCost, gpuHours, o.BF16TFLOPS, -3, cur, mode)
		}
	}
	return q, nil
}

// checkTerms keeps the invariants of the terms a request may carry: known tax terms and
// purposes (the tariff engine refuses others), an ISO headquarters country and a VAT recovery
// share from 0 to 1.
func checkTerms(o OfferTerms, r Request) *NoQuoteError {
	for _, t := range []tariff.TaxTerms{o.TaxTerms, r.TaxTerms} {
		if t != "" && t != tariff.TaxTermsNetOfCNTax && t != tariff.TaxTermsInclusive {
			return noQuote(ReasonInvalidRequest, "tax_terms", "tax terms must be %s or %s, not %q", tariff.TaxTermsNetOfCNTax, tariff.TaxTermsInclusive, t)
		}
	}
	switch r.Purpose {
	case "", tariff.PurposeTraining, tariff.PurposeInference, tariff.PurposeOther:
	default:
		return noQuote(ReasonInvalidRequest, "purpose", "purpose must be training, inference or other, not %q", r.Purpose)
	}
	if r.BuyerHeadquarters != "" && !tariff.IsCountry(r.BuyerHeadquarters) {
		return noQuote(ReasonInvalidRequest, "buyer.headquarters", "buyer headquarters must be an ISO 3166 alpha-2 code, not %q", r.BuyerHeadquarters)
	}
	if v := r.VATRecovery; v.Valid && (v.Decimal.IsNegative() || v.Decimal.GreaterThan(one)) {
		return noQuote(ReasonInvalidRequest, "buyer.vat_recovery", "the VAT recovery share must be from 0 to 1, not %s", v.Decimal)
	}
	return nil
}

// termsSource is the provenance of the flag that says a request's tax terms differ from the
// offer's: the offer itself.
var termsSource = tariff.Provenance{Source: "the offer's posted tax terms (tax_terms)", Confidence: "sourced"}

// leadingFlags are the flags a quote shows before the tariff engine's: the resolution's
// notices, then a warning when the request asks for tax terms other than the offer's (the
// quote is priced under the request's, which the supplier has not posted). The slice is new
// (nil when there are none): notices may be shared by the quotes of a comparison.
func leadingFlags(notices []tariff.Flag, o OfferTerms, r Request) []tariff.Flag {
	differ := r.TaxTerms != "" && o.TaxTerms != "" && r.TaxTerms != o.TaxTerms
	if len(notices) == 0 && !differ {
		return nil
	}
	out := append(make([]tariff.Flag, 0, len(notices)+1), notices...)
	if !differ {
		return out
	}
	return append(out, tariff.Flag{Code: "tax_terms.not_offered", Severity: tariff.SeverityWarning, Provenance: termsSource,
		Message: fmt.Sprintf("priced under %s terms as requested; the offer is posted %s: agree the terms with the supplier before relying on this quote", r.TaxTerms, o.TaxTerms)})
}

// priceRate shows a unit price as "CNY 15.00 per GPU-hour": at least the currency's minor
// units, and every further significant decimal the price has ("EUR 2.125 per GPU-hour"). It
// depends on the value only, not on how the decimal is written (15, 15.00 and 15.000 alike),
// so a quote re-priced from stored JSON reads the same.
func priceRate(p decimal.Decimal, cur, unit string) string {
	var buf [64]byte
	b := append(append(buf[:0], cur...), ' ')
	n := places(cur)
	if p.NumDigits() > 18 {
		b = append(b, p.String()...)
	} else {
		c, e := p.CoefficientInt64(), p.Exponent()
		for c != 0 && c%10 == 0 && e < 0 {
			c /= 10
			e++
		}
		if e >= -n {
			b = appendAmount(b, p, cur)
		} else {
			b = appendMinor(b, c, -e)
		}
	}
	return string(append(append(b, " per "...), unit...))
}

// quantityBasis shows the base line's quantity: "5760 GPU-hours".
func quantityBasis(qty int64, unit string) string {
	var buf [48]byte
	b := strconv.AppendInt(buf[:0], qty, 10)
	return string(append(append(append(b, ' '), unit...), 's'))
}

// amountBasis shows an amount and what it is: "EUR 18,750.00 net price".
func amountBasis(amount decimal.Decimal, cur, name string) string {
	var buf [80]byte
	b := append(append(buf[:0], cur...), ' ')
	b = appendAmount(b, amount, cur)
	return string(append(append(b, ' '), name...))
}

// tierDiscount returns the discount of the highest tier whose minimum the quantity reaches.
func tierDiscount(tiers []Tier, qty decimal.Decimal) decimal.Decimal {
	best, bestMin := decimal.Zero, decimal.Decimal{}
	found := false
	for _, t := range tiers {
		if qty.GreaterThanOrEqual(t.MinGPUHours) && (!found || t.MinGPUHours.GreaterThan(bestMin)) {
			best, bestMin, found = t.Discount, t.MinGPUHours, true
		}
	}
	if best.IsNegative() {
		return decimal.Zero
	}
	return best
}

// chargeLine turns one tariff charge into a quote line, rounding its amount (once).
func chargeLine(c tariff.Charge, cur string, mode RoundingMode) Line {
	l := Line{
		Kind:        string(c.Kind),
		Label:       c.Label,
		LabelZH:     c.LabelZH,
		Amount:      Round(c.Amount, cur, mode),
		Currency:    cur,
		MeasureID:   c.MeasureID,
		Rate:        c.Rate,
		BaseAmount:  c.BaseAmount,
		LegalRef:    c.Legal,
		Payable:     c.Payable,
		Recoverable: c.Recoverable,
		Quota:       c.Quota,
		QuotaVolume: c.Quantity,
		BasisKind:   c.Basis,
	}
	l.Jurisdiction = c.Jurisdiction
	l.Provenance = c.Provenance
	if c.Included {
		// The engine says the tax is inside the price (withheld under tax_inclusive terms: the
		// buyer pays the supplier less and the tax office the difference), so it is not added.
		l.Included, l.Payable = true, false
	}
	switch c.Basis {
	case "quantity":
		l.Basis = c.BaseAmount.String() + " quantity"
	case "":
	default:
		l.BaseAmount = Round(c.BaseAmount, cur, mode)
		l.Basis = amountBasis(c.BaseAmount, cur, basisName(c.Basis))
	}
	return l
}

func basisName(b string) string {
	switch b {
	case "net_price":
		return "net price"
	case "customs_value":
		return "customs value"
	case "value_plus_duties":
		return "value plus duties"
	case "gross_payment":
		return "gross payment"
	case "payment_net_of_vat":
		return "payment net of VAT"
	case "tax_amount":
		return "tax amount"
	case "contract_amount":
		return "contract amount"
	}
	return b
}

func blockedError(flags []tariff.Flag) *NoQuoteError {
	msg := "a gate of the policy blocks this supply"
	for _, f := range flags {
		if f.Severity == tariff.SeverityBlock {
			msg = f.Message
			if f.MeasureID != "" {
				msg += " (" + f.MeasureID + ")"
			}
			break
		}
	}
	return &NoQuoteError{Reason: ReasonBlockedByGate, Message: msg}
}

// recorder is the tariff.Converter Price hands to the engine: it converts with the snapshot
// and records every pair used (once) in the quote's FX list, with staleness warnings.
type recorder struct {
	snap  Snapshot
	fx    []FXUse // the conversions used, in order of first use
	stale []tariff.Flag
	err   error
}

func (c *recorder) use(from, to string) (FXUse, error) {
	for _, u := range c.fx {
		if u.From == from && u.To == to {
			return u, nil
		}
	}
	u, err := c.snap.CrossRate(from, to)
	if err != nil {
		nq := &NoQuoteError{Reason: ReasonNoFXRate, Field: "currency", Message: err.Error()}
		c.err = nq
		return FXUse{}, nq
	}
	c.fx = append(c.fx, u)
	switch {
	case !u.CarriedFrom.IsZero():
		c.stale = append(c.stale, carriedFlag(u, c.snap.Date))
	case c.snap.Date.Sub(u.Date) > StaleAfter:
		c.stale = append(c.stale, staleFlag(u.Date, c.snap.Date))
	}
	return u, nil
}

// Convert implements tariff.Converter.
func (c *recorder) Convert(amount decimal.Decimal, from, to string) (decimal.Decimal, error) {
	if from == to {
		return amount, nil
	}
	u, err := c.use(from, to)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return mul(amount, u.Rate), nil
}

// assessMemo remembers assessments of identical supplies within one comparison. tariff.Assess
// is a pure function of the policy, the supply and the date (when no quota ledger or subsidy
// usage is involved), so equal keys give equal assessments; the FX pairs the engine converted
// with are replayed so that every quote still records them.
//
// The memo pays only when supplies repeat: after memoProbe lookups with fewer than a quarter
// of them hits, it switches itself off for the rest of the comparison (the results are the
// same either way; only the work differs).
type assessMemo struct {
	mu      sync.Mutex
	m       map[string]memoEntry
	lookups int
	hits    int
	off     atomic.Bool
}

// memoProbe is how many lookups the memo gets to prove itself.
const memoProbe = 512

type memoEntry struct {
	a     tariff.Assessment
	lines []Line // the charges as rounded lines (read-only: Price copies them)
	err   error
	fx    [][2]string
}

// chargeLines turns an assessment's charges into rounded quote lines.
func chargeLines(a tariff.Assessment, cur string, mode RoundingMode) []Line {
	lines := make([]Line, len(a.Charges))
	for i, c := range a.Charges {
		lines[i] = chargeLine(c, cur, mode)
	}
	return lines
}

// assess runs the tariff engine for one supply, through the memo when there is one; with the
// memo it also returns the charges as rounded lines (nil without: the caller rounds them).
func (in *Inputs) assess(s tariff.Supply, asOf time.Time, conv *recorder, mode RoundingMode) (tariff.Assessment, []Line, error) {
	if in.memo == nil || in.memo.off.Load() || s.Quota != nil || s.SubsidyUsed != nil {
		a, err := tariff.Assess(in.Policy, s, asOf)
		return a, nil, err
	}
	var arr [256]byte
	key := append(s.AppendKey(arr[:0]), mode...)
	in.memo.mu.Lock()
	e, ok := in.memo.m[string(key)] // no allocation for the lookup
	in.memo.lookups++
	if ok {
		in.memo.hits++
	}
	if in.memo.lookups == memoProbe && in.memo.hits < memoProbe/4 {
		in.memo.off.Store(true)
	}
	in.memo.mu.Unlock()
	if ok {
		for _, p := range e.fx {
			if _, err := conv.use(p[0], p[1]); err != nil {
				return tariff.Assessment{}, nil, err
			}
		}
		return e.a, e.lines, e.err
	}
	n := len(conv.fx)
	a, err := tariff.Assess(in.Policy, s, asOf)
	e = memoEntry{a: a, err: err}
	if err == nil {
		e.lines = chargeLines(a, s.Currency, mode)
	}
	for _, u := range conv.fx[n:] {
		e.fx = append(e.fx, [2]string{u.From, u.To})
	}
	in.memo.mu.Lock()
	in.memo.m[string(key)] = e
	in.memo.mu.Unlock()
	return a, e.lines, err
}
