package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyValidateBrokenFile(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.yaml")
	doc := `format: corridor.policy/v1
id: broken
measures:
  - id: de-vat
    kind: vat
    jurisdiction: DE
    rate: "19 %"
    base: net_price
    legal: [x]
    colour: red
`
	if err := os.WriteFile(broken, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := policyCommand([]string{"validate", broken}, &out, &errOut)
	if err == nil || err.Error() != "2 problems in 1 file" {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		broken + `:7:15: [de-vat] rate: bad duty expression "19 %": expected '%' or a currency code like EUR after the number`,
		broken + `:10:5: [de-vat] unknown field "colour"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}

func TestPolicyValidateSeedAndScenarios(t *testing.T) {
	base := filepath.Join("..", "..", "seed", "policy", "baseline.yaml")
	scen, _ := filepath.Glob(filepath.Join("..", "..", "seed", "policy", "scenarios", "*.yaml"))
	var out bytes.Buffer
	if err := policyCommand(append([]string{"validate", base}, scen...), &out, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "files OK") {
		t.Errorf("output %q", out.String())
	}

	// A scenario that modifies a missing measure of the base given alongside it.
	dir := t.TempDir()
	s := filepath.Join(dir, "s.yaml")
	os.WriteFile(s, []byte("format: corridor.scenario/v1\nid: s\nbase: baseline\nchanges:\n  - modify: {id: vat-de-b2x, rate: \"21%\"}\n"), 0o644)
	out.Reset()
	err := policyCommand([]string{"validate", s}, &out, &out)
	if err == nil || !strings.HasPrefix(out.String(), s+`:5:5: [vat-de-b2x] modify: no measure "vat-de-b2x" in base "baseline"`) {
		t.Errorf("err %v, output %q", err, out.String())
	}
}

func TestPolicyCommandUsage(t *testing.T) {
	var out bytes.Buffer
	if err := policyCommand([]string{"--help"}, &out, &out); !errors.Is(err, errHelpShown) || !strings.Contains(out.String(), "Usage: corridor policy validate") {
		t.Errorf("help: %v %q", err, out.String())
	}
	if err := policyCommand([]string{"check"}, &out, &out); err == nil {
		t.Error("unknown subcommand accepted")
	}
	if err := policyCommand([]string{"validate"}, &out, &out); err == nil {
		t.Error("no files accepted")
	}
	out.Reset()
	if err := policyCommand([]string{"validate", "/nonexistent.yaml"}, &out, &out); err == nil || !strings.HasPrefix(out.String(), "/nonexistent.yaml:0:0: cannot read") {
		t.Errorf("missing file: %v %q", err, out.String())
	}
}
