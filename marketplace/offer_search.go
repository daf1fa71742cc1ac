package marketplace

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// How the search reaches the store. Prices are stored exactly as text with an integer shadow in
// micro-units of the listing currency, so a price condition in the query currency becomes, per
// listing currency, an exact integer bound on that shadow ("price<=2.5 currency=USD" becomes
// EUR: micros <= 2_162_000, CNY: micros <= 17_831_000, …), which an index can serve. Sorting by
// price across currencies reads one index-ordered stream per listing currency and merges them
// by the converted price: exact, and each stream stops after one page.

// Bound is an integer condition on a stored key: Value compared with Op (=, !=, <, <=, >, >=).
type Bound struct {
	Op    Op
	Value int64
}

// KeyAfter is a keyset position inside one stream: rows after (Key, ID) in the stream's order
// (ties broken by id ascending). With ID empty, rows whose key is strictly beyond Key.
type KeyAfter struct {
	Key int64
	ID  string
}

// OfferQuery is one read of a search, in storage-neutral terms: active offers matching every
// clause (price and currency clauses excluded), listed in one of Currencies (nil = any), whose
// price shadow meets PriceBounds of their currency, ordered by the sort key then id, after
// After, at most Limit rows.
type OfferQuery struct {
	Clauses     []Clause
	Currencies  []string
	PriceBounds map[string][]Bound // listing currency → bounds on price micro-units
	Key         string             // SortPrice | SortPerPFLOPHour | SortAvailableFrom | SortGPUs
	Desc        bool
	After       *KeyAfter
	Limit       int
}

// OfferKey is one row of a search stream: an offer id, its listing currency and its integer
// sort key (price or per-PFLOP-hour micro-units, day of availability, or GPUs).
type OfferKey struct {
	ID       string
	Currency string
	Key      int64
}

// NoPerPFLOP is the per-PFLOP-hour key of offers whose accelerator has no known BF16 TFLOPS:
// they sort after every priced offer.
const NoPerPFLOP = int64(1) << 60

var (
	microUnits  = decimal.New(1, 6)
	maxKeyValue = decimal.NewFromInt(NoPerPFLOP * 4)
)

// PerPFLOPMicros is the sort key of per_pflop_hour in micro-units of the listing currency:
// floor(price × 10^6 × 1000 ÷ BF16 TFLOPS), or NoPerPFLOP when the TFLOPS are unknown.
func PerPFLOPMicros(price, bf16TFLOPS decimal.Decimal) int64 {
	if !bf16TFLOPS.IsPositive() {
		return NoPerPFLOP
	}
	v := price.Mul(microUnits).Mul(decimal.NewFromInt(1000)).Div(bf16TFLOPS).Floor()
	if v.GreaterThanOrEqual(decimal.NewFromInt(NoPerPFLOP)) {
		return NoPerPFLOP - 1
	}
	return v.IntPart()
}

// SearchRequest is a search as the API receives it.
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
	Search     Search
	Sort       Sort
	Hits       []SearchHit
	NextCursor string
	FXDate     time.Time
	// FXSources are the distinct sources of the rates the search compared prices with (sorted),
	// so a page can say whether they are the ECB's published figures or something else.
	FXSources []string
	Warnings  []string
}

// SearchOffers runs a search: q in the search language, sort, keyset cursor and limit.
func (s *Service) SearchOffers(ctx context.Context, r SearchRequest) (SearchPage, error) {
	search, err := ParseSearch(r.Q)
	if err != nil {
		return SearchPage{}, err
	}
	srt, err := ParseSort(r.Sort)
	if err != nil {
		return SearchPage{}, err
	}
	limit := r.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 1 || limit > MaxPageSize {
		return SearchPage{}, Invalid("invalid limit", FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxPageSize)})
	}
	var after *Cursor
	if r.Cursor != "" {
		c, err := DecodeCursor(r.Cursor, search, srt)
		if err != nil {
			return SearchPage{}, err
		}
		after = &c
	}
	cur := search.Currency
	if cur == "" {
		cur = DefaultCurrency
	}
	today := s.now().Truncate(24 * time.Hour)
	snap, warnings, err := s.FXOn(ctx, today)
	if err != nil {
		return SearchPage{}, &Error{Code: CodeUnavailable, Message: "search needs FX rates to compare prices across currencies; none are stored (import them with `corridor fx import`)"}
	}
	rates := map[string]decimal.Decimal{}
	var fxSources []string
	for _, c := range OfferCurrencies {
		u, err := snap.CrossRate(c, cur)
		if err != nil {
			return SearchPage{}, Invalid("no FX rate for the query currency", FieldError{Field: "q",
				Message: fmt.Sprintf("currency=%s: no rate to convert %s into %s on %s; use another currency", cur, c, cur, today.Format(time.DateOnly))})
		}
		rates[c] = u.Rate
		if c != cur && !slices.Contains(fxSources, u.Source) {
			fxSources = append(fxSources, u.Source)
		}
	}
	sort.Strings(fxSources)
	models, err := s.narrowModels(ctx, search, srt)
	if err != nil {
		return SearchPage{}, err
	}
	if models != nil && len(models) == 0 {
		return SearchPage{Search: search, Sort: srt, FXDate: snap.Date, FXSources: fxSources, Warnings: warnings}, nil
	}
	plan, err := planSearch(search, srt, rates, after, limit, models)
	if err != nil {
		return SearchPage{}, err
	}
	var rows []OfferKey
	for _, q := range plan {
		got, err := s.store.SearchOfferKeys(ctx, q)
		if err != nil {
			return SearchPage{}, err
		}
		rows = append(rows, got...)
	}
	keys := make([]decimal.Decimal, len(rows))
	for i, r := range rows {
		keys[i] = mergeKey(r, srt.Key, rates[r.Currency])
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if c := keys[idx[a]].Cmp(keys[idx[b]]); c != 0 {
			return (c < 0) != srt.Desc
		}
		return rows[idx[a]].ID < rows[idx[b]].ID
	})
	page := SearchPage{Search: search, Sort: srt, FXDate: snap.Date, FXSources: fxSources, Warnings: warnings}
	var ids []string
	for n, i := range idx {
		if n == limit {
			last := idx[limit-1]
			page.NextCursor = EncodeCursor(NewCursor(search, srt, cursorValue(srt.Key, keys[last]), rows[last].ID))
			break
		}
		ids = append(ids, rows[i].ID)
	}
	byID, err := s.store.OfferViews(ctx, ids)
	if err != nil {
		return SearchPage{}, err
	}
	for _, id := range ids {
		if v, ok := byID[id]; ok { // offers are never deleted; ok only guards the map read
			page.Hits = append(page.Hits, toHit(v, rates[v.Currency]))
		}
	}
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

func toHit(v OfferView, rate decimal.Decimal) SearchHit {
	h := SearchHit{OfferView: v, QueryPrice: v.Price.Mul(rate)}
	if v.BF16TFLOPS.IsPositive() {
		h.PerPFLOPHour = decimal.NewNullDecimal(h.QueryPrice.Mul(decimal.NewFromInt(1000)).DivRound(v.BF16TFLOPS, 6))
	}
	return h
}

// mergeKey is the key streams are merged on: for price sorts the stored micro-unit key
// converted into the query currency, exactly (rate has at most 16 decimals, the shift is exact);
// for the others the stored key itself.
func mergeKey(k OfferKey, key string, rate decimal.Decimal) decimal.Decimal {
	switch key {
	case SortPrice, SortPerPFLOPHour:
		return decimal.NewFromInt(k.Key).Mul(rate).Shift(-6)
	}
	return decimal.NewFromInt(k.Key)
}

func cursorValue(key string, k decimal.Decimal) string {
	if key == SortAvailableFrom {
		return time.Unix(k.IntPart(), 0).UTC().Format(time.DateOnly)
	}
	return k.String()
}

// planSearch turns a parsed search into store reads: one per listing currency for price sorts
// (merged by converted price), one in total otherwise.
func planSearch(search Search, srt Sort, rates map[string]decimal.Decimal, after *Cursor, limit int, models []string) ([]OfferQuery, error) {
	base := OfferQuery{Key: srt.Key, Desc: srt.Desc, Limit: limit + 1}
	currencies := append([]string(nil), OfferCurrencies...)
	var priceClauses []Clause
	for _, c := range search.Clauses {
		switch c.Field {
		case "price":
			priceClauses = append(priceClauses, c)
		case "currency":
		default:
			if models != nil && acceleratorFields[c.Field] {
				continue // already applied to the catalogue: the streams name the models
			}
			base.Clauses = append(base.Clauses, c)
		}
	}
	if len(priceClauses) > 0 {
		base.PriceBounds = map[string][]Bound{}
		var ok []string
		for _, cur := range currencies {
			bounds, possible, err := priceBounds(priceClauses, rates[cur])
			if err != nil {
				return nil, err
			}
			if possible {
				base.PriceBounds[cur] = bounds
				ok = append(ok, cur)
			}
		}
		currencies = ok
		if len(currencies) == 0 {
			return nil, nil
		}
	}
	switch srt.Key {
	case SortPrice, SortPerPFLOPHour:
		var plan []OfferQuery
		for _, cur := range currencies {
			q := base
			q.Currencies = []string{cur}
			if after != nil {
				a, err := afterIn(after, rates[cur])
				if err != nil {
					return nil, err
				}
				q.After = &a
			}
			if models == nil {
				plan = append(plan, q)
				continue
			}
			for _, m := range models {
				qm := q
				qm.Clauses = append(append([]Clause(nil), q.Clauses...), Clause{Field: "accelerator", Op: OpEq, Values: []string{m}})
				plan = append(plan, qm)
			}
		}
		return plan, nil
	default:
		q := base
		if len(currencies) < len(OfferCurrencies) {
			q.Currencies = currencies
		}
		if after != nil {
			a, err := afterPlain(after)
			if err != nil {
				return nil, err
			}
			q.After = &a
		}
		return []OfferQuery{q}, nil
	}
}

func badCursor() error {
	return Invalid("invalid cursor", FieldError{Field: "cursor", Message: "malformed cursor; pass next_cursor back unchanged"})
}

// afterIn converts a cursor of a price sort (its value in the query currency) into a keyset
// position on the micro-unit key of one listing currency whose rate into the query currency
// is rate: rows after value V are those with key×rate/10^6 beyond V.
func afterIn(c *Cursor, rate decimal.Decimal) (KeyAfter, error) {
	if c.Value == "" {
		return KeyAfter{}, badCursor()
	}
	v, err := decimal.NewFromString(c.Value)
	if err != nil || v.GreaterThan(maxKeyValue) {
		return KeyAfter{}, badCursor()
	}
	f, exact := floorDiv(v.Mul(microUnits), rate)
	if c.Sort.Desc {
		// Descending: rows with key×rate < V·10^6 come after, i.e. key < ceil(V·10^6/rate).
		if exact {
			return KeyAfter{Key: f, ID: c.ID}, nil
		}
		return KeyAfter{Key: f + 1}, nil
	}
	if exact {
		return KeyAfter{Key: f, ID: c.ID}, nil
	}
	return KeyAfter{Key: f}, nil
}

func afterPlain(c *Cursor) (KeyAfter, error) {
	if c.Sort.Key == SortAvailableFrom {
		t, err := time.Parse(time.DateOnly, c.Value)
		if err != nil {
			return KeyAfter{}, badCursor()
		}
		return KeyAfter{Key: t.Unix(), ID: c.ID}, nil
	}
	n, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil {
		return KeyAfter{}, badCursor()
	}
	return KeyAfter{Key: n, ID: c.ID}, nil
}

// floorDiv returns floor(x ÷ d) for d > 0 and whether the division is exact, computed
// exactly (decimal division rounds, so the quotient is corrected by multiplying back).
func floorDiv(x, d decimal.Decimal) (int64, bool) {
	q := x.DivRound(d, 4).Floor()
	for q.Mul(d).GreaterThan(x) {
		q = q.Sub(oneDecimal)
	}
	for q.Add(oneDecimal).Mul(d).LessThanOrEqual(x) {
		q = q.Add(oneDecimal)
	}
	if q.GreaterThan(maxKeyValue) {
		q = maxKeyValue
	}
	if q.LessThan(maxKeyValue.Neg()) {
		q = maxKeyValue.Neg()
	}
	return q.IntPart(), q.Mul(d).Equal(x)
}

// priceBounds converts price clauses (in the query currency) into bounds on the price shadow
// of a listing currency with the given rate into the query currency. possible is false when
// no stored price can meet them (e.g. price=2.5 where 2.5 is not a whole number of that
// currency's micro-units after conversion).
func priceBounds(clauses []Clause, rate decimal.Decimal) ([]Bound, bool, error) {
	var out []Bound
	for _, c := range clauses {
		x, err := c.Decimal(0)
		if err != nil {
			return nil, false, err
		}
		f, exact := floorDiv(x.Mul(microUnits), rate)
		switch c.Op {
		case OpLe: // micros×rate ≤ X·10^6 ⇔ micros ≤ floor
			out = append(out, Bound{OpLe, f})
		case OpLt: // micros×rate < X·10^6 ⇔ micros < ceil
			if exact {
				out = append(out, Bound{OpLt, f})
			} else {
				out = append(out, Bound{OpLe, f})
			}
		case OpGe:
			if exact {
				out = append(out, Bound{OpGe, f})
			} else {
				out = append(out, Bound{OpGt, f})
			}
		case OpGt:
			out = append(out, Bound{OpGt, f})
		case OpEq:
			if !exact {
				return nil, false, nil
			}
			out = append(out, Bound{OpEq, f})
		case OpNe:
			if exact {
				out = append(out, Bound{OpNe, f})
			}
		default:
			return nil, false, Invalid("invalid search query", FieldError{Field: "q", Message: fmt.Sprintf("col %d: price does not accept %s", c.Pos, c.Op)})
		}
	}
	return out, true, nil
}

// acceleratorFields are the search fields that depend on the accelerator model only.
var acceleratorFields = map[string]bool{
	"accelerator": true, "vendor": true, "vendor_country": true, "memory_gb": true,
	"bf16_tflops": true, "tpp": true, "export_class": true,
}

// maxModelStreams bounds how many models a price-sorted search reads one stream each for.
const maxModelStreams = 6

// narrowModels applies the accelerator-level clauses of a price-sorted search to the catalogue.
// When they leave at most maxModelStreams models, the search reads one index range per listing
// currency and model (the (accelerator, status, currency, key) indexes), instead of skipping the
// other models' offers in the per-currency order: nil means "no narrowing", an empty non-nil
// slice means nothing can match.
func (s *Service) narrowModels(ctx context.Context, search Search, srt Sort) ([]string, error) {
	if srt.Key != SortPrice && srt.Key != SortPerPFLOPHour {
		return nil, nil
	}
	var clauses []Clause
	for _, c := range search.Clauses {
		if acceleratorFields[c.Field] {
			clauses = append(clauses, c)
		}
	}
	if len(clauses) == 0 {
		return nil, nil
	}
	accs, err := s.store.Accelerators(ctx)
	if err != nil {
		return nil, err
	}
	models := []string{}
	for _, a := range accs {
		if acceleratorMatches(a, clauses) {
			models = append(models, a.Model)
		}
	}
	if len(models) > maxModelStreams {
		return nil, nil
	}
	return models, nil
}

// acceleratorMatches evaluates accelerator-level clauses on a catalogue entry, the way the
// store compares them (decimals in whole micro-units).
func acceleratorMatches(a Accelerator, clauses []Clause) bool {
	for _, c := range clauses {
		var text string
		var num decimal.Decimal
		isNum := false
		switch c.Field {
		case "accelerator":
			text = a.Model
		case "vendor":
			text = VendorSlug(a.Vendor)
		case "vendor_country":
			text = a.VendorCountry
		case "export_class":
			text = ExportClass(a)
		case "memory_gb":
			num, isNum = a.MemoryGB.Truncate(6), true
		case "bf16_tflops":
			num, isNum = a.BF16TFLOPS.Truncate(6), true
		case "tpp":
			num, isNum = a.TPP.Truncate(6), true
		}
		if !clauseHolds(c, text, num, isNum) {
			return false
		}
	}
	return true
}

func clauseHolds(c Clause, text string, num decimal.Decimal, isNum bool) bool {
	cmp := func(v string) int {
		if isNum {
			d, err := decimal.NewFromString(v)
			if err != nil {
				return 2 // never equal, never ordered
			}
			return num.Cmp(d)
		}
		return strings.Compare(text, v)
	}
	switch c.Op {
	case OpIn, OpNotIn:
		found := false
		for _, v := range c.Values {
			if cmp(v) == 0 {
				found = true
			}
		}
		return found == (c.Op == OpIn)
	}
	r := cmp(c.Values[0])
	switch c.Op {
	case OpEq:
		return r == 0
	case OpNe:
		return r != 0
	case OpLt:
		return r == -1
	case OpLe:
		return r == -1 || r == 0
	case OpGt:
		return r == 1
	case OpGe:
		return r == 1 || r == 0
	}
	return false
}

// VendorSlug is the search form of a vendor name: "NVIDIA" → "nvidia", "Moore Threads" →
// "moore-threads".
func VendorSlug(v string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, v), "-")
}
