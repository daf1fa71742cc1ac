package marketplace_test

import (
	"context"
	"errors"
	"testing"

	"corridor/marketplace"
)

func ptr[T any](v T) *T { return &v }

// capOffer is a valid offer input: 8 H100s in Zhongwei at CNY 15.80 per GPU-hour.
func capOffer() marketplace.OfferInput {
	return marketplace.OfferInput{Region: ptr("cn-ningxia-zhongwei"), Accelerator: ptr("h100-sxm"), Product: ptr("gpu_hours"), GPUs: ptr(8),
		Price: ptr("15.80"), Currency: ptr("CNY"), Pricing: ptr("on_demand"), AvailableFrom: ptr("2026-12-01"), AvailableUntil: ptr("2027-06-01")}
}

// wantCap checks that err is the cap's refusal: 409 (CodeConflict) naming field.
func wantCap(t *testing.T, what string, err error, field string) {
	t.Helper()
	var de *marketplace.Error
	if !errors.As(err, &de) || de.Code != marketplace.CodeConflict || len(de.Fields) != 1 || de.Fields[0].Field != field || de.Extra["max_active_offers"] != 2 {
		t.Fatalf("%s: %v (%+v)", what, err, de)
	}
}

// TestOfferCap: with a cap of 2 active offers per supplier, a third offer, a batch that would
// add two to one, and reinstating a withdrawn offer at the cap are refused naming the field;
// withdrawing makes room; replacing offers in a batch adds none; other suppliers are not
// counted.
func TestOfferCap(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	svc.SetMaxActiveOffers(2)
	ctx := context.Background()
	sp, _, err := svc.CreateSupplier(ctx, marketplace.NewSupplier{Name: "Capped Compute", Country: "CN"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateOffer(ctx, sp.ID, capOffer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpsertOffers(ctx, sp.ID, []marketplace.OfferInput{capOffer(), capOffer()}); err == nil {
		t.Fatal("a batch taking 1 active offer to 3 was accepted")
	} else {
		wantCap(t, "batch of two", err, "offers")
	}
	b, err := svc.CreateOffer(ctx, sp.ID, capOffer())
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateOffer(ctx, sp.ID, capOffer())
	wantCap(t, "third offer", err, "status")
	// Replacing both in a batch creates nothing new.
	ra, rb := capOffer(), capOffer()
	ra.ID, rb.ID = ptr(a.ID), ptr(b.ID)
	if _, err := svc.UpsertOffers(ctx, sp.ID, []marketplace.OfferInput{ra, rb}); err != nil {
		t.Fatalf("replacing at the cap: %v", err)
	}
	if _, err := svc.WithdrawOffer(ctx, sp.ID, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateOffer(ctx, sp.ID, capOffer())
	if err != nil {
		t.Fatalf("after withdrawing one: %v", err)
	}
	_, err = svc.ReinstateOffer(ctx, sp.ID, a.ID, 0)
	wantCap(t, "reinstating at the cap", err, "status")
	if _, err := svc.WithdrawOffer(ctx, sp.ID, c.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReinstateOffer(ctx, sp.ID, a.ID, 0); err != nil {
		t.Fatalf("reinstating below the cap: %v", err)
	}
	svc.SetMaxActiveOffers(0)
	if _, err := svc.CreateOffer(ctx, sp.ID, capOffer()); err != nil {
		t.Fatalf("no cap: %v", err)
	}
}
