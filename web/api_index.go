package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/pricing/priceindex"
)

// indexMethodology is the address of the published methodology.
const indexMethodology = "/docs/price-index"

type indexPointJSON struct {
	Week         string  `json:"week"`     // the Monday, YYYY-MM-DD
	ISOWeek      string  `json:"iso_week"` // 2026-W49
	Sample       int     `json:"sample"`
	Outliers     int     `json:"outliers"`
	Gap          bool    `json:"gap"`
	PerGPUHour   *string `json:"per_gpu_hour"`   // null on a gap
	PerPFLOPHour *string `json:"per_pflop_hour"` // null on a gap or when unknown
	Median       *string `json:"median_per_gpu_hour,omitempty"`
	Index        *string `json:"index"` // null on a gap
}

type indexClassJSON struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	NameZH string   `json:"name_zh"`
	Models []string `json:"models"`
	Note   string   `json:"note"`
}

type indexMethodJSON struct {
	Weights        string `json:"weights"`
	MinSample      int    `json:"min_sample"`
	OutlierRule    string `json:"outlier_rule"`
	Gaps           string `json:"gaps"`
	Chain          string `json:"chain"`
	Posted         string `json:"posted"`
	Landed         string `json:"landed"`
	Documentation  string `json:"documentation"`
	Currency       string `json:"currency"`
	WeekDefinition string `json:"week"`
}

type indexJSON struct {
	Series      string           `json:"series"`
	Demo        bool             `json:"demo"`
	Label       string           `json:"label"`
	Confidence  string           `json:"confidence"`
	Class       indexClassJSON   `json:"class"`
	Bloc        string           `json:"bloc"` // "" = all blocs
	Buyer       string           `json:"buyer"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	Method      indexMethodJSON  `json:"method"`
	Sources     []string         `json:"sources"`
	Transaction []indexPointJSON `json:"transaction"`
	Posted      []indexPointJSON `json:"posted"`
	Landed      []indexPointJSON `json:"landed"`
	LandedNote  string           `json:"landed_note,omitempty"`
}

// indexMethod is the methodology in brief; docs/price-index.md has it in full.
var indexMethod = indexMethodJSON{
	Weights:   "volume-weighted: a cell's price is the sum of its orders' net prices in EUR divided by the sum of their GPU-hours (or dense BF16 PFLOP-hours)",
	MinSample: priceindex.MinSample,
	OutlierRule: "an order whose price per GPU-hour is more than " + strconv.Itoa(priceindex.OutlierFactor) + " times, or less than a third of, the latest published week of its cell in the " +
		strconv.Itoa(priceindex.ReferenceWeeks) + " weeks before is counted as an outlier and left out of the means",
	Gaps:           "a week with fewer observations than min_sample is a gap: gap true, prices and index null, never zero",
	Chain:          "chain-linked, 100 at the first published week of the range; each published week links to the previous published one (Laspeyres link over the blocs published in both, weighted by the earlier week's GPU-hours)",
	Posted:         "active offers of the class in the bloc: the GPU-weighted mean ask and the median ask per GPU-hour in EUR at the day's reference rates; the current week is a snapshot refreshed at most every 10 minutes; history exists only for weeks a server ran",
	Landed:         "each published week's representative (8 GPUs for 100 hours of the class's first model at the week's mean price, from the bloc's representative region) priced for the reference buyer with the baseline policy in force at the end of the week; the cell's value is multiplied by the representative's landed cost divided by its net price",
	Documentation:  indexMethodology,
	Currency:       priceindex.Currency,
	WeekDefinition: "ISO 8601 weeks, Monday 00:00 UTC; an order counts in the week it was accepted",
}

func toIndexPoints(points []priceindex.Point, median bool) []indexPointJSON {
	out := make([]indexPointJSON, len(points))
	for i, p := range points {
		j := indexPointJSON{Week: p.Week.Format(time.DateOnly), ISOWeek: priceindex.WeekLabel(p.Week), Sample: p.Sample, Outliers: p.Outliers, Gap: p.Gap}
		if !p.Gap {
			j.PerGPUHour, j.Index = strPtr(p.PerGPUHour.String()), strPtr(p.Index.StringFixed(priceindex.IndexPlaces))
			if p.PerPFLOPHour.IsPositive() {
				j.PerPFLOPHour = strPtr(p.PerPFLOPHour.String())
			}
			if median && p.Median.IsPositive() {
				j.Median = strPtr(p.Median.String())
			}
		}
		out[i] = j
	}
	return out
}

func strPtr(s string) *string { return &s }

// indexSeriesLabel words the series for people: the demo series says what it is.
func indexSeriesLabel(series string) (label, confidence string) {
	if series == marketplace.IndexDemo {
		return "DEMO DATA: an invented, deterministic order history of the demo market and orders on demo offers; not market prices", string(marketplace.ConfidenceIllustrative)
	}
	return "orders accepted and offers posted on this Corridor marketplace", string(marketplace.ConfidenceSourced)
}

func toIndexJSON(r marketplace.IndexResult) indexJSON {
	label, conf := indexSeriesLabel(r.Series)
	return indexJSON{
		Series: r.Series, Demo: r.Series == marketplace.IndexDemo, Label: label, Confidence: conf,
		Class: indexClassJSON{Code: r.Class.Code, Name: r.Class.Name, NameZH: r.Class.NameZH, Models: r.Class.Models, Note: r.Class.Note},
		Bloc:  string(r.Bloc), Buyer: r.Buyer.Code, From: r.From.Format(time.DateOnly), To: r.To.Format(time.DateOnly),
		Method: indexMethod,
		Sources: []string{
			"transaction index: accepted orders of this marketplace (" + r.Series + " series), net prices before border charges, converted to EUR at each quote's reference rates",
			"posted index: active offers of this marketplace at the ECB reference rates stored for the day",
			"landed index: Corridor's quote engine with the stored baseline policy (each measure cites its legal act)",
		},
		Transaction: toIndexPoints(r.Transaction, false), Posted: toIndexPoints(r.Posted, true), Landed: toIndexPoints(r.Landed, false),
		LandedNote: r.LandedNote,
	}
}

// indexQuery reads the query parameters of the index (API and page alike).
func indexQuery(c *fiber.Ctx) (marketplace.IndexQuery, error) {
	q := marketplace.IndexQuery{Class: strings.Clone(c.Query("class", "h100")), Bloc: strings.Clone(c.Query("bloc")),
		Buyer: strings.Clone(c.Query("buyer")), Series: strings.Clone(c.Query("series"))}
	var fs []marketplace.FieldError
	for _, f := range []struct {
		name string
		into *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := c.Query(f.name); s != "" {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				fs = append(fs, marketplace.FieldError{Field: f.name, Message: "must be a date YYYY-MM-DD, got " + quoteShort(s)})
			}
			*f.into = t
		}
	}
	if len(fs) > 0 {
		return q, marketplace.Invalid("invalid index query", fs...)
	}
	return q, nil
}

// handleIndex serves GET /api/v1/index: JSON, or CSV with format=csv or Accept: text/csv.
func handleIndex(m *marketplace.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "class", "bloc", "buyer", "series", "from", "to", "format"); err != nil {
			return err
		}
		csv := false
		switch c.Query("format") {
		case "":
			csv = strings.Contains(c.Get(fiber.HeaderAccept), "text/csv")
		case "json":
		case "csv":
			csv = true
		default:
			return marketplace.Invalid("unknown format", marketplace.FieldError{Field: "format", Message: "must be json or csv"})
		}
		q, err := indexQuery(c)
		if err != nil {
			return err
		}
		r, err := m.Index(c.UserContext(), q)
		if err != nil {
			return err
		}
		j := toIndexJSON(r)
		if csv {
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="corridor-index-`+j.Series+`-`+j.Class.Code+`.csv"`)
			c.Type("csv", "utf-8")
			return c.SendString(indexCSV(j))
		}
		return c.JSON(j)
	}
}

// indexCSV renders the three series as rows, after a header naming the series and method.
func indexCSV(j indexJSON) string {
	var b strings.Builder
	w := func(cells ...string) { writeCSVRow(&b, cells...) }
	bloc := j.Bloc
	if bloc == "" {
		bloc = "all"
	}
	w("series", j.Series, "label", j.Label, "confidence", j.Confidence)
	w("class", j.Class.Code, "bloc", bloc, "buyer", j.Buyer, "currency", j.Method.Currency, "methodology", j.Method.Documentation)
	w("kind", "week", "iso_week", "sample", "outliers", "gap", "per_gpu_hour", "per_pflop_hour", "median_per_gpu_hour", "index")
	opt := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	for _, k := range []struct {
		name   string
		points []indexPointJSON
	}{{"transaction", j.Transaction}, {"posted", j.Posted}, {"landed", j.Landed}} {
		for _, p := range k.points {
			w(k.name, p.Week, p.ISOWeek, strconv.Itoa(p.Sample), strconv.Itoa(p.Outliers), strconv.FormatBool(p.Gap),
				opt(p.PerGPUHour), opt(p.PerPFLOPHour), opt(p.Median), opt(p.Index))
		}
	}
	return b.String()
}
