package whatif

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRule keeps the what-if engine pure: it may import pricing, pricing/effects (the
// trade-effects model, pure arithmetic), tariff, decimal and the standard library only (no I/O
// packages either: a study's inputs are resolved by its caller).
func TestImportRule(t *testing.T) {
	allowed := map[string]bool{"corridor/pricing": true, "corridor/pricing/effects": true, "corridor/tariff": true, "github.com/shopspring/decimal": true}
	banned := map[string]bool{"net/http": true, "database/sql": true, "os": true, "os/exec": true, "net": true, "io/fs": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			std := !strings.Contains(strings.Split(p, "/")[0], ".") && !strings.HasPrefix(p, "corridor/")
			if !allowed[p] && (!std || banned[p]) {
				t.Errorf("%s imports %s: the what-if engine imports pricing, pricing/effects, tariff, decimal and the standard library (no I/O)", f, p)
			}
		}
	}
}
