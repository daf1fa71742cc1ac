package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runEffects(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"effects"}, args...), func(string) string { return "" }, &out, &errOut)
	return out.String(), err
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEffectsCommand: the two-source case (CN 100 cut 10% → 0%, US 300 stays at 10%; Em −1.5,
// Es 1.5) from flags, as a table, CSV and the API's JSON. CN creates 150/11 = 13.64 and
// diverts 900/91 = 9.89 from US; revenue 40.00 → 29.01; welfare 1.18 − 0.99 = 0.19.
func TestEffectsCommand(t *testing.T) {
	flows := []string{"--flow", "CN:100:10%:0%:50:DE", "--flow", "US:300:10%:10%:100:DE", "--import-demand-elasticity", "-1.5", "--currency", "EUR"}
	out, err := runEffects(t, flows...)
	if err != nil {
		t.Fatalf("effects: %v", err)
	}
	for _, want := range []string{"in EUR", "CN   10% → 0%        100.00     13.64       9.89", "US  10% → 10%        300.00      0.00      -9.89",
		"total                   400.00     13.64       0.00", "-10.99             11.18     0.19", "DE   40.00  29.01  -10.99",
		"Es   1.5  default (sourced, 2010)", "Em  -1.5  given"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	out, err = runEffects(t, append(flows, "--format", "csv")...)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	// kind, source, …, trade_diversion (7), …, welfare_change (15), currency (16), GPU-hour diversion (19).
	if recs[1][1] != "CN" || recs[1][7] != "9.89" || recs[2][7] != "-9.89" || recs[3][0] != "total" || recs[3][15] != "0.19" ||
		recs[3][16] != "EUR" || recs[1][19] != "4.95" || recs[0][19] != "gpu_hours_trade_diversion" {
		t.Errorf("csv rows:\n%s", out)
	}

	// --svg writes both charts.
	prefix := filepath.Join(t.TempDir(), "run")
	if _, err := runEffects(t, append(flows, "--svg", prefix)...); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-trade.svg", "-welfare.svg"} {
		b, err := os.ReadFile(prefix + f)
		if err != nil || !strings.HasPrefix(string(b), "<svg ") || !strings.Contains(string(b), "<title") {
			t.Errorf("%s: %v %.100s", f, err, b)
		}
	}

	// A file with the API's body gives the API's JSON; a flag overrides the file's elasticity.
	file := writeFile(t, "flows.json", `{"flows": [
  {"source": "CN", "value": "100", "wedge_before": "10%", "wedge_after": "0%"},
  {"source": "US", "value": "300", "wedge_before": "10%", "wedge_after": "10%"}],
 "import_demand_elasticity": "-3", "currency": "EUR"}`)
	out, err = runEffects(t, "--file", file, "--import-demand-elasticity", "-1.5", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sources []struct {
			Source        string `json:"source"`
			TradeCreation string `json:"trade_creation"`
		}
		Total struct {
			WelfareChange string `json:"welfare_change"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Sources[0].TradeCreation != "13.64" || doc.Total.WelfareChange != "0.19" {
		t.Errorf("json (Em −1.5 from the flag, not −3 from the file): %v\n%s", err, out)
	}
}

// TestEffectsCommandErrors: a user error exits 1 with the problem where the user made it:
// FILE:LINE:COL in a file, the flag otherwise.
func TestEffectsCommandErrors(t *testing.T) {
	bad := writeFile(t, "bad.json", `{"flows": [
  {"source": "CN", "value": "100", "wedge_before": "10%", "wedge_after": "0%"},
  {"source": "US", "value": "300", "wedge_before": "10%", "wedge_after": "ten"}],
 "substitution_elasticity": "-1"}`)
	number := writeFile(t, "number.json", "{\"flows\": [\n  {\"source\": \"CN\", \"value\": 100, \"wedge_before\": \"10%\", \"wedge_after\": \"0%\"}]}")
	unknown := writeFile(t, "unknown.json", "{\"flows\": [\n  {\"source\": \"CN\", \"value\": \"100\", \"wedge_before\": \"10%\", \"wedge_after\": \"0%\", \"tarif\": \"5%\"}]}")
	broken := writeFile(t, "broken.json", "{\"flows\": [\n  {\"source\": \"CN\",, }]}")
	missing := writeFile(t, "missing.json", "{\"flows\": [\n  {\"source\": \"CN\", \"value\": \"100\", \"wedge_before\": \"10%\"}]}")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--file", bad}, []string{bad + ":4:29: substitution_elasticity: must be from 0 to 100", bad + ":3:74: flows[1].wedge_after: must be a percentage"}},
		{[]string{"--file", bad, "--substitution-elasticity", "2", "--flow", "KR:5:0:x"}, []string{`--flow KR:5:0:x: wedge_after: must be a percentage`}},
		{[]string{"--file", number}, []string{number + ":2:29: flows[0].value: must be a JSON string, not a JSON number"}},
		{[]string{"--file", unknown}, []string{unknown + ":2:80: tarif: unknown field"}},
		{[]string{"--file", broken}, []string{broken + ":2:19: malformed JSON"}},
		{[]string{"--file", missing}, []string{missing + ":2:3: flows[0].wedge_after: is required"}},
		{[]string{"--file", filepath.Join(t.TempDir(), "nope.json")}, []string{"no such file"}},
		{[]string{"--flow", "CN:100:10%"}, []string{"SOURCE:VALUE:WEDGE_BEFORE:WEDGE_AFTER"}},
		{[]string{"--flow", "CN:100:10%:0%", "--import-demand-elasticity", "2"}, []string{"--import-demand-elasticity: must be from -100 to 0"}},
		{[]string{"--flow", "CN:100:10%:0%", "--format", "xml"}, []string{"--format must be table, csv or json"}},
		{[]string{}, []string{"no flows"}},
		{[]string{"extra"}, []string{`unexpected argument "extra"`}},
	} {
		_, err := runEffects(t, c.args...)
		if err == nil {
			t.Errorf("%v: no error", c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.args, err, w)
			}
		}
		if exitCode(err) != 1 {
			t.Errorf("%v: exit code %d", c.args, exitCode(err))
		}
	}
	out, err := runEffects(t, "--help")
	if !errors.Is(err, errHelpShown) || !strings.Contains(out, "--flow SOURCE:VALUE") || exitCode(err) != 0 {
		t.Errorf("--help: %v\n%s", err, out)
	}
}
