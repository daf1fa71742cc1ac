package web

import (
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/priceindex"
	"corridor/web/chart"
)

// The price index's page template joins the others (kept here, beside its handler).
func init() { pageNames = append(pageNames, "index") }

// indexPage is the data of /index: the index of one class, its charts and its table.
type indexPage struct {
	*view
	Q          marketplace.IndexQuery
	R          marketplace.IndexResult
	Demo       bool
	FellBack   bool // no real data in the range: the demo series is shown instead, and said so
	Rows       []indexRow
	Latest     *indexRow
	PriceChart template.HTML
	IndexChart template.HTML
	Classes    []priceindex.Class
	Buyers     []marketplace.ReferenceBuyer
	JSONURL    string
	CSVURL     string
}

// indexRow is one week of the table.
type indexRow struct {
	Week                 string
	ISOWeek              string
	Tx, Posted, Landed   priceindex.Point
	TxOK, PostOK, LandOK bool
}

// ClassName words a class in the page's language.
func (p indexPage) ClassName(c priceindex.Class) string {
	if p.Lang == "zh" && c.NameZH != "" {
		return c.NameZH
	}
	return c.Name
}

// Price writes an EUR unit price, or a dash for a gap.
func (p indexPage) Price(pt priceindex.Point, ok bool) string {
	if !ok || pt.Gap || !pt.PerGPUHour.IsPositive() {
		return "—"
	}
	return p.Num(pt.PerGPUHour, 4)
}

// PFLOP writes the price per PFLOP-hour, or a dash.
func (p indexPage) PFLOP(pt priceindex.Point, ok bool) string {
	if !ok || pt.Gap || !pt.PerPFLOPHour.IsPositive() {
		return "—"
	}
	return p.Num(pt.PerPFLOPHour, 4)
}

// Idx writes an index number, or a dash.
func (p indexPage) Idx(pt priceindex.Point, ok bool) string {
	if !ok || pt.Gap {
		return "—"
	}
	return pt.Index.StringFixed(priceindex.IndexPlaces)
}

// Median writes the posted median, or a dash.
func (p indexPage) Median(pt priceindex.Point, ok bool) string {
	if !ok || pt.Gap || !pt.Median.IsPositive() {
		return "—"
	}
	return p.Num(pt.Median, 4)
}

func (u *ui) handleIndexPage(c *fiber.Ctx, v *view) error {
	q, err := indexQuery(c)
	if err != nil {
		return err
	}
	if !c.Context().QueryArgs().Has("bloc") { // the page opens on one bloc, so the landed series shows
		q.Bloc = string(marketplace.BlocCN)
	}
	ctx := c.UserContext()
	asked := q.Series
	r, err := u.market.Index(ctx, q)
	if err != nil {
		return err
	}
	p := indexPage{view: v, Q: q, Classes: priceindex.Classes, Buyers: marketplace.ReferenceBuyers}
	if asked == "" && !anyPublished(r.Transaction) && !anyPublished(r.Posted) {
		q.Series = marketplace.IndexDemo
		if r, err = u.market.Index(ctx, q); err != nil {
			return err
		}
		p.FellBack = true
	}
	p.Q, p.R, p.Demo = q, r, r.Series == marketplace.IndexDemo
	v.Title = v.T("index.title")
	for i := range r.Transaction {
		row := indexRow{Week: r.Transaction[i].Week.Format("2006-01-02"), ISOWeek: priceindex.WeekLabel(r.Transaction[i].Week), Tx: r.Transaction[i], TxOK: true}
		if i < len(r.Posted) {
			row.Posted, row.PostOK = r.Posted[i], true
		}
		if i < len(r.Landed) {
			row.Landed, row.LandOK = r.Landed[i], true
		}
		p.Rows = append(p.Rows, row)
	}
	for i := len(p.Rows) - 1; i >= 0; i-- {
		if !p.Rows[i].Tx.Gap {
			p.Latest = &p.Rows[i]
			break
		}
	}
	if p.PriceChart, p.IndexChart, err = indexCharts(v, r); err != nil {
		return err
	}
	vals := url.Values{"class": {r.Class.Code}, "series": {r.Series}, "buyer": {r.Buyer.Code},
		"from": {r.From.Format("2006-01-02")}, "to": {r.To.Format("2006-01-02")}}
	if r.Bloc != "" {
		vals.Set("bloc", string(r.Bloc))
	}
	p.JSONURL = "/api/v1/index?" + vals.Encode()
	vals.Set("format", "csv")
	p.CSVURL = "/api/v1/index?" + vals.Encode()
	return u.render(c, fiber.StatusOK, "index", p)
}

func anyPublished(points []priceindex.Point) bool {
	for _, p := range points {
		if !p.Gap {
			return true
		}
	}
	return false
}

// indexCharts draws the prices (EUR per GPU-hour) and the chained indices by week; gaps
// break the lines.
func indexCharts(v *view, r marketplace.IndexResult) (template.HTML, template.HTML, error) {
	weeks := make([]string, len(r.Transaction))
	for i, p := range r.Transaction {
		weeks[i] = priceindex.WeekLabel(p.Week)
	}
	xfmt := func(d decimal.Decimal) string {
		if i := int(d.IntPart()); d.IsInteger() && i >= 0 && i < len(weeks) {
			return weeks[i]
		}
		return ""
	}
	var ticks []decimal.Decimal
	step := max(1, len(weeks)/6)
	for i := 0; i < len(weeks); i += step {
		ticks = append(ticks, decimal.NewFromInt(int64(i)))
	}
	line := func(name string, points []priceindex.Point, val func(priceindex.Point) decimal.Decimal) chart.Line {
		l := chart.Line{Name: name}
		for i, p := range points {
			cell := chart.Missing
			if x := val(p); !p.Gap && x.IsPositive() {
				cell = chart.V(x)
			}
			l.Points = append(l.Points, chart.Point{X: decimal.NewFromInt(int64(i)), Cell: cell})
		}
		return l
	}
	price := func(p priceindex.Point) decimal.Decimal { return p.PerGPUHour }
	median := func(p priceindex.Point) decimal.Decimal { return p.Median }
	index := func(p priceindex.Point) decimal.Decimal { return p.Index }
	landedName := v.Tf("index.series.landed", "Buyer", v.T("index.buyer."+r.Buyer.Code))
	prices := chart.Lines{
		Frame: chart.Frame{ID: "index-prices", Title: v.T("index.chart.prices"), Desc: v.T("index.chart.prices_desc"),
			ValueAxis: v.T("index.unit.gpu_hour"), CategoryHeader: v.T("index.table.week"),
			Format: func(d decimal.Decimal) string { return v.Num(d, 2) }},
		XAxis: v.T("index.table.week"), XFormat: xfmt, XTicks: ticks,
		Series: []chart.Line{line(v.T("index.series.transaction"), r.Transaction, price), line(v.T("index.series.posted"), r.Posted, price),
			line(v.T("index.series.median"), r.Posted, median)},
	}
	indices := chart.Lines{
		Frame: chart.Frame{ID: "index-chain", Title: v.T("index.chart.index"), Desc: v.T("index.chart.index_desc"),
			ValueAxis: v.T("index.unit.index"), CategoryHeader: v.T("index.table.week"),
			Format: func(d decimal.Decimal) string { return v.Num(d, 1) }},
		XAxis: v.T("index.table.week"), XFormat: xfmt, XTicks: ticks,
		Series: []chart.Line{line(v.T("index.series.transaction"), r.Transaction, index), line(v.T("index.series.posted"), r.Posted, index)},
	}
	if len(r.Landed) > 0 {
		prices.Series = append(prices.Series, line(landedName, r.Landed, price))
		indices.Series = append(indices.Series, line(landedName, r.Landed, index))
	}
	a, err := drawLines(prices)
	if err != nil {
		return "", "", err
	}
	b, err := drawLines(indices)
	return a, b, err
}

// drawLines draws the lines that have a point; with none (every week a gap) there is no
// chart, and the page says the range is empty.
func drawLines(l chart.Lines) (template.HTML, error) {
	var kept []chart.Line
	for _, s := range l.Series {
		for _, p := range s.Points {
			if !p.Missing {
				kept = append(kept, s)
				break
			}
		}
	}
	if len(kept) == 0 {
		return "", nil
	}
	l.Series = kept
	return chart.HTML(l)
}

// MinSample is the minimum sample of a published cell.
func (p indexPage) MinSample() int { return priceindex.MinSample }

// offerIndexLine is the offer page's sentence comparing the offer with its posted index.
type offerIndexLine struct {
	Text string
	URL  string
}

// offerIndex words the comparison of an offer with this week's posted index of its class and
// bloc; nil when there is none to make (hardware, too few offers, no rate).
func (u *ui) offerIndex(c *fiber.Ctx, v *view, oc marketplace.OfferContext) *offerIndexLine {
	l, ok, err := u.market.OfferIndex(c.UserContext(), oc)
	if err != nil || !ok {
		return nil // the offer page stands without its index line
	}
	p := indexPage{view: v}
	args := []any{"Class", p.ClassName(l.Class), "Bloc", v.T("bloc.short." + string(l.Bloc)), "Offer", v.Num(l.OfferPerHour, 4),
		"Index", v.Num(l.IndexPerHour, 4), "Sample", l.Sample}
	var text string
	switch {
	case l.Percent.IsZero():
		text = v.Tf("index.offer.at", args...)
	case l.Percent.IsNegative():
		text = v.Tf("index.offer.line", append(args, "Pct", l.Percent.Neg().String(), "Dir", v.T("index.offer.below"))...)
	default:
		text = v.Tf("index.offer.line", append(args, "Pct", l.Percent.String(), "Dir", v.T("index.offer.above"))...)
	}
	if l.Series == marketplace.IndexDemo {
		text += " " + v.T("index.offer.demo")
	}
	vals := url.Values{"class": {l.Class.Code}, "bloc": {string(l.Bloc)}, "series": {l.Series}}
	return &offerIndexLine{Text: text, URL: "/index?" + vals.Encode()}
}
