package marketplace

import (
	"context"
	"fmt"
	"sort"
	"time"

	"corridor/pricing"
)

// fxLookback is how far before the latest publication day the FX lookup reads stored rates:
// long enough for a currency the ECB skipped for a few days, short enough to stay small.
const fxLookback = 14 * 24 * time.Hour

// Service enforces the marketplace's rules on top of a Store. It keeps no state of its own, so
// any number of Corridor processes can share one database.
type Service struct {
	store    Store
	now      func() time.Time
	policies *policyCache
	studies  *studyRunner
}

// NewService returns a Service on st; now is the clock (time.Now in production).
func NewService(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: func() time.Time { return now().UTC() }, policies: &policyCache{}, studies: newStudyRunner()}
}

// Ready reports whether the database answers.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return &Error{Code: CodeUnavailable, Message: "database unavailable", Err: err}
	}
	return nil
}

// Regions lists regions matching f.
func (s *Service) Regions(ctx context.Context, f RegionFilter) ([]Region, error) {
	if f.Bloc != "" && !f.Bloc.Valid() {
		return nil, Invalid("unknown bloc", FieldError{Field: "bloc", Message: "must be " + blocNames() + ", not " + quoteField(string(f.Bloc))})
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, Invalid("unknown region kind", FieldError{Field: "kind", Message: "must be one of " + joinCodes(RegionKinds) + ", not " + quoteField(string(f.Kind))})
	}
	return s.store.Regions(ctx, f)
}

// Accelerators lists the accelerator catalogue.
func (s *Service) Accelerators(ctx context.Context) ([]Accelerator, error) {
	return s.store.Accelerators(ctx)
}

// FXOn returns the reference rates in force on date (the latest published on or before it, per
// currency) and any warnings (stale rates).
func (s *Service) FXOn(ctx context.Context, date time.Time) (pricing.Snapshot, []string, error) {
	// The latest publication on or before the date, however old: a stale table still prices,
	// with a warning, rather than refusing.
	latest, ok, err := s.store.LatestFXDay(ctx, date)
	if err != nil {
		return pricing.Snapshot{}, nil, err
	}
	var rates []FXRate
	if ok {
		if rates, err = s.store.FXRatesBetween(ctx, latest.Add(-fxLookback), date); err != nil {
			return pricing.Snapshot{}, nil, err
		}
	}
	if len(rates) == 0 {
		return pricing.Snapshot{}, nil, &Error{Code: CodeNotFound, Message: fmt.Sprintf("no FX rates published on or before %s", date.Format(time.DateOnly)),
			Fields: []FieldError{{Field: "date", Message: "no rates stored for this date; import an ECB file with `corridor fx import`"}}}
	}
	// A rate published by the ECB wins over any other source for the same day (the embedded
	// illustrative snapshot, for one): the table keeps the last rate added for a day.
	sort.SliceStable(rates, func(i, j int) bool {
		return rates[i].Source != pricing.SourceECB && rates[j].Source == pricing.SourceECB
	})
	snap, flags := pricing.NewRateTable(rates...).On(date)
	var warnings []string
	for _, f := range flags {
		warnings = append(warnings, f.Message)
	}
	return snap, warnings, nil
}

// ImportFX stores reference rates (idempotently) and returns how many were new.
func (s *Service) ImportFX(ctx context.Context, rates []FXRate) (int, error) {
	return s.store.PutFXRates(ctx, rates)
}

// SeedData is the reference data and (optionally) the demo market to load on start.
type SeedData struct {
	Regions      []Region
	Accelerators []Accelerator
	FXRates      []FXRate
	Suppliers    []Supplier
	Offers       []Offer
}

// SeedReport counts what a seeding inserted (and Completed, the stored records it completed);
// all zeros on a second start.
type SeedReport struct {
	Regions, Accelerators, FXRates, Suppliers, Offers int
	Completed                                         int
}

// Seed inserts whatever of d is not stored yet, in dependency order. Existing records are never
// changed, so a second start adds nothing and edits made through the API survive restarts; a
// figure a later release added to a reference record (an accelerator's fab country, a rate's
// carried-forward mark) is filled in where the stored record has none.
func (s *Service) Seed(ctx context.Context, d SeedData) (SeedReport, error) {
	var r SeedReport
	var err error
	steps := []struct {
		name string
		do   func() (int, error)
		into *int
	}{
		{"regions", func() (int, error) { return s.store.PutRegions(ctx, d.Regions) }, &r.Regions},
		{"accelerators", func() (int, error) { return s.store.PutAccelerators(ctx, d.Accelerators) }, &r.Accelerators},
		{"fx rates", func() (int, error) { return s.store.PutFXRates(ctx, d.FXRates) }, &r.FXRates},
		{"suppliers", func() (int, error) { return s.store.PutSuppliers(ctx, d.Suppliers) }, &r.Suppliers},
		{"offers", func() (int, error) { return s.store.PutOffers(ctx, d.Offers) }, &r.Offers},
		{"completions", func() (int, error) { return s.store.CompleteReference(ctx, d.Accelerators, d.FXRates) }, &r.Completed},
	}
	for _, st := range steps {
		if *st.into, err = st.do(); err != nil {
			return r, fmt.Errorf("seed %s: %w", st.name, err)
		}
	}
	return r, nil
}
