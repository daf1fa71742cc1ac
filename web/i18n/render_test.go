package i18n

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestRenderMatchesGoI18n: for every message of every language whose placeholders are all
// {{.Name}}, the fast fill gives what go-i18n's template gives, with values of every kind
// render prints (strings with markup and non-ASCII, ints, int64s, a Stringer), with a value
// given twice (the last counts), and it declines (so go-i18n answers) when a value is missing
// or of another kind.
func TestRenderMatchesGoI18n(t *testing.T) {
	values := []any{"a <b> & \"c\" é 算", 42, int64(-7), decimal.RequireFromString("1527.40")}
	n := 0
	for _, l := range All() {
		for id, parts := range l.simple {
			var kv []any
			for i, p := range parts {
				if p.key != "" {
					kv = append(kv, p.key, values[i%len(values)])
				}
			}
			if len(kv) == 0 {
				continue
			}
			n++
			got, ok := l.render(id, kv)
			if want := l.localize(id, kv); !ok || got != want {
				t.Errorf("%s %s: render %q (%v), go-i18n %q", l.Code, id, got, ok, want)
			}
			twice := append([]any{kv[0], "earlier"}, kv...) // the later value wins
			if got, want := l.T(id, twice...), l.localize(id, twice); got != want {
				t.Errorf("%s %s with a value given twice: %q, go-i18n %q", l.Code, id, got, want)
			}
			if _, ok := l.render(id, kv[2:]); ok && len(kv) == 2 {
				t.Errorf("%s %s: rendered with its value missing", l.Code, id)
			}
			if _, ok := l.render(id, []any{kv[0], 1.5}); ok {
				t.Errorf("%s %s: rendered a float, which only text/template prints", l.Code, id)
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d messages with placeholders were compared", n)
	}
}
