package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/marketplace/search"
)

// offerRow keeps the exact price as TEXT and a shadow integer in micro-units (the API allows at
// most 6 decimals, so the shadow is exact) for SQL filters and sorting. Availability bounds are
// Unix seconds. The search columns after Demo are denormalised from the supplier, region and
// accelerator rows when the offer is written (reference rows are insert-only, so they never go
// stale), so that every search filter is a single-table, indexable condition.
type offerRow struct {
	ID             string          `gorm:"primaryKey;size:64;index:offers_cur_price,priority:4;index:offers_cur_ppf,priority:4;index:offers_region_price,priority:5;index:offers_bloc_price,priority:5;index:offers_from,priority:3;index:offers_gpus,priority:3;index:offers_acc_price,priority:5;index:offers_acc_ppf,priority:5"`
	SupplierID     string          `gorm:"size:64;not null;index:offers_supplier,priority:1"`
	Supplier       *supplierRow    `gorm:"foreignKey:SupplierID;references:ID"`
	Region         string          `gorm:"size:64;not null;index:offers_cur_price,priority:7;index:offers_cur_ppf,priority:7;index:offers_region_price,priority:1;index:offers_acc_price,priority:7;index:offers_acc_ppf,priority:7"`
	RegionRef      *regionRow      `gorm:"foreignKey:Region;references:Code"`
	Accelerator    string          `gorm:"size:64;not null;index:offers_cur_price,priority:5;index:offers_cur_ppf,priority:5;index:offers_bloc_price,priority:8;index:offers_acc_price,priority:1;index:offers_acc_ppf,priority:1"`
	AcceleratorRef *acceleratorRow `gorm:"foreignKey:Accelerator;references:Model"`
	Product        string          `gorm:"size:16;not null"`
	GPUs           int             `gorm:"not null;index:offers_cur_price,priority:8;index:offers_cur_ppf,priority:8;index:offers_region_price,priority:6;index:offers_bloc_price,priority:6;index:offers_from,priority:4;index:offers_gpus,priority:2;index:offers_acc_price,priority:8;index:offers_acc_ppf,priority:8"`
	Price          decimal.Decimal `gorm:"type:text;not null"`
	PriceMicros    int64           `gorm:"not null;index:offers_cur_price,priority:3;index:offers_region_price,priority:4;index:offers_bloc_price,priority:4;index:offers_acc_price,priority:4"`
	Currency       string          `gorm:"size:3;not null;index:offers_cur_price,priority:2;index:offers_cur_ppf,priority:2;index:offers_region_price,priority:3;index:offers_bloc_price,priority:3;index:offers_acc_price,priority:3;index:offers_acc_ppf,priority:3"`
	Pricing        string          `gorm:"size:16;not null;index:offers_cur_price,priority:9;index:offers_cur_ppf,priority:9;index:offers_region_price,priority:7;index:offers_bloc_price,priority:7;index:offers_acc_price,priority:9;index:offers_acc_ppf,priority:9"`
	MinHours       int             `gorm:"not null"`
	TermMonths     int             `gorm:"not null"`
	Tiers          string          `gorm:"type:text;not null"`
	AvailableFrom  int64           `gorm:"not null"`
	AvailableUntil int64           `gorm:"not null"`
	HSCode         string          `gorm:"size:16"`
	Note           string          `gorm:"type:text"`
	Status         string          `gorm:"size:16;not null;index:offers_cur_price,priority:1;index:offers_cur_ppf,priority:1;index:offers_region_price,priority:2;index:offers_bloc_price,priority:2;index:offers_from,priority:1;index:offers_gpus,priority:1;index:offers_supplier,priority:2;index:offers_acc_price,priority:2;index:offers_acc_ppf,priority:2"`
	Version        int             `gorm:"not null"`
	Demo           bool            `gorm:"not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time

	SupplierName  string          `gorm:"not null;default:''"`
	RegionName    string          `gorm:"not null;default:''"`
	Bloc          string          `gorm:"size:8;not null;default:'';index:offers_cur_price,priority:6;index:offers_cur_ppf,priority:6;index:offers_bloc_price,priority:1;index:offers_acc_price,priority:6;index:offers_acc_ppf,priority:6"`
	Country       string          `gorm:"size:2;not null;default:''"`
	Vendor        string          `gorm:"size:64;not null;default:''"`
	VendorCountry string          `gorm:"size:2;not null;default:''"`
	MemoryMicros  int64           `gorm:"not null;default:0"`
	TFLOPSMicros  int64           `gorm:"not null;default:0"`
	TPPMicros     int64           `gorm:"not null;default:0;index:offers_cur_price,priority:10;index:offers_cur_ppf,priority:10"`
	BF16TFLOPS    decimal.Decimal `gorm:"type:text;not null;default:'0'"`
	TPP           decimal.Decimal `gorm:"type:text;not null;default:'0'"`
	ExportClass   string          `gorm:"size:16;not null;default:''"`
	PPFMicros     int64           `gorm:"not null;default:0;index:offers_cur_ppf,priority:3;index:offers_acc_ppf,priority:4"`
	FromDay       int64           `gorm:"not null;default:0;index:offers_from,priority:2"`
	UntilDay      int64           `gorm:"not null;default:0"`
	SearchText    string          `gorm:"type:text;not null;default:''"`

	// FloorMicros is marketplace.FloorPrice in micro-units: the price less its largest tier
	// discount, which comparisons read offers in (migration 11; indexes offers_acc_floor and
	// offers_cur_floor).
	FloorMicros int64 `gorm:"not null;default:0"`

	// TaxTerms are the offer's terms for taxes withheld at source (migration 6).
	TaxTerms string `gorm:"size:16;not null;default:'net_of_cn_tax'"`

	// Migration 7: the cancellation terms the supplier stated; '' for none (the default terms
	// of the offer's pricing model, marketplace.DefaultCancellation).
	CancelKind        string `gorm:"size:16;not null;default:''"`
	CancelNoticeHours int    `gorm:"not null;default:0"`
}

// offerColumnsOfMigration7 are the columns migration 7 adds to offers (offerRow's fields).
var offerColumnsOfMigration7 = []string{"CancelKind", "CancelNoticeHours"}

func (offerRow) TableName() string { return "offers" }

type tierJSON struct {
	MinGPUHours decimal.Decimal `json:"min_gpu_hours"`
	Discount    decimal.Decimal `json:"discount"`
}

var micro = decimal.New(1, 6)

func toOfferRow(o marketplace.Offer) offerRow {
	tiers := make([]tierJSON, len(o.Tiers))
	for i, t := range o.Tiers {
		tiers[i] = tierJSON{MinGPUHours: t.MinGPUHours, Discount: t.Discount}
	}
	tb, _ := json.Marshal(tiers) // cannot fail: decimals and slices only
	return offerRow{
		ID: o.ID, SupplierID: o.SupplierID, Region: o.Region, Accelerator: o.Accelerator, Product: o.Product,
		GPUs: o.GPUs, Price: o.Price, PriceMicros: o.Price.Mul(micro).IntPart(), Currency: o.Currency,
		FloorMicros: floorMicros(o.Price, o.Tiers),
		Pricing:     o.Pricing, MinHours: o.MinHours, TermMonths: o.TermMonths, Tiers: string(tb),
		AvailableFrom: o.AvailableFrom.Unix(), AvailableUntil: o.AvailableUntil.Unix(), HSCode: o.HSCode,
		Note: o.Note, Status: o.Status, Version: o.Version, Demo: o.Demo, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		TaxTerms: o.TaxTerms, CancelKind: string(o.Cancellation.Kind), CancelNoticeHours: o.Cancellation.NoticeHours,
	}
}

func (r offerRow) domain() (marketplace.Offer, error) {
	var tiers []tierJSON
	if r.Tiers != "" {
		if err := json.Unmarshal([]byte(r.Tiers), &tiers); err != nil {
			return marketplace.Offer{}, err
		}
	}
	o := marketplace.Offer{
		ID: r.ID, SupplierID: r.SupplierID, Region: r.Region, Accelerator: r.Accelerator, Product: r.Product,
		GPUs: r.GPUs, Price: r.Price, Currency: r.Currency, Pricing: r.Pricing, MinHours: r.MinHours,
		TermMonths: r.TermMonths, AvailableFrom: time.Unix(r.AvailableFrom, 0).UTC(),
		AvailableUntil: time.Unix(r.AvailableUntil, 0).UTC(), HSCode: r.HSCode, Note: r.Note, Status: r.Status,
		Version: r.Version, Demo: r.Demo, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), TaxTerms: r.TaxTerms,
		Cancellation: marketplace.Cancellation{Kind: marketplace.CancellationKind(r.CancelKind), NoticeHours: r.CancelNoticeHours},
	}
	for _, t := range tiers {
		o.Tiers = append(o.Tiers, marketplace.Tier{MinGPUHours: t.MinGPUHours, Discount: t.Discount})
	}
	return o, nil
}

// backfillOfferSearch fills the denormalised search columns of offers written without them
// (their supplier_name is the empty default: rows of a release before the columns existed).
// Migration 10 runs it once, in pages of backfillPageSize offers in id order, so that neither a
// start nor the migration holds a market's worth of offers in memory; every write since the
// columns exist fills them (offerRows), so nothing can need it again.
func backfillOfferSearch(tx *gorm.DB) error {
	after := ""
	for {
		var stale []offerRow
		if err := tx.Where("supplier_name = '' AND id > ?", after).Order("id").Limit(backfillPageSize).Find(&stale).Error; err != nil {
			return err
		}
		if len(stale) == 0 {
			return nil
		}
		after = stale[len(stale)-1].ID
		offers := make([]marketplace.Offer, 0, len(stale))
		for _, r := range stale {
			o, err := r.domain()
			if err != nil {
				return err
			}
			offers = append(offers, o)
		}
		rows, err := offerRows(tx, offers)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := tx.Model(&offerRow{}).Where("id = ?", rows[i].ID).Select(offerSearchColumns).Updates(&rows[i]).Error; err != nil {
				return err
			}
		}
	}
}

// backfillPageSize is how many offers backfillOfferSearch reads at a time (a variable for tests).
var backfillPageSize = 500

// offerSearchColumns are the columns offerRows derives from an offer's supplier, region and
// accelerator (and its price), which backfillOfferSearch fills.
var offerSearchColumns = []string{"price_micros", "supplier_name", "region_name", "bloc", "country", "vendor", "vendor_country",
	"memory_micros", "tflops_micros", "tpp_micros", "bf16_tflops", "tpp", "export_class", "ppf_micros", "from_day", "until_day", "search_text"}

func (r offerRow) view() (marketplace.OfferView, error) {
	o, err := r.domain()
	if err != nil {
		return marketplace.OfferView{}, err
	}
	return marketplace.OfferView{
		Offer: o, SupplierName: r.SupplierName, RegionName: r.RegionName, Bloc: marketplace.Bloc(r.Bloc),
		Country: r.Country, TPP: r.TPP, BF16TFLOPS: r.BF16TFLOPS, ExportClass: r.ExportClass,
	}, nil
}

// toMicros converts a decimal to integer micro-units, truncating below a micro-unit and
// saturating far beyond any real figure.
func toMicros(d decimal.Decimal) int64 {
	m := d.Mul(micro)
	if m.GreaterThan(maxMicros) {
		return maxMicros.IntPart()
	}
	if m.LessThan(maxMicros.Neg()) {
		return maxMicros.Neg().IntPart()
	}
	return m.IntPart()
}

var maxMicros = decimal.New(1, 18)

// offerRows converts offers to rows and fills the denormalised search columns from the
// supplier, region and accelerator rows; a missing reference is a field error.
func offerRows(tx *gorm.DB, offers []marketplace.Offer) ([]offerRow, error) {
	sup, reg, acc := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, o := range offers {
		sup[o.SupplierID], reg[o.Region], acc[o.Accelerator] = true, true, true
	}
	var sRows []supplierRow
	var rRows []regionRow
	var aRows []acceleratorRow
	if err := tx.Where("id IN ?", keys(sup)).Find(&sRows).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("code IN ?", keys(reg)).Find(&rRows).Error; err != nil {
		return nil, err
	}
	if err := tx.Where("model IN ?", keys(acc)).Find(&aRows).Error; err != nil {
		return nil, err
	}
	sm := map[string]supplierRow{}
	for _, r := range sRows {
		sm[r.ID] = r
	}
	rm := map[string]regionRow{}
	for _, r := range rRows {
		rm[r.Code] = r
	}
	am := map[string]acceleratorRow{}
	for _, r := range aRows {
		am[r.Model] = r
	}
	rows := make([]offerRow, len(offers))
	for i, o := range offers {
		sp, ok1 := sm[o.SupplierID]
		rg, ok2 := rm[o.Region]
		ac, ok3 := am[o.Accelerator]
		switch {
		case !ok1:
			return nil, marketplace.Invalid("unknown supplier", marketplace.FieldError{Field: "supplier_id", Message: "no such supplier " + o.SupplierID})
		case !ok2:
			return nil, marketplace.Invalid("unknown region", marketplace.FieldError{Field: "region", Message: "no such region " + o.Region})
		case !ok3:
			return nil, marketplace.Invalid("unknown accelerator", marketplace.FieldError{Field: "accelerator", Message: "no such accelerator " + o.Accelerator})
		}
		r := toOfferRow(o)
		r.SupplierName, r.RegionName, r.Bloc, r.Country = sp.Name, rg.Name, rg.Bloc, rg.Country
		r.Vendor, r.VendorCountry = search.VendorSlug(ac.Vendor), ac.VendorCountry
		r.MemoryMicros, r.TFLOPSMicros, r.TPPMicros = toMicros(ac.MemoryGB), toMicros(ac.BF16TFLOPS), toMicros(ac.TPP)
		r.BF16TFLOPS, r.TPP = ac.BF16TFLOPS, ac.TPP
		r.ExportClass = marketplace.ExportClass(ac.domain())
		r.PPFMicros = search.PerPFLOPMicros(o.Price, ac.BF16TFLOPS)
		r.FromDay = o.AvailableFrom.UTC().Truncate(24 * time.Hour).Unix()
		r.UntilDay = o.AvailableUntil.UTC().Truncate(24 * time.Hour).Unix()
		r.SearchText = strings.ToLower(sp.Name + "\n" + o.Note)
		rows[i] = r
	}
	return rows, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// PutOffers inserts offers whose id is new.
func (s *Store) PutOffers(ctx context.Context, offers []marketplace.Offer) (int, error) {
	if len(offers) == 0 {
		return 0, nil
	}
	rows, err := offerRows(s.gormDB(ctx), offers)
	if err != nil {
		return 0, translate("put offers", err)
	}
	return s.insertNew(ctx, "put offers", &rows)
}

// CountOffers counts offers.
func (s *Store) CountOffers(ctx context.Context) (int64, error) {
	var n int64
	err := s.gormDB(ctx).Model(&offerRow{}).Count(&n).Error
	return n, translate("count offers", err)
}

// CreateOffer stores a new offer.
func (s *Store) CreateOffer(ctx context.Context, o marketplace.Offer) error {
	return s.inTx(ctx, "create offer", func(tx *gorm.DB) error {
		rows, err := offerRows(tx, []marketplace.Offer{o})
		if err != nil {
			return err
		}
		return tx.Create(&rows[0]).Error
	})
}

// OfferView reads one offer with its denormalised names and figures.
func (s *Store) OfferView(ctx context.Context, id string) (marketplace.OfferView, error) {
	var row offerRow
	if err := takeOne(s.gormDB(ctx), "offer", &row, "id = ?", id); err != nil {
		return marketplace.OfferView{}, translate("read offer", err)
	}
	v, err := row.view()
	return v, translate("read offer", err)
}

// SupplierOfferViews reads a supplier's offers of a status ("" = any) with ids after afterID,
// ordered by id, limit at most.
func (s *Store) SupplierOfferViews(ctx context.Context, supplierID, status, afterID string, limit int) ([]marketplace.OfferView, error) {
	q := s.gormDB(ctx).Where("supplier_id = ?", supplierID)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if afterID != "" {
		q = q.Where("id > ?", afterID)
	}
	var rows []offerRow
	if err := q.Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate("list supplier offers", err)
	}
	out := make([]marketplace.OfferView, len(rows))
	for i, r := range rows {
		v, err := r.view()
		if err != nil {
			return nil, translate("read offer", err)
		}
		out[i] = v
	}
	return out, nil
}

// OffersByID reads the offers with the given ids that exist.
func (s *Store) OffersByID(ctx context.Context, ids []string) (map[string]marketplace.Offer, error) {
	views, err := s.OfferViews(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]marketplace.Offer, len(views))
	for id, v := range views {
		out[id] = v.Offer
	}
	return out, nil
}

// UpdateOffer replaces offer o.ID if it is still at prevVersion.
func (s *Store) UpdateOffer(ctx context.Context, o marketplace.Offer, prevVersion int) error {
	return s.inTx(ctx, "update offer", func(tx *gorm.DB) error {
		return replaceOffer(tx, o, prevVersion)
	})
}

func replaceOffer(tx *gorm.DB, o marketplace.Offer, prevVersion int) error {
	rows, err := offerRows(tx, []marketplace.Offer{o})
	if err != nil {
		return err
	}
	res := tx.Model(&offerRow{}).Where("id = ? AND supplier_id = ? AND version = ?", o.ID, o.SupplierID, prevVersion).
		Select("*").Omit("id", "created_at", "supplier_id").Updates(&rows[0])
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return &marketplace.Error{Code: marketplace.CodePrecondition, Message: "the offer changed meanwhile; read it again",
			Fields: []marketplace.FieldError{{Field: "If-Match", Message: "does not match the current version"}}}
	}
	// The row is now locked (PostgreSQL) or the database is (SQLite): held reservations must
	// still fit the new capacity and window.
	var held []reservationRow
	if err := tx.Where("offer_id = ?", o.ID).Find(&held).Error; err != nil {
		return err
	}
	res2 := make([]marketplace.Reservation, len(held))
	for i, h := range held {
		res2[i] = h.domain()
		if h.StartAt < o.AvailableFrom.Unix() || h.EndAt > o.AvailableUntil.Unix() {
			return &marketplace.Error{Code: marketplace.CodeConflict, Message: "orders hold GPUs outside the new availability window",
				Fields: []marketplace.FieldError{{Field: "available_from", Message: "must keep every reserved window inside the offer's window"}}}
		}
	}
	if peak := marketplace.PeakReserved(res2, o.AvailableFrom, o.AvailableUntil); peak > o.GPUs {
		return &marketplace.Error{Code: marketplace.CodeConflict, Message: fmt.Sprintf("orders hold up to %d GPUs at once; capacity cannot go below that", peak),
			Fields: []marketplace.FieldError{{Field: "gpus", Message: fmt.Sprintf("must be at least %d (reserved)", peak)}}, Extra: map[string]any{"gpus_reserved": peak}}
	}
	return nil
}

// UpsertOffers creates and replaces offers in one transaction.
func (s *Store) UpsertOffers(ctx context.Context, offers []marketplace.BatchOffer) error {
	return s.inTx(ctx, "upsert offers", func(tx *gorm.DB) error {
		var creates []marketplace.Offer
		for _, b := range offers {
			if b.Create {
				creates = append(creates, b.Offer)
				continue
			}
			if err := replaceOffer(tx, b.Offer, b.PrevVersion); err != nil {
				return err
			}
		}
		if len(creates) == 0 {
			return nil
		}
		rows, err := offerRows(tx, creates)
		if err != nil {
			return err
		}
		return tx.CreateInBatches(&rows, 100).Error
	})
}
