package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// SQLite's WAL is copied back into the database file by a checkpoint, and it starts again
// from its beginning only once a checkpoint has copied all of it. By default the connection
// whose commit takes the WAL past 1,000 pages runs the checkpoint inside that commit: under a
// steady stream of quotes that is the quote writer (quotewriter.go), every few hundred quotes,
// and while it copies and syncs a thousand pages every quote waiting behind it waits too.
// So Corridor's connections turn the automatic checkpoint off (sqliteConnectPragmas) and one
// goroutine per store checkpoints every checkpointEvery, in two steps:
//
//  1. A PASSIVE checkpoint, while the writers go on: it copies every frame no reader still
//     needs, which under load is nearly all of them — the bulk of the work, off the writers'
//     path.
//  2. When the WAL holds at least restartAfterPages, a RESTART checkpoint with the quote
//     writer held between two batches: it copies the few frames left, waits (at most
//     restartWait) for the readers still on the WAL, and so makes the next write start the
//     WAL from its beginning. Without this step the WAL of a database written and read
//     without a pause never starts again — a writer restarts it only when no reader is on it
//     — and grows without bound (740 MB in 15 s of the harness's quote load). The quotes that
//     arrive meanwhile wait, and are then written in one batch.
//
// A WAL that starts again is overwritten from its beginning; journal_size_limit truncates a
// file a burst left larger than walSizeLimit when it does.
//
// When the last connection closes SQLite checkpoints whatever is left, and after a crash the
// WAL is replayed on the next open, so no commit depends on the checkpointer.

// checkpointEvery is how often the checkpointer runs.
const checkpointEvery = 200 * time.Millisecond

// restartAfterPages is the WAL size (in pages of 4 KB) past which a checkpoint makes sure the
// WAL starts again: SQLite's own automatic checkpoint runs at 1,000.
const restartAfterPages = 1000

// restartWait bounds how long the restart waits for readers (and the quote writer with it);
// one that does not finish in time leaves the WAL for the next round.
const restartWait = 100 * time.Millisecond

// walSizeLimit is the size a WAL file is cut back to when it starts again.
const walSizeLimit = 64 << 20

// sqliteConnectPragmas are run on every new SQLite connection: the checkpoints are the
// checkpointer's job, and the WAL file is cut back to walSizeLimit when it starts again.
var sqliteConnectPragmas = fmt.Sprintf("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = %d", walSizeLimit)

// startCheckpointer starts the store's checkpointer (SQLite only); stopCheckpointer ends it.
func (s *Store) startCheckpointer() {
	if s.postgres {
		return
	}
	s.checkpointStop = make(chan struct{})
	s.checkpointDone = make(chan struct{})
	go func() {
		defer close(s.checkpointDone)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if err := s.checkpoint(context.Background()); err != nil {
					s.logger().Warn("sqlite checkpoint failed; retrying at the next tick", "error", err)
				}
			case <-s.checkpointStop:
				return
			}
		}
	}()
}

// checkpoint runs one round: PASSIVE, then RESTART when the WAL holds restartAfterPages or more.
func (s *Store) checkpoint(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := s.db.DB()
	if err != nil {
		return err
	}
	var busy, pages, copied int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &pages, &copied); err != nil {
		return err
	}
	if pages < restartAfterPages {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The connection's busy handler bounds the wait for readers (and writers other than the
	// quote writer); it is set back before the connection returns to the pool.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds())); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteBusyTimeout.Milliseconds()))
	s.quoteWriter.gate.Lock()
	defer s.quoteWriter.gate.Unlock()
	_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(RESTART)")
	return err
}

// stopCheckpointer stops the checkpointer and waits for the checkpoint it is running (Close).
func (s *Store) stopCheckpointer() {
	if s.checkpointStop == nil {
		return
	}
	s.checkpointStopOnce.Do(func() { close(s.checkpointStop) })
	<-s.checkpointDone
}

// SetLogger sets where the store reports what goes wrong in the background (the checkpointer);
// by default slog's default logger.
func (s *Store) SetLogger(l *slog.Logger) { s.log.Store(l) }

func (s *Store) logger() *slog.Logger {
	if l := s.log.Load(); l != nil {
		return l
	}
	return slog.Default()
}
