package web

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestIdempotencyKeyScopedToCallerAndTarget has two buyers (each with its key; behind one
// trusted proxy, from two addresses) reuse the guessable key "order-1". Neither may replay,
// block or learn about the other's request, and no error names another request's path.
func TestIdempotencyKeyScopedToCallerAndTarget(t *testing.T) {
	e := newSupplyEnv(t)
	e.app = NewServer(Deps{Market: e.market, AdminTokenHash: sha256Hex(testAdminToken),
		Options: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}}}) // app.Test's peer
	_, key := e.supplier("Scope Compute")
	offerID := e.offer(key, offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "8", "2.50", "USD"))
	today := time.Now().UTC().Truncate(24 * time.Hour)
	qA := e.quote(offerID, 1, today.AddDate(0, 0, 2), today.AddDate(0, 0, 3), time.Hour)
	qB := e.quote(offerID, 1, today.AddDate(0, 0, 4), today.AddDate(0, 0, 5), time.Hour)
	_, aliceKey := e.buyer("Alice GmbH", testBuyer)
	_, bobKey := e.buyer("Bob GmbH", testBuyer)
	alice := append(bearerH(aliceKey), "X-Forwarded-For", "203.0.113.1", "Idempotency-Key", "order-1")
	bob := append(bearerH(bobKey), "X-Forwarded-For", "198.51.100.2", "Idempotency-Key", "order-1")

	a := e.do("POST", "/api/v1/quotes/"+qA+"/accept", "", alice...)
	if a.status != 201 {
		t.Fatalf("alice's accept: %d %s", a.status, a.body)
	}
	// Bob, with the same key on another quote: his own new order, not a 422 naming Alice's path.
	b := e.do("POST", "/api/v1/quotes/"+qB+"/accept", "", bob...)
	if b.status != 201 || strings.Contains(string(b.body), qA) {
		t.Fatalf("bob's accept with alice's key: %d %s", b.status, b.body)
	}
	// Bob on Alice's exact request: runs for him (Alice accepted the quote: 403), no replay.
	r := e.do("POST", "/api/v1/quotes/"+qA+"/accept", "", bob...)
	if r.header.Get("Idempotent-Replayed") != "" || r.status != 403 || strings.Contains(string(r.body), "ord_") {
		t.Fatalf("bob replayed alice's response: %d replayed=%q", r.status, r.header.Get("Idempotent-Replayed"))
	}
	// Alice's retry replays hers.
	if r := e.do("POST", "/api/v1/quotes/"+qA+"/accept", "", alice...); r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" || string(r.body) != string(a.body) {
		t.Fatalf("alice's retry: %d replayed=%q", r.status, r.header.Get("Idempotent-Replayed"))
	}
	// Alice with her key and another body on the same target: 422 that names no request.
	if r := e.do("POST", "/api/v1/quotes/"+qA+"/accept", "{}", alice...); r.status != 422 || strings.Contains(string(r.body), "used for POST") {
		t.Fatalf("alice's key with another body: %d %s", r.status, r.body)
	}
	// The same key on another query string is another request target.
	s1 := e.do("POST", "/api/v1/offers?x=1", offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "4", "2.50", "USD"), append(bearerH(key), "Idempotency-Key", "same")...)
	s2 := e.do("POST", "/api/v1/offers?x=2", offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "4", "2.50", "USD"), append(bearerH(key), "Idempotency-Key", "same")...)
	if s2.header.Get("Idempotent-Replayed") != "" || s1.status == 201 && s2.status == 201 && string(s1.body) == string(s2.body) {
		t.Fatalf("a key replayed across request targets: %d %d", s1.status, s2.status)
	}
}

// TestNoSecretAtRest creates a supplier and rotates its key with Idempotency-Keys, replays both
// (the replays must still return the keys), and then scans every column of every table for the
// API keys, their secret halves and the Idempotency-Keys: none may be stored in clear.
func TestNoSecretAtRest(t *testing.T) {
	e := newSupplyEnv(t)
	admin := bearerH(testAdminToken)
	createKey, rotateKey := "3b1f6c0e-5d2a-4c9b-8e7f-0a1b2c3d4e5f", "9e8d7c6b-5a49-4837-a625-1403f2e1d0c9"
	body := `{"name":"Secret Keeping Compute","country":"CN"}`
	created := e.do("POST", "/api/v1/suppliers", body, append(admin, "Idempotency-Key", createKey)...)
	if created.status != 201 {
		t.Fatalf("create supplier: %d %s", created.status, created.body)
	}
	m := created.json(t)
	supID, first := m["id"].(string), m["api_key"].(string)
	if again := e.do("POST", "/api/v1/suppliers", body, append(admin, "Idempotency-Key", createKey)...); again.status != 201 ||
		again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(created.body) {
		t.Fatalf("replayed create: %d %s", again.status, again.body)
	}
	rotated := e.do("POST", "/api/v1/suppliers/"+supID+"/keys", "", append(bearerH(first), "Idempotency-Key", rotateKey)...)
	if rotated.status != 201 {
		t.Fatalf("rotate: %d %s", rotated.status, rotated.body)
	}
	second := rotated.json(t)["api_key"].(string)
	if again := e.do("POST", "/api/v1/suppliers/"+supID+"/keys", "", append(admin, "Idempotency-Key", rotateKey)...); again.status != 201 || again.header.Get("Idempotent-Replayed") != "" {
		// The admin is another caller than the supplier: the supplier's key does not replay for it.
		t.Logf("admin rotation with the supplier's Idempotency-Key ran on its own: %d", again.status)
	}

	secrets := map[string]string{"first API key": first, "rotated API key": second, "create Idempotency-Key": createKey, "rotate Idempotency-Key": rotateKey}
	for _, k := range []string{first, second} {
		secrets["secret half of "+k[:20]] = k[strings.LastIndexByte(k, '_')+1:]
	}
	for name, secret := range secrets {
		cols, err := e.st.ColumnsContaining(context.Background(), secret)
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) > 0 {
			t.Errorf("%s is stored in clear in %v", name, cols)
		}
	}
	// The scan itself works: the supplier's name is found where it belongs.
	if cols, err := e.st.ColumnsContaining(context.Background(), "Secret Keeping Compute"); err != nil || len(cols) == 0 {
		t.Fatalf("the scan finds nothing at all: %v %v", cols, err)
	}
	// A guessable key would make the sealed response guessable too: refused where it holds a secret.
	short := e.do("POST", "/api/v1/suppliers", body, append(admin, "Idempotency-Key", "supplier-1")...)
	if short.status != 400 || !strings.Contains(string(short.body), "Idempotency-Key") {
		t.Fatalf("a guessable Idempotency-Key on a secret-bearing endpoint: %d %s", short.status, short.body)
	}
}
