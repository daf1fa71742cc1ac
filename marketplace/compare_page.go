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

// comparePage returns the limit first entries of the full ranking of the candidates (the order
// of pricing.Compare over all of them) after the cursor, their offers, and whether more
// follow.
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
func (s *Service) comparePage(ctx context.Context, cmp *pricing.Comparer, gpus int, cands []CompareCandidate, after *compareCursor, limit int) ([]pricing.Ranked, map[string]OfferContext, bool, error) {
	type cand struct {
		id    string
		bound pricing.Bound
	}
	list := make([]cand, 0, len(cands))
	for i := range cands {
		c := &cands[i]
		if c.Capacity > 0 && gpus > c.Capacity {
			continue // pricing.Price: not_enough_capacity, which a comparison leaves out
		}
		t := pricing.OfferTerms{ID: c.ID, Price: c.Price, Currency: c.Currency}
		for _, tier := range c.Tiers {
			t.Tiers = append(t.Tiers, pricing.Tier{MinGPUHours: tier.MinGPUHours, Discount: tier.Discount})
		}
		list = append(list, cand{id: c.ID, bound: cmp.LowerBound(&t)})
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i].bound, list[j].bound
		if a.Less(b) {
			return true
		}
		if b.Less(a) {
			return false
		}
		return list[i].id < list[j].id
	})
	var last *pricing.Ranked
	if after != nil {
		last = after.ranked()
	}
	want := limit + 1 // one more than the page tells whether another page follows
	var kept []pricing.Ranked
	ctxs := map[string]OfferContext{}
	batch := max(2*want, 32)
	for start := 0; start < len(list); batch = min(2*batch, compareBatch) {
		if len(kept) == want && kept[want-1].NoQuoteReason == "" {
			next := list[start].bound
			if next.Kind == pricing.BoundUnquotable || next.Kind == pricing.BoundValue && next.Value.GreaterThan(kept[want-1].LandedCost) {
				break
			}
		}
		end := min(start+batch, len(list))
		ids := make([]string, end-start)
		for i := range ids {
			ids[i] = list[start+i].id
		}
		start = end
		ocs, err := s.store.OfferContexts(ctx, ids)
		if err != nil {
			return nil, nil, false, err
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
