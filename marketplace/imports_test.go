package marketplace

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRule keeps the domain free of adapters: marketplace depends on pricing, tariff and
// the standard library, never (even indirectly) on GORM, a database driver, Fiber or the
// packages that wrap them (marketplace/store, web, seed).
func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	// Prefixes of import paths; database/sql/driver is allowed (decimal.Decimal implements its
	// Valuer), database/sql itself is not.
	banned := []string{"gorm.io/", "github.com/gofiber/", "github.com/valyala/fasthttp", "github.com/jackc/", "github.com/mattn/go-sqlite3",
		"corridor/marketplace/store", "corridor/web", "corridor/seed", "net/http"}
	for _, dep := range strings.Fields(string(out)) {
		for _, b := range banned {
			if strings.HasPrefix(dep, b) || dep == "database/sql" {
				t.Errorf("marketplace depends on %s: the domain must not know its adapters", dep)
			}
		}
	}
}
