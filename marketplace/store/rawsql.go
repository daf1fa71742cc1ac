package store

// The hot read paths — a search page's offers, the quote path's offer with its region,
// accelerator and supplier, a comparison's batches — and the quote insert go through
// database/sql directly: statements prepared once per Store (and per pooled connection by
// database/sql), the columns named, and each row scanned into its fields without GORM's
// per-column reflection. Everything else keeps GORM. The column lists must follow the row
// types (rows.go, offers.go, quotes.go) and the migrations that add columns; the tests of the
// store read and write every field through these paths.

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// stmt returns the prepared statement of query, written with ? placeholders (numbered for
// PostgreSQL here), preparing it on first use.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	text := query
	if s.postgres {
		text = numberPlaceholders(query)
	}
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	// Prepared without the request's context: the statement outlives the request.
	st, err := db.PrepareContext(context.WithoutCancel(ctx), text)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// closeStmts closes the prepared statements (Close).
func (s *Store) closeStmts() {
	s.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}

// numberPlaceholders turns ? into $1, $2… (the queries here have no ? inside literals).
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inList is "(?, ?, …)" for n values.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// text scans a TEXT column that may be NULL into a string ("" for NULL).
type text struct{ p *string }

func (t text) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t.p = ""
	case string:
		*t.p = x
	case []byte:
		*t.p = string(x)
	default:
		var ns sql.NullString
		if err := ns.Scan(v); err != nil {
			return err
		}
		*t.p = ns.String
	}
	return nil
}

// offerColumns are the offers columns an offerRow's domain() and view() read.
const offerColumns = `id, supplier_id, region, accelerator, product, gp_us, price, currency, pricing, min_hours, term_months, tiers,
	available_from, available_until, hs_code, note, status, version, demo, created_at, updated_at,
	supplier_name, region_name, bloc, country, bf16_tflops, tpp, export_class, tax_terms, cancel_kind, cancel_notice_hours`

type scanner interface{ Scan(dest ...any) error }

func scanOffer(sc scanner, r *offerRow) error {
	return sc.Scan(&r.ID, &r.SupplierID, &r.Region, &r.Accelerator, &r.Product, &r.GPUs, &r.Price, &r.Currency, &r.Pricing,
		&r.MinHours, &r.TermMonths, text{&r.Tiers}, &r.AvailableFrom, &r.AvailableUntil, text{&r.HSCode}, text{&r.Note}, &r.Status,
		&r.Version, &r.Demo, &r.CreatedAt, &r.UpdatedAt, &r.SupplierName, &r.RegionName, &r.Bloc, &r.Country, &r.BF16TFLOPS,
		&r.TPP, &r.ExportClass, &r.TaxTerms, &r.CancelKind, &r.CancelNoticeHours)
}

// offerRowsByID reads the offers with the given ids, in no order.
func (s *Store) offerRowsByID(ctx context.Context, ids []string) ([]offerRow, error) {
	out := make([]offerRow, 0, len(ids))
	err := s.queryIn(ctx, "SELECT "+offerColumns+" FROM offers WHERE id IN ", ids, func(sc scanner) error {
		out = append(out, offerRow{})
		return scanOffer(sc, &out[len(out)-1])
	})
	return out, err
}

// queryIn runs prefix followed by an IN list of the keys, 500 at a time (bounded lists, and
// at most 500 prepared shapes), and scans each row with scan.
func (s *Store) queryIn(ctx context.Context, prefix string, keys []string, scan func(scanner) error) error {
	for start := 0; start < len(keys); start += 500 {
		if err := s.queryIn500(ctx, prefix, keys[start:min(start+500, len(keys))], scan); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) queryIn500(ctx context.Context, prefix string, keys []string, scan func(scanner) error) error {
	st, err := s.stmt(ctx, prefix+inList(len(keys)))
	if err != nil {
		return err
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	rows, err := st.QueryContext(s.quiet(ctx), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil { // the driver's context is quiet: stop between rows
			return err
		}
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

const regionColumns = `code, name, name_zh, country, bloc, kind, province, class, system, parent, selected, pue_target,
	grid_kg_per_k_wh, power_price, power_currency, lat, lon, source, as_of, confidence, note`

func scanRegion(sc scanner, r *regionRow) error {
	return sc.Scan(&r.Code, &r.Name, text{&r.NameZH}, &r.Country, &r.Bloc, &r.Kind, text{&r.Province}, text{&r.Class}, text{&r.System},
		text{&r.Parent}, text{&r.Selected}, &r.PUETarget, &r.GridKgPerKWh, &r.PowerPrice, text{&r.PowerCurrency}, text{&r.Lat},
		text{&r.Lon}, &r.Source, &r.AsOf, &r.Confidence, text{&r.Note})
}

const acceleratorColumns = `model, name, name_zh, vendor, vendor_country, memory_gb, bandwidth_g_bs, bf16_tflops, fp16_tflops,
	int8_tops, fp8_tflops, tdpw, die_area_mm2, tpp, density, source, as_of, confidence, note,
	fab_country, fab_source, fab_as_of, fab_confidence, fab_note`

func scanAccelerator(sc scanner, a *acceleratorRow) error {
	return sc.Scan(&a.Model, &a.Name, text{&a.NameZH}, &a.Vendor, &a.VendorCountry, &a.MemoryGB, &a.BandwidthGBs, &a.BF16TFLOPS,
		&a.FP16TFLOPS, &a.INT8TOPS, &a.FP8TFLOPS, &a.TDPW, &a.DieAreaMM2, &a.TPP, &a.Density, &a.Source, &a.AsOf, &a.Confidence,
		text{&a.Note}, &a.FabCountry, &a.FabSource, &a.FabAsOf, &a.FabConfidence, &a.FabNote)
}

const supplierColumns = `id, name, country, demo, created_at, establishments, vat_registrations, listings`

func scanSupplier(sc scanner, r *supplierRow) error {
	return sc.Scan(&r.ID, &r.Name, &r.Country, &r.Demo, &r.CreatedAt, &r.Establishments, &r.VATRegistrations, &r.Listings)
}

// queryRowInto runs a one-row query and scans it with scan; no row is sql.ErrNoRows, which
// translate maps to not found.
func (s *Store) queryRowInto(ctx context.Context, query string, arg any, scan func(scanner) error) error {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return err
	}
	return scan(st.QueryRowContext(s.quiet(ctx), arg))
}

// translateRaw is translate for an error of database/sql: the driver's unique and foreign-key
// violations become GORM's, as GORM's own calls get them (TranslateError).
func (s *Store) translateRaw(op string, err error) error {
	if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		err = t.Translate(err)
	}
	return translate(op, err)
}
