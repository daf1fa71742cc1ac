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

// orderRow is an accepted quote. QuoteID is unique: a quote becomes at most one order. The
// buyer and cancellation columns come with migration 7; orders placed before it have no buyer
// and no terms.
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
	CreatedUnix int64           `gorm:"not null;index:orders_supplier_created,priority:2;index:orders_buyer_created,priority:2;index:orders_created"`

	BuyerID           string `gorm:"size:64;not null;default:'';index:orders_buyer_created,priority:1"`
	CancelKind        string `gorm:"size:16;not null;default:''"` // the terms the order was accepted under
	CancelNoticeHours int    `gorm:"not null;default:0"`
	CancelledUnix     int64  `gorm:"not null;default:0"` // 0 unless cancelled
	CancelledBy       string `gorm:"size:64;not null;default:''"`
	CancelReason      string `gorm:"type:text;not null;default:''"`
}

func (orderRow) TableName() string { return "orders" }

// orderColumnsOfMigration7 are the columns migration 7 adds to orders (orderRow's fields).
var orderColumnsOfMigration7 = []string{"BuyerID", "CancelKind", "CancelNoticeHours", "CancelledUnix", "CancelledBy", "CancelReason"}

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
	o := marketplace.Order{
		ID: r.ID, QuoteID: r.QuoteID, OfferID: r.OfferID, SupplierID: r.SupplierID, GPUs: r.GPUs,
		Start: time.Unix(r.StartAt, 0).UTC(), End: time.Unix(r.EndAt, 0).UTC(), Currency: r.Currency,
		Total: r.Total, Status: r.Status, CreatedAt: time.Unix(r.CreatedUnix, 0).UTC(),
		BuyerID:      r.BuyerID,
		Cancellation: marketplace.Cancellation{Kind: marketplace.CancellationKind(r.CancelKind), NoticeHours: r.CancelNoticeHours},
	}
	if r.CancelledUnix != 0 {
		o.Cancelled = marketplace.OrderCancellation{At: time.Unix(r.CancelledUnix, 0).UTC(), By: r.CancelledBy, Reason: r.CancelReason}
	}
	return o
}

// ordersWithBuyers converts rows to orders with their buyers' accounts (one read).
func ordersWithBuyers(db *gorm.DB, rows []orderRow) ([]marketplace.Order, error) {
	ids := map[string]bool{}
	for _, r := range rows {
		if r.BuyerID != "" {
			ids[r.BuyerID] = true
		}
	}
	buyers, err := buyersByID(db, keys(ids))
	if err != nil {
		return nil, err
	}
	out := make([]marketplace.Order, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
		out[i].Buyer = buyers[r.BuyerID]
	}
	return out, nil
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

// AcceptQuote turns a quote into an order of a.BuyerID and its reservation in one transaction.
func (s *Store) AcceptQuote(ctx context.Context, a marketplace.Acceptance) (marketplace.Order, bool, error) {
	var (
		order   marketplace.Order
		created bool
	)
	quoteID, now := a.QuoteID, a.Now
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
		// Idempotent: once accepted, the quote answers with its order, even after expiry —
		// to the buyer who accepted it.
		var existing []orderRow
		if err := tx.Where("quote_id = ?", quoteID).Limit(1).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) == 1 {
			if existing[0].BuyerID != "" && existing[0].BuyerID != a.BuyerID {
				return marketplace.AcceptedByAnother()
			}
			order = existing[0].domain()
			return nil
		}
		if qr.BuyerID != "" && qr.BuyerID != a.BuyerID {
			return marketplace.QuoteOfAnother()
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
		// The order keeps the terms the quote showed; a quote priced before offers had terms
		// takes the offer's.
		terms := q.Cancellation
		if terms.IsZero() {
			o, err := offer.domain()
			if err != nil {
				return err
			}
			terms = o.CancellationTerms()
		}
		or := orderRow{ID: a.OrderID, QuoteID: q.ID, OfferID: offer.ID, SupplierID: offer.SupplierID, GPUs: q.GPUs,
			StartAt: start, EndAt: end, Currency: q.Currency, Total: q.Total, Status: marketplace.OrderConfirmed, CreatedUnix: now.Unix(),
			BuyerID: a.BuyerID, CancelKind: string(terms.Kind), CancelNoticeHours: terms.NoticeHours}
		if err := tx.Create(&or).Error; err != nil {
			return err
		}
		rr := reservationRow{OrderID: a.OrderID, OfferID: offer.ID, GPUs: q.GPUs, StartAt: start, EndAt: end}
		if err := tx.Create(&rr).Error; err != nil {
			return err
		}
		if a.Index != nil { // the price index's cell of the order's week, in this transaction
			if err := s.indexOrderTx(tx, a.OrderID, *a.Index); err != nil {
				return err
			}
		}
		if qr.BuyerID == "" { // an anonymous quote belongs to the buyer who accepted it
			if err := tx.Model(&quoteRow{}).Where("id = ?", q.ID).Update("buyer_id", a.BuyerID).Error; err != nil {
				return err
			}
		}
		order, created = or.domain(), true
		return nil
	})
	if err != nil {
		return marketplace.Order{}, false, err
	}
	buyers, err := s.BuyersByID(ctx, []string{order.BuyerID})
	if err != nil {
		return marketplace.Order{}, false, err
	}
	order.Buyer = buyers[order.BuyerID]
	return order, created, nil
}

// Order reads one order with its buyer.
func (s *Store) Order(ctx context.Context, id string) (marketplace.Order, error) {
	var r orderRow
	db := s.gormDB(ctx)
	if err := takeOne(db, "order", &r, "id = ?", id); err != nil {
		return marketplace.Order{}, translate("read order", err)
	}
	out, err := ordersWithBuyers(db, []orderRow{r})
	if err != nil {
		return marketplace.Order{}, err
	}
	return out[0], nil
}

// Orders lists a supplier's or a buyer's orders — or, with neither, every order (for analyses
// over a date range: the orders_created index serves it) — newest first, created in [From, To).
func (s *Store) Orders(ctx context.Context, l marketplace.OrderListing) ([]marketplace.Order, error) {
	db := s.gormDB(ctx)
	q := db.Model(&orderRow{})
	if l.SupplierID != "" {
		q = q.Where("supplier_id = ?", l.SupplierID)
	}
	if l.BuyerID != "" {
		q = q.Where("buyer_id = ?", l.BuyerID)
	}
	if l.Status != "" {
		q = q.Where("status = ?", l.Status)
	}
	if !l.From.IsZero() {
		q = q.Where("created_unix >= ?", l.From.Unix())
	}
	if !l.To.IsZero() {
		q = q.Where("created_unix < ?", l.To.Unix())
	}
	if l.BeforeID != "" {
		b := l.Before.Unix()
		q = q.Where("created_unix < ? OR (created_unix = ? AND id > ?)", b, b, l.BeforeID)
	}
	var rows []orderRow
	if err := q.Order("created_unix DESC, id").Limit(l.Limit + 1).Find(&rows).Error; err != nil {
		return nil, translate("list orders", err)
	}
	return ordersWithBuyers(db, rows)
}

// GPUsAvailable returns the offer's capacity less the peak of the reservations held over
// [start, end) (never below zero): two indexed reads. The service computes the same from its
// offer cache (marketplace/offercache.go); tests read what is stored with this.
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
