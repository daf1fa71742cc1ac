package web

import (
	"github.com/shopspring/decimal"

	"corridor/pricing/effects"
	"corridor/web/chart"
)

// EffectsChartLabels are the words of the trade-effects charts, in the page's language.
type EffectsChartLabels struct {
	// The creation-versus-diversion chart.
	TradeTitle, TradeDesc                         string
	Source                                        string // the category column
	Creation, Diversion, PriceEffect, TotalEffect string
	// The revenue and welfare chart.
	WelfareTitle, WelfareDesc string
	Figure                    string // the category column
	Amount                    string // the value column
	RevenueChange             string
	// RevenueOf names one collector's revenue change (nil: RevenueChange and the collector
	// in parentheses).
	RevenueOf                func(collector string) string
	ConsumerSurplus, Welfare string
}

// EnglishEffectsChartLabels are the charts' words in English (the command line's SVGs; pages
// pass their own translation).
var EnglishEffectsChartLabels = EffectsChartLabels{
	TradeTitle: "Trade creation and diversion by source",
	TradeDesc:  "Change in imports from each source: trade creation, trade diversion and the price effect; the diamond marks the total effect.",
	Source:     "Source", Creation: "Trade creation", Diversion: "Trade diversion", PriceEffect: "Price effect", TotalEffect: "Total effect",
	WelfareTitle: "Revenue, consumer surplus and welfare",
	WelfareDesc:  "Change in wedge revenue (by collecting jurisdiction), in buyers' surplus, and in welfare (their sum).",
	Figure:       "Figure", Amount: "Change", RevenueChange: "Revenue change", ConsumerSurplus: "Consumer surplus", Welfare: "Welfare",
}

// EffectsCharts draws a result of Effects: creation, diversion (and the price effect when
// export supply is not infinitely elastic) per source with the total effect marked, and the
// revenue, consumer-surplus and welfare changes. Every label is the result's own rounded
// figure with its currency's minor units.
func EffectsCharts(r effects.Result, l EffectsChartLabels) (trade chart.StackedBars, welfare chart.Bars) {
	cur := r.Currency
	format := func(d decimal.Decimal) string { return d.StringFixed(minor(cur)) }
	frame := func(id, title, desc, category string) chart.Frame {
		return chart.Frame{ID: id, Title: title, Desc: desc, ValueAxis: cur, CategoryHeader: category, Format: format}
	}
	withPrice := !r.ExportSupply.IsInfinite()
	trade = chart.StackedBars{Frame: frame("effects-trade", l.TradeTitle, l.TradeDesc, l.Source),
		Series: []string{l.Creation, l.Diversion}, NetLabel: l.TotalEffect}
	if withPrice {
		trade.Series = append(trade.Series, l.PriceEffect)
	}
	for _, s := range r.Sources {
		g := chart.Group{Label: s.Source, Cells: []chart.Cell{chart.V(s.TradeCreation), chart.V(s.TradeDiversion)}}
		if withPrice {
			g.Cells = append(g.Cells, chart.V(s.PriceEffect))
		}
		trade.Groups = append(trade.Groups, g)
	}

	welfare = chart.Bars{Frame: frame("effects-welfare", l.WelfareTitle, l.WelfareDesc, l.Figure), ValueHeader: l.Amount}
	revenueOf := l.RevenueOf
	if revenueOf == nil {
		revenueOf = func(c string) string { return l.RevenueChange + " (" + c + ")" }
	}
	if len(r.Revenue) == 0 {
		welfare.Bars = append(welfare.Bars, chart.Bar{Label: l.RevenueChange, Cell: chart.V(r.Total.RevenueChange)})
	}
	for _, c := range r.Revenue {
		label := l.RevenueChange
		if c.Collector != "" {
			label = revenueOf(c.Collector)
		}
		welfare.Bars = append(welfare.Bars, chart.Bar{Label: label, Cell: chart.V(c.RevenueChange)})
	}
	welfare.Bars = append(welfare.Bars, chart.Bar{Label: l.ConsumerSurplus, Cell: chart.V(r.Total.ConsumerSurplusChange)},
		chart.Bar{Label: l.Welfare, Cell: chart.V(r.Total.WelfareChange)})
	return trade, welfare
}
