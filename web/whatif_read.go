package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing/whatif"
	"corridor/tariff"
)

// readWhatifResult reads a stored study's result (whatif.Result.WriteJSON's bytes) back into a
// Result for the study page: the header members, and every table (whatif.ReadTables) with
// its cells parsed by column name. The figures are the stored, rounded ones.
func readWhatifResult(data []byte) (*whatif.Result, error) {
	var h struct {
		Currency    string `json:"currency"`
		AsOf        string `json:"as_of"`
		FXDate      string `json:"fx_date"`
		Evaluations int64  `json:"evaluations"`
		Checks      int64  `json:"checks"`
		Scenarios   []struct {
			ID              string            `json:"id"`
			Title           string            `json:"title"`
			PolicyID        string            `json:"policy_id"`
			PolicyVersion   int               `json:"policy_version"`
			ScenarioID      string            `json:"scenario_id"`
			ScenarioVersion int               `json:"scenario_version"`
			Hash            string            `json:"hash"`
			FXShocks        map[string]string `json:"fx_shocks"`
			Swept           bool              `json:"swept"`
		} `json:"scenarios"`
		Sweep *struct {
			Spec      string   `json:"spec"`
			Target    string   `json:"target"`
			Values    []string `json:"values"`
			Scenarios []string `json:"scenarios"`
		} `json:"sweep"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("web: read study result: %w", err)
	}
	r := &whatif.Result{Currency: h.Currency, Evaluations: h.Evaluations, Checks: h.Checks}
	r.AsOf, _ = time.Parse(time.DateOnly, h.AsOf)
	r.FXDate, _ = time.Parse(time.DateOnly, h.FXDate)
	for _, s := range h.Scenarios {
		info := whatif.ScenarioInfo{ID: s.ID, Title: s.Title, Swept: s.Swept, Ref: whatif.Ref{PolicyID: s.PolicyID, PolicyVersion: s.PolicyVersion,
			ScenarioID: s.ScenarioID, ScenarioVersion: s.ScenarioVersion, Hash: s.Hash}}
		r.Scenarios = append(r.Scenarios, info)
	}
	if h.Sweep != nil {
		r.Sweep = &whatif.SweepInfo{Spec: h.Sweep.Spec, Target: h.Sweep.Target, Values: h.Sweep.Values, Scenarios: h.Sweep.Scenarios}
	}
	tables, err := whatif.ReadTables(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	changes := map[string][]whatif.LineChange{} // by flow and scenario
	for _, t := range tables {
		for _, row := range t.Rows {
			c := cells{cols: t.Columns, row: row}
			switch t.Name {
			case whatif.TableFlows:
				f := whatif.FlowResult{Flow: c.int("flow"), OfferID: c.s("offer_id"), Need: c.s("need"), Origin: c.s("origin"), Bloc: c.s("bloc"),
					BuyerCountry: c.s("buyer_country"), BuyerType: tariff.BuyerType(c.s("buyer_type")), Product: tariff.Product(c.s("product")),
					Quantity: c.d("quantity"), Scenario: c.s("scenario"), Priced: c.b("priced"), NoQuoteReason: c.s("no_quote_reason"),
					Total: c.d("total"), NetCost: c.d("net_cost"), LandedCost: c.d("landed_cost"), PerGPUHour: c.d("per_gpu_hour"),
					Compared: c.s("diff") != "", Diff: c.d("diff"), DiffPct: c.nd("diff_pct")}
				r.Flows = append(r.Flows, f)
			case whatif.TableChanges:
				k := c.s("flow") + "\x00" + c.s("scenario")
				changes[k] = append(changes[k], whatif.LineChange{Change: c.s("change"), Kind: c.s("kind"), MeasureID: c.s("measure"),
					Jurisdiction: c.s("jurisdiction"), Quota: c.s("quota"), BaselineRate: c.s("baseline_rate"), Rate: c.s("rate"),
					BaselineAmount: c.d("baseline_amount"), Amount: c.d("amount"), Diff: c.d("diff")})
			case whatif.TableByCountry, whatif.TableByOrigin, whatif.TableByBloc:
				key := map[string]string{whatif.TableByCountry: "buyer_country", whatif.TableByOrigin: "origin", whatif.TableByBloc: "bloc"}[t.Name]
				a := whatif.Aggregate{Scenario: c.s("scenario"), SweepValue: c.s("sweep_value"), Key: c.s(key), Priced: c.int("priced"),
					Unpriced: c.int("unpriced"), LandedCost: c.d("landed_cost"), Baseline: c.d("baseline_landed_cost"), Diff: c.d("diff"), DiffPct: c.nd("diff_pct")}
				switch t.Name {
				case whatif.TableByCountry:
					r.ByBuyerCountry = append(r.ByBuyerCountry, a)
				case whatif.TableByOrigin:
					r.ByOrigin = append(r.ByOrigin, a)
				default:
					r.ByBloc = append(r.ByBloc, a)
				}
			case whatif.TableRevenue:
				r.Revenue = append(r.Revenue, whatif.Revenue{Scenario: c.s("scenario"), SweepValue: c.s("sweep_value"), Jurisdiction: c.s("jurisdiction"),
					Kind: c.s("kind"), Collected: c.d("collected"), Recovered: c.d("recovered"), Net: c.d("net"), BaselineNet: c.d("baseline_net"), Diff: c.d("diff")})
			case whatif.TableCheapest:
				r.Cheapest = append(r.Cheapest, whatif.Cheapest{Need: c.s("need"), Scenario: c.s("scenario"), SweepValue: c.s("sweep_value"),
					Priced: c.b("priced"), Flow: c.int("flow"), OfferID: c.s("offer_id"), Origin: c.s("origin"), Bloc: c.s("bloc"),
					LandedCost: c.d("landed_cost"), PerGPUHour: c.d("per_gpu_hour"), BaselineOrigin: c.s("baseline_origin"), Switched: c.b("switched")})
			case whatif.TableSeries:
				r.Series = append(r.Series, whatif.SeriesPoint{Scenario: c.s("scenario"), Need: c.s("need"), Origin: c.s("origin"), Point: c.int("point"),
					Value: c.s("value"), Priced: c.b("priced"), OfferID: c.s("offer_id"), LandedCost: c.d("landed_cost"), Cheapest: c.b("cheapest")})
			case whatif.TableBreakpoints:
				r.Breakpoints = append(r.Breakpoints, whatif.Breakpoint{Scenario: c.s("scenario"), Need: c.s("need"), From: c.s("from_origin"),
					To: c.s("to_origin"), FromOfferID: c.s("from_offer_id"), ToOfferID: c.s("to_offer_id"), Method: c.s("method"), At: c.s("at"),
					Low: c.s("low"), High: c.s("high"), Residual: c.d("residual")})
			}
		}
	}
	for i := range r.Flows {
		f := &r.Flows[i]
		f.Changes = changes[strconv.Itoa(f.Flow)+"\x00"+f.Scenario]
	}
	return r, nil
}

// cells reads one row of a table by column name.
type cells struct {
	cols []whatif.Column
	row  []string
}

func (c cells) s(name string) string {
	for i, col := range c.cols {
		if col.Name == name && i < len(c.row) {
			return c.row[i]
		}
	}
	return ""
}

func (c cells) d(name string) decimal.Decimal {
	d, _ := decimal.NewFromString(c.s(name)) // empty or absent: zero
	return d
}

func (c cells) nd(name string) decimal.NullDecimal {
	d, err := decimal.NewFromString(c.s(name))
	return decimal.NullDecimal{Decimal: d, Valid: err == nil}
}

func (c cells) int(name string) int {
	n, _ := strconv.Atoi(c.s(name))
	return n
}

func (c cells) b(name string) bool { return c.s(name) == "true" }
