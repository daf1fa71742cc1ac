package store

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

// orderRow is an accepted quote. QuoteID is unique: a quote becomes at most one order.
type orderRow struct {
	ID          string          `gorm:"primaryKey;size:64"`
	QuoteID     string          `gorm:"size:64;not null;uniqueIndex"`
	OfferID     string          `gorm:"size:64;not null;index"`
	SupplierID  string          `gorm:"size:64;not null;index:orders_supplier_created,priority:1"`
	GPUs        int             `gorm:"not null"`
	StartAt     int64           `gorm:"not null"`
	EndAt       int64           `gorm:"not null"`
	Currency    string          `gorm:"size:3;not null"`
	Total       decimal.Decimal `gorm:"type:text;not null"`
	Status      string          `gorm:"size:16;not null"`
	CreatedUnix int64           `gorm:"not null;index:orders_supplier_created,priority:2"`
}

func (orderRow) TableName() string { return "orders" }

// reservationRow holds GPUs of an offer over [StartAt, EndAt), Unix seconds.
type reservationRow struct {
	OrderID string `gorm:"primaryKey;size:64"`
	OfferID string `gorm:"size:64;not null;index:reservations_offer_window,priority:1"`
	GPUs    int    `gorm:"not null"`
	StartAt int64  `gorm:"not null;index:reservations_offer_window,priority:2"`
	EndAt   int64  `gorm:"not null"`
}

func (reservationRow) TableName() string { return "reservations" }

func (r orderRow) domain() marketplace.Order {
	return marketplace.Order{
		ID: r.ID, QuoteID: r.QuoteID, OfferID: r.OfferID, SupplierID: r.SupplierID, GPUs: r.GPUs,
		Start: time.Unix(r.StartAt, 0).UTC(), End: time.Unix(r.EndAt, 0).UTC(), Currency: r.Currency,
		Total: r.Total, Status: r.Status, CreatedAt: time.Unix(r.CreatedUnix, 0).UTC(),
	}
}

func (r reservationRow) domain() marketplace.Reservation {
	return marketplace.Reservation{OrderID: r.OrderID, OfferID: r.OfferID, GPUs: r.GPUs,
		Start: time.Unix(r.StartAt, 0).UTC(), End: time.Unix(r.EndAt, 0).UTC()}
}

// lockOffer reads an offer row and, on PostgreSQL, locks it until the transaction ends; on
// SQLite the immediate transaction already holds the database's write lock.
func (s *Store) lockOffer(tx *gorm.DB, id string) (offerRow, error) {
	var row offerRow
	q := tx
	if s.postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return row, takeOne(q, "offer", &row, "id = ?", id)
}

func overlapping(tx *gorm.DB, offerIDs []string, from, to int64) ([]marketplace.Reservation, error) {
	var rows []reservationRow
	if err := tx.Where("offer_id IN ? AND start_at < ? AND end_at > ?", offerIDs, to, from).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]marketplace.Reservation, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// AcceptQuote turns a quote into an order and reservation in one transaction.
func (s *Store) AcceptQuote(ctx context.Context, quoteID, orderID string, now time.Time) (marketplace.Order, bool, error) {
	var (
		order   marketplace.Order
		created bool
	)
	err := s.inDurableTx(ctx, "accept quote", func(tx *gorm.DB) error {
		created = false
		var qr quoteRow
		if err := takeOne(tx, "quote", &qr, "id = ?", quoteID); err != nil {
			return err
		}
		q, err := qr.domain()
		if err != nil {
			return err
		}
		offer, err := s.lockOffer(tx, q.OfferID)
		if err != nil {
			return err
		}
		// Idempotent: once accepted, the quote answers with its order, even after expiry.
		var existing []orderRow
		if err := tx.Where("quote_id = ?", quoteID).Limit(1).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) == 1 {
			order = existing[0].domain()
			return nil
		}
		if !now.Before(q.ValidUntil) {
			return &marketplace.Error{Code: marketplace.CodeGone, Message: fmt.Sprintf("the quote expired at %s; ask for a new quote", q.ValidUntil.Format(time.RFC3339)),
				Extra: map[string]any{"valid_until": q.ValidUntil.Format(time.RFC3339)}}
		}
		if offer.Status != marketplace.OfferActive {
			return &marketplace.Error{Code: marketplace.CodeConflict, Message: "the offer has been withdrawn", Reason: "offer_withdrawn",
				Extra: map[string]any{"gpus_available": 0}}
		}
		start, end := q.Start.Unix(), q.End.Unix()
		if start < offer.AvailableFrom || end > offer.AvailableUntil || end <= start {
			return &marketplace.Error{Code: marketplace.CodeConflict, Message: "the quote's window is no longer inside the offer's availability", Reason: "outside_window",
				Extra: map[string]any{"gpus_available": 0}}
		}
		res, err := overlapping(tx, []string{offer.ID}, start, end)
		if err != nil {
			return err
		}
		peak := marketplace.PeakReserved(res, q.Start, q.End)
		if peak+q.GPUs > offer.GPUs {
			left := max(0, offer.GPUs-peak)
			return &marketplace.Error{Code: marketplace.CodeConflict, Reason: "no_capacity",
				Message: fmt.Sprintf("not enough capacity: %d GPUs asked, %d free over the quote's window", q.GPUs, left),
				Extra:   map[string]any{"gpus_available": left}}
		}
		if err := s.consumeQuotaTx(tx, q.QuotaUses); err != nil {
			return err
		}
		or := orderRow{ID: orderID, QuoteID: q.ID, OfferID: offer.ID, SupplierID: offer.SupplierID, GPUs: q.GPUs,
			StartAt: start, EndAt: end, Currency: q.Currency, Total: q.Total, Status: marketplace.OrderConfirmed, CreatedUnix: now.Unix()}
		if err := tx.Create(&or).Error; err != nil {
			return err
		}
		rr := reservationRow{OrderID: orderID, OfferID: offer.ID, GPUs: q.GPUs, StartAt: start, EndAt: end}
		if err := tx.Create(&rr).Error; err != nil {
			return err
		}
		order, created = or.domain(), true
		return nil
	})
	if err != nil {
		return marketplace.Order{}, false, err
	}
	return order, created, nil
}

// Order reads one order.
func (s *Store) Order(ctx context.Context, id string) (marketplace.Order, error) {
	var r orderRow
	if err := takeOne(s.gormDB(ctx), "order", &r, "id = ?", id); err != nil {
		return marketplace.Order{}, translate("read order", err)
	}
	return r.domain(), nil
}

// SupplierOrders lists a supplier's orders newest first.
func (s *Store) SupplierOrders(ctx context.Context, l marketplace.OrderListing) ([]marketplace.Order, error) {
	q := s.gormDB(ctx).Where("supplier_id = ?", l.SupplierID)
	if l.BeforeID != "" {
		b := l.Before.Unix()
		q = q.Where("created_unix < ? OR (created_unix = ? AND id > ?)", b, b, l.BeforeID)
	}
	var rows []orderRow
	if err := q.Order("created_unix DESC, id").Limit(l.Limit + 1).Find(&rows).Error; err != nil {
		return nil, translate("list orders", err)
	}
	out := make([]marketplace.Order, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// GPUsAvailable returns the offer's capacity less the peak of the reservations held over
// [start, end) (never below zero): two indexed reads.
func (s *Store) GPUsAvailable(ctx context.Context, offerID string, start, end time.Time) (int, error) {
	db := s.gormDB(ctx)
	var offer offerRow
	if err := takeOne(db.Select("id", "gp_us"), "offer", &offer, "id = ?", offerID); err != nil {
		return 0, translate("gpus available", err)
	}
	res, err := overlapping(db, []string{offerID}, start.Unix(), end.Unix())
	if err != nil {
		return 0, translate("gpus available", err)
	}
	return max(0, offer.GPUs-marketplace.PeakReserved(res, start, end)), nil
}

// Reservations lists the reservations on the offers that overlap [from, to).
func (s *Store) Reservations(ctx context.Context, offerIDs []string, from, to time.Time) ([]marketplace.Reservation, error) {
	if len(offerIDs) == 0 {
		return nil, nil
	}
	res, err := overlapping(s.gormDB(ctx), offerIDs, from.Unix(), to.Unix())
	return res, translate("list reservations", err)
}
