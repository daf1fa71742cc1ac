package store

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

// quotaUsageRow is the volume of a tariff quota consumed by accepted orders in one period.
// Consumed is exact TEXT; it is only read and written inside the accepting transaction, which
// locks the row, so no SQL arithmetic on it is needed.
type quotaUsageRow struct {
	MeasureID string          `gorm:"primaryKey;size:128"`
	Period    string          `gorm:"primaryKey;size:16"`
	Consumed  decimal.Decimal `gorm:"type:text;not null"`
}

func (quotaUsageRow) TableName() string { return "quota_usage" }

// QuotaConsumed returns the volume of each of the quotas that accepted orders consumed in
// period, in one read; a quota nothing consumed is absent.
func (s *Store) QuotaConsumed(ctx context.Context, measureIDs []string, period string) (map[string]decimal.Decimal, error) {
	if len(measureIDs) == 0 {
		return nil, nil
	}
	var rows []quotaUsageRow
	if err := s.gormDB(ctx).Where("measure_id IN ? AND period = ?", measureIDs, period).Find(&rows).Error; err != nil {
		return nil, translate("read quota usage", err)
	}
	out := make(map[string]decimal.Decimal, len(rows))
	for _, r := range rows {
		out[r.MeasureID] = r.Consumed
	}
	return out, nil
}

// consumeQuotaTx adds each use's volume to its quota inside tx (the accepting transaction) and
// fails with a conflict when a quota would exceed its limit. The row is locked first
// (PostgreSQL FOR UPDATE; SQLite transactions already hold the write lock).
func (s *Store) consumeQuotaTx(tx *gorm.DB, uses []marketplace.QuotaUse) error {
	for _, u := range uses {
		if !u.Volume.IsPositive() {
			continue
		}
		row := quotaUsageRow{MeasureID: u.MeasureID, Period: u.Period, Consumed: decimal.Zero}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return err
		}
		q := tx.Where("measure_id = ? AND period = ?", u.MeasureID, u.Period)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&row).Error; err != nil {
			return err
		}
		next := row.Consumed.Add(u.Volume)
		if u.Limit.IsPositive() && next.GreaterThan(u.Limit) {
			return &marketplace.Error{Code: marketplace.CodeConflict, Reason: "quota_exhausted",
				Message: fmt.Sprintf("tariff quota %s for %s has %s left, the quote needs %s; request a new quote", u.MeasureID, u.Period, u.Limit.Sub(row.Consumed).String(), u.Volume.String()),
				Extra:   map[string]any{"quota_remaining": u.Limit.Sub(row.Consumed).String()}}
		}
		if err := tx.Model(&quotaUsageRow{}).Where("measure_id = ? AND period = ?", u.MeasureID, u.Period).Update("consumed", next.String()).Error; err != nil {
			return err
		}
	}
	return nil
}
