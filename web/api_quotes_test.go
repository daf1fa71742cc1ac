package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/seed"
)

type quoteResp struct {
	ID         string `json:"id"`
	Currency   string `json:"currency"`
	AsOf       string `json:"as_of"`
	ValidUntil string `json:"valid_until"`
	Lines      []struct {
		Kind     string   `json:"kind"`
		Label    string   `json:"label"`
		Amount   string   `json:"amount"`
		Payable  bool     `json:"payable"`
		Measure  string   `json:"measure"`
		Rate     string   `json:"rate"`
		LegalRef []string `json:"legal_ref"`
	} `json:"lines"`
	Subtotal   string `json:"subtotal"`
	Total      string `json:"total"`
	NetCost    string `json:"net_cost"`
	PerGPUHour string `json:"per_gpu_hour"`
	FX         []struct {
		From, To, Rate, Date, Source string
	} `json:"fx"`
	Policy struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		Hash    string `json:"hash"`
	} `json:"policy"`
	Flags []struct {
		Code, Severity string
	} `json:"flags"`
}

func (q quoteResp) line(kind string) (amount string, payable bool, ok bool) {
	for _, l := range q.Lines {
		if l.Kind == kind {
			return l.Amount, l.Payable, true
		}
	}
	return "", false, false
}

// sumPayable adds the payable lines: the total must equal it exactly.
func (q quoteResp) sumPayable(t *testing.T) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range q.Lines {
		if l.Payable {
			sum = sum.Add(decimal.RequireFromString(l.Amount))
		}
	}
	return sum
}

// Worked cases on the seeded demo offer demo-offer-001 (H100 SXM in Zhongwei, Ningxia, CNY 15.80
// per GPU-hour), priced on Saturday 2026-11-28 with Friday 2026-11-27's seeded rate EUR 1 =
// CNY 8.2626 — the ECB fixing of 2025-10-21 carried forward, labelled illustrative
// (seed.FXCarryForwardSource): 8 GPUs × 100 h × 15.80 = CNY 12,640.00;
// ÷ 8.2626 = EUR 1,529.7848… → 1,529.78.
func TestQuoteWorkedCases(t *testing.T) {
	app, _, _ := seededApp(t)
	cases := []struct {
		name      string
		buyer     string
		vatKind   string
		wantVAT   string
		payable   bool
		wantTotal string
		wantNet   string
	}{
		// German business: reverse charge (art. 196), 19% shown, not payable: 1,529.78 × 19% = 290.6582 → 290.66.
		{"DE business reverse charge", `{"country":"DE","type":"business","vat_id":"DE123456789"}`, "vat", "290.66", false, "1529.78", "1529.78"},
		// German consumer: destination VAT charged: total 1,529.78 + 290.66 = 1,820.44.
		{"DE consumer 19%", `{"country":"DE","type":"consumer"}`, "vat", "290.66", true, "1820.44", "1820.44"},
		// French consumer: 20%: 1,529.78 × 20% = 305.956 → 305.96; total 1,529.78 + 305.96 = 1,835.74.
		{"FR consumer 20%", `{"country":"FR","type":"consumer"}`, "vat", "305.96", true, "1835.74", "1835.74"},
		// Finnish consumer: 25.5% since 2024-09-01: 1,529.78 × 25.5% = 390.0939 → 390.09; total 1,919.87.
		{"FI consumer 25.5%", `{"country":"FI","type":"consumer"}`, "vat", "390.09", true, "1919.87", "1919.87"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":%s,"currency":"EUR"}`, tc.buyer)
			status, ctype, resp := call(t, app, "POST", "/api/v1/quotes", body)
			if status != 201 || !strings.HasPrefix(ctype, "application/json") {
				t.Fatalf("status %d %s: %s", status, ctype, resp)
			}
			var q quoteResp
			decode(t, resp, &q)
			if base, _, _ := q.line("base"); base != "1529.78" {
				t.Errorf("base line = %s, want 1529.78", base)
			}
			vat, payable, ok := q.line(tc.vatKind)
			if !ok || !decimal.RequireFromString(vat).Equal(decimal.RequireFromString(tc.wantVAT)) || payable != tc.payable {
				t.Errorf("%s line = %s payable=%v, want %s payable=%v; lines %+v", tc.vatKind, vat, payable, tc.wantVAT, tc.payable, q.Lines)
			}
			if !decimal.RequireFromString(q.Total).Equal(decimal.RequireFromString(tc.wantTotal)) {
				t.Errorf("total = %s, want %s", q.Total, tc.wantTotal)
			}
			if !decimal.RequireFromString(q.NetCost).Equal(decimal.RequireFromString(tc.wantNet)) {
				t.Errorf("net_cost = %s, want %s", q.NetCost, tc.wantNet)
			}
			if !q.sumPayable(t).Equal(decimal.RequireFromString(q.Total)) {
				t.Errorf("total %s is not the sum of the payable lines %s", q.Total, q.sumPayable(t))
			}
			if len(q.FX) == 0 || q.FX[0].Date != "2026-11-27" || q.FX[0].From != "CNY" || q.FX[0].To != "EUR" {
				t.Errorf("want the CNY→EUR rate of Friday 2026-11-27 recorded, got %+v", q.FX)
			}
			// That rate is the carried-forward 2025-10-21 fixing, and the quote must say so rather
			// than pass it off as an ECB figure.
			if len(q.FX) == 0 || q.FX[0].Source != seed.FXCarryForwardSource {
				t.Errorf("fx source = %+v, want the illustrative carry-forward label %q", q.FX, seed.FXCarryForwardSource)
			}
			if q.Policy.ID != "baseline" || q.Policy.Version != 1 || len(q.Policy.Hash) != 64 {
				t.Errorf("policy = %+v", q.Policy)
			}
			if q.AsOf != "2026-11-28" || !strings.HasPrefix(q.ValidUntil, "2026-11-29T12:00:00") {
				t.Errorf("as_of %s valid_until %s", q.AsOf, q.ValidUntil)
			}
			if !hasFlag(q, "export_control") {
				t.Errorf("H100 (TPP ≈ 15,830) must carry an export-control flag; flags %+v", q.Flags)
			}
			// The stored quote reads back identically.
			st2, _, again := call(t, app, "GET", "/api/v1/quotes/"+q.ID, "")
			if st2 != 200 || again != resp {
				t.Errorf("GET quote differs from the created one (status %d)", st2)
			}
		})
	}
}

func hasFlag(q quoteResp, prefix string) bool {
	for _, f := range q.Flags {
		if strings.HasPrefix(f.Code, prefix) {
			return true
		}
	}
	return false
}

// TestRepricingEverySeededOfferIsIdentical quotes every demo offer and re-prices the stored
// inputs with the stored policy version and FX snapshot: the result must be the same quote.
func TestRepricingEverySeededOfferIsIdentical(t *testing.T) {
	app, svc, st := seededApp(t)
	ctx := context.Background()
	offers, err := svc.ActiveOffers(ctx, offerFilterAll())
	if err != nil || len(offers) < 60 {
		t.Fatalf("want ≥ 60 seeded offers, got %d (%v)", len(offers), err)
	}
	_ = st
	for _, oc := range offers {
		o := oc.Offer
		body := fmt.Sprintf(`{"offer_id":%q,"gpus":1,"hours":%d,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`, o.ID, max(o.MinHours, 1))
		if o.Product == "hardware" {
			body = fmt.Sprintf(`{"offer_id":%q,"units":1,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`, o.ID)
		}
		status, _, resp := call(t, app, "POST", "/api/v1/quotes", body)
		if status != 201 {
			t.Errorf("%s: status %d: %s", o.ID, status, resp)
			continue
		}
		var q quoteResp
		decode(t, resp, &q)
		stored, again, err := svc.Reprice(ctx, q.ID)
		if err != nil {
			t.Errorf("%s: reprice: %v", o.ID, err)
			continue
		}
		a, _ := json.Marshal(stored)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Errorf("%s: re-pricing changed the quote:\nstored %s\nagain  %s", o.ID, a, b)
		}
	}
}

func TestQuoteBadRequests(t *testing.T) {
	app, _, _ := seededApp(t)
	good := func(mut string) string {
		return strings.Replace(`{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`, `"gpus":8`, mut, 1)
	}
	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"zero gpus", good(`"gpus":0`), 400, "gpus"},
		{"negative gpus", good(`"gpus":-3`), 400, "gpus"},
		{"gpus as string", good(`"gpus":"8"`), 400, "gpus"},
		{"gpus fractional", good(`"gpus":1.5`), 400, "gpus"},
		{"huge gpus", good(`"gpus":100000000000000000000000`), 400, "gpus"},
		{"hours zero", strings.Replace(good(`"gpus":8`), `"hours":100`, `"hours":0`, 1), 400, "hours"},
		{"hours beyond window", strings.Replace(good(`"gpus":8`), `"hours":100`, `"hours":40000`, 1), 422, "hours"},
		{"unknown currency", strings.Replace(good(`"gpus":8`), `"EUR"`, `"XYZ"`, 1), 400, "currency"},
		{"unknown country", strings.Replace(good(`"gpus":8`), `"DE"`, `"QQ"`, 1), 400, "buyer.country"},
		{"bad buyer type", strings.Replace(good(`"gpus":8`), `"business"`, `"government"`, 1), 400, "buyer.type"},
		{"malformed as_of", good(`"gpus":8,"as_of":"28/11/2026"`), 400, "as_of"},
		{"future as_of", good(`"gpus":8,"as_of":"2030-01-01"`), 400, "as_of"},
		{"unknown field", good(`"gpus":8,"discount":"50%"`), 400, "discount"},
		{"malformed json", `{"offer_id":`, 400, "body"},
		{"empty body", ``, 400, "body"},
		{"array body", `[1,2]`, 400, "body"},
		{"unknown offer", strings.Replace(good(`"gpus":8`), `demo-offer-001`, `nope' OR 1=1 --`, 1), 422, "offer_id"},
		{"more gpus than capacity", good(`"gpus":100000`), 422, "gpus"},
		{"bad start", good(`"gpus":8,"start":"tomorrow"`), 400, "start"},
		{"unknown scenario", good(`"gpus":8,"scenario":"no-such-scenario"`), 400, "scenario"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, ctype, body := call(t, app, "POST", "/api/v1/quotes", tc.body)
			if status != tc.status || ctype != "application/problem+json" {
				t.Fatalf("status %d %q, want %d problem+json: %s", status, ctype, tc.status, body)
			}
			var p struct {
				Status int `json:"status"`
				Errors []struct{ Field, Message string }
			}
			decode(t, body, &p)
			found := false
			for _, e := range p.Errors {
				found = found || e.Field == tc.field
			}
			if p.Status != tc.status || !found {
				t.Errorf("problem %s does not name field %q", body, tc.field)
			}
		})
	}
}

func TestQuoteNotFoundAndCSV(t *testing.T) {
	app, _, _ := seededApp(t)
	if status, ctype, _ := call(t, app, "GET", "/api/v1/quotes/q_doesnotexist", ""); status != 404 || ctype != "application/problem+json" {
		t.Errorf("unknown quote: %d %s", status, ctype)
	}
	_, _, resp := call(t, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"consumer"},"currency":"EUR"}`)
	var q quoteResp
	decode(t, resp, &q)
	status, ctype, csv := call(t, app, "GET", "/api/v1/quotes/"+q.ID+"?format=csv", "")
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !strings.Contains(csv, "total,,1820.44,EUR") {
		t.Errorf("csv: %d %s\n%s", status, ctype, csv)
	}
}

func TestComparePolicyEndpoints(t *testing.T) {
	app, _, _ := seededApp(t)
	status, _, body := call(t, app, "POST", "/api/v1/compare", `{"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`)
	if status != 200 {
		t.Fatalf("compare: %d %s", status, body)
	}
	var cmp struct {
		RankedBy string `json:"ranked_by"`
		Offers   []struct {
			Rank       int    `json:"rank"`
			OfferID    string `json:"offer_id"`
			LandedCost string `json:"landed_cost"`
			Breakdown  struct{ Price, DutiesLevies, Taxes, Subsidies string }
		} `json:"offers"`
	}
	decode(t, body, &cmp)
	if cmp.RankedBy != "net_cost" || len(cmp.Offers) < 6 {
		t.Fatalf("want ≥ 6 H100 offers ranked by net cost, got %s %d", cmp.RankedBy, len(cmp.Offers))
	}
	prev := decimal.Zero
	for i, o := range cmp.Offers {
		if o.Rank == 0 {
			continue
		}
		lc := decimal.RequireFromString(o.LandedCost)
		if i > 0 && lc.LessThan(prev) {
			t.Errorf("offer %s (%s) ranked after a dearer one (%s)", o.OfferID, lc, prev)
		}
		prev = lc
	}
	if status, _, body := call(t, app, "POST", "/api/v1/compare", `{"gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`); status != 400 || !strings.Contains(body, `"accelerator"`) {
		t.Errorf("compare without accelerator or min TFLOPS: %d %s", status, body)
	}
	if status, _, body := call(t, app, "POST", "/api/v1/compare", `{"accelerator":"h100-sxm","min_bf16_tflops":900,"gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`); status != 400 || !strings.Contains(body, `"min_bf16_tflops"`) {
		t.Errorf("numeric decimal must be refused naming the field: %d %s", status, body)
	}

	status, _, body = call(t, app, "GET", "/api/v1/policies", "")
	if status != 200 || !strings.Contains(body, `"id":"baseline"`) || !strings.Contains(body, `"active":true`) {
		t.Errorf("policies: %d %s", status, body)
	}
	doc := "format: corridor.policy/v1\nid: baseline\ntitle: x\nmeasures: []\n"
	if status, ctype, _ := call(t, app, "POST", "/api/v1/policies", doc); status != 401 || ctype != "application/problem+json" {
		t.Errorf("posting a policy without the admin token: %d %s", status, ctype)
	}
	broken := "format: corridor.policy/v1\nid: broken\ntitle: x\nmeasures:\n  - id: m1\n    kind: vat\n    rate: \"19 percent\"\n"
	status, _, body = call(t, app, "POST", "/api/v1/policies", broken, "Authorization", "Bearer "+testAdminToken)
	if status != 400 || !strings.Contains(body, "document:7:") {
		t.Errorf("a broken policy must be refused with its line: %d %s", status, body)
	}
}

// A Chinese business registered in Shanghai renting CN-hosted H100 hours in CNY gets the
// Shanghai compute voucher: 8 × 100 × CNY 15.80 = 12,640.00; voucher 30% = −3,792.00.
func TestQuoteChineseVoucherNeedsBuyerRegion(t *testing.T) {
	app, _, _ := seededApp(t)
	for _, tc := range []struct {
		region, wantSubsidy string
	}{
		{`,"region":"cn-shanghai"`, "-3792"},
		{``, ""}, // region unknown: no voucher
	} {
		body := `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"CN","type":"business"` + tc.region + `},"currency":"CNY"}`
		status, _, resp := call(t, app, "POST", "/api/v1/quotes", body)
		if status != 201 {
			t.Fatalf("status %d: %s", status, resp)
		}
		var q quoteResp
		decode(t, resp, &q)
		sub, _, ok := q.line("subsidy")
		if tc.wantSubsidy == "" {
			if ok {
				t.Errorf("no buyer region: no voucher expected, got %s", sub)
			}
			continue
		}
		if !ok || !decimal.RequireFromString(sub).Equal(decimal.RequireFromString(tc.wantSubsidy)) {
			t.Errorf("voucher line = %q, want %s; lines %+v", sub, tc.wantSubsidy, q.Lines)
		}
		if !q.sumPayable(t).Equal(decimal.RequireFromString(q.Total)) {
			t.Errorf("total %s is not the sum of payable lines", q.Total)
		}
		t.Logf("total %s, lines %+v", q.Total, q.Lines)
	}
	if status, _, body := call(t, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"CN","type":"business","region":"Shanghai City"},"currency":"CNY"}`); status != 400 || !strings.Contains(body, "buyer.region") {
		t.Errorf("a malformed buyer region must be refused naming buyer.region: %d %s", status, body)
	}
}

// A date long after the last stored publication still prices, with the latest rates and a
// staleness warning, rather than failing: 2026-06-15 uses the ECB fixing of 2025-10-21.
func TestQuoteWithStaleRatesWarns(t *testing.T) {
	app, _, _ := seededApp(t)
	status, _, resp := call(t, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","as_of":"2026-06-15"}`)
	if status != 201 {
		t.Fatalf("status %d: %s", status, resp)
	}
	var q quoteResp
	decode(t, resp, &q)
	if len(q.FX) != 1 || q.FX[0].Date != "2025-10-21" || q.FX[0].Rate == "" {
		t.Fatalf("want the 2025-10-21 ECB rate, got %+v", q.FX)
	}
	if !hasFlag(q, "fx.stale") {
		t.Errorf("a rate 237 days old must carry an fx.stale flag; flags %+v", q.Flags)
	}
	// CNY 12,640.00 ÷ 8.2626 = EUR 1,529.78 (the same fixing as the carried-forward row).
	if q.Total != "1529.78" {
		t.Errorf("total %s, want 1529.78", q.Total)
	}
}
