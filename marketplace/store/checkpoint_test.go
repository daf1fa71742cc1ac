package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// randomHex is n hexadecimal digits of random bytes: text that compresses only to half.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

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
	var limit int64
	if err := st.db.Raw("PRAGMA journal_size_limit").Scan(&limit).Error; err != nil || limit != walSizeLimit {
		t.Fatalf("journal_size_limit = %d (%v), want %d", limit, err, walSizeLimit)
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

// TestCheckpointerBoundsTheWAL: quotes written without a pause while requests read the
// database — the harness's quote load — leave a WAL that the checkpointer keeps starting
// again, instead of one that grows with every quote (a PASSIVE checkpoint alone never copies
// a WAL that is being written to whole, and SQLite restarts only a WAL copied whole).
func TestCheckpointerBoundsTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corridor.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, stop := context.WithCancel(context.Background())
	var readers sync.WaitGroup
	defer readers.Wait() // before the store closes (deferred earlier, so run later)
	defer stop()
	for range 4 { // readers, as every request that reads the market
		readers.Go(func() {
			for ctx.Err() == nil {
				st.ReferenceVersions(ctx)
			}
		})
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	const quotes, writers = 6000, 32
	var largest int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < quotes; i += writers {
				q := writerQuote(fmt.Sprintf("q_wal_%05d", i))
				q.Request.Buyer.VATID = randomHex(3000) // a record of ~3 KB after compression: an overflow page per quote
				if err := st.PutQuote(ctx, q); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(20 * time.Millisecond):
		}
		largest = max(largest, walSize())
	}
	// 6,000 quotes of more than a page each write over 24 MB of frames; a WAL that starts
	// again stays at what a few checkpoint intervals add.
	if largest > 16<<20 {
		t.Errorf("the WAL reached %d MB while %d quotes were written: it is not starting again", largest>>20, quotes)
	}
}
