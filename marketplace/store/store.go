// Package store is the GORM adapter of marketplace.Store for SQLite (the embedded default) and
// PostgreSQL. Row types are private; decimals are stored as TEXT (exact) with integer shadow
// columns where SQL must filter or sort by an amount; instants that SQL compares are stored as
// Unix seconds so that both databases compare them the same way.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"corridor/marketplace"
)

// Store implements marketplace.Store on one GORM database.
type Store struct {
	db       *gorm.DB
	postgres bool
	stmts    sync.Map // prepared statements of the hot paths, by query (rawsql.go)
}

var _ marketplace.Store = (*Store)(nil)

// IsPostgres reports whether dsn selects PostgreSQL rather than an SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN adds the pragmas Corridor relies on: foreign keys, a busy timeout so concurrent
// writers queue instead of failing, WAL so readers never block the writer, and immediate
// transactions so a read-then-write transaction takes the write lock at BEGIN (without it,
// two such transactions deadlock and one fails with "database is locked").
func sqliteDSN(path string) string {
	return "file:" + path + "?_foreign_keys=on&_busy_timeout=10000&_journal_mode=WAL&_txlock=immediate&_synchronous=NORMAL&_cache_size=-32768"
}

// Open connects to dsn (an SQLite file path or a postgres:// URL), checks that the database
// answers and runs the migrations it has not run yet (migrations.go).
func Open(ctx context.Context, dsn string) (*Store, error) {
	return openAt(ctx, dsn, LatestSchemaVersion())
}

// openAt is Open running the migrations up to version only (tests build old databases).
func openAt(ctx context.Context, dsn string, version int) (*Store, error) {
	cfg := &gorm.Config{TranslateError: true, Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }}
	var (
		db  *gorm.DB
		err error
		pg  = IsPostgres(dsn)
	)
	if pg {
		db, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		if err := checkSQLiteDir(dsn); err != nil {
			return nil, err
		}
		db, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver(), DSN: sqliteDSN(dsn)}), cfg)
	}
	if err != nil {
		// gorm.Open already connects (and pings PostgreSQL): a failure here means unreachable.
		return nil, fmt.Errorf("store: database unreachable: %w", err)
	}
	s := &Store{db: db, postgres: pg}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	if pg {
		sqlDB.SetMaxOpenConns(20)
	} else {
		// SQLite has one writer; a small pool keeps readers parallel under WAL.
		sqlDB.SetMaxOpenConns(8)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: database unreachable: %w", err)
	}
	if err := s.migrateTo(ctx, version); err != nil {
		sqlDB.Close()
		return nil, err
	}
	if version < LatestSchemaVersion() {
		return s, nil
	}
	if err := backfillOfferSearch(ctx, s); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: fill offer search columns: %w", err)
	}
	return s, nil
}

// checkSQLiteDir makes sure the directory of the SQLite file path exists and can be written:
// SQLite creates the file and, in WAL mode, its -wal and -shm files beside it, and when it
// cannot it reports "unable to open database file: no such file or directory" whatever the
// cause. Trying first names the real one ("permission denied").
func checkSQLiteDir(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("store: create data directory %s: %w", dir, unwrapPath(err))
	}
	probe, err := os.CreateTemp(dir, ".corridor-write-check-*")
	if err != nil {
		return fmt.Errorf("store: cannot write in the database directory %s (SQLite creates %s and its -wal and -shm files there): %w",
			dir, filepath.Base(path), unwrapPath(err))
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(name)
}

// unwrapPath returns the cause of a file-system error without the path it names ("permission
// denied" rather than "open /x/.corridor-write-check-123: permission denied"), which the
// caller's message already says better.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the database.
func (s *Store) Close() error {
	s.closeStmts()
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// DB exposes the GORM handle to this package's tests.
func (s *Store) gormDB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// translate maps database errors onto domain errors; anything unexpected keeps its text for
// the log but is an internal error for the client.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *marketplace.Error
	switch {
	case errors.As(err, &de):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "not found", Err: fmt.Errorf("store: %s: %w", op, err)}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &marketplace.Error{Code: marketplace.CodeConflict, Message: "already exists", Err: fmt.Errorf("store: %s: %w", op, err)}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &marketplace.Error{Code: marketplace.CodeInvalid, Message: "refers to something that does not exist", Err: fmt.Errorf("store: %s: %w", op, err)}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &marketplace.Error{Code: marketplace.CodeUnavailable, Message: "request cancelled or timed out", Err: fmt.Errorf("store: %s: %w", op, err)}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// Pool is the database's connection pool, for its statistics (the /metrics endpoint).
func (s *Store) Pool() *sql.DB {
	sqlDB, _ := s.db.DB()
	return sqlDB
}
