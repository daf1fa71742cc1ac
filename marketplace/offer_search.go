package marketplace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace/search"
)

// SearchRequest is a search as the API receives it: q in the search language (package
// search), sort, keyset cursor and page size.
type SearchRequest struct {
	Q, Sort, Cursor string
	Limit           int       // 0 = DefaultPageSize
	Start, End      time.Time // window for gpus_available; zero = the rest of each offer's window
}

// SearchHit is one offer of a result page with its prices in the query currency.
type SearchHit struct {
	OfferView
	QueryPrice   decimal.Decimal     // price converted into the query currency (not rounded)
	PerPFLOPHour decimal.NullDecimal // QueryPrice ÷ (BF16 TFLOPS / 1000), 6 decimals
}

// SearchPage is one page of results.
type SearchPage struct {
	Search     search.Query
	Sort       search.Sort
	Hits       []SearchHit
	NextCursor string
	FXDate     time.Time
	// FXSources are the distinct sources of the rates the search compared prices with (sorted),
	// so a page can say whether they are the ECB's published figures or something else.
	FXSources []string
	Warnings  []string
}

// ParseSearch parses q with search.Parse; a bad query is a CodeInvalid *Error with one
// FieldError{Field: "q"} per problem.
func ParseSearch(q string) (search.Query, error) {
	s, err := search.Parse(q)
	return s, searchError(err)
}

// searchError turns the search package's *search.Error into the domain's CodeInvalid *Error,
// naming each parameter (q, sort, cursor); other errors pass through.
func searchError(err error) error {
	var se *search.Error
	if !errors.As(err, &se) {
		return err
	}
	fields := make([]FieldError, len(se.Problems))
	for i, p := range se.Problems {
		fields[i] = FieldError{Field: p.Param, Message: p.Message}
	}
	return Invalid(se.Title, fields...)
}

// SearchOffers runs a search: q in the search language, sort, keyset cursor and limit.
//
// A page is made in two parts. The hits — which offers, in which order, at which prices — are
// the same for every request alike in the same state of the market and on the same day (the
// day of the FX rates); which of their GPUs are free depends on the clock too, since windows
// start now. So the hits are kept in the offer cache under the counters they were read with
// (searchBase), and a request alike in the same state, a second later, only counts the free
// GPUs again: the part that costs (the index reads, SearchOfferKeys: five sixths of a search
// at 100,000 offers) is done once per state, not once per second.
func (s *Service) SearchOffers(ctx context.Context, r SearchRequest) (SearchPage, error) {
	ctx, err := s.pinState(ctx) // a search only reads: one read of the counters serves it all
	if err != nil {
		return SearchPage{}, err
	}
	v, err := s.versions(ctx)
	if err != nil {
		return SearchPage{}, err
	}
	key := searchKey{q: r.Q, sort: r.Sort, cursor: r.Cursor, limit: r.Limit, start: r.Start, end: r.End, today: s.now().Truncate(24 * time.Hour)}
	c := &s.offerCache
	c.mu.Lock()
	c.at(v)
	base, ok := c.searches[key]
	c.mu.Unlock()
	if !ok {
		// The page is kept beyond this request, and what it parses out of the request (the
		// query's words) points into its strings, which may live in the request's buffer
		// (Fiber's): the kept page and its key get copies.
		r.Q, r.Sort, r.Cursor = strings.Clone(r.Q), strings.Clone(r.Sort), strings.Clone(r.Cursor)
		key.q, key.sort, key.cursor = r.Q, r.Sort, r.Cursor
		if base, err = s.searchBase(ctx, r, key.today); err != nil {
			return SearchPage{}, err
		}
		c.mu.Lock()
		if c.seen == v { // not if a newer state started the cache while this search ran
			if len(c.searches) >= searchesKept {
				clear(c.searches)
			}
			c.searches[key] = base
		}
		c.mu.Unlock()
	}
	page := base
	page.Hits = slices.Clone(base.Hits) // the kept hits are shared: their availability is this request's
	views := make([]OfferView, len(page.Hits))
	for i := range page.Hits {
		views[i] = page.Hits[i].OfferView
	}
	if err := s.fillAvailability(ctx, views, r.Start, r.End); err != nil {
		return SearchPage{}, err
	}
	for i := range page.Hits {
		page.Hits[i].OfferView = views[i]
	}
	return page, nil
}

// searchKey is a search as the hits of its page depend on it: the request, and the day of the
// FX rates its prices are converted with (the counters are the offer cache's).
type searchKey struct {
	q, sort, cursor string
	limit           int
	start, end      time.Time
	today           time.Time
}

// searchesKept bounds the searches the offer cache keeps (a page of hits each, up to ~50 KB):
// enough for the searches asked every second, small enough that a stream of searches never
// asked twice (the harness's "every request new") adds a few MB, not tens.
const searchesKept = 128

// searchBase makes a search's page without the free GPUs of its hits: parsing, FX rates, the
// plan, the index reads and the offers' views.
func (s *Service) searchBase(ctx context.Context, r SearchRequest, today time.Time) (SearchPage, error) {
	q, err := search.Parse(r.Q)
	if err != nil {
		return SearchPage{}, searchError(err)
	}
	srt, err := search.ParseSort(r.Sort)
	if err != nil {
		return SearchPage{}, searchError(err)
	}
	limit := r.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 1 || limit > MaxPageSize {
		return SearchPage{}, Invalid("invalid limit", FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxPageSize)})
	}
	in := search.Input{Query: q, Sort: srt, Limit: limit, Rates: map[string]decimal.Decimal{}}
	if r.Cursor != "" {
		c, err := search.DecodeCursor(r.Cursor, q, srt)
		if err != nil {
			return SearchPage{}, searchError(err)
		}
		in.After = &c
	}
	cur := q.Currency
	if cur == "" {
		cur = search.DefaultCurrency
	}
	snap, warnings, err := s.FXOn(ctx, today)
	if err != nil {
		return SearchPage{}, &Error{Code: CodeUnavailable, Message: "search needs FX rates to compare prices across currencies; none are stored (import them with `corridor fx import`)"}
	}
	var fxSources []string
	for _, c := range OfferCurrencies {
		u, err := snap.CrossRate(c, cur)
		if err != nil {
			return SearchPage{}, Invalid("no FX rate for the query currency", FieldError{Field: "q",
				Message: fmt.Sprintf("currency=%s: no rate to convert %s into %s on %s; use another currency", cur, c, cur, today.Format(time.DateOnly))})
		}
		in.Rates[c] = u.Rate
		if c != cur && !slices.Contains(fxSources, u.Source) {
			fxSources = append(fxSources, u.Source)
		}
	}
	slices.Sort(fxSources)
	page := SearchPage{Search: q, Sort: srt, FXDate: snap.Date, FXSources: fxSources, Warnings: warnings}
	if search.NeedsModels(q, srt) {
		accs, err := s.Accelerators(ctx)
		if err != nil {
			return SearchPage{}, err
		}
		in.Models = make([]search.Model, len(accs))
		for i, a := range accs {
			in.Models[i] = searchModel(a)
		}
	}
	plan, err := search.NewPlan(in)
	if err != nil {
		return SearchPage{}, searchError(err)
	}
	if len(plan.Reads) == 0 {
		return page, nil
	}
	rows, err := s.store.SearchOfferKeys(ctx, plan.Reads)
	if err != nil {
		return SearchPage{}, err
	}
	ids, next := plan.Merge(rows)
	page.NextCursor = next
	byID, err := s.offerViews(ctx, ids)
	if err != nil {
		return SearchPage{}, err
	}
	if len(ids) > 0 {
		page.Hits = make([]SearchHit, 0, len(ids)) // a hit is large: no regrowth
	}
	for _, id := range ids {
		if v, ok := byID[id]; ok { // offers are never deleted; ok only guards the map read
			page.Hits = append(page.Hits, toHit(v, in.Rates[v.Currency]))
		}
	}
	return page, nil
}

// searchModel is what the search planner reads of an accelerator.
func searchModel(a Accelerator) search.Model {
	return search.Model{
		Code: a.Model, Vendor: search.VendorSlug(a.Vendor), VendorCountry: a.VendorCountry, ExportClass: ExportClass(a),
		MemoryGB: a.MemoryGB, BF16TFLOPS: a.BF16TFLOPS, TPP: a.TPP,
	}
}

func toHit(v OfferView, rate decimal.Decimal) SearchHit {
	h := SearchHit{OfferView: v, QueryPrice: v.Price.Mul(rate)}
	if v.BF16TFLOPS.IsPositive() {
		h.PerPFLOPHour = decimal.NewNullDecimal(h.QueryPrice.Mul(decimal.NewFromInt(1000)).DivRound(v.BF16TFLOPS, 6))
	}
	return h
}
