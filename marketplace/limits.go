package marketplace

import (
	"time"

	"corridor/marketplace/search"
)

// The marketplace's limits: one set, enforced by the Service when an offer is written and when
// a quote or a comparison is asked for. Web, the command line and the OpenAPI document show the
// same numbers; pricing keeps only the invariants of its arithmetic, far outside them.
const (
	MaxGPUs  = 100_000 // GPUs of one offer, and GPUs one quote or comparison asks for
	MaxUnits = 100_000 // hardware units one quote asks for
	MaxHours = 87_600  // hours one quote asks for, and an offer's min_hours: ten years

	MaxOfferTermMonths = 120                       // term_months: ten years
	MaxOfferWindow     = 10 * 366 * 24 * time.Hour // available_until − available_from
	MaxOfferTiers      = 20
	MaxOfferNote       = 2000 // bytes
	MaxBatchOffers     = 1000
	PriceDecimals      = 6 // the price's micro-unit shadow column is exact because of this

	MaxCodeLen        = search.MaxCodeLen // ids and codes: offers, suppliers, quotes, regions, accelerators
	MaxPolicyIDLen    = 128               // policy and scenario ids
	MaxVATIDLen       = 20
	MaxCompareRegions = 100

	MaxSupplierPlaces = 30 // a supplier's fixed establishments, VAT registrations and listings, each

	// DefaultMaxActiveOffers is how many active offers one supplier may have unless the
	// operator sets another cap (Service.SetMaxActiveOffers, `corridor serve
	// --max-active-offers`).
	DefaultMaxActiveOffers = 10_000
)
