package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/pricing/effects"
)

// gpuHourPlaces is how many decimals GPU-hour figures are shown with (0.01 h = 36 s). They
// are quantities, not money, so pricing.Round (per currency) does not apply.
const gpuHourPlaces = 2

// Effects validates req, runs the trade-effects model and rounds the result for display:
// amounts once with pricing.Round in the flows' currency (2 decimals without a currency),
// GPU-hours to 0.01. It is the one path POST /api/v1/effects and `corridor effects` share. A bad
// request is an *effects.InputError naming every bad field.
func Effects(req effects.Request) (effects.Result, error) {
	in, err := req.Input(pricing.KnownCurrency)
	if err != nil {
		return effects.Result{}, err
	}
	res, err := effects.Compute(in)
	if err != nil {
		return effects.Result{}, err
	}
	return res.Rounded(effects.Rounding{
		Money:     func(d decimal.Decimal) decimal.Decimal { return pricing.Round(d, in.Currency, pricing.HalfUp) },
		MinorUnit: decimal.New(1, -minor(in.Currency)),
		GPUHours:  func(d decimal.Decimal) decimal.Decimal { return d.Round(gpuHourPlaces) },
	}), nil
}

// EffectsDocument renders a result of Effects exactly as POST /api/v1/effects answers it.
func EffectsDocument(r effects.Result) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // read on a terminal: "Laird & Yeats", not "Laird \u0026 Yeats"
	enc.SetIndent("", "  ")
	err := enc.Encode(toEffectsJSON(r))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

func handleEffects() fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req effects.Request
		if err := decodeEffects(c, &req); err != nil {
			return err
		}
		res, err := Effects(req)
		if err != nil {
			return effectsProblem(err)
		}
		return c.JSON(toEffectsJSON(res))
	}
}

// decodeEffects is decodeStrict with a hint for the commonest mistake: every member of an
// effects request is a string, decimals included, so a JSON number gets told how to write it.
func decodeEffects(c *fiber.Ctx, req *effects.Request) error {
	err := decodeStrict(c, req)
	var de *marketplace.Error
	if errors.As(err, &de) && len(de.Fields) == 1 && strings.Contains(de.Fields[0].Message, "JSON number") {
		de.Fields[0].Message = `must be a JSON string such as "100", "10%" or "-1.5", not a JSON number: decimals travel as strings`
	}
	return err
}

// effectsProblem turns the model's input errors into the domain's validation error, which the
// one error handler renders as problem+json naming each field.
func effectsProblem(err error) error {
	var ie *effects.InputError
	if !errors.As(err, &ie) {
		return err
	}
	fields := make([]marketplace.FieldError, len(ie.Fields))
	for i, f := range ie.Fields {
		fields[i] = marketplace.FieldError{Field: f.Field, Message: f.Message}
	}
	return marketplace.Invalid("invalid trade-effects request", fields...)
}

// effectsJSON is the answer of POST /api/v1/effects.
type effectsJSON struct {
	Model              string                 `json:"model"`
	Currency           string                 `json:"currency,omitempty"`
	Parameters         effectsParamsJSON      `json:"parameters"`
	Sources            []effectSourceJSON     `json:"sources"`
	Total              effectTotalJSON        `json:"total"`
	RevenueByCollector []collectorRevenueJSON `json:"revenue_by_collector"`
	Warnings           []effectWarningJSON    `json:"warnings"`
}

type effectsParamsJSON struct {
	ImportDemand parameterJSON `json:"import_demand_elasticity"`
	Substitution parameterJSON `json:"substitution_elasticity"`
	ExportSupply parameterJSON `json:"export_supply_elasticity"`
}

type parameterJSON struct {
	Value      string `json:"value"`
	Default    bool   `json:"default"`
	Source     string `json:"source,omitempty"`
	AsOf       string `json:"as_of,omitempty"`
	Confidence string `json:"confidence,omitempty"`
}

type effectSourceJSON struct {
	Source              string `json:"source"`
	Collector           string `json:"collector,omitempty"`
	WedgeBefore         string `json:"wedge_before"`
	WedgeAfter          string `json:"wedge_after"`
	LandedPriceChange   string `json:"landed_price_change"`
	SupplierPriceChange string `json:"supplier_price_change"`
	effectFiguresJSON
}

type effectTotalJSON struct {
	effectFiguresJSON
}

type effectFiguresJSON struct {
	ValueBefore           amount        `json:"value_before"`
	TradeCreation         amount        `json:"trade_creation"`
	TradeDiversion        amount        `json:"trade_diversion"`
	PriceEffect           amount        `json:"price_effect"`
	TotalEffect           amount        `json:"total_effect"`
	ValueAfter            amount        `json:"value_after"`
	RevenueBefore         amount        `json:"revenue_before"`
	RevenueAfter          amount        `json:"revenue_after"`
	RevenueChange         amount        `json:"revenue_change"`
	ConsumerSurplusChange amount        `json:"consumer_surplus_change"`
	WelfareChange         amount        `json:"welfare_change"`
	GPUHours              *gpuHoursJSON `json:"gpu_hours,omitempty"`
}

type gpuHoursJSON struct {
	Before         string `json:"before"`
	TradeCreation  string `json:"trade_creation"`
	TradeDiversion string `json:"trade_diversion"`
	TotalEffect    string `json:"total_effect"`
	After          string `json:"after"`
}

type collectorRevenueJSON struct {
	Collector     string `json:"collector"`
	RevenueBefore amount `json:"revenue_before"`
	RevenueAfter  amount `json:"revenue_after"`
	RevenueChange amount `json:"revenue_change"`
}

type effectWarningJSON struct {
	Code    string `json:"code"`
	Source  string `json:"source"`
	Message string `json:"message"`
}

// effectsModel names the model and its published derivation in every answer.
const effectsModel = "WITS-SMART single-market partial equilibrium (Armington); Laird & Yeats (1986), Jammes & Olarreaga (2005)"

func toEffectsJSON(r effects.Result) effectsJSON {
	cur := r.Currency
	out := effectsJSON{Model: effectsModel, Currency: cur,
		Parameters: effectsParamsJSON{toParameterJSON(r.ImportDemand), toParameterJSON(r.Substitution), toParameterJSON(r.ExportSupply)},
		Sources:    make([]effectSourceJSON, len(r.Sources)), RevenueByCollector: []collectorRevenueJSON{}, Warnings: []effectWarningJSON{}}
	for i, s := range r.Sources {
		out.Sources[i] = effectSourceJSON{Source: s.Source, Collector: s.Collector,
			WedgeBefore: effects.FormatPercent(s.WedgeBefore), WedgeAfter: effects.FormatPercent(s.WedgeAfter),
			LandedPriceChange: percent4(s.LandedPriceChange), SupplierPriceChange: percent4(s.SupplierPriceChange),
			effectFiguresJSON: effectFiguresJSON{ValueBefore: fixed(s.ValueBefore, cur), TradeCreation: fixed(s.TradeCreation, cur),
				TradeDiversion: fixed(s.TradeDiversion, cur), PriceEffect: fixed(s.PriceEffect, cur), TotalEffect: fixed(s.TotalEffect, cur),
				ValueAfter: fixed(s.ValueAfter, cur), RevenueBefore: fixed(s.RevenueBefore, cur), RevenueAfter: fixed(s.RevenueAfter, cur),
				RevenueChange: fixed(s.RevenueChange, cur), ConsumerSurplusChange: fixed(s.ConsumerSurplusChange, cur),
				WelfareChange: fixed(s.WelfareChange, cur), GPUHours: toGPUHoursJSON(s.GPUHours)}}
	}
	t := r.Total
	out.Total = effectTotalJSON{effectFiguresJSON{ValueBefore: fixed(t.ValueBefore, cur), TradeCreation: fixed(t.TradeCreation, cur),
		TradeDiversion: fixed(t.TradeDiversion, cur), PriceEffect: fixed(t.PriceEffect, cur), TotalEffect: fixed(t.TotalEffect, cur),
		ValueAfter: fixed(t.ValueAfter, cur), RevenueBefore: fixed(t.RevenueBefore, cur), RevenueAfter: fixed(t.RevenueAfter, cur),
		RevenueChange: fixed(t.RevenueChange, cur), ConsumerSurplusChange: fixed(t.ConsumerSurplusChange, cur),
		WelfareChange: fixed(t.WelfareChange, cur), GPUHours: toGPUHoursJSON(t.GPUHours)}}
	for _, c := range r.Revenue {
		out.RevenueByCollector = append(out.RevenueByCollector, collectorRevenueJSON{Collector: c.Collector,
			RevenueBefore: fixed(c.RevenueBefore, cur), RevenueAfter: fixed(c.RevenueAfter, cur), RevenueChange: fixed(c.RevenueChange, cur)})
	}
	for _, w := range r.Warnings {
		out.Warnings = append(out.Warnings, effectWarningJSON{Code: w.Code, Source: w.Source, Message: w.Message})
	}
	return out
}

func toParameterJSON(p effects.Parameter) parameterJSON {
	return parameterJSON{Value: p.String(), Default: p.Default, Source: p.Source, AsOf: p.AsOf, Confidence: p.Confidence}
}

func toGPUHoursJSON(q *effects.QuantityEffects) *gpuHoursJSON {
	if q == nil {
		return nil
	}
	f := func(d decimal.Decimal) string { return d.StringFixed(gpuHourPlaces) }
	return &gpuHoursJSON{Before: f(q.Before), TradeCreation: f(q.TradeCreation), TradeDiversion: f(q.TradeDiversion),
		TotalEffect: f(q.TotalEffect), After: f(q.After)}
}

// percent4 writes a relative change as a percentage to 4 decimals: −1/11 → "-9.0909%".
func percent4(d decimal.Decimal) string { return d.Shift(2).StringFixed(4) + "%" }
