package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// whatifBasket is the worked study's basket (marketplace's TestStudyWorked has the arithmetic).
const whatifBasket = "buyer_country,buyer_type,accelerator,origin,product,quantity,gpus,price,currency\n" +
	"DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8,2.00,EUR\n" +
	"FR,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8,2.00,EUR\n" +
	"DE,business,h100-sxm,eu-fi-kajaani,gpu_hours,800,8,2.50,EUR\n"

// TestWhatifCommand runs the worked study from the command line in the three formats, and
// re-runs it from its pins.
func TestWhatifCommand(t *testing.T) {
	db := seededDB(t)
	basket := writeFile(t, "basket.csv", whatifBasket)
	args := []string{"whatif", "--db", db, "--scenario", "eu-compute-levy-cn-10", "--basket", basket, "--as-of", "2026-11-28",
		"--sweep", "eu-levy-cn-compute.rate=0%..40% step 10%"}

	out, stderr, err := runCLI(args...)
	if err != nil {
		t.Fatalf("whatif: %v", err)
	}
	if stderr != "" {
		t.Errorf("progress on a stderr that is not a terminal: %q", stderr)
	}
	for _, want := range []string{"3 flows, 21 evaluations, in EUR as of 2026-11-28", "scenario eu-compute-levy-cn-10 v1",
		"sweep_breakpoints", "solved", "25%", "corridor whatif --rerun st_"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	// CSV of the revenue: the EU's levy, 160 + 160 = 320.00 under the scenario as written.
	out, _, err = runCLI(append(args, "--format", "csv", "--table", "revenue")...)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || recs[0][2] != "jurisdiction" {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	found := false
	for _, r := range recs {
		found = found || r[0] == "eu-compute-levy-cn-10" && r[1] == "" && r[2] == "EU" && r[5] == "320.00"
	}
	if !found {
		t.Errorf("no EU levy revenue of 320.00:\n%s", out)
	}
	// The flows name their offers.
	out, _, err = runCLI(append(args, "--format", "csv")...)
	if err != nil || !strings.HasPrefix(out, "flow,offer_id,") || !strings.Contains(out, "\n1,demo-offer-009,") {
		t.Errorf("flows csv: %v\n%s", err, out)
	}

	out, _, err = runCLI(append(args, "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ID     string
		Status string
		Result json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Status != "done" {
		t.Fatalf("json: %v\n%.300s", err, out)
	}
	again, _, err := runCLI("whatif", "--db", db, "--rerun", doc.ID, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var redo struct {
		ID     string
		Result json.RawMessage
	}
	if err := json.Unmarshal([]byte(again), &redo); err != nil || redo.ID == doc.ID || string(redo.Result) != string(doc.Result) {
		t.Errorf("re-run: %v, same id %v, same result %v", err, redo.ID == doc.ID, string(redo.Result) == string(doc.Result))
	}
}

// TestWhatifCommandNeed prices a need against every matching offer.
func TestWhatifCommandNeed(t *testing.T) {
	db := seededDB(t)
	out, _, err := runCLI("whatif", "--db", db, "--scenario", "eu-compute-levy-cn-10", "--need", "accelerator=h100-sxm region=cn-ningxia-zhongwei",
		"--gpus", "8", "--hours", "100", "--buyer", "DE:business", "--as-of", "2026-11-28", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	// demo-offer-001: 800 × CNY 15.80 = CNY 12,640.00 ÷ 8.2626 = EUR 1,529.78, +10% levy 152.98.
	if !strings.Contains(out, "demo-offer-001,DE business · h100-sxm · 800 GPU-h,cn-ningxia-zhongwei,CN,DE,business,gpu_hours,800,baseline,true,,EUR,1529.78,") ||
		!strings.Contains(out, ",eu-compute-levy-cn-10,true,,EUR,1682.76,") {
		t.Errorf("need csv:\n%s", out)
	}
}

// TestWhatifCommandErrors: each mistake is named by the flag (or file position) at fault.
func TestWhatifCommandErrors(t *testing.T) {
	db := seededDB(t)
	basket := writeFile(t, "basket.csv", whatifBasket)
	bad := writeFile(t, "bad.csv", "buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,buyer,h100-sxm,EU,gpu_hours,800\n")
	doc := writeFile(t, "mine.yaml", "format: corridor.scenario/v1\nid: mine\nbase: baseline\ntitle: mine\nchanges:\n  - add:\n      id: x\n      rate: \"ten\"\n")
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"no basket", []string{"--scenario", "eu-compute-levy-cn-10"}, []string{"give one basket"}},
		{"two baskets", []string{"--basket", basket, "--need", "accelerator=h100-sxm"}, []string{"give one basket"}},
		{"unknown scenario", []string{"--scenario", "no-such", "--basket", basket}, []string{`--scenario no scenario "no-such"`}},
		{"missing scenario file", []string{"--scenario", "missing/levy.yaml", "--basket", basket}, []string{"no such file"}},
		{"bad scenario document", []string{"--scenario", doc, "--basket", basket}, []string{"--scenario", "mine.yaml:8:14:", "rate"}},
		{"bad sweep", []string{"--scenario", "eu-compute-levy-cn-10", "--basket", basket, "--sweep", "nope.rate=0%..10% step 5%"}, []string{"--sweep", "nope"}},
		{"bad row", []string{"--basket", bad}, []string{"--basket", "bad.csv:2:2: buyer_type"}},
		{"need fields", []string{"--need", "accelerator=h100-sxm", "--gpus", "0", "--hours", "10", "--buyer", "DE:nobody"}, []string{"--gpus", "--buyer"}},
		{"buyer shape", []string{"--need", "accelerator=h100-sxm", "--gpus", "1", "--hours", "10", "--buyer", "DE"}, []string{"--buyer must be COUNTRY:business"}},
		{"format", []string{"--basket", basket, "--format", "xml"}, []string{"--format must be table, csv or json"}},
		{"table", []string{"--basket", basket, "--format", "csv", "--table", "nope"}, []string{"--table must be one of"}},
		{"rerun with flags", []string{"--rerun", "st_x", "--basket", basket}, []string{"--rerun takes"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCLI(append([]string{"whatif", "--db", db, "--as-of", "2026-11-28"}, c.args...)...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
