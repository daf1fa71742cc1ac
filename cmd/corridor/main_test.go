package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `corridor serve` in-process on db and waits for /healthz; the returned
// stop function cancels it and returns run's error.
func startServer(t *testing.T, db string, env map[string]string) (base string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	getenv := func(k string) string { return env[k] }
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--addr", addr, "--db", db}, getenv, stdout, stderr) }()
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("server exited before becoming healthy: %v\nstderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server not healthy after 60s; stderr: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(20 * time.Second):
				runErr = fmt.Errorf("server did not shut down within 20s")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return base, stdout, stop
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

type counts struct{ cnHubs, cnClusters, euFactories, accelerators, accWithTPP, policies int }

func countAll(t *testing.T, base string) counts {
	t.Helper()
	var c counts
	var regions struct {
		Regions []struct{ Bloc, Kind, Source, AsOf string } `json:"regions"`
	}
	getJSON(t, base+"/api/v1/regions", &regions)
	for _, r := range regions.Regions {
		switch {
		case r.Bloc == "CN" && r.Kind == "hub_node":
			c.cnHubs++
		case r.Bloc == "CN" && r.Kind == "cluster":
			c.cnClusters++
		case r.Bloc == "EU" && r.Kind == "ai_factory":
			c.euFactories++
		}
	}
	var accs struct {
		Accelerators []struct {
			Model string `json:"model"`
			TPP   string `json:"tpp"`
		} `json:"accelerators"`
	}
	getJSON(t, base+"/api/v1/accelerators", &accs)
	c.accelerators = len(accs.Accelerators)
	for _, a := range accs.Accelerators {
		if a.TPP != "" && a.TPP != "0" {
			c.accWithTPP++
		}
	}
	var pols struct {
		Policies []json.RawMessage `json:"policies"`
	}
	getJSON(t, base+"/api/v1/policies", &pols)
	c.policies = len(pols.Policies)
	return c
}

func TestServeSeedsOnceAndServesReferenceData(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "corridor.db")
	base, stdout, stop := startServer(t, db, nil)
	first := countAll(t, base)
	if first.cnHubs != 8 || first.cnClusters != 10 {
		t.Errorf("want 8 CN hub nodes and 10 clusters, got %d and %d", first.cnHubs, first.cnClusters)
	}
	if first.euFactories < 19 {
		t.Errorf("want at least 19 EU AI factories, got %d", first.euFactories)
	}
	if first.accelerators < 24 || first.accWithTPP < 24 {
		t.Errorf("want ≥ 24 accelerators with TPP, got %d (%d with TPP)", first.accelerators, first.accWithTPP)
	}
	if first.policies < 6 {
		t.Errorf("want the baseline and ≥ 5 scenarios stored, got %d policy versions", first.policies)
	}
	// Standard output is not a terminal here (as in a container's log): the first start says
	// where the token is and its fingerprint, never the token.
	tokFile := filepath.Join(filepath.Dir(db), "admin-token")
	raw, err := os.ReadFile(tokFile)
	if err != nil {
		t.Fatalf("the first start wrote no admin token file: %v", err)
	}
	tok := strings.TrimSuffix(string(raw), "\n")
	if !strings.HasPrefix(tok, "cadm_") {
		t.Fatalf("admin token file holds %q", raw)
	}
	if fi, err := os.Stat(tokFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin token file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	sum := sha256.Sum256([]byte(tok))
	notice := "Admin token generated and written to " + tokFile + " (mode 0600); fingerprint sha256:" + hex.EncodeToString(sum[:])[:12] + "."
	if !strings.Contains(stdout.String(), notice) {
		t.Errorf("first start did not say where the admin token is, with its fingerprint (%q); stdout: %s", notice, stdout.String())
	}
	if strings.Contains(stdout.String(), tok) || strings.Contains(stdout.String(), tok[5:20]) {
		t.Errorf("the admin token is in the output: %s", stdout.String())
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(db), ".admin-token-*")); len(matches) > 0 {
		t.Errorf("temporary token files left behind: %v", matches)
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/suppliers", strings.NewReader(`{"name":"Token Check Compute","country":"FI"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 201 {
		t.Errorf("the token from the file is not the admin token: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}

	base, stdout, stop = startServer(t, db, nil)
	if again := countAll(t, base); again != first {
		t.Errorf("second start changed the data: first %+v, then %+v", first, again)
	}
	if strings.Contains(stdout.String(), "Admin token") {
		t.Errorf("second start printed an admin token again")
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
}

func TestRunUserErrors(t *testing.T) {
	tmp := t.TempDir()
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"serve", "--nope"}, nil, "flag provided but not defined: -nope"},
		{"bad seed mode", []string{"--seed", "everything", "--db", filepath.Join(tmp, "a.db")}, nil, "--seed must be one of"},
		{"unreachable postgres", []string{"--db", "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, nil, "database unreachable"},
		{"unreachable postgres via env", nil, map[string]string{"CORRIDOR_DB": "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, "database unreachable"},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{"fx import without file", []string{"fx", "import"}, nil, "no file given"},
		{"quote with bad currency", []string{"quote", "--db", filepath.Join(tmp, "q.db"), "--offer", "x", "--gpus", "1", "--hours", "1", "--buyer-country", "DE", "--currency", "XXX"}, nil, "--currency"},
		{"bad quote retention", []string{"--quote-retention", "a week", "--db", filepath.Join(tmp, "c.db")}, nil, "--quote-retention must be a duration"},
		{"negative quote retention via env", []string{"--db", filepath.Join(tmp, "d.db")}, map[string]string{"CORRIDOR_QUOTE_RETENTION": "-1h"}, "--quote-retention must be a duration"},
		{"short admin token", []string{"--db", filepath.Join(tmp, "b.db"), "--addr", "127.0.0.1:0", "--seed", "none"}, map[string]string{"CORRIDOR_ADMIN_TOKEN": "short"}, "at least 16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out, &errOut)
			if err == nil {
				t.Fatalf("want an error containing %q, got success", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tc.want)
			}
			if exitCode(err) != 1 {
				t.Errorf("exit code %d, want 1", exitCode(err))
			}
		})
	}
}

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"168h0m0s": 168 * time.Hour, "30m": 30 * time.Minute, "0s": 0, "off": -1} {
		if got, err := parseRetention(in); err != nil || got != want {
			t.Errorf("parseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "7d", "-1s", "forever"} {
		if _, err := parseRetention(bad); err == nil {
			t.Errorf("parseRetention(%q) accepted", bad)
		}
	}
}
