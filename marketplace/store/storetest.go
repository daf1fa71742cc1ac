package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// TB is the part of testing.TB that OpenTestPostgres uses (so that this file does not pull the
// testing package into the binary).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// OpenTestPostgres opens a store on a schema of its own inside the database at dsn and drops
// the schema when the test ends, so tests never see each other's rows. It is exported for the
// tests of other packages (web runs two servers on one schema with NewTestPostgresSchema).
func OpenTestPostgres(t TB, dsn string) *Store {
	t.Helper()
	schemaDSN := NewTestPostgresSchema(t, dsn)
	st, err := Open(context.Background(), schemaDSN)
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// NewTestPostgresSchema creates a fresh schema in the database at dsn, drops it when the test
// ends, and returns a DSN that selects it; several stores may be opened on that DSN to act as
// several Corridor processes sharing one database.
func NewTestPostgresSchema(t TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if err := admin.db.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	t.Cleanup(func() {
		admin.db.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return dsn + sep + "search_path=" + schema
}
