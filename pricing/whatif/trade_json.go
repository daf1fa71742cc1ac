package whatif

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/shopspring/decimal"
)

// appendTrade writes the trade sums as a JSON array: per cell its scenario, buyer country,
// origin, bloc, counts, exact amounts (decimal strings; the minor units of cur at least) and
// the wedge of each collecting jurisdiction.
func appendTrade(b []byte, cells []TradeCell, cur string) []byte {
	places, _ := minorUnitsOf(cur)
	num := func(d decimal.Decimal) string {
		if d.Exponent() >= -places {
			return d.StringFixed(places)
		}
		return d.String() // a recovered share of VAT can have more decimals: kept exact
	}
	b = append(b, '[')
	for i := range cells {
		c := &cells[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"scenario":`...)
		b = appendString(b, c.Scenario)
		b = append(b, `,"buyer_country":`...)
		b = appendString(b, c.BuyerCountry)
		b = append(b, `,"origin":`...)
		b = appendString(b, c.Origin)
		b = append(b, `,"bloc":`...)
		b = appendString(b, c.Bloc)
		b = append(b, `,"flows":`...)
		b = strconv.AppendInt(b, int64(c.Flows), 10)
		b = append(b, `,"unmatched":`...)
		b = strconv.AppendInt(b, int64(c.Unmatched), 10)
		b = append(b, `,"hardware":`...)
		b = strconv.AppendInt(b, int64(c.Hardware), 10)
		b = append(b, `,"supplier_value":`...)
		b = appendString(b, num(c.SupplierValue))
		b = append(b, `,"baseline_landed_cost":`...)
		b = appendString(b, num(c.BaselineLanded))
		b = append(b, `,"landed_cost":`...)
		b = appendString(b, num(c.Landed))
		b = append(b, `,"gpu_hours":`...)
		b = appendString(b, c.GPUHours.String())
		b = append(b, `,"wedges":[`...)
		for j, w := range c.Wedges {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"jurisdiction":`...)
			b = appendString(b, w.Jurisdiction)
			b = append(b, `,"baseline":`...)
			b = appendString(b, num(w.Baseline))
			b = append(b, `,"scenario":`...)
			b = appendString(b, num(w.Scenario))
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	return append(b, ']')
}

// tradeDoc is the part of a result's JSON the trade-effects model needs.
type tradeDoc struct {
	Currency  string `json:"currency"`
	Scenarios []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"scenarios"`
	Trade []struct {
		Scenario       string          `json:"scenario"`
		BuyerCountry   string          `json:"buyer_country"`
		Origin         string          `json:"origin"`
		Bloc           string          `json:"bloc"`
		Flows          int             `json:"flows"`
		Unmatched      int             `json:"unmatched"`
		Hardware       int             `json:"hardware"`
		SupplierValue  decimal.Decimal `json:"supplier_value"`
		BaselineLanded decimal.Decimal `json:"baseline_landed_cost"`
		Landed         decimal.Decimal `json:"landed_cost"`
		GPUHours       decimal.Decimal `json:"gpu_hours"`
		Wedges         []struct {
			Jurisdiction string          `json:"jurisdiction"`
			Baseline     decimal.Decimal `json:"baseline"`
			Scenario     decimal.Decimal `json:"scenario"`
		} `json:"wedges"`
	} `json:"trade"`
}

// ReadTrade reads back, from a result written by Result.WriteJSON, what Result.TradeEffects
// needs: the currency, the scenarios (IDs and titles) and the trade sums. The tables are
// skipped. A result written before it had trade sums reads with none.
func ReadTrade(r io.Reader) (*Result, error) {
	var doc tradeDoc
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("whatif: read trade sums: %w", err)
	}
	res := &Result{Currency: doc.Currency}
	for _, s := range doc.Scenarios {
		res.Scenarios = append(res.Scenarios, ScenarioInfo{ID: s.ID, Title: s.Title})
	}
	for _, c := range doc.Trade {
		tc := TradeCell{Scenario: c.Scenario, BuyerCountry: c.BuyerCountry, Origin: c.Origin, Bloc: c.Bloc, Flows: c.Flows,
			Unmatched: c.Unmatched, Hardware: c.Hardware, SupplierValue: c.SupplierValue, BaselineLanded: c.BaselineLanded,
			Landed: c.Landed, GPUHours: c.GPUHours}
		for _, w := range c.Wedges {
			tc.Wedges = append(tc.Wedges, JurisdictionWedge{Jurisdiction: w.Jurisdiction, Baseline: w.Baseline, Scenario: w.Scenario})
		}
		res.Trade = append(res.Trade, tc)
	}
	return res, nil
}
