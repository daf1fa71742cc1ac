package priceindex

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRule keeps pricing pure: no web framework, ORM, HTTP, SQL, marketplace or seed.
func TestImportRule(t *testing.T) {
	banned := []string{"gofiber", "gorm.io", "net/http", "database/sql", "corridor/marketplace", "corridor/seed", "corridor/web"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			for _, b := range banned {
				if strings.Contains(p, b) {
					t.Errorf("%s imports %s: priceindex must stay pure", f, p)
				}
			}
		}
	}
}
