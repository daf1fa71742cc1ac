package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"sync"

	"corridor/marketplace"
)

// Every request that reads the market reads the change counters first (ReferenceVersions),
// and on SQLite that read was a quarter of the server's CPU for a search answered from the
// response cache: a read transaction, a scan of reference_versions, database/sql around it.
// SQLite can say more cheaply that nothing has changed, so the store keeps the counters it
// read last with a mark of the database's state read just before them, and gives them again
// while the mark is unchanged. The mark is, in order of preference:
//
//   - The WAL-index header, the first 96 bytes of the database's -shm file (two copies of 48
//     bytes; https://www.sqlite.org/walformat.html): every commit, by any connection of any
//     process, rewrites it (iChange counts transactions; mxFrame and the frame checksum move
//     with every commit; the salts change when the WAL starts again). Mapped read-only, it is
//     read with a copy of 96 bytes, no system call. A copy torn by a concurrent commit differs
//     from the last one, and only costs a read of the counters.
//   - PRAGMA data_version, asked on a connection of the store's own, which changes whenever
//     another connection has committed since it last asked: where the file cannot be mapped.
//
// The counters are read after the mark they are kept with, so they are at least as new as it:
// while the mark is unchanged nothing has been committed since, and they are the stored ones.
// The quote writer's commits, which change no counter, move the mark on with them
// (keepAcross). Under a stream of other writes the mark changes at every commit. Then the
// requests that find the same new mark share one read of the counters: the first reads them,
// the others wait for its answer, which was read after the mark they found and so is as new
// as they need (a read that fails is not shared; each request then reads for itself).
// PostgreSQL has neither mark, and reads the counters every time.
type dataWatch struct {
	db   *sql.DB   // one connection, beside the pool; it also keeps the -shm file open
	conn *sql.Conn // held for the store's life
	stmt *sql.Stmt // PRAGMA data_version, prepared on conn

	header []byte // the mapped WAL-index header, or nil
	unmap  func()

	mu       sync.Mutex // conn is used by one request at a time
	known    bool
	mark     [walIndexHeaderSize]byte      // the state read before versions (header, or data version)
	versions marketplace.ReferenceVersions // the counters read after it
	reading  *versionsRead                 // the read of the counters under way, if any
}

// versionsRead is one read of the counters, after the mark it was started with; done is closed
// when versions and err are set.
type versionsRead struct {
	mark     [walIndexHeaderSize]byte
	done     chan struct{}
	versions marketplace.ReferenceVersions
	err      error
}

// walIndexHeaderSize is the WAL-index header: two copies of its 48 bytes.
const walIndexHeaderSize = 96

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
	w := &dataWatch{db: db, conn: conn, stmt: stmt}
	// The connection has opened the database in WAL mode, so its -shm file exists.
	var one int
	if err := conn.QueryRowContext(ctx, "SELECT 1 FROM reference_versions LIMIT 1").Scan(&one); err == nil {
		w.header, w.unmap, _ = walHeader(path)
	}
	return w, nil
}

// state reads the mark of the database's state: the WAL-index header, or the data version.
func (w *dataWatch) state(ctx context.Context) (mark [walIndexHeaderSize]byte, err error) {
	if w.header != nil {
		copy(mark[:], w.header)
		return mark, nil
	}
	v, err := w.dataVersion(ctx)
	binary.LittleEndian.PutUint64(mark[:], uint64(v))
	return mark, err
}

// dataVersion asks the watch's connection for the data version.
func (w *dataWatch) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := w.stmt.QueryRowContext(ctx).Scan(&v)
	return v, err
}

// Under a stream of quotes the mark changes at every commit, and reading the counters again
// after each was a thirtieth of the server's CPU, for commits that change none of them: the
// quote writer's insert only quotes and their explanations, which no counter counts. So the
// writer reads the header before its commit and tells the watch after it (keepAcross); the
// watch keeps its counters with the new header when they were kept with the one before and
// the header counts exactly one transaction more (iChange, which SQLite adds one to at each
// commit and at nothing else: any other commit between the two reads, by any connection,
// makes it two or more).

// walIndexHeader is the mapped header as read now, and whether it is whole: the two copies
// equal (a commit writes the second, then the first). ok is false where it is not mapped.
func (w *dataWatch) walIndexHeader() (h [walIndexHeaderSize]byte, ok bool) {
	if w == nil {
		return h, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.header == nil {
		return h, false
	}
	copy(h[:], w.header)
	return h, wholeHeader(h)
}

// wholeHeader reports whether the two copies of the header h are the same.
func wholeHeader(h [walIndexHeaderSize]byte) bool {
	return [walIndexHeaderSize / 2]byte(h[:walIndexHeaderSize/2]) == [walIndexHeaderSize / 2]byte(h[walIndexHeaderSize/2:])
}

// transactions is the header's count of committed transactions (iChange: bytes 8 to 12, in
// the machine's byte order, https://www.sqlite.org/walformat.html).
func transactions(h [walIndexHeaderSize]byte) uint32 { return binary.NativeEndian.Uint32(h[8:12]) }

// keepAcross is told, after a commit of the store's own that changed no counter, the header
// read before it (walIndexHeader): the counters kept with that header are kept with the header
// now when the commit was the only one between the two.
func (w *dataWatch) keepAcross(before [walIndexHeaderSize]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.header == nil || !w.known || w.mark != before {
		return
	}
	var after [walIndexHeaderSize]byte
	copy(after[:], w.header)
	if wholeHeader(after) && transactions(after) == transactions(before)+1 {
		w.mark = after
	}
}

// close releases the watch's connection.
func (w *dataWatch) close() {
	// Under mu: a request still reading the header (one that outlived the server's shutdown)
	// finds it gone and asks SQLite, which answers that the store is closed.
	w.mu.Lock()
	unmap := w.unmap
	w.header, w.unmap = nil, nil
	w.mu.Unlock()
	if unmap != nil {
		unmap()
	}
	w.stmt.Close()
	w.conn.Close()
	w.db.Close()
}

// referenceVersions returns the counters through the watch: those kept when the mark is the one
// they were kept with, else read (by read) and kept with the mark read before.
func (w *dataWatch) referenceVersions(ctx context.Context, read func(context.Context) (marketplace.ReferenceVersions, error)) (marketplace.ReferenceVersions, error) {
	w.mu.Lock()
	mark, err := w.state(ctx)
	if err != nil { // a failed pragma only costs the shortcut
		w.mu.Unlock()
		return read(ctx)
	}
	if w.known && mark == w.mark {
		v := w.versions
		w.mu.Unlock()
		return v, nil
	}
	if r := w.reading; r != nil && r.mark == mark {
		w.mu.Unlock()
		select {
		case <-r.done:
			if r.err == nil {
				return r.versions, nil
			}
			return read(ctx) // its reader's error (its request ended, say) is not this request's
		case <-ctx.Done():
			return marketplace.ReferenceVersions{}, ctx.Err()
		}
	}
	r := &versionsRead{mark: mark, done: make(chan struct{})}
	w.reading = r
	w.mu.Unlock()
	r.versions, r.err = read(ctx)
	close(r.done)
	w.mu.Lock()
	if w.reading == r {
		w.reading = nil
	}
	if r.err == nil {
		w.known, w.mark, w.versions = true, mark, r.versions
	}
	w.mu.Unlock()
	return r.versions, r.err
}
