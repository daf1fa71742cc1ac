package marketplace

import "context"

// SupplyStore holds suppliers, their API keys, offers, orders and capacity reservations.
type SupplyStore interface {
	// PutSuppliers inserts suppliers whose id is new (seeding); it returns how many.
	PutSuppliers(ctx context.Context, suppliers []Supplier) (int, error)
	// PutOffers inserts offers whose id is new (seeding); it returns how many.
	PutOffers(ctx context.Context, offers []Offer) (int, error)
	// CountOffers counts offers, for health and seeding checks.
	CountOffers(ctx context.Context) (int64, error)
}
