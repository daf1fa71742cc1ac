package store

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
	"corridor/pricing/priceindex"
)

// indexCellRow is one weekly cell of the price index (migration 9): the exact sums of the
// observations of one series, kind, class, origin bloc and week (a Monday, YYYY-MM-DD), so
// that an order updates its cell incrementally and a cancellation undoes it. The primary key
// is the order every query reads in: one class of one series and kind, a bloc (or all), a
// range of weeks. Sums are TEXT decimals (no SQL arithmetic on them).
type indexCellRow struct {
	Series        string          `gorm:"primaryKey;size:8"`
	Kind          string          `gorm:"primaryKey;size:16"`
	Class         string          `gorm:"primaryKey;size:16"`
	Bloc          string          `gorm:"primaryKey;size:8"`
	Week          string          `gorm:"primaryKey;size:10"`
	Value         decimal.Decimal `gorm:"type:text;not null"`
	GPUHours      decimal.Decimal `gorm:"type:text;not null"`
	PFLOPHours    decimal.Decimal `gorm:"type:text;not null"`
	PFLOPValue    decimal.Decimal `gorm:"type:text;not null"` // the value of the observations whose PFLOP-hours are known
	Count         int             `gorm:"not null"`
	Outliers      int             `gorm:"not null"`
	Median        decimal.Decimal `gorm:"type:text;not null"` // posted cells
	RefreshedUnix int64           `gorm:"not null"`           // posted cells: when the snapshot was taken
}

func (indexCellRow) TableName() string { return "index_cells" }

// indexEntryRow is what one order (or one order of the demo history) added to its cell, and
// whether the screen marked it an outlier: a cancellation removes exactly this.
type indexEntryRow struct {
	OrderID    string          `gorm:"primaryKey;size:64"`
	Series     string          `gorm:"size:8;not null;index:index_entries_series"`
	Class      string          `gorm:"size:16;not null"`
	Bloc       string          `gorm:"size:8;not null"`
	Week       string          `gorm:"size:10;not null"`
	Value      decimal.Decimal `gorm:"type:text;not null"`
	GPUHours   decimal.Decimal `gorm:"type:text;not null"`
	PFLOPHours decimal.Decimal `gorm:"type:text;not null"`
	PFLOPValue decimal.Decimal `gorm:"type:text;not null"`
	Outlier    bool            `gorm:"not null"`
}

func (indexEntryRow) TableName() string { return "index_entries" }

// migrateIndex creates the price index's tables (migration 9). Orders accepted before it are
// not in the index: the index starts with the upgrade.
func migrateIndex(tx *gorm.DB, _ migrator) error {
	return tx.AutoMigrate(&indexCellRow{}, &indexEntryRow{})
}

const weekLayout = time.DateOnly

func (r indexCellRow) domain() marketplace.IndexCell {
	w, _ := time.Parse(weekLayout, r.Week)
	c := marketplace.IndexCell{Series: r.Series, Kind: r.Kind, Class: r.Class, Bloc: marketplace.Bloc(r.Bloc), Week: w,
		Sums:   r.sums(),
		Median: r.Median}
	if r.RefreshedUnix != 0 {
		c.RefreshedAt = time.Unix(r.RefreshedUnix, 0).UTC()
	}
	return c
}

func toIndexCellRow(c marketplace.IndexCell) indexCellRow {
	r := indexCellRow{Series: c.Series, Kind: c.Kind, Class: c.Class, Bloc: string(c.Bloc), Week: c.Week.Format(weekLayout),
		Value: c.Sums.Value, GPUHours: c.Sums.GPUHours, PFLOPHours: c.Sums.PFLOPHours, PFLOPValue: c.Sums.PFLOPValue,
		Count: c.Sums.Count, Outliers: c.Sums.Outliers, Median: c.Median}
	if !c.RefreshedAt.IsZero() {
		r.RefreshedUnix = c.RefreshedAt.Unix()
	}
	return r
}

// IndexCells reads the cells of one series, kind and class in q's blocs (all when none) and
// weeks: a range scan of the primary key per bloc.
func (s *Store) IndexCells(ctx context.Context, q marketplace.IndexCellQuery) ([]marketplace.IndexCell, error) {
	in := q.Blocs
	if len(in) == 0 {
		in = marketplace.Blocs
	}
	blocs := make([]string, len(in))
	for i, b := range in {
		blocs[i] = string(b)
	}
	db := s.gormDB(ctx).Where("series = ? AND kind = ? AND class = ? AND bloc IN ? AND week >= ? AND week <= ?",
		q.Series, q.Kind, q.Class, blocs, q.From.Format(weekLayout), q.To.Format(weekLayout))
	var rows []indexCellRow
	if err := db.Order("week, bloc").Find(&rows).Error; err != nil {
		return nil, translate("read index cells", err)
	}
	out := make([]marketplace.IndexCell, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// PutIndexCell stores a posted cell, replacing its week's snapshot.
func (s *Store) PutIndexCell(ctx context.Context, c marketplace.IndexCell) error {
	row := toIndexCellRow(c)
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	})
	return translate("store index cell", err)
}

func zeroCell(e marketplace.IndexEntry, week string) indexCellRow {
	return indexCellRow{Series: e.Series, Kind: marketplace.IndexTransaction, Class: e.Class, Bloc: string(e.Bloc), Week: week,
		Value: decimal.Zero, GPUHours: decimal.Zero, PFLOPHours: decimal.Zero, PFLOPValue: decimal.Zero, Median: decimal.Zero}
}

// lockCell reads the transaction cell of e's week inside tx, creating it empty first when
// there is none (an insert that does nothing on conflict, so that two transactions creating
// it at once both go on), locked until tx ends on PostgreSQL.
func (s *Store) lockCell(tx *gorm.DB, e marketplace.IndexEntry, week string) (indexCellRow, error) {
	empty := zeroCell(e, week)
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&empty).Error; err != nil {
		return indexCellRow{}, err
	}
	q := tx
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var row indexCellRow
	err := q.Where("series = ? AND kind = ? AND class = ? AND bloc = ? AND week = ?", e.Series, marketplace.IndexTransaction, e.Class, string(e.Bloc), week).Take(&row).Error
	return row, err
}

func saveCell(tx *gorm.DB, row indexCellRow) error {
	return tx.Model(&indexCellRow{}).
		Where("series = ? AND kind = ? AND class = ? AND bloc = ? AND week = ?", row.Series, row.Kind, row.Class, row.Bloc, row.Week).
		Updates(map[string]any{"value": row.Value.String(), "gpu_hours": row.GPUHours.String(), "pflop_hours": row.PFLOPHours.String(),
			"pflop_value": row.PFLOPValue.String(), "count": row.Count, "outliers": row.Outliers}).Error
}

func (r *indexCellRow) setSums(s priceindex.Sums) {
	r.Value, r.GPUHours, r.PFLOPHours, r.PFLOPValue, r.Count, r.Outliers = s.Value, s.GPUHours, s.PFLOPHours, s.PFLOPValue, s.Count, s.Outliers
}

func (r indexCellRow) sums() priceindex.Sums {
	return priceindex.Sums{Value: r.Value, GPUHours: r.GPUHours, PFLOPHours: r.PFLOPHours, PFLOPValue: r.PFLOPValue, Count: r.Count, Outliers: r.Outliers}
}

// screenRef reads the outlier screen's reference for e: the latest published cell of its
// series, class and bloc in the priceindex.ReferenceWeeks weeks before its week (zero sums
// when none).
func screenRef(tx *gorm.DB, e marketplace.IndexEntry) (priceindex.Sums, error) {
	var rows []indexCellRow
	err := tx.Where("series = ? AND kind = ? AND class = ? AND bloc = ? AND week < ? AND week >= ? AND count >= ?",
		e.Series, marketplace.IndexTransaction, e.Class, string(e.Bloc), e.Week.Format(weekLayout),
		e.Week.AddDate(0, 0, -7*priceindex.ReferenceWeeks).Format(weekLayout), priceindex.MinSample).
		Order("week DESC").Limit(priceindex.ReferenceWeeks).Find(&rows).Error
	if err != nil {
		return priceindex.Sums{}, err
	}
	for _, r := range rows {
		if s := r.sums(); s.Published() {
			return s, nil
		}
	}
	return priceindex.Sums{}, nil
}

// indexOrderTx adds e (for order id) to its cell inside tx, the transaction that creates the
// order: the screen against the reference cell decides whether it counts or is an outlier,
// and the entry is recorded for a cancellation to undo.
func (s *Store) indexOrderTx(tx *gorm.DB, id string, e marketplace.IndexEntry) error {
	week := e.Week.Format(weekLayout)
	ref, err := screenRef(tx, e)
	if err != nil {
		return err
	}
	outlier := priceindex.Outlier(e.Obs, ref)
	row, err := s.lockCell(tx, e, week)
	if err != nil {
		return err
	}
	row.setSums(row.sums().Add(e.Obs, outlier))
	if err := saveCell(tx, row); err != nil {
		return err
	}
	return tx.Create(&indexEntryRow{OrderID: id, Series: e.Series, Class: e.Class, Bloc: string(e.Bloc), Week: week,
		Value: e.Obs.Value, GPUHours: e.Obs.GPUHours, PFLOPHours: e.Obs.PFLOPHours, PFLOPValue: e.Obs.PFLOPValue, Outlier: outlier}).Error
}

// unindexOrderTx removes order id's entry from its cell inside tx (the cancelling
// transaction); an order with no entry (hardware, or accepted before the index) changes
// nothing.
func (s *Store) unindexOrderTx(tx *gorm.DB, id string) error {
	var entries []indexEntryRow
	if err := tx.Where("order_id = ?", id).Limit(1).Find(&entries).Error; err != nil || len(entries) == 0 {
		return err
	}
	en := entries[0]
	w, err := time.Parse(weekLayout, en.Week)
	if err != nil {
		return err
	}
	e := marketplace.IndexEntry{Series: en.Series, Class: en.Class, Bloc: marketplace.Bloc(en.Bloc), Week: w,
		Obs: priceindex.Observation{Value: en.Value, GPUHours: en.GPUHours, PFLOPHours: en.PFLOPHours, PFLOPValue: en.PFLOPValue}}
	row, err := s.lockCell(tx, e, en.Week)
	if err != nil {
		return err
	}
	row.setSums(row.sums().Sub(e.Obs, en.Outlier))
	if err := saveCell(tx, row); err != nil {
		return err
	}
	return tx.Where("order_id = ?", id).Delete(&indexEntryRow{}).Error
}

// SeedIndexHistory adds a history of entries (one series, ids of their own) and posted cells
// in one transaction, unless the series already has entries. The entries are screened week by
// week in memory against the same reference rule as accepted orders, and their cells written
// once each.
func (s *Store) SeedIndexHistory(ctx context.Context, entries []marketplace.IndexEntry, posted []marketplace.IndexCell) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	added := 0
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		added = 0
		var n int64
		if err := tx.Model(&indexEntryRow{}).Where("series = ?", entries[0].Series).Limit(1).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		type key struct{ class, bloc string }
		cells := map[key]map[time.Time]priceindex.Sums{}
		last := map[key]time.Time{} // the latest published week seen per key
		rows := make([]indexEntryRow, 0, len(entries))
		for _, e := range entries { // in week order
			k := key{e.Class, string(e.Bloc)}
			if cells[k] == nil {
				cells[k] = map[time.Time]priceindex.Sums{}
			}
			var ref priceindex.Sums
			if lw, ok := last[k]; ok && lw.Before(e.Week) && !lw.Before(e.Week.AddDate(0, 0, -7*priceindex.ReferenceWeeks)) {
				ref = cells[k][lw]
			}
			outlier := priceindex.Outlier(e.Obs, ref)
			sums := cells[k][e.Week].Add(e.Obs, outlier)
			cells[k][e.Week] = sums
			if sums.Published() {
				last[k] = e.Week
			}
			rows = append(rows, indexEntryRow{OrderID: e.OrderID, Series: e.Series, Class: e.Class, Bloc: string(e.Bloc), Week: e.Week.Format(weekLayout),
				Value: e.Obs.Value, GPUHours: e.Obs.GPUHours, PFLOPHours: e.Obs.PFLOPHours, PFLOPValue: e.Obs.PFLOPValue, Outlier: outlier})
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		var cellRows []indexCellRow
		for k, weeks := range cells {
			for w, sums := range weeks {
				cellRows = append(cellRows, toIndexCellRow(marketplace.IndexCell{Series: entries[0].Series, Kind: marketplace.IndexTransaction,
					Class: k.class, Bloc: marketplace.Bloc(k.bloc), Week: w, Sums: sums, Median: decimal.Zero}))
			}
		}
		for _, c := range posted {
			cellRows = append(cellRows, toIndexCellRow(c))
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(cellRows, 200).Error; err != nil {
			return err
		}
		added = len(rows)
		return nil
	})
	return added, translate("seed index history", err)
}
