package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSupplierCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corridor.db")
	env := func(string) string { return "" }
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"supplier", "create", "--name", "Kajaani Compute Oy", "--country", "fi", "--db", db}, env, &out, &errOut)
	if err != nil {
		t.Fatalf("supplier create: %v (%s)", err, errOut.String())
	}
	if !regexp.MustCompile(`supplier id: sup_[0-9a-f]{32}\napi key:     csk_[0-9a-f]{16}_[0-9a-f]{64}\n`).MatchString(out.String()) {
		t.Fatalf("unexpected output:\n%s", out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"supplier", "create", "--country", "FI", "--db", db}, "name is required"},
		{[]string{"supplier", "create", "--name", "X", "--country", "Finland", "--db", db}, "country must be an ISO 3166-1 alpha-2 code"},
		{[]string{"supplier", "delete"}, `unknown subcommand "delete"`},
		{[]string{"supplier"}, "missing subcommand"},
	} {
		out.Reset()
		err := run(context.Background(), tc.args, env, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

// TestSupplierListRotateAndDuplicates: list shows every supplier; rotate-key prints a new
// key (the old one is revoked); a name already registered, ignoring case and spacing, is
// refused with the supplier that has it.
func TestSupplierListRotateAndDuplicates(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corridor.db")
	cli := func(args ...string) (string, error) {
		out, _, err := runCLI(append(args, "--db", db)...)
		return out, err
	}
	first, err := cli("supplier", "create", "--name", "Kajaani Compute Oy", "--country", "FI")
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`sup_[0-9a-f]{32}`).FindString(first)
	oldKey := regexp.MustCompile(`csk_[0-9a-f]{16}_[0-9a-f]{64}`).FindString(first)
	if _, err := cli("supplier", "create", "--name", "Ningxia Compute", "--country", "CN"); err != nil {
		t.Fatal(err)
	}
	_, err = cli("supplier", "create", "--name", "  kajaani   COMPUTE oy", "--country", "FI")
	if err == nil || err.Error() != `supplier create: a supplier named "kajaani   COMPUTE oy" is registered already (`+id+`); names are compared ignoring case and spacing` {
		t.Errorf("duplicate name: %v", err)
	}
	out, err := cli("supplier", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], id) || !strings.Contains(lines[1], "Kajaani Compute Oy") ||
		!strings.Contains(lines[2], "Ningxia Compute") || lines[3] != "2 suppliers" {
		t.Errorf("list:\n%s", out)
	}
	out, err = cli("supplier", "list", "--json")
	if err != nil || !strings.Contains(out, `"name": "Kajaani Compute Oy"`) || !strings.Contains(out, `"id": "`+id+`"`) {
		t.Errorf("list --json: %v\n%s", err, out)
	}
	out, err = cli("supplier", "rotate-key", "--id", id)
	newKey := regexp.MustCompile(`csk_[0-9a-f]{16}_[0-9a-f]{64}`).FindString(out)
	if err != nil || newKey == "" || newKey == oldKey || !strings.Contains(out, "supplier id: "+id) {
		t.Fatalf("rotate-key: %v\n%s", err, out)
	}
	m, done, err := openMarket(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if _, err := m.Authenticate(context.Background(), oldKey); err == nil {
		t.Error("the rotated-out key still authenticates")
	}
	if sp, err := m.Authenticate(context.Background(), newKey); err != nil || sp.ID != id {
		t.Errorf("the new key: %v %v", sp, err)
	}
	for _, c := range []struct{ args []string }{{[]string{"supplier", "rotate-key"}}, {[]string{"supplier", "rotate-key", "--id", "sup_nope"}}} {
		if _, err := cli(c.args...); err == nil || strings.Count(err.Error(), "supplier") > 3 {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}
