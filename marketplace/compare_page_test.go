package marketplace_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing"
	"corridor/seed"
	"corridor/tariff"
)

// pagingMarket is the demo market with 1,500 synthetic offers, and beside them copies of some
// offers under other ids (ties in landed cost, broken by id) and offers whose minimum hours
// the needs do not reach (ranked after every quoted offer, by id).
func pagingMarket(t *testing.T, clock *time.Time) (*marketplace.Service, *store.Store) {
	t.Helper()
	svc, st := newMarket(t, clock)
	ctx := context.Background()
	sups, offers, err := seed.SyntheticMarket(1500, 7, clock.Truncate(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var extra []marketplace.Offer
	for i, o := range offers[:300] {
		c := o
		c.ID = fmt.Sprintf("%s-twin", o.ID)
		if i%3 == 0 {
			c.ID, c.MinHours = fmt.Sprintf("%s-long", o.ID), 5000
		}
		extra = append(extra, c)
	}
	if _, err := st.PutSuppliers(ctx, sups); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutOffers(ctx, append(offers, extra...)); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// unpaged is the reference: pricing.Compare over every matching active offer, as Compare
// ranked before it had pages (a need without a scenario, so no FX shock).
func unpaged(t *testing.T, svc *marketplace.Service, n marketplace.Need, now time.Time, buyerType tariff.BuyerType) []pricing.Ranked {
	t.Helper()
	ctx := context.Background()
	ocs, err := svc.ActiveOffers(ctx, marketplace.OfferContextFilter{Products: []string{"gpu_hours", "bare_metal"}, Accelerator: n.Accelerator, Bloc: n.Bloc})
	if err != nil {
		t.Fatal(err)
	}
	terms := make([]pricing.OfferTerms, len(ocs))
	for i, oc := range ocs {
		terms[i] = oc.Terms()
	}
	asOf := now.Truncate(24 * time.Hour)
	fx, _, err := svc.FXOn(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.ResolvePolicy(ctx, "", now)
	if err != nil {
		t.Fatal(err)
	}
	need := pricing.Need{Accelerator: n.Accelerator, MinBF16TFLOPS: n.MinBF16TFLOPS, GPUs: n.GPUs, Hours: n.Hours, BuyerCountry: n.Buyer.Country,
		BuyerRegion: n.Buyer.Region, BuyerType: buyerType, Currency: n.Currency, Bloc: string(n.Bloc), AsOf: asOf}
	return pricing.Compare(need, terms, pricing.Inputs{Policy: p.Policy, Baseline: p.Baseline, FX: fx, Now: now})
}

// TestComparePagesWalkTheWholeRanking walks every need's ranking page by page with random
// page sizes and checks that the pages, end to end, are the unpaged ranking: the same offers
// in the same order with the same landed costs and reasons, ranks continuing across pages,
// and no cursor after the last page. The needs cover a bounded ranking (a German business: no
// measure lowers its cost, so pages stop pricing early), an unbounded one (a business
// registered in Shanghai, whose compute voucher is a subsidy: every offer is priced), a
// consumer, and a need by minimum throughput.
func TestComparePagesWalkTheWholeRanking(t *testing.T) {
	clock := testClock
	svc, _ := pagingMarket(t, &clock)
	ctx := context.Background()
	needs := []struct {
		need  marketplace.Need
		buyer tariff.BuyerType
	}{
		{marketplace.Need{Accelerator: "h100-sxm", GPUs: 8, Hours: 100, Currency: "EUR",
			Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}}, tariff.BuyerBusiness},
		// 16 × 720 = 11,520 GPU-hours: the synthetic 5% tier from 10,000 applies.
		{marketplace.Need{MinBF16TFLOPS: decimal.NewFromInt(400), GPUs: 16, Hours: 720, Currency: "EUR",
			Buyer: marketplace.Buyer{Country: "NL", Type: "business", VATID: "NL123456789B01"}}, tariff.BuyerBusiness},
		{marketplace.Need{Accelerator: "h20", GPUs: 4, Hours: 720, Currency: "CNY",
			Buyer: marketplace.Buyer{Country: "CN", Type: "business", Region: "cn-shanghai"}}, tariff.BuyerBusiness},
		{marketplace.Need{MinBF16TFLOPS: decimal.NewFromInt(900), GPUs: 2, Hours: 1000, Currency: "USD", Bloc: marketplace.BlocEU,
			Buyer: marketplace.Buyer{Country: "FR", Type: "consumer"}}, tariff.BuyerConsumer},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range needs {
		want := unpaged(t, svc, tc.need, clock, tc.buyer)
		if len(want) < 30 {
			t.Fatalf("%s: only %d offers match: the market is too small to page", tc.need.Accelerator, len(want))
		}
		quotedWant, unquotedWant := 0, 0
		for _, r := range want {
			if r.NoQuoteReason == "" {
				quotedWant++
			} else {
				unquotedWant++
			}
		}
		discounted := 0
		for _, r := range want {
			if r.Quote != nil && len(r.Quote.Lines) > 1 && r.Quote.Lines[1].Kind == "discount" {
				discounted++
			}
		}
		if tc.need.GPUs*tc.need.Hours >= 10000 && discounted == 0 {
			t.Errorf("%d GPU-hours: no offer's tier applies", tc.need.GPUs*tc.need.Hours)
		}
		if unquotedWant == 0 || quotedWant == 0 {
			t.Errorf("%s: %d quoted, %d unquoted: the walk does not cross from one to the other", tc.need.Accelerator, quotedWant, unquotedWant)
		}
		for walk := range 4 {
			n := tc.need
			var got []pricing.Ranked
			for page := 0; ; page++ {
				n.Limit = 1 + rng.IntN(12)
				if walk == 0 {
					n.Limit = marketplace.MaxCompareLimit
				}
				c, err := svc.Compare(ctx, n)
				if err != nil {
					t.Fatalf("%s walk %d page %d: %v", n.Accelerator, walk, page, err)
				}
				if len(c.Ranked) > n.Limit || (c.NextCursor != "" && len(c.Ranked) != n.Limit) {
					t.Fatalf("page %d: %d offers for a limit of %d (next %q)", page, len(c.Ranked), n.Limit, c.NextCursor)
				}
				if quoted := countQuoted(got); c.RankOffset != quoted {
					t.Fatalf("page %d: rank offset %d after %d quoted offers", page, c.RankOffset, quoted)
				}
				for _, r := range c.Ranked {
					if _, ok := c.Offers[r.OfferID]; !ok {
						t.Fatalf("page %d: offer %s without its context", page, r.OfferID)
					}
				}
				got = append(got, c.Ranked...)
				if c.NextCursor == "" {
					break
				}
				n.Cursor = c.NextCursor
				if page > len(want) {
					t.Fatal("the walk does not end")
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s walk %d: %d offers, unpaged %d", tc.need.Accelerator, walk, len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.OfferID != w.OfferID || !g.LandedCost.Equal(w.LandedCost) || g.NoQuoteReason != w.NoQuoteReason {
					t.Fatalf("%s walk %d: #%d is %s %s %q, unpaged %s %s %q", tc.need.Accelerator, walk, i, g.OfferID, g.LandedCost, g.NoQuoteReason,
						w.OfferID, w.LandedCost, w.NoQuoteReason)
				}
			}
		}
	}
}

func countQuoted(rs []pricing.Ranked) int {
	n := 0
	for _, r := range rs {
		if r.NoQuoteReason == "" {
			n++
		}
	}
	return n
}

// TestCompareCursorIsChecked: a page size outside 1..100, a cursor that is not one, and a
// cursor of another need are refused naming the field.
func TestCompareCursorIsChecked(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	n := marketplace.Need{Accelerator: "h100-sxm", GPUs: 1, Hours: 10, Currency: "EUR", Buyer: marketplace.Buyer{Country: "FR", Type: "consumer"}, Limit: 1}
	c, err := svc.Compare(ctx, n)
	if err != nil || c.NextCursor == "" || len(c.Ranked) != 1 {
		t.Fatalf("first page: %v, %d offers, next %q", err, len(c.Ranked), c.NextCursor)
	}
	other := n
	other.Hours = 11
	for name, bad := range map[string]marketplace.Need{
		"limit 101":          func() marketplace.Need { b := n; b.Limit = 101; return b }(),
		"limit -1":           func() marketplace.Need { b := n; b.Limit = -1; return b }(),
		"not a cursor":       func() marketplace.Need { b := n; b.Cursor = "%%%"; return b }(),
		"another need's one": func() marketplace.Need { b := other; b.Cursor = c.NextCursor; return b }(),
	} {
		_, err := svc.Compare(ctx, bad)
		var de *marketplace.Error
		if !errors.As(err, &de) || de.Code != marketplace.CodeInvalid || len(de.Fields) != 1 {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if f := de.Fields[0].Field; f != "limit" && f != "cursor" {
			t.Errorf("%s: field %q", name, f)
		}
	}
}

// countingStore counts the offers a comparison reads to price, and the candidates (with
// tiers or without) it reads to order them.
type countingStore struct {
	*store.Store
	read, cands, tiered int
}

func (c *countingStore) CompareCandidatesPart(ctx context.Context, f marketplace.OfferContextFilter, part marketplace.CandidatePart) ([]marketplace.CompareCandidate, error) {
	cs, err := c.Store.CompareCandidatesPart(ctx, f, part)
	c.cands += len(cs)
	for _, cc := range cs {
		if len(cc.Tiers) > 0 {
			c.tiered++
		}
	}
	return cs, err
}

func (c *countingStore) OfferContexts(ctx context.Context, ids []string) (map[string]marketplace.OfferContext, error) {
	c.read += len(ids)
	return c.Store.OfferContexts(ctx, ids)
}

// TestCompareFirstPagePricesFewOffers: for a German business no measure of the baseline
// lowers a landed cost below the net price, so a first page of 5 reads and prices a batch or
// two of the offers with the lowest bounds (32, then 64), not the 1,500-odd that match, and
// reads a few chunks of candidates, with tiers or without, not all of them; for a
// business registered in Shanghai the compute voucher (a subsidy) can, so every matching
// offer is priced.
func TestCompareFirstPagePricesFewOffers(t *testing.T) {
	clock := testClock
	_, st := pagingMarket(t, &clock)
	cs := &countingStore{Store: st}
	svc := marketplace.NewService(cs, func() time.Time { return clock })
	ctx := context.Background()
	n := marketplace.Need{MinBF16TFLOPS: decimal.NewFromInt(100), GPUs: 1, Hours: 10, Currency: "EUR", Limit: 5,
		Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}}
	all, err := st.CompareCandidates(ctx, marketplace.OfferContextFilter{Products: []string{"gpu_hours", "bare_metal"}, MinBF16TFLOPS: n.MinBF16TFLOPS})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Compare(ctx, n); err != nil {
		t.Fatal(err)
	}
	if cs.read > len(all)/10 || len(all) < 1000 {
		t.Errorf("a German business's first page read %d offers of %d", cs.read, len(all))
	}
	// The candidates are read in floor-price order, the offers with tiers among them (a
	// quarter of the synthetic market), only as far as the pricing goes.
	allTiered := 0
	for _, c := range all {
		if len(c.Tiers) > 0 {
			allTiered++
		}
	}
	if cs.cands > len(all)/5 || cs.tiered > allTiered/5 || allTiered < 100 {
		t.Errorf("a German business's first page read %d candidates (%d with tiers) of %d (%d with tiers)", cs.cands, cs.tiered, len(all), allTiered)
	}
	cs.read = 0
	n.Currency, n.Buyer = "CNY", marketplace.Buyer{Country: "CN", Type: "business", Region: "cn-shanghai"}
	// a fresh service: its offer cache (offercache.go) is empty, so every offer it prices is read
	svc = marketplace.NewService(cs, func() time.Time { return clock })
	if _, err := svc.Compare(ctx, n); err != nil {
		t.Fatal(err)
	}
	if cs.read != len(all) {
		t.Errorf("a Shanghai business's first page read %d offers of %d", cs.read, len(all))
	}
}
