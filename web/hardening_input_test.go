package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHostileInput is the bad-input battery of control characters, over-long values, JSON
// null bodies, near-miss content types and wrong methods. Every case gets a 4xx problem naming
// the problem, on SQLite and (with CORRIDOR_TEST_POSTGRES) PostgreSQL alike, and nothing is
// written: on PostgreSQL a NUL in a text column used to be a 500.
func TestHostileInput(t *testing.T) {
	e := newSupplyEnv(t)
	supID, key := e.supplier("Hostile Input Compute")
	offerBodyJSON := offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "8", "2.50", "USD")
	offerID := e.offer(key, offerBodyJSON)
	auth, admin := bearerH(key), bearerH(testAdminToken)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	quoteID := e.quote(offerID, 1, today.AddDate(0, 0, 2), today.AddDate(0, 0, 3), time.Hour)

	// with returns body (a JSON object) with member path k (a.b for nested) set to v.
	with := func(body string, kv ...any) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			obj, name := m, kv[i].(string)
			if a, b, ok := strings.Cut(name, "."); ok {
				sub, _ := obj[a].(map[string]any)
				if sub == nil {
					sub = map[string]any{}
					obj[a] = sub
				}
				obj, name = sub, b
			}
			obj[name] = kv[i+1]
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	quoteBody := `{"offer_id":"` + offerID + `","gpus":1,"hours":24,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`
	compareBody := `{"accelerator":"h100-sxm","gpus":1,"hours":24,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`
	long := strings.Repeat("x", 300)

	tests := []badInputCase{
		// NUL, the character PostgreSQL cannot store in text, in every kind of string member.
		{"offer region NUL", "POST", "/api/v1/offers", with(offerBodyJSON, "region", "cn\x00x"), auth, 400, "region", "control character"},
		{"offer accelerator NUL", "POST", "/api/v1/offers", with(offerBodyJSON, "accelerator", "h100\x00"), auth, 400, "accelerator", "control character"},
		{"offer currency NUL", "POST", "/api/v1/offers", with(offerBodyJSON, "currency", "\x00"), auth, 400, "currency", ""},
		{"offer id NUL", "POST", "/api/v1/offers", with(offerBodyJSON, "id", "off\x00a"), auth, 400, "id", ""},
		{"offer note NUL", "POST", "/api/v1/offers", with(offerBodyJSON, "note", "a\x00b"), auth, 400, "note", ""},
		{"offer note ANSI escape", "POST", "/api/v1/offers", with(offerBodyJSON, "note", "\x1b[31mred"), auth, 400, "note", ""},
		{"offer tier discount NUL", "POST", "/api/v1/offers", with(offerBodyJSON, "tiers", []map[string]string{{"min_gpu_hours": "1000", "discount": "5%\x00"}}), auth, 400, "tiers[0].discount", ""},
		{"batch item NUL", "POST", "/api/v1/offers/batch", `{"offers":[` + offerBodyJSON + `,` + with(offerBodyJSON, "region", "\x00") + `]}`, auth, 400, "offers[1].region", ""},
		{"patch note NUL", "PATCH", "/api/v1/offers/" + offerID, `{"note":"\u0000"}`, auth, 400, "note", ""},
		{"member name NUL", "POST", "/api/v1/offers", `{"reg\u0000ion":"x"}`, auth, 400, "body", "member name"},
		{"supplier name NUL", "POST", "/api/v1/suppliers", `{"name":"Evil\u0000Corp","country":"CN"}`, admin, 400, "name", "control character"},
		{"supplier name ANSI", "POST", "/api/v1/suppliers", `{"name":"\u001b[2J\u001b[31mEvil","country":"CN"}`, admin, 400, "name", ""},
		{"supplier name newline", "POST", "/api/v1/suppliers", `{"name":"Evil\nCorp","country":"CN"}`, admin, 400, "name", ""},
		{"supplier name C1 control", "POST", "/api/v1/suppliers", `{"name":"Evil\u009bCorp","country":"CN"}`, admin, 400, "name", ""},
		{"supplier name bidi override", "POST", "/api/v1/suppliers", `{"name":"Evil\u202eproC","country":"CN"}`, admin, 400, "name", ""},
		{"supplier country NUL", "POST", "/api/v1/suppliers", `{"name":"X","country":"C\u0000"}`, admin, 400, "country", ""},
		{"quote offer_id NUL", "POST", "/api/v1/quotes", with(quoteBody, "offer_id", "\x00"), nil, 400, "offer_id", ""},
		{"quote buyer country NUL", "POST", "/api/v1/quotes", with(quoteBody, "buyer.country", "D\x00"), nil, 400, "buyer.country", ""},
		{"quote vat_id NUL", "POST", "/api/v1/quotes", with(quoteBody, "buyer.vat_id", "DE\x00123"), nil, 400, "buyer.vat_id", ""},
		{"quote scenario NUL", "POST", "/api/v1/quotes", with(quoteBody, "scenario", "x\x00"), nil, 400, "scenario", ""},
		{"quote currency NUL", "POST", "/api/v1/quotes", with(quoteBody, "currency", "EU\x00"), nil, 400, "currency", ""},
		{"compare accelerator NUL", "POST", "/api/v1/compare", with(compareBody, "accelerator", "h100\x00"), nil, 400, "accelerator", ""},
		{"compare regions NUL", "POST", "/api/v1/compare", with(compareBody, "regions", []string{"cn-x", "\x00"}), nil, 400, "regions[1]", ""},
		// Over-long values, named.
		{"offer region too long", "POST", "/api/v1/offers", with(offerBodyJSON, "region", long), auth, 400, "region", "256"},
		{"offer id too long", "POST", "/api/v1/offers", with(offerBodyJSON, "id", long), auth, 400, "id", ""},
		{"supplier name too long", "POST", "/api/v1/suppliers", with(`{"country":"CN"}`, "name", long), admin, 400, "name", ""},
		{"quote offer_id too long", "POST", "/api/v1/quotes", with(quoteBody, "offer_id", long), nil, 400, "offer_id", ""},
		{"quote scenario too long", "POST", "/api/v1/quotes", with(quoteBody, "scenario", long), nil, 400, "scenario", ""},
		{"quote vat_id too long", "POST", "/api/v1/quotes", with(quoteBody, "buyer.vat_id", long), nil, 400, "buyer.vat_id", ""},
		// Not UTF-8.
		{"invalid UTF-8", "POST", "/api/v1/suppliers", "{\"name\":\"Evil\xff\",\"country\":\"CN\"}", admin, 400, "body", "UTF-8"},
		// A JSON null (or any non-object) where an object is expected.
		{"accept null", "POST", "/api/v1/quotes/" + quoteID + "/accept", `null`, e.asBuyer(), 400, "body", "JSON object"},
		{"rotate null", "POST", "/api/v1/suppliers/" + supID + "/keys", `null`, auth, 400, "body", "JSON object"},
		{"patch null", "PATCH", "/api/v1/offers/" + offerID, `null`, auth, 400, "body", "JSON object"},
		{"offer null", "POST", "/api/v1/offers", `null`, auth, 400, "body", "JSON object"},
		{"quote null", "POST", "/api/v1/quotes", `null`, nil, 400, "body", "JSON object"},
		{"quote string", "POST", "/api/v1/quotes", `"x"`, nil, 400, "body", "JSON object"},
		{"patch empty object", "PATCH", "/api/v1/offers/" + offerID, `{}`, auth, 400, "body", "nothing to change"},
		// Near-miss content types.
		{"content type jsonx", "POST", "/api/v1/offers", offerBodyJSON, append(auth, "Content-Type", "application/jsonx"), 400, "Content-Type", "application/json"},
		{"content type json-seq", "POST", "/api/v1/quotes", quoteBody, []string{"Content-Type", "application/json-seq"}, 400, "Content-Type", ""},
		{"content type latin1", "POST", "/api/v1/quotes", quoteBody, []string{"Content-Type", "application/json; charset=iso-8859-1"}, 400, "Content-Type", "UTF-8"},
		{"content type form", "POST", "/api/v1/quotes", quoteBody, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "Content-Type", ""},
		// Wrong methods: 405 with Allow.
		{"PUT offers", "PUT", "/api/v1/offers", "", nil, 405, "", "GET, HEAD, POST"},
		{"DELETE regions", "DELETE", "/api/v1/regions", "", nil, 405, "", "GET, HEAD"},
		{"GET quotes", "GET", "/api/v1/quotes", "", nil, 405, "", "POST"},
		{"PUT offer", "PUT", "/api/v1/offers/" + offerID, "", auth, 405, "", "DELETE, GET, HEAD, PATCH"},
		{"GET accept", "GET", "/api/v1/quotes/" + quoteID + "/accept", "", nil, 405, "", "POST"},
	}
	before := e.countOffers()
	e.checkBadInput(t, tests)
	if after := e.countOffers(); after != before {
		t.Fatalf("bad requests wrote offers: %d before, %d after", before, after)
	}
	r := e.do("GET", "/api/v1/offers/"+offerID, "")
	if !strings.Contains(string(r.body), `"version":1`) {
		t.Fatalf("bad requests changed the offer: %s", r.body)
	}
	if r := e.do("GET", "/api/v1/orders/"+quoteID, ""); r.status != 404 {
		t.Fatalf("accept with a null body created an order: %d", r.status)
	}
	// The careful variants still work: charset=utf-8 and a name with ordinary punctuation.
	if r := e.do("POST", "/api/v1/suppliers", `{"name":"Ningxia Compute (宁夏) – Ltd.","country":"CN"}`, append(admin, "Content-Type", "application/json; charset=utf-8")...); r.status != 201 {
		t.Fatalf("a careful supplier request was refused: %d %s", r.status, r.body)
	}
}

// TestBodyFramingRefused checks the bodies the server will not read: compressed ones (a few
// kilobytes of gzip can inflate to gigabytes) and chunked ones (their size is unknown until
// read), each with a problem naming the header.
func TestBodyFramingRefused(t *testing.T) {
	e := newSupplyEnv(t)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(bytes.Repeat([]byte(" "), 1<<20))
	w.Close()
	req := httptest.NewRequest("POST", "/api/v1/quotes", bytes.NewReader(gz.Bytes()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	res, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 415 || !strings.Contains(string(body), `"field":"Content-Encoding"`) {
		t.Errorf("gzip body: %d %s", res.StatusCode, body)
	}
	req = httptest.NewRequest("POST", "/api/v1/quotes", io.MultiReader(strings.NewReader(`{"offer_id":`), strings.NewReader(`"x"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.TransferEncoding = []string{"chunked"}
	res, err = e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	if res.StatusCode != 411 || !strings.Contains(string(body), `"field":"Content-Length"`) {
		t.Errorf("chunked body: %d %s", res.StatusCode, body)
	}
}

// TestHeadersTooLarge checks that headers beyond the 4 KiB read buffer are refused by the HTTP
// server itself with a problem document that still carries a request id.
func TestHeadersTooLarge(t *testing.T) {
	e := newSupplyEnv(t)
	r := e.doReal("GET", "/api/v1/regions", "", "X-Padding", strings.Repeat("p", 5000))
	if r.status != 431 || r.ctype != "application/problem+json" || r.header.Get("X-Request-Id") == "" ||
		!strings.Contains(string(r.body), `"request_id":"`+r.header.Get("X-Request-Id")+`"`) {
		t.Fatalf("5 KB of headers: %d %q %s", r.status, r.header.Get("X-Request-Id"), r.body)
	}
}
