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
	// OfferContext reads an offer (any status) with its region, accelerator and supplier.
	OfferContext(ctx context.Context, offerID string) (OfferContext, error)
	// ActiveOfferContexts reads every active offer matching f with its region, accelerator and
	// supplier, ordered by offer id.
	ActiveOfferContexts(ctx context.Context, f OfferContextFilter) ([]OfferContext, error)
	// QuotaConsumed returns the volume of a tariff quota that accepted orders used in a period.
	QuotaConsumed(ctx context.Context, measureID, period string) (decimal.Decimal, error)
}

// availabilityStore is implemented by stores that track reservations; quoting uses it to refuse
// a request for more GPUs than are free in the window (accepting re-checks it in a transaction).
type availabilityStore interface {
	GPUsAvailable(ctx context.Context, offerID string, start, end time.Time) (int, error)
}

// OfferContextFilter narrows ActiveOfferContexts; zero values match everything.
type OfferContextFilter struct {
	Products    []string
	Accelerator string
	Bloc        Bloc
	Regions     []string
}
