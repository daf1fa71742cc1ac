package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/marketplace/jsonout"
)

// quoteRow is an immutable priced request. Record is the explicit, versioned record of the
// quote's request, resolved inputs and result (quote_record.go); the other columns are what
// accepting, listing and purging quotes read with SQL.
type quoteRow struct {
	ID            string          `gorm:"primaryKey;size:64"`
	OfferID       string          `gorm:"size:64;not null"` // not indexed: no query reads quotes by offer (migration 14)
	GPUs          int             `gorm:"not null"`
	StartAt       int64           `gorm:"not null"`
	EndAt         int64           `gorm:"not null"`
	Currency      string          `gorm:"size:3;not null"`
	Total         decimal.Decimal `gorm:"type:text;not null"`
	CreatedAt     time.Time
	ValidUntil    time.Time `gorm:"not null"`
	ExpiresUnix   int64     `gorm:"not null;default:0;index"` // ValidUntil in Unix seconds, for purging
	PolicyID      string    `gorm:"size:128;not null"`
	PolicyVer     int       `gorm:"not null"`
	PolicyHash    string    `gorm:"size:64;not null"`
	QuotaUses     string    `gorm:"type:text;not null"`
	RecordVersion int       `gorm:"not null;default:0"`
	Record        []byte    `gorm:"not null"`
	// Explanation is the explanation Record names, to store with the row (not a column).
	Explanation *sharedExplanation `gorm:"-"`
	// recordJSON is the record's JSON, written by the request (toQuoteRow), and recordBuf
	// holds Record once the writer has compressed it (compress); both are taken back once the
	// row is written.
	recordJSON *jsonout.Writer
	recordBuf  *bytes.Buffer

	// Migration 7: who the quote belongs to (the account that asked for it or, for a quote
	// asked anonymously, the one that accepted it) and the offer's cancellation terms when
	// priced, which accepting reads without decoding the record (the record keeps who asked
	// and the terms too).
	BuyerID           string `gorm:"size:64;not null;default:''"`
	CancelKind        string `gorm:"size:16;not null;default:''"`
	CancelNoticeHours int    `gorm:"not null;default:0"`
}

// quoteColumnsOfMigration7 are the columns migration 7 adds to quotes (quoteRow's fields).
var quoteColumnsOfMigration7 = []string{"BuyerID", "CancelKind", "CancelNoticeHours"}

func (quoteRow) TableName() string { return "quotes" }

type quotaUseJSON struct {
	MeasureID string          `json:"measure_id"`
	Period    string          `json:"period"`
	Volume    decimal.Decimal `json:"volume"`
	Limit     decimal.Decimal `json:"limit"`
}

func encodeQuotaUses(uses []marketplace.QuotaUse) (string, error) {
	out := make([]quotaUseJSON, len(uses))
	for i, u := range uses {
		out[i] = quotaUseJSON(u)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeQuotaUses(s string) ([]marketplace.QuotaUse, error) {
	var uses []quotaUseJSON
	if err := json.Unmarshal([]byte(s), &uses); err != nil {
		return nil, fmt.Errorf("decode quota uses: %w", err)
	}
	var out []marketplace.QuotaUse
	for _, u := range uses {
		out = append(out, marketplace.QuotaUse(u))
	}
	return out, nil
}

func toQuoteRow(q marketplace.Quote) (quoteRow, error) {
	uses, err := encodeQuotaUses(q.QuotaUses)
	if err != nil {
		return quoteRow{}, err
	}
	shared := recordExplanation(q)
	js := recordJSONs.Get().(*jsonout.Writer)
	if err := encodeQuoteRecordJSON(js, q, shared); err != nil {
		recordJSONs.Put(js)
		return quoteRow{}, err
	}
	p := q.Priced.Policy
	return quoteRow{
		ID: q.ID, OfferID: q.OfferID, GPUs: q.GPUs, StartAt: q.Start.Unix(), EndAt: q.End.Unix(),
		Currency: q.Currency, Total: q.Total, CreatedAt: q.CreatedAt.UTC(), ValidUntil: q.ValidUntil.UTC(), ExpiresUnix: q.ValidUntil.Unix(),
		PolicyID: p.ID, PolicyVer: p.Version, PolicyHash: p.Hash, QuotaUses: uses, RecordVersion: recordVersion(q, shared),
		BuyerID: q.BuyerID, CancelKind: string(q.Cancellation.Kind), CancelNoticeHours: q.Cancellation.NoticeHours,
		Explanation: shared, recordJSON: js,
	}, nil
}

// compress fills Record from recordJSON (toQuoteRow), once: the quote writer does it for the
// rows of its batch (quotewriter.go). Compressing with the dictionary reads its 64 KB and
// clears a 64 KB table on the compressing goroutine's stack. On the requests' goroutines, 64
// stacks that the cache has rarely seen, that took 23 µs a quote under the harness's load; on
// the writer's one goroutine 15 µs (5 µs in a loop with nothing else: docs/performance.md).
func (r *quoteRow) compress() {
	if r.Record != nil || r.recordJSON == nil {
		return
	}
	buf := storedRecords.Get().(*bytes.Buffer)
	buf.Reset()
	compressRecordTo(buf, r.recordJSON.B)
	r.Record, r.recordBuf = buf.Bytes(), buf
}

// storedRecords are the buffers new quotes' records are compressed into (a few hundred bytes
// each); a quote's is taken back by writeQuote once its row is written, when the driver has
// copied it (SQLite binds blobs as SQLITE_TRANSIENT; pgx encodes its arguments before Exec
// returns).
var storedRecords = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// release gives the row's buffers back; the row's Record must not be read afterwards.
func (r *quoteRow) release() {
	if r.recordBuf != nil {
		storedRecords.Put(r.recordBuf)
	}
	if r.recordJSON != nil {
		recordJSONs.Put(r.recordJSON)
	}
	r.recordBuf, r.recordJSON, r.Record = nil, nil, nil
}

// recordExplanation is the explanation q's record names, stored once for the quotes that
// share it (quote_explanations.go): the quote's own, or for an explanation with notes
// computed for this quote the shared one it was copied from (the record holds the notes);
// nil when the record holds it: a noted explanation without that base, or none (no policy).
func recordExplanation(q marketplace.Quote) *sharedExplanation {
	p := q.Priced
	if !p.TrailNoted {
		return shareTrail(p.Trail)
	}
	if _, ok := trailNotes(p.Trail, p.TrailBase); !ok {
		return nil
	}
	return shareTrail(p.TrailBase)
}

// domain reads the columns accepting a quote needs; the record is decoded by full.
func (r quoteRow) domain() (marketplace.Quote, error) {
	q := marketplace.Quote{
		ID: r.ID, OfferID: r.OfferID, GPUs: r.GPUs, Start: time.Unix(r.StartAt, 0).UTC(), End: time.Unix(r.EndAt, 0).UTC(),
		Currency: r.Currency, Total: r.Total, CreatedAt: r.CreatedAt.UTC(), ValidUntil: r.ValidUntil.UTC(),
		BuyerID: r.BuyerID, Cancellation: marketplace.Cancellation{Kind: marketplace.CancellationKind(r.CancelKind), NoticeHours: r.CancelNoticeHours},
	}
	var err error
	q.QuotaUses, err = decodeQuotaUses(r.QuotaUses)
	return q, err
}

// full reads the whole quote, its record included, reading a stored explanation it names
// from s.
func (r quoteRow) full(ctx context.Context, s *Store) (marketplace.Quote, error) {
	q, err := r.domain()
	if err != nil {
		return q, err
	}
	explanation := func(hash string) (*string, error) { return s.explanation(ctx, hash) }
	if err := decodeQuoteRecord(r.Record, &q, explanation); err != nil {
		return q, fmt.Errorf("quote %s: %w", r.ID, err)
	}
	// The record holds the instants exactly; PostgreSQL keeps microseconds in its columns.
	q.CreatedAt, q.ValidUntil = q.Inputs.Now, q.Priced.ValidUntil
	return q, nil
}

// PutQuote stores a new quote; quotes are never updated.
func (s *Store) PutQuote(ctx context.Context, q marketplace.Quote) error {
	row, err := toQuoteRow(q)
	if err != nil {
		return translate("put quote", err)
	}
	return s.writeQuote(ctx, row) // by group commit (quotewriter.go), which releases the row
}

// Quote reads a stored quote by id, with the id of the order it became (if any).
func (s *Store) Quote(ctx context.Context, id string) (marketplace.Quote, error) {
	var row quoteRow
	db := s.gormDB(ctx)
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return marketplace.Quote{}, translate("read quote", err)
	}
	q, err := row.full(ctx, s)
	if err != nil {
		return q, translate("read quote", err)
	}
	var orderIDs []string
	if err := db.Model(&orderRow{}).Where("quote_id = ?", id).Limit(1).Pluck("id", &orderIDs).Error; err != nil {
		return q, translate("read quote's order", err)
	}
	if len(orderIDs) == 1 {
		q.OrderID = orderIDs[0]
	}
	return q, nil
}

// purgeBatch is how many quotes one purge transaction deletes: small enough that the writers
// waiting behind it (SQLite has one) do not notice.
const purgeBatch = 1000

// PurgeQuotes deletes the quotes that expired before expiredBefore and were never accepted,
// in transactions of purgeBatch, and returns how many it deleted. Accepted quotes and their
// orders are never deleted.
func (s *Store) PurgeQuotes(ctx context.Context, expiredBefore time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.inTx(ctx, "purge quotes", func(tx *gorm.DB) error {
			res := tx.Exec(`DELETE FROM quotes WHERE id IN (
				SELECT q.id FROM quotes q WHERE q.expires_unix < ? AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.quote_id = q.id)
				ORDER BY q.expires_unix LIMIT ?)`, expiredBefore.Unix(), purgeBatch)
			n = res.RowsAffected
			return res.Error
		})
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < purgeBatch {
			return total, nil
		}
	}
}

// OfferContext reads an offer (any status) with its region, accelerator and supplier.
func (s *Store) OfferContext(ctx context.Context, offerID string) (marketplace.OfferContext, error) {
	var row offerRow
	var reg regionRow
	var acc acceleratorRow
	var sup supplierRow
	if err := s.queryRowInto(ctx, "SELECT "+offerColumns+" FROM offers WHERE id = ?", offerID, func(sc scanner) error { return scanOffer(sc, &row) }); err != nil {
		return marketplace.OfferContext{}, translate("read offer", err)
	}
	if err := s.queryRowInto(ctx, "SELECT "+regionColumns+" FROM regions WHERE code = ?", row.Region, func(sc scanner) error { return scanRegion(sc, &reg) }); err != nil {
		return marketplace.OfferContext{}, translate("read offer region", err)
	}
	if err := s.queryRowInto(ctx, "SELECT "+acceleratorColumns+" FROM accelerators WHERE model = ?", row.Accelerator, func(sc scanner) error { return scanAccelerator(sc, &acc) }); err != nil {
		return marketplace.OfferContext{}, translate("read offer accelerator", err)
	}
	if err := s.queryRowInto(ctx, "SELECT "+supplierColumns+" FROM suppliers WHERE id = ?", row.SupplierID, func(sc scanner) error { return scanSupplier(sc, &sup) }); err != nil {
		return marketplace.OfferContext{}, translate("read offer supplier", err)
	}
	o, err := row.domain()
	if err != nil {
		return marketplace.OfferContext{}, translate("read offer", err)
	}
	sp, err := sup.domain()
	if err != nil {
		return marketplace.OfferContext{}, translate("read offer supplier", err)
	}
	return marketplace.OfferContext{Offer: o, Region: reg.domain(), Accelerator: acc.domain(), Supplier: sp}, nil
}

// ActiveOfferContexts reads every active offer matching f with its region, accelerator and
// supplier, ordered by id. Regions, accelerators and suppliers are read once each and joined in
// memory: there are few of them and many offers.
func (s *Store) ActiveOfferContexts(ctx context.Context, f marketplace.OfferContextFilter) ([]marketplace.OfferContext, error) {
	db := s.gormDB(ctx)
	q := db.Where("offers.status = ?", marketplace.OfferActive).Order("offers.id")
	if len(f.Products) > 0 {
		q = q.Where("offers.product IN ?", f.Products)
	}
	if f.Accelerator != "" {
		q = q.Where("offers.accelerator = ?", f.Accelerator)
	}
	if len(f.Regions) > 0 {
		q = q.Where("offers.region IN ?", f.Regions)
	}
	if f.Bloc != "" {
		q = q.Where("offers.region IN (?)", db.Model(&regionRow{}).Select("code").Where("bloc = ?", string(f.Bloc)))
	}
	var rows []offerRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate("list offers for compare", err)
	}
	var regs []regionRow
	var accs []acceleratorRow
	var sups []supplierRow
	if err := db.Find(&regs).Error; err != nil {
		return nil, translate("list regions", err)
	}
	if err := db.Find(&accs).Error; err != nil {
		return nil, translate("list accelerators", err)
	}
	if err := db.Find(&sups).Error; err != nil {
		return nil, translate("list suppliers", err)
	}
	regBy := make(map[string]marketplace.Region, len(regs))
	for _, r := range regs {
		regBy[r.Code] = r.domain()
	}
	accBy := make(map[string]marketplace.Accelerator, len(accs))
	for _, a := range accs {
		accBy[a.Model] = a.domain()
	}
	supBy := make(map[string]marketplace.Supplier, len(sups))
	for _, r := range sups {
		sp, err := r.domain()
		if err != nil {
			return nil, translate("list suppliers", err)
		}
		supBy[r.ID] = sp
	}
	out := make([]marketplace.OfferContext, 0, len(rows))
	for _, r := range rows {
		o, err := r.domain()
		if err != nil {
			return nil, translate("read offer", err)
		}
		out = append(out, marketplace.OfferContext{Offer: o, Region: regBy[r.Region], Accelerator: accBy[r.Accelerator], Supplier: supBy[r.SupplierID]})
	}
	return out, nil
}
