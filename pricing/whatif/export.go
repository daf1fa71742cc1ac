package whatif

import (
	"bufio"
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"corridor/pricing"
)

// ColumnType says how a table cell is written in JSON (in CSV every cell is text).
type ColumnType int

// Column types.
const (
	Text    ColumnType = iota // a JSON string
	Decimal                   // an exact decimal: a JSON string ("1234.50"), null when empty
	Integer                   // a JSON number
	Boolean                   // true or false
)

// Column is one column of a table.
type Column struct {
	Name string
	Type ColumnType
}

// Table is one table of a result, every cell already formatted: amounts with the currency's
// minor units, per-GPU-hour prices with two more decimals, percentages with two.
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]string
}

// Table names, in the order Tables returns them.
const (
	TableFlows       = "flows"
	TableChanges     = "changes"
	TableByCountry   = "by_buyer_country"
	TableByOrigin    = "by_origin"
	TableByBloc      = "by_bloc"
	TableRevenue     = "revenue"
	TableCheapest    = "cheapest"
	TableSeries      = "sweep_series"
	TableBreakpoints = "sweep_breakpoints"
)

func cols(spec string) []Column {
	var out []Column
	for _, f := range strings.Fields(spec) {
		name, t, _ := strings.Cut(f, ":")
		c := Column{Name: name}
		switch t {
		case "d":
			c.Type = Decimal
		case "i":
			c.Type = Integer
		case "b":
			c.Type = Boolean
		}
		out = append(out, c)
	}
	return out
}

var (
	flowCols      = cols("flow:i offer_id need origin bloc buyer_country buyer_type product quantity:d scenario priced:b no_quote_reason currency total:d net_cost:d landed_cost:d per_gpu_hour:d diff:d diff_pct:d changes")
	changeCols    = cols("flow:i offer_id scenario change kind measure jurisdiction quota baseline_rate rate currency baseline_amount:d amount:d diff:d")
	revenueCols   = cols("scenario sweep_value jurisdiction kind currency collected:d recovered:d net:d baseline_net:d diff:d")
	cheapestCols  = cols("need scenario sweep_value priced:b flow:i offer_id origin bloc currency landed_cost:d per_gpu_hour:d baseline_origin switched:b")
	seriesCols    = cols("scenario need origin point:i value priced:b offer_id currency landed_cost:d cheapest:b")
	breakCols     = cols("scenario need from_origin to_origin from_offer_id to_offer_id method at low high currency residual:d")
	aggregateCols = func(key string) []Column {
		return cols("scenario sweep_value " + key + " priced:i unpriced:i currency landed_cost:d baseline_landed_cost:d diff:d diff_pct:d")
	}
)

// Tables returns every table of the result, in a fixed order (flows, changes, by buyer
// country, by origin, by bloc, revenue, cheapest, then the sweep's series and breakpoints
// when there is a sweep). Rows naming a flow carry its offer id.
func (r *Result) Tables() []Table {
	places, _ := minorUnitsOf(r.Currency)
	money := func(d decimal.Decimal) string { return d.StringFixed(places) }
	unit := func(d decimal.Decimal) string { return d.StringFixed(places + 2) }
	pct := func(d decimal.NullDecimal) string {
		if !d.Valid {
			return ""
		}
		return d.Decimal.StringFixed(2)
	}
	itoa := strconv.Itoa
	btoa := strconv.FormatBool
	cur := r.Currency

	flows := Table{Name: TableFlows, Columns: flowCols}
	changes := Table{Name: TableChanges, Columns: changeCols}
	for i := range r.Flows {
		f := &r.Flows[i]
		row := []string{itoa(f.Flow), f.OfferID, f.Need, f.Origin, f.Bloc, f.BuyerCountry, string(f.BuyerType), string(f.Product),
			f.Quantity.String(), f.Scenario, btoa(f.Priced), f.NoQuoteReason, cur, "", "", "", "", "", "", summary(f.Changes, places)}
		if f.Priced {
			row[13], row[14], row[15] = money(f.Total), money(f.NetCost), money(f.LandedCost)
			if !f.PerGPUHour.IsZero() {
				row[16] = unit(f.PerGPUHour)
			}
		}
		if f.Compared {
			row[17], row[18] = money(f.Diff), pct(f.DiffPct)
		}
		flows.Rows = append(flows.Rows, row)
		for _, c := range f.Changes {
			row := []string{itoa(f.Flow), f.OfferID, f.Scenario, c.Change, c.Kind, c.MeasureID, c.Jurisdiction, c.Quota,
				c.BaselineRate, c.Rate, cur, "", "", money(c.Diff)}
			if c.Change != ChangeAdded {
				row[11] = money(c.BaselineAmount)
			}
			if c.Change != ChangeRemoved {
				row[12] = money(c.Amount)
			}
			changes.Rows = append(changes.Rows, row)
		}
	}
	aggregate := func(name, key string, as []Aggregate) Table {
		t := Table{Name: name, Columns: aggregateCols(key)}
		for _, a := range as {
			t.Rows = append(t.Rows, []string{a.Scenario, a.SweepValue, a.Key, itoa(a.Priced), itoa(a.Unpriced), cur,
				money(a.LandedCost), money(a.Baseline), money(a.Diff), pct(a.DiffPct)})
		}
		return t
	}
	revenue := Table{Name: TableRevenue, Columns: revenueCols}
	for _, v := range r.Revenue {
		revenue.Rows = append(revenue.Rows, []string{v.Scenario, v.SweepValue, v.Jurisdiction, v.Kind, cur,
			money(v.Collected), money(v.Recovered), money(v.Net), money(v.BaselineNet), money(v.Diff)})
	}
	cheapest := Table{Name: TableCheapest, Columns: cheapestCols}
	for _, c := range r.Cheapest {
		row := []string{c.Need, c.Scenario, c.SweepValue, btoa(c.Priced), "", "", "", "", cur, "", "", c.BaselineOrigin, btoa(c.Switched)}
		if c.Priced {
			row[4], row[5], row[6], row[7], row[9] = itoa(c.Flow), c.OfferID, c.Origin, c.Bloc, money(c.LandedCost)
			if !c.PerGPUHour.IsZero() {
				row[10] = unit(c.PerGPUHour)
			}
		}
		cheapest.Rows = append(cheapest.Rows, row)
	}
	out := []Table{flows, changes,
		aggregate(TableByCountry, "buyer_country", r.ByBuyerCountry),
		aggregate(TableByOrigin, "origin", r.ByOrigin),
		aggregate(TableByBloc, "bloc", r.ByBloc),
		revenue, cheapest}
	if r.Sweep == nil {
		return out
	}
	series := Table{Name: TableSeries, Columns: seriesCols}
	for _, s := range r.Series {
		row := []string{s.Scenario, s.Need, s.Origin, itoa(s.Point), s.Value, btoa(s.Priced), s.OfferID, cur, "", btoa(s.Cheapest)}
		if s.Priced {
			row[8] = money(s.LandedCost)
		}
		series.Rows = append(series.Rows, row)
	}
	breaks := Table{Name: TableBreakpoints, Columns: breakCols}
	for _, b := range r.Breakpoints {
		row := []string{b.Scenario, b.Need, b.From, b.To, b.FromOfferID, b.ToOfferID, b.Method, b.At, b.Low, b.High, cur, ""}
		if b.Method == MethodSolved {
			row[11] = money(b.Residual)
		}
		breaks.Rows = append(breaks.Rows, row)
	}
	return append(out, series, breaks)
}

// summary writes a flow's line changes on one line: "added eu-levy +1080.00; amount_changed
// base -2160.00".
func summary(cs []LineChange, places int32) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Change)
		b.WriteByte(' ')
		if c.MeasureID != "" {
			b.WriteString(c.MeasureID)
		} else {
			b.WriteString(c.Kind)
		}
		if c.Quota != "" {
			b.WriteString(" (" + c.Quota + ")")
		}
		if c.Change == ChangeRate {
			b.WriteString(" " + c.BaselineRate + " → " + c.Rate)
		}
		b.WriteByte(' ')
		if c.Diff.IsPositive() {
			b.WriteByte('+')
		}
		b.WriteString(c.Diff.StringFixed(places))
	}
	return b.String()
}

// minorUnitsOf returns the currency's decimals as int32 (2 when unknown).
func minorUnitsOf(cur string) (int32, bool) {
	p, ok := pricing.MinorUnits(cur)
	if !ok {
		p = 2
	}
	return int32(p), ok
}

// WriteCSV writes t as CSV: a header row with the column names, then the rows. A text cell
// that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage
// return and is not a number such as "-20%") is written with a leading apostrophe, so that a
// need named by an analyst cannot run in another analyst's spreadsheet.
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	out := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, v := range row {
			out[i] = v
			if t.Columns[i].Type == Text && formulaLike(v) {
				out[i] = "'" + v
			}
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// formulaLike reports whether a spreadsheet could take s for a formula: it starts with one of
// = + - @ tab CR, and is not a plain number, percentage or amount ("-20%", "-0.5 EUR/gpu_hour").
func formulaLike(s string) bool {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return false
	}
	num := strings.TrimLeft(s, "+-")
	unit := ""
	if i := strings.IndexAny(num, "% "); i >= 0 {
		num, unit = num[:i], num[i:]
	}
	if _, err := decimal.NewFromString(num); err != nil || strings.ContainsAny(num, "eE") || len(s)-len(num) > 1+len(unit) {
		return true
	}
	return unit != "" && unit != "%" && !isAmountUnit(strings.TrimPrefix(unit, " "))
}

// isAmountUnit reports whether u is how Sweep.Format writes a unit: a currency, or a currency
// per unit.
func isAmountUnit(u string) bool { return isCurrencyUnit(u) || isSpecificUnit(u) }

// WriteTableJSON writes t as a JSON array of objects whose keys are in column order.
func WriteTableJSON(w io.Writer, t Table) error {
	bw := bufio.NewWriter(w)
	writeTable(bw, t)
	return bw.Flush()
}

// WriteJSON writes the whole result as one JSON object: the study's currency, dates, counts,
// scenarios and sweep, the trade sums (Result.Trade, which ReadTrade reads back for the
// trade-effects model) under "trade", and every table under "tables", keys in a fixed order.
func (r *Result) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	b := make([]byte, 0, 256)
	b = append(b, `{"currency":`...)
	b = appendString(b, r.Currency)
	b = append(b, `,"as_of":`...)
	b = appendString(b, r.AsOf.Format(time.DateOnly))
	b = append(b, `,"fx_date":`...)
	b = appendString(b, r.FXDate.Format(time.DateOnly))
	b = append(b, `,"evaluations":`...)
	b = strconv.AppendInt(b, r.Evaluations, 10)
	b = append(b, `,"checks":`...)
	b = strconv.AppendInt(b, r.Checks, 10)
	b = append(b, `,"scenarios":[`...)
	for i, s := range r.Scenarios {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendString(b, s.ID)
		b = append(b, `,"title":`...)
		b = appendString(b, s.Title)
		b = append(b, `,"policy_id":`...)
		b = appendString(b, s.Ref.PolicyID)
		b = append(b, `,"policy_version":`...)
		b = strconv.AppendInt(b, int64(s.Ref.PolicyVersion), 10)
		b = append(b, `,"scenario_id":`...)
		b = appendString(b, s.Ref.ScenarioID)
		b = append(b, `,"scenario_version":`...)
		b = strconv.AppendInt(b, int64(s.Ref.ScenarioVersion), 10)
		b = append(b, `,"hash":`...)
		b = appendString(b, s.Ref.Hash)
		b = append(b, `,"fx_shocks":{`...)
		for j, cur := range slices.Sorted(maps.Keys(s.FXShocks)) {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, cur)
			b = append(b, ':')
			b = appendString(b, s.FXShocks[cur].Shift(2).String()+"%")
		}
		b = append(b, `},"swept":`...)
		b = strconv.AppendBool(b, s.Swept)
		b = append(b, '}')
	}
	b = append(b, `],"sweep":`...)
	if r.Sweep == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"spec":`...)
		b = appendString(b, r.Sweep.Spec)
		b = append(b, `,"target":`...)
		b = appendString(b, r.Sweep.Target)
		b = append(b, `,"values":`...)
		b = appendStrings(b, r.Sweep.Values)
		b = append(b, `,"scenarios":`...)
		b = appendStrings(b, r.Sweep.Scenarios)
		b = append(b, '}')
	}
	b = append(b, `,"trade":`...)
	b = appendTrade(b, r.Trade, r.Currency)
	b = append(b, `,"tables":{`...)
	bw.Write(b)
	for i, t := range r.Tables() {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(appendString(nil, t.Name))
		bw.WriteByte(':')
		writeTable(bw, t)
	}
	bw.WriteString("}}\n")
	return bw.Flush()
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// writeTable writes t as a JSON array of objects (errors surface at the final Flush).
func writeTable(bw *bufio.Writer, t Table) {
	keys := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		keys[i] = append(appendString(nil, c.Name), ':')
	}
	bw.WriteByte('[')
	var b []byte
	for i, row := range t.Rows {
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, c := range t.Columns {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[j]...)
			v := row[j]
			switch {
			case c.Type == Decimal && v == "":
				b = append(b, "null"...)
			case c.Type == Integer || c.Type == Boolean:
				b = append(b, v...)
			default:
				b = appendString(b, v)
			}
		}
		b = append(b, '}')
		bw.Write(b)
	}
	bw.WriteByte(']')
}

// appendString appends s as a JSON string (invalid UTF-8 replaced by U+FFFD, like
// encoding/json).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
