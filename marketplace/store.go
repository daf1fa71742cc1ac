package marketplace

import (
	"context"
	"time"

	"corridor/pricing"
)

// RegionFilter narrows a region listing; zero values match everything.
type RegionFilter struct {
	Bloc    Bloc
	Kind    RegionKind
	Country string
}

// FXRate is one published reference rate (PerEUR units of Currency for one euro, published on
// Date by Source); pricing owns the type and the rules for using it.
type FXRate = pricing.Rate

// Store is the persistence the domain needs: the union of one small interface per area, each
// declared beside the part of the Service that uses it. The GORM adapter in marketplace/store
// implements it for SQLite and PostgreSQL; every method is safe for concurrent use by several
// processes.
type Store interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	ReferenceStore
	FXStore
	SettingStore
	SupplierStore
	OfferStore
	OrderStore
	BuyerStore
	IdempotencyStore
	QuoteStore
	QuoteInputStore
	PolicyStore
	StudyStore
	IndexStore
}

// ReferenceStore holds the reference data: regions and accelerators.
type ReferenceStore interface {
	// PutRegions inserts regions whose code is new and leaves existing ones untouched; it
	// returns how many were inserted.
	PutRegions(ctx context.Context, regions []Region) (int, error)
	// Regions lists regions matching f, ordered by bloc then code.
	Regions(ctx context.Context, f RegionFilter) ([]Region, error)
	// PutAccelerators inserts accelerators whose model is new; it returns how many.
	PutAccelerators(ctx context.Context, accs []Accelerator) (int, error)
	// Accelerators lists the catalogue ordered by vendor then model.
	Accelerators(ctx context.Context) ([]Accelerator, error)
	// CompleteReference fills in figures later releases added to stored records where none is
	// stored (an accelerator's fab country, a rate's carried-forward mark), never changing a
	// stored value; it returns how many records it completed.
	CompleteReference(ctx context.Context, accs []Accelerator, rates []FXRate) (int, error)
	// ReferenceVersions reads the change counters of the reference data (regions,
	// accelerators, FX rates, policies): every write that changes a kind counts one in the
	// same transaction, so a cached copy is current while its counter is unchanged.
	ReferenceVersions(ctx context.Context) (ReferenceVersions, error)
}

// ReferenceVersions are the change counters of each kind of reference data, and the market's.
type ReferenceVersions struct {
	Regions, Accelerators, FX, Policies int64
	// Market counts the transactions that changed offers, reservations or suppliers. It is not
	// reference data: the reference cache ignores it (reference), the response cache of the
	// market's read endpoints keys on it (MarketState).
	Market int64
}

// reference is v without the market's counter: what the reference cache is labelled with.
func (v ReferenceVersions) reference() ReferenceVersions {
	v.Market = 0
	return v
}

// FXStore holds published reference rates.
type FXStore interface {
	// PutFXRates inserts rates not yet stored (same date, currency and source); it returns
	// how many were new.
	PutFXRates(ctx context.Context, rates []FXRate) (int, error)
	// FXRatesBetween returns every stored rate published in [from, to], ordered by date.
	FXRatesBetween(ctx context.Context, from, to time.Time) ([]FXRate, error)
	// LatestFXDay returns the latest publication day on or before date; ok is false when no
	// rate was published by then.
	LatestFXDay(ctx context.Context, date time.Time) (day time.Time, ok bool, err error)
}

// SettingStore holds server settings (the admin token's hash, shared secrets).
type SettingStore interface {
	// Setting reads a named server setting; ok is false when unset.
	Setting(ctx context.Context, name string) (value string, ok bool, err error)
	// PutSettingOnce stores a setting unless it exists; it reports whether it stored it.
	PutSettingOnce(ctx context.Context, name, value string) (bool, error)
}
