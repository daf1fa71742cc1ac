package whatif

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Work items. A worker takes flowBlock flows to price under every scenario as written, or
// sweepBlock flows to price under one point of the sweep.
const (
	flowBlock  = 16
	sweepBlock = 256
)

// variant is one policy state a flow is priced under: a scenario as written, or a swept
// scenario at one point of the sweep. Its policy and FX snapshot are derived once per study:
// the scenarios' when the study starts, a sweep point's when the first worker reaches it. A
// sweep point's are released when its last flow is priced, so that only the points in
// progress hold a compiled policy (with the tariff engine's memo) at any time.
type variant struct {
	scen  int             // index into evaluator.scens (0 is the baseline)
	point int             // -1 for the scenario as written
	value string          // the sweep value as written ("" as written)
	num   decimal.Decimal // the sweep value

	once   sync.Once
	err    error
	policy *tariff.Policy
	fx     pricing.Snapshot
	quota  quotaInput
	left   atomic.Int64 // sweep: work items not yet priced
}

// flowInfo is a flow prepared for pricing, with the indices of the groups it counts in.
type flowInfo struct {
	*Flow
	req                               pricing.Request
	qty                               decimal.Decimal // GPU-hours, or units for hardware
	need, pair, country, origin, bloc int
}

// evaluator holds one evaluation's fixed inputs; workers share it read-only, except results,
// whose elements each belong to one flow.
type evaluator struct {
	study    *Study
	scens    []Scenario
	places   int32
	mode     pricing.RoundingMode
	asOf     time.Time
	variants []*variant
	written  int // variants[:written] are the scenarios as written (variant index = scenario index)
	sweep    Sweep
	swept    []int // the scenarios the sweep varies
	points   int

	flows     []flowInfo
	needs     []string
	needPairs [][]int // per need, its pairs in order of first appearance
	pairs     []pairKey
	countries []string
	origins   []string
	blocs     []string

	results []FlowResult // flow-major: results[i*written+v]
	derived atomic.Int64 // sweep policies and snapshots derived (each point once, and each solved value checked)

	// reuse[k*len(flows)+i] is flow i's quote under the k-th swept scenario as written, kept
	// when the sweep provably cannot change it (see unchanged); nil when every quote is priced.
	reuse []reused
}

// reused is what a flow's quote contributes to the aggregates, kept to be added at every point
// of the sweep instead of pricing the same quote again.
type reused struct {
	same   bool // the sweep cannot change the quote
	err    error
	landed decimal.Decimal
	lines  []pricing.Line
}

// pairKey is a need and an origin: the series of a sweep has one line per pair.
type pairKey struct {
	need   int
	origin int
}

// Evaluate prices every flow of the study under the baseline and every scenario as written,
// and, with a sweep, under every swept scenario at every point of the sweep; it streams the
// quotes into per-flow results (scenarios as written only) and aggregates, holding no quote
// beyond the flow being priced. The work is spread over Options.Workers goroutines; the
// result does not depend on how many, nor on their scheduling. Evaluate returns a
// *StudyError for inputs it cannot evaluate and ctx's error when cancelled.
func Evaluate(ctx context.Context, s *Study, opt Options) (*Result, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	e, err := newEvaluator(s)
	if err != nil {
		return nil, err
	}
	total := int64(len(e.flows)) * int64(len(e.variants)) // within MaxEvaluations (addSweep)
	if opt.Progress != nil {
		opt.Progress.total.Store(total)
	}
	parts, err := e.run(ctx, opt)
	if err != nil {
		return nil, err
	}
	return e.result(parts, total)
}

func newEvaluator(s *Study) (*evaluator, error) {
	places, _ := pricing.MinorUnits(s.Currency)
	y, m, d := s.AsOf.UTC().Date() // the calendar day pricing uses
	e := &evaluator{study: s, scens: s.allScenarios(), places: int32(places), mode: s.Rounding,
		asOf: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	if e.mode == "" {
		e.mode = pricing.HalfUp
	}
	for i, sc := range e.scens {
		fx, err := shocked(s.FX, sc.FXShocks, "", decimal.Zero)
		if err != nil {
			return nil, studyErr(scenarioField(i)+".fx_shocks", "%v", err)
		}
		v := &variant{scen: i, point: -1}
		v.once.Do(func() { v.policy, v.fx, v.quota = sc.Policy, fx, e.ledger(sc.Policy) })
		e.variants = append(e.variants, v)
	}
	e.written = len(e.variants)
	if s.Sweep != nil {
		if err := e.addSweep(*s.Sweep); err != nil {
			return nil, err
		}
	}
	e.index()
	return e, nil
}

func scenarioField(i int) string {
	if i == 0 {
		return "baseline"
	}
	return fmt.Sprintf("scenarios[%d]", i-1)
}

// shocked returns the snapshot moved by a scenario's shocks, with cur's shock replaced by
// change when cur is set (an FX sweep point replaces the scenario's own shock of it).
func shocked(fx pricing.Snapshot, shocks map[string]decimal.Decimal, cur string, change decimal.Decimal) (pricing.Snapshot, error) {
	if len(shocks) == 0 && cur == "" {
		return pricing.NewSnapshot(fx.Date, fx.Rates), nil // a cross-rate cache of its own
	}
	m := maps.Clone(shocks)
	if m == nil {
		m = map[string]decimal.Decimal{}
	}
	if cur != "" {
		m[cur] = change
	}
	return fx.Shock(m)
}

// addSweep decides which scenarios the sweep varies — every scenario other than the baseline
// that has the measure (all of them for an FX sweep); the baseline itself only when the study
// has no other scenario; the baseline as written stays the reference — and adds a variant per
// point of each. A point's policy and FX are derived when a worker first reaches it (prepare),
// except the first point's, derived at once so that a measure or field the sweep cannot set
// is an input error found before anything is priced.
func (e *evaluator) addSweep(sw Sweep) error {
	e.sweep, e.points = sw, sw.Points()
	if e.points < 1 || e.points > MaxSweepPoints {
		return studyErr("sweep", "%d points; a sweep has 1 to %d", e.points, MaxSweepPoints)
	}
	candidates := []int{0}
	if len(e.scens) > 1 {
		candidates = candidates[:0]
		for i := 1; i < len(e.scens); i++ {
			candidates = append(candidates, i)
		}
	}
	if sw.Currency != "" {
		if _, ok := e.study.FX.Rate(sw.Currency); !ok {
			return studyErr("sweep", "no %s rate on %s to shock", sw.Currency, e.study.FX.Date.Format(time.DateOnly))
		}
		e.swept = candidates
	} else {
		var ids []string
		for _, i := range candidates {
			if p := e.scens[i].Policy; p != nil {
				for j := range p.Measures {
					ids = append(ids, p.Measures[j].ID)
					if p.Measures[j].ID == sw.Measure && (len(e.swept) == 0 || e.swept[len(e.swept)-1] != i) {
						e.swept = append(e.swept, i)
					}
				}
			}
		}
		if len(e.swept) == 0 {
			hint := ""
			if best := closest(sw.Measure, ids); best != "" {
				hint = " (did you mean " + strconv.Quote(best) + "?)"
			}
			which := "the scenarios"
			if len(e.scens) == 1 {
				which = "the baseline"
			}
			return studyErr("sweep", "no measure %q in %s%s", sw.Measure, which, hint)
		}
	}
	if n := int64(len(e.study.Flows)) * int64(e.written+len(e.swept)*e.points); n > MaxEvaluations {
		return studyErr("sweep", "%d flows × %d scenario states is %d quotes; at most %d", len(e.study.Flows), e.written+len(e.swept)*e.points, n, int64(MaxEvaluations))
	}
	for _, i := range e.swept {
		for p := range e.points {
			v := &variant{scen: i, point: p, num: sw.Value(p)}
			v.value = sw.Format(v.num)
			e.variants = append(e.variants, v)
		}
		if err := e.prepare(e.variants[len(e.variants)-e.points]); err != nil {
			return err
		}
	}
	return nil
}

// prepare derives a sweep variant's policy and FX snapshot, once.
func (e *evaluator) prepare(v *variant) error {
	v.once.Do(func() {
		v.policy, v.fx, v.quota, v.err = e.derive(v.scen, v.num)
	})
	return v.err
}

// derive returns scenario i's policy, FX and quota balances with the swept parameter at value.
func (e *evaluator) derive(i int, value decimal.Decimal) (*tariff.Policy, pricing.Snapshot, quotaInput, error) {
	e.derived.Add(1)
	sw, sc := e.sweep, &e.scens[i]
	policy := sc.Policy
	var fx pricing.Snapshot
	var err error
	if sw.Currency != "" {
		fx, err = shocked(e.study.FX, sc.FXShocks, sw.Currency, value)
	} else {
		fx, err = shocked(e.study.FX, sc.FXShocks, "", decimal.Zero)
		if err == nil {
			policy, err = sc.Policy.WithMeasureField(sw.Measure, sw.Field, sw.Format(value))
		}
	}
	if err != nil {
		return nil, pricing.Snapshot{}, nil, studyErr("sweep", "%s at %s in scenario %s: %v", sw.Target(), sw.Format(value), sc.ID, err)
	}
	return policy, fx, e.ledger(policy), nil
}

// release drops a sweep variant's derived policy once every flow is priced under it.
func (v *variant) release() {
	v.policy, v.fx, v.quota = nil, pricing.Snapshot{}, nil
}

// index prepares the flows and numbers the groups they count in, in order of first appearance.
func (e *evaluator) index() {
	s := e.study
	e.flows = make([]flowInfo, len(s.Flows))
	needs, pairs, countries, origins, blocs := map[string]int{}, map[pairKey]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	intern := func(m map[string]int, list *[]string, k string) int {
		i, ok := m[k]
		if !ok {
			i = len(*list)
			m[k] = i
			*list = append(*list, k)
		}
		return i
	}
	for i := range s.Flows {
		f := &s.Flows[i]
		fi := flowInfo{Flow: f, req: f.Request}
		fi.req.Currency, fi.req.AsOf = s.Currency, e.asOf
		hardware := f.Offer.Product == tariff.ProductHardware
		if hardware {
			fi.qty = decimal.NewFromInt(int64(f.Request.Units))
		} else {
			fi.qty = decimal.NewFromInt(int64(f.Request.GPUs) * int64(f.Request.Hours))
		}
		need := f.Need
		if need == "" {
			need = needKey(f.Request.BuyerCountry, f.Request.BuyerType, f.Request.BuyerRegion, f.Offer.Accelerator.Model, f.Offer.Product, fi.qty.IntPart())
		}
		fi.need = intern(needs, &e.needs, need)
		fi.origin = intern(origins, &e.origins, originOf(f))
		fi.bloc = intern(blocs, &e.blocs, blocOf(f))
		fi.country = intern(countries, &e.countries, f.Request.BuyerCountry)
		pk := pairKey{fi.need, fi.origin}
		p, ok := pairs[pk]
		if !ok {
			p = len(e.pairs)
			pairs[pk] = p
			e.pairs = append(e.pairs, pk)
			for len(e.needPairs) <= fi.need {
				e.needPairs = append(e.needPairs, nil)
			}
			e.needPairs[fi.need] = append(e.needPairs[fi.need], p)
		}
		fi.pair = p
		e.flows[i] = fi
	}
	e.results = make([]FlowResult, len(e.flows)*e.written)
}

func originOf(f *Flow) string {
	switch {
	case f.Origin != "":
		return f.Origin
	case f.Offer.Region != "":
		return f.Offer.Region
	}
	return f.Offer.Origin
}

func blocOf(f *Flow) string {
	if f.Bloc != "" {
		return f.Bloc
	}
	return f.Offer.Bloc
}

// part is one worker's aggregates, merged when all flows are priced. Sums are exact, minima
// break ties by flow index: the merge gives the same totals whichever worker priced what.
type part struct {
	country, origin, bloc []group // [variant × key]
	revenue               map[revKey]*revAcc
	cells                 []cell // [variant × pair]
	trade                 map[tradeKey]*tradeAcc
	done                  int64 // evaluations since the last progress report
	quoted                int64 // quotes priced
}

// group is the landed cost of the flows of one group under one variant.
type group struct {
	landed   amount
	priced   int
	unpriced int
}

type revKey struct {
	v            int
	jurisdiction string
	kind         string
}

type revAcc struct{ collected, recovered amount }

func (e *evaluator) newPart() *part {
	nv := len(e.variants)
	p := &part{
		country: make([]group, nv*len(e.countries)),
		origin:  make([]group, nv*len(e.origins)),
		bloc:    make([]group, nv*len(e.blocs)),
		revenue: map[revKey]*revAcc{},
		cells:   make([]cell, nv*len(e.pairs)),
		trade:   map[tradeKey]*tradeAcc{},
	}
	for i := range p.cells {
		p.cells[i].flow = -1
	}
	return p
}

// run prices every flow under every variant on the workers and returns their parts: first
// every flow under every scenario as written (flow by flow, so that each flow's baseline
// quote is at hand for its differences), then, point after point of the sweep, blocks of
// flows at that point. Within each phase workers take items in order from a shared counter.
func (e *evaluator) run(ctx context.Context, opt Options) ([]*part, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	n := len(e.flows)
	parts := make([]*part, max(1, workers))
	for w := range parts {
		parts[w] = e.newPart()
	}
	if len(e.variants) > e.written && !opt.PriceAll {
		e.reuse = make([]reused, len(e.swept)*n)
	}
	written := (n + flowBlock - 1) / flowBlock
	err := e.items(ctx, parts, written, opt.Progress, func(it int, p *part) error {
		for i := it * flowBlock; i < min((it+1)*flowBlock, n); i++ {
			e.priceFlow(i, p)
		}
		return nil
	})
	if err != nil || len(e.variants) == e.written {
		return parts, err
	}
	perPoint := (n + sweepBlock - 1) / sweepBlock
	for _, v := range e.variants[e.written:] {
		v.left.Store(int64(perPoint))
	}
	err = e.items(ctx, parts, (len(e.variants)-e.written)*perPoint, opt.Progress, func(it int, p *part) error {
		v := e.written + it/perPoint
		va := e.variants[v]
		if err := e.prepare(va); err != nil {
			return err
		}
		lo := it % perPoint * sweepBlock
		e.pricePoint(v, va, lo, min(lo+sweepBlock, n), p)
		if va.left.Add(-1) == 0 {
			va.release()
		}
		return nil
	})
	return parts, err
}

// items runs do for items 0..n-1 on one goroutine per part, each taking the next item from a
// shared counter, until all are done, one fails or ctx is cancelled.
func (e *evaluator) items(ctx context.Context, parts []*part, n int, progress *Progress, do func(it int, p *part) error) error {
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for _, p := range parts[:max(1, min(len(parts), n))] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && failed.Load() == nil {
				it := int(next.Add(1)) - 1
				if it >= n {
					return
				}
				if err := do(it, p); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				if progress != nil {
					progress.done.Add(p.done)
					p.done = 0
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := failed.Load(); err != nil {
		return *err
	}
	return nil
}

// priceFlow prices flow i under every scenario as written into p, and keeps its results.
func (e *evaluator) priceFlow(i int, p *part) {
	f := &e.flows[i]
	in := pricing.Inputs{Offer: f.Offer, Request: f.req, Rounding: e.mode, Now: e.asOf}
	var base pricing.Quote
	var baseErr error
	for v := range e.written {
		va := e.variants[v]
		in.Policy, in.FX, in.Quota = va.policy, va.fx, va.quota
		q, err := pricing.Price(in)
		p.done++
		p.quoted++
		if v == 0 {
			base, baseErr = q, err
		}
		e.record(i, v, &q, err, &base, baseErr)
		if v > 0 {
			e.trade(p, v, f, &base, baseErr, &q, err)
		}
		e.aggregate(p, v, f, int32(i), q.LandedCost, q.Lines, err)
		if e.reuse != nil {
			for k, sc := range e.swept {
				if sc == v && e.unchanged(sc, &q, err) {
					e.reuse[k*len(e.flows)+i] = reused{same: true, err: err, landed: q.LandedCost, lines: q.Lines}
				}
			}
		}
	}
}

// unchanged reports whether no point of the sweep can change a flow's quote q (or its error)
// under scenario sc as written:
//   - a measure sweep, when the measure did not apply to the flow: the fields a sweep sets
//     (rates, shares, caps, quota volumes) decide amounts, never whether a measure matches or
//     wins its competition — except between customs duty alternatives, which are chosen by
//     amount and are therefore always priced;
//   - an FX sweep, when the quote converted nothing from or into the currency;
//   - a flow that cannot be priced for a reason the sweep does not touch (a gate blocks it,
//     the request does not fit the offer).
func (e *evaluator) unchanged(sc int, q *pricing.Quote, err error) bool {
	if err != nil {
		var nq *pricing.NoQuoteError
		if !errors.As(err, &nq) {
			return false
		}
		switch nq.Reason {
		case pricing.ReasonBlockedByGate, pricing.ReasonBelowMinHours, pricing.ReasonHoursOutOfWindow,
			pricing.ReasonNotEnoughCapacity, pricing.ReasonInvalidRequest, pricing.ReasonInvalidOffer, pricing.ReasonUnknownCurrency:
			return true
		}
		return false
	}
	if cur := e.sweep.Currency; cur != "" {
		for _, u := range q.FX {
			if u.From == cur || u.To == cur {
				return false
			}
		}
		return true
	}
	if p := e.scens[sc].Policy; p != nil {
		for i := range p.Measures {
			if p.Measures[i].ID == e.sweep.Measure && p.Measures[i].Kind == tariff.KindCustomsDuty {
				return false
			}
		}
	}
	for i := range q.Lines {
		if q.Lines[i].MeasureID == e.sweep.Measure {
			return false
		}
	}
	return true
}

// pricePoint prices flows lo..hi under sweep variant v into p.
func (e *evaluator) pricePoint(v int, va *variant, lo, hi int, p *part) {
	in := pricing.Inputs{Rounding: e.mode, Now: e.asOf, Policy: va.policy, FX: va.fx, Quota: va.quota}
	var reuse []reused
	if e.reuse != nil {
		k := (v - e.written) / e.points
		reuse = e.reuse[k*len(e.flows) : (k+1)*len(e.flows)]
	}
	for i := lo; i < hi; i++ {
		f := &e.flows[i]
		p.done++
		if reuse != nil && reuse[i].same {
			r := &reuse[i]
			e.aggregate(p, v, f, int32(i), r.landed, r.lines, r.err)
			continue
		}
		in.Offer, in.Request = f.Offer, f.req
		q, err := pricing.Price(in)
		p.quoted++
		e.aggregate(p, v, f, int32(i), q.LandedCost, q.Lines, err)
	}
}

// record keeps the per-flow result of flow i under scenario v as written.
func (e *evaluator) record(i, v int, q *pricing.Quote, err error, base *pricing.Quote, baseErr error) {
	f := &e.flows[i]
	r := &e.results[i*e.written+v]
	*r = FlowResult{Flow: i + 1, OfferID: f.ID, Need: e.needs[f.need], Origin: e.origins[f.origin], Bloc: e.blocs[f.bloc],
		BuyerCountry: f.Request.BuyerCountry, BuyerType: f.Request.BuyerType, Product: f.Offer.Product, Quantity: f.qty,
		Scenario: e.scens[v].ID}
	if err != nil {
		r.NoQuoteReason, r.NoQuoteMessage = noQuote(err)
		return
	}
	r.Priced = true
	r.Total, r.NetCost, r.LandedCost, r.PerGPUHour = q.Total, q.NetCost, q.LandedCost, q.PerGPUHour
	if baseErr != nil {
		return
	}
	r.Compared = true
	r.Diff = q.LandedCost.Sub(base.LandedCost)
	if pct, ok := pctOf(r.Diff, base.LandedCost); ok {
		r.DiffPct = decimal.NullDecimal{Decimal: pct, Valid: true}
	}
	if v > 0 {
		r.Changes = lineChanges(base.Lines, q.Lines)
	}
}

// noQuote returns the reason and message of a flow that could not be priced.
func noQuote(err error) (string, string) {
	var nq *pricing.NoQuoteError
	if errors.As(err, &nq) {
		return nq.Reason, nq.Message
	}
	return "error", err.Error()
}

// aggregate adds flow f's quote under variant v (its landed cost and lines, or the error
// that kept it from being priced) to the worker's aggregates.
func (e *evaluator) aggregate(p *part, v int, f *flowInfo, idx int32, landedCost decimal.Decimal, lines []pricing.Line, err error) {
	c := &p.country[v*len(e.countries)+f.country]
	o := &p.origin[v*len(e.origins)+f.origin]
	b := &p.bloc[v*len(e.blocs)+f.bloc]
	if err != nil {
		c.unpriced++
		o.unpriced++
		b.unpriced++
		return
	}
	landed := amountOf(landedCost, e.places)
	for _, g := range [...]*group{c, o, b} {
		g.priced++
		g.landed.merge(&landed, e.places)
	}
	p.cells[v*len(e.pairs)+f.pair].offer(&landed, idx, e.places)
	business := f.req.BuyerType == tariff.BuyerBusiness
	for k := range lines {
		l := &lines[k]
		if l.MeasureID == "" || l.Jurisdiction == "" || !(l.Payable || l.Included) {
			continue
		}
		key := revKey{v, l.Jurisdiction, l.Kind}
		r := p.revenue[key]
		if r == nil {
			r = &revAcc{}
			p.revenue[key] = r
		}
		r.collected.add(l.Amount, e.places)
		if l.Recoverable && business {
			r.recovered.add(l.Amount, e.places)
		}
	}
}

// merge adds the other parts into the first.
func (e *evaluator) merge(parts []*part) *part {
	t := parts[0]
	for _, p := range parts[1:] {
		for _, pair := range [...][2][]group{{t.country, p.country}, {t.origin, p.origin}, {t.bloc, p.bloc}} {
			for i := range pair[0] {
				a, b := &pair[0][i], &pair[1][i]
				a.landed.merge(&b.landed, e.places)
				a.priced += b.priced
				a.unpriced += b.unpriced
			}
		}
		for i := range t.cells {
			if c := &p.cells[i]; c.flow >= 0 {
				t.cells[i].offer(&c.cost, c.flow, e.places)
			}
		}
		for _, k := range slices.SortedFunc(maps.Keys(p.revenue), cmpRevKey) {
			r := p.revenue[k]
			if t.revenue[k] == nil {
				t.revenue[k] = &revAcc{}
			}
			t.revenue[k].collected.merge(&r.collected, e.places)
			t.revenue[k].recovered.merge(&r.recovered, e.places)
		}
		e.mergeTrade(t.trade, p.trade)
	}
	return t
}

func cmpRevKey(a, b revKey) int {
	return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.jurisdiction, b.jurisdiction), cmp.Compare(a.kind, b.kind))
}

// lineChanges lists what differs between a flow's baseline lines and its lines under a
// scenario. Lines are matched by kind, measure and quota part (in order of appearance, for
// repeated keys): a line only in the scenario was added, one only in the baseline removed; a
// matched line whose rate differs changed rate, one whose amount alone differs changed amount
// (its base moved: a currency shock, a levy in a VAT base).
func lineChanges(base, lines []pricing.Line) []LineChange {
	used := make([]bool, len(base))
	var out []LineChange
	for i := range lines {
		l := &lines[i]
		j := -1
		for k := range base {
			if !used[k] && base[k].Kind == l.Kind && base[k].MeasureID == l.MeasureID && base[k].Quota == l.Quota {
				j = k
				break
			}
		}
		if j < 0 {
			out = append(out, LineChange{Change: ChangeAdded, Kind: l.Kind, MeasureID: l.MeasureID, Jurisdiction: l.Jurisdiction,
				Quota: l.Quota, Rate: l.Rate, Amount: l.Amount, Diff: l.Amount})
			continue
		}
		used[j] = true
		b := &base[j]
		ch := LineChange{Kind: l.Kind, MeasureID: l.MeasureID, Jurisdiction: l.Jurisdiction, Quota: l.Quota,
			BaselineRate: b.Rate, Rate: l.Rate, BaselineAmount: b.Amount, Amount: l.Amount, Diff: l.Amount.Sub(b.Amount)}
		switch {
		case b.Rate != l.Rate:
			ch.Change = ChangeRate
		case !b.Amount.Equal(l.Amount):
			ch.Change = ChangeAmount
		default:
			continue
		}
		out = append(out, ch)
	}
	for k := range base {
		if !used[k] {
			b := &base[k]
			out = append(out, LineChange{Change: ChangeRemoved, Kind: b.Kind, MeasureID: b.MeasureID, Jurisdiction: b.Jurisdiction,
				Quota: b.Quota, BaselineRate: b.Rate, BaselineAmount: b.Amount, Diff: b.Amount.Neg()})
		}
	}
	return out
}
