package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// offerRow keeps the exact price as TEXT and a shadow integer in micro-units (the API allows at
// most 6 decimals, so the shadow is exact) for SQL filters and sorting. Availability bounds are
// Unix seconds.
type offerRow struct {
	ID             string          `gorm:"primaryKey;size:64"`
	SupplierID     string          `gorm:"size:64;not null;index"`
	Supplier       *supplierRow    `gorm:"foreignKey:SupplierID;references:ID"`
	Region         string          `gorm:"size:64;not null;index:offers_region_status,priority:1"`
	RegionRef      *regionRow      `gorm:"foreignKey:Region;references:Code"`
	Accelerator    string          `gorm:"size:64;not null;index:offers_acc_status,priority:1"`
	AcceleratorRef *acceleratorRow `gorm:"foreignKey:Accelerator;references:Model"`
	Product        string          `gorm:"size:16;not null"`
	GPUs           int             `gorm:"not null"`
	Price          decimal.Decimal `gorm:"type:text;not null"`
	PriceMicros    int64           `gorm:"not null;index:offers_status_price,priority:2"`
	Currency       string          `gorm:"size:3;not null"`
	Pricing        string          `gorm:"size:16;not null"`
	MinHours       int             `gorm:"not null"`
	TermMonths     int             `gorm:"not null"`
	Tiers          string          `gorm:"type:text;not null"`
	AvailableFrom  int64           `gorm:"not null"`
	AvailableUntil int64           `gorm:"not null"`
	HSCode         string          `gorm:"size:16"`
	Note           string          `gorm:"type:text"`
	Status         string          `gorm:"size:16;not null;index:offers_status_price,priority:1;index:offers_region_status,priority:2;index:offers_acc_status,priority:2"`
	Version        int             `gorm:"not null"`
	Demo           bool            `gorm:"not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

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
		Pricing: o.Pricing, MinHours: o.MinHours, TermMonths: o.TermMonths, Tiers: string(tb),
		AvailableFrom: o.AvailableFrom.Unix(), AvailableUntil: o.AvailableUntil.Unix(), HSCode: o.HSCode,
		Note: o.Note, Status: o.Status, Version: o.Version, Demo: o.Demo, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
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
		Version: r.Version, Demo: r.Demo, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	for _, t := range tiers {
		o.Tiers = append(o.Tiers, marketplace.Tier{MinGPUHours: t.MinGPUHours, Discount: t.Discount})
	}
	return o, nil
}

// PutOffers inserts offers whose id is new.
func (s *Store) PutOffers(ctx context.Context, offers []marketplace.Offer) (int, error) {
	if len(offers) == 0 {
		return 0, nil
	}
	rows := make([]offerRow, len(offers))
	for i, o := range offers {
		rows[i] = toOfferRow(o)
	}
	return s.insertNew(ctx, "put offers", &rows)
}

// CountOffers counts offers.
func (s *Store) CountOffers(ctx context.Context) (int64, error) {
	var n int64
	err := s.gormDB(ctx).Model(&offerRow{}).Count(&n).Error
	return n, translate("count offers", err)
}
