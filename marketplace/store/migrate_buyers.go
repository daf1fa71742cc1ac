package store

import (
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
)

// migrateBuyers is migration 7, in four parts:
//
//  1. the tables buyers, buyer_keys and buyer_sessions;
//  2. the columns of ownership and cancellation: orders.buyer_id and the order's terms and
//     cancellation record, quotes.buyer_id and the terms a quote was priced under,
//     offers.cancel_kind and cancel_notice_hours (empty: the pricing model's default terms,
//     marketplace.DefaultCancellation, so existing offers need no data move), with the
//     indexes that list a buyer's orders and every order by date;
//  3. suppliers.name_key, filled for the existing suppliers: the first supplier (by creation)
//     of each name takes the key, any later one of the same name keeps its row without a key;
//  4. the unique index on suppliers.name_key.
//
// A new database goes through the same states: migration 1 creates the first release's
// orders, offers and suppliers (legacyOrderRow, legacyOfferRow, legacySupplierRow) and this
// step adds the columns and indexes to them.
func migrateBuyers(tx *gorm.DB, _ migrator) error {
	if err := tx.AutoMigrate(&buyerRow{}, &buyerKeyRow{}, &buyerSessionRow{}); err != nil {
		return err
	}
	for _, add := range []struct {
		model  any
		fields []string
	}{{&orderRow{}, orderColumnsOfMigration7}, {&quoteRow{}, quoteColumnsOfMigration7}, {&offerRow{}, offerColumnsOfMigration7}, {&supplierRow{}, []string{"NameKey"}}} {
		for _, f := range add.fields {
			if tx.Migrator().HasColumn(add.model, f) {
				continue
			}
			if err := tx.Migrator().AddColumn(add.model, f); err != nil {
				return err
			}
		}
	}
	for _, q := range []string{
		`CREATE INDEX IF NOT EXISTS orders_buyer_created ON orders (buyer_id, created_unix)`,
		`CREATE INDEX IF NOT EXISTS orders_created ON orders (created_unix)`,
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	var suppliers []supplierRow
	if err := tx.Where("name_key IS NULL").Order("created_at, id").Find(&suppliers).Error; err != nil {
		return err
	}
	var held []string
	if err := tx.Model(&supplierRow{}).Where("name_key IS NOT NULL").Pluck("name_key", &held).Error; err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, k := range held {
		taken[k] = true
	}
	for _, sp := range suppliers {
		k := marketplace.SupplierNameKey(sp.Name)
		if taken[k] {
			continue
		}
		taken[k] = true
		if err := tx.Model(&supplierRow{}).Where("id = ?", sp.ID).Update("name_key", k).Error; err != nil {
			return err
		}
	}
	return tx.Exec(`CREATE UNIQUE INDEX IF NOT EXISTS suppliers_name_key ON suppliers (name_key)`).Error
}

// legacyOrderRow is the orders table of the first release, frozen for migration 1: migration 7
// adds the buyer and cancellation columns and their indexes.
type legacyOrderRow struct {
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

func (legacyOrderRow) TableName() string { return "orders" }
