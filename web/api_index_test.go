package web

import (
	"strings"
	"testing"
)

func TestIndexAPI(t *testing.T) {
	app, _, _ := seededApp(t)
	status, ctype, body := call(t, app, "GET", "/api/v1/index?class=h100&bloc=CN&buyer=DE:business&series=demo", "")
	if status != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("GET /api/v1/index: %d %s %s", status, ctype, body)
	}
	var r indexJSON
	decode(t, body, &r)
	if !r.Demo || r.Series != "demo" || !strings.Contains(r.Label, "DEMO") || r.Confidence != "illustrative" {
		t.Errorf("the demo series is not labelled: %+v", r)
	}
	if len(r.Transaction) != 26 || len(r.Landed) != 26 || len(r.Posted) != 26 {
		t.Fatalf("%d/%d/%d points, want 26 weeks each", len(r.Transaction), len(r.Posted), len(r.Landed))
	}
	published := 0
	for _, p := range r.Transaction {
		if p.Gap != (p.PerGPUHour == nil) || p.Gap != (p.Index == nil) {
			t.Errorf("week %s: gap %v with prices %v / index %v", p.Week, p.Gap, p.PerGPUHour, p.Index)
		}
		if !p.Gap {
			published++
		}
	}
	if published < 20 || r.Method.MinSample != 3 || r.Method.Documentation != "/docs/price-index" {
		t.Errorf("%d published weeks; method %+v", published, r.Method)
	}

	// The real series of a fresh market is empty: gaps, not zeros, and labelled as real.
	_, _, body = call(t, app, "GET", "/api/v1/index?class=a100&bloc=EU", "")
	decode(t, body, &r)
	if r.Demo || r.Series != "real" {
		t.Errorf("default series %q", r.Series)
	}
	for _, p := range r.Transaction {
		if !p.Gap || p.Sample != 0 {
			t.Errorf("a fresh market has real data in week %s: %+v", p.Week, p)
		}
	}

	for _, accept := range []struct{ path, header string }{
		{"/api/v1/index?class=h100&bloc=CN&series=demo&format=csv", ""},
		{"/api/v1/index?class=h100&bloc=CN&series=demo", "text/csv"},
	} {
		var hs []string
		if accept.header != "" {
			hs = []string{"Accept", accept.header}
		}
		status, ctype, body = call(t, app, "GET", accept.path, "", hs...)
		if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !strings.Contains(body, "kind,week,iso_week,sample,outliers,gap") ||
			!strings.Contains(body, "\r\ntransaction,") || !strings.Contains(body, "\r\nlanded,") || !strings.Contains(body, "illustrative") {
			t.Errorf("%s (%s): %d %s\n%s", accept.path, accept.header, status, ctype, body)
		}
	}
}

func TestIndexAPIBadParams(t *testing.T) {
	app, _, _ := seededApp(t)
	for _, tt := range []struct{ query, field string }{
		{"class=h999", "class"},
		{"bloc=US", "bloc"},
		{"buyer=FR:business", "buyer"},
		{"series=fake", "series"},
		{"from=2026-13-01", "from"},
		{"to=yesterday", "to"},
		{"from=2026-06-01&to=2026-01-01", "to"},
		{"from=2010-01-01&to=2026-01-01", "from"},
		{"format=xml", "format"},
		{"klass=h100", "klass"},
	} {
		status, ctype, body := call(t, app, "GET", "/api/v1/index?"+tt.query, "")
		if status != 400 || !strings.HasPrefix(ctype, "application/problem+json") || !strings.Contains(body, `"field":"`+tt.field+`"`) {
			t.Errorf("%s: %d %s %s; want 400 naming %s", tt.query, status, ctype, body, tt.field)
		}
	}
}
