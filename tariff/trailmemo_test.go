package tariff

import (
	"fmt"
	"slices"
	"testing"
)

// TestTrailMemo: a trail's value is derived once while the memo holds it; an equal copy, a
// shorter slice of the same array and an empty trail are other trails; the memo never holds
// more than its bound.
func TestTrailMemo(t *testing.T) {
	m := NewTrailMemo[string](4)
	derived := 0
	derive := func(tr []Consideration) string {
		derived++
		s := ""
		for _, c := range tr {
			s += c.MeasureID + ";"
		}
		return s
	}
	trail := []Consideration{{MeasureID: "a"}, {MeasureID: "b"}}
	if got := m.Get(trail, derive); got != "a;b;" || derived != 1 {
		t.Fatalf("first: %q, derived %d times", got, derived)
	}
	if got := m.Get(trail, derive); got != "a;b;" || derived != 1 {
		t.Fatalf("again: %q, derived %d times, want the kept value", got, derived)
	}
	if got := m.Get(slices.Clone(trail), derive); got != "a;b;" || derived != 2 {
		t.Fatalf("a copy: %q, derived %d times, want 2 (a copy is another trail)", got, derived)
	}
	if got := m.Get(trail[:1], derive); got != "a;" || derived != 3 {
		t.Fatalf("a shorter slice: %q, derived %d times", got, derived)
	}
	for range 2 {
		m.Get(nil, derive)
	}
	if derived != 5 {
		t.Fatalf("the empty trail: derived %d times in all, want 5 (every time)", derived)
	}
	for i := range 20 {
		m.Get([]Consideration{{MeasureID: fmt.Sprint(i)}}, derive)
		if m.Len() > 4 {
			t.Fatalf("after %d more trails the memo holds %d, bound 4", i+1, m.Len())
		}
	}
}
