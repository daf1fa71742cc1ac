package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"corridor/marketplace/store"
)

// backupCommand handles `corridor backup FILE`: a consistent copy of the SQLite database,
// taken while servers keep running. Restoring is copying FILE back in place of the database
// (with the servers stopped) or pointing --db at it.
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("backup", "corridor backup [--db DSN] FILE", stdout)
	db := dbFlag(fs, getenv)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("backup: name one file to write (see --help)")
	}
	file := fs.Arg(0)
	if store.IsPostgres(*db) {
		return fmt.Errorf("backup: %w", store.ErrBackupPostgres)
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s in %s\n", *db, file, time.Since(start).Round(time.Millisecond))
	return nil
}
