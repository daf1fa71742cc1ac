package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"corridor/marketplace"
)

// TestDataWatchSeesEveryCommit: the counters are read once while nothing is committed, and
// again after a commit from the store's own pool and after one from another connection to the
// file (another process: a CLI import, a second server); the values given are the stored ones.
// Both marks are checked: the mapped WAL-index header (where the file maps: Linux and the other
// Unix systems) and PRAGMA data_version.
func TestDataWatchSeesEveryCommit(t *testing.T) {
	for _, mark := range []string{"WAL-index header", "data_version"} {
		t.Run(mark, func(t *testing.T) { testDataWatch(t, mark == "WAL-index header") })
	}
}

func testDataWatch(t *testing.T, header bool) {
	st, path := openFileStore(t)
	ctx := context.Background()
	switch {
	case header && st.watch.header == nil && runtime.GOOS == "linux":
		t.Fatal("the WAL-index header is not mapped")
	case header && st.watch.header == nil:
		t.Skip("the WAL-index header is not mapped on " + runtime.GOOS)
	case !header:
		st.watch.header = nil // ask SQLite
	}
	reads := 0
	read := func(ctx context.Context) (marketplace.ReferenceVersions, error) {
		reads++
		return st.readReferenceVersions(ctx)
	}
	get := func() marketplace.ReferenceVersions {
		t.Helper()
		v, err := st.watch.referenceVersions(ctx, read)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := get()
	if get(); reads != 1 {
		t.Fatalf("%d reads of the counters with nothing committed between them, want 1", reads)
	}
	if err := bumpReference(st.db, refFX); err != nil { // a commit through the store's pool
		t.Fatal(err)
	}
	if v := get(); reads != 2 || v.FX != first.FX+1 {
		t.Fatalf("after a commit of the pool: FX %d (%d reads), want %d", v.FX, reads, first.FX+1)
	}
	other, err := sql.Open(sqliteDriver(), sqliteDSN(path)) // another process's connection
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec("UPDATE reference_versions SET counter = counter + 1 WHERE kind = ?", refPolicies); err != nil {
		t.Fatal(err)
	}
	if v := get(); reads != 3 || v.Policies != first.Policies+1 || v.FX != first.FX+1 {
		t.Fatalf("after another connection's commit: %+v (%d reads), want policies %d", v, reads, first.Policies+1)
	}
	if get(); reads != 3 {
		t.Fatalf("%d reads, want 3: nothing was committed since the last", reads)
	}
	if v, err := st.ReferenceVersions(ctx); err != nil || v != get() {
		t.Fatalf("ReferenceVersions %+v (%v), want the watched %+v", v, err, get())
	}
}

// TestDataWatchAfterClose: a request that reads the counters while or after the store closes
// (one that outlived the server's shutdown) gets an error, not a fault on the unmapped header.
func TestDataWatchAfterClose(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "corridor.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.ReferenceVersions(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2000 {
			st.ReferenceVersions(ctx) // racing the Close below
		}
	}()
	st.Close()
	<-done
	if _, err := st.ReferenceVersions(ctx); err == nil {
		t.Error("the counters were read from a closed store")
	}
}

// TestDataWatchSharesARead: requests that find the same new mark while the counters are being
// read for it wait for that read instead of reading again (under a stream of quote commits
// every request found a new mark); a request whose shared read failed reads for itself.
func TestDataWatchSharesARead(t *testing.T) {
	st, _ := openFileStore(t)
	ctx := context.Background()
	var reads atomic.Int32
	release := make(chan struct{})
	failFirst := atomic.Bool{}
	read := func(ctx context.Context) (marketplace.ReferenceVersions, error) {
		n := reads.Add(1)
		if n == 1 {
			<-release // the first read is slow: the others arrive while it runs
			if failFirst.Load() {
				return marketplace.ReferenceVersions{}, context.Canceled
			}
		}
		return st.readReferenceVersions(ctx)
	}
	want, err := st.readReferenceVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, fail := range []bool{false, true} {
		if err := bumpReference(st.db, refFX); err != nil { // a new mark
			t.Fatal(err)
		}
		want.FX++
		reads.Store(0)
		failFirst.Store(fail)
		release = make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 8)
		got := make([]marketplace.ReferenceVersions, 8)
		for i := range 8 {
			wg.Go(func() { got[i], errs[i] = st.watch.referenceVersions(ctx, read) })
			if i == 0 {
				for reads.Load() == 0 { // the first request is reading
					runtime.Gosched()
				}
			}
		}
		time.Sleep(50 * time.Millisecond) // the others wait on it (a late one finds the counters kept)
		close(release)
		wg.Wait()
		for i := 1; i < 8; i++ {
			if errs[i] != nil || got[i] != want {
				t.Fatalf("fail %v: request %d got %+v (%v), want %+v", fail, i, got[i], errs[i], want)
			}
		}
		switch n := reads.Load(); {
		case !fail && n != 1:
			t.Errorf("%d reads of the counters for one new mark, want 1 shared by 8 requests", n)
		case fail && (n < 2 || errs[0] == nil):
			t.Errorf("the shared read failed (%v); the others read %d times, want them to read for themselves", errs[0], n-1)
		}
	}
}

// TestDataWatchKeepsCountersAcrossQuotes: a commit of the quote writer changes no counter, and
// the watch keeps its counters across it without reading them again; across a commit of its
// own that another connection's commit came before (two transactions between the headers), it
// reads them again and gives the other connection's change.
func TestDataWatchKeepsCountersAcrossQuotes(t *testing.T) {
	st, path := openFileStore(t)
	if st.watch.header == nil {
		t.Skip("the WAL-index header is not mapped on " + runtime.GOOS)
	}
	ctx := context.Background()
	reads := 0
	get := func() marketplace.ReferenceVersions {
		t.Helper()
		v, err := st.watch.referenceVersions(ctx, func(ctx context.Context) (marketplace.ReferenceVersions, error) {
			reads++
			return st.readReferenceVersions(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := get()
	for i := range 3 {
		if err := st.PutQuote(ctx, writerQuote(fmt.Sprintf("q_kept_%d", i))); err != nil {
			t.Fatal(err)
		}
		if v := get(); reads != 1 || v != first {
			t.Fatalf("after quote %d: %+v (%d reads), want %+v kept from 1 read", i+1, v, reads, first)
		}
	}
	other, err := sql.Open(sqliteDriver(), sqliteDSN(path)) // another process's connection
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	before, whole := st.watch.walIndexHeader()
	if !whole {
		t.Fatal("the header read between commits is not whole")
	}
	if _, err := other.Exec("UPDATE reference_versions SET counter = counter + 1 WHERE kind = ?", refPolicies); err != nil {
		t.Fatal(err)
	}
	if err := st.db.Exec(explanationInsert, "feed", "a commit of the store's own that changes no counter").Error; err != nil {
		t.Fatal(err)
	}
	st.watch.keepAcross(before) // two transactions since before: not kept
	if v := get(); reads != 2 || v.Policies != first.Policies+1 {
		t.Fatalf("after another connection's commit and one of the store's own: %+v (%d reads), want policies %d", v, reads, first.Policies+1)
	}
	if v, err := st.readReferenceVersions(ctx); err != nil || v != get() {
		t.Fatalf("stored %+v (%v), watched %+v", v, err, get())
	}
}
