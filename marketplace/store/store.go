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
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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
	pool     Pool // as applied

	stmts sync.Map // prepared statements of the hot paths, by query (rawsql.go)

	quoteWriter quoteWriter  // writes quotes by group commit (quotewriter.go)
	explained   explanations // the quote explanations stored once (quote_explanations.go)
	watch       *dataWatch   // SQLite: whether anything was committed (datawatch.go)

	// The SQLite checkpointer (checkpoint.go).
	sqlitePath                     string
	checkpointStop, checkpointDone chan struct{}
	checkpointStopOnce             sync.Once
	restartAfter                   atomic.Int64 // WAL pages; 0: restartAfterPages (tests set it)
	onRestart                      atomic.Pointer[func(held time.Duration, done bool)]
	log                            atomic.Pointer[slog.Logger]
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
	return "file:" + path + fmt.Sprintf("?_foreign_keys=on&_busy_timeout=%d", sqliteBusyTimeout.Milliseconds()) +
		"&_journal_mode=WAL&_txlock=immediate&_synchronous=NORMAL&_cache_size=-32768"
}

// sqliteBusyTimeout is how long an SQLite statement waits for a lock before failing.
const sqliteBusyTimeout = 10 * time.Second

// Open connects to dsn (an SQLite file path or a postgres:// URL) with the default pool,
// checks that the database answers and runs the migrations it has not run yet (migrations.go).
func Open(ctx context.Context, dsn string) (*Store, error) {
	return openWith(ctx, dsn, LatestSchemaVersion(), Pool{})
}

// OpenPool is Open with the connection pool sized by p (zero fields take the defaults).
func OpenPool(ctx context.Context, dsn string, p Pool) (*Store, error) {
	return openWith(ctx, dsn, LatestSchemaVersion(), p)
}

// Pool sizes the connection pool; a zero field takes its default (PoolDefaults).
type Pool struct {
	// MaxOpen caps the open connections: default 20 on PostgreSQL, 8 on SQLite (one writer;
	// a few readers in parallel under WAL, each with its own 32 MiB page cache).
	MaxOpen int
	// MaxIdle is how many connections are kept open between requests: default MaxOpen, so a
	// busy server keeps its connections instead of opening a session per burst (database/sql
	// keeps 2 by default: under load PostgreSQL then saw ~100 new sessions a second).
	MaxIdle int
	// MaxLifetime closes a connection this long after it was opened (default 30 minutes), so
	// that connections move to a replica or a restarted proxy in time; negative: never.
	MaxLifetime time.Duration
	// MaxIdleTime closes a connection unused for this long (default 5 minutes), so a server
	// gives back what a burst opened; negative: never.
	MaxIdleTime time.Duration
}

// PoolDefaults returns p with its zero fields set to the defaults for the database.
func PoolDefaults(p Pool, postgres bool) Pool {
	if p.MaxOpen <= 0 {
		p.MaxOpen = 8
		if postgres {
			p.MaxOpen = 20
		}
	}
	if p.MaxIdle <= 0 || p.MaxIdle > p.MaxOpen {
		p.MaxIdle = p.MaxOpen
	}
	if p.MaxLifetime == 0 {
		p.MaxLifetime = 30 * time.Minute
	}
	if p.MaxIdleTime == 0 {
		p.MaxIdleTime = 5 * time.Minute
	}
	return p
}

// apply sets the pool of db to p (defaults filled in); a negative duration is no limit.
func (p Pool) apply(db *sql.DB) {
	db.SetMaxOpenConns(p.MaxOpen)
	db.SetMaxIdleConns(p.MaxIdle)
	db.SetConnMaxLifetime(max(p.MaxLifetime, 0))
	db.SetConnMaxIdleTime(max(p.MaxIdleTime, 0))
}

// PoolSettings returns the pool settings the store applied.
func (s *Store) PoolSettings() Pool { return s.pool }

// openAt is Open running the migrations up to version only (tests build old databases).
func openAt(ctx context.Context, dsn string, version int) (*Store, error) {
	return openWith(ctx, dsn, version, Pool{})
}

// openWith opens dsn with the pool p and runs the migrations up to version.
func openWith(ctx context.Context, dsn string, version int, pool Pool) (*Store, error) {
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
	s := &Store{db: db, postgres: pg, pool: PoolDefaults(pool, pg)}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open database: %w", err)
	}
	s.pool.apply(sqlDB)
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
	if !pg {
		if s.watch, err = openDataWatch(ctx, dsn); err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("store: open database: %w", err)
		}
	}
	if !pg {
		s.sqlitePath = dsn
	}
	s.startCheckpointer()
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
	s.stopQuoteWriter()
	s.stopCheckpointer()
	if s.watch != nil {
		s.watch.close()
	}
	s.closeStmts()
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// gormDB is the GORM handle for one call under ctx, as the driver should see it (quiet).
func (s *Store) gormDB(ctx context.Context) *gorm.DB { return s.db.WithContext(s.quiet(ctx)) }

// quiet is ctx as the SQLite driver should see it. Whenever a context can be cancelled,
// go-sqlite3 runs every row step and every exec on a new goroutine (and database/sql watches
// every result set with another): about a third of a search page's CPU and half its latency
// under load. A request's SQLite statements are bounded (a page of offers, one quote, an
// aggregate through an index), so the driver gets the context without its cancellation, and a
// context that has already ended is passed as it is, so its call fails at once. An abandoned
// request therefore stops at its next statement (and transactions, which keep the context so
// that database/sql rolls them back, stop at once) rather than inside one. PostgreSQL keeps
// the context: its driver cancels a running query cheaply.
func (s *Store) quiet(ctx context.Context) context.Context {
	if s.postgres || ctx.Done() == nil || ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

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
