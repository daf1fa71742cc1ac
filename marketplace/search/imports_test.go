package search

import (
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRule keeps the search language free of storage and transport: no web framework,
// ORM, HTTP or SQL, and nothing above it (the marketplace imports it, never the reverse).
func TestImportRule(t *testing.T) {
	banned := []string{"gofiber", "gorm.io", "net/http", "database/sql", "corridor/marketplace/store", "corridor/seed", "corridor/web"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := goparser.ParseFile(fset, f, nil, goparser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if p == "corridor/marketplace" {
				t.Errorf("%s imports %s: the marketplace imports search, not the reverse", f, p)
			}
			for _, b := range banned {
				if strings.Contains(p, b) {
					t.Errorf("%s imports %s: the search language knows no storage or transport", f, p)
				}
			}
		}
	}
}
