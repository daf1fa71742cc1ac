package whatif

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Limits of an uploaded basket.
const (
	// MaxBasketBytes is the largest basket file accepted (10 MiB).
	MaxBasketBytes = 10 << 20
	// MaxBasketRows is the most data rows a basket may have.
	MaxBasketRows = 100_000
	// MaxBasketProblems is how many problems a refused basket reports (the count of the
	// others is given).
	MaxBasketProblems = 100
)

// RequestLimits are the largest request the caller quotes (the marketplace's limits, passed
// in so that they live in one place): a row's GPU-hours are split into GPUs × hours within
// them, and a hardware row has at most MaxGPUs units.
type RequestLimits struct {
	MaxGPUs  int
	MaxHours int
}

// maxQuantity is the largest quantity of one row: MaxGPUs × MaxHours GPU-hours.
func (l RequestLimits) maxQuantity() int64 { return int64(l.MaxGPUs) * int64(l.MaxHours) }

// The columns of a basket file. The header names them, in any order, case-insensitive
// (spaces and hyphens read as underscores); the first six are required.
var (
	basketRequired = []string{"buyer_country", "buyer_type", "accelerator", "origin", "product", "quantity"}
	basketOptional = []string{"gpus", "price", "currency", "buyer_region", "need"}
)

// BasketRow is one valid row of a basket file: a demand to price from an origin.
type BasketRow struct {
	Row          int    // the row's number in the file; the header is row 1
	BuyerCountry string // ISO 3166-1 alpha-2
	BuyerType    tariff.BuyerType
	BuyerRegion  string // optional: where the buyer is registered (cn-shanghai), for vouchers
	Accelerator  string // accelerator model code, e.g. h100-sxm
	Origin       string // a region code (cn-ningxia-zhongwei) or a bloc (CN, EU)
	Product      tariff.Product
	Quantity     int64 // GPU-hours (gpu_hours, bare_metal) or units (hardware)
	GPUs         int   // services: Quantity = GPUs × Hours
	Hours        int
	Units        int                 // hardware
	Price        decimal.NullDecimal // optional: per GPU-hour or per unit, in Currency
	Currency     string              // set when Price is
	Need         string              // the need the row is an alternative source for

	colPos *columnPositions // where the file had each column (for RowProblem)
}

// IsBloc reports whether the row's origin is a bloc (CN or EU) rather than a region.
func (r BasketRow) IsBloc() bool { return r.Origin == "CN" || r.Origin == "EU" }

// BasketProblem is one thing wrong with a basket file: the row (the header is row 1) and
// column (1-based) of the cell, the column's name, what is wrong and what to do about it.
type BasketProblem struct {
	File    string
	Row     int
	Col     int
	Column  string
	Message string
	Hint    string
}

// String formats the problem as "file:row:col: column: message (hint)".
func (p BasketProblem) String() string {
	s := fmt.Sprintf("%s:%d:%d: ", p.File, p.Row, p.Col)
	if p.Column != "" {
		s += p.Column + ": "
	}
	s += p.Message
	if p.Hint != "" {
		s += " (" + p.Hint + ")"
	}
	return s
}

// BasketError refuses a basket file: every problem found (up to MaxBasketProblems; Omitted
// counts the others). A refused basket gives no rows at all.
type BasketError struct {
	Problems []BasketProblem
	Omitted  int
}

// Error joins the problems, one per line.
func (e *BasketError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if e.Omitted > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more problems", e.Omitted))
	}
	return strings.Join(lines, "\n")
}

func (e *BasketError) add(p BasketProblem) {
	if len(e.Problems) >= MaxBasketProblems {
		e.Omitted++
		return
	}
	e.Problems = append(e.Problems, p)
}

// RowProblem returns a problem with the cell of row in column (a basket column name), for
// the caller that resolves rows (an unknown accelerator or region) to report it like the
// parser does.
func RowProblem(file string, row BasketRow, column, message, hint string) BasketProblem {
	p := BasketProblem{File: file, Row: row.Row, Column: column, Message: message, Hint: hint}
	for i, c := range append(append([]string(nil), basketRequired...), basketOptional...) {
		if c == column {
			p.Col = i + 1 // the documented order; the file's own order is not kept in the row
		}
	}
	if cols, ok := row.cols(); ok {
		p.Col = cols[column]
	}
	return p
}

// cols returns the row's column positions, when the parser recorded them.
func (r BasketRow) cols() (map[string]int, bool) {
	if r.colPos == nil {
		return nil, false
	}
	return r.colPos.m, true
}

// ParseBasket reads a basket file (CSV, comma- or semicolon-separated, UTF-8 with or without
// a byte-order mark) named name. The header row names the columns:
//
//	buyer_country  ISO 3166-1 alpha-2 of the buyer (DE)                        required
//	buyer_type     business | consumer                                           required
//	accelerator    accelerator model code (h100-sxm)                             required
//	origin         region code (cn-ningxia-zhongwei) or bloc (CN, EU)            required
//	product        gpu_hours | bare_metal | hardware                             required
//	quantity       whole GPU-hours (services) or units (hardware), ≥ 1           required
//	gpus           services: GPUs of the request (quantity = gpus × hours)       optional
//	price          per GPU-hour or per unit, a plain decimal ≥ 0                 optional
//	currency       ISO 4217 code of price; required with price                   optional
//	buyer_region   where the buyer is registered (cn-shanghai), for vouchers     optional
//	need           a name grouping rows that are alternatives for one demand    optional
//
// Without gpus, the GPU-hours are split into the fewest GPUs whose hours stay within
// lim.MaxHours. Without need, rows with the same buyer, accelerator, product and quantity form
// one need. Blank rows are skipped. Every problem is reported with its row and column, and a
// file with any problem gives no rows (a *BasketError). Limits: MaxBasketBytes,
// MaxBasketRows, and lim for each row.
func ParseBasket(name string, r io.Reader, lim RequestLimits) ([]BasketRow, error) {
	if lim.MaxGPUs < 1 || lim.MaxHours < 1 {
		return nil, fmt.Errorf("whatif: parse basket %s: request limits %+v must be positive", name, lim)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxBasketBytes+1))
	if err != nil {
		return nil, fmt.Errorf("whatif: read basket %s: %w", name, err)
	}
	e := &BasketError{}
	if len(data) > MaxBasketBytes {
		e.add(BasketProblem{File: name, Row: 1, Col: 1, Message: fmt.Sprintf("the file is larger than %d bytes (10 MiB)", MaxBasketBytes),
			Hint: "split the basket, or aggregate rows with the same buyer, origin and accelerator"})
		return nil, e
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			e.add(BasketProblem{File: name, Row: 1, Col: 1, Message: "empty file: expected a header row",
				Hint: "first row: " + strings.Join(basketRequired, ",")})
		} else {
			e.add(syntaxProblem(name, 1, err))
		}
		return nil, e
	}
	pos := readHeader(name, header, e)
	if len(e.Problems) > 0 {
		return nil, e
	}
	var rows []BasketRow
	for rowNum := 2; ; rowNum++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			e.add(syntaxProblem(name, rowNum, err))
			break // the reader cannot say where the next row starts
		}
		if blank(rec) {
			continue
		}
		if len(rows)+1 > MaxBasketRows {
			e.add(BasketProblem{File: name, Row: rowNum, Col: 1, Message: fmt.Sprintf("more than %d rows", MaxBasketRows),
				Hint: "split the basket"})
			break
		}
		if len(rec) != len(header) {
			e.add(BasketProblem{File: name, Row: rowNum, Col: min(len(rec), len(header)) + 1,
				Message: fmt.Sprintf("the row has %d cells, the header %d", len(rec), len(header))})
			continue
		}
		if row, ok := readRow(name, rowNum, rec, pos, lim, e); ok {
			rows = append(rows, row)
		}
	}
	if len(e.Problems) > 0 {
		return nil, e
	}
	if len(rows) == 0 {
		e.add(BasketProblem{File: name, Row: 2, Col: 1, Message: "no rows after the header"})
		return nil, e
	}
	return rows, nil
}

// columnPositions are the 1-based positions of the known columns in one file.
type columnPositions struct{ m map[string]int }

func syntaxProblem(name string, row int, err error) BasketProblem {
	p := BasketProblem{File: name, Row: row, Col: 1, Message: "malformed CSV: " + err.Error(),
		Hint: "quote cells that contain the separator, and double quotes inside quoted cells"}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.Col = pe.Column
		p.Message = fmt.Sprintf("malformed CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return p
}

func normalizeColumn(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

func readHeader(name string, header []string, e *BasketError) *columnPositions {
	known := append(append([]string(nil), basketRequired...), basketOptional...)
	pos := &columnPositions{m: map[string]int{}}
	for i, h := range header {
		c := normalizeColumn(h)
		switch {
		case c == "":
			e.add(BasketProblem{File: name, Row: 1, Col: i + 1, Message: "empty column name", Hint: "columns: " + strings.Join(known, ", ")})
		case pos.m[c] > 0:
			e.add(BasketProblem{File: name, Row: 1, Col: i + 1, Column: c, Message: fmt.Sprintf("duplicate column (first at column %d)", pos.m[c])})
		case !contains(known, c):
			hint := "columns: " + strings.Join(known, ", ")
			if best := closest(c, known); best != "" {
				hint = "did you mean " + strconv.Quote(best) + "?"
			}
			e.add(BasketProblem{File: name, Row: 1, Col: i + 1, Message: fmt.Sprintf("unknown column %q", strings.TrimSpace(h)), Hint: hint})
		default:
			pos.m[c] = i + 1
		}
	}
	for _, c := range basketRequired {
		if pos.m[c] == 0 {
			e.add(BasketProblem{File: name, Row: 1, Col: len(header) + 1, Column: c, Message: "missing required column",
				Hint: "required: " + strings.Join(basketRequired, ", ")})
		}
	}
	return pos
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readRow checks one data row; every bad cell is reported.
func readRow(name string, rowNum int, rec []string, pos *columnPositions, lim RequestLimits, e *BasketError) (BasketRow, bool) {
	row := BasketRow{Row: rowNum, colPos: pos}
	ok := true
	cell := func(c string) string {
		if i := pos.m[c]; i > 0 {
			return strings.TrimSpace(rec[i-1])
		}
		return ""
	}
	bad := func(c, hint, format string, args ...any) {
		ok = false
		e.add(BasketProblem{File: name, Row: rowNum, Col: pos.m[c], Column: c, Message: fmt.Sprintf(format, args...), Hint: hint})
	}
	required := func(c string) (string, bool) {
		v := cell(c)
		if v == "" {
			bad(c, "", "missing value")
			return "", false
		}
		return v, true
	}

	if v, has := required("buyer_country"); has {
		if u := strings.ToUpper(v); tariff.IsCountry(u) {
			row.BuyerCountry = u
		} else {
			bad("buyer_country", "an ISO 3166-1 alpha-2 code such as DE or CN (GR for Greece)", "unknown country %q", v)
		}
	}
	if v, has := required("buyer_type"); has {
		switch t := tariff.BuyerType(strings.ToLower(v)); t {
		case tariff.BuyerBusiness, tariff.BuyerConsumer:
			row.BuyerType = t
		default:
			bad("buyer_type", "business or consumer", "unknown buyer type %q", v)
		}
	}
	if v, has := required("accelerator"); has {
		if m := strings.ToLower(v); isCode(m, false) {
			row.Accelerator = m
		} else {
			bad("accelerator", "an accelerator model code such as h100-sxm", "bad accelerator %q", v)
		}
	}
	if v, has := required("origin"); has {
		switch u := strings.ToUpper(v); {
		case u == "CN" || u == "EU":
			row.Origin = u
		case isCode(v, true):
			row.Origin = v
		default:
			bad("origin", "a region code such as cn-ningxia-zhongwei, or a bloc: CN or EU", "bad origin %q", v)
		}
	}
	if v, has := required("product"); has {
		switch p := tariff.Product(strings.ToLower(v)); p {
		case tariff.ProductGPUHours, tariff.ProductBareMetal, tariff.ProductHardware:
			row.Product = p
		default:
			bad("product", "gpu_hours, bare_metal or hardware", "unknown product %q", v)
		}
	}
	if v, has := required("quantity"); has {
		q, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil && strings.ContainsAny(v, ".,eE"):
			bad("quantity", "write whole GPU-hours or units, digits only", "quantity %q is not a whole number", v)
		case err != nil || q < 1 || q > lim.maxQuantity():
			bad("quantity", "", "quantity must be a whole number from 1 to %d, not %q", lim.maxQuantity(), v)
		default:
			row.Quantity = q
		}
	}
	if v := cell("gpus"); v != "" {
		g, err := strconv.Atoi(v)
		switch {
		case row.Product == tariff.ProductHardware:
			bad("gpus", "hardware rows give units in quantity; leave gpus empty", "gpus on a hardware row")
		case err != nil || g < 1 || g > lim.MaxGPUs:
			bad("gpus", "", "gpus must be a whole number from 1 to %d, not %q", lim.MaxGPUs, v)
		default:
			row.GPUs = g
		}
	}
	if row.Quantity > 0 && row.Product != "" {
		if row.Product == tariff.ProductHardware {
			if row.Quantity > int64(lim.MaxGPUs) {
				bad("quantity", "", "at most %d units per row", lim.MaxGPUs)
			}
			row.Units = int(row.Quantity)
		} else if g, h, err := splitGPUHours(row.Quantity, row.GPUs, lim); err != nil {
			bad("quantity", fmt.Sprintf("give gpus so that quantity ÷ gpus is a whole number of hours ≤ %d", lim.MaxHours), "%v", err)
		} else {
			row.GPUs, row.Hours = g, h
		}
	}
	price, cur := cell("price"), cell("currency")
	if price != "" {
		p, err := decimal.NewFromString(price)
		switch {
		case err != nil || strings.ContainsAny(price, "eE") || len(price) > 30:
			bad("price", "a plain decimal such as 15.00", "bad price %q", price)
		case p.IsNegative():
			bad("price", "", "price cannot be negative")
		default:
			row.Price = decimal.NullDecimal{Decimal: p, Valid: true}
		}
		if cur == "" {
			bad("currency", "give the currency of the price, e.g. CNY or EUR", "missing value (price is given)")
		}
	}
	if cur != "" {
		u := strings.ToUpper(cur)
		switch {
		case !pricing.KnownCurrency(u):
			bad("currency", "an ISO 4217 code such as CNY, EUR or USD", "unknown currency %q", cur)
		case price == "":
			bad("currency", "give a price with it, or leave both empty to use the market's", "currency without a price")
		default:
			row.Currency = u
		}
	}
	if v := cell("buyer_region"); v != "" {
		if isCode(v, true) {
			row.BuyerRegion = v
		} else {
			bad("buyer_region", "a region code such as cn-shanghai", "bad buyer region %q", v)
		}
	}
	row.Need = cell("need")
	if len(row.Need) > 200 {
		bad("need", "", "need names are at most 200 bytes")
	}
	if !ok {
		return BasketRow{}, false
	}
	if row.Need == "" {
		row.Need = needKey(row.BuyerCountry, row.BuyerType, row.BuyerRegion, row.Accelerator, row.Product, row.Quantity)
	}
	return row, true
}

// needKey names the need of a demand: rows (or flows) that differ only in where they are
// sourced from are alternatives for one need.
func needKey(country string, bt tariff.BuyerType, buyerRegion, accelerator string, product tariff.Product, quantity int64) string {
	b := country + " " + string(bt)
	if buyerRegion != "" {
		b += " (" + buyerRegion + ")"
	}
	if accelerator == "" {
		accelerator = "any"
	}
	return b + " · " + accelerator + " · " + strconv.FormatInt(quantity, 10) + " " + unitOf(product)
}

func unitOf(p tariff.Product) string {
	if p == tariff.ProductHardware {
		return "units"
	}
	return "GPU-h"
}

// isCode reports whether s is a lower-case code: letters, digits and single hyphens (and dots
// for model codes), starting with a letter or digit; region codes (hyphenated) need a hyphen.
func isCode(s string, region bool) bool {
	if s == "" || len(s) > 64 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	hyphen := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if s[i-1] == '-' {
				return false
			}
			hyphen = true
		case c == '.' && !region:
		default:
			return false
		}
	}
	return hyphen || !region
}

// splitGPUHours splits q GPU-hours into GPUs × hours within lim: with gpus > 0 exactly that
// many GPUs, else the fewest GPUs that give whole hours ≤ lim.MaxHours (looking at 10,000
// candidates at most).
func splitGPUHours(q int64, gpus int, lim RequestLimits) (int, int, error) {
	maxH := int64(lim.MaxHours)
	if gpus > 0 {
		if q%int64(gpus) != 0 {
			return 0, 0, fmt.Errorf("%d GPU-hours are not a whole number of hours on %d GPUs", q, gpus)
		}
		if h := q / int64(gpus); h <= maxH {
			return gpus, int(h), nil
		}
		return 0, 0, fmt.Errorf("%d GPU-hours on %d GPUs is more than %d hours", q, gpus, maxH)
	}
	first := (q + maxH - 1) / maxH
	for g := first; g <= int64(lim.MaxGPUs) && g < first+10_000; g++ {
		if q%g == 0 {
			return int(g), int(q / g), nil
		}
	}
	return 0, 0, fmt.Errorf("%d GPU-hours cannot be split into GPUs × hours (≤ %d h)", q, maxH)
}

// Flow returns the flow of row priced with offer, the terms the caller resolved for the row's
// origin and accelerator (a market offer, or terms it made up for the row with the region's
// country and the accelerator's specs). The row's price and currency, when it has them,
// replace the offer's. The flow's ID is the offer's, its origin the row's (a region or bloc).
func (r BasketRow) Flow(offer pricing.OfferTerms) Flow {
	if r.Price.Valid {
		offer.Price, offer.Currency = r.Price.Decimal, r.Currency
	}
	bloc := offer.Bloc
	if r.IsBloc() {
		bloc = r.Origin
	}
	return Flow{
		ID: offer.ID, Need: r.Need, Origin: r.Origin, Bloc: bloc, Offer: offer,
		Request: pricing.Request{GPUs: r.GPUs, Hours: r.Hours, Units: r.Units, BuyerCountry: r.BuyerCountry,
			BuyerRegion: r.BuyerRegion, BuyerType: r.BuyerType},
	}
}
