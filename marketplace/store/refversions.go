package store

import (
	"context"
	"database/sql"
	"fmt"

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

// ReferenceVersions reads the change counters of the reference data and the market's
// (marketversion.go): one read of a table of five rows, the only database access a request
// makes for reference data while it is cached.
func (s *Store) ReferenceVersions(ctx context.Context) (marketplace.ReferenceVersions, error) {
	var v marketplace.ReferenceVersions
	stmt, err := s.refVersionsStmt(ctx)
	if err != nil {
		return v, translate("reference versions", err)
	}
	rows, err := stmt.QueryContext(s.quiet(ctx))
	if err != nil {
		return v, translate("reference versions", err)
	}
	defer rows.Close()
	n, market := 0, false
	for rows.Next() {
		var kind string
		var c int64
		if err := rows.Scan(&kind, &c); err != nil {
			return v, translate("reference versions", err)
		}
		switch kind {
		case refRegions:
			v.Regions = c
		case refAccelerators:
			v.Accelerators = c
		case refFX:
			v.FX = c
		case refPolicies:
			v.Policies = c
		case refMarket:
			v.Market, market = c, true
			continue
		default:
			continue
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return v, translate("reference versions", err)
	}
	if n != len(referenceKinds) {
		return v, fmt.Errorf("store: reference versions: %d of the %d counters are stored (migration 10)", n, len(referenceKinds))
	}
	if !market {
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

// refVersionsStmt prepares the read of the counters once per Store (database/sql prepares it
// again on each pooled connection that runs it).
func (s *Store) refVersionsStmt(ctx context.Context) (*sql.Stmt, error) {
	s.refStmtMu.Lock()
	defer s.refStmtMu.Unlock()
	if s.refStmt != nil {
		return s.refStmt, nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	stmt, err := sqlDB.PrepareContext(ctx, "SELECT kind, counter FROM reference_versions")
	if err != nil {
		return nil, err
	}
	s.refStmt = stmt
	return stmt, nil
}
