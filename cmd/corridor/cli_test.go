package main

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/seed"
)

// runCLI runs the program in-process with no environment and returns its outputs.
func runCLI(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

// commandsOfRun lists the command names run's switch dispatches on, read from main.go's
// source, so that a command added there is checked against the usage without this test
// knowing its name.
func commandsOfRun(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "run" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			cc, ok := n.(*ast.CaseClause)
			if !ok {
				return true
			}
			for _, e := range cc.List {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					name, _ := strconv.Unquote(lit.Value)
					if name != "help" && !strings.HasPrefix(name, "-") {
						names = append(names, name)
					}
				}
			}
			return true
		})
		return false
	})
	if len(names) < 8 {
		t.Fatalf("found only %d commands in run's switch: %v", len(names), names)
	}
	return names
}

// TestUsageListsEveryCommand: the top-level usage names every command run accepts.
func TestUsageListsEveryCommand(t *testing.T) {
	out, _, err := runCLI("--help")
	if !errors.Is(err, errHelpShown) {
		t.Fatalf("--help: %v", err)
	}
	for _, name := range commandsOfRun(t) {
		if !regexp.MustCompile(`(?m)^\s+corridor (\[)?` + regexp.QuoteMeta(name) + `\b`).MatchString(out) {
			t.Errorf("the usage does not list `corridor %s`:\n%s", name, out)
		}
	}
}

// TestHelpPrintsUsageOnce: --help and -h, at the top and on every command and subcommand,
// print the usage exactly once to standard output, nothing to standard error, and exit 0.
func TestHelpPrintsUsageOnce(t *testing.T) {
	cases := [][]string{{"--help"}, {"-h"}, {"help"}}
	for _, name := range commandsOfRun(t) {
		cases = append(cases, []string{name, "--help"}, []string{name, "-h"})
	}
	cases = append(cases, []string{"supplier", "create", "--help"}, []string{"supplier", "list", "--help"}, []string{"supplier", "rotate-key", "--help"},
		[]string{"fx", "import", "--help"}, []string{"policy", "validate", "--help"})
	for _, args := range cases {
		out, errOut, err := runCLI(args...)
		what := strings.Join(args, " ")
		if !errors.Is(err, errHelpShown) || exitCode(err) != 0 {
			t.Errorf("%s: %v (exit %d), want the usage and exit 0", what, err, exitCode(err))
		}
		if n := strings.Count(out, "Usage"); n != 1 {
			t.Errorf("%s: the usage is printed %d times:\n%s", what, n, out)
		}
		if errOut != "" {
			t.Errorf("%s: wrote to standard error: %q", what, errOut)
		}
	}
}

// seededDB returns a fresh SQLite file with the reference data, the demo market and the
// policy library.
func seededDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "corridor.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := seed.Into(context.Background(), marketplace.NewService(st, time.Now), true); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestQuoteCommandWording: totals and line amounts name their currency; an error says each
// thing once (the message, or the flags at fault, never both nor the reason code); a date that
// is not in the calendar is called impossible, one of the wrong shape mis-formatted.
func TestQuoteCommandWording(t *testing.T) {
	db := seededDB(t)
	quote := func(extra ...string) (string, error) {
		out, _, err := runCLI(append([]string{"quote", "--db", db, "--gpus", "8", "--hours", "100", "--buyer-country", "DE", "--vat-id", "DE123456789", "--currency", "EUR"}, extra...)...)
		return out, err
	}
	out, err := quote("--offer", "demo-offer-001")
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"Total (cash payable):", "Net cost:", "Per GPU-hour:", "Per BF16 PFLOP-hour:"} {
		if !regexp.MustCompile(regexp.QuoteMeta(label) + ` +EUR [0-9,]+\.[0-9]{2}`).MatchString(out) {
			t.Errorf("%q does not name its currency:\n%s", label, out)
		}
	}
	if !regexp.MustCompile(`(?m)^ *base .* EUR [0-9,]+\.[0-9]{2} +yes +(sourced|estimate|illustrative) `).MatchString(out) {
		t.Errorf("the base line's amount does not name its currency:\n%s", out)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--offer", "nope"}, `quote: no offer "nope"`},
		{[]string{"--offer", "demo-offer-001", "--gpus", "0"}, `quote: --gpus must be a whole number from 1 to 100000`},
		{[]string{"--offer", "demo-offer-001", "--as-of", "2026-11-31"}, `quote: --as-of 2026-11-31 is an impossible date: November 2026 has 30 days`},
		{[]string{"--offer", "demo-offer-001", "--as-of", "2027-02-29"}, `quote: --as-of 2027-02-29 is an impossible date: February 2027 has 28 days`},
		{[]string{"--offer", "demo-offer-001", "--as-of", "2026-13-01"}, `quote: --as-of 2026-13-01 is an impossible date: there is no month 13`},
		{[]string{"--offer", "demo-offer-001", "--as-of", "2026-11-00"}, `quote: --as-of 2026-11-00 is an impossible date: there is no day 0`},
		{[]string{"--offer", "demo-offer-001", "--as-of", "27.11.2026"}, `quote: --as-of must be a date YYYY-MM-DD, not "27.11.2026"`},
	} {
		_, err := quote(c.args...)
		if err == nil || err.Error() != c.want {
			t.Errorf("%v: error %q, want %q", c.args, err, c.want)
		}
	}
	// Two bad fields: both named by their flags, once each, without the summary line.
	_, err = quote("--offer", "demo-offer-001", "--gpus", "0", "--hours", "0")
	if err == nil || err.Error() != "quote: --gpus must be a whole number from 1 to 100000; --hours must be a whole number from 1 to 87600" {
		t.Errorf("two bad fields: %q", err)
	}
}

// TestUnwritableDatabaseDirectory: a database in a directory the user may not write to is
// refused as "permission denied" (SQLite alone says "no such file or directory"). Root may
// write anywhere, so under root the program runs as nobody (uid 65534), in a process of its own.
func TestUnwritableDatabaseDirectory(t *testing.T) {
	base := t.TempDir()
	// nobody must be able to reach the directory and run the binary: open the test's own
	// temporary directories up to it.
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ro := filepath.Join(base, "readonly")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	bin := os.Args[0]
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		bin = filepath.Join(base, "corridor.test")
		if err := copyExecutable(os.Args[0], bin); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	for _, args := range [][]string{
		{"quote", "--db", filepath.Join(ro, "corridor.db"), "--offer", "x", "--gpus", "1", "--hours", "1", "--buyer-country", "DE"},
		{"serve", "--db", filepath.Join(ro, "corridor.db"), "--addr", "127.0.0.1:0"},
		{"quote", "--db", filepath.Join(ro, "sub", "corridor.db"), "--offer", "x", "--gpus", "1", "--hours", "1", "--buyer-country", "DE"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "CORRIDOR_TEST_RUN_MAIN=1")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			if cred != nil {
				t.Skipf("cannot run the program as nobody here: %v", err)
			}
			t.Fatalf("%v: %v", args, err)
		}
		msg := stderr.String()
		if exit.ExitCode() != 1 || !strings.Contains(msg, "permission denied") || strings.Contains(msg, "no such file") || strings.Count(msg, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line saying permission denied", args, exit.ExitCode(), msg)
		}
	}
}

// copyExecutable copies the program at src to dst with mode 0755.
func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
