package store

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
)

func TestPolicyVersionsAndActivationHistory(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			add := func(hash string) (marketplace.PolicyVersion, bool) {
				v, created, err := st.AddPolicyVersion(ctx, marketplace.PolicyVersion{PolicyID: "baseline", Format: "corridor.policy/v1", Title: "t", Hash: hash, Document: []byte("doc " + hash)})
				if err != nil {
					t.Fatal(err)
				}
				return v, created
			}
			v1, c1 := add("h1")
			v1again, c1again := add("h1")
			v2, c2 := add("h2")
			if v1.Version != 1 || !c1 || v1again.Version != 1 || c1again || v2.Version != 2 || !c2 {
				t.Fatalf("versions: %d %v, %d %v, %d %v", v1.Version, c1, v1again.Version, c1again, v2.Version, c2)
			}
			if _, err := st.PolicyVersionAt(ctx, "baseline", time.Now()); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Fatalf("no activation yet: want not found, got %v", err)
			}
			jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			jun := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			if err := st.ActivatePolicyVersion(ctx, "baseline", 1, jan); err != nil {
				t.Fatal(err)
			}
			if err := st.ActivatePolicyVersion(ctx, "baseline", 2, jun); err != nil {
				t.Fatal(err)
			}
			if err := st.ActivatePolicyVersion(ctx, "baseline", 9, jun); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Fatalf("activating a missing version: want not found, got %v", err)
			}
			for _, tc := range []struct {
				at   time.Time
				want int
			}{
				{jan.AddDate(-1, 0, 0), 1}, // before any activation: the earliest activated version
				{jan, 1},
				{jun.Add(-time.Second), 1},
				{jun, 2},
				{jun.AddDate(1, 0, 0), 2},
			} {
				v, err := st.PolicyVersionAt(ctx, "baseline", tc.at)
				if err != nil || v.Version != tc.want || string(v.Document) != "doc h"+string(rune('0'+tc.want)) {
					t.Errorf("in force at %s: got v%d %q (%v), want v%d", tc.at, v.Version, v.Document, err, tc.want)
				}
			}
			list, err := st.PolicyVersions(ctx, "", time.Now())
			if err != nil || len(list) != 2 || list[0].Active || !list[1].Active || list[0].ActivatedAt == nil {
				t.Errorf("list = %+v, %v", list, err)
			}
		})
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			q := marketplace.Quote{
				ID: "q_test", OfferID: "o1", GPUs: 4, Start: start, End: start.Add(100 * time.Hour), Currency: "EUR",
				Total: decimal.RequireFromString("1527.40"), CreatedAt: start.Add(-time.Hour), ValidUntil: start.Add(23 * time.Hour),
				Request:   marketplace.QuoteRequest{OfferID: "o1", GPUs: 4, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business"}, Currency: "EUR"},
				QuotaUses: []marketplace.QuotaUse{{MeasureID: "corridor-quota", Period: "2026", Volume: decimal.RequireFromString("400"), Limit: decimal.RequireFromString("5000000")}},
				Inputs:    pricing.Inputs{Baseline: pricing.PolicyRef{ID: "baseline", Version: 3, Hash: "abc"}, Now: start.Add(-time.Hour)},
				Priced:    pricing.Quote{Total: decimal.RequireFromString("1527.40"), ValidUntil: start.Add(23 * time.Hour), Policy: pricing.PolicyRef{ID: "baseline", Version: 3, Hash: "abc"}},
			}
			if err := st.PutQuote(ctx, q); err != nil {
				t.Fatal(err)
			}
			if err := st.PutQuote(ctx, q); marketplace.ErrorCode(err) != marketplace.CodeConflict {
				t.Errorf("a quote is immutable: a second put must conflict, got %v", err)
			}
			got, err := st.Quote(ctx, "q_test")
			if err != nil {
				t.Fatal(err)
			}
			if !got.Total.Equal(q.Total) || !got.Start.Equal(q.Start) || !got.End.Equal(q.End) || got.Request.Buyer.Country != "DE" ||
				len(got.QuotaUses) != 1 || !got.QuotaUses[0].Limit.Equal(q.QuotaUses[0].Limit) ||
				got.Inputs.Baseline != q.Inputs.Baseline || !got.Priced.Total.Equal(q.Priced.Total) || got.Priced.Policy != q.Priced.Policy {
				t.Errorf("round trip: got %+v", got)
			}
			if _, err := st.Quote(ctx, "q_missing"); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Errorf("missing quote: %v", err)
			}
		})
	}
}
