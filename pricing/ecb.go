package pricing

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// maxECBFile bounds what the ECB importers read from one file (the full history CSV is about
// 2 MB, its zip about 600 kB); a larger file is rejected rather than exhausting memory.
const maxECBFile = 64 << 20

// ParseECBDailyXML parses the ECB reference rates in the gesmes XML envelope, as published in
// eurofxref-daily.xml (one day) and eurofxref-hist.xml / eurofxref-hist-90d.xml (many days):
//
//	<gesmes:Envelope …><Cube><Cube time='2026-11-27'><Cube currency='USD' rate='1.0550'/>…
//
// Each rate keeps its publication date and the source SourceECB. Errors name line and column.
func ParseECBDailyXML(r io.Reader) ([]Rate, error) {
	dec := xml.NewDecoder(io.LimitReader(r, maxECBFile))
	var (
		rates   []Rate
		curDate time.Time
		depth   int // depth of nested Cube elements
		sawCube bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, col := dec.InputPos()
			return nil, fmt.Errorf("pricing: ECB XML: %d:%d: %v", line, col, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local != "Cube" {
				continue
			}
			sawCube = true
			depth++
			line, col := dec.InputPos()
			var timeAttr, curAttr, rateAttr string
			var hasTime, hasCur, hasRate bool
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "time":
					timeAttr, hasTime = a.Value, true
				case "currency":
					curAttr, hasCur = a.Value, true
				case "rate":
					rateAttr, hasRate = a.Value, true
				}
			}
			if hasTime {
				d, err := time.Parse(time.DateOnly, strings.TrimSpace(timeAttr))
				if err != nil {
					return nil, fmt.Errorf("pricing: ECB XML: %d:%d: bad time %q: want YYYY-MM-DD", line, col, timeAttr)
				}
				curDate = d
			}
			if hasCur || hasRate {
				if !hasCur || !hasRate {
					return nil, fmt.Errorf("pricing: ECB XML: %d:%d: a rate Cube needs both currency and rate", line, col)
				}
				if curDate.IsZero() {
					return nil, fmt.Errorf("pricing: ECB XML: %d:%d: rate for %s outside a dated Cube", line, col, curAttr)
				}
				cur := strings.TrimSpace(curAttr)
				if !validCode(cur) {
					return nil, fmt.Errorf("pricing: ECB XML: %d:%d: bad currency %q", line, col, curAttr)
				}
				v, err := parseRate(rateAttr)
				if err != nil {
					return nil, fmt.Errorf("pricing: ECB XML: %d:%d: %s rate %q: %v", line, col, cur, rateAttr, err)
				}
				rates = append(rates, Rate{Currency: cur, PerEUR: v, Date: curDate, Source: SourceECB})
			}
		case xml.EndElement:
			if el.Name.Local == "Cube" {
				depth--
				if depth <= 1 {
					curDate = time.Time{} // leaving a dated Cube
				}
			}
		}
	}
	if !sawCube {
		return nil, errors.New("pricing: ECB XML: no Cube elements: not an ECB reference-rate file")
	}
	return rates, nil
}

// ParseECBHistCSV parses the ECB reference rates in CSV: the wide history file
// eurofxref-hist.csv (header "Date,USD,JPY,…,ZAR," with a trailing comma, dates YYYY-MM-DD,
// newest first, "N/A" where a currency was not quoted) and the one-day eurofxref.csv of the
// daily zip ("Date, USD, JPY, …" with spaces and dates like "27 November 2026"). Empty and
// N/A cells are skipped. Errors name line and column.
func ParseECBHistCSV(r io.Reader) ([]Rate, error) {
	cr := csv.NewReader(io.LimitReader(r, maxECBFile))
	cr.FieldsPerRecord = -1 // the trailing comma and ragged rows are checked below
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("pricing: ECB CSV: empty file")
	}
	if err != nil {
		return nil, fmt.Errorf("pricing: ECB CSV: %v", csvErr(err))
	}
	if len(header) == 0 || !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff")), "Date") {
		return nil, errors.New(`pricing: ECB CSV: 1:1: header must start with "Date"`)
	}
	cols := make([]string, len(header))
	for i, h := range header[1:] {
		h = strings.TrimSpace(h)
		if h == "" {
			if i+2 == len(header) {
				continue // the trailing comma
			}
			return nil, fmt.Errorf("pricing: ECB CSV: 1:%d: empty currency name", columnOf(cr, i+1))
		}
		if !validCode(h) {
			return nil, fmt.Errorf("pricing: ECB CSV: 1:%d: bad currency %q", columnOf(cr, i+1), h)
		}
		cols[i+1] = h
	}
	var rates []Rate
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("pricing: ECB CSV: %v", csvErr(err))
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(header) {
			_, col := cr.FieldPos(len(header))
			return nil, fmt.Errorf("pricing: ECB CSV: %d:%d: %d fields, the header has %d", line, col, len(rec), len(header))
		}
		d, err := parseECBDate(rec[0])
		if err != nil {
			_, col := cr.FieldPos(0)
			return nil, fmt.Errorf("pricing: ECB CSV: %d:%d: bad date %q: want YYYY-MM-DD", line, col, rec[0])
		}
		for i := 1; i < len(rec); i++ {
			cell := strings.TrimSpace(rec[i])
			if cell == "" || cell == "N/A" {
				continue
			}
			if cols[i] == "" {
				_, col := cr.FieldPos(i)
				return nil, fmt.Errorf("pricing: ECB CSV: %d:%d: value %q under no currency", line, col, cell)
			}
			v, err := parseRate(cell)
			if err != nil {
				_, col := cr.FieldPos(i)
				return nil, fmt.Errorf("pricing: ECB CSV: %d:%d: %s rate %q: %v", line, col, cols[i], cell, err)
			}
			rates = append(rates, Rate{Currency: cols[i], PerEUR: v, Date: d, Source: SourceECB})
		}
	}
	return rates, nil
}

// columnOf returns the 1-based column of field i of the last record read.
func columnOf(cr *csv.Reader, i int) int {
	_, col := cr.FieldPos(i)
	return col
}

// csvErr renders an encoding/csv error as "line:col: problem".
func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%d:%d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err.Error()
}

// parseECBDate accepts the history file's YYYY-MM-DD and the daily CSV's "27 November 2026".
func parseECBDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, nil
	}
	return time.Parse("2 January 2006", s)
}

// parseRate parses a published rate string exactly; it must be a plain positive decimal.
func parseRate(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return decimal.Decimal{}, errors.New("not a decimal number")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' {
			return decimal.Decimal{}, errors.New("not a plain decimal number")
		}
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, errors.New("not a decimal number")
	}
	if !v.IsPositive() {
		return decimal.Decimal{}, errors.New("must be positive")
	}
	return v, nil
}

// validCode reports whether s looks like an ISO 4217 code (three letters A–Z).
func validCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// ParseECBZip parses a zip archive as the ECB distributes it (eurofxref-hist.zip,
// eurofxref.zip): every .csv or .xml member is parsed with ParseECBHistCSV or
// ParseECBDailyXML and the rates are concatenated.
func ParseECBZip(r io.ReaderAt, size int64) ([]Rate, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("pricing: ECB zip: %v", err)
	}
	var rates []Rate
	found := false
	for _, f := range zr.File {
		ext := strings.ToLower(path.Ext(f.Name))
		if ext != ".csv" && ext != ".xml" {
			continue
		}
		found = true
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("pricing: ECB zip: %s: %v", f.Name, err)
		}
		var rs []Rate
		if ext == ".csv" {
			rs, err = ParseECBHistCSV(rc)
		} else {
			rs, err = ParseECBDailyXML(rc)
		}
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		rates = append(rates, rs...)
	}
	if !found {
		return nil, errors.New("pricing: ECB zip: no .csv or .xml file inside")
	}
	return rates, nil
}

// ParseECB parses an ECB reference-rate file of any of the published formats, sniffing the
// content (zip magic, then XML, then CSV); name is only used in error messages.
func ParseECB(name string, data []byte) ([]Rate, error) {
	var (
		rates []Rate
		err   error
	)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		rates, err = ParseECBZip(bytes.NewReader(data), int64(len(data)))
	case bytes.HasPrefix(trimmed, []byte("<")):
		rates, err = ParseECBDailyXML(bytes.NewReader(data))
	default:
		rates, err = ParseECBHistCSV(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rates, nil
}
