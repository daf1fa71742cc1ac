package store

import (
	"context"
	"encoding/json"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// CompareCandidates reads what a comparison needs to order the active offers matching f
// before pricing them: id, price (from its exact micro-unit shadow), listing currency,
// capacity and tiers, through the indexes
// led by status and accelerator or region. No reference rows are joined.
func (s *Store) CompareCandidates(ctx context.Context, f marketplace.OfferContextFilter) ([]marketplace.CompareCandidate, error) {
	q := s.gormDB(ctx).Table("offers").Select("id, price_micros, currency, gp_us, tiers").Where("status = ?", marketplace.OfferActive)
	if len(f.Products) > 0 {
		q = q.Where("product IN ?", f.Products)
	}
	if f.Accelerator != "" {
		q = q.Where("accelerator = ?", f.Accelerator)
	}
	if len(f.Regions) > 0 {
		q = q.Where("region IN ?", f.Regions)
	}
	if f.Bloc != "" {
		q = q.Where("bloc = ?", string(f.Bloc))
	}
	if f.MinBF16TFLOPS.IsPositive() {
		// The shadow is truncated to micro-units, so every offer at or above the minimum
		// passes; the few just below it that pass too, pricing leaves out.
		q = q.Where("tflops_micros >= ?", toMicros(f.MinBF16TFLOPS))
	}
	rows, err := q.Rows()
	if err != nil {
		return nil, translate("list offers for compare", err)
	}
	defer rows.Close()
	var out []marketplace.CompareCandidate
	for rows.Next() {
		var c marketplace.CompareCandidate
		var micros int64
		var tiers string
		if err := rows.Scan(&c.ID, &micros, &c.Currency, &c.Capacity, &tiers); err != nil {
			return nil, translate("list offers for compare", err)
		}
		// The shadow column is exact: prices have at most 6 decimals (PriceDecimals).
		c.Price = decimal.New(micros, -6)
		if tiers != "" && tiers != "[]" && tiers != "null" {
			var ts []tierJSON
			if err := json.Unmarshal([]byte(tiers), &ts); err != nil {
				return nil, translate("list offers for compare", err)
			}
			for _, t := range ts {
				c.Tiers = append(c.Tiers, marketplace.Tier{MinGPUHours: t.MinGPUHours, Discount: t.Discount})
			}
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("list offers for compare", err)
	}
	return out, nil
}

// OfferContexts reads the offers with the given ids (any status) with their regions,
// accelerators and suppliers, keyed by id; ids that do not exist are absent.
func (s *Store) OfferContexts(ctx context.Context, ids []string) (map[string]marketplace.OfferContext, error) {
	out := make(map[string]marketplace.OfferContext, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	db := s.gormDB(ctx)
	var rows []offerRow
	for start := 0; start < len(ids); start += 500 { // bounded IN lists
		part, err := s.offerRowsByID(ctx, ids[start:min(start+500, len(ids))])
		if err != nil {
			return nil, translate("read offers", err)
		}
		rows = append(rows, part...)
	}
	regs, accs, sups := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		regs[r.Region], accs[r.Accelerator], sups[r.SupplierID] = true, true, true
	}
	var regRows []regionRow
	var accRows []acceleratorRow
	var supRows []supplierRow
	if err := db.Where("code IN ?", keys(regs)).Find(&regRows).Error; err != nil {
		return nil, translate("list regions", err)
	}
	if err := db.Where("model IN ?", keys(accs)).Find(&accRows).Error; err != nil {
		return nil, translate("list accelerators", err)
	}
	if err := db.Where("id IN ?", keys(sups)).Find(&supRows).Error; err != nil {
		return nil, translate("list suppliers", err)
	}
	regBy := make(map[string]marketplace.Region, len(regRows))
	for _, r := range regRows {
		regBy[r.Code] = r.domain()
	}
	accBy := make(map[string]marketplace.Accelerator, len(accRows))
	for _, a := range accRows {
		accBy[a.Model] = a.domain()
	}
	supBy := make(map[string]marketplace.Supplier, len(supRows))
	for _, r := range supRows {
		sp, err := r.domain()
		if err != nil {
			return nil, translate("list suppliers", err)
		}
		supBy[r.ID] = sp
	}
	for _, r := range rows {
		o, err := r.domain()
		if err != nil {
			return nil, translate("read offer", err)
		}
		out[r.ID] = marketplace.OfferContext{Offer: o, Region: regBy[r.Region], Accelerator: accBy[r.Accelerator], Supplier: supBy[r.SupplierID]}
	}
	return out, nil
}

// ActiveOffersPerRegion counts the active offers of each region that has any: one aggregate
// over the index led by region and status (offers_region_price), never the offers themselves.
func (s *Store) ActiveOffersPerRegion(ctx context.Context) (map[string]int, error) {
	rows, err := s.gormDB(ctx).Raw(`SELECT region, count(*) FROM offers WHERE status = ? GROUP BY region`, marketplace.OfferActive).Rows()
	if err != nil {
		return nil, translate("count offers per region", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var region string
		var n int
		if err := rows.Scan(&region, &n); err != nil {
			return nil, translate("count offers per region", err)
		}
		out[region] = n
	}
	return out, translate("count offers per region", rows.Err())
}

// ActiveOfferCount counts a supplier's active offers (through offers_supplier).
func (s *Store) ActiveOfferCount(ctx context.Context, supplierID string) (int, error) {
	var n int64
	err := s.gormDB(ctx).Table("offers").Where("supplier_id = ? AND status = ?", supplierID, marketplace.OfferActive).Count(&n).Error
	return int(n), translate("count a supplier's offers", err)
}
