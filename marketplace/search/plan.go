package search

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// How a search reaches the store. Prices are stored exactly as text with an integer shadow in
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

// Read is one read of a plan, in storage-neutral terms: active offers matching every clause
// (price and currency clauses excluded), listed in one of Currencies (nil = any), whose price
// shadow meets PriceBounds of their currency, ordered by the sort key then id, after After, at
// most Limit rows.
type Read struct {
	Clauses     []Clause
	Currencies  []string
	PriceBounds map[string][]Bound // listing currency → bounds on price micro-units
	Key         string             // SortPrice | SortPerPFLOPHour | SortAvailableFrom | SortGPUs
	Desc        bool
	After       *KeyAfter
	Limit       int
}

// Row is one row of a read: an offer id, its listing currency and its integer sort key (price
// or per-PFLOP-hour micro-units of the listing currency, Unix seconds of the first day of
// availability, or GPUs).
type Row struct {
	ID       string
	Currency string
	Key      int64
}

// NoPerPFLOP is the per-PFLOP-hour key of offers whose accelerator has no known BF16 TFLOPS:
// they sort after every priced offer.
const NoPerPFLOP = int64(1) << 60

var (
	microUnits  = decimal.New(1, 6)
	one         = decimal.NewFromInt(1)
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

// Input is what the planner needs to plan one page of a search.
type Input struct {
	Query Query
	Sort  Sort
	After *Cursor // nil for the first page
	Limit int     // page size, ≥ 1
	// Rates converts every listing currency (ListedCurrencies) into the query currency: the
	// price in the query currency is the listed price × Rates[listing currency].
	Rates map[string]decimal.Decimal
	// Models is the accelerator catalogue; when NeedsModels, the planner uses it to read only
	// the index ranges of the models the query can match. Nil means no narrowing.
	Models []Model
}

// Plan is how one page of a search is read: the store runs every Read, and Merge turns their
// rows into the page's offer ids and next cursor. A plan without Reads matches nothing.
type Plan struct {
	Reads []Read
	in    Input
}

// maxModelStreams bounds how many models a price-sorted search reads one stream each for.
const maxModelStreams = 6

// maxSplitValues bounds how many values of a Split field (region) a search reads one stream
// each for.
const maxSplitValues = 8

// NeedsModels reports whether NewPlan can use the accelerator catalogue for q in order s: a
// price-sorted search with a clause on an accelerator-level field.
func NeedsModels(q Query, s Sort) bool {
	if s.Key != SortPrice && s.Key != SortPerPFLOPHour {
		return false
	}
	for _, c := range q.Clauses {
		if f := field(c.Field); f != nil && f.Model != nil {
			return true
		}
	}
	return false
}

// NewPlan plans the reads of one page. Price sorts read one stream per listing currency, each
// in the order of its own price shadow, merged by converted price; other sorts read one stream.
// Each stream is split further when that keeps it short: per model when the accelerator
// clauses of a price sort leave a few models, else per value of a region = or in clause.
func NewPlan(in Input) (Plan, error) {
	p := Plan{in: in}
	models, err := narrowModels(in)
	if err != nil || models != nil && len(models) == 0 {
		return p, err
	}
	splitField, splitValues, splitAt := "", []string(nil), -1
	if models != nil {
		splitField, splitValues = "accelerator", models
	} else if i := splitClause(in.Query); i >= 0 {
		c := in.Query.Clauses[i]
		splitField, splitValues, splitAt = c.Field, c.Values, i
	}
	base := Read{Key: in.Sort.Key, Desc: in.Sort.Desc, Limit: in.Limit + 1}
	currencies := append([]string(nil), ListedCurrencies...)
	var priceClauses []Clause
	for i, c := range in.Query.Clauses {
		switch c.Field {
		case "price":
			priceClauses = append(priceClauses, c)
		case "currency":
		default:
			if f := field(c.Field); models != nil && f != nil && f.Model != nil {
				continue // already applied to the catalogue: the streams name the models
			}
			if i == splitAt {
				continue // each stream names one of its values
			}
			base.Clauses = append(base.Clauses, c)
		}
	}
	if len(priceClauses) > 0 {
		base.PriceBounds = map[string][]Bound{}
		var ok []string
		for _, cur := range currencies {
			bounds, possible, err := priceBounds(priceClauses, in.Rates[cur])
			if err != nil {
				return p, err
			}
			if possible {
				base.PriceBounds[cur] = bounds
				ok = append(ok, cur)
			}
		}
		currencies = ok
		if len(currencies) == 0 {
			return p, nil
		}
	}
	var streams []Read
	switch in.Sort.Key {
	case SortPrice, SortPerPFLOPHour:
		for _, cur := range currencies {
			q := base
			q.Currencies = []string{cur}
			if in.After != nil {
				a, err := afterIn(in.After, in.Rates[cur])
				if err != nil {
					return p, err
				}
				q.After = &a
			}
			streams = append(streams, q)
		}
	default:
		q := base
		if len(currencies) < len(ListedCurrencies) {
			q.Currencies = currencies
		}
		if in.After != nil {
			a, err := afterPlain(in.After)
			if err != nil {
				return p, err
			}
			q.After = &a
		}
		streams = []Read{q}
	}
	if splitField == "" {
		p.Reads = streams
		return p, nil
	}
	for _, q := range streams {
		for _, v := range splitValues {
			qv := q
			qv.Clauses = append(slices.Clone(q.Clauses), Clause{Field: splitField, Op: OpEq, Values: []string{v}})
			p.Reads = append(p.Reads, qv)
		}
	}
	return p, nil
}

// splitClause returns the index of the first = or in clause on a Split field with at most
// maxSplitValues values, or -1.
func splitClause(q Query) int {
	for i, c := range q.Clauses {
		if f := field(c.Field); f != nil && f.Split && (c.Op == OpEq || c.Op == OpIn) && len(c.Values) <= maxSplitValues {
			return i
		}
	}
	return -1
}

// Merge orders the rows of all reads by the sort key in the query currency, then id, and
// returns the ids of the page and the cursor of the next page ("" on the last page).
func (p Plan) Merge(rows []Row) (ids []string, next string) {
	key := p.in.Sort.Key
	keys := make([]decimal.Decimal, len(rows))
	for i, r := range rows {
		keys[i] = mergeKey(r, key, p.in.Rates[r.Currency])
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if c := keys[idx[a]].Cmp(keys[idx[b]]); c != 0 {
			return (c < 0) != p.in.Sort.Desc
		}
		return rows[idx[a]].ID < rows[idx[b]].ID
	})
	for n, i := range idx {
		if n == p.in.Limit {
			last := idx[n-1]
			next = EncodeCursor(NewCursor(p.in.Query, p.in.Sort, cursorValue(key, keys[last]), rows[last].ID))
			break
		}
		ids = append(ids, rows[i].ID)
	}
	return ids, next
}

// mergeKey is the key streams are merged on: for price sorts the stored micro-unit key
// converted into the query currency, exactly (rate has at most 16 decimals, the shift is exact);
// for the others the stored key itself.
func mergeKey(r Row, key string, rate decimal.Decimal) decimal.Decimal {
	switch key {
	case SortPrice, SortPerPFLOPHour:
		return decimal.NewFromInt(r.Key).Mul(rate).Shift(-6)
	}
	return decimal.NewFromInt(r.Key)
}

func cursorValue(key string, k decimal.Decimal) string {
	if key == SortAvailableFrom {
		return time.Unix(k.IntPart(), 0).UTC().Format(time.DateOnly)
	}
	return k.String()
}

func badCursor() error {
	return invalid("invalid cursor", Problem{Param: "cursor", Message: "malformed cursor; pass next_cursor back unchanged"})
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
		q = q.Sub(one)
	}
	for q.Add(one).Mul(d).LessThanOrEqual(x) {
		q = q.Add(one)
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
			return nil, false, invalid("invalid search query", Problem{Param: "q", Message: fmt.Sprintf("col %d: price does not accept %s", c.Pos, c.Op)})
		}
	}
	return out, true, nil
}

// narrowModels applies the accelerator-level clauses of a price-sorted search to the catalogue.
// When they leave at most maxModelStreams models, the search reads one index range per listing
// currency and model (the (accelerator, status, currency, key) indexes), instead of skipping the
// other models' offers in the per-currency order: nil means "no narrowing", an empty non-nil
// slice means nothing can match.
func narrowModels(in Input) ([]string, error) {
	if in.Models == nil || !NeedsModels(in.Query, in.Sort) {
		return nil, nil
	}
	models := []string{}
	for _, m := range in.Models {
		ok, err := modelMatches(m, in.Query.Clauses)
		if err != nil {
			return nil, err
		}
		if ok {
			models = append(models, m.Code)
		}
	}
	if len(models) > maxModelStreams {
		return nil, nil
	}
	return models, nil
}

// modelMatches evaluates the accelerator-level clauses on a catalogue entry, the way the store
// compares them (decimals in whole micro-units).
func modelMatches(m Model, clauses []Clause) (bool, error) {
	for _, c := range clauses {
		f := field(c.Field)
		if f == nil || f.Model == nil {
			continue
		}
		ok, err := holds(f, c, f.Model(m))
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// holds reports whether the value v (canonical, of field f) meets clause c.
func holds(f *Field, c Clause, v string) (bool, error) {
	cmp := func(w string) (int, error) {
		if f.Type != TypeDecimal {
			return strings.Compare(v, w), nil
		}
		a, err := decimal.NewFromString(v)
		if err != nil {
			return 0, fmt.Errorf("search: %s of a model: %q is not a decimal", f.Name, v)
		}
		b, err := decimal.NewFromString(w)
		if err != nil {
			return 0, fmt.Errorf("search: clause %s: value %q is not a decimal", c.Field, w)
		}
		return a.Cmp(b), nil
	}
	if c.Op.IsList() {
		found := false
		for _, w := range c.Values {
			r, err := cmp(w)
			if err != nil {
				return false, err
			}
			found = found || r == 0
		}
		return found == (c.Op == OpIn), nil
	}
	if len(c.Values) != 1 {
		return false, fmt.Errorf("search: clause %s %s has %d values", c.Field, c.Op, len(c.Values))
	}
	r, err := cmp(c.Values[0])
	if err != nil {
		return false, err
	}
	switch c.Op {
	case OpEq:
		return r == 0, nil
	case OpNe:
		return r != 0, nil
	case OpLt:
		return r < 0, nil
	case OpLe:
		return r <= 0, nil
	case OpGt:
		return r > 0, nil
	case OpGe:
		return r >= 0, nil
	}
	return false, fmt.Errorf("search: operator %s cannot be evaluated on a model", c.Op)
}
