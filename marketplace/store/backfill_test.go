package store

import (
	"context"
	"testing"
)

// TestBackfillOfferSearch checks that migration 10 fills the search columns of offers written
// without them (as a release before the columns existed wrote them), and that a later start
// does not look at offers at all: columns blanked after the migration stay blank when the
// database is opened again, where the first releases scanned every offer on each start.
func TestBackfillOfferSearch(t *testing.T) {
	ctx := context.Background()
	path := TestDSN(t)
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// 30 offers, more than one page when the page is small: the migration reads in id order.
	searchFixture(t, st, 30, 3)
	blank := func(st *Store) {
		t.Helper()
		if err := st.db.Exec("UPDATE offers SET supplier_name = '', bloc = '', tpp_micros = 0, search_text = ''").Error; err != nil {
			t.Fatal(err)
		}
	}
	count := func(st *Store) int64 {
		t.Helper()
		var n int64
		if err := st.db.Model(&offerRow{}).Where("supplier_name = '' OR bloc = '' OR search_text = ''").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	blank(st)
	// As if the database had stopped at migration 7: migration 10 runs at the next start.
	if err := st.db.Exec("DELETE FROM schema_migrations WHERE version = 10").Error; err != nil {
		t.Fatal(err)
	}
	st.Close()
	defer func(p int) { backfillPageSize = p }(backfillPageSize)
	backfillPageSize = 7 // 30 offers: pages of 7, 7, 7, 7 and 2

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(st); n != 0 {
		t.Fatalf("after migration 10: %d offers still lack search columns", n)
	}
	blank(st)
	st.Close()

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := count(st); n != 30 {
		t.Fatalf("a start after migration 10 touched offers: %d of 30 are still blank, want all 30", n)
	}
}
