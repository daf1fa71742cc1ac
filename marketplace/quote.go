package marketplace

import (
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
)

// Buyer is who asks for a quote: where the buyer is established and whether it buys as a
// VAT-registered business or as a consumer.
type Buyer struct {
	Country string // ISO alpha-2
	Type    string // business | consumer
	// VATID is the buyer's VAT number: in the EU a business is quoted as one only on a number
	// valid in format for its country (checked offline; VIES cannot be asked here), else as a
	// consumer with a flag saying why.
	VATID  string
	Region string // optional: where the buyer is registered, e.g. cn-beijing (compute vouchers)
	// Headquarters is the country of the buyer's headquarters (or ultimate parent), for rules
	// that follow the buyer wherever it sits; "" = Country.
	Headquarters string
	// VATRecovery is the share of its input VAT a business deducts, from 0 to 1; null = all.
	VATRecovery decimal.NullDecimal
}

// QuoteRequest is what a buyer asks to be priced.
type QuoteRequest struct {
	OfferID      string
	GPUs         int
	Hours        int
	Units        int // hardware only: units bought (GPUs is ignored)
	Buyer        Buyer
	Currency     string
	AsOf         time.Time // the pricing date (policy version and FX in force then); zero = today
	Start        time.Time // start of the reserved window; zero = the later of now and the offer's start
	PersonalData bool
	Scenario     string // a stored scenario to price under (its version in force then); "" = the baseline
	Purpose      string // training | inference | other; "" = not declared (training vouchers then do not apply)
	// TaxTerms are the contract terms asked for taxes withheld at source (net_of_cn_tax or
	// tax_inclusive); "" = the terms the offer is posted on.
	TaxTerms string
	// BuyerID is the signed-in buyer account asking, whose fields fill what Buyer leaves
	// empty; "" = anonymous.
	BuyerID string
}

// QuotaUse is tariff-quota volume a quote would consume when accepted: Volume out of the
// measure's Limit for the Period. Accepting re-checks that consumed + Volume ≤ Limit.
type QuotaUse struct {
	MeasureID string
	Period    string // e.g. "2026" for a calendar-year quota
	Volume    decimal.Decimal
	Limit     decimal.Decimal
}

// Quote is a stored, immutable priced request: what was asked (Request, with its pricing date
// and start resolved), the complete inputs it was priced from (Inputs, whose Policy is nil: the
// policy is named by Inputs.Baseline and Inputs.Scenario) and the result (Priced), plus what
// accepting it needs. Re-pricing Inputs with the policy versions they name gives Priced again.
type Quote struct {
	ID         string
	OfferID    string
	Request    QuoteRequest
	GPUs       int       // GPUs (or units) the order will reserve
	Start, End time.Time // the reservation window [Start, End)
	Currency   string
	Total      decimal.Decimal
	CreatedAt  time.Time
	ValidUntil time.Time
	QuotaUses  []QuotaUse
	Inputs     pricing.Inputs
	Priced     pricing.Quote

	// Ownership and what became of the quote (columns beside the record, not part of it).
	BuyerID      string       // the account that asked for it or accepted it; "" for an anonymous quote not accepted
	OrderID      string       // the order it became; "" until accepted
	Cancellation Cancellation // the offer's terms when priced (zero for quotes priced before offers had terms)

	// Accelerator is the catalogue's entry for the offer's accelerator when the quote was
	// priced, which names it in the base line's label. Not stored: a quote read back leaves it
	// zero, and its reader looks the accelerator up.
	Accelerator Accelerator
}

// Status is the quote's state at now: accepted once it has an order (whatever became of the
// order), else valid until ValidUntil, then expired.
func (q Quote) Status(now time.Time) string {
	switch {
	case q.OrderID != "":
		return QuoteAccepted
	case now.Before(q.ValidUntil):
		return QuoteValid
	}
	return QuoteExpired
}

// Quote statuses.
const (
	QuoteValid    = "valid"
	QuoteExpired  = "expired"
	QuoteAccepted = "accepted"
)

// Order is an accepted quote: it holds a reservation of GPUs on the offer over [Start, End).
type Order struct {
	ID         string
	QuoteID    string
	OfferID    string
	SupplierID string
	GPUs       int
	Start, End time.Time
	Currency   string
	Total      decimal.Decimal
	Status     string // confirmed | cancelled
	CreatedAt  time.Time

	BuyerID      string       // the account that accepted the quote; "" for orders placed before buyer accounts
	Buyer        BuyerAccount // who to invoice, read with the order when BuyerID is set
	Cancellation Cancellation // the terms the order was accepted under
	Cancelled    OrderCancellation
}
