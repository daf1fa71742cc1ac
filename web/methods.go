package web

import (
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// apiFallback answers API requests no route took: 405 with an Allow header when the path
// exists under other methods, else 404. The route table is read from the app on first use,
// when every route is registered.
func apiFallback(app *fiber.App) fiber.Handler {
	var (
		once   sync.Once
		routes []fiber.Route
	)
	return func(c *fiber.Ctx) error {
		once.Do(func() {
			for _, r := range app.GetRoutes(true) {
				if strings.HasPrefix(r.Path, "/api/") {
					routes = append(routes, r)
				}
			}
		})
		if allow := allowedMethods(routes, c.Path()); len(allow) > 0 {
			c.Set(fiber.HeaderAllow, strings.Join(allow, ", "))
			return fiber.NewError(fiber.StatusMethodNotAllowed, c.Method()+" is not supported on "+c.Path()+"; use "+strings.Join(allow, " or "))
		}
		return fiber.NewError(fiber.StatusNotFound, "no such endpoint: "+c.Method()+" "+c.Path())
	}
}

// allowedMethods lists, sorted, the methods of the routes whose pattern matches path.
func allowedMethods(routes []fiber.Route, path string) []string {
	seen := map[string]bool{}
	for _, r := range routes {
		if r.Method != http.MethodOptions && !seen[r.Method] && routeMatches(r.Path, path) {
			seen[r.Method] = true
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// routeMatches reports whether path matches a Fiber route pattern of literal and :param
// segments, the way Fiber's default router does (case-insensitive, trailing slash optional).
func routeMatches(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		switch {
		case strings.HasPrefix(p, ":"):
			if xs[i] == "" {
				return false
			}
		case !strings.EqualFold(p, xs[i]):
			return false
		}
	}
	return true
}
