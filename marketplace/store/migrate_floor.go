package store

import (
	"encoding/json"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
)

// floorMicros is marketplace.FloorPrice in micro-units (exact: the floor is whole micro-units).
func floorMicros(price decimal.Decimal, tiers []marketplace.Tier) int64 {
	return toMicros(marketplace.FloorPrice(price, tiers))
}

// floorIndexSQL are the indexes comparisons read offers through in floor-price order: led by
// the accelerator a comparison names, or by status and currency when it names only a minimum
// throughput; each then holds the columns of the other filters (bloc, region, capacity,
// product, throughput), so that rows that fail them are skipped inside the index.
var floorIndexSQL = []string{
	`CREATE INDEX IF NOT EXISTS offers_acc_floor ON offers (accelerator, status, currency, floor_micros, id, bloc, region, gp_us, product)`,
	`CREATE INDEX IF NOT EXISTS offers_cur_floor ON offers (status, currency, floor_micros, id, tflops_micros, accelerator, bloc, region, gp_us, product)`,
}

// migrateCompareFloor (step 11) adds offers.floor_micros, fills it — the price for the offers
// without tiers in one statement, then the offers with tiers in pages of backfillPageSize in
// id order, so that no step holds a market's worth of offers in memory — and creates the
// floor-price indexes. Every write since fills the column (toOfferRow).
func migrateCompareFloor(tx *gorm.DB, _ migrator) error {
	if !tx.Migrator().HasColumn(&offerRow{}, "FloorMicros") {
		if err := tx.Migrator().AddColumn(&offerRow{}, "FloorMicros"); err != nil {
			return err
		}
	}
	if err := tx.Exec("UPDATE offers SET floor_micros = price_micros WHERE " + untiered).Error; err != nil {
		return err
	}
	after := ""
	for {
		var page []struct {
			ID    string
			Price decimal.Decimal
			Tiers string
		}
		if err := tx.Table("offers").Select("id, price, tiers").Where("NOT "+untiered+" AND id > ?", after).
			Order("id").Limit(backfillPageSize).Scan(&page).Error; err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].ID
		for _, r := range page {
			var ts []tierJSON
			if err := json.Unmarshal([]byte(r.Tiers), &ts); err != nil {
				return err
			}
			tiers := make([]marketplace.Tier, len(ts))
			for i, t := range ts {
				tiers[i] = marketplace.Tier{MinGPUHours: t.MinGPUHours, Discount: t.Discount}
			}
			if err := tx.Exec("UPDATE offers SET floor_micros = ? WHERE id = ?", floorMicros(r.Price, tiers), r.ID).Error; err != nil {
				return err
			}
		}
	}
	for _, q := range floorIndexSQL {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}
