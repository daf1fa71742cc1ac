package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"corridor/marketplace/store"
)

// TestBackupWhileServing takes `corridor backup` of a database that a running server keeps
// writing to, then restores it (a server on the copy) and reads it: the copy is a consistent,
// working database holding what was committed before the backup began.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "corridor.db")
	const admin = "backup-test-admin-token"
	env := map[string]string{"CORRIDOR_ADMIN_TOKEN": admin, "CORRIDOR_RATE_LIMIT_ANONYMOUS": "0", "CORRIDOR_RATE_LIMIT_ADMIN": "0"}
	base, _, stop := startServer(t, db, env)
	create := func(name string) int {
		req, _ := http.NewRequest("POST", base+"/api/v1/suppliers", strings.NewReader(`{"name":"`+name+`","country":"CN"}`))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := create("Before The Backup"); code != 201 {
		t.Fatalf("create supplier: %d", code)
	}
	// Writers carry on during the backup.
	var wg sync.WaitGroup
	var stopWriting atomic.Bool
	var written atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stopWriting.Load(); i++ {
			if create(fmt.Sprintf("During %d", i)) == 201 {
				written.Add(1)
			}
		}
	}()
	backup := filepath.Join(dir, "backups", "corridor-copy.db")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"backup", "--db", db, backup}, func(k string) string { return "" }, &out, &errOut)
	stopWriting.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "backed up") {
		t.Errorf("backup printed %q", out.String())
	}
	t.Logf("%d suppliers were written while the backup ran", written.Load())
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// The copy opens as a database on its own, and reads.
	st, err := store.Open(context.Background(), backup)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	if err := st.Ready(context.Background()); err != nil {
		t.Fatalf("the backup is not a complete database: %v", err)
	}
	cols, err := st.ColumnsContaining(context.Background(), "Before The Backup")
	if err != nil || len(cols) == 0 {
		t.Fatalf("the supplier created before the backup is missing from it: %v %v", cols, err)
	}
	n, err := st.CountOffers(context.Background())
	st.Close()
	if err != nil || n == 0 {
		t.Fatalf("offers in the backup: %d, %v", n, err)
	}
	// Restore: serve the copy.
	restored, _, stopRestored := startServer(t, backup, map[string]string{"CORRIDOR_ADMIN_TOKEN": admin})
	res, err := http.Get(restored + "/api/v1/offers/demo-offer-001")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the restored database does not serve: %v %v", res, err)
	}
	res.Body.Close()
	if err := stopRestored(); err != nil {
		t.Fatal(err)
	}

	// A second backup to the same file is refused; PostgreSQL points to pg_dump.
	if err := run(context.Background(), []string{"backup", "--db", db, backup}, func(string) string { return "" }, &out, &errOut); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	if err := run(context.Background(), []string{"backup", "--db", "postgres://x@127.0.0.1:1/x", "f.dump"}, func(string) string { return "" }, &out, &errOut); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup of PostgreSQL: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "backups", ".corridor-copy.db.partial")); err == nil {
		t.Error("a partial backup file was left behind")
	}
}

// TestServeFlagErrors checks that bad operational settings stop `corridor serve` with one
// clear line, from flags and from the environment alike.
func TestServeFlagErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--max-body", "lots"}, nil, "--max-body must be a size"},
		{[]string{"--max-batch-body", "2GiB"}, nil, "--max-batch-body must be a size"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,proxy.example"}, nil, `"proxy.example" is not an address or CIDR`},
		{[]string{"--rate-limit-anonymous", "-1"}, nil, "≥ 0"},
		{nil, map[string]string{"CORRIDOR_RATE_LIMIT_SUPPLIER": "many"}, "CORRIDOR_RATE_LIMIT_SUPPLIER must be a whole number"},
		{nil, map[string]string{"CORRIDOR_SHUTDOWN_GRACE": "10"}, "CORRIDOR_SHUTDOWN_GRACE must be a duration"},
		{[]string{"--tls-cert", "cert.pem"}, nil, "--tls-cert and --tls-key go together"},
		{[]string{"--log-format", "xml"}, nil, "--log-format must be json or text"},
	} {
		args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)
		err := run(context.Background(), args, func(k string) string { return tc.env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %v: error %v, want one line containing %q", tc.args, tc.env, err, tc.want)
		}
	}
}
