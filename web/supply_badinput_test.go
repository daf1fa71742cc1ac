package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestSupplyBadInput sends malformed requests: each gets the right 4xx as problem+json naming
// the offending field, and nothing is written.
func TestSupplyBadInput(t *testing.T) {
	e := newSupplyEnv(t)
	supID, key := e.supplier("Bad Input Compute")
	offerID := e.offer(key, offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "8", "2.50", "USD"))
	auth := bearerH(key)
	valid := map[string]any{}
	if err := json.Unmarshal([]byte(offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "8", "2.50", "USD")), &valid); err != nil {
		t.Fatal(err)
	}
	// with returns the valid offer with member k set to v (or removed when v is nil).
	with := func(kv ...any) string {
		m := map[string]any{}
		for k, v := range valid {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	batch := func(items ...string) string { return `{"offers":[` + strings.Join(items, ",") + `]}` }
	many := make([]string, 1001)
	for i := range many {
		many[i] = with()
	}
	q := func(s string) string { return "/api/v1/offers?q=" + url.QueryEscape(s) }
	tests := []badInputCase{
		{"price as JSON number", "POST", "/api/v1/offers", with("price", 2.5), auth, 400, "price", `decimal string like \"2.50\"`},
		{"gpus as string", "POST", "/api/v1/offers", with("gpus", "8"), auth, 400, "gpus", "whole number"},
		{"gpus fractional", "POST", "/api/v1/offers", with("gpus", 1.5), auth, 400, "gpus", "whole number"},
		{"gpus negative", "POST", "/api/v1/offers", with("gpus", -1), auth, 400, "gpus", "from 1 to 100000"},
		{"gpus zero", "POST", "/api/v1/offers", with("gpus", 0), auth, 400, "gpus", ""},
		{"gpus too many", "POST", "/api/v1/offers", with("gpus", 100001), auth, 400, "gpus", ""},
		{"gpus overflow", "POST", "/api/v1/offers", `{"gpus":1e30}`, auth, 400, "gpus", ""},
		{"missing region", "POST", "/api/v1/offers", with("region", nil), auth, 400, "region", "required"},
		{"missing price", "POST", "/api/v1/offers", with("price", nil), auth, 400, "price", "required"},
		{"unknown field", "POST", "/api/v1/offers", with("colour", "red"), auth, 400, "colour", "unknown field"},
		{"read-only version", "POST", "/api/v1/offers", with("version", 5), auth, 400, "version", "unknown field"},
		{"read-only supplier_id", "POST", "/api/v1/offers", with("supplier_id", "someone"), auth, 400, "supplier_id", ""},
		{"id on create", "POST", "/api/v1/offers", with("id", "off_mine"), auth, 400, "id", ""},
		{"price zero", "POST", "/api/v1/offers", with("price", "0"), auth, 400, "price", "greater than 0"},
		{"price negative", "POST", "/api/v1/offers", with("price", "-1.5"), auth, 400, "price", ""},
		{"price 7 decimals", "POST", "/api/v1/offers", with("price", "1.1234567"), auth, 400, "price", "6 decimals"},
		{"price exponent", "POST", "/api/v1/offers", with("price", "1e3"), auth, 400, "price", ""},
		{"price too large", "POST", "/api/v1/offers", with("price", "1000000000"), auth, 400, "price", ""},
		{"price words", "POST", "/api/v1/offers", with("price", "two euros"), auth, 400, "price", ""},
		{"currency not offered", "POST", "/api/v1/offers", with("currency", "GBP"), auth, 400, "currency", "CNY, EUR, USD"},
		{"unknown region", "POST", "/api/v1/offers", with("region", "cn-atlantis"), auth, 400, "region", "unknown region"},
		{"unknown accelerator", "POST", "/api/v1/offers", with("accelerator", "h900"), auth, 400, "accelerator", ""},
		{"SQL in region", "POST", "/api/v1/offers", with("region", "x'; DROP TABLE offers;--"), auth, 400, "region", ""},
		{"unknown product", "POST", "/api/v1/offers", with("product", "gpus"), auth, 400, "product", ""},
		{"unknown pricing", "POST", "/api/v1/offers", with("pricing", "spot"), auth, 400, "pricing", ""},
		{"window reversed", "POST", "/api/v1/offers", with("available_until", day(0)), auth, 400, "available_until", "after available_from"},
		{"window eleven years", "POST", "/api/v1/offers", with("available_until", day(11*366)), auth, 400, "available_until", "10 years"},
		{"date in words", "POST", "/api/v1/offers", with("available_from", "tomorrow"), auth, 400, "available_from", ""},
		{"tiers descending", "POST", "/api/v1/offers", with("tiers", []map[string]string{{"min_gpu_hours": "5000", "discount": "5%"}, {"min_gpu_hours": "1000", "discount": "8%"}}), auth, 400, "tiers[1].min_gpu_hours", "ascending"},
		{"tier discount 150%", "POST", "/api/v1/offers", with("tiers", []map[string]string{{"min_gpu_hours": "1000", "discount": "150%"}}), auth, 400, "tiers[0].discount", ""},
		{"tier discount zero", "POST", "/api/v1/offers", with("tiers", []map[string]string{{"min_gpu_hours": "1000", "discount": "0"}}), auth, 400, "tiers[0].discount", ""},
		{"tier discount number", "POST", "/api/v1/offers", with("tiers", []map[string]any{{"min_gpu_hours": "1000", "discount": 0.05}}), auth, 400, "tiers.discount", "decimal string"},
		{"hardware without hs_code", "POST", "/api/v1/offers", with("product", "hardware"), auth, 400, "hs_code", "required"},
		{"min_hours negative", "POST", "/api/v1/offers", with("min_hours", -5), auth, 400, "min_hours", ""},
		{"term_months huge", "POST", "/api/v1/offers", with("term_months", 1000), auth, 400, "term_months", ""},
		{"note too long", "POST", "/api/v1/offers", with("note", strings.Repeat("n", 2001)), auth, 400, "note", ""},
		{"malformed JSON", "POST", "/api/v1/offers", `{"region":`, auth, 400, "body", ""},
		{"array body", "POST", "/api/v1/offers", `[]`, auth, 400, "body", ""},
		{"empty body", "POST", "/api/v1/offers", ``, auth, 400, "body", ""},
		{"trailing data", "POST", "/api/v1/offers", with() + ` {}`, auth, 400, "body", ""},
		{"text/plain body", "POST", "/api/v1/offers", with(), append(auth, "Content-Type", "text/plain"), 400, "Content-Type", ""},
		{"oversized body", "POST", "/api/v1/offers", `{"note":"` + strings.Repeat("x", defaultBodyLimit) + `"}`, auth, 413, "body", "64 KiB"},
		{"oversized batch", "POST", "/api/v1/offers/batch", `{"offers":[{"note":"` + strings.Repeat("x", defaultBatchBodyLimit) + `"}]}`, auth, 413, "body", "4 MiB"},
		{"bad Idempotency-Key", "POST", "/api/v1/offers", with(), append(auth, "Idempotency-Key", strings.Repeat("k", 300)), 400, "Idempotency-Key", ""},
		{"no credentials", "POST", "/api/v1/offers", with(), nil, 401, "", ""},
		{"wrong key", "POST", "/api/v1/offers", with(), bearerH("csk_0123456789abcdef_" + strings.Repeat("0", 64)), 401, "", ""},
		{"garbage token", "POST", "/api/v1/offers", with(), bearerH("' OR 1=1 --"), 401, "", ""},
		{"admin token on supplier endpoint", "POST", "/api/v1/offers", with(), bearerH(testAdminToken), 403, "", ""},
		{"batch of 1001", "POST", "/api/v1/offers/batch", batch(many...), auth, 400, "offers", "limit is 1000"},
		{"batch empty", "POST", "/api/v1/offers/batch", `{"offers":[]}`, auth, 400, "offers", ""},
		{"batch one bad item", "POST", "/api/v1/offers/batch", batch(with(), with("price", "-3")), auth, 400, "offers[1].price", "nothing was written"},
		{"batch duplicate ids", "POST", "/api/v1/offers/batch", batch(with("id", "off_dup"), with("id", "off_dup")), auth, 400, "offers[1].id", ""},
		{"patch price number", "PATCH", "/api/v1/offers/" + offerID, `{"price":3}`, auth, 400, "price", "decimal string"},
		{"patch bad If-Match", "PATCH", "/api/v1/offers/" + offerID, `{"price":"3"}`, append(auth, "If-Match", "abc"), 400, "If-Match", ""},
		{"patch id", "PATCH", "/api/v1/offers/" + offerID, `{"id":"off_other"}`, auth, 400, "id", ""},
		{"search bad operator", "GET", q("gpus>>8"), "", nil, 400, "q", "col "},
		{"search unknown field", "GET", q("colour=red"), "", nil, 400, "q", "unknown field"},
		{"search bad number", "GET", q("price<=abc"), "", nil, 400, "q", ""},
		{"search SQL", "GET", q("accelerator='; DROP TABLE offers;--"), "", nil, 400, "q", ""},
		{"search unknown sort", "GET", "/api/v1/offers?sort=cheapest", "", nil, 400, "sort", ""},
		{"search limit zero", "GET", "/api/v1/offers?limit=0", "", nil, 400, "limit", ""},
		{"search limit 501", "GET", "/api/v1/offers?limit=501", "", nil, 400, "limit", ""},
		{"search limit words", "GET", "/api/v1/offers?limit=ten", "", nil, 400, "limit", ""},
		{"search cursor garbage", "GET", "/api/v1/offers?cursor=abc", "", nil, 400, "cursor", ""},
		{"search unknown param", "GET", "/api/v1/offers?gpus=8", "", nil, 400, "gpus", "unknown query parameter"},
		{"offer bad window", "GET", "/api/v1/offers/" + offerID + "?start=yesterday", "", nil, 400, "start", ""},
		{"supplier without country", "POST", "/api/v1/suppliers", `{"name":"X"}`, bearerH(testAdminToken), 400, "country", ""},
		{"supplier country number", "POST", "/api/v1/suppliers", `{"name":"X","country":49}`, bearerH(testAdminToken), 400, "country", ""},
		{"supplier by supplier", "POST", "/api/v1/suppliers", `{"name":"X","country":"CN"}`, auth, 403, "", ""},
		{"supplier anonymous", "POST", "/api/v1/suppliers", `{"name":"X","country":"CN"}`, nil, 401, "", ""},
		{"accept with body member", "POST", "/api/v1/quotes/q_none/accept", `{"gpus":3}`, e.asBuyer(), 400, "gpus", ""},
		{"accept unknown quote", "POST", "/api/v1/quotes/q_none/accept", "", e.asBuyer(), 404, "", ""},
		{"accept without a buyer key", "POST", "/api/v1/quotes/q_none/accept", "", nil, 401, "", "buyer key"},
		{"accept with a supplier key", "POST", "/api/v1/quotes/q_none/accept", "", bearerH(key), 403, "", "buyer"},
		{"orders anonymous", "GET", "/api/v1/orders", "", nil, 401, "", ""},
		{"orders bad cursor", "GET", "/api/v1/orders?cursor=%%%", "", auth, 400, "", ""},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}
	before := e.countOffers()
	e.checkBadInput(t, tests)
	if after := e.countOffers(); after != before {
		t.Fatalf("bad requests wrote offers: %d before, %d after", before, after)
	}
	r := e.do("GET", "/api/v1/offers/"+offerID, "")
	if !strings.Contains(string(r.body), `"version":1`) || !strings.Contains(string(r.body), `"price":"2.5"`) {
		t.Fatalf("bad requests changed the offer: %s", r.body)
	}
	_ = supID
}

// badInputCase is one malformed request and the problem it must get: its status, the field an
// error names (if any), and a text the body holds (for a 405: the Allow header).
type badInputCase struct {
	name      string
	method    string
	path      string
	body      string
	headers   []string
	wantCode  int
	wantField string
	wantIn    string
}

// checkBadInput sends each case as a subtest and checks its problem+json answer.
func (e *supplyEnv) checkBadInput(t *testing.T, tests []badInputCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			do := e.do
			if len(tc.body) > defaultBodyLimit {
				do = e.doReal
			}
			r := do(tc.method, tc.path, tc.body, tc.headers...)
			if r.status != tc.wantCode {
				t.Fatalf("status %d, want %d: %.300s", r.status, tc.wantCode, r.body)
			}
			if r.ctype != "application/problem+json" {
				t.Errorf("content type %q", r.ctype)
			}
			p := r.json(t)
			if int(p["status"].(float64)) != tc.wantCode || p["title"] == "" || p["type"] == "" || p["request_id"] != r.header.Get("X-Request-Id") {
				t.Errorf("problem members: %s", r.body)
			}
			if tc.wantField != "" {
				found := false
				errs, _ := p["errors"].([]any)
				for _, fe := range errs {
					if fe.(map[string]any)["field"] == tc.wantField {
						found = true
					}
				}
				if !found {
					t.Errorf("no error names %q: %.400s", tc.wantField, r.body)
				}
			}
			switch {
			case tc.wantCode == 405:
				if got := r.header.Get("Allow"); got != tc.wantIn {
					t.Errorf("Allow = %q, want %q", got, tc.wantIn)
				}
			case tc.wantIn != "" && !strings.Contains(string(r.body), tc.wantIn):
				t.Errorf("body lacks %q: %.400s", tc.wantIn, r.body)
			}
		})
	}
}
