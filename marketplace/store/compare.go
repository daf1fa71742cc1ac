package store

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
)

// CompareCandidates reads what a comparison needs to order the active offers matching f
// before pricing them: id, price (from its exact micro-unit shadow), listing currency,
// capacity and tiers, through the indexes led by status and accelerator or region. No
// reference rows are joined.
func (s *Store) CompareCandidates(ctx context.Context, f marketplace.OfferContextFilter) ([]marketplace.CompareCandidate, error) {
	return s.CompareCandidatesPart(ctx, f, marketplace.CandidatePart{})
}

// untiered is the condition of an offer without volume tiers (rows written before tiers were
// always stored as a list may hold ” or 'null').
const untiered = "tiers IN ('', '[]', 'null')"

// CompareCandidatesPart is CompareCandidates narrowed to part: the offers listed in another
// currency than marketplace.OfferCurrencies, or one currency's offers in floor-price order (the
// index led by accelerator, offers_acc_floor, or by status and currency, offers_cur_floor,
// serves the order and holds the other filters' columns), a page at a time.
func (s *Store) CompareCandidatesPart(ctx context.Context, f marketplace.OfferContextFilter, part marketplace.CandidatePart) ([]marketplace.CompareCandidate, error) {
	if !part.Other {
		return s.readCandidates(candidatesQuery(s.gormDB(ctx), f, part, ""), nil)
	}
	var out []marketplace.CompareCandidate
	for _, r := range otherCurrencyRanges() {
		var err error
		if out, err = s.readCandidates(candidatesQuery(s.gormDB(ctx), f, part, r), out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readCandidates appends the candidates q reads to out.
func (s *Store) readCandidates(q *gorm.DB, out []marketplace.CompareCandidate) ([]marketplace.CompareCandidate, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, translate("list offers for compare", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c marketplace.CompareCandidate
		var micros, floor int64
		var tiers string
		if err := rows.Scan(&c.ID, &micros, &c.Currency, &c.Capacity, &tiers, &floor); err != nil {
			return nil, translate("list offers for compare", err)
		}
		// The shadow column is exact: prices have at most 6 decimals (PriceDecimals).
		c.Price, c.Floor = decimal.New(micros, -6), decimal.New(floor, -6)
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

// candidatesQuery is a query of CompareCandidatesPart; other is one of otherCurrencyRanges
// when part.Other.
func candidatesQuery(db *gorm.DB, f marketplace.OfferContextFilter, part marketplace.CandidatePart, other string) *gorm.DB {
	q := db.Table("offers").Select("id, price_micros, currency, gp_us, tiers, floor_micros").Where("status = ?", marketplace.OfferActive)
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
	if part.MinCapacity > 0 {
		q = q.Where("(gp_us = 0 OR gp_us >= ?)", part.MinCapacity)
	}
	switch {
	case part.Other:
		q = q.Where(other)
	case part.Currency != "":
		q = q.Where("currency = ?", part.Currency)
		if a := part.After; a != nil {
			m := a.Floor.Shift(6).IntPart() // exact: floors are whole micro-units
			// A row value: both SQLite and PostgreSQL seek the index to it.
			q = q.Where("(floor_micros, id) > (?, ?)", m, a.ID)
		}
		q = q.Order("floor_micros ASC, id ASC").Limit(max(part.Limit, 1))
	}
	return q
}

// OfferContexts reads the offers with the given ids (any status) with their regions,
// accelerators and suppliers, keyed by id; ids that do not exist are absent.
func (s *Store) OfferContexts(ctx context.Context, ids []string) (map[string]marketplace.OfferContext, error) {
	out := make(map[string]marketplace.OfferContext, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.offerRowsByID(ctx, ids)
	if err != nil {
		return nil, translate("read offers", err)
	}
	regs, accs, sups := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		regs[r.Region], accs[r.Accelerator], sups[r.SupplierID] = true, true, true
	}
	// A batch names a few of the regions, accelerators and suppliers: each read once.
	regBy := make(map[string]marketplace.Region, len(regs))
	if err := s.queryIn(ctx, "SELECT "+regionColumns+" FROM regions WHERE code IN ", keys(regs), func(sc scanner) error {
		var r regionRow
		err := scanRegion(sc, &r)
		regBy[r.Code] = r.domain()
		return err
	}); err != nil {
		return nil, translate("list regions", err)
	}
	accBy := make(map[string]marketplace.Accelerator, len(accs))
	if err := s.queryIn(ctx, "SELECT "+acceleratorColumns+" FROM accelerators WHERE model IN ", keys(accs), func(sc scanner) error {
		var a acceleratorRow
		err := scanAccelerator(sc, &a)
		accBy[a.Model] = a.domain()
		return err
	}); err != nil {
		return nil, translate("list accelerators", err)
	}
	supBy := make(map[string]marketplace.Supplier, len(sups))
	if err := s.queryIn(ctx, "SELECT "+supplierColumns+" FROM suppliers WHERE id IN ", keys(sups), func(sc scanner) error {
		var r supplierRow
		if err := scanSupplier(sc, &r); err != nil {
			return err
		}
		sp, err := r.domain()
		supBy[r.ID] = sp
		return err
	}); err != nil {
		return nil, translate("list suppliers", err)
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

// otherCurrencyRanges are the conditions of a currency outside marketplace.OfferCurrencies,
// as the ranges between them (currency < 'CNY', currency > 'CNY' AND currency < 'EUR', …): each
// one a seek of the indexes led by status and currency, or accelerator, status and currency,
// where NOT IN (or the ranges joined by OR) reads every matching offer. Writes accept only
// those currencies: only older rows can be found, and each read finds none in one step.
func otherCurrencyRanges() []string {
	cs := slices.Sorted(slices.Values(marketplace.OfferCurrencies))
	out := []string{"currency < '" + cs[0] + "'"}
	for i := 1; i < len(cs); i++ {
		out = append(out, "currency > '"+cs[i-1]+"' AND currency < '"+cs[i]+"'")
	}
	return append(out, "currency > '"+cs[len(cs)-1]+"'")
}
