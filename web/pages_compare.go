package web

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
)

// compareForm is the need as typed. Its fields are the form's and the query string's names,
// so GET /compare?accelerator=h100-sxm&gpus=8&… renders the same comparison (a bookmark, a link
// sent to finance).
type compareForm struct {
	Accelerator          string
	MinBF16              string
	GPUs                 string
	Hours                string
	Country              string
	BuyerType            string
	BuyerRegion          string
	Currency             string
	Bloc                 string
	PersonalData         bool
	Scenario             string
	ExcludeInterruptible bool
	VATID                string // buyer.vat_id
	Headquarters         string // buyer.headquarters
	VATRecovery          string // buyer.vat_recovery, as typed
	Purpose              string
	TaxTerms             string // "" prices each offer under its own terms
	Cursor               string // the page after this cursor (the "more" link)
}

// compareFormFields are the need's fields that have an input of their own.
var compareFormFields = map[string]bool{"accelerator": true, "min_bf16_tflops": true, "gpus": true, "hours": true, "buyer.country": true,
	"buyer.type": true, "buyer.region": true, "currency": true, "bloc": true, "scenario": true,
	"buyer.vat_id": true, "buyer.headquarters": true, "buyer.vat_recovery": true, "purpose": true, "tax_terms": true}

// compareNeedParams are the query parameters that make GET /compare a comparison rather than
// an empty form.
var compareNeedParams = []string{"accelerator", "min_bf16_tflops", "gpus", "hours", "buyer.country", "buyer.type", "currency"}

func readCompareForm(c *fiber.Ctx) compareForm {
	val := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	if c.Method() == fiber.MethodGet {
		val = func(k string) string { return strings.TrimSpace(c.Query(k)) }
	}
	on := func(k string) bool { v := val(k); return v == "on" || v == "true" || v == "1" }
	return compareForm{Accelerator: strings.ToLower(val("accelerator")), MinBF16: val("min_bf16_tflops"), GPUs: val("gpus"), Hours: val("hours"),
		Country: strings.ToUpper(val("buyer.country")), BuyerType: val("buyer.type"), BuyerRegion: strings.ToLower(val("buyer.region")),
		Currency: strings.ToUpper(val("currency")), Bloc: strings.ToUpper(val("bloc")), PersonalData: on("personal_data"), Scenario: val("scenario"),
		ExcludeInterruptible: on("exclude_interruptible"), VATID: val("buyer.vat_id"), Headquarters: strings.ToUpper(val("buyer.headquarters")),
		VATRecovery: val("buyer.vat_recovery"), Purpose: val("purpose"), TaxTerms: val("tax_terms"), Cursor: val("cursor")}
}

// Query is the comparison's shareable URL.
func (f compareForm) Query() string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("accelerator", f.Accelerator)
	set("min_bf16_tflops", f.MinBF16)
	set("gpus", f.GPUs)
	set("hours", f.Hours)
	set("buyer.country", f.Country)
	set("buyer.type", f.BuyerType)
	set("buyer.region", f.BuyerRegion)
	set("buyer.vat_id", f.VATID)
	set("buyer.headquarters", f.Headquarters)
	set("buyer.vat_recovery", f.VATRecovery)
	set("purpose", f.Purpose)
	set("tax_terms", f.TaxTerms)
	set("currency", f.Currency)
	set("bloc", f.Bloc)
	set("scenario", f.Scenario)
	if f.PersonalData {
		q.Set("personal_data", "on")
	}
	if f.ExcludeInterruptible {
		q.Set("exclude_interruptible", "on")
	}
	return "/compare?" + q.Encode()
}

// need converts the form, naming every field whose text does not parse.
func (f compareForm) need() (marketplace.Need, formErrors) {
	var fe formErrors
	n := marketplace.Need{Accelerator: f.Accelerator, GPUs: fe.int("gpus", f.GPUs), Hours: fe.int("hours", f.Hours),
		Buyer: marketplace.Buyer{Country: f.Country, Type: f.BuyerType, Region: f.BuyerRegion, VATID: f.VATID, Headquarters: f.Headquarters,
			VATRecovery: fe.share("buyer.vat_recovery", f.VATRecovery)},
		Currency: f.Currency, Bloc: marketplace.Bloc(f.Bloc), PersonalData: f.PersonalData, Scenario: f.Scenario, Purpose: f.Purpose, TaxTerms: f.TaxTerms, Cursor: f.Cursor}
	if f.MinBF16 != "" {
		n.MinBF16TFLOPS = fe.decimal("min_bf16_tflops", f.MinBF16)
	}
	return n, fe
}

// comparePage is the data of the compare page.
type comparePage struct {
	*view
	Form         compareForm
	Errs         map[string]string
	Message      string
	Accelerators []marketplace.Accelerator
	Scenarios    []scenarioOption
	BuyerRegions []buyerRegionOption
	Done         bool
	Basis        string
	Ranked       []compareRow
	Unquotable   []compareRow
	Excluded     int // interruptible offers the buyer left out
	Warnings     []string
	Chart        chartView
	Policy       pricing.PolicyRef
	Share        string
	Notices      []tariff.Flag // about the buyer: its VAT number not verified, or a business ranked as a consumer
	Terms        string        // the tax terms every offer was priced under; "offer": each under its own
	More, First  string        // links to the next page of the ranking and back to its first
}

// compareRow is one offer of a comparison with its context.
type compareRow struct {
	pricing.Ranked
	Rank int
	OC   marketplace.OfferContext
}

// Interruptible reports whether the supplier may take the capacity back.
func (r compareRow) Interruptible() bool {
	return r.OC.Offer.Pricing == string(pricing.PricingInterruptible)
}

// Term words a row's pricing model and minimum term: "reserved · 12 months · at least 720 h".
func (p comparePage) Term(r compareRow) string {
	o := r.OC.Offer
	var parts []string
	if !r.Interruptible() { // an interruptible offer says so in a badge of its own
		parts = append(parts, p.T("pricing."+o.Pricing))
	}
	if o.TermMonths > 0 {
		parts = append(parts, p.Tf("offer.months", "Months", o.TermMonths))
	}
	if o.MinHours > 1 {
		parts = append(parts, p.Tf("col.min_hours", "Hours", p.Int(o.MinHours)))
	} else {
		parts = append(parts, p.T("col.no_min"))
	}
	return strings.Join(parts, " · ")
}

// NoQuote words why an offer could not be quoted.
func (p comparePage) NoQuote(reason string) string { return p.L.TOr("no_quote."+reason, reason) }

// handleCompare shows the need form; with a need in the query string (GET) or a posted form
// (POST, CSRF-checked) it ranks every matching offer by landed cost.
func (u *ui) handleCompare(c *fiber.Ctx, v *view) error {
	v.Title = v.T("compare.title")
	accs, err := u.market.Accelerators(c.UserContext())
	if err != nil {
		return err
	}
	po, err := u.policyOptions(c, v.L)
	if err != nil {
		return err
	}
	p := comparePage{view: v, Accelerators: accs, Scenarios: po.Scenarios, BuyerRegions: po.BuyerRegions, Errs: map[string]string{},
		Form: compareForm{Accelerator: "h100-sxm", GPUs: "8", Hours: "720", Country: v.T("default.country"), BuyerType: "business", Currency: v.T("default.currency")}}
	if c.Method() == fiber.MethodGet && !hasAnyQuery(c, compareNeedParams) {
		return u.render(c, fiber.StatusOK, "compare", p)
	}
	p.Form = readCompareForm(c)
	p.Share = p.Form.Query()
	need, fe := p.Form.need()
	cmp, err := u.market.Compare(c.UserContext(), need)
	if len(fe) > 0 {
		// Every error of the form at once: the marketplace's verdict on the other fields joins
		// the fields that did not parse (whose placeholder values it also judged).
		fe.merge(err)
		err = fe.err("the need has invalid fields")
	}
	if err != nil {
		var de *marketplace.Error
		if !errors.As(err, &de) || de.Code == marketplace.CodeInternal {
			return err
		}
		p.Message, p.Errs = fieldErrors(de, compareFormFields)
		return u.render(c, statusOf(de.Code), "compare", p)
	}
	p.Done, p.Warnings, p.Policy, p.Notices = true, cmp.Warnings, cmp.Policy, cmp.Notices
	p.Basis, p.Terms = rankBasis(cmp.BuyerType), termsApplied(need)
	for _, r := range cmp.Ranked {
		row := compareRow{Ranked: r, OC: cmp.Offers[r.OfferID]}
		if p.Form.ExcludeInterruptible && row.Interruptible() {
			p.Excluded++
			continue
		}
		if r.NoQuoteReason != "" {
			p.Unquotable = append(p.Unquotable, row)
			continue
		}
		row.Rank = cmp.RankOffset + len(p.Ranked) + 1
		p.Ranked = append(p.Ranked, row)
	}
	if cmp.NextCursor != "" {
		p.More = p.Share + "&cursor=" + url.QueryEscape(cmp.NextCursor)
	}
	if p.Form.Cursor != "" {
		p.First = p.Share
	}
	p.Chart = buildChart(v, p.Ranked, need.Currency)
	return u.render(c, fiber.StatusOK, "compare", p)
}

// hasAnyQuery reports whether the request's query string sets any of keys.
func hasAnyQuery(c *fiber.Ctx, keys []string) bool {
	for _, k := range keys {
		if c.Query(k) != "" {
			return true
		}
	}
	return false
}

// The compare chart: one horizontal stacked bar per ranked offer, each its own small SVG that
// stretches to the width of its row (so the chart fits any screen, with the labels as text
// that wraps). Positive parts (price, duties and levies, taxes) run right from zero; negative
// parts (subsidies, export rebates) run left of zero, hatched. Numbers here are SVG geometry on
// a 0–1000 axis, not money: the money is in the table and in each bar's accessible name.
const (
	chartAxisW = 1000.0 // width of every bar's viewBox
	chartBarH  = 16.0
)

// chartView is the data of the compare chart.
type chartView struct {
	ZeroX  float64
	Bars   []chartBar
	Legend []chartLegend
}

type chartBar struct {
	Label string
	Value string
	Title string
	Segs  []chartSeg
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
	scale := chartAxisW / span
	ch.ZeroX = round1(maxNeg * scale)
	classes := []string{"seg-price", "seg-duties", "seg-taxes", "seg-subsidies"}
	for _, r := range rows {
		b := chartBar{Label: strconv.Itoa(r.Rank) + ". " + r.OC.Supplier.Name, Value: v.Money(r.LandedCost, cur)}
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
		b.Title = b.Label + " — " + v.T("col.landed") + " " + b.Value + " (" + strings.Join(desc, "; ") + ")"
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// parts lists a breakdown in drawing order: price, duties and levies, taxes, subsidies.
func parts(b pricing.Breakdown) []decimal.Decimal {
	return []decimal.Decimal{b.Price, b.DutiesLevies, b.Taxes, b.Subsidies}
}
