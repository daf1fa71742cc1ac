package web

import (
	"context"
	"time"

	"corridor/marketplace"
	"corridor/pricing"
)

// pageMarket is what the browser UI's pages use of the marketplace.
type pageMarket interface {
	Now() time.Time
	Regions(ctx context.Context, f marketplace.RegionFilter) ([]marketplace.Region, error)
	Accelerators(ctx context.Context) ([]marketplace.Accelerator, error)
	SearchOffers(ctx context.Context, r marketplace.SearchRequest) (marketplace.SearchPage, error)
	ActiveOffers(ctx context.Context, f marketplace.OfferContextFilter) ([]marketplace.OfferContext, error)
	ActiveOffersPerRegion(ctx context.Context) (map[string]int, error)
	OfferDetail(ctx context.Context, id string) (marketplace.OfferContext, error)
	Policies(ctx context.Context) ([]marketplace.PolicyVersion, error)
	PolicyVersion(ctx context.Context, id string, version int) (marketplace.PolicyVersion, error)
	FXOn(ctx context.Context, date time.Time) (pricing.Snapshot, []string, error)
	Compare(ctx context.Context, n marketplace.Need) (marketplace.Comparison, error)
	Quote(ctx context.Context, req marketplace.QuoteRequest) (marketplace.Quote, error)
	GetQuote(ctx context.Context, id string) (marketplace.Quote, error)
	Index(ctx context.Context, q marketplace.IndexQuery) (marketplace.IndexResult, error)                  // pages_index.go
	OfferIndex(ctx context.Context, oc marketplace.OfferContext) (marketplace.OfferIndexLine, bool, error) // the offer page's index line
}
