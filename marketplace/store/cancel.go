package store

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

// CancelOrder cancels a confirmed order in one transaction: the order becomes cancelled with
// who, when and why, its reservation row is deleted (capacity is computed from reservations,
// so the GPUs are free again), the tariff-quota volume its quote consumed is subtracted
// from the ledger and its entry is taken out of its price-index cell. The status changes by a
// conditional update (WHERE status = 'confirmed'): of two transactions cancelling the same
// order — on two instances of one PostgreSQL, say — one changes it and releases, the other
// changes nothing and releases nothing.
func (s *Store) CancelOrder(ctx context.Context, id string, c marketplace.OrderCancellation) (marketplace.Order, bool, error) {
	var changed bool
	err := s.inDurableTx(ctx, "cancel order", func(tx *gorm.DB) error {
		changed = false
		res := tx.Model(&orderRow{}).Where("id = ? AND status = ?", id, marketplace.OrderConfirmed).Updates(map[string]any{
			"status": marketplace.OrderCancelled, "cancelled_unix": c.At.Unix(), "cancelled_by": c.By, "cancel_reason": c.Reason,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return takeOne(tx, "order", &orderRow{}, "id = ?", id) // gone, or cancelled already
		}
		changed = true
		var o orderRow
		if err := takeOne(tx, "order", &o, "id = ?", id); err != nil {
			return err
		}
		if err := tx.Where("order_id = ?", id).Delete(&reservationRow{}).Error; err != nil {
			return err
		}
		if err := s.unindexOrderTx(tx, id); err != nil { // out of the price index, in this transaction
			return err
		}
		var qr quoteRow
		if err := takeOne(tx.Select("id", "quota_uses"), "quote", &qr, "id = ?", o.QuoteID); err != nil {
			return err
		}
		uses, err := decodeQuotaUses(qr.QuotaUses)
		if err != nil {
			return err
		}
		return s.releaseQuotaTx(tx, uses)
	})
	if err != nil {
		return marketplace.Order{}, false, err
	}
	o, err := s.Order(ctx, id)
	return o, changed, err
}

// releaseQuotaTx gives back the volume of each use to its quota inside tx (the cancelling
// transaction), the row locked first like consumeQuotaTx does; the ledger never goes below
// zero.
func (s *Store) releaseQuotaTx(tx *gorm.DB, uses []marketplace.QuotaUse) error {
	for _, u := range uses {
		if !u.Volume.IsPositive() {
			continue
		}
		var row quotaUsageRow
		q := tx.Where("measure_id = ? AND period = ?", u.MeasureID, u.Period)
		if s.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&row).Error; err != nil {
			return fmt.Errorf("release quota %s %s: %w", u.MeasureID, u.Period, err)
		}
		next := decimal.Max(row.Consumed.Sub(u.Volume), decimal.Zero)
		if err := tx.Model(&quotaUsageRow{}).Where("measure_id = ? AND period = ?", u.MeasureID, u.Period).Update("consumed", next.String()).Error; err != nil {
			return err
		}
	}
	return nil
}
