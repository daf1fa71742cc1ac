package marketplace

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"corridor/pricing"
	"corridor/pricing/priceindex"
)

// fxLookback is how far before the latest publication day the FX lookup reads stored rates:
// long enough for a currency the ECB skipped for a few days, short enough to stay small.
const fxLookback = 14 * 24 * time.Hour

// Service enforces the marketplace's rules on top of a Store. Its only state is a cache of the
// reference data, checked against the database's change counters on every use (refcache.go),
// so any number of Corridor processes can share one database.
type Service struct {
	store    Store
	now      func() time.Time
	policies *policyCache
	studies  *studyRunner
	refs     *refCache
	// maxActive caps each supplier's active offers; 0 is no cap.
	maxActive int
	// regionCounts caches ActiveOffersPerRegion (quote_service.go).
	regionCounts regionCountsCache
	// offerCache keeps what quotes read of their offers (offercache.go).
	offerCache offerCache
}

// NewService returns a Service on st; now is the clock (time.Now in production).
func NewService(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: func() time.Time { return now().UTC() }, policies: &policyCache{}, studies: newStudyRunner(), refs: &refCache{}, maxActive: DefaultMaxActiveOffers}
}

// SetMaxActiveOffers sets how many active offers one supplier may have (0: no cap); call it
// before serving.
func (s *Service) SetMaxActiveOffers(n int) { s.maxActive = max(n, 0) }

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
	d, err := s.reference(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Region, 0, len(d.regions))
	for _, r := range d.regions {
		if (f.Bloc == "" || r.Bloc == f.Bloc) && (f.Kind == "" || r.Kind == f.Kind) && (f.Country == "" || r.Country == f.Country) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Accelerators lists the accelerator catalogue, ordered by vendor then model.
func (s *Service) Accelerators(ctx context.Context) ([]Accelerator, error) {
	d, err := s.reference(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(d.accelerators), nil
}

// FXOn returns the reference rates in force on date (the latest published on or before it, per
// currency) and any warnings (stale rates), from the reference data cache.
func (s *Service) FXOn(ctx context.Context, date time.Time) (pricing.Snapshot, []string, error) {
	d, err := s.reference(ctx)
	if err != nil {
		return pricing.Snapshot{}, nil, err
	}
	return s.fxOn(ctx, d, date)
}

// fxFromStore is FXOn read from the store: the latest publication day on or before date, then
// the rates of the fxLookback before it.
func (s *Service) fxFromStore(ctx context.Context, date time.Time) (pricing.Snapshot, []string, error) {
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
		return pricing.Snapshot{}, nil, noFXRates(date)
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
	// DemoIndex returns the demo market's price-index history up to the week before lastWeek
	// (entries and posted cells of the demo series); nil without the demo market.
	DemoIndex func(lastWeek time.Time) ([]IndexEntry, []IndexCell)
}

// SeedReport counts what a seeding inserted (and Completed, the stored records it completed);
// all zeros on a second start.
type SeedReport struct {
	Regions, Accelerators, FXRates, Suppliers, Offers int
	Completed                                         int
	IndexEntries                                      int // the demo index history's orders
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
		{"demo index history", func() (int, error) {
			if d.DemoIndex == nil {
				return 0, nil
			}
			entries, posted := d.DemoIndex(priceindex.WeekOf(s.now()))
			return s.store.SeedIndexHistory(ctx, entries, posted)
		}, &r.IndexEntries},
	}
	for _, st := range steps {
		if *st.into, err = st.do(); err != nil {
			return r, fmt.Errorf("seed %s: %w", st.name, err)
		}
	}
	return r, nil
}

// MarketState is what every answer of the market's read endpoints (search, compare, the market
// page) depends on besides the request: the change counters of the reference data and of the
// market, and the clock's second (windows start now, policies come into force at an instant).
// Two requests alike made in the same state get the same answer, so a response can be kept
// and given again while the state is unchanged (web/respcache.go).
type MarketState struct {
	Versions ReferenceVersions
	Second   int64 // Unix seconds of the service's clock
}

// MarketState reads the current state: one read of the counters (or the state WithMarketState
// pinned in ctx). Read it before computing an answer to keep under it: the answer is then at
// least as new as the state it is labelled with, as in the reference cache (refcache.go).
func (s *Service) MarketState(ctx context.Context) (MarketState, error) {
	if st, ok := ctx.Value(marketStateKey{}).(MarketState); ok {
		return st, nil
	}
	v, err := s.store.ReferenceVersions(ctx)
	if err != nil {
		return MarketState{}, err
	}
	return MarketState{Versions: v, Second: s.now().Unix()}, nil
}

// WithMarketState returns ctx carrying st: the caches of reference data and offers use its
// counters for every read made with ctx instead of reading them again, so a request that
// reads the market reads the counters once. Only for a request that reads the market before
// changing any of it (a search, a comparison, a page, a quote): one that changed an offer and
// then read it with the counters of before could be given the offer as it was.
func WithMarketState(ctx context.Context, st MarketState) context.Context {
	return context.WithValue(ctx, marketStateKey{}, st)
}

type marketStateKey struct{}

// pinState returns ctx with the market's state pinned (WithMarketState), reading it unless
// ctx has it already.
func (s *Service) pinState(ctx context.Context) (context.Context, error) {
	if _, ok := ctx.Value(marketStateKey{}).(MarketState); ok {
		return ctx, nil
	}
	st, err := s.MarketState(ctx)
	if err != nil {
		return ctx, err
	}
	return WithMarketState(ctx, st), nil
}

// versions are the change counters for a read made with ctx: those pinned in it, or read now.
func (s *Service) versions(ctx context.Context) (ReferenceVersions, error) {
	if st, ok := ctx.Value(marketStateKey{}).(MarketState); ok {
		return st.Versions, nil
	}
	return s.store.ReferenceVersions(ctx)
}
