package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// SQLite's WAL is copied back into the database file by a checkpoint, and it starts again
// from its beginning only once a checkpoint has copied all of it. By default the connection
// whose commit takes the WAL past 1,000 pages runs the checkpoint inside that commit: under a
// steady stream of quotes that is the quote writer (quotewriter.go), every few hundred quotes,
// and while it copies and syncs a thousand pages every quote waiting behind it waits too.
// So Corridor's connections turn the automatic checkpoint off (sqliteConnectPragmas) and one
// goroutine per store checkpoints every checkpointEvery:
//
//  1. A PASSIVE checkpoint, while the writers go on: it copies every frame no reader still
//     needs, which under load is nearly all of them — the bulk of the work, off the writers'
//     path.
//  2. When the WAL holds at least restartAfterPages, a restart, so that the WAL starts again
//     from its beginning. Without it the WAL of a database written and read without a pause
//     never starts again — a writer restarts it only when no reader is on it — and grows
//     without bound (740 MB in 15 s of the harness's quote load). SQLite's RESTART checkpoint
//     takes the write lock, so it runs with the quote writer held between two batches (the
//     quotes that arrive meanwhile wait, and are then written in one batch), and everything
//     it does is time every quote waits. So the restart is prepared with the writers running:
//     a. Rounds of a PASSIVE checkpoint and an fsync of the database and WAL files, until a
//        round finds few new frames (restartHeldFrames). Under load a PASSIVE checkpoint
//        does not sync the database file (SQLite syncs it only when the checkpoint reaches
//        the end of the WAL, which a writer has moved on meanwhile), so without this the
//        RESTART's one sync wrote back every page copied since the last restart.
//     b. The RESTART, with the quote writer held: it copies and syncs the frames written
//        since the last round and waits for the readers that began before it (polling
//        every restartPoll). Measured under the bench harness's quotes it held the writer
//        7–28 ms every 200 ms when it did all of that itself (with a WAL of 1,000 pages
//        before it ran); prepared, and with a WAL of 16,384 pages, about 3–8 ms every few
//        seconds (docs/performance.md).
//
// A WAL that starts again is overwritten from its beginning; journal_size_limit truncates a
// file a burst left larger than walSizeLimit when it does.
//
// When the last connection closes SQLite checkpoints whatever is left, and after a crash the
// WAL is replayed on the next open, so no commit depends on the checkpointer.

// checkpointEvery is how often the checkpointer runs.
const checkpointEvery = 200 * time.Millisecond

// restartAfterPages is the WAL size (in pages of 4 KB) past which a checkpoint makes sure the
// WAL starts again: walSizeLimit. Each restart holds the quote writer for a few milliseconds
// (a sync at least), so a larger WAL makes that rarer; SQLite's own automatic checkpoint
// runs at 1,000 pages. Tests set Store.restartAfter lower.
const restartAfterPages = walSizeLimit / 4096

// restartHeldFrames and maxPrepareRounds bound the rounds that prepare a restart: they go on
// while a round found more than restartHeldFrames new frames, at most maxPrepareRounds.
const (
	restartHeldFrames = 32
	maxPrepareRounds  = 4
)

// restartWait bounds how long the restart waits for readers (and the quote writer with it);
// one that does not finish in time leaves the WAL for the next round.
const restartWait = 100 * time.Millisecond

// restartPoll is how long the restart sleeps before it tries again while readers that began
// before it are still on the WAL. They are short, and SQLite's busy handler would sleep 1, 2,
// 5, 10… ms between its tries, with the quote writer held.
const restartPoll = 200 * time.Microsecond

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

// checkpoint runs one round: PASSIVE, then a restart when the WAL holds restartAfterPages or
// more.
func (s *Store) checkpoint(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := s.db.DB()
	if err != nil {
		return err
	}
	var busy, frames, copied int
	passive := func() error {
		return db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	}
	if err := passive(); err != nil {
		return err
	}
	restartAfter := restartAfterPages
	if n := s.restartAfter.Load(); n > 0 {
		restartAfter = int(n)
	}
	if frames < restartAfter {
		return nil
	}
	// Prepare, with the writers running (step a above). A frame count that went down means
	// the WAL started again meanwhile, which ends the preparation too.
	for range maxPrepareRounds {
		before := frames
		presync(s.sqlitePath)
		presync(s.sqlitePath + "-wal")
		if err := passive(); err != nil {
			return err
		}
		if frames-before <= restartHeldFrames {
			break
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The connection does not wait in SQLite's busy handler (restartPoll says why); it is set
	// back before the connection returns to the pool.
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteBusyTimeout.Milliseconds()))
	s.quoteWriter.gate.Lock()
	defer s.quoteWriter.gate.Unlock()
	held := time.Now()
	for deadline := held.Add(restartWait); ; {
		// busy is 1 while readers that began before the restart are on the WAL (or another
		// connection writes): everything up to them is copied, and the next try only waits.
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &copied); err != nil {
			return err
		}
		if busy == 0 || time.Now().After(deadline) { // not done in time: the next tick tries again
			if f := s.onRestart.Load(); f != nil {
				(*f)(time.Since(held), busy == 0)
			}
			return nil
		}
		time.Sleep(restartPoll)
	}
}

// presync writes back what is written of the file at path, so that the RESTART's own sync
// finds little left to write. It only saves the quote writer time, and the RESTART syncs
// whatever it needs for durability itself, so a failure here is not one: it shows as a longer
// hold (corridor_sqlite_wal_restart_hold_seconds). Opened for writing, as some systems require
// to sync a file.
func presync(path string) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer f.Close()
	f.Sync()
}

// OnWALRestart sets f to be called after each restart the checkpointer tries (SQLite only):
// how long the quote writer was held, and whether the WAL will start again (false: readers
// stayed on it past restartWait, and the next round tries again). The server counts them in
// its metrics.
func (s *Store) OnWALRestart(f func(held time.Duration, done bool)) { s.onRestart.Store(&f) }

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
