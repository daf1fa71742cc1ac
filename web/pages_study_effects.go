package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/effects"
	"corridor/web/chart"
)

// The trade-effects section of a study's page (/whatif/{id}): the WITS-SMART model run on the
// study's own flows for one market, with a small GET form (no state changes, so no CSRF token)
// that runs it again for another market, grouping or elasticities. Its words are in
// studyeffects.<lang>.yaml; its template is templates/study_effects.html.

// studyEffectsView is the section as the page shows it.
type studyEffectsView struct {
	Form      studyEffectsForm
	Errs      map[string]string // form field → problem
	Message   string
	Market    string
	Countries string
	SourcesBy string
	Currency  string
	Runs      []studyEffectsRunView
}

// studyEffectsForm is the section's form as typed (empty fields: the study's block, or the
// defaults).
type studyEffectsForm struct {
	Market, Sources, ImportDemand, Substitution, ExportSupply string
}

// studyEffectsRunView is the model run on one scenario.
type studyEffectsRunView struct {
	Scenario   string
	Rows       []studyEffectsRow
	Total      studyEffectsRow
	HasHours   bool
	Revenue    []studyEffectsRevenueRow
	Consumer   string
	Welfare    string
	Parameters []string
	Warnings   []string
	Charts     []whatifEffectsChart
	Empty      bool // the market bought nothing from any source
}

// studyEffectsRow is one source (or the total) of a run.
type studyEffectsRow struct {
	Source                                                      string
	Flows                                                       string
	Wedge                                                       string
	Value, Creation, Diversion, Price, Effect, After            string
	HoursCreation, HoursDiversion, HoursTotal, Landed0, Landed1 string
}

type studyEffectsRevenueRow struct {
	Collector, Before, After, Change string
}

// whatifEffectsChart is one chart of the section: its SVG and its text alternative.
type whatifEffectsChart struct {
	ID, Title string
	SVG       template.HTML
	Table     template.HTML
}

// studyEffectsFields are the form's inputs by the error fields of the effects block.
var studyEffectsFields = map[string]string{
	"effects.market": "market", "effects.sources": "sources", "effects.import_demand_elasticity": "import_demand_elasticity",
	"effects.substitution_elasticity": "substitution_elasticity", "effects.export_supply_elasticity": "export_supply_elasticity",
}

// studyEffectsSection computes the section of done study id for the page's query (the
// study's own effects block without one), or nil when the market cannot give one (a
// marketplace without studies). A bad query is shown beside the form, never as a failed page.
func (u *ui) studyEffectsSection(c *fiber.Ctx, v *view, id string) (*studyEffectsView, error) {
	m, ok := u.market.(studyEffectsAPI)
	if !ok {
		return nil, nil
	}
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	f := studyEffectsForm{Market: strings.ToUpper(q("market")), Sources: q("sources"), ImportDemand: q("import_demand_elasticity"),
		Substitution: q("substitution_elasticity"), ExportSupply: q("export_supply_elasticity")}
	out := &studyEffectsView{Form: f, Errs: map[string]string{}}
	se, err := m.StudyEffects(c.UserContext(), id, marketplace.StudyEffectsRequest{Market: f.Market, Sources: f.Sources,
		ImportDemandElasticity: f.ImportDemand, SubstitutionElasticity: f.Substitution, ExportSupplyElasticity: f.ExportSupply})
	if err != nil {
		e, ok := marketplace.AsError(err)
		switch {
		case ok && (e.Code == marketplace.CodeNotFound || e.Code == marketplace.CodeConflict):
			return nil, nil // a study the page shows from elsewhere, or not done: no section
		case !ok || e.Code != marketplace.CodeInvalid:
			return nil, err
		}
		out.Message = v.T("studyeffects.invalid")
		for _, fe := range e.Fields {
			if name, ok := studyEffectsFields[fe.Field]; ok {
				out.Errs[name] = fe.Message
			} else {
				out.Message += " " + fe.Message
			}
		}
		return out, nil
	}
	out.fill(v, se)
	return out, nil
}

// fill formats se for the page of view v.
func (out *studyEffectsView) fill(v *view, se marketplace.StudyEffects) {
	cur := se.Currency
	out.Market, out.Countries, out.Currency = se.Market.Code, strings.Join(se.Market.Countries, " "), cur
	if out.Form.Market == "" {
		out.Form.Market = se.Market.Code
	}
	money := func(d decimal.Decimal) string { return v.Money(d, cur) }
	hours := func(d decimal.Decimal) string { return v.L.Number(d, gpuHourPlaces) }
	labels := studyEffectsChartLabels(v)
	if len(se.Runs) == 0 { // a study of the baseline alone (with a sweep): nothing to compare
		by := out.Form.Sources
		if by != "bloc" {
			by = "origin"
		}
		out.SourcesBy, out.Form.Sources = v.T("studyeffects.by."+by), by
	}
	for i, run := range se.Runs {
		out.SourcesBy = v.T("studyeffects.by." + run.SourcesBy)
		if out.Form.Sources == "" {
			out.Form.Sources = run.SourcesBy
		}
		r := run.Model
		rv := studyEffectsRunView{Scenario: v.L.TOr("scenario."+run.Scenario, run.Scenario), HasHours: r.HasGPUHours}
		for _, w := range r.Warnings {
			rv.Warnings = append(rv.Warnings, v.L.TOr("studyeffects.warning."+w.Code, w.Code)+": "+w.Message)
		}
		if len(r.Sources) == 0 {
			rv.Empty = true
			out.Runs = append(out.Runs, rv)
			continue
		}
		for j, s := range r.Sources {
			row := studyEffectsRow{Source: s.Source, Wedge: effects.FormatPercent(s.WedgeBefore.Round(4)) + " → " + effects.FormatPercent(s.WedgeAfter.Round(4)),
				Value: money(s.ValueBefore), Creation: money(s.TradeCreation), Diversion: money(s.TradeDiversion), Price: money(s.PriceEffect),
				Effect: money(s.TotalEffect), After: money(s.ValueAfter)}
			if j < len(run.Sources) {
				ts := run.Sources[j]
				row.Flows = v.L.Int(int64(ts.Flows))
				row.Landed0, row.Landed1 = money(ts.BaselineLanded), money(ts.Landed)
			}
			if q := s.GPUHours; q != nil {
				row.HoursCreation, row.HoursDiversion, row.HoursTotal = hours(q.TradeCreation), hours(q.TradeDiversion), hours(q.TotalEffect)
			}
			rv.Rows = append(rv.Rows, row)
		}
		t := r.Total
		rv.Total = studyEffectsRow{Source: v.T("studyeffects.total"), Value: money(t.ValueBefore), Creation: money(t.TradeCreation),
			Diversion: money(t.TradeDiversion), Price: money(t.PriceEffect), Effect: money(t.TotalEffect), After: money(t.ValueAfter)}
		if q := t.GPUHours; q != nil {
			rv.Total.HoursCreation, rv.Total.HoursDiversion, rv.Total.HoursTotal = hours(q.TradeCreation), hours(q.TradeDiversion), hours(q.TotalEffect)
		}
		for _, c := range r.Revenue {
			name := c.Collector
			if name == "" {
				name = v.T("studyeffects.no_collector")
			}
			rv.Revenue = append(rv.Revenue, studyEffectsRevenueRow{Collector: name, Before: money(c.RevenueBefore), After: money(c.RevenueAfter), Change: money(c.RevenueChange)})
		}
		rv.Consumer, rv.Welfare = money(t.ConsumerSurplusChange), money(t.WelfareChange)
		for _, p := range []struct {
			key string
			p   effects.Parameter
		}{{"studyeffects.param.em", r.ImportDemand}, {"studyeffects.param.es", r.Substitution}, {"studyeffects.param.ex", r.ExportSupply}} {
			text := v.T(p.key) + " = " + p.p.String()
			if p.p.Default {
				text += " — " + v.Tf("studyeffects.param.default", "Confidence", v.L.TOr("badge."+p.p.Confidence, p.p.Confidence), "AsOf", p.p.AsOf) + ": " + p.p.Source
			} else {
				text += " — " + v.T("studyeffects.param.given")
			}
			rv.Parameters = append(rv.Parameters, text)
		}
		trade, welfare := EffectsCharts(r, labels)
		n := strconv.Itoa(i + 1)
		trade.Frame.ID, welfare.Frame.ID = "study-effects-trade-"+n, "study-effects-welfare-"+n
		for _, ch := range []struct {
			id, title string
			c         chart.Chart
		}{{"effects-trade-" + n, labels.TradeTitle, trade}, {"effects-welfare-" + n, labels.WelfareTitle, welfare}} {
			svg, err := chart.HTML(ch.c)
			if err != nil {
				continue // nothing to draw: the tables say it
			}
			rv.Charts = append(rv.Charts, whatifEffectsChart{ID: ch.id, Title: ch.title, SVG: svg, Table: ch.c.Table().HTML()})
		}
		out.Runs = append(out.Runs, rv)
	}
}

// studyEffectsChartLabels are the words of the section's charts in the page's language.
func studyEffectsChartLabels(v *view) EffectsChartLabels {
	return EffectsChartLabels{
		TradeTitle: v.T("studyeffects.chart.trade"), TradeDesc: v.T("studyeffects.chart.trade_desc"), Source: v.T("studyeffects.col.source"),
		Creation: v.T("studyeffects.col.creation"), Diversion: v.T("studyeffects.col.diversion"), PriceEffect: v.T("studyeffects.col.price"),
		TotalEffect: v.T("studyeffects.col.total_effect"), WelfareTitle: v.T("studyeffects.chart.welfare"), WelfareDesc: v.T("studyeffects.chart.welfare_desc"),
		Figure: v.T("studyeffects.col.figure"), Amount: v.T("studyeffects.col.change"), RevenueChange: v.T("studyeffects.revenue_change"),
		RevenueOf:       func(c string) string { return v.Tf("studyeffects.revenue_of", "Collector", c) },
		ConsumerSurplus: v.T("studyeffects.consumer_surplus"), Welfare: v.T("studyeffects.welfare"),
	}
}

// studyEffectsArg is the argument of the "study-effects" template.
type studyEffectsArg struct {
	V *view
	E *studyEffectsView
}

// EffectsArg packs the trade-effects section for the "study-effects" template.
func (p whatifStudyPage) EffectsArg() studyEffectsArg {
	return studyEffectsArg{V: p.view, E: p.Effects}
}

// whatifEffectsForm is the workbench form's optional trade-effects block (template
// "whatif-effects-inputs"): ticked, the study's request carries an effects block.
type whatifEffectsForm struct {
	On                                                        bool
	Market, Sources, ImportDemand, Substitution, ExportSupply string
}

// readWhatifEffectsForm reads the block from the form's values (val trims and copies).
func readWhatifEffectsForm(val func(string) string) whatifEffectsForm {
	return whatifEffectsForm{On: val("effects") != "", Market: strings.ToUpper(val("effects.market")), Sources: val("effects.sources"),
		ImportDemand: val("effects.import_demand_elasticity"), Substitution: val("effects.substitution_elasticity"),
		ExportSupply: val("effects.export_supply_elasticity")}
}

// request returns the study request's effects block, nil when the block is not ticked.
func (f whatifEffectsForm) request() *marketplace.StudyEffectsRequest {
	if !f.On {
		return nil
	}
	return &marketplace.StudyEffectsRequest{Market: f.Market, Sources: f.Sources, ImportDemandElasticity: f.ImportDemand,
		SubstitutionElasticity: f.Substitution, ExportSupplyElasticity: f.ExportSupply}
}

func init() {
	// The block's inputs are named as the study request's fields, so that the service's
	// problems show beside them.
	for name := range studyEffectsFields {
		whatifFormFields[name] = true
	}
}
