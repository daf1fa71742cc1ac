package marketplace_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// TestStudyRerunIdentical: a stored study re-run from its stored request and pins gives the
// same bytes, even after a new version of its scenario (a 20% levy) is activated; the same
// request run afresh prices with the new version.
func TestStudyRerunIdentical(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	req := workedRequest()
	req.Sweep = "eu-levy-cn-compute.rate=0%..40% step 10%"
	first, err := svc.RunStudy(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.RerunStudy(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID == first.ID || string(again.Result) != string(first.Result) {
		t.Fatalf("re-run differs:\n%.400s\n%.400s", again.Result, first.Result)
	}

	// Version 2 of the scenario: 20% instead of 10%, in force from now on.
	pv, err := svc.PolicyVersion(ctx, "eu-compute-levy-cn-10", 1)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(pv.Document), `rate: "10%"`, `rate: "20%"`, 1)
	v2, _, err := svc.AddPolicy(ctx, marketplace.PolicyDoc{Name: "v2.yaml", Data: []byte(doc)}, true)
	if err != nil || v2.Version != 2 {
		t.Fatalf("version 2: %+v %v", v2, err)
	}
	pinned, err := svc.RerunStudy(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(pinned.Result) != string(first.Result) || pinned.Pins.Scenarios[0].Version != 1 {
		t.Errorf("the pinned study changed after version 2 was activated (pins %+v)", pinned.Pins.Scenarios)
	}
	fresh, err := svc.RunStudy(ctx, workedRequest())
	if err != nil {
		t.Fatal(err)
	}
	// Afresh: flow 1 under the scenario is 1600.00 + 20% × 1600.00 = 1920.00.
	check(t, rows(t, fresh, whatif.TableFlows), []string{"flow", "1", "scenario", "eu-compute-levy-cn-10"}, map[string]string{"landed_cost": "1920.00"})
	if fresh.Pins.Scenarios[0].Version != 2 {
		t.Errorf("fresh pins %+v", fresh.Pins.Scenarios)
	}
}

// TestStudyNeedBasket prices one need against every matching active offer, like compare.
func TestStudyNeedBasket(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	st, err := svc.RunStudy(context.Background(), marketplace.StudyRequest{
		Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10"}},
		Basket: marketplace.StudyBasket{Kind: marketplace.BasketNeed, Query: "accelerator=h100-sxm region=cn-ningxia-zhongwei", GPUs: 8, Hours: 100,
			Buyer: marketplace.Buyer{Country: "DE", Type: "business"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	flows := rows(t, st, whatif.TableFlows)
	ids := map[string]bool{}
	for _, r := range flows {
		ids[r["offer_id"]] = true
		if r["origin"] != "cn-ningxia-zhongwei" || r["buyer_country"] != "DE" || r["quantity"] != "800" {
			t.Errorf("flow %v", r)
		}
	}
	// demo-offer-001 (CNY 15.80) and -009 (USD 1.95) are on demand in Zhongwei; -002 is reserved
	// with a 720-hour minimum, so its flow is not priced for 100 hours.
	if !ids["demo-offer-001"] || !ids["demo-offer-009"] || st.Pins.Flows != len(ids) {
		t.Errorf("offers %v, pinned flows %d", ids, st.Pins.Flows)
	}
	// demo-offer-001: 800 × CNY 15.80 = CNY 12,640.00 ÷ 8.2626 = EUR 1,529.78 (as the quote).
	check(t, flows, []string{"offer_id", "demo-offer-001", "scenario", "baseline"}, map[string]string{"landed_cost": "1529.78"})
}

// TestStudyOrdersBasket prices the market's confirmed orders of a date range again.
func TestStudyOrdersBasket(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	b, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Analyst GmbH", Country: "DE", Type: "business", VATID: "DE123456789"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := svc.Quote(ctx, h100(8, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.AcceptQuote(ctx, q.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	day := testClock.Truncate(24 * time.Hour)
	st, err := svc.RunStudy(ctx, marketplace.StudyRequest{
		Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10"}},
		Basket:    marketplace.StudyBasket{Kind: marketplace.BasketOrders, From: day, To: day.Add(24 * time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	flows := rows(t, st, whatif.TableFlows)
	// The order's quote: 1,529.78 (see TestQuoteWorkedExample); the levy adds 10% = 152.98.
	check(t, flows, []string{"scenario", "baseline"}, map[string]string{"offer_id": "demo-offer-001", "landed_cost": "1529.78"})
	check(t, flows, []string{"scenario", "eu-compute-levy-cn-10"}, map[string]string{"landed_cost": "1682.76", "diff": "152.98"})

	// A range without orders has no flow.
	_, err = svc.RunStudy(ctx, marketplace.StudyRequest{Basket: marketplace.StudyBasket{Kind: marketplace.BasketOrders, From: day.Add(-48 * time.Hour), To: day}})
	if f := fieldsOf(err); len(f) != 1 || f[0] != "flows" {
		t.Errorf("empty range: %v", err)
	}
}

// TestStudyBadInput: every bad field is named, and nothing runs.
func TestStudyBadInput(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	csvReq := func(csv string) marketplace.StudyRequest {
		return marketplace.StudyRequest{Basket: marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: csv}}
	}
	withScen := func(r marketplace.StudyRequest, sc ...marketplace.StudyScenario) marketplace.StudyRequest {
		r.Scenarios = sc
		return r
	}
	withSweep := func(r marketplace.StudyRequest, sw string) marketplace.StudyRequest {
		r.Sweep = sw
		return r
	}
	badDoc := "format: corridor.scenario/v1\nid: my-levy\nbase: baseline\ntitle: mine\nchanges:\n  - add:\n      id: my-levy\n      kind: additional_duty\n      rate: \"ten\"\n"
	cases := []struct {
		name   string
		req    marketplace.StudyRequest
		code   marketplace.Code
		fields []string
	}{
		{"unknown scenario", withScen(workedRequest(), marketplace.StudyScenario{ID: "no-such-scenario"}), marketplace.CodeInvalid, []string{"scenarios[0].id"}},
		{"unknown version", withScen(workedRequest(), marketplace.StudyScenario{ID: "eu-compute-levy-cn-10", Version: 9}), marketplace.CodeInvalid, []string{"scenarios[0].version"}},
		{"a policy as scenario", withScen(workedRequest(), marketplace.StudyScenario{ID: "baseline"}), marketplace.CodeInvalid, []string{"scenarios[0].id"}},
		{"sweep of a missing measure", withSweep(workedRequest(), "no-such-measure.rate=0%..10% step 5%"), marketplace.CodeInvalid, []string{"sweep"}},
		{"sweep of 10^7 points", withSweep(workedRequest(), "eu-levy-cn-compute.rate=0%..100% step 0.00001%"), marketplace.CodeInvalid, []string{"sweep"}},
		{"sweep syntax", withSweep(workedRequest(), "eu-levy-cn-compute.rate=0%..10%"), marketplace.CodeInvalid, []string{"sweep"}},
		{"no basket kind", marketplace.StudyRequest{}, marketplace.CodeInvalid, []string{"basket.kind"}},
		{"need fields", marketplace.StudyRequest{Basket: marketplace.StudyBasket{Kind: marketplace.BasketNeed, Query: "accelerator=", GPUs: 0, Hours: 1,
			Buyer: marketplace.Buyer{Country: "XX", Type: "nobody"}}}, marketplace.CodeInvalid, []string{"basket.query", "basket.gpus", "basket.buyer.country", "basket.buyer.type"}},
		{"future date and currency", marketplace.StudyRequest{AsOf: testClock.AddDate(0, 0, 2), Currency: "XYZ", Basket: marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: workedCSV}},
			marketplace.CodeInvalid, []string{"as_of", "currency"}},
		{"orders range", marketplace.StudyRequest{Basket: marketplace.StudyBasket{Kind: marketplace.BasketOrders, From: testClock}}, marketplace.CodeInvalid, []string{"basket.to"}},
		// Row 2 names an unknown accelerator (column 3); row 3's buyer type is wrong (column 2);
		// row 4's origin has no offer and no price (column 4): each is refused, nothing runs.
		{"bad CSV rows", csvReq("buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,business,h999,cn-ningxia-zhongwei,gpu_hours,800\nDE,buyer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800\nDE,business,h100-sxm,EU,hardware,2\n"),
			marketplace.CodeInvalid, []string{"basket.csv:3:2"}},
		{"unresolvable CSV rows", csvReq("buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,business,h999,cn-ningxia-zhongwei,gpu_hours,800\nDE,business,h100-sxm,xx-nowhere,gpu_hours,800\nDE,business,h100-sxm,EU,hardware,2\n"),
			marketplace.CodeInvalid, []string{"basket.csv:2:3", "basket.csv:3:4", "basket.csv:4:4"}},
		{"inline document problems", withScen(workedRequest(), marketplace.StudyScenario{Document: badDoc}), marketplace.CodeInvalid, []string{"scenarios[0].document:9:14"}},
		{"both id and document", withScen(workedRequest(), marketplace.StudyScenario{ID: "eu-compute-levy-cn-10", Document: badDoc}), marketplace.CodeInvalid, []string{"scenarios[0].document"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.RunStudy(ctx, c.req)
			if marketplace.ErrorCode(err) != c.code {
				t.Fatalf("code %s, want %s: %v", marketplace.ErrorCode(err), c.code, err)
			}
			got := fieldsOf(err)
			for _, want := range c.fields {
				found := false
				for _, g := range got {
					found = found || g == want
				}
				if !found {
					t.Errorf("fields %v, want %s: %v", got, want, err)
				}
			}
		})
	}
}

// TestStudyInlineScenario runs a scenario written inline: the levy at 25%, pinned by its hash.
func TestStudyInlineScenario(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	pv, err := svc.PolicyVersion(ctx, "eu-compute-levy-cn-10", 1)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.NewReplacer(`rate: "10%"`, `rate: "25%"`, "id: eu-compute-levy-cn-10", "id: my-levy-25").Replace(string(pv.Document))
	req := workedRequest()
	req.Scenarios = []marketplace.StudyScenario{{Document: doc}}
	st, err := svc.RunStudy(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	// Flow 1: 1600.00 + 25% × 1600.00 = 2000.00.
	check(t, rows(t, st, whatif.TableFlows), []string{"flow", "1", "scenario", "my-levy-25"}, map[string]string{"landed_cost": "2000.00", "diff": "400.00"})
	if ref := st.Pins.Scenarios[0]; ref.ID != "my-levy-25" || ref.Version != 0 || len(ref.Hash) != 64 {
		t.Errorf("pin %+v", ref)
	}
}

// TestStudyQueued: a study above the synchronous limit is stored queued and runs in the
// background; its progress and result are read from the database.
func TestStudyQueued(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	t.Cleanup(svc.WaitStudies)
	svc.SetStudySyncLimit(5)
	ctx := context.Background()
	st, err := svc.RunStudy(ctx, workedRequest())
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != marketplace.StudyQueued || st.Result != nil || st.Progress.Total != 6 {
		t.Fatalf("queued study: %s %+v", st.Status, st.Progress)
	}
	if _, err := st.Tables(); marketplace.ErrorCode(err) != marketplace.CodeConflict {
		t.Errorf("tables of a queued study: %v", err)
	}
	svc.WaitStudies()
	done, err := svc.Study(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != marketplace.StudyDone || done.Progress.Done != 6 || done.FinishedAt.IsZero() {
		t.Fatalf("finished study: %s %+v", done.Status, done.Progress)
	}
	check(t, rows(t, done, whatif.TableFlows), []string{"flow", "2", "scenario", "eu-compute-levy-cn-10"}, map[string]string{"landed_cost": "2080.00"})

	// A study nobody has written progress for in two minutes is reported interrupted.
	svc.SetStudySyncLimit(0)
	q, err := svc.RunStudy(ctx, workedRequest())
	if err != nil {
		t.Fatal(err)
	}
	svc.WaitStudies()
	clock = clock.Add(time.Hour)
	if got, _ := svc.Study(ctx, q.ID); got.Status != marketplace.StudyDone {
		t.Errorf("a finished study is never stale: %s", got.Status)
	}
	if _, err := svc.Study(ctx, "st_nonexistent"); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
		t.Errorf("unknown study: %v", err)
	}
}

// TestStudySeenByAnotherInstance: a study queued by one process is read, with its progress
// and then its result, by another sharing the database (a second Service on the same store).
func TestStudySeenByAnotherInstance(t *testing.T) {
	clock := testClock
	svc, st := newMarket(t, &clock)
	t.Cleanup(svc.WaitStudies)
	other := marketplace.NewService(st, func() time.Time { return clock })
	svc.SetStudySyncLimit(0)
	ctx := context.Background()
	q, err := svc.RunStudy(ctx, workedRequest())
	if err != nil {
		t.Fatal(err)
	}
	seen, err := other.Study(ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Progress.Total != 6 || seen.Status == marketplace.StudyFailed {
		t.Errorf("the other instance sees %s %+v", seen.Status, seen.Progress)
	}
	svc.WaitStudies()
	seen, err = other.Study(ctx, q.ID)
	if err != nil || seen.Status != marketplace.StudyDone || seen.Progress.Done != 6 || len(seen.Result) == 0 {
		t.Errorf("the other instance sees %s %+v: %v", seen.Status, seen.Progress, err)
	}
}
