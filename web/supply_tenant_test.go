package web

import (
	"strings"
	"testing"
	"time"
)

// TestCrossTenant checks that supplier B can neither see nor touch supplier A's offers and
// orders, and that wrong and revoked keys are refused.
func TestCrossTenant(t *testing.T) {
	e := newSupplyEnv(t)
	aID, aKey := e.supplier("Supplier A")
	bID, bKey := e.supplier("Supplier B")
	offerA := e.offer(aKey, offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR"))
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	qa := e.quote(offerA, 2, start, start.Add(24*time.Hour), time.Hour)
	r := e.do("POST", "/api/v1/quotes/"+qa+"/accept", "", e.asBuyer()...)
	if r.status != 201 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	orderA := r.json(t)["id"].(string)
	b := bearerH(bKey)

	tests := []struct {
		name, method, path, body string
		headers                  []string
		want                     int
		mustNotContain           string
	}{
		{"B patches A's offer", "PATCH", "/api/v1/offers/" + offerA, `{"price":"0.01"}`, b, 404, aID},
		{"B withdraws A's offer", "DELETE", "/api/v1/offers/" + offerA, "", b, 404, aID},
		{"B overwrites A's offer by batch", "POST", "/api/v1/offers/batch", `{"offers":[` + strings.Replace(offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "0.01", "EUR"), "{", `{"id":"`+offerA+`",`, 1) + `]}`, b, 400, aID},
		{"B lists orders", "GET", "/api/v1/orders", "", b, 200, orderA},
		{"B rotates A's key", "POST", "/api/v1/suppliers/" + aID + "/keys", "", b, 404, ""},
		{"B revokes A's key", "DELETE", "/api/v1/suppliers/" + aID + "/keys/0123456789abcdef", "", b, 404, ""},
		{"anyone reads A's offer (public)", "GET", "/api/v1/offers/" + offerA, "", nil, 200, ""},
		{"B reads A's order by id", "GET", "/api/v1/orders/" + orderA, "", b, 404, ""},
		{"A reads its order by id (whom to invoice)", "GET", "/api/v1/orders/" + orderA, "", bearerH(aKey), 200, ""},
		{"its buyer reads the order by id", "GET", "/api/v1/orders/" + orderA, "", e.asBuyer(), 200, ""},
		{"anyone else with the order id", "GET", "/api/v1/orders/" + orderA, "", nil, 404, ""},
		{"guessed order id", "GET", "/api/v1/orders/ord_00000000000000000000000000000000", "", nil, 404, ""},
	}
	for _, tc := range tests {
		r := e.do(tc.method, tc.path, tc.body, tc.headers...)
		if r.status != tc.want {
			t.Errorf("%s: status %d, want %d: %.300s", tc.name, r.status, tc.want, r.body)
		}
		if tc.mustNotContain != "" && strings.Contains(string(r.body), tc.mustNotContain) {
			t.Errorf("%s: response leaks %s: %.300s", tc.name, tc.mustNotContain, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/offers/"+offerA, ""); !strings.Contains(string(r.body), `"price":"3.1"`) || !strings.Contains(string(r.body), `"version":1`) {
		t.Fatalf("A's offer changed: %s", r.body)
	}
	if r := e.do("GET", "/api/v1/orders", "", bearerH(aKey)...); !strings.Contains(string(r.body), orderA) {
		t.Fatalf("A does not see its order: %s", r.body)
	}

	// Rotation: the new key works, the old one is revoked; revoking the new one locks A out.
	r = e.do("POST", "/api/v1/suppliers/"+aID+"/keys", "", bearerH(aKey)...)
	if r.status != 201 {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	rot := r.json(t)
	newKey, keyID := rot["api_key"].(string), rot["key_id"].(string)
	if r := e.do("GET", "/api/v1/orders", "", bearerH(aKey)...); r.status != 401 {
		t.Fatalf("old key after rotation: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/orders", "", bearerH(newKey)...); r.status != 200 {
		t.Fatalf("new key: %d %s", r.status, r.body)
	}
	tampered := newKey[:len(newKey)-1] + map[bool]string{true: "0", false: "1"}[!strings.HasSuffix(newKey, "0")]
	if r := e.do("GET", "/api/v1/orders", "", bearerH(tampered)...); r.status != 401 {
		t.Fatalf("tampered key: %d", r.status)
	}
	if r := e.do("DELETE", "/api/v1/suppliers/"+aID+"/keys/"+keyID, "", bearerH(testAdminToken)...); r.status != 204 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/orders", "", bearerH(newKey)...); r.status != 401 || r.ctype != "application/problem+json" {
		t.Fatalf("revoked key: %d %s", r.status, r.ctype)
	}
	if r := e.do("DELETE", "/api/v1/suppliers/"+bID+"/keys/"+keyID, "", bearerH(testAdminToken)...); r.status != 404 {
		t.Fatalf("revoke A's key under B: %d", r.status)
	}
}

// TestIdempotencyKey checks replay, mismatch and per-caller scoping of Idempotency-Key.
func TestIdempotencyKey(t *testing.T) {
	e := newSupplyEnv(t)
	_, aKey := e.supplier("Supplier A")
	_, bKey := e.supplier("Supplier B")
	body := offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR")
	first := e.do("POST", "/api/v1/offers", body, append(bearerH(aKey), "Idempotency-Key", "create-1")...)
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	n := e.countOffers()
	again := e.do("POST", "/api/v1/offers", body, append(bearerH(aKey), "Idempotency-Key", "create-1")...)
	if again.status != 201 || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}
	other := e.do("POST", "/api/v1/offers", strings.Replace(body, "3.10", "3.20", 1), append(bearerH(aKey), "Idempotency-Key", "create-1")...)
	if other.status != 422 || !strings.Contains(string(other.body), "Idempotency-Key") {
		t.Fatalf("same key, other body: %d %s", other.status, other.body)
	}
	// Keys are per caller: B's "create-1" is a different request.
	if r := e.do("POST", "/api/v1/offers", body, append(bearerH(bKey), "Idempotency-Key", "create-1")...); r.status != 201 || string(r.body) == string(first.body) {
		t.Fatalf("B with A's key name: %d %s", r.status, r.body)
	}
	if got := e.countOffers(); got != n+1 {
		t.Fatalf("offers: %d, want %d", got, n+1)
	}
	// A failed request (4xx) is replayed as it was.
	bad := e.do("POST", "/api/v1/offers", `{"gpus":0}`, append(bearerH(aKey), "Idempotency-Key", "bad-1")...)
	if r := e.do("POST", "/api/v1/offers", `{"gpus":0}`, append(bearerH(aKey), "Idempotency-Key", "bad-1")...); r.status != 400 || string(r.body) != string(bad.body) {
		t.Fatalf("replayed 400: %d %s", r.status, r.body)
	}
	// Accepting through an Idempotency-Key replays the 201 with the same order.
	offer := first.json(t)["id"].(string)
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	q := e.quote(offer, 1, start, start.Add(time.Hour), time.Hour)
	a1 := e.do("POST", "/api/v1/quotes/"+q+"/accept", "", append(e.asBuyer(), "Idempotency-Key", "acc-1")...)
	a2 := e.do("POST", "/api/v1/quotes/"+q+"/accept", "", append(e.asBuyer(), "Idempotency-Key", "acc-1")...)
	if a1.status != 201 || a2.status != 201 || string(a1.body) != string(a2.body) {
		t.Fatalf("accept replay: %d %s / %d %s", a1.status, a1.body, a2.status, a2.body)
	}
}
