package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointerCopiesTheWAL: the connections do not checkpoint on commit (the automatic
// checkpoint is off), and the checkpointer copies what was committed into the database file
// in the background: the file grows by the quotes written without any connection closing.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corridor.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var pages int
	if err := st.db.Raw("PRAGMA wal_autocheckpoint").Scan(&pages).Error; err != nil || pages != 0 {
		t.Fatalf("wal_autocheckpoint = %d (%v), want 0: the checkpointer's job", pages, err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	// 400 quotes: each row holds its record (a few hundred bytes here) and index entries.
	for i := range 400 {
		q := writerQuote(fmt.Sprintf("q_checkpoint_%d", i))
		q.Request.Buyer.VATID = fmt.Sprintf("%01000d", i) // a row of about 1 KB, so the table grows by pages
		if err := st.PutQuote(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second) // about fifty checkpoints
	for size() < before+200_000 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes, %d before 400 quotes: nothing was checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
