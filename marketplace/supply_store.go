package marketplace

import (
	"context"
	"time"

	"corridor/marketplace/search"
)

// SupplierStore holds suppliers and their API keys.
type SupplierStore interface {
	// PutSuppliers inserts suppliers whose id is new (seeding); it returns how many.
	PutSuppliers(ctx context.Context, suppliers []Supplier) (int, error)
	// CreateSupplier stores a new supplier with its first API key, in one transaction; a name
	// whose SupplierNameKey another supplier has is DuplicateSupplierName.
	CreateSupplier(ctx context.Context, s Supplier, key APIKey) error
	// Supplier reads one supplier; CodeNotFound when there is none.
	Supplier(ctx context.Context, id string) (Supplier, error)
	// UpdateSupplier stores the establishment sp declares (country, fixed establishments, VAT
	// registrations, listings); CodeNotFound when there is no such supplier.
	UpdateSupplier(ctx context.Context, sp Supplier) error
	// Suppliers lists every supplier ordered by name, then id.
	Suppliers(ctx context.Context) ([]Supplier, error)
	// APIKey reads one API key (revoked ones too); CodeNotFound when there is none.
	APIKey(ctx context.Context, id string) (APIKey, error)
	// RotateAPIKey stores key and revokes every other valid key of its supplier, in one
	// transaction.
	RotateAPIKey(ctx context.Context, key APIKey) error
	// RevokeAPIKey revokes key keyID of supplierID at the given time (a revoked key stays
	// revoked at its first time); CodeNotFound when the supplier has no such key.
	RevokeAPIKey(ctx context.Context, supplierID, keyID string, at time.Time) error
}

// OfferStore holds offers and reads the reservations held on them.
type OfferStore interface {
	// PutOffers inserts offers whose id is new (seeding); it returns how many.
	PutOffers(ctx context.Context, offers []Offer) (int, error)
	// CountOffers counts offers, for health and seeding checks.
	CountOffers(ctx context.Context) (int64, error)
	// ActiveOffersPerRegion counts the active offers of each region that has any (an
	// aggregate: the offers are not read).
	ActiveOffersPerRegion(ctx context.Context) (map[string]int, error)
	// ActiveOfferCount counts a supplier's active offers.
	ActiveOfferCount(ctx context.Context, supplierID string) (int, error)
	// CreateOffer stores a new offer; CodeConflict when the id exists, CodeInvalid when its
	// region or accelerator does not.
	CreateOffer(ctx context.Context, o Offer) error
	// OfferView reads one offer with its names and accelerator figures (GPUsAvailable unset).
	OfferView(ctx context.Context, id string) (OfferView, error)
	// OffersByID reads the offers with the given ids that exist, keyed by id.
	OffersByID(ctx context.Context, ids []string) (map[string]Offer, error)
	// UpdateOffer replaces the stored offer o.ID if its version is still prevVersion, else
	// CodePrecondition.
	UpdateOffer(ctx context.Context, o Offer, prevVersion int) error
	// UpsertOffers creates and replaces offers in one transaction: all or nothing.
	UpsertOffers(ctx context.Context, offers []BatchOffer) error
	// SearchOfferKeys runs the reads of a search plan: the ids, listing currencies and integer
	// sort keys of the offers each read matches, in its order (index-only reads where
	// possible), all reads' rows together.
	SearchOfferKeys(ctx context.Context, reads []search.Read) ([]search.Row, error)
	// SupplierOfferViews reads a supplier's offers of a status ("" = any) with ids after
	// afterID, ordered by id, limit at most.
	SupplierOfferViews(ctx context.Context, supplierID, status, afterID string, limit int) ([]OfferView, error)
	// OfferViews reads the offers with the given ids that exist, keyed by id.
	OfferViews(ctx context.Context, ids []string) (map[string]OfferView, error)
	// Reservations lists the reservations on the given offers that overlap [from, to).
	Reservations(ctx context.Context, offerIDs []string, from, to time.Time) ([]Reservation, error)
}

// OrderStore turns quotes into orders, reads and cancels them.
type OrderStore interface {
	// AcceptQuote turns a quote into an order of a.BuyerID with its reservation, in one
	// transaction (see Service.AcceptQuote); created is false when the quote had already been
	// accepted (by the same buyer: another's order is CodeForbidden).
	AcceptQuote(ctx context.Context, a Acceptance) (o Order, created bool, err error)
	// Order reads one order with its buyer; CodeNotFound when there is none.
	Order(ctx context.Context, id string) (Order, error)
	// Orders lists the orders of l's supplier or buyer (neither: every order) newest first,
	// created in [l.From, l.To), with their buyers, Limit+1 rows at most (the extra row tells
	// that there is a next page).
	Orders(ctx context.Context, l OrderListing) ([]Order, error)
	// CancelOrder marks a confirmed order cancelled with c, deletes its reservation and gives
	// back the tariff-quota volume its quote consumed, in one transaction; an order already
	// cancelled is returned as it is with changed false and nothing released again.
	CancelOrder(ctx context.Context, id string, c OrderCancellation) (o Order, changed bool, err error)
}

// IdempotencyStore keeps the requests made with an Idempotency-Key and their responses.
type IdempotencyStore interface {
	// ClaimIdempotencyKey records that a request with this key is being processed. When the
	// key was used before by the same caller, it returns the earlier record instead (claimed is
	// false); a pending record older than staleAfter is taken over.
	ClaimIdempotencyKey(ctx context.Context, r IdempotencyRecord, staleAfter time.Duration) (prior IdempotencyRecord, claimed bool, err error)
	// CompleteIdempotencyKey stores the response of a claimed key.
	CompleteIdempotencyKey(ctx context.Context, r IdempotencyRecord) error
	// ReleaseIdempotencyKey forgets a claimed key whose request failed without a response
	// worth replaying (a 5xx), so that a retry runs again.
	ReleaseIdempotencyKey(ctx context.Context, key, caller string) error
}

// IdempotencyRecord is a request made with an Idempotency-Key and, once done, its response.
// It never holds the key itself nor a readable response: see Idempotency.
type IdempotencyRecord struct {
	Key         string // Idempotency.LookupKey: a hash of the key, the caller and the request target
	Caller      string // supplier id, "admin" or "anon"
	BodyHash    string // hex SHA-256 of the request body
	Status      int    // 0 while the request is being processed
	ContentType string
	Response    []byte // sealed by Idempotency.Seal
	CreatedAt   time.Time
}
