package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// release1 is a database made by the first release (testdata/release1/README.md).
const release1 = "testdata/release1"

// copyRelease1 copies the first release's database into a temp directory.
func copyRelease1(t *testing.T) string {
	t.Helper()
	src, err := os.Open(filepath.Join(release1, "corridor.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "corridor.db")
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// release1Manifest lists the quotes and orders of the fixture.
func release1Manifest(t *testing.T) (quotes, orders []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(release1, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Quotes, Orders []string }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Quotes, m.Orders
}

// dumpTable reads every row of a table as column → value, ordered by the given columns.
func dumpTable(t *testing.T, db *sql.DB, table, orderBy string) []map[string]any {
	t.Helper()
	rows, err := db.Query("SELECT * FROM " + table + " ORDER BY " + orderBy)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]any{}
		for i, c := range cols {
			row[c] = vals[i]
		}
		out = append(out, row)
	}
	return out
}

// keptTables are the tables migration 2 leaves alone, with the order to compare their rows in.
var keptTables = map[string]string{
	"regions": "code", "accelerators": "model", "fx_rates": "id", "settings": "name", "suppliers": "id",
	"api_keys": "id", "offers": "id", "orders": "id", "reservations": "order_id", "quota_usage": "measure_id, period",
	"policy_versions": "policy_id, version", "policy_activations": "id", "idempotency_keys": "idem_key, caller",
}

// TestUpgradeFromRelease1 opens a copy of a database made by the first release: the
// migrations run, every table but quotes is byte-identical, every quote keeps its columns and
// reads back with its record, and opening it again changes nothing.
func TestUpgradeFromRelease1(t *testing.T) {
	ctx := context.Background()
	path := copyRelease1(t)
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]map[string]any{}
	for table, order := range keptTables {
		before[table] = dumpTable(t, raw, table, order)
	}
	quotesBefore := dumpTable(t, raw, "quotes", "id")
	raw.Close()
	if len(before["orders"]) == 0 || len(quotesBefore) == 0 {
		t.Fatal("the fixture has no orders or quotes")
	}

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != LatestSchemaVersion() {
		t.Fatalf("schema version %d (%v), want %d", v, err, LatestSchemaVersion())
	}
	db, _ := st.db.DB()
	for table, order := range keptTables {
		if got := dumpTable(t, db, table, order); !reflect.DeepEqual(got, before[table]) {
			t.Errorf("table %s changed by the upgrade", table)
		}
	}
	quotesAfter := dumpTable(t, db, "quotes", "id")
	if len(quotesAfter) != len(quotesBefore) {
		t.Fatalf("%d quotes after the upgrade, %d before", len(quotesAfter), len(quotesBefore))
	}
	for i, b := range quotesBefore {
		a := quotesAfter[i]
		for col, v := range b {
			if col == "document" || col == "request" {
				if _, still := a[col]; still {
					t.Errorf("quote %s: column %s is still there", b["id"], col)
				}
				continue
			}
			if !reflect.DeepEqual(a[col], v) {
				t.Errorf("quote %s: %s = %v, was %v", b["id"], col, a[col], v)
			}
		}
		if a["record_version"] != int64(quoteRecordVersion) {
			t.Errorf("quote %s: record version %v", b["id"], a["record_version"])
		}
	}
	quotes, orders := release1Manifest(t)
	for _, id := range quotes {
		q, err := st.Quote(ctx, id)
		if err != nil {
			t.Errorf("quote %s: %v", id, err)
			continue
		}
		if len(q.Priced.Lines) == 0 || len(q.Priced.Trail) == 0 || q.Inputs.Baseline.Version != 1 || !q.Priced.Total.Equal(q.Total) {
			t.Errorf("quote %s read back incomplete: %+v", id, q.Priced)
		}
	}
	for _, id := range orders {
		if _, err := st.Order(ctx, id); err != nil {
			t.Errorf("order %s: %v", id, err)
		}
	}
	st.Close()

	// A second start runs nothing and changes nothing.
	st2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	db2, _ := st2.db.DB()
	if again := dumpTable(t, db2, "quotes", "id"); !reflect.DeepEqual(again, quotesAfter) {
		t.Error("opening the upgraded database again changed its quotes")
	}
}

// release1Rows are the row types of the first release's tables, in an order that satisfies
// their foreign keys.
func release1Rows() []any {
	return []any{&[]regionRow{}, &[]acceleratorRow{}, &[]fxRateRow{}, &[]settingRow{}, &[]supplierRow{}, &[]apiKeyRow{},
		&[]offerRow{}, &[]legacyQuoteRow{}, &[]orderRow{}, &[]reservationRow{}, &[]quotaUsageRow{},
		&[]policyVersionRow{}, &[]policyActivationRow{}, &[]idempotencyRow{}}
}

// TestUpgradeFromRelease1OnPostgres builds the first release's schema on PostgreSQL
// (migration 1 alone), fills it with the fixture's rows, runs the remaining migrations and
// checks that every quote reads back and every other row is unchanged.
func TestUpgradeFromRelease1OnPostgres(t *testing.T) {
	dsn := os.Getenv("CORRIDOR_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CORRIDOR_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	lite, err := gorm.Open(sqlite.Open("file:"+copyRelease1(t)), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	schemaDSN := NewTestPostgresSchema(t, dsn)
	old, err := openAt(ctx, schemaDSN, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Every row as PostgreSQL holds it before the upgrade (it keeps microseconds of instants).
	before := map[string]string{}
	for _, rows := range release1Rows() {
		if err := lite.Find(rows).Error; err != nil {
			t.Fatal(err)
		}
		if reflect.ValueOf(rows).Elem().Len() > 0 {
			if err := old.db.CreateInBatches(rows, 200).Error; err != nil {
				t.Fatalf("copy %T: %v", rows, err)
			}
		}
		before[fmt.Sprintf("%T", rows)] = pgRows(t, old.db, rows)
	}
	old.Close()

	st, err := Open(ctx, schemaDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, rows := range release1Rows() {
		name := fmt.Sprintf("%T", rows)
		if name == "*[]store.legacyQuoteRow" {
			continue
		}
		if got := pgRows(t, st.db, rows); got != before[name] {
			t.Errorf("%s changed by the upgrade:\n%.300s\n%.300s", name, before[name], got)
		}
	}
	quotes, orders := release1Manifest(t)
	for _, id := range quotes {
		if q, err := st.Quote(ctx, id); err != nil || len(q.Priced.Lines) == 0 {
			t.Errorf("quote %s: %v", id, err)
		}
	}
	for _, id := range orders {
		if _, err := st.Order(ctx, id); err != nil {
			t.Errorf("order %s: %v", id, err)
		}
	}
}

// clauseOrder is the primary-key order of a row type's table.
func clauseOrder(rows any) string {
	switch rows.(type) {
	case *[]regionRow:
		return "code"
	case *[]acceleratorRow:
		return "model"
	case *[]settingRow:
		return "name"
	case *[]reservationRow:
		return "order_id"
	case *[]quotaUsageRow:
		return "measure_id, period"
	case *[]policyVersionRow:
		return "policy_id, version"
	case *[]idempotencyRow:
		return "idem_key, caller"
	}
	return "id"
}

// pgRows reads every row of a row type's table, in primary-key order, as JSON.
func pgRows(t *testing.T, db *gorm.DB, rows any) string {
	t.Helper()
	fresh := reflect.New(reflect.TypeOf(rows).Elem()).Interface()
	if err := db.Order(clauseOrder(rows)).Find(fresh).Error; err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(fresh)
	return string(b)
}
