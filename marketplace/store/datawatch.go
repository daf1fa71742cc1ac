package store

import (
	"context"
	"database/sql"
	"sync"

	"corridor/marketplace"
)

// Every request that reads the market reads the change counters first (ReferenceVersions),
// and on SQLite that read was a quarter of the server's CPU for a search answered from the
// response cache: a read transaction, a scan of reference_versions, database/sql around it.
// SQLite can say more cheaply that nothing has changed: PRAGMA data_version, asked on one
// connection, changes whenever any other connection — of this process or another — has
// committed since that connection last asked. So the store keeps one connection of its own
// for the question (dataWatch), and gives the counters it read last again while the answer
// is unchanged. The counters are read after the data version they are kept with, so they are
// at least as new as it: while it does not change, nothing has been committed since, and they
// are the stored ones. Under a stream of writes (quotes) the version changes at every commit
// and the counters are read as before, one pragma later. PostgreSQL has no such question, and
// reads the counters every time.
type dataWatch struct {
	db   *sql.DB   // one connection, beside the pool
	conn *sql.Conn // held for the store's life
	stmt *sql.Stmt // PRAGMA data_version, prepared on conn

	mu       sync.Mutex // conn is used by one request at a time
	known    bool
	version  int64                         // the data version read before versions
	versions marketplace.ReferenceVersions // the counters read after it
}

// openDataWatch opens the watch's connection to the SQLite file at path.
func openDataWatch(ctx context.Context, path string) (*dataWatch, error) {
	db, err := sql.Open(sqliteDriver(), sqliteDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	stmt, err := conn.PrepareContext(ctx, "PRAGMA data_version")
	if err != nil {
		conn.Close()
		db.Close()
		return nil, err
	}
	return &dataWatch{db: db, conn: conn, stmt: stmt}, nil
}

// dataVersion asks the watch's connection for the data version.
func (w *dataWatch) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := w.stmt.QueryRowContext(ctx).Scan(&v)
	return v, err
}

// close releases the watch's connection.
func (w *dataWatch) close() {
	w.stmt.Close()
	w.conn.Close()
	w.db.Close()
}

// referenceVersions returns the counters through the watch: those kept when the data version
// is the one they were kept with, else read (by read) and kept with the version read before.
func (w *dataWatch) referenceVersions(ctx context.Context, read func(context.Context) (marketplace.ReferenceVersions, error)) (marketplace.ReferenceVersions, error) {
	w.mu.Lock()
	dv, err := w.dataVersion(ctx)
	if err == nil && w.known && dv == w.version {
		v := w.versions
		w.mu.Unlock()
		return v, nil
	}
	w.mu.Unlock()
	v, rerr := read(ctx)
	if rerr != nil || err != nil {
		return v, rerr // a failed pragma only costs the shortcut
	}
	w.mu.Lock()
	w.known, w.version, w.versions = true, dv, v
	w.mu.Unlock()
	return v, nil
}
