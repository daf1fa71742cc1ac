package seed

import (
	"testing"
	"time"

	"corridor/pricing/priceindex"
)

// TestEveryCatalogueModelHasAClass: the index's class mapping names every model of the
// accelerator catalogue (none is left to "other" by oversight).
func TestEveryCatalogueModelHasAClass(t *testing.T) {
	accs, err := Accelerators()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accs {
		if !priceindex.Named(a.Model) {
			t.Errorf("accelerator %s has no index class: add it to priceindex.Classes", a.Model)
		}
	}
	for _, c := range priceindex.Classes {
		for _, m := range c.Models {
			found := false
			for _, a := range accs {
				found = found || a.Model == m
			}
			if !found {
				t.Errorf("class %s names %s, which is not in the catalogue", c.Code, m)
			}
		}
	}
}

// TestDemoIndexHistoryDeterministic: the same week gives the same history, all of it in the
// demo series and before that week.
func TestDemoIndexHistoryDeterministic(t *testing.T) {
	accs, err := Accelerators()
	if err != nil {
		t.Fatal(err)
	}
	week := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	e1, p1 := DemoIndexHistory(accs)(week)
	e2, p2 := DemoIndexHistory(accs)(week)
	if len(e1) != len(e2) || len(p1) != len(p2) || len(e1) == 0 {
		t.Fatalf("lengths %d/%d and %d/%d", len(e1), len(e2), len(p1), len(p2))
	}
	for i := range e1 {
		if e1[i].OrderID != e2[i].OrderID || !e1[i].Obs.Value.Equal(e2[i].Obs.Value) {
			t.Fatalf("entry %d differs: %+v vs %+v", i, e1[i], e2[i])
		}
		if e1[i].Series != "demo" || !e1[i].Week.Before(week) || !e1[i].Obs.Valid() {
			t.Fatalf("entry %+v: not a valid demo entry before %s", e1[i], week)
		}
	}
	if len(p1) != DemoIndexWeeks*len(demoIndexCells) {
		t.Errorf("%d posted cells, want %d", len(p1), DemoIndexWeeks*len(demoIndexCells))
	}
}
