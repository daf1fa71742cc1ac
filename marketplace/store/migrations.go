package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered step of the schema: tables, columns, indexes and the data moves
// that go with them. A step that has been released never changes; a change to the schema is a
// new step at the end of the list. Steps use GORM's migrator (so one step serves SQLite and
// PostgreSQL) on row types; a step whose table a later step changes keeps a frozen copy of the
// row type it created (legacyQuoteRow), so that a new database goes through exactly the
// states an old one went through.
//
// From step 10 on, a step that changes reference data (regions, accelerators, FX rates,
// policies) also calls bumpReference for that kind, so that servers already running on the
// database reload their cached copy (refversions.go).
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB, m migrator) error
}

// migrator is what a step may need to know about the database it runs on.
type migrator struct {
	postgres bool
}

// migrations is the schema, in order: every table Corridor keeps is created here.
var migrations = []migration{
	{1, "tables of the first release", func(tx *gorm.DB, _ migrator) error {
		return tx.AutoMigrate(
			&regionRow{}, &legacyAcceleratorRow{}, &legacyFXRateRow{}, &settingRow{}, // reference data, settings
			&legacySupplierRow{}, &apiKeyRow{}, &legacyOfferRow{}, // suppliers and their offers
			&legacyQuoteRow{}, &legacyOrderRow{}, &reservationRow{}, &quotaUsageRow{}, // quotes, orders, capacity, quotas
			&policyVersionRow{}, &policyActivationRow{}, // tariff policies
			&legacyIdempotencyKeyRow{}, // Idempotency-Key records, in clear
		)
	}},
	{2, "quotes: an explicit, versioned record of request, inputs and result replaces the document", migrateQuoteRecords},
	{3, "idempotency records sealed and scoped to caller and request replace the plaintext keys; rate-limit counts shared by instances", migrateSealedIdempotency},
	{4, "regions: the NON_EU bloc for the antennas outside the European Union; bloc columns hold 8 characters", migrateNonEUBloc},
	{5, "offers: trigram full-text index (SQLite FTS4 with triggers, PostgreSQL GIN) and region-led sort indexes", migrateSearchIndex},
	{6, "tax truth: supplier establishments, VAT registrations and listings; offer tax terms and export classes by 3A090 class; accelerator fab countries; carried-forward FX rates", migrateTaxTruth},
	{7, "buyers: accounts, keys and sessions; quotes and orders belong to a buyer; cancellation terms on offers, quotes and orders; orders record their cancellation; supplier names unique", migrateBuyers},
	{8, "studies: what-if studies with their request, pins, progress and result", migrateStudies},
	{9, "price index: weekly cells (series, kind, class, bloc, week) with exact sums, and each order's entry", migrateIndex},
	{10, "reference_versions: a change counter per kind of reference data, for the caches of several instances; offers' search columns filled once here instead of on every start", migratePerfCache},
	{11, "offers: floor price (the price less its largest tier discount), filled in pages, and the floor-price indexes comparisons read through", migrateCompareFloor},
	{12, "reference_versions: the market's change counter (offers, reservations, suppliers), kept by triggers, for the response caches of several instances", migrateMarketVersion},
	{13, "quote_explanations: a quote's explanation stored once for every quote that shares it, named by its SHA-256", migrateQuoteExplanations},
	{14, "quotes: the index on offer_id, which no query reads, dropped", migrateDropQuoteOfferIndex},
}

// legacyIdempotencyKeyRow is the Idempotency-Key table of the first release (migration 1): the
// key and the response in clear. Migration 3 drops it.
type legacyIdempotencyKeyRow struct {
	Key         string `gorm:"column:idem_key;primaryKey;size:255"`
	Caller      string `gorm:"primaryKey;size:64"`
	Request     string `gorm:"size:300;not null"`
	BodyHash    string `gorm:"size:64;not null"`
	Status      int    `gorm:"not null"`
	ContentType string `gorm:"size:100;not null"`
	Response    []byte
	CreatedUnix int64 `gorm:"not null;index"`
}

func (legacyIdempotencyKeyRow) TableName() string { return "idempotency_keys" }

// migrateSealedIdempotency creates the tables of the operations work (idempotency_records,
// rate_limit_counts) and drops idempotency_keys, which held Idempotency-Keys and responses (API
// keys among them) in clear. Its records only served retries of requests made before the
// upgrade; such a retry now runs again as a new request.
func migrateSealedIdempotency(tx *gorm.DB, _ migrator) error {
	if err := tx.AutoMigrate(&idempotencyRow{}, &rateCountRow{}); err != nil {
		return err
	}
	if tx.Migrator().HasTable("idempotency_keys") {
		return tx.Migrator().DropTable("idempotency_keys")
	}
	return nil
}

// nonEUAntennas are the regions of the first release's EU bloc whose country is outside the
// European Union (Iceland, Moldova, Switzerland, the United Kingdom, North Macedonia, Serbia):
// migration 4 moves them, and the offers made there, to the NON_EU bloc.
var nonEUAntennas = []string{"eu-is-antenna", "eu-md-antenna", "eu-ch-antenna", "eu-gb-antenna", "eu-mk-antenna", "eu-rs-antenna"}

// migrateNonEUBloc widens the bloc columns of regions and offers from 2 to 8 characters
// (PostgreSQL enforces the size; SQLite ignores it) and moves the non-EU antennas, with the
// bloc copied onto their offers for search, to NON_EU.
func migrateNonEUBloc(tx *gorm.DB, m migrator) error {
	if m.postgres {
		for _, table := range []string{"regions", "offers"} {
			if err := tx.Exec("ALTER TABLE " + table + " ALTER COLUMN bloc TYPE varchar(8)").Error; err != nil {
				return err
			}
		}
	}
	if err := tx.Exec("UPDATE regions SET bloc = 'NON_EU' WHERE code IN ?", nonEUAntennas).Error; err != nil {
		return err
	}
	return tx.Exec("UPDATE offers SET bloc = (SELECT bloc FROM regions WHERE regions.code = offers.region) WHERE region IN ?", nonEUAntennas).Error
}

// schemaRows are the row types of every table of the latest schema, as the migrations above
// leave it (TestSchemaRowsMatchMigrations keeps the two in step). Ready checks that each exists.
func schemaRows() []any {
	return []any{
		&regionRow{}, &acceleratorRow{}, &fxRateRow{}, &settingRow{},
		&supplierRow{}, &apiKeyRow{}, &offerRow{},
		&quoteRow{}, &orderRow{}, &reservationRow{}, &quotaUsageRow{},
		&policyVersionRow{}, &policyActivationRow{},
		&idempotencyRow{}, &rateCountRow{},
		&buyerRow{}, &buyerKeyRow{}, &buyerSessionRow{}, // migration 7
		&studyRow{},                       // migration 8
		&indexCellRow{}, &indexEntryRow{}, // migration 9
		&referenceVersionRow{}, // migration 10
		&quoteExplanationRow{}, // migration 13
	}
}

// schemaMigrationRow records that a step ran: a database is at the highest version recorded.
type schemaMigrationRow struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"not null"`
	AppliedAt int64  `gorm:"not null"`
}

func (schemaMigrationRow) TableName() string { return "schema_migrations" }

// migrationLock is the PostgreSQL advisory lock that serialises the migrations of several
// Corridor processes starting at once on one database ("corridor" in ASCII).
const migrationLock = 0x636f727269646f72

// migrateTo runs every step up to and including version that the database has not run yet,
// each in a transaction of its own that first takes the migration lock (PostgreSQL: an
// advisory lock; SQLite: the write lock of an immediate transaction), so that concurrent
// starts run each step once. A database made before numbered migrations existed has the first
// release's tables and no schema_migrations: step 1 finds its tables in place and the later
// steps move its data.
func (s *Store) migrateTo(ctx context.Context, version int) error {
	m := migrator{postgres: s.postgres}
	for _, step := range migrations {
		if step.version > version {
			break
		}
		err := s.gormDB(ctx).Transaction(func(tx *gorm.DB) error {
			if m.postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLock).Error; err != nil {
					return err
				}
			}
			if err := tx.AutoMigrate(&schemaMigrationRow{}); err != nil {
				return err
			}
			var done int64
			if err := tx.Model(&schemaMigrationRow{}).Where("version = ?", step.version).Count(&done).Error; err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			if err := step.up(tx, m); err != nil {
				return err
			}
			return tx.Create(&schemaMigrationRow{Version: step.version, Name: step.name, AppliedAt: time.Now().Unix()}).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s): %w", step.version, step.name, err)
		}
	}
	return nil
}

// SchemaVersion returns the highest migration the database has run.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.gormDB(ctx).Model(&schemaMigrationRow{}).Select("COALESCE(MAX(version), 0)").Scan(&v).Error
	return v, translate("schema version", err)
}

// LatestSchemaVersion is the version of the last migration this build knows.
func LatestSchemaVersion() int { return migrations[len(migrations)-1].version }
