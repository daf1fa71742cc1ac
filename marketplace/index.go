package marketplace

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/pricing/priceindex"
	"corridor/tariff"
)

// Index series: the market's own accepted orders and posted offers, or the demo market's
// (the seeded, illustrative history and orders and offers of the demo market). The two are
// never mixed: every cell belongs to one series, and the API and pages say which.
const (
	IndexReal = "real"
	IndexDemo = "demo"
)

// Index kinds: a cell of accepted orders or of active offers.
const (
	IndexTransaction = "transaction"
	IndexPosted      = "posted"
)

// postedRefresh is how long a snapshot of the current week's posted cell is served before it
// is computed again from the active offers.
const postedRefresh = 10 * time.Minute

// maxIndexWeeks bounds the range of an index query: five years of weeks.
const maxIndexWeeks = 261

// IndexEntry is one order's contribution to the transaction index: its series, class, origin
// bloc and week (of acceptance), and what it adds to the cell. The store records it beside the
// order, marked an outlier or not by the screen at acceptance, so that a cancellation takes
// out exactly what the acceptance put in.
type IndexEntry struct {
	OrderID string
	Series  string
	Class   string
	Bloc    Bloc
	Week    time.Time // a Monday, 00:00 UTC
	Obs     priceindex.Observation
}

// IndexCell is one stored weekly cell of one series, kind, class and bloc.
type IndexCell struct {
	Series, Kind, Class string
	Bloc                Bloc
	Week                time.Time
	Sums                priceindex.Sums
	Median              decimal.Decimal // posted cells: the median ask per GPU-hour
	RefreshedAt         time.Time       // posted cells: when the snapshot was taken
}

// IndexCellQuery selects cells of one series, kind and class, in blocs (all when empty) and
// weeks [From, To] (Mondays).
type IndexCellQuery struct {
	Series, Kind, Class string
	Blocs               []Bloc
	From, To            time.Time
}

// IndexStore keeps the index's weekly cells. Accepting a quote adds its IndexEntry
// (Acceptance.Index) to its cell and cancelling the order removes it, each in the
// transaction that changes the order.
type IndexStore interface {
	// IndexCells reads the cells matching q, by week.
	IndexCells(ctx context.Context, q IndexCellQuery) ([]IndexCell, error)
	// PutIndexCell stores a posted cell, replacing the snapshot of its week.
	PutIndexCell(ctx context.Context, c IndexCell) error
	// SeedIndexHistory adds entries (a demo history, all of one series) through the screen
	// and posted cells, unless entries of that series exist; it returns how many entries it
	// added.
	SeedIndexHistory(ctx context.Context, entries []IndexEntry, posted []IndexCell) (int, error)
}

// indexEntry is the contribution of accepted quote q to the transaction index at now, or nil
// when it has none: hardware (no GPU-hours), or a net price that cannot be put in EUR (no rate
// in the quote's snapshot nor in the rates of its pricing date).
func (s *Service) indexEntry(ctx context.Context, q Quote, now time.Time) *IndexEntry {
	o := q.Inputs.Offer
	if o.Product == tariff.ProductHardware || !q.Priced.Quantity.IsPositive() {
		return nil
	}
	value, err := q.Priced.Snapshot.Convert(q.Priced.Subtotal, q.Priced.Currency, priceindex.Currency)
	if err != nil {
		fx, _, ferr := s.FXOn(ctx, q.Request.AsOf)
		if ferr != nil {
			return nil
		}
		if value, err = fx.Convert(q.Priced.Subtotal, q.Priced.Currency, priceindex.Currency); err != nil {
			return nil
		}
	}
	series := IndexReal
	if o.Provenance.Confidence == string(ConfidenceIllustrative) { // an offer of the demo market
		series = IndexDemo
	}
	e := IndexEntry{Series: series, Class: priceindex.ClassOf(o.Accelerator.Model), Bloc: Bloc(o.Bloc), Week: priceindex.WeekOf(now),
		Obs: priceindex.NewObservation(value, q.Priced.Quantity, o.BF16TFLOPS)}
	if !e.Obs.Valid() || !e.Bloc.Valid() {
		return nil
	}
	return &e
}

// ReferenceBuyer is a buyer the landed index prices for.
type ReferenceBuyer struct {
	Code  string // the API's buyer parameter, e.g. "DE:business"
	Buyer Buyer
}

// ReferenceBuyers are the buyers of the landed index: a German business with a VAT number
// (valid in format; it recovers German VAT), a German consumer and a Chinese business.
var ReferenceBuyers = []ReferenceBuyer{
	{Code: "DE:business", Buyer: Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}},
	{Code: "DE:consumer", Buyer: Buyer{Country: "DE", Type: "consumer"}},
	{Code: "CN:business", Buyer: Buyer{Country: "CN", Type: "business"}},
}

// RepresentativeRegions are the regions the landed index prices each bloc's representative
// from: a western East Data West Compute hub, an EU AI Factory and a European antenna
// outside the Union.
var RepresentativeRegions = map[Bloc]string{BlocCN: "cn-ningxia-zhongwei", BlocEU: "eu-fi-kajaani", BlocNonEU: "eu-ch-antenna"}

// Representative request of the landed index: 8 GPUs for 100 hours (800 GPU-hours).
const (
	representativeGPUs  = 8
	representativeHours = 100
)

// IndexQuery asks for the index of one class: in one origin bloc (all blocs when empty, the
// strata then chained together), for a reference buyer (landed index; "" = DE:business),
// from a series ("" = real), over the weeks of [From, To] (zero To, or one after this week:
// this week; zero From: 25 weeks before To).
type IndexQuery struct {
	Class, Bloc, Buyer, Series string
	From, To                   time.Time
}

// IndexResult is the index of one class: the transaction, posted and landed series, one point
// per week each.
type IndexResult struct {
	Series      string
	Class       priceindex.Class
	Bloc        Bloc // "" = all blocs
	Buyer       ReferenceBuyer
	From, To    time.Time // Mondays
	Transaction []priceindex.Point
	Posted      []priceindex.Point
	Landed      []priceindex.Point
	// LandedNote says why the landed series is empty when it is (all blocs, no policy).
	LandedNote string
}

// Index answers an index query from the stored cells: the transaction index of the class's
// accepted orders, the posted index (the current week's snapshot is refreshed from the active
// offers when older than postedRefresh) and the landed index for the reference buyer.
// Invalid parameters are CodeInvalid naming the field.
func (s *Service) Index(ctx context.Context, q IndexQuery) (IndexResult, error) {
	now := s.now()
	var errs []FieldError
	class, ok := priceindex.LookupClass(q.Class)
	if !ok {
		errs = append(errs, FieldError{Field: "class", Message: "must be one of " + strings.Join(priceindex.ClassCodes(), ", ") + ", not " + quoteField(q.Class)})
	}
	var blocs []Bloc
	if q.Bloc != "" {
		if b := Bloc(q.Bloc); b.Valid() {
			blocs = []Bloc{b}
		} else {
			errs = append(errs, FieldError{Field: "bloc", Message: "must be " + blocNames() + " (or left out for all), not " + quoteField(q.Bloc)})
		}
	}
	if q.Buyer == "" {
		q.Buyer = ReferenceBuyers[0].Code
	}
	var buyer ReferenceBuyer
	for _, b := range ReferenceBuyers {
		if b.Code == q.Buyer {
			buyer = b
		}
	}
	if buyer.Code == "" {
		errs = append(errs, FieldError{Field: "buyer", Message: "must be DE:business, DE:consumer or CN:business, not " + quoteField(q.Buyer)})
	}
	if q.Series == "" {
		q.Series = IndexReal
	}
	if q.Series != IndexReal && q.Series != IndexDemo {
		errs = append(errs, FieldError{Field: "series", Message: "must be real or demo, not " + quoteField(q.Series)})
	}
	to := priceindex.WeekOf(now)
	if !q.To.IsZero() && q.To.Before(to) { // a later week has no data yet: the range ends this week
		to = priceindex.WeekOf(q.To)
	}
	from := to.AddDate(0, 0, -7*25)
	if !q.From.IsZero() {
		from = priceindex.WeekOf(q.From)
	}
	switch {
	case to.Before(from):
		errs = append(errs, FieldError{Field: "to", Message: "must not be before from"})
	case to.Sub(from) > time.Duration(maxIndexWeeks-1)*7*24*time.Hour:
		errs = append(errs, FieldError{Field: "from", Message: fmt.Sprintf("the range may span at most %d weeks", maxIndexWeeks)})
	}
	if len(errs) > 0 {
		return IndexResult{}, Invalid("invalid index query", errs...)
	}
	r := IndexResult{Series: q.Series, Class: class, Bloc: Bloc(q.Bloc), Buyer: buyer, From: from, To: to}

	cells, err := s.store.IndexCells(ctx, IndexCellQuery{Series: q.Series, Kind: IndexTransaction, Class: class.Code, Blocs: blocs, From: from, To: to})
	if err != nil {
		return IndexResult{}, err
	}
	tx := toIndexCells(cells)
	r.Transaction = priceindex.Series(tx, from, to)

	if !to.Before(priceindex.WeekOf(now)) {
		for _, b := range blocsOr(blocs) {
			if _, err := s.refreshPosted(ctx, q.Series, class, b, now); err != nil {
				return IndexResult{}, err
			}
		}
	}
	posted, err := s.store.IndexCells(ctx, IndexCellQuery{Series: q.Series, Kind: IndexPosted, Class: class.Code, Blocs: blocs, From: from, To: to})
	if err != nil {
		return IndexResult{}, err
	}
	r.Posted = priceindex.Series(toIndexCells(posted), from, to)

	if len(blocs) != 1 {
		r.LandedNote = "the landed index is priced per origin bloc: choose one"
		return r, nil
	}
	landed, note, err := s.landed(ctx, tx, class, blocs[0], buyer, now)
	if err != nil {
		return IndexResult{}, err
	}
	if r.LandedNote = note; note == "" {
		r.Landed = priceindex.Series(landed, from, to)
	}
	return r, nil
}

func blocsOr(blocs []Bloc) []Bloc {
	if len(blocs) > 0 {
		return blocs
	}
	return Blocs
}

func toIndexCells(cells []IndexCell) []priceindex.Cell {
	out := make([]priceindex.Cell, len(cells))
	for i, c := range cells {
		out[i] = priceindex.Cell{Week: c.Week, Stratum: string(c.Bloc), Sums: c.Sums, Median: c.Median}
	}
	return out
}

// landed prices, for each published week of the transaction cells tx (one bloc), the cell's
// representative — representativeGPUs × representativeHours of the class's first model at the
// cell's mean price per GPU-hour, offered in EUR from the bloc's representative region by a
// supplier established there — for buyer with the baseline policy in force at the end of the
// week (now for the current week), through the quote pipeline (pricing.Price). The week's
// landed cell is the transaction cell with its value multiplied by the representative's
// landed cost ÷ net price: what the same compute cost that buyer after the border. A note
// says why there is no landed series, when there is none.
func (s *Service) landed(ctx context.Context, tx []priceindex.Cell, class priceindex.Class, bloc Bloc, buyer ReferenceBuyer, now time.Time) ([]priceindex.Cell, string, error) {
	oc, ok, err := s.representative(ctx, class, bloc)
	if err != nil || !ok {
		return nil, "no representative accelerator or region is stored for this class and bloc", err
	}
	buyerType, notices := businessEvidence(buyer.Buyer)
	fx, err := s.fxTable(ctx, tx, now)
	if err != nil {
		return nil, "", err
	}
	var out []priceindex.Cell
	noPolicy := false
	for _, c := range tx {
		if !c.Sums.Published() {
			continue
		}
		mean := c.Sums.PerGPUHour()
		at := c.Week.AddDate(0, 0, 7).Add(-time.Second)
		if at.After(now) {
			at = now
		}
		asOf := at.Truncate(24 * time.Hour)
		policy, err := s.ResolvePolicy(ctx, "", at)
		if ErrorCode(err) == CodeUnquotable {
			noPolicy = true // no baseline in force at the end of that week: no landed point
			continue
		}
		if err != nil {
			return nil, "", err
		}
		snap, _ := fx.On(asOf)
		offer := oc
		offer.Offer.Price = mean
		in := pricing.Inputs{
			Offer: offer.Terms(),
			Request: pricing.Request{GPUs: representativeGPUs, Hours: representativeHours, BuyerCountry: buyer.Buyer.Country,
				BuyerType: buyerType, Currency: priceindex.Currency, AsOf: asOf},
			Policy: policy.Policy, Baseline: policy.Baseline, FX: snap, Now: at, Notices: notices,
		}
		pq, err := pricing.Price(in)
		if err != nil || !pq.Subtotal.IsPositive() {
			continue // a representative the policy refuses (a gate) has no landed price that week
		}
		c.Sums.Value = c.Sums.Value.Mul(pq.LandedCost).DivRound(pq.Subtotal, 16)
		c.Sums.PFLOPValue = c.Sums.PFLOPValue.Mul(pq.LandedCost).DivRound(pq.Subtotal, 16)
		c.Median = decimal.Zero
		out = append(out, c)
	}
	if len(out) == 0 && noPolicy {
		return nil, "no baseline policy was in force in these weeks: the landed index needs one", nil
	}
	return out, "", nil
}

// fxTable reads, in two queries, the reference rates the weeks of cells need: from a
// lookback before the latest publication on or before the first week, to the end of the last
// week (or now). Each week then takes the rates in force at its end from the table, as FXOn
// would one week at a time.
func (s *Service) fxTable(ctx context.Context, cells []priceindex.Cell, now time.Time) (*pricing.RateTable, error) {
	if len(cells) == 0 {
		return pricing.NewRateTable(), nil
	}
	first, last := cells[0].Week, cells[0].Week
	for _, c := range cells {
		if c.Week.Before(first) {
			first = c.Week
		}
		if c.Week.After(last) {
			last = c.Week
		}
	}
	end := last.AddDate(0, 0, 7)
	if end.After(now) {
		end = now
	}
	from := first.AddDate(0, 0, 7).Add(-fxLookback)
	latest, ok, err := s.store.LatestFXDay(ctx, first.AddDate(0, 0, 7).Add(-time.Second))
	if err != nil {
		return nil, err
	}
	if ok && latest.Add(-fxLookback).Before(from) {
		from = latest.Add(-fxLookback)
	}
	rates, err := s.store.FXRatesBetween(ctx, from, end)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rates, func(i, j int) bool { // as FXOn: the ECB's rate wins a day
		return rates[i].Source != pricing.SourceECB && rates[j].Source == pricing.SourceECB
	})
	return pricing.NewRateTable(rates...), nil
}

// representative is the synthetic offer the landed index prices for class and bloc: the
// class's first model (ok false when it is not in the catalogue) in the bloc's
// representative region, from a supplier established in its country.
func (s *Service) representative(ctx context.Context, class priceindex.Class, bloc Bloc) (OfferContext, bool, error) {
	if len(class.Models) == 0 {
		return OfferContext{}, false, nil
	}
	accs, err := s.store.Accelerators(ctx)
	if err != nil {
		return OfferContext{}, false, err
	}
	var acc Accelerator
	for _, a := range accs {
		if a.Model == class.Models[0] {
			acc = a
		}
	}
	regions, err := s.store.Regions(ctx, RegionFilter{Bloc: bloc})
	if err != nil {
		return OfferContext{}, false, err
	}
	var reg Region
	for _, r := range regions {
		if r.Code == RepresentativeRegions[bloc] {
			reg = r
		}
	}
	if acc.Model == "" || reg.Code == "" {
		return OfferContext{}, false, nil
	}
	o := Offer{ID: "index-representative", Region: reg.Code, Accelerator: acc.Model, Product: string(tariff.ProductGPUHours),
		GPUs: representativeGPUs, Currency: priceindex.Currency, Pricing: string(pricing.PricingOnDemand), Status: OfferActive,
		AvailableUntil: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}
	oc := OfferContext{Offer: o, Region: reg, Accelerator: acc, Supplier: Supplier{ID: "index", Country: reg.Country}}
	return oc, true, nil
}

// refreshPosted returns the current week's posted cell of series, class and bloc, computed
// again from the active offers (and stored) when the stored snapshot is older than
// postedRefresh. Each active offer of the class in the bloc (demo market offers for the demo
// series, the others for the real one; hardware left out) is one observation: its price per
// GPU-hour in EUR at today's reference rates, weighted by the GPUs it posts. An offer whose
// currency has no rate is left out.
func (s *Service) refreshPosted(ctx context.Context, series string, class priceindex.Class, bloc Bloc, now time.Time) (IndexCell, error) {
	week := priceindex.WeekOf(now)
	cells, err := s.store.IndexCells(ctx, IndexCellQuery{Series: series, Kind: IndexPosted, Class: class.Code, Blocs: []Bloc{bloc}, From: week, To: week})
	if err != nil {
		return IndexCell{}, err
	}
	if len(cells) == 1 && now.Sub(cells[0].RefreshedAt) < postedRefresh {
		return cells[0], nil
	}
	products := []string{string(tariff.ProductGPUHours), string(tariff.ProductBareMetal)}
	var offers []OfferContext
	if class.Code == priceindex.ClassOther {
		all, err := s.store.ActiveOfferContexts(ctx, OfferContextFilter{Products: products, Bloc: bloc})
		if err != nil {
			return IndexCell{}, err
		}
		for _, oc := range all {
			if !priceindex.Named(oc.Offer.Accelerator) {
				offers = append(offers, oc)
			}
		}
	} else {
		for _, m := range class.Models {
			some, err := s.store.ActiveOfferContexts(ctx, OfferContextFilter{Products: products, Accelerator: m, Bloc: bloc})
			if err != nil {
				return IndexCell{}, err
			}
			offers = append(offers, some...)
		}
	}
	fx, _, err := s.FXOn(ctx, now)
	if err != nil && ErrorCode(err) != CodeNotFound {
		return IndexCell{}, err
	}
	c := IndexCell{Series: series, Kind: IndexPosted, Class: class.Code, Bloc: bloc, Week: week, RefreshedAt: now}
	var asks []decimal.Decimal
	for _, oc := range offers {
		if oc.Offer.Demo != (series == IndexDemo) || oc.Offer.GPUs <= 0 {
			continue
		}
		eur, err := fx.Convert(oc.Offer.Price, oc.Offer.Currency, priceindex.Currency)
		if err != nil {
			continue
		}
		gpus := decimal.NewFromInt(int64(oc.Offer.GPUs))
		c.Sums = c.Sums.Add(priceindex.NewObservation(eur.Mul(gpus), gpus, oc.Accelerator.BF16TFLOPS), false)
		asks = append(asks, eur)
	}
	c.Median = priceindex.Median(asks)
	return c, s.store.PutIndexCell(ctx, c)
}

// OfferIndexLine compares an offer's ask with the posted index of its class and bloc this
// week.
type OfferIndexLine struct {
	Class        priceindex.Class
	Bloc         Bloc
	Series       string
	Week         time.Time
	OfferPerHour decimal.Decimal // the offer's price per GPU-hour in EUR, four decimals
	IndexPerHour decimal.Decimal // the posted index: the volume-weighted ask of the cell
	Sample       int
	Percent      decimal.Decimal // (offer − index) ÷ index, whole percent: −12 is 12% below
}

// OfferIndex returns the comparison of oc's offer with this week's posted index of its class
// and bloc (its series: demo for a demo offer); ok is false for hardware, for a cell below
// the minimum sample, or when the price cannot be put in EUR.
func (s *Service) OfferIndex(ctx context.Context, oc OfferContext) (OfferIndexLine, bool, error) {
	if oc.Offer.Product == string(tariff.ProductHardware) {
		return OfferIndexLine{}, false, nil
	}
	now := s.now()
	class, _ := priceindex.LookupClass(priceindex.ClassOf(oc.Offer.Accelerator))
	series := IndexReal
	if oc.Offer.Demo {
		series = IndexDemo
	}
	c, err := s.refreshPosted(ctx, series, class, oc.Region.Bloc, now)
	if err != nil || !c.Sums.Published() {
		return OfferIndexLine{}, false, err
	}
	fx, _, err := s.FXOn(ctx, now)
	if err != nil && ErrorCode(err) != CodeNotFound {
		return OfferIndexLine{}, false, err
	}
	eur, err := fx.Convert(oc.Offer.Price, oc.Offer.Currency, priceindex.Currency)
	if err != nil {
		return OfferIndexLine{}, false, nil
	}
	eur = pricing.UnitPrice(eur, decimal.NewFromInt(1), priceindex.Currency, pricing.HalfUp)
	idx := c.Sums.PerGPUHour()
	return OfferIndexLine{Class: class, Bloc: oc.Region.Bloc, Series: series, Week: c.Week, OfferPerHour: eur, IndexPerHour: idx,
		Sample: c.Sums.Count, Percent: priceindex.Ratio(eur, idx)}, true, nil
}
