package web

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
)

// compareForm is the need as typed.
type compareForm struct {
	Accelerator  string
	MinBF16      string
	GPUs         string
	Hours        string
	Country      string
	BuyerType    string
	Currency     string
	Bloc         string
	PersonalData bool
	Scenario     string
}

// compareFormFields are the need's fields that have an input of their own.
var compareFormFields = map[string]bool{"accelerator": true, "min_bf16_tflops": true, "gpus": true, "hours": true, "buyer.country": true,
	"buyer.type": true, "currency": true, "bloc": true, "scenario": true}

func readCompareForm(c *fiber.Ctx) compareForm {
	val := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return compareForm{Accelerator: strings.ToLower(val("accelerator")), MinBF16: val("min_bf16_tflops"), GPUs: val("gpus"), Hours: val("hours"),
		Country: strings.ToUpper(val("buyer.country")), BuyerType: val("buyer.type"), Currency: strings.ToUpper(val("currency")),
		Bloc: strings.ToUpper(val("bloc")), PersonalData: c.FormValue("personal_data") == "on", Scenario: val("scenario")}
}

func (f compareForm) need() (marketplace.Need, error) {
	var fe formErrors
	n := marketplace.Need{Accelerator: f.Accelerator, GPUs: fe.int("gpus", f.GPUs), Hours: fe.int("hours", f.Hours),
		Buyer: marketplace.Buyer{Country: f.Country, Type: f.BuyerType}, Currency: f.Currency, Bloc: marketplace.Bloc(f.Bloc),
		PersonalData: f.PersonalData, Scenario: f.Scenario}
	if f.MinBF16 != "" {
		n.MinBF16TFLOPS = fe.decimal("min_bf16_tflops", f.MinBF16)
	}
	return n, fe.err("the need has invalid fields")
}

// comparePage is the data of the compare page.
type comparePage struct {
	*view
	Form         compareForm
	Errs         map[string]string
	Message      string
	Accelerators []marketplace.Accelerator
	Scenarios    []scenarioOption
	Done         bool
	Basis        string
	Ranked       []compareRow
	Unquotable   []compareRow
	Warnings     []string
	Chart        chartView
	Policy       pricing.PolicyRef
}

// compareRow is one offer of a comparison with its context.
type compareRow struct {
	pricing.Ranked
	Rank int
	OC   marketplace.OfferContext
}

func (u *ui) handleCompare(c *fiber.Ctx, v *view) error {
	v.Title = v.T("compare.title")
	accs, err := u.market.Accelerators(c.UserContext())
	if err != nil {
		return err
	}
	sc, err := u.scenarios(c)
	if err != nil {
		return err
	}
	p := comparePage{view: v, Accelerators: accs, Scenarios: sc, Errs: map[string]string{},
		Form: compareForm{Accelerator: "h100-sxm", GPUs: "8", Hours: "720", Country: "DE", BuyerType: "business", Currency: "EUR"}}
	if v.Lang == langZH {
		p.Form.Country, p.Form.Currency = "CN", "CNY"
	}
	if c.Method() != fiber.MethodPost {
		return u.render(c, fiber.StatusOK, "compare", p)
	}
	p.Form = readCompareForm(c)
	need, err := p.Form.need()
	var cmp marketplace.Comparison
	if err == nil {
		cmp, err = u.market.Compare(c.UserContext(), need)
	}
	if err != nil {
		var de *marketplace.Error
		if !errors.As(err, &de) || de.Code == marketplace.CodeInternal {
			return err
		}
		p.Message, p.Errs = fieldErrors(de, compareFormFields)
		return u.render(c, statusOf(de.Code), "compare", p)
	}
	p.Done, p.Warnings, p.Policy = true, cmp.Warnings, cmp.Policy
	p.Basis = "net_cost"
	if need.Buyer.Type == "consumer" {
		p.Basis = "total"
	}
	for _, r := range cmp.Ranked {
		row := compareRow{Ranked: r, OC: cmp.Offers[r.OfferID]}
		if r.NoQuoteReason != "" {
			p.Unquotable = append(p.Unquotable, row)
			continue
		}
		row.Rank = len(p.Ranked) + 1
		p.Ranked = append(p.Ranked, row)
	}
	p.Chart = buildChart(v, p.Ranked, need.Currency)
	return u.render(c, fiber.StatusOK, "compare", p)
}

// The compare chart: one horizontal stacked bar per ranked offer. Positive parts (price,
// duties and levies, taxes) run right from zero; negative parts (subsidies, export rebates)
// run left of zero, hatched. Numbers here are SVG geometry, not money: the money is in the
// table and in each bar's <title>.
const (
	chartLabelW = 170.0 // left column with rank and supplier
	chartBarW   = 420.0 // width of the value axis
	chartValueW = 120.0 // right column with the landed cost
	chartRowH   = 26.0
	chartBarH   = 16.0
	chartTop    = 8.0
)

// chartView is the data of the compare chart's SVG.
type chartView struct {
	Width, Height float64
	ZeroX         float64
	AxisBottom    float64
	Bars          []chartBar
	Legend        []chartLegend
}

type chartBar struct {
	Y, TextY float64
	Label    string
	Value    string
	ValueX   float64
	Title    string
	Segs     []chartSeg
}

type chartSeg struct {
	X, W  float64
	Class string
}

type chartLegend struct{ Class, Label string }

func buildChart(v *view, rows []compareRow, cur string) chartView {
	ch := chartView{Legend: []chartLegend{{"seg-price", v.T("part.price")}, {"seg-duties", v.T("part.duties")},
		{"seg-taxes", v.T("part.taxes")}, {"seg-subsidies", v.T("part.subsidies")}}}
	if len(rows) == 0 {
		return ch
	}
	geo := func(d decimal.Decimal) float64 { return d.InexactFloat64() }
	var maxPos, maxNeg float64
	for _, r := range rows {
		pos, neg := 0.0, 0.0
		for _, part := range parts(r.Breakdown) {
			if f := geo(part); f > 0 {
				pos += f
			} else {
				neg -= f
			}
		}
		maxPos, maxNeg = math.Max(maxPos, pos), math.Max(maxNeg, neg)
	}
	span := maxPos + maxNeg
	if span <= 0 {
		span = 1
	}
	scale := chartBarW / span
	ch.ZeroX = round1(chartLabelW + maxNeg*scale)
	ch.Width = chartLabelW + chartBarW + chartValueW
	classes := []string{"seg-price", "seg-duties", "seg-taxes", "seg-subsidies"}
	for i, r := range rows {
		y := chartTop + float64(i)*chartRowH
		b := chartBar{Y: y, TextY: y + chartBarH - 3, ValueX: chartLabelW + chartBarW + 6,
			Label: strconv.Itoa(r.Rank) + ". " + shorten(r.OC.Supplier.Name, 22),
			Value: v.Money(r.LandedCost, cur)}
		right, left := ch.ZeroX, ch.ZeroX
		var desc []string
		for j, part := range parts(r.Breakdown) {
			f := geo(part) * scale
			desc = append(desc, v.T("part."+strings.TrimPrefix(classes[j], "seg-"))+": "+v.Money(part, cur))
			switch {
			case f > 0:
				b.Segs = append(b.Segs, chartSeg{X: round1(right), W: round1(f), Class: classes[j]})
				right += f
			case f < 0:
				left += f
				b.Segs = append(b.Segs, chartSeg{X: round1(left), W: round1(-f), Class: classes[j] + " negative"})
			}
		}
		b.Title = b.Label + " — " + r.OC.Offer.ID + " — " + v.T("col.landed") + " " + b.Value + " (" + strings.Join(desc, "; ") + ")"
		ch.Bars = append(ch.Bars, b)
	}
	ch.Height = chartTop + float64(len(rows))*chartRowH + 4
	ch.AxisBottom = ch.Height - 2
	return ch
}

// parts lists a breakdown in drawing order: price, duties and levies, taxes, subsidies.
func parts(b pricing.Breakdown) []decimal.Decimal {
	return []decimal.Decimal{b.Price, b.DutiesLevies, b.Taxes, b.Subsidies}
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string { return tariff.Shorten(s, n) }
