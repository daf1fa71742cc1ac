package store

import (
	"context"
	"testing"
)

// TestBackfillOfferSearch opens a database whose offers lack the search columns (as written
// before they existed) and checks that opening it again fills them.
func TestBackfillOfferSearch(t *testing.T) {
	path := TestDSN(t)
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	searchFixture(t, st, 30, 3)
	if err := st.db.Exec("UPDATE offers SET supplier_name = '', bloc = '', tpp_micros = 0, search_text = ''").Error; err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var blank int64
	st.db.Model(&offerRow{}).Where("supplier_name = '' OR bloc = '' OR search_text = ''").Count(&blank)
	if blank != 0 {
		t.Fatalf("%d offers still lack search columns", blank)
	}
}
