package store

import (
	"context"
	"database/sql"
	"errors"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"corridor/marketplace"
)

// Quotes are written by group commit. Every priced quote is stored before it is answered,
// and under load most of a quote's database time is the transaction around its one INSERT:
// taking SQLite's single write lock (a writer that finds it taken sleeps in SQLite's busy
// handler, 1, 2, 5, 10… ms, which is where a quote's p99 went), writing the pages to the WAL,
// committing (on PostgreSQL, one WAL flush per commit). So one goroutine per store writes the
// quotes: it takes every quote waiting when it is free — up to maxQuoteBatch, and under load
// those arriving within quoteLinger too — compresses their records (quoteRow.compress), inserts
// them (and the explanations they name that are not stored yet: quote_explanations.go) in one
// transaction, in as few multi-row statements as it can (quoteInserts), and answers each
// waiter with its own outcome. A quote is still answered only after its row is committed; a
// lone quote is written at once; under load the transaction's cost is shared by the batch,
// and the quote path never waits in SQLite's busy handler for another quote.
//
// A batch fails as a whole only when its transaction does; then each of its quotes is written
// again on its own, so every waiter gets its own error (a duplicate id is a conflict for that
// quote alone) and no quote is lost because another was bad. A quote whose request has ended
// before its batch starts is not written: nobody waits for it.

// maxQuoteBatch bounds a batch: a transaction of at most this many quote rows (records of
// about 5 KB: a few hundred KB of WAL), the most that 64 waiting connections would queue.
const maxQuoteBatch = 64

// quoteWriter is the store's quote-writing goroutine, started on the first quote.
type quoteWriter struct {
	start    sync.Once
	queue    chan *quoteWrite // unbuffered: a send succeeds only while the writer takes quotes
	stop     chan struct{}    // closed by Close
	stopped  chan struct{}    // closed when the writer has returned
	stopOnce sync.Once
	gate     sync.Mutex    // held for each batch, and by the checkpointer to hold batches back
	linger   time.Duration // 0: quoteLinger (tests set it)
}

// quoteWrite is one waiting quote.
type quoteWrite struct {
	ctx    context.Context
	row    quoteRow
	result chan error // buffered: the writer never waits for the waiter
}

// errStoreClosed answers a quote stored after Close.
var errStoreClosed = &marketplace.Error{Code: marketplace.CodeUnavailable, Message: "the server is shutting down; retry the request"}

// writeQuote hands row to the writer and waits for its commit. It returns only once the writer
// no longer reads row (refused before the writer took it, or answered after its last write),
// and gives the row's buffers back (quoteRow.release).
func (s *Store) writeQuote(ctx context.Context, row quoteRow) error {
	w := &s.quoteWriter
	w.start.Do(func() {
		w.queue = make(chan *quoteWrite)
		w.stop = make(chan struct{})
		w.stopped = make(chan struct{})
		go s.writeQuotes()
	})
	qw := &quoteWrite{ctx: ctx, row: row, result: make(chan error, 1)}
	defer qw.row.release() // the writer's copy: it holds the compressed record
	select {
	case w.queue <- qw:
	case <-w.stop:
		return errStoreClosed
	case <-ctx.Done():
		return translate("put quote", ctx.Err())
	}
	// Taken: the writer answers within one transaction, whatever happens to the request.
	return <-qw.result
}

// writeQuotes is the writer: it takes a quote, then every other quote already waiting (and,
// under load, those that arrive within quoteLinger), and commits them together, until the
// store closes.
func (s *Store) writeQuotes() {
	w := &s.quoteWriter
	defer close(w.stopped)
	batch := make([]*quoteWrite, 0, maxQuoteBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	underLoad := false
	for {
		select {
		case qw := <-w.queue:
			batch = w.collect(append(batch[:0], qw), underLoad, linger)
			underLoad = len(batch) > 1
			w.gate.Lock()
			s.commitQuotes(batch)
			w.gate.Unlock()
			clear(batch) // let the rows go
		case <-w.stop:
			return
		}
	}
}

// quoteLinger is how long the writer waits for more quotes before committing a batch, when
// the batch before held more than one (a lone quote is never held back). Like PostgreSQL's
// commit_delay: every commit writes the pages it changed to the WAL again (one system call per
// page) and makes every request re-read the change counters (datawatch.go), and on two cores
// under the bench harness's load a batch taken without waiting held two or three quotes. With
// a millisecond the harness's quotes went from 3.3–3.8k to 4.4–5.0k a second, and their p99
// from 52–60 ms to 39–43 ms (docs/performance.md).
const quoteLinger = time.Millisecond

// collect adds to batch every quote already waiting and, if linger, those that arrive within
// the writer's linger (quoteLinger; tests change it), up to maxQuoteBatch.
func (w *quoteWriter) collect(batch []*quoteWrite, linger bool, timer *time.Timer) []*quoteWrite {
	for len(batch) < maxQuoteBatch {
		select {
		case qw := <-w.queue:
			batch = append(batch, qw)
			continue
		default:
		}
		break
	}
	if !linger || len(batch) == maxQuoteBatch {
		return batch
	}
	timer.Reset(w.lingerFor())
	defer timer.Stop()
	for len(batch) < maxQuoteBatch {
		select {
		case qw := <-w.queue:
			batch = append(batch, qw)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// lingerFor is the writer's linger: quoteLinger unless a test set another.
func (w *quoteWriter) lingerFor() time.Duration {
	if w.linger > 0 {
		return w.linger
	}
	return quoteLinger
}

// stopQuoteWriter stops the writer and waits for the batch it is writing (Close). A quote
// stored afterwards is refused with errStoreClosed.
func (s *Store) stopQuoteWriter() {
	w := &s.quoteWriter
	w.start.Do(func() { // never started: nothing to wait for, and nothing will start now
		w.queue = make(chan *quoteWrite)
		w.stop = make(chan struct{})
		w.stopped = make(chan struct{})
		close(w.stopped)
	})
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.stopped
}

// quoteColumns are the quote row's columns as written by the quote writer.
const quoteColumns = `id, offer_id, gp_us, start_at, end_at, currency, total, created_at, valid_until,
		expires_unix, policy_id, policy_ver, policy_hash, quota_uses, record_version, record, buyer_id, cancel_kind, cancel_notice_hours`

// quoteColumnCount is how many quoteColumns there are (appendArgs appends one value for each).
var quoteColumnCount = strings.Count(quoteColumns, ",") + 1

// quoteInserts[k] inserts 2^k quote rows in one statement, for every 2^k ≤ maxQuoteBatch; one
// prepared statement each, for both databases. A batch is written in as few of them as its
// size has binary digits set (insertQuotes): one statement of many rows instead of one for
// each cuts database/sql's and the driver's work for each row (docs/performance.md).
var quoteInserts = func() []string {
	out := make([]string, bits.Len(maxQuoteBatch))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", quoteColumnCount), ", ") + ")"
	for k := range out {
		out[k] = "INSERT INTO quotes (" + quoteColumns + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", 1<<k), ", ")
	}
	return out
}()

// commitQuotes writes batch and answers each of its waiters.
func (s *Store) commitQuotes(batch []*quoteWrite) {
	live := batch[:0:0]
	for _, qw := range batch {
		if err := qw.ctx.Err(); err != nil {
			qw.result <- translate("put quote", err)
			continue
		}
		qw.row.compress()
		live = append(live, qw)
	}
	// The batch's statements run under no request's context: they are shared, and short.
	ctx := context.Background()
	if len(live) > 1 {
		if err := s.insertQuotes(ctx, live); err == nil {
			for _, qw := range live {
				qw.result <- nil
			}
			return
		}
		// Rolled back: each quote on its own, with its own outcome.
	}
	for _, qw := range live {
		qw.result <- translate("put quote", s.insertQuotes(ctx, []*quoteWrite{qw}))
	}
}

// insertQuotes inserts the batch's rows, and the explanations they name that are not stored
// yet (quote_explanations.go), in one transaction: all or none.
func (s *Store) insertQuotes(ctx context.Context, batch []*quoteWrite) error {
	db, err := s.db.DB()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	var wrote []string // the explanations written, remembered once committed
	for _, qw := range batch {
		if x := qw.row.Explanation; x != nil && !slices.Contains(wrote, x.hash) {
			ok, err := s.storeExplanation(ctx, tx, x)
			if err != nil {
				return errors.Join(err, tx.Rollback())
			}
			if ok {
				wrote = append(wrote, x.hash)
			}
		}
	}
	for rest := batch; len(rest) > 0; {
		k := bits.Len(uint(len(rest))) - 1 // the largest statement that rest fills
		if err := s.insertQuoteRows(ctx, tx, k, rest[:1<<k]); err != nil {
			return errors.Join(err, tx.Rollback())
		}
		rest = rest[1<<k:]
	}
	// Quotes and explanations change none of the counters the watch keeps (datawatch.go).
	before, watched := s.watch.walIndexHeader()
	if err := tx.Commit(); err != nil {
		return err
	}
	if watched {
		s.watch.keepAcross(before)
	}
	s.explained.remember(wrote...)
	return nil
}

// insertQuoteRows inserts the 2^k quote rows of batch in tx, with quoteInserts[k].
func (s *Store) insertQuoteRows(ctx context.Context, tx *sql.Tx, k int, batch []*quoteWrite) error {
	st, err := s.stmt(ctx, quoteInserts[k])
	if err != nil {
		return translate("put quote", err)
	}
	st = tx.StmtContext(ctx, st) // the statement prepared on the transaction's connection, kept by database/sql
	args := make([]any, 0, quoteColumnCount*len(batch))
	for _, qw := range batch {
		args = qw.row.appendArgs(args)
	}
	_, err = st.ExecContext(ctx, args...)
	return s.translateRaw("put quote", err)
}

// appendArgs appends the row's values in quoteColumns' order.
func (row *quoteRow) appendArgs(args []any) []any {
	return append(args, row.ID, row.OfferID, row.GPUs, row.StartAt, row.EndAt, row.Currency, row.Total.String(), row.CreatedAt,
		row.ValidUntil, row.ExpiresUnix, row.PolicyID, row.PolicyVer, row.PolicyHash, row.QuotaUses, row.RecordVersion, row.Record,
		row.BuyerID, row.CancelKind, row.CancelNoticeHours)
}
