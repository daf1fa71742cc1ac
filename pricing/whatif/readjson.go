package whatif

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// tableColumns are the columns of each table, by name.
func tableColumns(name string) ([]Column, bool) {
	switch name {
	case TableFlows:
		return flowCols, true
	case TableChanges:
		return changeCols, true
	case TableByCountry:
		return aggregateCols("buyer_country"), true
	case TableByOrigin:
		return aggregateCols("origin"), true
	case TableByBloc:
		return aggregateCols("bloc"), true
	case TableRevenue:
		return revenueCols, true
	case TableCheapest:
		return cheapestCols, true
	case TableSeries:
		return seriesCols, true
	case TableBreakpoints:
		return breakCols, true
	}
	return nil, false
}

// ReadTables reads back the tables of a result written by Result.WriteJSON, in the order it
// wrote them, every cell as Tables formats it: WriteCSV of a table read back writes the same
// bytes as WriteCSV of the result's own table. Members other than "tables" are skipped.
func ReadTables(r io.Reader) ([]Table, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var tables []Table
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key != "tables" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if err := expectDelim(dec, '{'); err != nil {
			return nil, err
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name, _ := tok.(string)
			columns, ok := tableColumns(name)
			if !ok {
				return nil, fmt.Errorf("whatif: read tables: unknown table %q", name)
			}
			t := Table{Name: name, Columns: columns}
			var rows []map[string]any
			if err := dec.Decode(&rows); err != nil {
				return nil, fmt.Errorf("whatif: read table %s: %w", name, err)
			}
			for _, obj := range rows {
				row := make([]string, len(columns))
				for i, c := range columns {
					switch v := obj[c.Name].(type) {
					case nil:
					case string:
						row[i] = v
					case json.Number:
						row[i] = v.String()
					case bool:
						row[i] = strconv.FormatBool(v)
					default:
						return nil, fmt.Errorf("whatif: read table %s: column %s holds %T", name, c.Name, v)
					}
				}
				t.Rows = append(t.Rows, row)
			}
			tables = append(tables, t)
		}
		if err := expectDelim(dec, '}'); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("whatif: read tables: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("whatif: read tables: expected %q, found %v", want, tok)
	}
	return nil
}
