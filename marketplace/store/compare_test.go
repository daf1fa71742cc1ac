package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	seeddata "corridor/seed"
)

// TestHotPathReadsMatchGORM seeds the demo market, withdraws two offers, and checks that the
// paths that read without GORM (rawsql.go) and the aggregates give what GORM's reads give: the
// counts per region and per supplier, a comparison's candidates for several filters, and every
// offer with its region, accelerator and supplier field for field.
func TestHotPathReadsMatchGORM(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			svc := marketplace.NewService(st, func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) })
			data, _, err := seeddata.Load(true)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Seed(ctx, data); err != nil {
				t.Fatal(err)
			}
			all, err := st.ActiveOfferContexts(ctx, marketplace.OfferContextFilter{})
			if err != nil || len(all) < 20 {
				t.Fatalf("%v (%d offers)", err, len(all))
			}
			for _, oc := range all[:2] {
				o := oc.Offer
				o.Status, o.Version = marketplace.OfferWithdrawn, o.Version+1
				if err := st.UpdateOffer(ctx, o, oc.Offer.Version); err != nil {
					t.Fatal(err)
				}
			}
			active, err := st.ActiveOfferContexts(ctx, marketplace.OfferContextFilter{})
			if err != nil || len(active) != len(all)-2 {
				t.Fatalf("%v: %d active of %d", err, len(active), len(all))
			}
			perRegion, perSupplier := map[string]int{}, map[string]int{}
			for _, oc := range active {
				perRegion[oc.Offer.Region]++
				perSupplier[oc.Offer.SupplierID]++
			}
			got, err := st.ActiveOffersPerRegion(ctx)
			if err != nil || !sameCounts(got, perRegion) {
				t.Errorf("per region %v, %v; want %v", got, err, perRegion)
			}
			for sup, want := range perSupplier {
				if n, err := st.ActiveOfferCount(ctx, sup); err != nil || n != want {
					t.Errorf("supplier %s: %d active, %v; want %d", sup, n, err, want)
				}
			}
			for _, f := range []marketplace.OfferContextFilter{
				{},
				{Products: []string{"gpu_hours", "bare_metal"}, Accelerator: "h100-sxm"},
				{Bloc: marketplace.BlocEU},
				{Regions: []string{"cn-ningxia-zhongwei", "eu-fi-kajaani"}},
				{MinBF16TFLOPS: decimal.NewFromInt(900)},
			} {
				want, err := st.ActiveOfferContexts(ctx, marketplace.OfferContextFilter{Products: f.Products, Accelerator: f.Accelerator, Bloc: f.Bloc, Regions: f.Regions})
				if err != nil {
					t.Fatal(err)
				}
				wantBy := map[string]marketplace.Offer{}
				for _, oc := range want {
					if !f.MinBF16TFLOPS.IsPositive() || !oc.Accelerator.BF16TFLOPS.LessThan(f.MinBF16TFLOPS) {
						wantBy[oc.Offer.ID] = oc.Offer
					}
				}
				cands, err := st.CompareCandidates(ctx, f)
				if err != nil || len(cands) != len(wantBy) || len(cands) == 0 {
					t.Fatalf("filter %+v: %d candidates, %v; want %d", f, len(cands), err, len(wantBy))
				}
				for _, c := range cands {
					o, ok := wantBy[c.ID]
					if !ok || !c.Price.Equal(o.Price) || c.Currency != o.Currency || c.Capacity != o.GPUs || mustJSON(t, c.Tiers) != mustJSON(t, o.Tiers) ||
						!c.Floor.Equal(marketplace.FloorPrice(o.Price, o.Tiers)) {
						t.Errorf("filter %+v: candidate %+v, offer %+v", f, c, o)
					}
				}
			}
			// The parts of a read in floor order (other currencies whole, each currency's
			// offers by floor price and id, 7 at a time) are the whole read.
			f := marketplace.OfferContextFilter{Products: []string{"gpu_hours", "bare_metal"}}
			whole, err := st.CompareCandidates(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := st.CompareCandidatesPart(ctx, f, marketplace.CandidatePart{Other: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range parts {
				if slices.Contains(marketplace.OfferCurrencies, c.Currency) {
					t.Errorf("offer %s in %s in the part of other currencies", c.ID, c.Currency)
				}
			}
			tiered := 0
			for _, cur := range marketplace.OfferCurrencies {
				var after *marketplace.CompareCandidate
				for {
					page, err := st.CompareCandidatesPart(ctx, f, marketplace.CandidatePart{Currency: cur, After: after, Limit: 7})
					if err != nil {
						t.Fatal(err)
					}
					for i, c := range page {
						prev := after
						if i > 0 {
							prev = &page[i-1]
						}
						if c.Currency != cur || prev != nil && (c.Floor.LessThan(prev.Floor) || c.Floor.Equal(prev.Floor) && c.ID <= prev.ID) {
							t.Errorf("%s stream: %+v after %+v", cur, c, prev)
						}
						if len(c.Tiers) > 0 {
							tiered++
						}
					}
					parts = append(parts, page...)
					if len(page) < 7 {
						break
					}
					after = &page[len(page)-1]
				}
			}
			if len(parts) != len(whole) || tiered == 0 {
				t.Errorf("parts hold %d candidates (%d with tiers), the whole read %d", len(parts), tiered, len(whole))
			}
			ids := make([]string, len(all))
			for i, oc := range all {
				ids[i] = oc.Offer.ID
			}
			byID, err := st.OfferContexts(ctx, ids)
			if err != nil || len(byID) != len(all) {
				t.Fatalf("OfferContexts: %d, %v", len(byID), err)
			}
			views, err := st.OfferViews(ctx, ids)
			if err != nil || len(views) != len(all) {
				t.Fatalf("OfferViews: %d, %v", len(views), err)
			}
			for _, want := range all {
				id := want.Offer.ID
				one, err := st.OfferContext(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if id == ids[0] || id == ids[1] {
					continue // withdrawn since: checked below
				}
				if w, g, b := mustJSON(t, want), mustJSON(t, one), mustJSON(t, byID[id]); g != w || b != w {
					t.Errorf("offer %s:\nGORM %s\nraw  %s\nbatch %s", id, w, g, b)
				}
				if v := views[id]; mustJSON(t, v.Offer) != mustJSON(t, want.Offer) || v.SupplierName != want.Supplier.Name || v.Bloc != want.Region.Bloc {
					t.Errorf("view %s: %+v", id, v)
				}
			}
			if oc, err := st.OfferContext(ctx, ids[0]); err != nil || oc.Offer.Status != marketplace.OfferWithdrawn {
				t.Errorf("withdrawn offer: %+v, %v", oc.Offer, err)
			}
			if _, err := st.OfferContext(ctx, "no-such-offer"); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Errorf("missing offer: %v", err)
			}
		})
	}
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
