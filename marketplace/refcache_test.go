package marketplace_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing"
	"corridor/seed"
	"corridor/tariff"
)

// twoInstances opens two stores on one database (an SQLite file, or a PostgreSQL schema when
// CORRIDOR_TEST_POSTGRES is set), as two Corridor processes would, seeded through the first,
// and returns a service on each.
func twoInstances(t *testing.T, clock *time.Time) (a, b *marketplace.Service) {
	t.Helper()
	ctx := context.Background()
	dsn := store.TestDSN(t)
	now := func() time.Time { return *clock }
	var svcs []*marketplace.Service
	for range 2 {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svcs = append(svcs, marketplace.NewService(st, now))
	}
	if _, err := seed.Into(ctx, svcs[0], true); err != nil {
		t.Fatal(err)
	}
	return svcs[0], svcs[1]
}

// TestReferenceCacheAcrossInstances warms the reference data cache of instance B, changes the
// data through instance A, and checks that B's next request sees each change: an FX import, a
// new baseline version activated, a new region.
func TestReferenceCacheAcrossInstances(t *testing.T) {
	clock := testClock
	a, b := twoInstances(t, &clock)
	ctx := context.Background()

	// Warm: 8 GPUs × 100 h × CNY 15.80 = CNY 12,640.00 ÷ 8.2626 (Friday's seeded rate)
	// = EUR 1,529.78, under baseline version 1.
	q, err := b.Quote(ctx, h100(8, 100))
	if err != nil {
		t.Fatal(err)
	}
	if !q.Total.Equal(decimal.RequireFromString("1529.78")) || q.Inputs.Baseline.Version != 1 {
		t.Fatalf("before: total %s under baseline v%d, want 1529.78 under v1", q.Total, q.Inputs.Baseline.Version)
	}
	regions, err := b.Regions(ctx, marketplace.RegionFilter{})
	if err != nil {
		t.Fatal(err)
	}

	// A imports an ECB rate for Saturday: CNY 8.0000 per euro.
	n, err := a.ImportFX(ctx, []marketplace.FXRate{{Date: testClock.Truncate(24 * time.Hour), Currency: "CNY", PerEUR: decimal.RequireFromString("8.0000"), Source: pricing.SourceECB}})
	if err != nil || n != 1 {
		t.Fatalf("import: %d, %v", n, err)
	}
	// CNY 12,640.00 ÷ 8.0000 = EUR 1,580.00.
	if q, err = b.Quote(ctx, h100(8, 100)); err != nil {
		t.Fatal(err)
	}
	if !q.Total.Equal(decimal.RequireFromString("1580")) {
		t.Errorf("after the FX import on A, B quotes %s, want 1580.00", q.Total)
	}

	// A stores and activates a second baseline version (the same rules plus a comment).
	base := seed.PolicyDocs()[0]
	base.Data = append(append([]byte{}, base.Data...), "\n# version 2: the same rules\n"...)
	pv, _, err := a.AddPolicy(ctx, base, true)
	if err != nil || pv.Version != 2 {
		t.Fatalf("add policy: v%d, %v", pv.Version, err)
	}
	if q, err = b.Quote(ctx, h100(8, 100)); err != nil {
		t.Fatal(err)
	}
	if q.Inputs.Baseline.Version != 2 || q.Inputs.Baseline.Hash != pv.Hash {
		t.Errorf("after activation on A, B priced under baseline v%d (%s), want v2 (%s)", q.Inputs.Baseline.Version, q.Inputs.Baseline.Hash, pv.Hash)
	}

	// A adds a region: B lists it and accepts offers there.
	r := regions[0]
	r.Code, r.Name = "cn-test-newsite", "New site"
	if _, err := a.Seed(ctx, marketplace.SeedData{Regions: []marketplace.Region{r}}); err != nil {
		t.Fatal(err)
	}
	after, err := b.Regions(ctx, marketplace.RegionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(regions)+1 {
		t.Errorf("B lists %d regions after A added one to %d", len(after), len(regions))
	}
}

// TestReferenceCacheSeesOwnWrites checks that an instance's own activation is in force for its
// next request, and that an activation of an older version moves back.
func TestReferenceCacheSeesOwnWrites(t *testing.T) {
	clock := testClock
	a, _ := twoInstances(t, &clock)
	ctx := context.Background()
	base := seed.PolicyDocs()[0]
	base.Data = append(append([]byte{}, base.Data...), "\n# version 2\n"...)
	if _, _, err := a.AddPolicy(ctx, base, true); err != nil {
		t.Fatal(err)
	}
	rp, err := a.ResolvePolicy(ctx, "", clock)
	if err != nil || rp.Baseline.Version != 2 {
		t.Fatalf("after activating v2: v%d, %v", rp.Baseline.Version, err)
	}
	clock = clock.Add(time.Minute) // a later activation instant
	if err := a.ActivatePolicy(ctx, marketplace.BaselinePolicyID, 1); err != nil {
		t.Fatal(err)
	}
	if rp, err = a.ResolvePolicy(ctx, "", clock); err != nil || rp.Baseline.Version != 1 {
		t.Fatalf("after re-activating v1: v%d, %v", rp.Baseline.Version, err)
	}
	// At an instant before the second activation, v2 was in force.
	if rp, err = a.ResolvePolicy(ctx, "", clock.Add(-30*time.Second)); err != nil || rp.Baseline.Version != 2 {
		t.Fatalf("half a minute earlier: v%d, %v", rp.Baseline.Version, err)
	}
}

// TestSearchHitsKeptAcrossSeconds: a search's hits are kept for the state of the market they
// were read in, so the same search a second later gives the same offers with their windows
// starting a second later (the free GPUs are counted again), and a change made through another
// instance (an offer withdrawn) is in the next search at once.
func TestSearchHitsKeptAcrossSeconds(t *testing.T) {
	clock := testClock
	a, b := twoInstances(t, &clock)
	ctx := context.Background()
	req := marketplace.SearchRequest{Q: "bloc=CN", Sort: "price", Limit: 5}
	first, err := b.SearchOffers(ctx, req)
	if err != nil || len(first.Hits) != 5 {
		t.Fatalf("%d hits (%v), want 5", len(first.Hits), err)
	}
	clock = clock.Add(time.Second)
	again, err := b.SearchOffers(ctx, req)
	if err != nil || len(again.Hits) != len(first.Hits) {
		t.Fatalf("a second later: %d hits (%v)", len(again.Hits), err)
	}
	moved := 0
	for i, h := range again.Hits {
		was := first.Hits[i]
		if h.ID != was.ID {
			t.Fatalf("hit %d is %s a second later, was %s", i, h.ID, was.ID)
		}
		if was.WindowStart.Equal(testClock.Truncate(time.Second)) { // the window started now
			if !h.WindowStart.Equal(clock.Truncate(time.Second)) {
				t.Errorf("%s: window starts %s a second later, want %s", h.ID, h.WindowStart, clock)
			}
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no hit's window starts now: the test shows nothing")
	}
	// A request's strings may live in a buffer the server reuses (Fiber's): the kept page must
	// not point into it.
	buf := []byte("gpus>=1 bloc=CN")
	inBuffer := marketplace.SearchRequest{Q: unsafe.String(&buf[0], len(buf)), Sort: "price", Limit: 3}
	kept, err := b.SearchOffers(ctx, inBuffer)
	if err != nil {
		t.Fatal(err)
	}
	wantQuery := fmt.Sprint(kept.Search)
	copy(buf, "xxxxxxxxxxxxxxx") // the next request's bytes
	reread, err := b.SearchOffers(ctx, marketplace.SearchRequest{Q: "gpus>=1 bloc=CN", Sort: "price", Limit: 3})
	if err != nil || fmt.Sprint(reread.Search) != wantQuery {
		t.Fatalf("the kept page's query reads %s (%v) once the request's buffer is reused, want %s", fmt.Sprint(reread.Search), err, wantQuery)
	}
	gone := again.Hits[0]
	if _, err := a.WithdrawOffer(ctx, gone.SupplierID, gone.ID, gone.Version); err != nil {
		t.Fatal(err)
	}
	after, err := b.SearchOffers(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range after.Hits {
		if h.ID == gone.ID {
			t.Fatalf("%s was withdrawn through the other instance and is still a hit", gone.ID)
		}
	}
}

// TestPolicyCompiledOnceForConcurrentRequests: requests that need a policy version no request
// has compiled yet, arriving together (as after an activation under load), wait for one
// compilation instead of each parsing the document: every one of them gets the same compiled
// policy. Without the single flight (policyCache.compiling) each would parse its own copy.
func TestPolicyCompiledOnceForConcurrentRequests(t *testing.T) {
	clock := testClock
	_, b := twoInstances(t, &clock) // b has compiled nothing: seeded through the other instance
	ctx := context.Background()
	const requests = 16
	got := make([]*tariff.Policy, requests)
	errs := make([]error, requests)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			<-start
			rp, err := b.ResolvePolicy(ctx, "", clock)
			got[i], errs[i] = rp.Policy, err
		})
	}
	close(start)
	wg.Wait()
	for i := range requests {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Fatalf("request %d got a policy compiled apart from request 0's: %d compilations for %d requests", i, countDistinct(got), requests)
		}
	}
}

func countDistinct[T comparable](xs []T) int {
	seen := map[T]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	return len(seen)
}
