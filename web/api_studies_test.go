package web

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// studyCSV is the worked study's basket (marketplace's TestStudyWorked has the arithmetic).
const studyCSV = "buyer_country,buyer_type,accelerator,origin,product,quantity,gpus,price,currency\n" +
	"DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8,2.00,EUR\n" +
	"FR,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8,2.00,EUR\n" +
	"DE,business,h100-sxm,eu-fi-kajaani,gpu_hours,800,8,2.50,EUR\n"

func studyBody(t testing.TB, csv, sweep string, scenarios ...string) string {
	t.Helper()
	scs := []map[string]any{}
	for _, s := range scenarios {
		scs = append(scs, map[string]any{"id": s})
	}
	b, err := json.Marshal(map[string]any{"scenarios": scs, "basket": map[string]any{"kind": "csv", "csv": csv}, "sweep": sweep, "as_of": "2026-11-28"})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStudyAPI runs the worked study over HTTP, reads it back and exports its tables.
func TestStudyAPI(t *testing.T) {
	app, svc, _ := seededApp(t)
	t.Cleanup(svc.WaitStudies)
	status, ctype, body := call(t, app, "POST", "/api/v1/studies", studyBody(t, studyCSV, "eu-levy-cn-compute.rate=0%..40% step 10%", "eu-compute-levy-cn-10"))
	if status != 201 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("%d %s %s", status, ctype, body)
	}
	var st struct {
		ID       string
		Status   string
		Progress struct{ Done, Total json.Number }
		Pins     struct {
			Baseline struct {
				ID      string
				Version json.Number
			}
			Scenarios []struct {
				ID      string
				Version json.Number
			}
		}
		Links  struct{ Self, CSV string }
		Result struct {
			Tables map[string][]map[string]any
		}
	}
	decode(t, body, &st)
	if st.Status != "done" || st.Progress.Total.String() != "21" || len(st.Pins.Scenarios) != 1 || st.Pins.Scenarios[0].Version.String() != "1" {
		t.Fatalf("study %+v", st)
	}
	// Breakpoint by hand: 1600 × (1 + r) = 2000 at r = 25% (marketplace's TestStudySweepBreakpoint).
	if bp := st.Result.Tables["sweep_breakpoints"]; len(bp) != 1 || bp[0]["at"] != "25%" || bp[0]["method"] != "solved" {
		t.Errorf("breakpoints %v", bp)
	}
	// Revenue by jurisdiction: the EU's levy 160 + 160 = 320.00 under the scenario.
	found := false
	for _, r := range st.Result.Tables["revenue"] {
		if r["scenario"] == "eu-compute-levy-cn-10" && r["sweep_value"] == "" && r["jurisdiction"] == "EU" {
			found = r["collected"] == "320.00"
		}
	}
	if !found {
		t.Errorf("revenue %v", st.Result.Tables["revenue"])
	}

	status, _, again := call(t, app, "GET", st.Links.Self, "")
	if status != 200 || !strings.Contains(again, `"id":"`+st.ID+`"`) {
		t.Fatalf("GET %d %s", status, again)
	}
	// The result in the GET is the same bytes as in the POST.
	if i, j := strings.Index(body, `"result":`), strings.Index(again, `"result":`); i < 0 || body[i:] != again[j:] {
		t.Error("GET and POST results differ")
	}

	status, ctype, csv := call(t, app, "GET", st.Links.CSV, "")
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !strings.HasPrefix(csv, "flow,offer_id,need,origin,bloc,") ||
		!strings.Contains(csv, ",eu-compute-levy-cn-10,true,,EUR,2080.00,2080.00,2080.00,2.6000,160.00,8.33,") {
		t.Errorf("CSV %d %s\n%s", status, ctype, csv)
	}
	status, _, csv = call(t, app, "GET", st.Links.CSV+"?table=by_origin", "")
	if status != 200 || !strings.HasPrefix(csv, "scenario,sweep_value,origin,priced,unpriced,currency,landed_cost,") ||
		!strings.Contains(csv, "eu-compute-levy-cn-10,,cn-ningxia-zhongwei,2,0,EUR,3840.00,3520.00,320.00,9.09") {
		t.Errorf("by_origin CSV %d\n%s", status, csv)
	}
	for _, c := range []struct {
		path  string
		want  int
		field string
	}{
		{st.Links.CSV + "?table=nope", 400, "table"},
		{st.Links.Self + "?x=1", 400, "x"},
		{"/api/v1/studies/st_0000", 404, ""},
		{"/api/v1/studies/st_0000.csv", 404, ""},
	} {
		status, ctype, body := call(t, app, "GET", c.path, "")
		if status != c.want || !strings.HasPrefix(ctype, "application/problem+json") || (c.field != "" && !strings.Contains(body, `"field":"`+c.field+`"`)) {
			t.Errorf("GET %s: %d %s %s", c.path, status, ctype, body)
		}
	}
}

// TestStudyAPIQueued: a large study answers 202 and is polled until done.
func TestStudyAPIQueued(t *testing.T) {
	app, svc, _ := seededApp(t)
	t.Cleanup(svc.WaitStudies)
	svc.SetStudySyncLimit(1)
	status, _, body := call(t, app, "POST", "/api/v1/studies", studyBody(t, studyCSV, "", "eu-compute-levy-cn-10"))
	if status != 202 || !strings.Contains(body, `"status":"queued"`) || !strings.Contains(body, `"result":null`) {
		t.Fatalf("%d %s", status, body)
	}
	var st struct{ ID string }
	decode(t, body, &st)
	status, _, body = call(t, app, "GET", "/api/v1/studies/"+st.ID+".csv", "")
	if status != 409 && status != 200 {
		t.Errorf("CSV of a study in progress: %d %s", status, body)
	}
	svc.WaitStudies()
	status, _, body = call(t, app, "GET", "/api/v1/studies/"+st.ID, "")
	if status != 200 || !strings.Contains(body, `"status":"done"`) || !strings.Contains(body, `"progress":{"done":6,"total":6}`) {
		t.Errorf("%d %.300s", status, body)
	}
}

// TestStudyAPIBadInput: each bad input is a problem naming its field, within the documented
// limits; nothing runs.
func TestStudyAPIBadInput(t *testing.T) {
	app, svc, _ := seededApp(t)
	t.Cleanup(svc.WaitStudies)
	badRows := "buyer_country,buyer_type,accelerator,origin,product,quantity\n" +
		"DE,business,h999,cn-ningxia-zhongwei,gpu_hours,800\n" + // row 2: unknown accelerator (column 3)
		"DE,business,h100-sxm,xx-nowhere,gpu_hours,800\n" + // row 3: unknown region (column 4)
		"DE,business,h100-sxm,EU,hardware,2\n" // row 4: no EU hardware offer and no price (column 4)
	cases := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		{"unknown scenario", studyBody(t, studyCSV, "", "no-such-scenario"), 400, []string{"scenarios[0].id"}},
		{"sweep of a missing measure", studyBody(t, studyCSV, "no-such-measure.rate=0%..10% step 5%", "eu-compute-levy-cn-10"), 400, []string{"sweep"}},
		{"sweep of 10^7 points", studyBody(t, studyCSV, "eu-levy-cn-compute.rate=0%..100% step 0.00001%", "eu-compute-levy-cn-10"), 400, []string{"sweep"}},
		{"bad CSV rows", studyBody(t, badRows, ""), 400, []string{"basket.csv:2:3", "basket.csv:3:4", "basket.csv:4:4"}},
		{"bad CSV cell", studyBody(t, "buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,buyer,h100-sxm,EU,gpu_hours,800\n", ""), 400, []string{"basket.csv:2:2"}},
		{"bad dates", `{"basket":{"kind":"orders","from":"2026-13-01","to":"tomorrow"},"as_of":"yesterday"}`, 400, []string{"basket.from", "basket.to", "as_of"}},
		{"unknown member", `{"basket":{"kind":"csv","file":"x"}}`, 400, []string{"basket.file"}},
		{"unknown kind", `{"basket":{"kind":"upload"}}`, 400, []string{"basket.kind"}},
		{"need fields", `{"basket":{"kind":"need","query":"accelerator=h100-sxm","gpus":0,"hours":720,"buyer":{"country":"DE","type":"nobody"}}}`, 400, []string{"basket.gpus", "basket.buyer.type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, ctype, body := call(t, app, "POST", "/api/v1/studies", c.body)
			if status != c.status || !strings.HasPrefix(ctype, "application/problem+json") {
				t.Fatalf("%d %s %s", status, ctype, body)
			}
			for _, f := range c.fields {
				if !strings.Contains(body, `"field":"`+f+`"`) {
					t.Errorf("no field %s in %s", f, body)
				}
			}
		})
	}
}

// TestStudyAPIBodyLimit: an upload one byte over the limit (16 MiB) is refused from its
// Content-Length, before it is read, with a 413 naming the body and the limit. (At exactly
// 16 MiB the body is read, and refused as malformed JSON. The test sent 100 MiB before, which
// app.Test copies several times over: 19 s under the race detector, against 9 s now.)
func TestStudyAPIBodyLimit(t *testing.T) {
	app, _, _ := seededApp(t)
	const size = 16<<20 + 1
	req := httptest.NewRequest("POST", "/api/v1/studies", io.LimitReader(repeatReader('x'), size))
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/json")
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"field":"body"`) || !strings.Contains(string(b), "16 MiB") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	// Just under the limit, a basket file of more than 10 MiB is refused by its own limit.
	big := studyBody(t, "buyer_country,buyer_type,accelerator,origin,product,quantity\n"+strings.Repeat("DE,business,h100-sxm,EU,gpu_hours,800\n", 11<<20/38), "")
	status, _, body := call(t, app, "POST", "/api/v1/studies", big)
	if status != 400 || !strings.Contains(body, `"field":"basket.csv"`) {
		t.Errorf("%d %.300s", status, body)
	}
}

// repeatReader reads the byte c forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
