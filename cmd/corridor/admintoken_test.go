package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"corridor/marketplace/store"
)

// TestAdminTokenNeedsAHandOver: without a terminal to show it on and without a token file to
// write it to, a generated admin token could reach nobody; start refuses with what to do
// instead, and stores no token hash (a later start with a writable directory creates one).
func TestAdminTokenNeedsAHandOver(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "corridor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A regular file where the data directory should be: the token file cannot be written,
	// whoever runs the test (root ignores permission bits, not file types).
	blocked := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	noEnv := func(string) string { return "" }
	_, err = ensureAdminToken(ctx, st, noEnv, filepath.Join(blocked, "data"), &out)
	if err == nil || !strings.Contains(err.Error(), "CORRIDOR_ADMIN_TOKEN") || !strings.Contains(err.Error(), "not a terminal") {
		t.Fatalf("want a refusal naming CORRIDOR_ADMIN_TOKEN, got %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
	if _, ok, err := st.Setting(ctx, adminTokenSetting); ok || err != nil {
		t.Fatalf("a token hash was stored although the token reached nobody (%v)", err)
	}

	dir := filepath.Join(t.TempDir(), "data")
	hash, err := ensureAdminToken(ctx, st, noEnv, dir, &out)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSuffix(string(raw), "\n")
	if hashToken(tok) != hash {
		t.Errorf("the stored hash is not the file's token's")
	}
	if want := adminTokenNotice(tok, filepath.Join(dir, "admin-token")); strings.TrimSpace(out.String()) != want || !strings.Contains(want, "sha256:"+hash[:12]) {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	if strings.Contains(out.String(), tok) {
		t.Error("the token itself was printed to a non-terminal")
	}
	// A second start (or instance) finds the stored hash and prints nothing.
	out.Reset()
	if again, err := ensureAdminToken(ctx, st, noEnv, dir, &out); err != nil || again != hash || out.Len() != 0 {
		t.Errorf("second start: %v, same hash %v, printed %q", err, again == hash, out.String())
	}
}

// TestIsTerminal: a character device counts as a terminal; pipes, files and buffers (what a
// container runtime or a test captures) do not.
func TestIsTerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, c := range []struct {
		name string
		w    interface{ Write([]byte) (int, error) }
		want bool
	}{{"character device", devNull, true}, {"pipe", w, false}, {"file", file, false}, {"buffer", &bytes.Buffer{}, false}} {
		if got := isTerminal(c.w); got != c.want {
			t.Errorf("%s: isTerminal = %v, want %v", c.name, got, c.want)
		}
	}
}
