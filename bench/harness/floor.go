package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/mattn/go-sqlite3" // the driver Corridor's store uses

	"corridor/marketplace"
)

// The floor of a persisted quote: what answering POST /api/v1/quotes costs when everything
// that can be computed has been computed ahead of time, so that only the work no persisted
// quote can avoid is left — Fiber, reading and checking the JSON request, storing a record the
// size of Corridor's in an SQLite file in WAL mode, and writing an answer the size of
// Corridor's. No pricing, no JSON encoding, no compression. The records are stored the way
// Corridor's store writes its quotes, which is the fastest way known here: time-ordered ids,
// one prepared INSERT, and group commit (one goroutine commits every quote waiting in one
// transaction, lingering up to a millisecond for more when the batch before held more than
// one: marketplace/store/quotewriter.go), with the store's settings (synchronous=NORMAL, at
// most 8 connections). The floor never checkpoints while it is measured (the automatic
// checkpoint is off and nothing else copies the WAL back), a cost no long-running server
// avoids, so it is lower than any server's. Measured beside the hello-world and Corridor's own
// quotes, it says how far any implementation of the same answer on this machine can get: when
// the floor itself is further from the hello-world than the target, the target is out of
// reach for an answer of that size.
//
// The sizes are the averages of the quotes Corridor answered and stored in the same run, just
// before (the "quote" endpoint: its answers as the load generator read them, its records as
// the SQLite file holds them); without that run, those of the benchmark quote (8 GPUs × 100 h
// of demo-offer-001 for a German business, the web package's benchQuoteBody): an answer of
// 5,030 bytes of JSON (its explanation lists the measures that applied; 34,390 bytes with
// explain=all) and a record of 4,925 bytes (24,488 bytes of JSON, compressed).
type floorSizes struct {
	answer, record int
	measured       string // where the sizes come from, for the report
	// work is CPU time the floor spends on each quote besides (floorWork): 0 for the floor
	// itself; -floor-work measures it again with each of the works given.
	work time.Duration
}

var benchQuoteSizes = floorSizes{answer: 5_030, record: 4_925, measured: "the benchmark quote's: no quotes were measured before"}

// averageRecord is the average size of the quote records stored in the SQLite file dsn.
func averageRecord(dsn string) (int, error) {
	if strings.HasPrefix(dsn, "postgres") {
		return 0, errors.New("PostgreSQL: not measured")
	}
	db, err := sql.Open("sqlite3", "file:"+dsn+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var avg sql.NullFloat64
	if err := db.QueryRow("SELECT avg(length(record)) FROM quotes").Scan(&avg); err != nil {
		return 0, err
	}
	return int(avg.Float64), nil // a size in bytes, for a report
}

// floorRequest is what the floor reads of a quote request: every member, strictly, as
// Corridor's decoder does.
type floorRequest struct {
	OfferID  string          `json:"offer_id"`
	GPUs     int             `json:"gpus"`
	Hours    int             `json:"hours"`
	Buyer    json.RawMessage `json:"buyer"`
	Currency string          `json:"currency"`
	Start    string          `json:"start"`
}

// floorDriver is the SQLite driver with the automatic checkpoint off on every connection.
const floorDriver = "sqlite3-floor"

func init() {
	sql.Register(floorDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil)
		return err
	}})
}

// serveFloor serves the floor on addr over a fresh SQLite file in dir.
func serveFloor(ctx context.Context, addr, dir string, size floorSizes) error {
	path := filepath.Join(dir, "floor.db")
	db, err := sql.Open(floorDriver, "file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_txlock=immediate&_synchronous=NORMAL&_cache_size=-32768")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS quotes (id TEXT PRIMARY KEY, offer_id TEXT NOT NULL,
		gpus INTEGER NOT NULL, created_at INTEGER NOT NULL, record BLOB NOT NULL)`); err != nil {
		return err
	}
	insert, err := db.PrepareContext(ctx, "INSERT INTO quotes (id, offer_id, gpus, created_at, record) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer insert.Close()
	record := make([]byte, size.record) // random, as compressed bytes are
	rand.Read(record)
	answer := floorAnswer(size.answer)
	work := newFloorWork(size.work)
	w := &floorWriter{db: db, insert: insert, record: record, queue: make(chan *floorWrite)}
	go w.run(ctx)

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("floor") })
	app.Post("/api/v1/quotes", func(c *fiber.Ctx) error {
		var req floorRequest
		dec := json.NewDecoder(bytes.NewReader(c.Body()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.OfferID == "" || req.GPUs < 1 || req.Hours < 1 {
			return c.Status(fiber.StatusBadRequest).SendString("bad request")
		}
		work.do()
		fw := &floorWrite{id: marketplace.NewTimeOrderedID("q_", time.Now()), offer: req.OfferID, gpus: req.GPUs, done: make(chan error, 1)}
		select {
		case w.queue <- fw:
		case <-ctx.Done():
			return c.Status(fiber.StatusServiceUnavailable).SendString("stopping")
		}
		if err := <-fw.done; err != nil {
			return c.Status(fiber.StatusInternalServerError).SendString(err.Error())
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(fiber.StatusCreated).Send(answer)
	})
	return listen(ctx, app, addr)
}

// floorWriter commits the floor's records by group commit, as Corridor's quote writer does.
type floorWriter struct {
	db     *sql.DB
	insert *sql.Stmt
	record []byte
	queue  chan *floorWrite
}

type floorWrite struct {
	id, offer string
	gpus      int
	done      chan error
}

// floorLinger and floorBatch are Corridor's quoteLinger and maxQuoteBatch.
const (
	floorLinger = time.Millisecond
	floorBatch  = 64
)

func (w *floorWriter) run(ctx context.Context) {
	batch := make([]*floorWrite, 0, floorBatch)
	underLoad := false
	for {
		select {
		case fw := <-w.queue:
			batch = append(batch[:0], fw)
		case <-ctx.Done():
			return
		}
		batch = w.collect(batch, underLoad)
		underLoad = len(batch) > 1
		err := w.commit(ctx, batch)
		for _, fw := range batch {
			fw.done <- err
		}
	}
}

// collect adds to batch every record already waiting and, if linger, those that arrive
// within floorLinger, up to floorBatch.
func (w *floorWriter) collect(batch []*floorWrite, linger bool) []*floorWrite {
	for len(batch) < floorBatch {
		select {
		case fw := <-w.queue:
			batch = append(batch, fw)
			continue
		default:
		}
		break
	}
	if !linger {
		return batch
	}
	timer := time.NewTimer(floorLinger)
	defer timer.Stop()
	for len(batch) < floorBatch {
		select {
		case fw := <-w.queue:
			batch = append(batch, fw)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// commit inserts batch in one transaction.
func (w *floorWriter) commit(ctx context.Context, batch []*floorWrite) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	st := tx.StmtContext(ctx, w.insert)
	now := time.Now().Unix()
	for _, fw := range batch {
		if _, err := st.ExecContext(ctx, fw.id, fw.offer, fw.gpus, now, w.record); err != nil {
			return errors.Join(err, tx.Rollback())
		}
	}
	return tx.Commit()
}

// The quote floor with work: how the quotes' p99 depends on the CPU a quote costs. The floor
// plus a fixed computation per request (-floor-work 50us,100us,…) measured beside Corridor's
// quotes gives, on the machine and minute of the run, the p99 of a server that answers and
// stores exactly like the floor and spends that much more CPU on each quote: the CPU a quote
// can afford for a p99 target, against what Corridor's costs (the report's "server CPU a
// request" column). The computation is a register-only loop (xorshift), so it stands for
// Corridor's work in CPU time only: Corridor's touches memory, which on a shared machine can
// cost more than its CPU time says.

// floorWork spends about the given CPU time per call.
type floorWork struct {
	iterations int
}

// workSink keeps the loop's result, so that the compiler cannot drop the loop.
var workSink atomic.Uint64

// newFloorWork calibrates the loop on this machine, before the load starts: the fastest of a
// few timed runs, so that a run slowed by another process does not shorten the work.
func newFloorWork(d time.Duration) floorWork {
	if d <= 0 {
		return floorWork{}
	}
	const probe = 1 << 20
	fastest := time.Duration(1<<63 - 1)
	for range 5 {
		t0 := time.Now()
		workSink.Add(spin(probe))
		fastest = min(fastest, time.Since(t0))
	}
	return floorWork{iterations: int(float64(probe) * float64(d) / float64(max(fastest, 1)))}
}

func (w floorWork) do() {
	if w.iterations > 0 {
		workSink.Add(spin(w.iterations))
	}
}

// spin is n rounds of xorshift64, from a seed the compiler cannot know.
func spin(n int) uint64 {
	x := uint64(time.Now().UnixNano()) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// floorAnswer is a JSON document of n bytes (at least 21), built once.
func floorAnswer(n int) []byte {
	const end = `],"pad":""}`
	var b strings.Builder
	b.WriteString(`{"lines":[`)
	for i := 0; ; i++ {
		line := fmt.Sprintf(`{"line":%d,"amount":"1234.56","rule":"a rule of the policy","reference":"a legal reference","confidence":"sourced"}`, i)
		if i > 0 {
			line = "," + line
		}
		if b.Len()+len(line)+len(end) > n {
			break
		}
		b.WriteString(line)
	}
	b.WriteString(`],"pad":"`)
	for b.Len() < n-2 {
		b.WriteByte('x')
	}
	b.WriteString(`"}`)
	return []byte(b.String())
}

// startFloor runs this program as the quote floor, its database in dir.
func startFloor(ctx context.Context, dir, logPath string, size floorSizes) (*process, error) {
	floorDir, err := os.MkdirTemp(dir, "floor-")
	if err != nil {
		return nil, err
	}
	return startSelf(ctx, logPath, func(addr string) []string {
		return []string{"-floor", addr, "-floor-dir", floorDir, "-floor-answer", fmt.Sprint(size.answer), "-floor-record", fmt.Sprint(size.record),
			"-floor-work-one", size.work.String()}
	})
}

// The floor of a search: what answering GET /api/v1/offers costs when the answer is known
// before the request arrives — Fiber writing bytes of the size of Corridor's answer, nothing
// else. Corridor's typical searches are answered from its response cache, so most of their
// cost is this one, and the load generator's reading of those bytes on the same two cores;
// measured beside them, it says how fast and how steady answers of that size can be on this
// machine at all. Its size is the average answer of Corridor's typical searches measured just
// before (or searchAnswerDefault without that run).
const searchAnswerDefault = 46_100

// serveAnswerFloor serves the answer floor on addr: n bytes of JSON for every search.
func serveAnswerFloor(ctx context.Context, addr string, n int) error {
	answer := floorAnswer(n)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("floor") })
	app.Get("/api/v1/offers", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(answer)
	})
	return listen(ctx, app, addr)
}

// startAnswerFloor runs this program as the answer floor.
func startAnswerFloor(ctx context.Context, logPath string, answer int) (*process, error) {
	return startSelf(ctx, logPath, func(addr string) []string {
		return []string{"-answer-floor", addr, "-floor-answer", fmt.Sprint(answer)}
	})
}
