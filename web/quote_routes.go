package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// addQuoteRoutes adds the quote, compare and policy endpoints.
func addQuoteRoutes(api fiber.Router, d Deps) {
	api.Post("/quotes", identifyCaller(d.Market, d.AdminTokenHash), handleQuoteCreate(d.Market)) // a buyer key makes the quote the buyer's
	api.Get("/quotes/:id", handleQuoteGet(d.Market))
	api.Post("/compare", d.responses.cached("compare", bodyKey, handleCompare(d.Market)))

	api.Get("/policies", handlePolicyList(d.Market))
	api.Get("/policies/:id/versions/:n", handlePolicyVersionGet(d.Market))
	api.Post("/policies", requireAdmin(d.AdminTokenHash), handlePolicyCreate(d.Market))
	api.Post("/policies/:id/versions/:n/activate", requireAdmin(d.AdminTokenHash), handlePolicyActivate(d.Market))
}

// quoteAPI is what the quote endpoints use of the marketplace.
type quoteAPI interface {
	Quote(ctx context.Context, req marketplace.QuoteRequest) (marketplace.Quote, error)
	GetQuote(ctx context.Context, id string) (marketplace.Quote, error)
	Now() time.Time // a quote's status (valid or expired) is told by the clock that accepting checks
	// OfferDetail gives the quoted offer's accelerator, whose name the base line's label carries.
	OfferDetail(ctx context.Context, id string) (marketplace.OfferContext, error)
}

// compareAPI is what the compare endpoint uses of the marketplace.
type compareAPI interface {
	Compare(ctx context.Context, n marketplace.Need) (marketplace.Comparison, error)
}

// policyAPI is what the policy endpoints use of the marketplace.
type policyAPI interface {
	Policies(ctx context.Context) ([]marketplace.PolicyVersion, error)
	PolicyVersion(ctx context.Context, id string, version int) (marketplace.PolicyVersion, error)
	AddPolicy(ctx context.Context, doc marketplace.PolicyDoc, activate bool) (marketplace.PolicyVersion, bool, error)
	ActivatePolicy(ctx context.Context, id string, version int) error
}
