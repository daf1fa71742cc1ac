package web

import (
	"strings"
	"testing"
	"time"
)

func TestOfferLifecycle(t *testing.T) {
	e := newSupplyEnv(t)
	_, key := e.supplier("Ningxia Compute")
	id := e.offer(key, offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "16", "2.50", "USD"))

	steps := []struct {
		name       string
		method     string
		path       string
		body       string
		headers    []string
		wantStatus int
		wantIn     []string
	}{
		{"read", "GET", "/api/v1/offers/" + id, "", nil, 200, []string{`"version":1`, `"gpus_available":16`, `"bloc":"CN"`, `"tpp":"15824"`, `"export_class":"3a090a"`, `"discount":"5%"`, `"supplier_name":"Ningxia Compute"`}},
		{"patch price", "PATCH", "/api/v1/offers/" + id, `{"price":"2.40"}`, append(bearerH(key), "If-Match", `"1"`), 200, []string{`"price":"2.4"`, `"version":2`}},
		{"stale patch", "PATCH", "/api/v1/offers/" + id, `{"price":"2.30"}`, append(bearerH(key), "If-Match", `"1"`), 412, []string{`"version":2`}},
		{"search finds it", "GET", "/api/v1/offers?q=accelerator%3Dh100-sxm%20bloc%3DCN%20price%3C%3D2&sort=price", "", nil, 200, []string{id, `"query_price":"1.92"`, `"query_currency":"EUR"`}},
		{"search in USD excludes it", "GET", "/api/v1/offers?q=price%3C2.4%20currency%3DUSD", "", nil, 200, []string{`"offers":[]`}},
		{"search in USD at the price includes it", "GET", "/api/v1/offers?q=price%3C%3D2.4%20currency%3DUSD", "", nil, 200, []string{id}},
		{"withdraw", "DELETE", "/api/v1/offers/" + id, "", bearerH(key), 200, []string{`"status":"withdrawn"`, `"version":3`}},
		{"withdrawn not listed", "GET", "/api/v1/offers?q=accelerator%3Dh100-sxm", "", nil, 200, []string{`"offers":[]`}},
		{"withdrawn still readable", "GET", "/api/v1/offers/" + id, "", nil, 200, []string{`"status":"withdrawn"`}},
		{"withdrawn cannot change", "PATCH", "/api/v1/offers/" + id, `{"price":"2.30"}`, bearerH(key), 409, nil},
	}
	for _, s := range steps {
		r := e.do(s.method, s.path, s.body, s.headers...)
		if r.status != s.wantStatus {
			t.Fatalf("%s: status %d, want %d: %s", s.name, r.status, s.wantStatus, r.body)
		}
		for _, w := range s.wantIn {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("%s: body lacks %s: %s", s.name, w, r.body)
			}
		}
	}
}

func TestAcceptQuote(t *testing.T) {
	e := newSupplyEnv(t)
	_, key := e.supplier("Ningxia Compute")
	id := e.offer(key, offerJSONBody("cn-ningxia-zhongwei", "h100-sxm", "10", "2.50", "USD"))
	base := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	q1 := e.quote(id, 6, base, base.Add(48*time.Hour), time.Hour)
	q2 := e.quote(id, 5, base.Add(24*time.Hour), base.Add(72*time.Hour), time.Hour) // overlaps q1 on day 2
	q3 := e.quote(id, 4, base.Add(48*time.Hour), base.Add(96*time.Hour), time.Hour) // starts when q1 ends
	q4 := e.quote(id, 1, base, base.Add(time.Hour), -time.Minute)                   // expired
	r := e.do("POST", "/api/v1/quotes/"+q1+"/accept", "", e.asBuyer()...)
	if r.status != 201 {
		t.Fatalf("accept q1: %d %s", r.status, r.body)
	}
	order := r.json(t)["id"].(string)
	if again := e.do("POST", "/api/v1/quotes/"+q1+"/accept", "", e.asBuyer()...); again.status != 200 || again.json(t)["id"] != order {
		t.Fatalf("second accept: %d %s; want 200 with order %s", again.status, again.body, order)
	}
	if r := e.do("POST", "/api/v1/quotes/"+q2+"/accept", "", e.asBuyer()...); r.status != 409 || !strings.Contains(string(r.body), `"gpus_available":4`) {
		t.Fatalf("accept q2: %d %s; want 409 with 4 left", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/quotes/"+q3+"/accept", "", e.asBuyer()...); r.status != 201 {
		t.Fatalf("accept q3 (adjacent window): %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/quotes/"+q4+"/accept", "", e.asBuyer()...); r.status != 410 {
		t.Fatalf("accept expired: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/orders/"+order, "", e.asBuyer()...); r.status != 200 || !strings.Contains(string(r.body), `"gpus":6`) {
		t.Fatalf("get order: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/orders", "", bearerH(key)...); r.status != 200 || strings.Count(string(r.body), `"quote_id"`) != 2 {
		t.Fatalf("list orders: %d %s", r.status, r.body)
	}
	w := "/api/v1/offers/" + id + "?start=" + base.Add(24*time.Hour).Format(time.RFC3339) + "&end=" + base.Add(48*time.Hour).Format(time.RFC3339)
	if r := e.do("GET", w, ""); !strings.Contains(string(r.body), `"gpus_available":4`) {
		t.Fatalf("availability on day 2: %s", r.body)
	}
	if r := e.do("PATCH", "/api/v1/offers/"+id, `{"gpus":5}`, bearerH(key)...); r.status != 409 {
		t.Fatalf("capacity below reservations: %d %s", r.status, r.body)
	}
}
