package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

const dayLayout = "2006-01-02"

// insertNew inserts rows whose primary or unique key is new and counts them; existing rows are
// left untouched, which is what makes seeding idempotent.
func (s *Store) insertNew(ctx context.Context, op string, rows any) (int, error) {
	res := s.gormDB(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200)
	if res.Error != nil {
		return 0, translate(op, res.Error)
	}
	return int(res.RowsAffected), nil
}

// PutRegions inserts regions whose code is new.
func (s *Store) PutRegions(ctx context.Context, regions []marketplace.Region) (int, error) {
	if len(regions) == 0 {
		return 0, nil
	}
	rows := make([]regionRow, len(regions))
	for i, r := range regions {
		rows[i] = toRegionRow(r)
	}
	return s.insertReference(ctx, "put regions", refRegions, &rows)
}

// Regions lists regions matching f, ordered by bloc then code.
func (s *Store) Regions(ctx context.Context, f marketplace.RegionFilter) ([]marketplace.Region, error) {
	q := s.gormDB(ctx).Order("bloc, code")
	if f.Bloc != "" {
		q = q.Where("bloc = ?", string(f.Bloc))
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Country != "" {
		q = q.Where("country = ?", f.Country)
	}
	var rows []regionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate("list regions", err)
	}
	out := make([]marketplace.Region, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// PutAccelerators inserts accelerators whose model is new.
func (s *Store) PutAccelerators(ctx context.Context, accs []marketplace.Accelerator) (int, error) {
	if len(accs) == 0 {
		return 0, nil
	}
	rows := make([]acceleratorRow, len(accs))
	for i, a := range accs {
		rows[i] = toAcceleratorRow(a)
	}
	return s.insertReference(ctx, "put accelerators", refAccelerators, &rows)
}

// Accelerators lists the catalogue ordered by vendor then model.
func (s *Store) Accelerators(ctx context.Context) ([]marketplace.Accelerator, error) {
	var rows []acceleratorRow
	if err := s.gormDB(ctx).Order("vendor, model").Find(&rows).Error; err != nil {
		return nil, translate("list accelerators", err)
	}
	out := make([]marketplace.Accelerator, len(rows))
	for i, a := range rows {
		out[i] = a.domain()
	}
	return out, nil
}

// PutFXRates inserts rates not yet stored for their day, currency and source.
func (s *Store) PutFXRates(ctx context.Context, rates []marketplace.FXRate) (int, error) {
	if len(rates) == 0 {
		return 0, nil
	}
	rows := make([]fxRateRow, len(rates))
	for i, r := range rates {
		rows[i] = fxRateRow{Day: r.Date.UTC().Format(dayLayout), Currency: r.Currency, Source: r.Source, PerEUR: r.PerEUR}
		if !r.CarriedFrom.IsZero() {
			rows[i].CarriedFrom = r.CarriedFrom.UTC().Format(dayLayout)
		}
	}
	return s.insertReference(ctx, "put fx rates", refFX, &rows)
}

// FXRatesBetween returns every stored rate published in [from, to], ordered by date and currency.
func (s *Store) FXRatesBetween(ctx context.Context, from, to time.Time) ([]marketplace.FXRate, error) {
	var rows []fxRateRow
	err := s.gormDB(ctx).Where("day >= ? AND day <= ?", from.UTC().Format(dayLayout), to.UTC().Format(dayLayout)).
		Order("day, currency, source").Find(&rows).Error
	if err != nil {
		return nil, translate("list fx rates", err)
	}
	out := make([]marketplace.FXRate, 0, len(rows))
	for _, r := range rows {
		d, err := time.Parse(dayLayout, r.Day)
		if err != nil {
			return nil, translate("list fx rates", err)
		}
		rate := marketplace.FXRate{Date: d, Currency: r.Currency, PerEUR: r.PerEUR, Source: r.Source}
		if r.CarriedFrom != "" {
			if rate.CarriedFrom, err = time.Parse(dayLayout, r.CarriedFrom); err != nil {
				return nil, translate("list fx rates", err)
			}
		}
		out = append(out, rate)
	}
	return out, nil
}

// CompleteReference fills in what later releases added to stored reference records and a
// start supplies: an accelerator's wafer fab where none is stored, a rate's carried-forward
// mark where none is stored. A value already stored is never changed; it returns how many
// records it completed (none on a second call).
func (s *Store) CompleteReference(ctx context.Context, accs []marketplace.Accelerator, rates []marketplace.FXRate) (int, error) {
	n := 0
	err := s.inTx(ctx, "complete reference data", func(tx *gorm.DB) error {
		n = 0
		accsDone := 0
		for _, a := range accs {
			if a.FabCountry == "" {
				continue
			}
			r := toAcceleratorRow(a)
			res := tx.Model(&acceleratorRow{}).Where("model = ? AND fab_country = ''", a.Model).
				Select("fab_country", "fab_source", "fab_as_of", "fab_confidence", "fab_note").Updates(&r)
			if res.Error != nil {
				return res.Error
			}
			n += int(res.RowsAffected)
		}
		accsDone = n
		for _, r := range rates {
			if r.CarriedFrom.IsZero() {
				continue
			}
			res := tx.Model(&fxRateRow{}).Where("day = ? AND currency = ? AND source = ? AND carried_from = ''", r.Date.UTC().Format(dayLayout), r.Currency, r.Source).
				Update("carried_from", r.CarriedFrom.UTC().Format(dayLayout))
			if res.Error != nil {
				return res.Error
			}
			n += int(res.RowsAffected)
		}
		var kinds []string // in the order of referenceKinds
		if accsDone > 0 {
			kinds = append(kinds, refAccelerators)
		}
		if n > accsDone {
			kinds = append(kinds, refFX)
		}
		return bumpReference(tx, kinds...)
	})
	return n, err
}

// LatestFXDay returns the latest publication day on or before date (one indexed lookup).
func (s *Store) LatestFXDay(ctx context.Context, date time.Time) (time.Time, bool, error) {
	var rows []fxRateRow
	err := s.gormDB(ctx).Select("day").Where("day <= ?", date.UTC().Format(dayLayout)).Order("day DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return time.Time{}, false, translate("latest fx day", err)
	}
	if len(rows) == 0 {
		return time.Time{}, false, nil
	}
	d, err := time.Parse(dayLayout, rows[0].Day)
	return d, err == nil, translate("latest fx day", err)
}

// PutSuppliers inserts suppliers whose id is new.
func (s *Store) PutSuppliers(ctx context.Context, suppliers []marketplace.Supplier) (int, error) {
	if len(suppliers) == 0 {
		return 0, nil
	}
	// A seeded supplier takes its name's key unless a supplier holds it already (registered
	// before a later seeding): then it goes in without one, rather than failing the start.
	keys := make([]string, len(suppliers))
	for i, sp := range suppliers {
		keys[i] = marketplace.SupplierNameKey(sp.Name)
	}
	var taken []string
	if err := s.gormDB(ctx).Model(&supplierRow{}).Where("name_key IN ?", keys).Pluck("name_key", &taken).Error; err != nil {
		return 0, translate("put suppliers", err)
	}
	held := map[string]bool{}
	for _, k := range taken {
		held[k] = true
	}
	rows := make([]supplierRow, len(suppliers))
	for i, sp := range suppliers {
		rows[i] = toSupplierRow(sp)
		if !held[keys[i]] {
			k := keys[i]
			rows[i].NameKey, held[k] = &k, true
		}
	}
	return s.insertNew(ctx, "put suppliers", &rows)
}

// Setting reads a named server setting.
func (s *Store) Setting(ctx context.Context, name string) (string, bool, error) {
	var rows []settingRow
	if err := s.gormDB(ctx).Where("name = ?", name).Limit(1).Find(&rows).Error; err != nil {
		return "", false, translate("read setting", err)
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].Value, true, nil
}

// PutSettingOnce stores a setting unless it exists.
func (s *Store) PutSettingOnce(ctx context.Context, name, value string) (bool, error) {
	n, err := s.insertNew(ctx, "put setting", &[]settingRow{{Name: name, Value: value}})
	return n == 1, err
}
