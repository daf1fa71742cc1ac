package marketplace_test

import (
	"context"

	"corridor/marketplace"
)

// The API of the quote path that the benchmarks call (kept apart so that the benchmarks can
// be run unchanged against an older tree with its own version of this file).

func benchRequest(scenario string) marketplace.QuoteRequest {
	return marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: 8, Hours: 100,
		Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}, Currency: "EUR", Scenario: scenario}
}

func quoteOnce(ctx context.Context, svc *marketplace.Service, req marketplace.QuoteRequest) (string, error) {
	q, err := svc.Quote(ctx, req)
	return q.ID, err
}
