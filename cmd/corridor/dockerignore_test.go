package main

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the top of the repository, seen from this package's directory.
const repoRoot = "../.."

// dockerignorePatterns reads .dockerignore as Docker does: one pattern a line, # comments,
// relative to the top of the build context, cleaned (a trailing slash is dropped); ** spans
// directories, * and ? do not cross a slash. It returns each pattern as a regular expression.
func dockerignorePatterns(t *testing.T) []*regexp.Regexp {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*regexp.Regexp
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf(".dockerignore: exceptions (%q) are not understood by this test", line)
		}
		p := path.Clean(strings.TrimPrefix(line, "/"))
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		}
		re.WriteString("$")
		out = append(out, regexp.MustCompile(re.String()))
	}
	return out
}

// ignored reports whether Docker leaves the file (slash-separated, relative to the top) out of
// the build context: the file or one of its directories matches a pattern.
func ignored(patterns []*regexp.Regexp, file string) bool {
	for p := file; p != "." && p != "/"; p = path.Dir(p) {
		for _, re := range patterns {
			if re.MatchString(p) {
				return true
			}
		}
	}
	return false
}

// TestDockerignore: the image's build context leaves out the repository's history, the local
// database and admin token, test output and binaries, and keeps every source file the build
// needs (Go files, go.mod and go.sum, and the data, templates, messages and documents the
// binary embeds), including seed/data, which shares its name with the local data directory.
func TestDockerignore(t *testing.T) {
	patterns := dockerignorePatterns(t)
	for _, out := range []string{".git", ".git/HEAD", "data/corridor.db", "data/admin-token", "web/testdata/artifacts/screenshots/orders-en-375.png",
		"cmd/corridor/corridor.test", "corridor", "tmp/scratch.db", "cover.out", "web/cpu.prof"} {
		if !ignored(patterns, out) {
			t.Errorf("%s goes into the image's build context", out)
		}
	}
	sources := 0
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || strings.HasSuffix(rel, "testdata/artifacts") || rel == "data" || rel == "tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		switch path.Ext(rel) {
		case ".go", ".mod", ".sum", ".yaml", ".json", ".csv", ".md", ".html", ".css", ".js", ".xml", ".zip":
		default:
			return nil
		}
		sources++
		if ignored(patterns, rel) {
			t.Errorf("source file %s is left out of the build context", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sources < 100 {
		t.Fatalf("found only %d source files under %s: the walk is not looking at the repository", sources, repoRoot)
	}
}
