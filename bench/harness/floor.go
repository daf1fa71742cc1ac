package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	_ "github.com/mattn/go-sqlite3" // the driver Corridor's store uses
)

// The floor of a persisted quote: what answering POST /api/v1/quotes costs when everything
// that can be computed has been computed ahead of time, so that only the work no persisted
// quote can avoid is left — Fiber, reading and checking the JSON request, one INSERT of a
// record the size of Corridor's into an SQLite file in WAL mode (the store's settings:
// synchronous=NORMAL, a prepared statement, at most 8 connections), and writing an answer the
// size of Corridor's. No pricing, no JSON encoding, no compression. Measured beside the
// hello-world and Corridor's own quotes, it says how far any implementation of the same
// answer on this machine can get: when the floor itself is further from the hello-world than
// the target, the target is out of reach for an answer of that size.
//
// The sizes are the averages of the quotes Corridor answered and stored in the same run, just
// before (the "quote" endpoint: its answers as the load generator read them, its records as
// the SQLite file holds them); without that run, those of the benchmark quote (8 GPUs × 100 h
// of demo-offer-001 for a German business, the web package's benchQuoteBody): an answer of
// 34,349 bytes of JSON and a record of 4,925 bytes (24,488 bytes of JSON, compressed).
type floorSizes struct {
	answer, record int
	measured       string // where the sizes come from, for the report
}

var benchQuoteSizes = floorSizes{answer: 34_349, record: 4_925, measured: "the benchmark quote's: no quotes were measured before"}

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

// serveFloor serves the floor on addr over a fresh SQLite file in dir.
func serveFloor(ctx context.Context, addr, dir string, size floorSizes) error {
	path := filepath.Join(dir, "floor.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_txlock=immediate&_synchronous=NORMAL&_cache_size=-32768")
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

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("floor") })
	app.Post("/api/v1/quotes", func(c *fiber.Ctx) error {
		var req floorRequest
		dec := json.NewDecoder(bytes.NewReader(c.Body()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.OfferID == "" || req.GPUs < 1 || req.Hours < 1 {
			return c.Status(fiber.StatusBadRequest).SendString("bad request")
		}
		var id [16]byte
		rand.Read(id[:])
		if _, err := insert.ExecContext(c.UserContext(), "q_"+hex.EncodeToString(id[:]), req.OfferID, req.GPUs, time.Now().Unix(), record); err != nil {
			return c.Status(fiber.StatusInternalServerError).SendString(err.Error())
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(fiber.StatusCreated).Send(answer)
	})
	return listen(ctx, app, addr)
}

// floorAnswer is a JSON document of n bytes, built once.
func floorAnswer(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"lines":[`)
	for i := 0; b.Len() < n-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"line":%d,"amount":"1234.56","rule":"a rule of the policy","reference":"a legal reference","confidence":"sourced"}`, i)
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
		return []string{"-floor", addr, "-floor-dir", floorDir, "-floor-answer", fmt.Sprint(size.answer), "-floor-record", fmt.Sprint(size.record)}
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
