package tariff

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportRule keeps the engine pure: the standard library, decimal and yaml.v3 only, and no
// float64 (money and rates are decimals).
func TestImportRule(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/shopspring/decimal": true, "gopkg.in/yaml.v3": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, ".") && !allowed[path] || strings.HasPrefix(path, "corridor/") ||
				path == "net/http" || path == "database/sql" {
				t.Errorf("%s imports %s", f, path)
			}
		}
		full, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range full.Unresolved {
			if id.Name == "float64" || id.Name == "float32" {
				t.Errorf("%s uses %s", f, id.Name)
			}
		}
	}
}
