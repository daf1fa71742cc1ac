package marketplace_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing"
	"corridor/seed"
	"corridor/tariff"
)

// testClock is the instant the quote tests run at: Saturday 2026-11-28, so FX lookups fall
// back to Friday's seeded rates.
var testClock = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// newMarket opens a real store (store.OpenTest: an SQLite file, or a PostgreSQL schema when
// CORRIDOR_TEST_POSTGRES is set), seeded with the reference data, the demo market and the
// policy library, and returns it with a service whose clock reads *clock (tests move it).
func newMarket(tb testing.TB, clock *time.Time) (*marketplace.Service, *store.Store) {
	tb.Helper()
	st := store.OpenTest(tb)
	svc := marketplace.NewService(st, func() time.Time { return *clock })
	if _, err := seed.Into(context.Background(), svc, true); err != nil {
		tb.Fatal(err)
	}
	return svc, st
}

// h100 asks for GPUs × hours of demo-offer-001 (256 H100 GPUs in Zhongwei, CNY 15.80 per
// GPU-hour) for a German business (its VAT number valid in format), in EUR.
func h100(gpus, hours int) marketplace.QuoteRequest {
	return marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: gpus, Hours: hours,
		Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}, Currency: "EUR"}
}

// TestQuoteWorkedExample prices the worked example of the API tests through the service and
// checks what the stored quote records: 8 GPUs × 100 h × CNY 15.80 = CNY 12,640.00;
// ÷ 8.2626 (Friday's rate) = EUR 1,529.7848… → 1,529.78; German reverse charge, so the total
// is the net price.
func TestQuoteWorkedExample(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	q, err := svc.Quote(ctx, h100(8, 100))
	if err != nil {
		t.Fatal(err)
	}
	if !q.Total.Equal(decimal.RequireFromString("1529.78")) || q.Priced.Lines[0].Kind != "base" {
		t.Errorf("total %s, lines %+v", q.Total, q.Priced.Lines)
	}
	// The window starts on the next hour and lasts the hours asked for.
	if want := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC); !q.Start.Equal(want) || !q.End.Equal(want.Add(100*time.Hour)) || q.GPUs != 8 {
		t.Errorf("window %s–%s for %d GPUs", q.Start, q.End, q.GPUs)
	}
	in := q.Inputs
	if in.Policy != nil || in.Baseline.ID != marketplace.BaselinePolicyID || in.Baseline.Version != 1 || len(in.Baseline.Hash) != 64 || !in.Scenario.IsZero() {
		t.Errorf("policy refs: baseline %+v, scenario %+v", in.Baseline, in.Scenario)
	}
	// Only the rates the quote used are kept: CNY (EUR is implicit).
	if len(in.FX.Rates) != 1 || in.FX.Rates["CNY"].PerEUR.String() != "8.2626" || !in.Now.Equal(testClock) {
		t.Errorf("fx %+v now %s", in.FX.Rates, in.Now)
	}
	// Price(stored inputs) with the policy they name gives the identical quote.
	got, err := svc.GetQuote(ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := svc.PolicyOf(ctx, got.Inputs.Baseline, got.Inputs.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	in = got.Inputs
	in.Policy = rp.Policy
	again, err := pricing.Price(in)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustJSON(t, got.Priced), mustJSON(t, again); a != b {
		t.Errorf("Price(stored inputs) differs from the stored quote:\nstored %s\nagain  %s", a, b)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestQuoteRefusesMoreGPUsThanAreFree: 200 of the offer's 256 GPUs are reserved over a
// window; a quote for 100 more over it is refused (not_enough_capacity, 56 available), 56 fit,
// and 100 fit in a window after the reservation ends.
func TestQuoteRefusesMoreGPUsThanAreFree(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	buyer := newBuyer(t, svc, "DE", "business", "DE123456789")
	asked := h100(200, 48)
	asked.BuyerID = buyer.ID // the account fills in the VAT number the request leaves out
	first, err := svc.Quote(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.AcceptQuote(ctx, first.ID, buyer.ID); err != nil {
		t.Fatal(err)
	}
	req := h100(100, 48)
	req.Start = first.Start
	_, err = svc.Quote(ctx, req)
	var e *marketplace.Error
	if !errors.As(err, &e) || e.Code != marketplace.CodeUnquotable || e.Reason != pricing.ReasonNotEnoughCapacity ||
		e.Extra["gpus_available"] != 56 || len(e.Fields) != 1 || e.Fields[0].Field != "gpus" {
		t.Fatalf("100 GPUs over a window with 56 free: got %v (%+v)", err, e)
	}
	req.GPUs = 56
	if _, err := svc.Quote(ctx, req); err != nil {
		t.Errorf("56 GPUs are free: %v", err)
	}
	req.GPUs, req.Start = 100, first.End // [b, c) does not overlap [a, b)
	if _, err := svc.Quote(ctx, req); err != nil {
		t.Errorf("100 GPUs after the reservation: %v", err)
	}
}

// corridorV2 is the corridor scenario with its EU levy at 20% instead of 10%.
func corridorV2(t *testing.T) marketplace.PolicyDoc {
	t.Helper()
	for name, b := range seed.PolicyFiles() {
		if strings.Contains(name, "cn-eu-compute-corridor") {
			doc := strings.Replace(string(b), `rate: "10%"`, `rate: "20%"`, 1)
			if doc == string(b) {
				t.Fatal("the corridor scenario has no 10% rate to change")
			}
			return marketplace.PolicyDoc{Name: "corridor-v2.yaml", Data: []byte(doc)}
		}
	}
	t.Fatal("no corridor scenario in the seed")
	return marketplace.PolicyDoc{}
}

// TestScenarioQuoteRepricesAfterANewScenarioVersion: a quote under a scenario records the
// scenario's version; after a new version is activated (two days later, by the service's
// clock), the quote still re-prices to itself and new quotes use the new version.
func TestScenarioQuoteRepricesAfterANewScenarioVersion(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	req := h100(8, 100)
	req.Scenario = "cn-eu-compute-corridor"
	q, err := svc.Quote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if s := q.Inputs.Scenario; s.ID != req.Scenario || s.Version != 1 || len(s.Hash) != 64 {
		t.Fatalf("scenario ref %+v", s)
	}
	// The corridor's in-quota line: 800 GPU-hours of the 5,000,000 a year, at 0%; its balance
	// was read before pricing and is recorded with the quote.
	if bal := q.Inputs.Quota["eu-levy-compute-cn-corridor"]; !bal.Equal(decimal.RequireFromString("5000000")) {
		t.Errorf("quota balance %s, want 5000000", bal)
	}
	if len(q.QuotaUses) != 1 || !q.QuotaUses[0].Volume.Equal(decimal.NewFromInt(800)) || q.QuotaUses[0].Period != "2026" {
		t.Errorf("quota uses %+v", q.QuotaUses)
	}

	clock = testClock.Add(48 * time.Hour)
	if _, _, err := svc.AddPolicy(ctx, corridorV2(t), true); err != nil {
		t.Fatal(err)
	}
	stored, again, err := svc.Reprice(ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustJSON(t, stored), mustJSON(t, again); a != b {
		t.Errorf("re-pricing after a new scenario version changed the quote:\nstored %s\nagain  %s", a, b)
	}
	newer, err := svc.Quote(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if newer.Inputs.Scenario.Version != 2 || newer.Inputs.Scenario.Hash == q.Inputs.Scenario.Hash {
		t.Errorf("a quote after the activation uses scenario %+v, want version 2", newer.Inputs.Scenario)
	}
	// A quote as of a date before the activation prices with version 1 again.
	req.AsOf = testClock
	if past, err := svc.Quote(ctx, req); err != nil || past.Inputs.Scenario.Version != 1 {
		t.Errorf("as of %s: scenario %+v, %v; want version 1", req.AsOf.Format(time.DateOnly), past.Inputs.Scenario, err)
	}
}

// TestPolicyVersionsFollowTheServiceClock: a scenario version activated at an instant that
// has passed on the wall clock but not on the service's clock is not in force for it.
func TestPolicyVersionsFollowTheServiceClock(t *testing.T) {
	later := time.Now().UTC().Add(-time.Hour) // passed on the wall clock
	clock := later
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	if _, _, err := svc.AddPolicy(ctx, corridorV2(t), true); err != nil {
		t.Fatal(err)
	}
	clock = later.Add(-24 * time.Hour) // the service's clock: before the activation
	rp, err := svc.ResolvePolicy(ctx, "cn-eu-compute-corridor", svc.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rp.Scenario.Version != 1 {
		t.Errorf("scenario version %d in force a day before version 2 was activated", rp.Scenario.Version)
	}
	vs, err := svc.Policies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.PolicyID == "cn-eu-compute-corridor" && v.Active != (v.Version == 1) {
			t.Errorf("version %d listed active=%v by the service's clock", v.Version, v.Active)
		}
	}
}

// tinyBaseline is a baseline version without any measure: every scenario of the library
// modifies or suspends measures it does not have.
var tinyBaseline = marketplace.PolicyDoc{Name: "tiny.yaml", Data: []byte("format: corridor.policy/v1\nid: baseline\ntitle: no measures\nmeasures: []\n")}

// TestScenarioThatNoLongerAppliesIsRefusedWithoutItsProblems: after a baseline version that
// breaks a scenario is activated, quoting under it is unquotable, the message names neither
// file positions nor measures, and the cause (the problems) stays in the error chain.
func TestScenarioThatNoLongerAppliesIsRefusedWithoutItsProblems(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	if _, _, err := svc.AddPolicy(ctx, tinyBaseline, true); err != nil {
		t.Fatal(err)
	}
	req := h100(8, 100)
	req.Scenario = "cny-weakens-vouchers-cut"
	_, err := svc.Quote(ctx, req)
	e, ok := marketplace.AsError(err)
	if !ok || e.Code != marketplace.CodeUnquotable || e.Reason != "scenario_not_applicable" {
		t.Fatalf("got %v", err)
	}
	shown := e.Message
	for _, f := range e.Fields {
		shown += " " + f.Field + " " + f.Message
	}
	for _, leak := range []string{"cn-voucher", ".v1:", "no measure", "suspend"} {
		if strings.Contains(shown, leak) {
			t.Errorf("the buyer is shown %q: %s", leak, shown)
		}
	}
	var probs tariff.Problems
	if !errors.As(err, &probs) || len(probs) == 0 {
		t.Errorf("the cause is lost: %v", err)
	}
}

// TestAddPolicyRefusesWhatTheCLIRefuses: a scenario whose added measure names an area the
// baseline does not define is refused by the API with the same problems, at the same
// positions, as `corridor policy validate` reports (ValidatePolicyDocs with the baseline).
func TestAddPolicyRefusesWhatTheCLIRefuses(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	doc := marketplace.PolicyDoc{Name: "body", Data: []byte(`format: corridor.scenario/v1
id: atlantis-levy
base: baseline
changes:
  - add:
      id: atlantis-levy
      kind: levy
      jurisdiction: EU
      origin: ["*"]
      destination: [ATLANTIS]
      products: [gpu_hours]
      rate: "5%"
      base: net_price
      label: Atlantis levy
      legal: ["none"]
`)}
	base, err := seed.BaselinePolicy()
	if err != nil {
		t.Fatal(err)
	}
	cli := marketplace.ValidatePolicyDocs([]marketplace.PolicyDoc{doc}, func(string) *tariff.Policy { return base })
	if len(cli) == 0 {
		t.Fatal("the CLI's validator finds nothing wrong")
	}
	_, _, err = svc.AddPolicy(ctx, doc, true)
	e, ok := marketplace.AsError(err)
	if !ok || e.Code != marketplace.CodeInvalid || len(e.Fields) != len(cli) {
		t.Fatalf("got %v, want the CLI's %d problems", err, len(cli))
	}
	for i, p := range cli {
		if e.Fields[i].Message != p.String() || !strings.HasPrefix(e.Fields[i].Field, "document:") {
			t.Errorf("problem %d: %s %q, the CLI says %q", i, e.Fields[i].Field, e.Fields[i].Message, p.String())
		}
	}
	if vs, _ := svc.Policies(ctx); len(vs) != len(seed.PolicyDocs()) {
		t.Errorf("%d versions stored, want the %d seeded: nothing may be stored", len(vs), len(seed.PolicyDocs()))
	}
}

// TestActivatingAScenarioThatDoesNotApplyIsRefused: once a baseline version that breaks a
// stored scenario is in force, activating that scenario version is a conflict naming the
// problems' positions, and the version in force does not change.
func TestActivatingAScenarioThatDoesNotApplyIsRefused(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	if _, _, err := svc.AddPolicy(ctx, tinyBaseline, true); err != nil {
		t.Fatal(err)
	}
	err := svc.ActivatePolicy(ctx, "cny-weakens-vouchers-cut", 1)
	e, ok := marketplace.AsError(err)
	if !ok || e.Code != marketplace.CodeConflict || len(e.Fields) == 0 || !strings.HasPrefix(e.Fields[0].Field, "document:") {
		t.Fatalf("got %v", err)
	}
	if err := svc.ActivatePolicy(ctx, "baseline", 1); err != nil {
		t.Fatal(err)
	}
	if err := svc.ActivatePolicy(ctx, "cny-weakens-vouchers-cut", 1); err != nil {
		t.Errorf("the scenario applies to baseline version 1 again: %v", err)
	}
}

// TestPolicyIDsAreChecked: ids that cannot exist are refused naming the field, before any
// database work (an id over 128 characters used to be a 500 on PostgreSQL).
func TestPolicyIDsAreChecked(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	ctx := context.Background()
	long := strings.Repeat("x", 129)
	for _, tc := range []struct {
		name, doc, field string
	}{
		{"too long", "format: corridor.policy/v1\nid: " + long + "\ntitle: t\nmeasures: []\n", "id"},
		{"upper case and spaces", "format: corridor.policy/v1\nid: \"My Policy\"\ntitle: t\nmeasures: []\n", "id"},
		{"plus sign", "format: corridor.policy/v1\nid: baseline+x\ntitle: t\nmeasures: []\n", "id"},
	} {
		_, _, err := svc.AddPolicy(ctx, marketplace.PolicyDoc{Name: "body", Data: []byte(tc.doc)}, false)
		if e, ok := marketplace.AsError(err); !ok || e.Code != marketplace.CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
	if _, err := svc.PolicyVersion(ctx, long, 1); marketplace.ErrorCode(err) != marketplace.CodeInvalid {
		t.Errorf("reading version 1 of a 129-character id: %v", err)
	}
	if err := svc.ActivatePolicy(ctx, "baseline", 0); marketplace.ErrorCode(err) != marketplace.CodeInvalid {
		t.Errorf("activating version 0: %v", err)
	}
	req := h100(8, 100)
	req.Scenario = long
	if _, err := svc.Quote(ctx, req); marketplace.ErrorCode(err) != marketplace.CodeInvalid {
		t.Errorf("quoting under a 129-character scenario id: %v", err)
	}
}
