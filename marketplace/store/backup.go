package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupPostgres is Backup's answer on PostgreSQL, whose own tool makes consistent online
// copies.
var ErrBackupPostgres = errors.New("PostgreSQL databases are backed up with pg_dump, e.g. pg_dump --format=custom --file corridor.dump \"$CORRIDOR_DB\" (restore with pg_restore --dbname URL corridor.dump)")

// Backup writes a consistent copy of the SQLite database to path while the database stays in
// use: VACUUM INTO reads one snapshot (writers carry on; the copy holds every transaction
// committed before it began and none after) and writes a compact database file. The copy
// goes to a temporary file beside path, is synced, and is renamed into place, so path is
// either absent or complete. path must not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.postgres {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".partial")
	os.Remove(tmp)
	if err := s.gormDB(ctx).Exec("VACUUM INTO ?", tmp).Error; err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(dir)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
