package store

import (
	"context"
	"log/slog"
	"time"
)

// SQLite's WAL is copied back into the database file by a checkpoint. By default the
// connection whose commit takes the WAL past 1,000 pages runs it, inside that commit: under a
// steady stream of quotes that is the quote writer (quotewriter.go), every few hundred quotes,
// and while it copies and syncs the pages every quote waiting behind it waits too (measured
// with the bench harness: a batch took 0.6–1.1 ms with the automatic checkpoint against
// 0.2 ms without). So Corridor's connections turn the automatic checkpoint off
// (sqliteConnectPragmas) and one goroutine per store runs a PASSIVE checkpoint every
// checkpointEvery instead: it copies what no reader still needs, never waits for a reader or
// a writer, and writers keep appending to the WAL while it runs. The WAL starts again from its
// beginning once a checkpoint has copied all of it, as with the automatic one. When the last
// connection closes SQLite checkpoints whatever is left, and after a crash the WAL is replayed
// on the next open, so no commit depends on the checkpointer.

// checkpointEvery is how often the checkpointer runs: often enough that the WAL stays a few
// MB under the heaviest quote load the harness applies (about 3,000 pages a second).
const checkpointEvery = 200 * time.Millisecond

// sqliteConnectPragmas are run on every new SQLite connection.
const sqliteConnectPragmas = "PRAGMA wal_autocheckpoint = 0" // the checkpointer's job

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
				s.checkpoint()
			case <-s.checkpointStop:
				return
			}
		}
	}()
}

// checkpoint runs one PASSIVE checkpoint. A failure is logged and retried at the next tick:
// meanwhile the WAL only grows.
func (s *Store) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.db.WithContext(ctx).Exec("PRAGMA wal_checkpoint(PASSIVE)").Error; err != nil {
		s.logger().Warn("sqlite checkpoint failed; retrying at the next tick", "error", err)
	}
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
