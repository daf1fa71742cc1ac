package marketplace

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// QuoteStore holds quotes: immutable records of a priced request.
type QuoteStore interface {
	// PutQuote stores a new quote; quotes are never updated.
	PutQuote(ctx context.Context, q Quote) error
	// Quote reads a stored quote; CodeNotFound when there is none.
	Quote(ctx context.Context, id string) (Quote, error)
	// PurgeQuotes deletes the quotes that expired before expiredBefore and were never
	// accepted, and returns how many; accepted quotes and their orders stay forever.
	PurgeQuotes(ctx context.Context, expiredBefore time.Time) (int, error)
}

// QuoteInputStore is what resolving a quote reads besides policies and FX rates.
type QuoteInputStore interface {
	// OfferContext reads an offer (any status) with its region, accelerator and supplier.
	OfferContext(ctx context.Context, offerID string) (OfferContext, error)
	// ActiveOfferContexts reads every active offer matching f with its region, accelerator and
	// supplier, ordered by offer id.
	ActiveOfferContexts(ctx context.Context, f OfferContextFilter) ([]OfferContext, error)
	// CompareCandidates reads the active offers matching f as a comparison orders them before
	// pricing: id, price, currency, capacity and tiers only, in no particular order.
	CompareCandidates(ctx context.Context, f OfferContextFilter) ([]CompareCandidate, error)
	// CompareCandidatesPart is CompareCandidates narrowed to part (see CandidatePart).
	CompareCandidatesPart(ctx context.Context, f OfferContextFilter, part CandidatePart) ([]CompareCandidate, error)
	// OfferContexts reads the offers with the given ids (any status) with their regions,
	// accelerators and suppliers, keyed by id; ids that do not exist are absent.
	OfferContexts(ctx context.Context, ids []string) (map[string]OfferContext, error)
	// QuotaConsumed returns the volume of each tariff quota (by measure id) that accepted
	// orders used in a period; a quota nothing used is absent.
	QuotaConsumed(ctx context.Context, measureIDs []string, period string) (map[string]decimal.Decimal, error)
}

// CompareCandidate is what a comparison reads of every matching offer before it prices any:
// enough for a lower bound of the landed cost (pricing.Comparer.LowerBound).
type CompareCandidate struct {
	ID       string
	Price    decimal.Decimal
	Currency string
	Capacity int
	Tiers    []Tier
	// Floor is the price less the largest discount of its tiers (the price without tiers),
	// truncated to micro-units: no volume prices the offer below it (FloorPrice).
	Floor decimal.Decimal
}

// CandidatePart narrows a read of candidates: the zero value reads them all.
type CandidatePart struct {
	// Other reads the offers listed in a currency not in OfferCurrencies.
	Other bool
	// Currency reads the offers listed in it, with or without tiers, by floor price (Floor)
	// then id, after After (nil: from the cheapest), at most Limit.
	Currency string
	After    *CompareCandidate
	Limit    int
	// MinCapacity leaves out offers whose capacity is set and below it.
	MinCapacity int
}

// OfferContextFilter narrows ActiveOfferContexts; zero values match everything.
type OfferContextFilter struct {
	Products    []string
	Accelerator string
	Bloc        Bloc
	Regions     []string
	// MinBF16TFLOPS, when positive, keeps offers of accelerators with at least that dense BF16
	// throughput (CompareCandidates only).
	MinBF16TFLOPS decimal.Decimal
}
