package i18n

import (
	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Line is what a quote line's words are made of: its kind, the measure that produced it with
// the measure's own labels, and for the price lines the request they price. QuoteLine fills it
// from a stored quote.
type Line struct {
	Kind    string
	Measure string // the measure that produced the line; "" for the price lines
	// MeasureLabel is the measure's own label by language code: "en" is the policy's label,
	// "zh" its label_zh.
	MeasureLabel map[string]string
	Fee          string // on a fee line no measure produced: pricing.FeeFreight or pricing.FeeInsurance

	// What the base line sells: the accelerator's display name by language code (its
	// catalogue code Model when it has none), GPUs × Hours under a pricing model, or Units
	// of hardware.
	Accelerator map[string]string
	Model       string
	Hardware    bool
	GPUs, Hours int
	Units       int
	Pricing     string
	Discount    string // the discount line's percentage, e.g. "5%"

	// The base column: what BaseAmount is (pricing.Line.BasisKind) and, for old quotes that
	// lack it, the English text stored with the line.
	BasisKind  string
	BaseAmount decimal.Decimal
	BasisText  string
	Currency   string
	// The rate column: the base line shows the offer's price per unit; other lines their rate.
	Rate          string
	Price         decimal.Decimal
	PriceCurrency string
}

// QuoteLine gathers what LineLabel, Basis and RateText need about line l of quote q;
// accelerator names the offer's accelerator by language code (nil: its catalogue code).
func QuoteLine(q pricing.Quote, l pricing.Line, accelerator map[string]string) Line {
	x := Line{Kind: l.Kind, Measure: l.MeasureID, Accelerator: accelerator, Model: q.Offer.Accelerator.Model,
		Hardware: q.Offer.Product == tariff.ProductHardware, GPUs: q.Request.GPUs, Hours: q.Request.Hours, Units: q.Request.Units,
		Pricing: string(q.Offer.Pricing), BasisKind: l.BasisKind, BaseAmount: l.BaseAmount, BasisText: l.Basis, Currency: l.Currency,
		Rate: l.Rate, Price: q.Offer.Price, PriceCurrency: q.Offer.Currency}
	switch {
	case l.MeasureID != "":
		x.MeasureLabel = map[string]string{"en": l.Label, "zh": l.LabelZH}
	case l.Kind == string(tariff.KindFee):
		x.Fee = l.Label
	case l.Kind == "discount":
		x.Discount = l.Rate
	}
	if x.Pricing == "" {
		x.Pricing = string(pricing.PricingOnDemand)
	}
	return x
}

// LineLabel words a quote line in the language: the measure's own label in this language
// (else the catalogue's "measure.<id>", else the measure's English label); the base line as
// "line.base" (or "line.base_units" for hardware) with the accelerator's name, the quantities
// and the pricing model; the discount as "line.discount"; freight and insurance as
// "line.freight" and "line.insurance". It is the only place line labels are made: the pages,
// the API's label, the quote CSV and the command line all call it.
func (l *Locale) LineLabel(x Line) string {
	switch {
	case x.Measure != "":
		if s := x.MeasureLabel[l.Code]; s != "" {
			return s
		}
		return l.TOr("measure."+x.Measure, x.MeasureLabel[DefaultCode])
	case x.Kind == "base" && x.Hardware:
		return l.T("line.base_units", "Accelerator", l.accelerator(x), "Units", l.Int(int64(x.Units)))
	case x.Kind == "base":
		return l.T("line.base", "Accelerator", l.accelerator(x), "GPUs", l.Int(int64(x.GPUs)), "Hours", l.Int(int64(x.Hours)),
			"Pricing", l.T("pricing."+x.Pricing))
	case x.Kind == "discount":
		return l.T("line.discount", "Rate", x.Discount)
	case x.Fee == pricing.FeeFreight:
		return l.T("line.freight")
	case x.Fee == pricing.FeeInsurance:
		return l.T("line.insurance")
	}
	return l.TOr("line_kind."+x.Kind, x.Kind)
}

// accelerator names the line's accelerator in the language, else in the default language,
// else by its catalogue code.
func (l *Locale) accelerator(x Line) string {
	if s := x.Accelerator[l.Code]; s != "" {
		return s
	}
	if s := x.Accelerator[DefaultCode]; s != "" {
		return s
	}
	return x.Model
}

// Basis words the base column of a line: the quantity of the base line ("5,760 GPU-hours"),
// or an amount and what it is ("EUR 18,750.00 net price"), from the message
// "basis.<kind>". A line stored before BasisKind existed keeps its English text.
func (l *Locale) Basis(x Line) string {
	switch x.BasisKind {
	case "":
		return x.BasisText
	case pricing.BasisQuantity:
		id := "basis.gpu_hours"
		if x.Hardware {
			id = "basis.units"
		}
		if x.Kind != "base" {
			id = "basis.quantity"
		}
		return l.T(id, "Quantity", l.Number(x.BaseAmount, 3))
	}
	return l.TOr("basis."+x.BasisKind, x.BasisText, "Amount", l.Money(x.BaseAmount, x.Currency))
}

// RateText words the rate column: the offer's price per GPU-hour (or unit) on the base line,
// the rate as the policy wrote it ("19%") elsewhere.
func (l *Locale) RateText(x Line) string {
	if x.Kind != "base" || x.PriceCurrency == "" {
		return x.Rate
	}
	if x.Hardware {
		return l.T("rate.per_unit", "Price", l.UnitPrice(x.Price, x.PriceCurrency))
	}
	return l.T("rate.per_gpu_hour", "Price", l.UnitPrice(x.Price, x.PriceCurrency))
}
