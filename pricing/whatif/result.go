package whatif

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Result is what a study shows: per-flow results under the baseline and every scenario as
// written, and aggregates under every scenario state (as written, and at every point of the
// sweep). Every slice is in a fixed order, so a result renders to identical bytes whenever the
// same study is evaluated again.
type Result struct {
	Currency    string
	AsOf        time.Time
	FXDate      time.Time
	Scenarios   []ScenarioInfo // the baseline first
	Sweep       *SweepInfo     // nil without a sweep
	Evaluations int64          // flows × scenario states
	Checks      int64          // further quotes priced to check solved breakpoints
	// Quoted is how many of the evaluations needed a quote of their own (the others reused
	// one the sweep provably cannot change). A performance figure: not in the exports.
	Quoted int64

	Flows          []FlowResult // flow-major: each flow under the baseline, then each scenario
	ByBuyerCountry []Aggregate
	ByOrigin       []Aggregate // by the flows' origin (region, or bloc when a flow stands for one)
	ByBloc         []Aggregate
	Revenue        []Revenue
	Cheapest       []Cheapest    // per need, under every scenario state
	Series         []SeriesPoint // sweep: per swept scenario, need, origin and point
	Breakpoints    []Breakpoint  // sweep: where the cheapest origin of a need switches
	// Trade sums, per scenario as written (not the baseline), buyer country and origin, the
	// inputs of TradeEffects; not in the exports.
	Trade []TradeCell
}

// ScenarioInfo describes one scenario of a result.
type ScenarioInfo struct {
	ID       string
	Title    string
	Ref      Ref
	FXShocks map[string]decimal.Decimal
	Swept    bool // the sweep varies it
}

// SweepInfo describes a result's sweep.
type SweepInfo struct {
	Spec      string   // canonical specification, e.g. "eu-levy.rate=0%..30% step 2.5%"
	Target    string   // MEASURE.FIELD or the currency
	Values    []string // the points, as the policy language writes them
	Scenarios []string // the scenarios it varies
}

// FlowResult is one flow priced under one scenario as written.
type FlowResult struct {
	Flow         int // 1-based position of the flow in the study
	OfferID      string
	Need         string
	Origin       string
	Bloc         string
	BuyerCountry string
	BuyerType    tariff.BuyerType
	Product      tariff.Product
	Quantity     decimal.Decimal // GPU-hours, or units for hardware
	Scenario     string

	Priced         bool
	NoQuoteReason  string // when not priced: pricing's reason code (blocked_by_gate, no_fx_rate…)
	NoQuoteMessage string
	Total          decimal.Decimal // cash payable
	NetCost        decimal.Decimal // after recoverable taxes
	LandedCost     decimal.Decimal // net cost for a business, total for a consumer
	PerGPUHour     decimal.Decimal // landed cost per GPU-hour (zero for hardware)

	Compared bool                // both this and the baseline priced: Diff is set
	Diff     decimal.Decimal     // landed cost − the baseline's
	DiffPct  decimal.NullDecimal // Diff as a percentage of the baseline's (2 decimals), unless that is zero
	Changes  []LineChange        // lines that differ from the baseline's
}

// The changes of a line between the baseline and a scenario (LineChange.Change).
const (
	ChangeAdded   = "added"          // a measure applies that did not
	ChangeRemoved = "removed"        // a measure no longer applies
	ChangeRate    = "rate_changed"   // the same measure at another rate
	ChangeAmount  = "amount_changed" // the same rate on a different base (a shocked currency, a levy in a VAT base)
)

// LineChange is one line of a flow's quote that differs from the baseline's.
type LineChange struct {
	Change         string
	Kind           string
	MeasureID      string
	Jurisdiction   string
	Quota          string
	BaselineRate   string
	Rate           string
	BaselineAmount decimal.Decimal
	Amount         decimal.Decimal
	Diff           decimal.Decimal
}

// Aggregate is the landed cost of a group of flows (a buyer country, an origin, a bloc) under
// one scenario state, next to the baseline's as written.
type Aggregate struct {
	Scenario   string
	SweepValue string // "" for the scenario as written
	Key        string
	Priced     int // flows priced
	Unpriced   int // flows that could not be priced (blocked, no rate…), not in LandedCost
	LandedCost decimal.Decimal
	Baseline   decimal.Decimal // the group's landed cost under the baseline
	Diff       decimal.Decimal
	DiffPct    decimal.NullDecimal
}

// Revenue is what one jurisdiction collects through one kind of line under one scenario state,
// summed over the priced flows. Collected is what is paid to it (payable lines, and taxes
// withheld from a price); reverse-charged VAT, which the buyer declares and deducts at once,
// is not collected. Recovered is the part business buyers deduct again; Net = Collected −
// Recovered. Subsidies and export rebates are paid out: negative revenue.
type Revenue struct {
	Scenario     string
	SweepValue   string
	Jurisdiction string
	Kind         string
	Collected    decimal.Decimal
	Recovered    decimal.Decimal
	Net          decimal.Decimal
	BaselineNet  decimal.Decimal
	Diff         decimal.Decimal // Net − BaselineNet
}

// Cheapest is the cheapest source of one need under one scenario state: the flow with the
// least landed cost (ties go to the flow listed first).
type Cheapest struct {
	Scenario       string
	SweepValue     string
	Need           string
	Priced         bool // false when no flow of the need could be priced
	Flow           int
	OfferID        string
	Origin         string
	Bloc           string
	LandedCost     decimal.Decimal
	PerGPUHour     decimal.Decimal
	BaselineOrigin string // the cheapest origin under the baseline as written
	Switched       bool   // the cheapest origin differs from BaselineOrigin
}

// SeriesPoint is the landed cost of the cheapest flow from one origin for one need, under a
// swept scenario at one point of the sweep: the lines of the sweep chart.
type SeriesPoint struct {
	Scenario   string
	Need       string
	Origin     string
	Point      int // 0-based
	Value      string
	Priced     bool
	OfferID    string
	LandedCost decimal.Decimal
	Cheapest   bool // the cheapest origin of the need at this point
}

// How a breakpoint was located (Breakpoint.Method).
const (
	// MethodAtPoint: the two origins cost the same at a point of the sweep; the switch is there.
	MethodAtPoint = "at_point"
	// MethodSolved: the value where the two landed costs, linear between the neighbouring
	// points, are equal, checked by pricing both there: they differ by at most one minor unit
	// per rounded line of their quotes (Residual).
	MethodSolved = "solved"
	// MethodBracket: the switch lies between Low and High; the cost is not linear there (a
	// quota or cap starts to bind, a flow could not be priced), so only the interval is exact.
	MethodBracket = "bracket"
)

// Breakpoint is where the cheapest origin of a need switches along the sweep.
type Breakpoint struct {
	Scenario    string
	Need        string
	From        string // the cheapest origin before
	To          string // the cheapest origin after
	FromOfferID string
	ToOfferID   string
	Method      string
	At          string          // at_point and solved: the value of the switch
	Low, High   string          // the neighbouring points of the sweep that bracket it
	Residual    decimal.Decimal // solved: |landed(From) − landed(To)| priced at At
}

// result turns the merged aggregates into a Result.
func (e *evaluator) result(parts []*part, total int64) (*Result, error) {
	t := e.merge(parts)
	s := e.study
	r := &Result{Currency: s.Currency, AsOf: e.asOf, FXDate: s.FX.Date, Evaluations: total, Flows: e.results}
	for _, p := range parts {
		r.Quoted += p.quoted
	}
	for i, sc := range e.scens {
		r.Scenarios = append(r.Scenarios, ScenarioInfo{ID: sc.ID, Title: sc.Title, Ref: sc.Ref, FXShocks: sc.FXShocks, Swept: slices.Contains(e.swept, i)})
	}
	if s.Sweep != nil {
		si := &SweepInfo{Spec: s.Sweep.String(), Target: s.Sweep.Target()}
		for p := range e.points {
			si.Values = append(si.Values, s.Sweep.Format(s.Sweep.Value(p)))
		}
		for _, i := range e.swept {
			si.Scenarios = append(si.Scenarios, e.scens[i].ID)
		}
		r.Sweep = si
	}
	r.ByBuyerCountry = e.aggregates(t.country, e.countries)
	r.ByOrigin = e.aggregates(t.origin, e.origins)
	r.ByBloc = e.aggregates(t.bloc, e.blocs)
	r.Revenue = e.revenue(t.revenue)
	r.Trade = e.tradeCells(t.trade)
	best := e.cheapest(t.cells, r)
	if s.Sweep != nil {
		e.series(t.cells, best, r)
		e.breakpoints(t.cells, best, r)
	}
	return r, nil
}

// vname returns the scenario and sweep value of variant v.
func (e *evaluator) vname(v int) (string, string) {
	va := e.variants[v]
	return e.scens[va.scen].ID, va.value
}

func (e *evaluator) aggregates(groups []group, keys []string) []Aggregate {
	order := sortedIndex(keys)
	n := len(keys)
	var out []Aggregate
	for v := range e.variants {
		scen, value := e.vname(v)
		for _, k := range order {
			g, b := &groups[v*n+k], &groups[k]
			a := Aggregate{Scenario: scen, SweepValue: value, Key: keys[k], Priced: g.priced, Unpriced: g.unpriced,
				LandedCost: g.landed.value(e.places), Baseline: b.landed.value(e.places)}
			a.Diff = a.LandedCost.Sub(a.Baseline)
			if pct, ok := pctOf(a.Diff, a.Baseline); ok {
				a.DiffPct = decimal.NullDecimal{Decimal: pct, Valid: true}
			}
			out = append(out, a)
		}
	}
	return out
}

// sortedIndex returns the indices of keys in key order.
func sortedIndex(keys []string) []int {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	return idx
}

// revenue lists, per scenario state, every jurisdiction and kind that collects under it or
// under the baseline (so a levy a scenario removes shows as zero).
func (e *evaluator) revenue(m map[revKey]*revAcc) []Revenue {
	type jk struct{ jurisdiction, kind string }
	var baseKeys []jk
	for k := range m {
		if k.v == 0 {
			baseKeys = append(baseKeys, jk{k.jurisdiction, k.kind})
		}
	}
	zero := &revAcc{}
	get := func(v int, k jk) *revAcc {
		if r := m[revKey{v, k.jurisdiction, k.kind}]; r != nil {
			return r
		}
		return zero
	}
	var out []Revenue
	for v := range e.variants {
		keys := slices.Clone(baseKeys)
		for k := range m {
			if k.v == v && m[revKey{0, k.jurisdiction, k.kind}] == nil {
				keys = append(keys, jk{k.jurisdiction, k.kind})
			}
		}
		slices.SortFunc(keys, func(a, b jk) int {
			return cmp.Or(cmp.Compare(a.jurisdiction, b.jurisdiction), cmp.Compare(a.kind, b.kind))
		})
		scen, value := e.vname(v)
		for _, k := range keys {
			r, b := get(v, k), get(0, k)
			rv := Revenue{Scenario: scen, SweepValue: value, Jurisdiction: k.jurisdiction, Kind: k.kind,
				Collected: r.collected.value(e.places), Recovered: r.recovered.value(e.places)}
			rv.Net = rv.Collected.Sub(rv.Recovered)
			rv.BaselineNet = b.collected.value(e.places).Sub(b.recovered.value(e.places))
			rv.Diff = rv.Net.Sub(rv.BaselineNet)
			out = append(out, rv)
		}
	}
	return out
}

// cheapest fills r.Cheapest and returns, per variant and need, the cheapest pair (-1: none).
func (e *evaluator) cheapest(cells []cell, r *Result) [][]int {
	np := len(e.pairs)
	best := make([][]int, len(e.variants))
	for v := range e.variants {
		best[v] = make([]int, len(e.needs))
		for n := range e.needs {
			b := -1
			for _, p := range e.needPairs[n] {
				c := &cells[v*np+p]
				if c.flow < 0 {
					continue
				}
				if b < 0 {
					b = p
					continue
				}
				bc := &cells[v*np+b]
				if d := c.cost.cmp(&bc.cost, e.places); d < 0 || d == 0 && c.flow < bc.flow {
					b = p
				}
			}
			best[v][n] = b
		}
	}
	for n, need := range e.needs {
		baseOrigin := ""
		if b := best[0][n]; b >= 0 {
			baseOrigin = e.origins[e.pairs[b].origin]
		}
		for v := range e.variants {
			scen, value := e.vname(v)
			ch := Cheapest{Scenario: scen, SweepValue: value, Need: need, BaselineOrigin: baseOrigin}
			if b := best[v][n]; b >= 0 {
				c := &cells[v*np+b]
				f := &e.flows[c.flow]
				ch.Priced, ch.Flow, ch.OfferID = true, int(c.flow)+1, f.ID
				ch.Origin, ch.Bloc = e.origins[f.origin], e.blocs[f.bloc]
				ch.LandedCost = c.cost.value(e.places)
				if f.Offer.Product != tariff.ProductHardware {
					ch.PerGPUHour = pricing.UnitPrice(ch.LandedCost, f.qty, e.study.Currency, e.mode)
				}
				ch.Switched = ch.Origin != baseOrigin
			}
			r.Cheapest = append(r.Cheapest, ch)
		}
	}
	return best
}

// sweptVariant returns the variant index of the k-th swept scenario at point p.
func (e *evaluator) sweptVariant(k, p int) int { return e.written + k*e.points + p }

func (e *evaluator) series(cells []cell, best [][]int, r *Result) {
	np := len(e.pairs)
	for k := range e.swept {
		for n, need := range e.needs {
			for _, pair := range e.needPairs[n] {
				for p := range e.points {
					v := e.sweptVariant(k, p)
					scen, value := e.vname(v)
					sp := SeriesPoint{Scenario: scen, Need: need, Origin: e.origins[e.pairs[pair].origin], Point: p, Value: value}
					if c := &cells[v*np+pair]; c.flow >= 0 {
						sp.Priced, sp.OfferID, sp.LandedCost = true, e.flows[c.flow].ID, c.cost.value(e.places)
						sp.Cheapest = best[v][n] == pair
					}
					r.Series = append(r.Series, sp)
				}
			}
		}
	}
}

// breakpoints finds, for every swept scenario and need, each pair of neighbouring points where
// the cheapest origin differs, and locates the switch (see MethodAtPoint, MethodSolved,
// MethodBracket).
func (e *evaluator) breakpoints(cells []cell, best [][]int, r *Result) {
	np := len(e.pairs)
	at := map[string]*variant{} // variants derived at solved values, by scenario and value
	for k, scen := range e.swept {
		for n, need := range e.needs {
			for p := 0; p+1 < e.points; p++ {
				v0, v1 := e.sweptVariant(k, p), e.sweptVariant(k, p+1)
				a, b := best[v0][n], best[v1][n]
				if a < 0 || b < 0 || a == b {
					continue
				}
				a0, a1, b0, b1 := &cells[v0*np+a], &cells[v1*np+a], &cells[v0*np+b], &cells[v1*np+b]
				bp := Breakpoint{Scenario: e.scens[scen].ID, Need: need, From: e.origins[e.pairs[a].origin], To: e.origins[e.pairs[b].origin],
					FromOfferID: e.flows[a0.flow].ID, ToOfferID: e.flows[b1.flow].ID, Method: MethodBracket,
					Low: e.variants[v0].value, High: e.variants[v1].value}
				switch {
				case b0.flow >= 0 && a0.cost.cmp(&b0.cost, e.places) == 0:
					bp.Method, bp.At = MethodAtPoint, bp.Low
				case a1.flow >= 0 && a1.cost.cmp(&b1.cost, e.places) == 0:
					bp.Method, bp.At = MethodAtPoint, bp.High
				case a1.flow >= 0 && b0.flow >= 0:
					e.solve(&bp, scen, e.variants[v0].num, [4]*cell{a0, a1, b0, b1}, at, r)
				}
				r.Breakpoints = append(r.Breakpoints, bp)
			}
		}
	}
}

// solve locates a switch between x0 and x0 + step from the landed costs of the two origins
// at both points (c: from at x0, from at x1, to at x0, to at x1), assuming each is linear
// there, and checks the assumption by pricing both origins' flows at the value found.
func (e *evaluator) solve(bp *Breakpoint, scen int, x0 decimal.Decimal, c [4]*cell, at map[string]*variant, r *Result) {
	sw := e.sweep
	A0, A1, B0, B1 := c[0].cost.value(e.places), c[1].cost.value(e.places), c[2].cost.value(e.places), c[3].cost.value(e.places)
	// From is cheaper at x0 and dearer at x1: A0 < B0, A1 > B1, so den > 0 and 0 < t < 1.
	den := A1.Sub(A0).Sub(B1.Sub(B0))
	if !den.IsPositive() {
		return
	}
	prec := max(6, 6-sw.Step.Exponent())
	x := x0.Add(sw.Step.Mul(B0.Sub(A0)).DivRound(den, prec))
	key := e.scens[scen].ID + "\x00" + x.String()
	va := at[key]
	if va == nil {
		policy, fx, quota, err := e.derive(scen, x)
		if err != nil {
			return
		}
		va = &variant{policy: policy, fx: fx, quota: quota}
		at[key] = va
	}
	costAt := func(flows ...int32) (decimal.Decimal, int, bool) {
		var best decimal.Decimal
		lines, ok := 0, false
		for i, fl := range flows {
			if i > 0 && fl == flows[0] {
				continue
			}
			f := &e.flows[fl]
			q, err := pricing.Price(pricing.Inputs{Offer: f.Offer, Request: f.req, Rounding: e.mode, Now: e.asOf,
				Policy: va.policy, FX: va.fx, Quota: va.quota})
			r.Checks++
			if err != nil {
				continue
			}
			if !ok || q.LandedCost.LessThan(best) {
				best, lines, ok = q.LandedCost, len(q.Lines), true
			}
		}
		return best, lines, ok
	}
	ca, la, okA := costAt(c[0].flow, c[1].flow)
	cb, lb, okB := costAt(c[2].flow, c[3].flow)
	if !okA || !okB {
		return
	}
	res := ca.Sub(cb).Abs()
	if res.GreaterThan(decimal.New(int64(la+lb), -e.places)) {
		return
	}
	bp.Method, bp.At, bp.Residual = MethodSolved, sw.Format(x), res
}
