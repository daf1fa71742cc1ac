package marketplace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace/search"
	"corridor/pricing"
	"corridor/pricing/whatif"
	"corridor/tariff"
)

// More limits of a study's basket.
const (
	// MaxStudyOrders is the most orders an orders basket may price.
	MaxStudyOrders = 100_000
	// MaxStudyNeedOffers is the most offers a need basket may price.
	MaxStudyNeedOffers = 100_000
)

// resolvedStudy is a study request resolved into everything the engine reads, with what it
// was pinned to.
type resolvedStudy struct {
	req         StudyRequest // normalised: its date and currency filled in
	study       whatif.Study
	pins        StudyPins
	evaluations int64
}

// studyFields collects a request's field errors.
type studyFields []FieldError

func (f *studyFields) add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// resolveStudy validates req once (every bad field named together) and resolves it: the
// baseline and scenario versions compiled once each, the FX snapshot and quota balances read
// once, the basket's offers read once. pinned, when set, replaces what the date would select
// (a re-run): the FX rates and quota balances recorded with the stored study.
func (s *Service) resolveStudy(ctx context.Context, req StudyRequest, pinned *StudyPins) (resolvedStudy, error) {
	now := s.now()
	var fs studyFields
	asOf, err := asOfDate(req.AsOf, now)
	if err != nil {
		if e, ok := AsError(err); ok {
			fs = append(fs, e.Fields...)
		} else {
			return resolvedStudy{}, err
		}
	}
	req.AsOf = asOf
	if req.Currency == "" {
		req.Currency = "EUR"
	}
	if !pricing.KnownCurrency(req.Currency) {
		fs.add("currency", "must be an ISO 4217 currency code such as EUR, CNY or USD, not %s", quoteField(req.Currency))
	}
	if len(req.Scenarios) > whatif.MaxScenarios {
		fs.add("scenarios", "%d scenarios; a study compares at most %d with the baseline", len(req.Scenarios), whatif.MaxScenarios)
	}
	for i, sc := range req.Scenarios {
		f := fmt.Sprintf("scenarios[%d]", i)
		switch {
		case sc.ID == "" && sc.Document == "":
			fs.add(f+".id", "name a stored scenario (GET /api/v1/policies lists them) or write one in document")
		case sc.ID != "" && sc.Document != "":
			fs.add(f+".document", "give either a stored scenario's id or a document, not both")
		case sc.ID != "":
			if msg := policyIDProblem(sc.ID); msg != "" {
				fs.add(f+".id", "%s", msg)
			}
		case len(sc.Document) > MaxStudyDocumentBytes:
			fs.add(f+".document", "is %d bytes long; the limit is %d", len(sc.Document), MaxStudyDocumentBytes)
		}
		if sc.Version < 0 {
			fs.add(f+".version", "must be a version number ≥ 1, or 0 for the version in force on as_of")
		}
	}
	if req.BaselineVersion < 0 {
		fs.add("baseline_version", "must be a version number ≥ 1, or 0 for the version in force on as_of")
	}
	var sweep *whatif.Sweep
	if strings.TrimSpace(req.Sweep) != "" {
		sw, err := whatif.ParseSweep(req.Sweep)
		if err != nil {
			fs.add("sweep", "%v", err)
		} else {
			sweep = &sw
		}
	}
	fs = append(fs, basketFieldErrors(req.Basket)...)
	fs = append(fs, req.Effects.checkEffects()...) // the trade-effects block: study_effects.go
	if len(fs) > 0 {
		return resolvedStudy{}, Invalid("the study request has invalid fields", fs...)
	}

	// Policies: the baseline version in force on the date (or pinned), each scenario on it.
	at := policyInstant(asOf, now)
	var bv PolicyVersion
	if req.BaselineVersion > 0 {
		bv, err = s.store.PolicyVersionByNumber(ctx, BaselinePolicyID, req.BaselineVersion)
		if ErrorCode(err) == CodeNotFound {
			return resolvedStudy{}, Invalid("unknown baseline version", FieldError{Field: "baseline_version", Message: fmt.Sprintf("the baseline policy has no version %d", req.BaselineVersion)})
		}
	} else {
		bv, err = s.store.PolicyVersionInForce(ctx, BaselinePolicyID, at)
		if ErrorCode(err) == CodeNotFound {
			return resolvedStudy{}, &Error{Code: CodeUnquotable, Reason: "no_policy", Err: err,
				Message: "no baseline policy is stored; start with --seed reference or post one to /api/v1/policies"}
		}
	}
	if err != nil {
		return resolvedStudy{}, err
	}
	base, err := s.compile(ctx, bv, nil)
	if err != nil {
		return resolvedStudy{}, err
	}
	if err := req.Effects.checkMarket(base.Policy, asOf); err != nil { // study_effects.go
		return resolvedStudy{}, err
	}
	r := resolvedStudy{req: req}
	r.req.Scenarios = slices.Clone(req.Scenarios) // versions are filled in below; the caller's stay
	r.pins = StudyPins{AsOf: asOf, Currency: req.Currency, Baseline: base.Baseline}
	r.study = whatif.Study{AsOf: asOf, Currency: req.Currency, Sweep: sweep,
		Baseline: whatif.Scenario{ID: whatif.BaselineID, Title: base.Policy.Title, Policy: base.Policy,
			Ref: whatif.Ref{PolicyID: bv.PolicyID, PolicyVersion: bv.Version, Hash: base.Policy.Hash}}}
	quotas := maps.Clone(base.Quotas)
	seen := map[string]int{}
	for i, sc := range req.Scenarios {
		f := fmt.Sprintf("scenarios[%d]", i)
		ws, ref, q, err := s.studyScenario(ctx, f, sc, bv, base, at)
		if err != nil {
			if e, ok := AsError(err); ok && e.Code == CodeInvalid {
				fs = append(fs, e.Fields...)
				continue
			}
			return resolvedStudy{}, err
		}
		if prev, dup := seen[ws.ID]; dup {
			fs.add(f+".id", "%s is also scenarios[%d]; a study compares each scenario once", quoteField(ws.ID), prev)
			continue
		}
		seen[ws.ID] = i
		r.study.Scenarios = append(r.study.Scenarios, ws)
		r.pins.Scenarios = append(r.pins.Scenarios, ref)
		for id, v := range q {
			if quotas == nil {
				quotas = map[string]decimal.Decimal{}
			}
			quotas[id] = v
		}
		if sc.ID != "" {
			r.req.Scenarios[i].Version = ref.Version
		}
	}
	if len(fs) > 0 {
		e := Invalid("the study's scenarios cannot be used", fs...)
		e.Reason = ReasonUnknownScenario
		for _, f := range fs {
			if strings.Contains(f.Field, ".document") {
				e.Reason = ReasonBadScenarioDoc
			}
		}
		return resolvedStudy{}, e
	}
	r.req.BaselineVersion = bv.Version

	// FX and quota balances, read once (or as pinned).
	if pinned != nil {
		rates := map[string]pricing.Rate{}
		for _, rt := range pinned.FX {
			rates[rt.Currency] = rt
		}
		r.study.FX = pricing.NewSnapshot(pinned.FXDate, rates)
		r.study.QuotaUsed = maps.Clone(pinned.QuotaUsed)
	} else {
		fx, _, err := s.FXOn(ctx, asOf)
		if ErrorCode(err) == CodeNotFound {
			return resolvedStudy{}, Invalid("no FX rates for the study's date", FieldError{Field: "as_of",
				Message: fmt.Sprintf("no FX rates are stored for %s or before; import an ECB file with `corridor fx import`", asOf.Format(time.DateOnly))})
		}
		if err != nil {
			return resolvedStudy{}, err
		}
		r.study.FX = fx
		if len(quotas) > 0 {
			ids := slices.Sorted(maps.Keys(quotas))
			used, err := s.store.QuotaConsumed(ctx, ids, quotaPeriod(asOf))
			if err != nil {
				return resolvedStudy{}, err
			}
			r.study.QuotaUsed = used
		}
	}
	r.pins.FXDate = r.study.FX.Date
	for _, cur := range slices.Sorted(maps.Keys(r.study.FX.Rates)) {
		r.pins.FX = append(r.pins.FX, r.study.FX.Rates[cur])
	}
	r.pins.QuotaUsed = r.study.QuotaUsed

	// The basket's flows.
	flows, err := s.studyFlows(ctx, req.Basket, r.study.FX)
	if err != nil {
		return resolvedStudy{}, err
	}
	r.study.Flows = flows
	r.pins.Flows = len(flows)
	if len(flows) == 0 {
		return resolvedStudy{}, Invalid("the basket has no flow", FieldError{Field: "flows", Message: emptyBasketMessage(req.Basket)})
	}
	n, err := whatif.Check(&r.study)
	if err != nil {
		return resolvedStudy{}, studyCheckError(err)
	}
	r.evaluations = n
	return r, nil
}

// emptyBasketMessage says why a basket gave no flow.
func emptyBasketMessage(b StudyBasket) string {
	switch b.Kind {
	case BasketNeed:
		return "no active GPU-hour or bare-metal offer matches " + quoteField(b.Query)
	case BasketOrders:
		return fmt.Sprintf("no confirmed order was created from %s to %s", b.From.Format(time.DateOnly), b.To.Format(time.DateOnly))
	}
	return "the basket has no rows"
}

// studyCheckError turns the engine's refusal of a study into a field error.
func studyCheckError(err error) error {
	var se *whatif.StudyError
	if !errors.As(err, &se) {
		return err
	}
	e := Invalid("the study cannot be evaluated", FieldError{Field: se.Field, Message: se.Message})
	e.Err = err
	switch {
	case se.Field == "sweep":
		e.Reason = ReasonBadSweep
	case se.Field == "flows":
		e.Code, e.Reason = CodeTooLarge, ReasonStudyTooLarge
	}
	if strings.Contains(se.Message, "at most") {
		e.Code, e.Reason = CodeTooLarge, ReasonStudyTooLarge
	}
	return e
}

// studyScenario resolves one scenario of a study against the baseline version bv (compiled:
// base): a stored scenario's version (pinned or in force at at), or an inline document
// validated against the baseline. It returns the engine's scenario, its pin and its quotas.
func (s *Service) studyScenario(ctx context.Context, field string, sc StudyScenario, bv PolicyVersion, base ResolvedPolicy, at time.Time) (whatif.Scenario, pricing.PolicyRef, map[string]decimal.Decimal, error) {
	if sc.ID != "" {
		var sv PolicyVersion
		var err error
		if sc.Version > 0 {
			sv, err = s.store.PolicyVersionByNumber(ctx, sc.ID, sc.Version)
		} else {
			sv, err = s.store.PolicyVersionInForce(ctx, sc.ID, at)
		}
		if ErrorCode(err) == CodeNotFound {
			msg := "no scenario " + quoteField(sc.ID) + "; GET /api/v1/policies lists them"
			f := field + ".id"
			if sc.Version > 0 {
				msg, f = fmt.Sprintf("scenario %s has no version %d", quoteField(sc.ID), sc.Version), field+".version"
			}
			return whatif.Scenario{}, pricing.PolicyRef{}, nil, &Error{Code: CodeInvalid, Reason: ReasonUnknownScenario, Message: "unknown scenario", Err: err,
				Fields: []FieldError{{Field: f, Message: msg}}}
		}
		if err != nil {
			return whatif.Scenario{}, pricing.PolicyRef{}, nil, err
		}
		if sv.Format != tariff.FormatScenario {
			return whatif.Scenario{}, pricing.PolicyRef{}, nil, Invalid("not a scenario", FieldError{Field: field + ".id", Message: sc.ID + " is a policy, not a scenario"})
		}
		rp, err := s.compile(ctx, bv, &sv)
		if err != nil {
			if e, ok := AsError(err); ok && (e.Code == CodeUnquotable || e.Code == CodeInvalid) {
				return whatif.Scenario{}, pricing.PolicyRef{}, nil, Invalid("scenario does not apply", FieldError{Field: field + ".id",
					Message: fmt.Sprintf("scenario %s version %d cannot be applied to baseline version %d", sc.ID, sv.Version, bv.Version)})
			}
			return whatif.Scenario{}, pricing.PolicyRef{}, nil, err
		}
		title := sv.Title
		ws := whatif.Scenario{ID: sv.PolicyID, Title: title, Policy: rp.Policy, FXShocks: rp.FXShocks,
			Ref: whatif.Ref{PolicyID: bv.PolicyID, PolicyVersion: bv.Version, ScenarioID: sv.PolicyID, ScenarioVersion: sv.Version, Hash: rp.Policy.Hash}}
		return ws, rp.Scenario, rp.Quotas, nil
	}
	// An inline document: validated like `corridor policy validate`, against the baseline.
	name, file := field+".document", sc.Name
	if file == "" {
		file = name
	}
	data := []byte(sc.Document)
	doc, err := tariff.ParseDocument(file, data)
	if err != nil {
		return whatif.Scenario{}, pricing.PolicyRef{}, nil, docProblems(name, err)
	}
	if doc.Scenario == nil {
		return whatif.Scenario{}, pricing.PolicyRef{}, nil, Invalid("not a scenario", FieldError{Field: name, Message: "is a policy document; a study compares scenarios (format: corridor.scenario/v1) with the baseline"})
	}
	if doc.Scenario.Base != BaselinePolicyID {
		return whatif.Scenario{}, pricing.PolicyRef{}, nil, Invalid("scenario of another policy", FieldError{Field: name, Message: fmt.Sprintf("the scenario's base is %s; a study's scenarios apply to %s", quoteField(doc.Scenario.Base), BaselinePolicyID)})
	}
	if probs := tariff.ValidateScenarioAgainst(base.Policy, file, data); len(probs) > 0 {
		return whatif.Scenario{}, pricing.PolicyRef{}, nil, docProblems(name, probs)
	}
	p, err := doc.Scenario.Apply(base.Policy)
	if err != nil {
		return whatif.Scenario{}, pricing.PolicyRef{}, nil, docProblems(name, err)
	}
	p.Version = base.Policy.Version
	sum := sha256.Sum256(data)
	ref := pricing.PolicyRef{ID: doc.Scenario.ID, Hash: hex.EncodeToString(sum[:])}
	var quotas map[string]decimal.Decimal
	for _, m := range p.Measures {
		if m.Quota != nil {
			if quotas == nil {
				quotas = map[string]decimal.Decimal{}
			}
			quotas[m.ID] = m.Quota.Volume
		}
	}
	ws := whatif.Scenario{ID: doc.Scenario.ID, Title: doc.Scenario.Title, Policy: p, FXShocks: doc.Scenario.FXShocks,
		Ref: whatif.Ref{PolicyID: bv.PolicyID, PolicyVersion: bv.Version, ScenarioID: doc.Scenario.ID, Hash: p.Hash}}
	return ws, ref, quotas, nil
}

// docProblems names each problem of an inline document as "field:LINE:COL" (the field alone
// when the problem has no position).
func docProblems(field string, err error) *Error {
	var probs tariff.Problems
	if !errors.As(err, &probs) {
		return &Error{Code: CodeInvalid, Reason: ReasonBadScenarioDoc, Message: "the scenario document is not valid", Err: err,
			Fields: []FieldError{{Field: field, Message: err.Error()}}}
	}
	fs := make([]FieldError, 0, len(probs))
	for _, p := range probs {
		f := field
		if p.Line > 0 {
			f = fmt.Sprintf("%s:%d:%d", field, p.Line, p.Col)
		}
		fs = append(fs, FieldError{Field: f, Message: p.String()})
	}
	return &Error{Code: CodeInvalid, Reason: ReasonBadScenarioDoc, Message: fmt.Sprintf("the scenario document has %d problems", len(probs)), Fields: fs, Err: err}
}

// basketFieldErrors checks a basket's fields (not yet its content).
func basketFieldErrors(b StudyBasket) []FieldError {
	var fs studyFields
	switch b.Kind {
	case BasketNeed:
		if len(b.Query) > MaxStudyQueryLen {
			fs.add("basket.query", "is %d bytes long; the limit is %d", len(b.Query), MaxStudyQueryLen)
		} else if _, err := ParseSearch(b.Query); err != nil {
			if e, ok := AsError(err); ok {
				for _, f := range e.Fields {
					fs.add("basket.query", "%s", f.Message)
				}
			} else {
				fs.add("basket.query", "%v", err)
			}
		}
		for _, f := range quantityFieldErrors(b.GPUs, b.Hours) {
			fs.add("basket."+f.Field, "%s", f.Message)
		}
		if !tariff.IsCountry(b.Buyer.Country) {
			fs.add("basket.buyer.country", "must be an ISO 3166-1 alpha-2 country code such as DE or CN, not %s", quoteField(b.Buyer.Country))
		}
		if b.Buyer.Type != string(tariff.BuyerBusiness) && b.Buyer.Type != string(tariff.BuyerConsumer) {
			fs.add("basket.buyer.type", "must be business or consumer, not %s", quoteField(b.Buyer.Type))
		}
		if b.Buyer.Region != "" && !IsSlug(b.Buyer.Region) {
			fs.add("basket.buyer.region", "must be a region code such as cn-shanghai, not %s", quoteField(b.Buyer.Region))
		}
	case BasketCSV:
		switch {
		case strings.TrimSpace(b.CSV) == "":
			fs.add("basket.csv", "is empty; the header row names the columns (buyer_country, buyer_type, accelerator, origin, product, quantity, …)")
		case len(b.CSV) > whatif.MaxBasketBytes:
			fs.add("basket.csv", "is %d bytes; the limit is %d (10 MiB)", len(b.CSV), whatif.MaxBasketBytes)
		}
	case BasketOrders:
		if b.From.IsZero() {
			fs.add("basket.from", "is required: the first day of the orders to price (YYYY-MM-DD)")
		}
		if b.To.IsZero() {
			fs.add("basket.to", "is required: the day after the last of the orders to price (YYYY-MM-DD)")
		}
		if !b.From.IsZero() && !b.To.IsZero() {
			switch {
			case !b.To.After(b.From):
				fs.add("basket.to", "must be after from")
			case b.To.Sub(b.From) > MaxStudyOrdersRange:
				fs.add("basket.to", "the range is longer than five years")
			}
		}
	case "":
		fs.add("basket.kind", "is required: need, csv or orders")
	default:
		fs.add("basket.kind", "must be need, csv or orders, not %s", quoteField(string(b.Kind)))
	}
	return fs
}

// studyFlows resolves a basket into the engine's flows; the offers are read once.
func (s *Service) studyFlows(ctx context.Context, b StudyBasket, fx pricing.Snapshot) ([]whatif.Flow, error) {
	switch b.Kind {
	case BasketNeed:
		return s.needFlows(ctx, b, fx)
	case BasketCSV:
		return s.csvFlows(ctx, b, fx)
	case BasketOrders:
		return s.orderFlows(ctx, b)
	}
	return nil, Invalid("unknown basket kind", FieldError{Field: "basket.kind", Message: "must be need, csv or orders"})
}

// needFlows prices the need against every active GPU-hour or bare-metal offer the filter
// matches: one flow each, all alternatives of one need.
func (s *Service) needFlows(ctx context.Context, b StudyBasket, fx pricing.Snapshot) ([]whatif.Flow, error) {
	q, err := ParseSearch(b.Query)
	if err != nil {
		return nil, err
	}
	srt, err := search.ParseSort("")
	if err != nil {
		return nil, searchError(err)
	}
	cur := q.Currency
	if cur == "" {
		cur = search.DefaultCurrency
	}
	in := search.Input{Query: q, Sort: srt, Limit: MaxStudyNeedOffers, Rates: map[string]decimal.Decimal{}}
	for _, c := range OfferCurrencies {
		u, err := fx.CrossRate(c, cur)
		if err != nil {
			return nil, Invalid("no FX rate for the filter's currency", FieldError{Field: "basket.query",
				Message: fmt.Sprintf("no rate to convert %s into %s on %s", c, cur, fx.Date.Format(time.DateOnly))})
		}
		in.Rates[c] = u.Rate
	}
	if search.NeedsModels(q, srt) {
		accs, err := s.store.Accelerators(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range accs {
			in.Models = append(in.Models, searchModel(a))
		}
	}
	plan, err := search.NewPlan(in)
	if err != nil {
		return nil, searchError(err)
	}
	if len(plan.Reads) == 0 {
		return nil, nil
	}
	rows, err := s.store.SearchOfferKeys(ctx, plan.Reads)
	if err != nil {
		return nil, err
	}
	ids, next := plan.Merge(rows)
	if next != "" {
		return nil, &Error{Code: CodeTooLarge, Reason: ReasonStudyTooLarge, Message: "the need matches too many offers",
			Fields: []FieldError{{Field: "basket.query", Message: fmt.Sprintf("matches more than %d offers; narrow it", MaxStudyNeedOffers)}}}
	}
	matched := make(map[string]bool, len(ids))
	for _, id := range ids {
		matched[id] = true
	}
	ocs, err := s.store.ActiveOfferContexts(ctx, OfferContextFilter{Products: []string{string(tariff.ProductGPUHours), string(tariff.ProductBareMetal)}})
	if err != nil {
		return nil, err
	}
	var flows []whatif.Flow
	for _, oc := range ocs { // ordered by offer id
		if !matched[oc.Offer.ID] {
			continue
		}
		flows = append(flows, whatif.Flow{ID: oc.Offer.ID, Offer: oc.Terms(),
			Request: pricing.Request{GPUs: b.GPUs, Hours: b.Hours, BuyerCountry: b.Buyer.Country, BuyerRegion: b.Buyer.Region,
				BuyerType: tariff.BuyerType(b.Buyer.Type), VATRecovery: b.Buyer.VATRecovery}})
	}
	return flows, nil
}

// csvFlows parses an uploaded basket and resolves each row: its accelerator and origin (a
// region, or a bloc) to the market's cheapest active offer of that accelerator and product
// there that can serve the row (converted at the study's rates; ties by offer id), whose
// price the row's replaces when it has one. A row priced by the analyst whose origin is a region with no such offer is
// priced on terms made up from the region and the accelerator (a supplier established in the
// region's country). Every row that cannot be resolved is refused with its row and column,
// and a basket with any problem gives no flow.
func (s *Service) csvFlows(ctx context.Context, b StudyBasket, fx pricing.Snapshot) ([]whatif.Flow, error) {
	name := b.CSVName
	if name == "" {
		name = "basket.csv"
	}
	rows, err := whatif.ParseBasket(name, strings.NewReader(b.CSV), whatif.RequestLimits{MaxGPUs: MaxGPUs, MaxHours: MaxHours})
	if err != nil {
		return nil, basketError(err)
	}
	regions, err := s.store.Regions(ctx, RegionFilter{})
	if err != nil {
		return nil, err
	}
	accs, err := s.store.Accelerators(ctx)
	if err != nil {
		return nil, err
	}
	ocs, err := s.store.ActiveOfferContexts(ctx, OfferContextFilter{})
	if err != nil {
		return nil, err
	}
	regionBy := make(map[string]Region, len(regions))
	for _, r := range regions {
		regionBy[r.Code] = r
	}
	accBy := make(map[string]Accelerator, len(accs))
	for _, a := range accs {
		accBy[a.Model] = a
	}
	// The offers per accelerator, product and place (region code, and bloc), cheapest first
	// (converted at the study's rates; ties by offer id).
	type key struct{ acc, product, place string }
	byPlace := map[key][]int{}
	inEUR := make([]decimal.Decimal, len(ocs))
	for i, oc := range ocs {
		u, err := fx.CrossRate(oc.Offer.Currency, "EUR")
		if err != nil {
			continue // not comparable on the date: never stands for a row
		}
		inEUR[i] = oc.Offer.Price.Mul(u.Rate)
		for _, place := range []string{oc.Region.Code, string(oc.Region.Bloc)} {
			k := key{oc.Offer.Accelerator, oc.Offer.Product, place}
			byPlace[k] = append(byPlace[k], i)
		}
	}
	for _, list := range byPlace {
		slices.SortFunc(list, func(a, b int) int {
			if c := inEUR[a].Cmp(inEUR[b]); c != 0 {
				return c
			}
			return strings.Compare(ocs[a].Offer.ID, ocs[b].Offer.ID)
		})
	}
	// standIn is the offer that stands for a row: the cheapest that can serve it (enough
	// capacity, the row's hours at least its minimum), else the cheapest (its quote then says
	// why it cannot be priced).
	standIn := func(row whatif.BasketRow) (int, bool) {
		list := byPlace[key{row.Accelerator, string(row.Product), row.Origin}]
		for _, i := range list {
			o := ocs[i].Offer
			if row.Product == tariff.ProductHardware || o.GPUs >= row.GPUs && row.Hours >= o.MinHours {
				return i, true
			}
		}
		if len(list) > 0 {
			return list[0], true
		}
		return 0, false
	}
	var probs []whatif.BasketProblem
	omitted := 0
	problem := func(p whatif.BasketProblem) {
		if len(probs) < whatif.MaxBasketProblems {
			probs = append(probs, p)
		} else {
			omitted++
		}
	}
	flows := make([]whatif.Flow, 0, len(rows))
	for _, row := range rows {
		acc, okAcc := accBy[row.Accelerator]
		if !okAcc {
			problem(whatif.RowProblem(name, row, "accelerator", "unknown accelerator "+quoteField(row.Accelerator), "GET /api/v1/accelerators lists the models"))
		}
		reg, okReg := regionBy[row.Origin]
		if !row.IsBloc() && !okReg {
			problem(whatif.RowProblem(name, row, "origin", "unknown region "+quoteField(row.Origin), "a region code such as cn-ningxia-zhongwei, or a bloc: CN or EU"))
		}
		if !okAcc || !row.IsBloc() && !okReg {
			continue
		}
		if i, ok := standIn(row); ok {
			flows = append(flows, row.Flow(ocs[i].Terms()))
			continue
		}
		if row.IsBloc() || !row.Price.Valid {
			problem(whatif.RowProblem(name, row, "origin", fmt.Sprintf("no active %s offer of %s in %s", row.Product, row.Accelerator, row.Origin),
				"give the row a price and currency, or an origin with offers"))
			continue
		}
		oc := OfferContext{
			Offer: Offer{ID: fmt.Sprintf("row-%d", row.Row), Region: reg.Code, Accelerator: acc.Model, Product: string(row.Product),
				GPUs: max(row.GPUs, row.Units), Price: row.Price.Decimal, Currency: row.Currency, Pricing: string(pricing.PricingOnDemand), Status: OfferActive},
			Region: reg, Accelerator: acc, Supplier: Supplier{Country: reg.Country},
		}
		t := oc.Terms()
		t.Provenance = tariff.Provenance{Source: fmt.Sprintf("%s row %d, as uploaded by the analyst", name, row.Row), Confidence: string(ConfidenceIllustrative)}
		flows = append(flows, row.Flow(t))
	}
	if len(probs) > 0 {
		return nil, basketError(&whatif.BasketError{Problems: probs, Omitted: omitted})
	}
	return flows, nil
}

// basketError names each bad cell of a basket as "basket.csv:ROW:COL".
func basketError(err error) error {
	var be *whatif.BasketError
	if !errors.As(err, &be) {
		return &Error{Code: CodeInvalid, Reason: ReasonBadBasket, Message: "the basket file cannot be read", Err: err,
			Fields: []FieldError{{Field: "basket.csv", Message: err.Error()}}}
	}
	fs := make([]FieldError, 0, len(be.Problems)+1)
	for _, p := range be.Problems {
		f := "basket.csv"
		if p.Row > 0 {
			f = fmt.Sprintf("basket.csv:%d:%d", p.Row, p.Col)
		}
		fs = append(fs, FieldError{Field: f, Message: p.String()})
	}
	if be.Omitted > 0 {
		fs = append(fs, FieldError{Field: "basket.csv", Message: fmt.Sprintf("… and %d more problems", be.Omitted)})
	}
	return &Error{Code: CodeInvalid, Reason: ReasonBadBasket, Message: fmt.Sprintf("the basket has %d problems; nothing was run", len(be.Problems)+be.Omitted), Fields: fs, Err: err}
}

// orderFlows prices the confirmed orders created in [From, To) again: each with the offer
// terms and request its quote recorded, as one flow named by its offer.
func (s *Service) orderFlows(ctx context.Context, b StudyBasket) ([]whatif.Flow, error) {
	quotes, err := s.store.OrderQuotes(ctx, b.From, b.To, MaxStudyOrders)
	if err != nil {
		return nil, err
	}
	if len(quotes) > MaxStudyOrders {
		return nil, &Error{Code: CodeTooLarge, Reason: ReasonStudyTooLarge, Message: "too many orders in the range",
			Fields: []FieldError{{Field: "basket.to", Message: fmt.Sprintf("more than %d orders were created in the range; shorten it", MaxStudyOrders)}}}
	}
	flows := make([]whatif.Flow, len(quotes))
	for i, q := range quotes {
		req := q.Inputs.Request
		req.Currency, req.AsOf = "", time.Time{}
		flows[i] = whatif.Flow{ID: q.OfferID, Offer: q.Inputs.Offer, Request: req}
	}
	return flows, nil
}
