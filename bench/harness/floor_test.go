package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestQuoteFloorStoresEveryQuote: 48 quote requests sent at once to the quote floor are each
// answered 201 with the answer's size, and each is a row in the floor's database once answered,
// with its record's size and a time-ordered id; a bad request is refused and stores nothing.
// The floor's connections do not checkpoint.
func TestQuoteFloorStoresEveryQuote(t *testing.T) {
	dir := t.TempDir()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveFloor(ctx, addr, dir, floorSizes{answer: 3000, record: 700}) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	post := func(body string) (int, int) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.Header.SetMethod("POST")
		req.SetRequestURI("http://" + addr + "/api/v1/quotes")
		req.SetBodyString(body)
		for range 100 { // until the floor listens
			if err := fasthttp.DoTimeout(req, resp, 5*time.Second); err == nil {
				return resp.StatusCode(), len(resp.Body())
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("the floor does not answer")
		return 0, 0
	}
	const n = 48
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if code, size := post(fmt.Sprintf(`{"offer_id":"o-%d","gpus":1,"hours":720,"buyer":{"country":"DE"},"currency":"EUR"}`, i)); code != 201 || size != 3000 {
				t.Errorf("quote %d: %d, %d bytes; want 201 and 3000 bytes", i, code, size)
			}
		})
	}
	wg.Wait()
	if code, _ := post(`{"offer_id":"o-x","gpus":0}`); code != 400 {
		t.Errorf("a request for no GPUs: %d, want 400", code)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "floor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id, length(record) FROM quotes ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		var size int
		if err := rows.Scan(&id, &size); err != nil {
			t.Fatal(err)
		}
		if size != 700 {
			t.Errorf("%s: a record of %d bytes, want 700", id, size)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != n {
		t.Fatalf("%d rows for %d quotes answered", len(ids), n)
	}
	// time-ordered ids: the prefix of milliseconds does not go down in the order of insertion
	prefixes := make([]string, len(ids))
	for i, id := range ids {
		prefixes[i] = id[:len("q_")+12]
	}
	if !slices.IsSorted(prefixes) {
		t.Errorf("ids not time-ordered: %v", ids)
	}
	fdb, err := sql.Open(floorDriver, "file:"+filepath.Join(dir, "floor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fdb.Close()
	var pages int
	if err := fdb.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != 0 {
		t.Errorf("the floor's connections checkpoint every %d pages (%v), want never", pages, err)
	}
}

// TestFloorAnswer: the floor's answers are JSON of exactly the size asked for.
func TestFloorAnswer(t *testing.T) {
	for _, n := range []int{21, 22, 130, 3000, 33_373} {
		a := floorAnswer(n)
		if len(a) != n || !json.Valid(a) {
			t.Errorf("floorAnswer(%d): %d bytes, valid JSON %v", n, len(a), json.Valid(a))
		}
	}
}

// TestFloorWorkScales: no work is no loop; the loop's length follows the work asked for (a
// hundred times the work, far more than ten times the rounds, whatever the machine's speed).
func TestFloorWorkScales(t *testing.T) {
	if w := newFloorWork(0); w.iterations != 0 {
		t.Errorf("no work: %d rounds, want 0", w.iterations)
	}
	small, large := newFloorWork(10*time.Microsecond), newFloorWork(time.Millisecond)
	if small.iterations < 1 || large.iterations < 10*small.iterations {
		t.Errorf("10 µs: %d rounds, 1 ms: %d rounds; want at least one, and ten times as many for a hundred times the work", small.iterations, large.iterations)
	}
}
