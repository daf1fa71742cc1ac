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

// openFileStore opens a store on a new SQLite file, closed when the test ends, and returns it
// with the file's path.
func openFileStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "corridor.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// TestCheckpointerCopiesTheWAL: the connections do not checkpoint on commit (the automatic
// checkpoint is off), and the checkpointer copies what was committed into the database file
// in the background: the file grows by the quotes written without any connection closing.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	st, path := openFileStore(t)
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

// TestCheckpointerRestartsTheWAL: quotes written without a pause while requests read the
// database — the harness's quote load — still see the WAL start again, tick after tick (a
// PASSIVE checkpoint alone never copies a WAL that is being written to whole, SQLite restarts
// only a WAL copied whole, and such a WAL grows with every quote: 740 MB in 15 s of the
// harness). A restart is visible in the WAL file's header, whose checkpoint sequence number and
// salts (bytes 12–23) change each time the WAL starts again.
func TestCheckpointerRestartsTheWAL(t *testing.T) {
	st, path := openFileStore(t)
	st.restartAfter.Store(1000) // pages: the 6,000 quotes below write a few times that
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
	walHeader := func() string {
		f, err := os.Open(path + "-wal")
		if err != nil {
			return ""
		}
		defer f.Close()
		b := make([]byte, 24)
		if n, _ := f.ReadAt(b, 0); n < 24 {
			return ""
		}
		return string(b[12:24])
	}
	const quotes, writers = 6000, 32
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < quotes; i += writers {
				q := writerQuote(fmt.Sprintf("q_wal_%05d", i))
				q.Request.Buyer.VATID = randomHex(3000) // a record of ~3 KB: the table grows by pages
				if err := st.PutQuote(ctx, q); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	starts := map[string]bool{}
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(10 * time.Millisecond):
		}
		if h := walHeader(); h != "" {
			starts[h] = true
		}
	}
	took := time.Since(start)
	if ticks := int(took / checkpointEvery); ticks < 4 {
		t.Skipf("the writes took %s, %d checkpoint intervals: too short to tell", took, ticks)
	}
	if len(starts) < 3 {
		t.Errorf("the WAL started %d times in %s of writes (%d checkpoint intervals): it is not starting again", len(starts), took, int(took/checkpointEvery))
	}
}

// TestCheckpointerReportsRestarts: once the WAL holds the restart threshold's pages and the
// writes stop (so that no writer starts the WAL again on its own), the checkpointer restarts
// it at its next tick and reports the restart done, with how long it held the quote writer.
func TestCheckpointerReportsRestarts(t *testing.T) {
	st, _ := openFileStore(t)
	st.restartAfter.Store(8) // pages: the quotes below write several times that
	type report struct {
		held time.Duration
		done bool
	}
	reports := make(chan report, 64)
	st.OnWALRestart(func(held time.Duration, done bool) {
		select {
		case reports <- report{held, done}:
		default:
		}
	})
	for i := range 40 {
		q := writerQuote(fmt.Sprintf("q_report_%02d", i))
		q.Request.Buyer.VATID = randomHex(3000) // a record of ~3 KB: a page or more each
		if err := st.PutQuote(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(30 * time.Second) // 150 checkpoint intervals
	for {
		select {
		case r := <-reports:
			if r.done {
				if r.held <= 0 {
					t.Errorf("a restart held the writer %s", r.held)
				}
				return
			}
		case <-deadline:
			t.Fatal("no restart reported done within 30 s of a WAL past the threshold")
		}
	}
}
