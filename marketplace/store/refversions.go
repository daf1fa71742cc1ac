package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

// referenceVersionRow counts the changes of one kind of reference data (migration 10): every
// transaction that changes regions, accelerators, FX rates or policies adds one to its kind's
// counter before it commits, so a process that cached that kind sees with one read of this
// small table whether its copy is still the stored one (marketplace/refcache.go).
type referenceVersionRow struct {
	Kind    string `gorm:"primaryKey;size:16"`
	Counter int64  `gorm:"not null;default:0"`
}

func (referenceVersionRow) TableName() string { return "reference_versions" }

// The kinds of reference data, one row each.
const (
	refRegions      = "regions"
	refAccelerators = "accelerators"
	refFX           = "fx"
	refPolicies     = "policies"
)

var referenceKinds = []string{refAccelerators, refFX, refPolicies, refRegions}

// migratePerfCache is migration 10: the reference_versions counters, and the one-time fill of
// the offers' search columns that used to run (as a scan of every offer) on each start.
func migratePerfCache(tx *gorm.DB, _ migrator) error {
	if err := tx.AutoMigrate(&referenceVersionRow{}); err != nil {
		return err
	}
	rows := make([]referenceVersionRow, len(referenceKinds))
	for i, k := range referenceKinds {
		rows[i] = referenceVersionRow{Kind: k}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return err
	}
	return backfillOfferSearch(tx)
}

// bumpReference counts a change of each kind in tx, the transaction that makes the change.
// The kinds are bumped in one fixed order (referenceKinds), so two transactions bumping
// several kinds cannot wait for each other's row locks in a cycle on PostgreSQL.
func bumpReference(tx *gorm.DB, kinds ...string) error {
	if len(kinds) == 0 {
		return nil
	}
	return tx.Exec("UPDATE reference_versions SET counter = counter + 1 WHERE kind IN ?", kinds).Error
}

// referenceVersionsQuery reads every counter in one row, -1 for a counter not stored: one
// step of one prepared statement, without a row and a string per kind (every request that
// reads the market runs it once).
var referenceVersionsQuery = func() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for _, k := range append(slices.Clone(referenceKinds), refMarket) {
		fmt.Fprintf(&b, "COALESCE(MAX(CASE WHEN kind = '%s' THEN counter END), -1), ", k)
	}
	return strings.TrimSuffix(b.String(), ", ") + " FROM reference_versions"
}()

// ReferenceVersions reads the change counters of the reference data and the market's
// (marketversion.go): one read of a table of five rows, the only database access a request
// makes for reference data while it is cached.
func (s *Store) ReferenceVersions(ctx context.Context) (marketplace.ReferenceVersions, error) {
	if s.watch != nil {
		return s.watch.referenceVersions(s.quiet(ctx), s.readReferenceVersions)
	}
	return s.readReferenceVersions(ctx)
}

// readReferenceVersions reads the counters from the database.
func (s *Store) readReferenceVersions(ctx context.Context) (marketplace.ReferenceVersions, error) {
	var v marketplace.ReferenceVersions
	stmt, err := s.stmt(ctx, referenceVersionsQuery)
	if err != nil {
		return v, translate("reference versions", err)
	}
	// In referenceKinds' order, then the market's.
	err = stmt.QueryRowContext(s.quiet(ctx)).Scan(&v.Accelerators, &v.FX, &v.Policies, &v.Regions, &v.Market)
	if err != nil {
		return v, translate("reference versions", err)
	}
	if min(v.Accelerators, v.FX, v.Policies, v.Regions) < 0 {
		return v, fmt.Errorf("store: reference versions: a counter of %s is not stored (migration 10)", strings.Join(referenceKinds, ", "))
	}
	if v.Market < 0 {
		return v, fmt.Errorf("store: reference versions: the market's counter is not stored (migration 12)")
	}
	return v, nil
}

// insertReference inserts reference rows whose key is new, like insertNew, and counts a change
// of kind in the same transaction when any row went in.
func (s *Store) insertReference(ctx context.Context, op, kind string, rows any) (int, error) {
	n := 0
	err := s.inTx(ctx, op, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200)
		if res.Error != nil {
			return res.Error
		}
		n = int(res.RowsAffected)
		if n > 0 {
			return bumpReference(tx, kind)
		}
		return nil
	})
	return n, err
}
