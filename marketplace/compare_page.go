package marketplace

import (
	"context"
	"encoding/base64"
	"errors"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"corridor/pricing"
)

// compareBatch is the most offers a comparison reads and prices at a time (enough for the
// engine to spread over the cores); the first batch is twice the page, and each next one
// doubles, so that a page whose bounds are tight prices little more than it shows.
const compareBatch = 256

// comparePage returns the limit first entries of the full ranking of the matching offers
// (the order of pricing.Compare over all of them) after the cursor, their offers, and whether
// more follow.
//
// Why the page is exactly the true one without pricing every offer: candidates are priced in
// the order of a lower bound of their landed cost (pricing.Comparer.LowerBound; offers that
// cannot be quoted at all last), a batch at a time, keeping the limit+1 best entries after the
// cursor. Once those are all quoted and the next candidate's bound exceeds the landed cost of
// the last of them, every candidate not yet priced has a landed cost above it (its bound is at
// least the next one's), and no unquotable offer ranks before a quoted one: none of them can
// enter the page, and the loop stops. When the policy has a measure that can bring a landed
// cost below the net price (a subsidy for the buyer, a tax carved out of the price…) no bound
// is known and every matching offer is priced, as before paging; the page is the same.
// Offers without the capacity the need asks for are left out before pricing, as Compare
// leaves them out. An offer edited between the read of the candidates and its pricing is
// priced at its new terms.
//
// Reading: with bounds, an offer is read with the bound of its floor price (FloorPrice: the
// price less its largest tier discount, stored with the offer), floor × GPU-hours × rate − 2
// minor units. It is at most the bound of its price and actual discount (the discount a
// quantity earns is one of its tiers' or none), so still a lower bound of its landed cost, and
// it grows with the floor within a listing currency: the offers, with tiers or without, are
// read in floor order, one stream per listing currency, a chunk at a time and only as far as
// the pricing goes, whatever the size of the market. Offers listed in another currency (which
// cannot be quoted) are read whole. Without bounds every matching offer is read.
func (s *Service) comparePage(ctx context.Context, cmp *pricing.Comparer, f OfferContextFilter, gpus int, after *compareCursor, limit int) ([]pricing.Ranked, map[string]OfferContext, bool, error) {
	want := limit + 1 // one more than the page tells whether another page follows
	q := &candQueue{s: s, cmp: cmp, f: f, gpus: gpus, chunk: max(2*want, 64)}
	if err := q.start(ctx); err != nil {
		return nil, nil, false, err
	}
	var last *pricing.Ranked
	if after != nil {
		last = after.ranked()
	}
	var kept []pricing.Ranked
	ctxs := map[string]OfferContext{}
	batch := max(2*want, 32)
	for ; ; batch = min(2*batch, compareBatch) {
		next, ok, err := q.peek(ctx)
		if err != nil {
			return nil, nil, false, err
		}
		if !ok {
			break
		}
		if len(kept) == want && kept[want-1].NoQuoteReason == "" && beyond(next.bound, kept[want-1].LandedCost) {
			break
		}
		var limit *decimal.Decimal // the landed cost a candidate must not exceed to enter the page
		if len(kept) == want && kept[want-1].NoQuoteReason == "" {
			limit = &kept[want-1].LandedCost
		}
		taken, err := q.take(ctx, batch, limit)
		if err != nil {
			return nil, nil, false, err
		}
		ids := make([]string, 0, len(taken))
		for _, c := range taken {
			// An offer read by its floor whose own bound (its price and the discount the
			// quantity earns) already exceeds the last kept landed cost cannot enter the
			// page either: it is not priced.
			if limit != nil && beyond(c.exact, *limit) {
				continue
			}
			ids = append(ids, c.c.ID)
		}
		ocs, err := s.offerContexts(ctx, ids)
		if err != nil {
			return nil, nil, false, err
		}
		if err := ctx.Err(); err != nil { // nobody waits any more (request budget, client gone)
			return nil, nil, false, &Error{Code: CodeUnavailable, Message: "request cancelled or timed out", Err: err}
		}
		terms := make([]pricing.OfferTerms, 0, len(ids))
		for _, id := range ids {
			if oc, ok := ocs[id]; ok && oc.Offer.Status == OfferActive { // withdrawn since: gone
				terms = append(terms, oc.Terms())
			}
		}
		for _, r := range cmp.Rank(terms) {
			if last != nil && !pricing.RankedLess(last, &r) {
				continue
			}
			kept = append(kept, r)
			ctxs[r.OfferID] = ocs[r.OfferID]
		}
		sort.Slice(kept, func(i, j int) bool { return pricing.RankedLess(&kept[i], &kept[j]) })
		for _, r := range kept[min(want, len(kept)):] {
			delete(ctxs, r.OfferID)
		}
		kept = kept[:min(want, len(kept))]
	}
	more := len(kept) > limit
	if more {
		delete(ctxs, kept[limit].OfferID)
		kept = kept[:limit]
	}
	return kept, ctxs, more, nil
}

// cand is an offer to price and lower bounds of its landed cost: bound, which orders the
// candidates (from the floor price in a stream), and exact, from its price and tiers (the
// same when it has no tiers or was read whole), at least bound.
type cand struct {
	c            CompareCandidate
	bound, exact pricing.Bound
}

func candLess(a, b *cand) bool {
	if a.bound.Less(b.bound) {
		return true
	}
	if b.bound.Less(a.bound) {
		return false
	}
	return a.c.ID < b.c.ID
}

// candStream is a run of candidates in bound order: a list read whole and sorted, or one
// currency's offers read in floor-price order a chunk at a time.
type candStream struct {
	items    []cand
	pos      int
	currency string // "" for a list read whole
	done     bool
	chunk    int // how many the next read asks for: doubles with each read of this stream
}

// candQueue hands out the candidates of a comparison in bound order, merging its streams.
type candQueue struct {
	s       *Service
	cmp     *pricing.Comparer
	f       OfferContextFilter
	gpus    int
	chunk   int // the first read of each stream
	streams []*candStream
}

// start reads the candidates that are read whole and opens the price-ordered streams.
func (q *candQueue) start(ctx context.Context) error {
	part := CandidatePart{MinCapacity: q.gpus}
	if q.cmp.Bounded() {
		part.Other = true
		for _, cur := range OfferCurrencies {
			q.streams = append(q.streams, &candStream{currency: cur, chunk: q.chunk})
		}
	}
	cs, err := q.s.store.CompareCandidatesPart(ctx, q.f, part)
	if err != nil {
		return err
	}
	whole := &candStream{items: q.bounds(cs, false), done: true}
	sort.Slice(whole.items, func(i, j int) bool { return candLess(&whole.items[i], &whole.items[j]) })
	q.streams = append(q.streams, whole)
	return nil
}

// bounds pairs candidates with their bounds, leaving out those without the capacity asked
// for (pricing.Price: not_enough_capacity, which a comparison leaves out); floor bounds them
// by their floor prices (the order of a stream), otherwise by their prices and tiers.
func (q *candQueue) bounds(cs []CompareCandidate, floor bool) []cand {
	out := make([]cand, 0, len(cs))
	for _, c := range cs {
		if c.Capacity > 0 && q.gpus > c.Capacity {
			continue
		}
		t := pricing.OfferTerms{ID: c.ID, Price: c.Price, Currency: c.Currency}
		for _, tier := range c.Tiers {
			t.Tiers = append(t.Tiers, pricing.Tier{MinGPUHours: tier.MinGPUHours, Discount: tier.Discount})
		}
		exact := q.cmp.LowerBound(&t)
		bound := exact
		if floor && (len(t.Tiers) > 0 || !c.Floor.Equal(c.Price)) {
			bound = q.cmp.LowerBound(&pricing.OfferTerms{ID: c.ID, Price: c.Floor, Currency: c.Currency})
		}
		out = append(out, cand{c: c, bound: bound, exact: exact})
	}
	return out
}

// head returns a stream's next candidate, reading its next chunk when needed.
func (q *candQueue) head(ctx context.Context, st *candStream) (*cand, error) {
	if st.pos == len(st.items) && !st.done {
		var after *CompareCandidate
		if len(st.items) > 0 {
			after = &st.items[len(st.items)-1].c
		}
		cs, err := q.s.store.CompareCandidatesPart(ctx, q.f, CandidatePart{Currency: st.currency, After: after, Limit: st.chunk, MinCapacity: q.gpus})
		if err != nil {
			return nil, err
		}
		st.done = len(cs) < st.chunk
		st.items, st.pos = q.bounds(cs, true), 0
		st.chunk = min(2*st.chunk, 1024)
	}
	if st.pos == len(st.items) {
		return nil, nil
	}
	return &st.items[st.pos], nil
}

// peek returns the candidate with the lowest bound of every stream; ok is false when none is
// left.
func (q *candQueue) peek(ctx context.Context) (c cand, ok bool, err error) {
	st, err := q.min(ctx)
	if err != nil || st == nil {
		return cand{}, false, err
	}
	return st.items[st.pos], true, nil
}

func (q *candQueue) min(ctx context.Context) (*candStream, error) {
	var best *candStream
	var bestC *cand
	for _, st := range q.streams {
		c, err := q.head(ctx, st)
		if err != nil {
			return nil, err
		}
		if c != nil && (bestC == nil || candLess(c, bestC)) {
			best, bestC = st, c
		}
	}
	return best, nil
}

// beyond reports whether every offer with bound b has a landed cost above limit, or cannot be
// quoted (and so ranks after any quoted offer).
func beyond(b pricing.Bound, limit decimal.Decimal) bool {
	return b.Kind == pricing.BoundUnquotable || b.Kind == pricing.BoundValue && b.Value.GreaterThan(limit)
}

// take removes and returns the next n candidates in bound order (fewer at the end), stopping
// before one beyond limit (nil: none) — it and every later one cannot enter the page, whose
// last landed cost can only fall as more offers are priced.
func (q *candQueue) take(ctx context.Context, n int, limit *decimal.Decimal) ([]cand, error) {
	ids := make([]cand, 0, n)
	for len(ids) < n {
		st, err := q.min(ctx)
		if err != nil {
			return nil, err
		}
		if st == nil || limit != nil && beyond(st.items[st.pos].bound, *limit) {
			break
		}
		ids = append(ids, st.items[st.pos])
		st.pos++
	}
	return ids, nil
}

func quotedCount(rs []pricing.Ranked) int {
	n := 0
	for i := range rs {
		if rs[i].NoQuoteReason == "" {
			n++
		}
	}
	return n
}

// compareCursor is the last entry of a page: where the next page starts, and the rank of the
// last quoted offer so far.
type compareCursor struct {
	quoted  bool
	landed  decimal.Decimal
	offerID string
	rank    int
}

// ranked is the cursor as an entry of the ranking, to compare entries with.
func (c compareCursor) ranked() *pricing.Ranked {
	r := &pricing.Ranked{OfferID: c.offerID, LandedCost: c.landed}
	if !c.quoted {
		r.NoQuoteReason = "cursor"
	}
	return r
}

// needKey is a digest of what a comparison ranks: a cursor carries it, so that a cursor is
// refused with another need (another ranking) rather than giving a page of nonsense.
func needKey(n Need) string {
	h := fnv.New64a()
	b := n.Buyer
	recovery := ""
	if b.VATRecovery.Valid {
		recovery = b.VATRecovery.Decimal.String()
	}
	for _, f := range []string{n.Accelerator, n.MinBF16TFLOPS.String(), strconv.Itoa(n.GPUs), strconv.Itoa(n.Hours),
		b.Country, b.Type, b.VATID, b.Region, b.Headquarters, recovery, n.Currency, string(n.Bloc), strings.Join(n.Regions, ","),
		strconv.FormatBool(n.PersonalData), n.Scenario, n.Purpose, n.TaxTerms} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// encodeCursor makes the opaque cursor that continues after r, the last entry of a page.
func encodeCompareCursor(r pricing.Ranked, rank int, n Need) string {
	kind, landed := "q", r.LandedCost.String()
	if r.NoQuoteReason != "" {
		kind, landed = "n", "0"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join([]string{"c1", kind, landed, strconv.Itoa(rank), needKey(n), r.OfferID}, "|")))
}

var errCursor = errors.New("not a cursor of this comparison: start again without it")

func decodeCompareCursor(s string, n Need) (compareCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return compareCursor{}, errCursor
	}
	parts := strings.SplitN(string(raw), "|", 6)
	if len(parts) != 6 || parts[0] != "c1" || (parts[1] != "q" && parts[1] != "n") || parts[4] != needKey(n) || parts[5] == "" {
		return compareCursor{}, errCursor
	}
	landed, err := decimal.NewFromString(parts[2])
	if err != nil {
		return compareCursor{}, errCursor
	}
	rank, err := strconv.Atoi(parts[3])
	if err != nil || rank < 0 {
		return compareCursor{}, errCursor
	}
	return compareCursor{quoted: parts[1] == "q", landed: landed, offerID: parts[5], rank: rank}, nil
}

// FloorPrice is the lowest unit price an offer's tiers can give: price × (1 − the largest
// tier discount; none below 0, as pricing applies none), truncated down to micro-units (the
// stored floor is exact in micro-units). E.g. 2.50 with tiers of 5% and 12% → 2.50 × 0.88 =
// 2.2; 1.999999 with 33% → 1.33999933 → 1.339999.
func FloorPrice(price decimal.Decimal, tiers []Tier) decimal.Decimal {
	d := decimal.Zero
	for _, t := range tiers {
		if t.Discount.GreaterThan(d) {
			d = t.Discount
		}
	}
	return price.Mul(decimal.NewFromInt(1).Sub(d)).Shift(6).Floor().Shift(-6)
}
