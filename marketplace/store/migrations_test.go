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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"corridor/marketplace"
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

// keptTables are the tables the migrations leave alone but for the bloc of the non-EU
// antennas (regions: migration 4), with the order to compare their rows in.
var keptTables = map[string]string{
	"regions": "code", "accelerators": "model", "fx_rates": "id", "settings": "name", "suppliers": "id",
	"api_keys": "id", "offers": "id", "orders": "id", "reservations": "order_id", "quota_usage": "measure_id, period",
	"policy_versions": "policy_id, version", "policy_activations": "id",
}

// withNonEUBloc returns the region rows of the first release as migration 4 leaves them: the
// non-EU antennas in the NON_EU bloc. It fails the test unless there are six of them.
func withNonEUBloc(t *testing.T, regions []map[string]any) []map[string]any {
	t.Helper()
	out, moved := make([]map[string]any, len(regions)), 0
	for i, r := range regions {
		c := map[string]any{}
		for k, v := range r {
			c[k] = v
		}
		if code, _ := c["code"].(string); slices.Contains(nonEUAntennas, code) {
			if c["bloc"] != "EU" {
				t.Errorf("release 1 had %s in bloc %v, not EU", code, c["bloc"])
			}
			c["bloc"] = "NON_EU"
			moved++
		}
		out[i] = c
	}
	if moved != len(nonEUAntennas) {
		t.Errorf("%d of the %d non-EU antennas are in the fixture", moved, len(nonEUAntennas))
	}
	return out
}

// step6Classes is the export class migration 6 gives the offers of each accelerator, from
// the accelerators rows of a first-release database.
func step6Classes(accs []legacyAcceleratorRow) map[string]string {
	out := map[string]string{}
	for _, a := range accs {
		out[a.Model] = marketplace.ExportClass(marketplace.Accelerator{Model: a.Model, TPP: a.TPP, Density: a.Density})
	}
	return out
}

// step6Columns are the columns migration 6 adds to first-release tables, with the value it
// gives existing rows.
var step6Columns = map[string]map[string]any{
	"suppliers":    {"establishments": "", "vat_registrations": "", "listings": ""},
	"accelerators": {"fab_country": "", "fab_source": "", "fab_as_of": "", "fab_confidence": "", "fab_note": ""},
	"fx_rates":     {"carried_from": ""},
	"offers":       {"tax_terms": "net_of_cn_tax"},
}

// withStep6 returns the rows of a first-release table as migration 6 leaves them: the columns
// it adds, at their defaults, and the offers' export classes by 3A090 class.
func withStep6(table string, rows []map[string]any, classes map[string]string) []map[string]any {
	added := step6Columns[table]
	if added == nil {
		return rows
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		c := map[string]any{}
		for k, v := range r {
			c[k] = v
		}
		for k, v := range added {
			c[k] = v
		}
		if table == "offers" {
			c["export_class"] = classes[c["accelerator"].(string)]
		}
		out[i] = c
	}
	return out
}

// TestUpgradeFromRelease1 opens a copy of a database made by the first release: the
// migrations run, every table but quotes and regions is byte-identical but for the columns
// migration 6 adds and the export classes it recomputes, regions differ only by
// the NON_EU bloc of the non-EU antennas, every quote keeps its columns and reads back with its
// record, the plaintext Idempotency-Key table is gone (its rows with it), the tables of later
// releases exist, and opening it again changes nothing.
func TestUpgradeFromRelease1(t *testing.T) {
	ctx := context.Background()
	path := copyRelease1(t)
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// A retry record of the first release: the key and the response (an API key) in clear.
	if _, err := raw.Exec(`INSERT INTO idempotency_keys (idem_key, caller, request, body_hash, status, content_type, response, created_unix)
		VALUES ('client-key-1', 'demo-sup-01', 'POST /api/v1/keys', 'h', 201, 'application/json', '{"key":"ck_secret_in_clear"}', 1764331200)`); err != nil {
		t.Fatal(err)
	}
	before := map[string][]map[string]any{}
	for table, order := range keptTables {
		before[table] = dumpTable(t, raw, table, order)
	}
	before["regions"] = withNonEUBloc(t, before["regions"])
	var accs []legacyAcceleratorRow
	if lite, err := gorm.Open(sqlite.Open("file:"+path), &gorm.Config{Logger: logger.Discard}); err != nil || lite.Find(&accs).Error != nil {
		t.Fatalf("read the fixture's accelerators: %v", err)
	}
	for table := range keptTables {
		before[table] = withStep6(table, before[table], step6Classes(accs))
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
		got := dumpTable(t, db, table, order)
		if !reflect.DeepEqual(onlyColumnsOf(got, before[table]), before[table]) {
			t.Errorf("table %s changed by the upgrade", table)
		}
		checkMigration7Columns(t, table, got)
	}
	tables, err := st.tableNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(tables, "idempotency_keys") {
		t.Error("the plaintext idempotency_keys table survived the upgrade")
	}
	for _, want := range []string{"idempotency_records", "rate_limit_counts", "schema_migrations"} {
		if !slices.Contains(tables, want) {
			t.Errorf("no table %s after the upgrade (tables: %v)", want, tables)
		}
	}
	if cols, err := st.ColumnsContaining(ctx, "ck_secret_in_clear"); err != nil || len(cols) > 0 {
		t.Errorf("the API key of a first-release retry record is still stored in %v (%v)", cols, err)
	}
	if err := st.Ready(ctx); err != nil {
		t.Errorf("the upgraded database is not ready: %v", err)
	}
	quotesAfter := dumpTable(t, db, "quotes", "id")
	checkMigration7Columns(t, "quotes", quotesAfter)
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
	return []any{&[]regionRow{}, &[]legacyAcceleratorRow{}, &[]legacyFXRateRow{}, &[]settingRow{}, &[]legacySupplierRow{}, &[]apiKeyRow{},
		&[]legacyOfferRow{}, &[]legacyQuoteRow{}, &[]legacyOrderRow{}, &[]reservationRow{}, &[]quotaUsageRow{},
		&[]policyVersionRow{}, &[]policyActivationRow{}, &[]legacyIdempotencyKeyRow{}}
}

// TestUpgradeMovesNonEUAntennas: migration 4 moves the non-EU antennas of a first-release
// database to the NON_EU bloc, and with them the bloc copied onto their offers for search,
// while the regions and offers of the Union stay EU.
func TestUpgradeMovesNonEUAntennas(t *testing.T) {
	ctx := context.Background()
	path := copyRelease1(t)
	old, err := openAt(ctx, path, 3)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	offer := func(id, region string) marketplace.Offer {
		return marketplace.Offer{ID: id, SupplierID: "demo-sup-01", Region: region, Accelerator: "h100-sxm", Product: "gpu_hours",
			GPUs: 8, Price: decimal.RequireFromString("2.50"), Currency: "EUR", Pricing: "on_demand", MinHours: 1,
			AvailableFrom: from, AvailableUntil: from.AddDate(1, 0, 0), Status: marketplace.OfferActive, Version: 1}
	}
	rows, err := offerRows(old.db, []marketplace.Offer{offer("off-zurich", "eu-ch-antenna"), offer("off-brussels", "eu-be-antenna")})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.db.Omit(append([]string{"TaxTerms", "FloorMicros"}, offerColumnsOfMigration7...)...).Create(&rows).Error; err != nil { // later columns (migrations 6, 7 and 11)
		t.Fatal(err)
	}
	old.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	regions, err := st.Regions(ctx, marketplace.RegionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	blocOf := map[string]marketplace.Bloc{}
	for _, r := range regions {
		blocOf[r.Code] = r.Bloc
	}
	for _, code := range nonEUAntennas {
		if blocOf[code] != marketplace.BlocNonEU {
			t.Errorf("region %s: bloc %q, want NON_EU", code, blocOf[code])
		}
	}
	if b := blocOf["eu-be-antenna"]; b != marketplace.BlocEU {
		t.Errorf("region eu-be-antenna: bloc %q, want EU", b)
	}
	for id, want := range map[string]marketplace.Bloc{"off-zurich": marketplace.BlocNonEU, "off-brussels": marketplace.BlocEU} {
		var bloc string
		if err := st.db.Raw("SELECT bloc FROM offers WHERE id = ?", id).Scan(&bloc).Error; err != nil || bloc != string(want) {
			t.Errorf("offer %s: bloc %q (%v), want %s", id, bloc, err, want)
		}
	}
	nonEU, err := st.Regions(ctx, marketplace.RegionFilter{Bloc: marketplace.BlocNonEU})
	if err != nil || len(nonEU) != len(nonEUAntennas) {
		t.Errorf("%d regions in bloc NON_EU (%v), want %d", len(nonEU), err, len(nonEUAntennas))
	}
}

// TestReadyNeedsLatestMigration: a database whose last migration has not run is not ready,
// and says which version it is at.
func TestReadyNeedsLatestMigration(t *testing.T) {
	ctx := context.Background()
	path := TestDSN(t)
	previous := migrations[len(migrations)-2].version // the numbers of the steps need not be consecutive
	st, err := openAt(ctx, path, previous)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Ready(ctx)
	st.Close()
	want := fmt.Sprintf("at version %d, this build needs %d", previous, LatestSchemaVersion())
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Ready before the last migration: %v, want %q", err, want)
	}
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ready(ctx); err != nil {
		t.Fatalf("Ready after every migration: %v", err)
	}
}

// TestSchemaRowsMatchMigrations: the tables Ready checks (schemaRows) are exactly the tables
// the migrations make, so neither list can go stale.
func TestSchemaRowsMatchMigrations(t *testing.T) {
	st := OpenTest(t)
	have, err := st.tableNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	have = slices.DeleteFunc(have, func(t string) bool { return strings.HasPrefix(t, "sqlite_") }) // SQLite's own
	var want []string
	for _, row := range schemaRows() {
		stmt := &gorm.Statement{DB: st.db}
		if err := stmt.Parse(row); err != nil {
			t.Fatal(err)
		}
		want = append(want, stmt.Schema.Table)
	}
	want = append(want, schemaMigrationRow{}.TableName())
	if !st.postgres {
		want = append(want, sqliteSearchTables...)
	}
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		t.Errorf("tables after the migrations %v, schemaRows and schema_migrations %v", have, want)
	}
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
	// The first release's bloc columns held two characters (migration 1 now makes eight).
	for _, table := range []string{"regions", "offers"} {
		if err := old.db.Exec("ALTER TABLE " + table + " ALTER COLUMN bloc TYPE varchar(2)").Error; err != nil {
			t.Fatal(err)
		}
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
		switch name {
		case "*[]store.legacyQuoteRow":
			continue
		case "*[]store.legacyIdempotencyKeyRow":
			if st.db.Migrator().HasTable("idempotency_keys") {
				t.Error("the plaintext idempotency_keys table survived the upgrade")
			}
			continue
		case "*[]store.regionRow":
			var regions []regionRow
			if err := json.Unmarshal([]byte(before[name]), &regions); err != nil {
				t.Fatal(err)
			}
			for i := range regions {
				if slices.Contains(nonEUAntennas, regions[i].Code) {
					regions[i].Bloc = "NON_EU"
				}
			}
			b, _ := json.Marshal(regions)
			before[name] = string(b)
		case "*[]store.legacyOfferRow":
			// Migration 6 classes offers by 3A090 class (its new columns are not read here).
			var offers []legacyOfferRow
			var accs []legacyAcceleratorRow
			if err := json.Unmarshal([]byte(before[name]), &offers); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(before["*[]store.legacyAcceleratorRow"]), &accs); err != nil {
				t.Fatal(err)
			}
			classes := step6Classes(accs)
			for i := range offers {
				offers[i].ExportClass = classes[offers[i].Accelerator]
			}
			b, _ := json.Marshal(offers)
			before[name] = string(b)
		}
		if got := pgRows(t, st.db, rows); got != before[name] {
			t.Errorf("%s changed by the upgrade:\n%.300s\n%.300s", name, before[name], got)
		}
	}
	pg, _ := st.db.DB()
	for table, order := range keptTables { // what migrations 6 and 7 added (the legacy rows above do not read it)
		rows := dumpTable(t, pg, table, order)
		checkMigration7Columns(t, table, rows)
		for _, r := range rows {
			for col, v := range step6Columns[table] {
				if got, ok := r[col]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("%s %v: %s = %v, want %v", table, r["id"], col, got, v)
				}
			}
		}
	}
	checkMigration7Columns(t, "quotes", dumpTable(t, pg, "quotes", "id"))
	for _, table := range []string{"regions", "offers"} {
		var size int
		if err := st.db.Raw("SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'bloc'", table).Scan(&size).Error; err != nil || size != 8 {
			t.Errorf("%s.bloc holds %d characters (%v), want 8", table, size, err)
		}
	}
	if err := st.Ready(ctx); err != nil {
		t.Errorf("the upgraded database is not ready: %v", err)
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
	case *[]acceleratorRow, *[]legacyAcceleratorRow:
		return "model"
	case *[]settingRow:
		return "name"
	case *[]reservationRow:
		return "order_id"
	case *[]quotaUsageRow:
		return "measure_id, period"
	case *[]policyVersionRow:
		return "policy_id, version"
	case *[]legacyIdempotencyKeyRow:
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

// onlyColumnsOf returns the rows of got with only the columns the rows of like have: the
// columns a later migration added are checked on their own (checkMigration7Columns).
func onlyColumnsOf(got, like []map[string]any) []map[string]any {
	if len(like) == 0 {
		return got
	}
	out := make([]map[string]any, len(got))
	for i, r := range got {
		out[i] = map[string]any{}
		for col := range like[0] {
			if v, ok := r[col]; ok {
				out[i][col] = v
			}
		}
	}
	return out
}

// checkMigration7Columns checks what migration 7 added to a first-release table: suppliers
// have their name's key, orders have no buyer, terms or cancellation, quotes no buyer and no
// terms (accepting one takes its offer's), offers state no terms (their pricing model's
// default applies).
func checkMigration7Columns(t *testing.T, table string, rows []map[string]any) {
	t.Helper()
	want := map[string]map[string]any{
		"orders": {"buyer_id": "", "cancel_kind": "", "cancel_notice_hours": int64(0), "cancelled_unix": int64(0), "cancelled_by": "", "cancel_reason": ""},
		"offers": {"cancel_kind": "", "cancel_notice_hours": int64(0)},
		"quotes": {"buyer_id": "", "cancel_kind": "", "cancel_notice_hours": int64(0)},
	}[table]
	for _, r := range rows {
		if table == "suppliers" {
			if k, _ := r["name_key"].(string); k != marketplace.SupplierNameKey(fmt.Sprint(r["name"])) {
				t.Errorf("supplier %v: name_key %v", r["id"], r["name_key"])
			}
		}
		for col, v := range want {
			if got, ok := r[col]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
				t.Errorf("%s %v: %s = %v, want %v", table, r["id"], col, got, v)
			}
		}
	}
}

// TestNewDatabaseMatchesUpgraded: a database created by this build goes through the states
// the first release's database goes through. After step 1 it is the first release's schema,
// table for table, column for column (types, NOT NULL, defaults, keys) and index for index: a
// row type of step 1 that carried a later column, or lacked one, shows here. After the last
// step both have the same tables, columns in the same order and indexes.
func TestNewDatabaseMatchesUpgraded(t *testing.T) {
	ctx := context.Background()
	path := copyRelease1(t)
	lite, err := gorm.Open(sqlite.Open("file:"+path), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	release1 := sqliteSchema(t, lite)
	if db, err := lite.DB(); err == nil {
		db.Close()
	}
	newPath := filepath.Join(t.TempDir(), "corridor.db")
	step1, err := openAt(ctx, newPath, 1)
	if err != nil {
		t.Fatal(err)
	}
	afterStep1 := sqliteSchema(t, step1.db)
	step1.Close()
	delete(afterStep1, schemaMigrationRow{}.TableName())
	sameSchema(t, "the first release", release1, "a new database after step 1", afterStep1)

	upgraded, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer upgraded.Close()
	fresh, err := Open(ctx, newPath)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	sameSchema(t, "the upgraded first release", sqliteSchema(t, upgraded.db), "a new database", sqliteSchema(t, fresh.db))
}

// sameSchema reports every table whose description differs between two schemas.
func sameSchema(t *testing.T, wantName string, want map[string][]string, gotName string, got map[string][]string) {
	t.Helper()
	for table, desc := range want {
		if !slices.Equal(got[table], desc) {
			t.Errorf("table %s:\n%s: %v\n%s: %v", table, wantName, desc, gotName, got[table])
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("table %s in %s, not in %s", table, gotName, wantName)
		}
	}
}

// sqliteSchema describes every table of a SQLite store: its columns in order, then its
// indexes (name, uniqueness, columns), sorted.
func sqliteSchema(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	var tables []string
	if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		var cols []struct {
			Name, Type string
			NotNull    int
			DfltValue  *string
			PK         int
		}
		if err := db.Raw("SELECT name, type, \"notnull\" AS not_null, dflt_value, pk FROM pragma_table_info(?)", table).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		var desc []string
		for _, c := range cols {
			dflt := "-"
			if c.DfltValue != nil {
				dflt = strings.ReplaceAll(*c.DfltValue, `"`, "'") // GORM quotes an added column's default as '', a created one's as ""
			}
			desc = append(desc, fmt.Sprintf("%s %s notnull=%d default=%s pk=%d", c.Name, strings.ToLower(c.Type), c.NotNull, dflt, c.PK))
		}
		var idx []struct {
			Name     string
			IsUnique int
		}
		if err := db.Raw("SELECT name, \"unique\" AS is_unique FROM pragma_index_list(?)", table).Scan(&idx).Error; err != nil {
			t.Fatal(err)
		}
		var idxDesc []string
		for _, i := range idx {
			var on []string
			if err := db.Raw("SELECT name FROM pragma_index_info(?) ORDER BY seqno", i.Name).Scan(&on).Error; err != nil {
				t.Fatal(err)
			}
			idxDesc = append(idxDesc, fmt.Sprintf("index %s unique=%d (%s)", i.Name, i.IsUnique, strings.Join(on, ", ")))
		}
		slices.Sort(idxDesc)
		out[table] = append(desc, idxDesc...)
	}
	return out
}
