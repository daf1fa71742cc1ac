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
