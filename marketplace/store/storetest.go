package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestPostgresEnv names the environment variable that points the test suites at PostgreSQL
// (a URL such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
const TestPostgresEnv = "CORRIDOR_TEST_POSTGRES"

// TB is the part of testing.TB that the test helpers below use (so that this file does not
// pull the testing package into the binary).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// TestDSN returns the database a test runs against: a fresh PostgreSQL schema when
// CORRIDOR_TEST_POSTGRES is set, else a fresh SQLite file in the test's temporary directory.
// Every suite opens its databases through it (or OpenTest), so the same tests run on SQLite
// by default and on PostgreSQL in CI.
func TestDSN(t TB) string {
	t.Helper()
	if dsn := os.Getenv(TestPostgresEnv); dsn != "" {
		return NewTestPostgresSchema(t, dsn)
	}
	return filepath.Join(t.TempDir(), "corridor.db")
}

// OpenTest opens a store on TestDSN and closes it when the test ends.
func OpenTest(t TB) *Store {
	t.Helper()
	st, err := Open(context.Background(), TestDSN(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// OpenTestPostgres opens a store on a schema of its own inside the database at dsn and drops
// the schema when the test ends, so tests never see each other's rows.
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
	// A plain connection: the schema under test is migrated by the stores opened on it.
	admin, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return dsn + sep + "search_path=" + schema
}

// ColumnsContaining returns "table.column" for every value in every table of the database
// whose text or bytes contain needle: tests use it to prove that a secret is stored nowhere.
func (s *Store) ColumnsContaining(ctx context.Context, needle string) ([]string, error) {
	tables, err := s.tableNames(ctx)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, table := range tables {
		rows, err := s.gormDB(ctx).Raw(`SELECT * FROM "` + table + `"`).Rows()
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		hit := map[string]bool{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			for i, v := range vals {
				var text string
				switch v := v.(type) {
				case []byte:
					text = string(v)
				case string:
					text = v
				default:
					text = fmt.Sprint(v)
				}
				if strings.Contains(text, needle) && !hit[cols[i]] {
					hit[cols[i]] = true
					found = append(found, table+"."+cols[i])
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}
