package web

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// studyBodyLimit bounds the body of POST /api/v1/studies: a basket file of
// whatif.MaxBasketBytes (10 MiB) sent as a JSON string, its line breaks and quotes escaped.
const studyBodyLimit = 16 << 20

// studyAPI is what the study endpoints use of the marketplace.
type studyAPI interface {
	RunStudy(ctx context.Context, req marketplace.StudyRequest) (marketplace.Study, error)
	Study(ctx context.Context, id string) (marketplace.Study, error)
	RerunStudy(ctx context.Context, id string) (marketplace.Study, error)
}

// addStudyRoutes adds the what-if study endpoints.
func addStudyRoutes(api fiber.Router, d Deps) {
	api.Post("/studies", handleStudyCreate(d.Market))
	api.Get("/studies/:id.csv", handleStudyCSV(d.Market)) // before /:id, which would take "ID.csv"
	api.Get("/studies/:id", handleStudyGet(d.Market))
	api.Post("/studies/:id/rerun", handleStudyRerun(d.Market))
}

func init() {
	// A basket file and an inline scenario document are long, multiline text.
	longTextMembers["csv"] = whatif.MaxBasketBytes
	longTextMembers["document"] = marketplace.MaxStudyDocumentBytes
}

// studyRequestJSON is the body of POST /api/v1/studies.
type studyRequestJSON struct {
	Scenarios []studyScenarioJSON `json:"scenarios"`
	Basket    studyBasketJSON     `json:"basket"`
	Sweep     string              `json:"sweep,omitempty"`
	AsOf      string              `json:"as_of,omitempty"`
	Currency  string              `json:"currency,omitempty"`
	Effects   *studyEffectsBlock  `json:"effects,omitempty"` // api_study_effects.go
}

type studyScenarioJSON struct {
	ID       string `json:"id,omitempty"`
	Version  int    `json:"version,omitempty"`
	Document string `json:"document,omitempty"`
	Name     string `json:"name,omitempty"`
}

type studyBasketJSON struct {
	Kind  string     `json:"kind"`
	Query string     `json:"query,omitempty"`
	GPUs  int        `json:"gpus,omitempty"`
	Hours int        `json:"hours,omitempty"`
	Buyer *buyerJSON `json:"buyer,omitempty"`
	CSV   string     `json:"csv,omitempty"`
	Name  string     `json:"name,omitempty"`
	From  string     `json:"from,omitempty"`
	To    string     `json:"to,omitempty"`
}

// toDomain converts the body, naming the dates that do not parse.
func (r studyRequestJSON) toDomain() (marketplace.StudyRequest, error) {
	var fs []marketplace.FieldError
	date := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fs = append(fs, marketplace.FieldError{Field: field, Message: "must be a date YYYY-MM-DD, got " + quoteShort(s)})
		}
		return d
	}
	out := marketplace.StudyRequest{Sweep: strings.TrimSpace(r.Sweep), AsOf: date("as_of", r.AsOf), Currency: strings.ToUpper(strings.TrimSpace(r.Currency)),
		Basket: marketplace.StudyBasket{Kind: marketplace.BasketKind(strings.TrimSpace(r.Basket.Kind)), Query: strings.TrimSpace(r.Basket.Query),
			GPUs: r.Basket.GPUs, Hours: r.Basket.Hours, CSV: r.Basket.CSV, CSVName: strings.TrimSpace(r.Basket.Name),
			From: date("basket.from", r.Basket.From), To: date("basket.to", r.Basket.To)}}
	if r.Basket.Buyer != nil {
		var bfs []marketplace.FieldError
		out.Basket.Buyer = r.Basket.Buyer.toDomain(&bfs)
		for _, f := range bfs {
			fs = append(fs, marketplace.FieldError{Field: "basket." + f.Field, Message: f.Message})
		}
	}
	for _, sc := range r.Scenarios {
		out.Scenarios = append(out.Scenarios, marketplace.StudyScenario{ID: strings.TrimSpace(sc.ID), Version: sc.Version, Document: sc.Document, Name: strings.TrimSpace(sc.Name)})
	}
	out.Effects = r.Effects.toDomain()
	if len(fs) > 0 {
		return out, marketplace.Invalid("the study request has invalid fields", fs...)
	}
	return out, nil
}

// studyJSON is a study as the API answers it; result is the engine's JSON document as stored.
type studyJSON struct {
	ID         string           `json:"id"`
	Status     string           `json:"status"`
	Progress   studyProgress    `json:"progress"`
	CreatedAt  string           `json:"created_at"`
	FinishedAt *string          `json:"finished_at"`
	Failure    string           `json:"failure,omitempty"`
	Request    studyRequestEcho `json:"request"`
	Pins       studyPinsJSON    `json:"pins"`
	Links      studyLinks       `json:"links"`
	// TradeEffects is the trade-effects section of a done study whose request asked for one.
	TradeEffects *studyEffectsJSON `json:"trade_effects,omitempty"`
	// result follows: the stored bytes, written as they are (studyDocument)
}

type studyProgress struct {
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
}

// studyRequestEcho is the request as stored, without the basket file's text (its size instead).
type studyRequestEcho struct {
	Scenarios []studyScenarioJSON `json:"scenarios"`
	Basket    studyBasketEcho     `json:"basket"`
	Sweep     string              `json:"sweep,omitempty"`
	AsOf      string              `json:"as_of"`
	Currency  string              `json:"currency"`
	Effects   *studyEffectsBlock  `json:"effects,omitempty"`
}

type studyBasketEcho struct {
	Kind     string     `json:"kind"`
	Query    string     `json:"query,omitempty"`
	GPUs     int        `json:"gpus,omitempty"`
	Hours    int        `json:"hours,omitempty"`
	Buyer    *buyerJSON `json:"buyer,omitempty"`
	Name     string     `json:"name,omitempty"`
	CSVBytes int        `json:"csv_bytes,omitempty"`
	From     string     `json:"from,omitempty"`
	To       string     `json:"to,omitempty"`
}

type studyPinsJSON struct {
	AsOf      string                     `json:"as_of"`
	Currency  string                     `json:"currency"`
	Baseline  policyRefJSON              `json:"baseline"`
	Scenarios []policyRefJSON            `json:"scenarios"`
	FXDate    string                     `json:"fx_date"`
	FX        []studyRateJSON            `json:"fx"`
	QuotaUsed map[string]decimal.Decimal `json:"quota_used"`
	Flows     int                        `json:"flows"`
}

type studyRateJSON struct {
	Currency string          `json:"currency"`
	PerEUR   decimal.Decimal `json:"per_eur"`
	Date     string          `json:"date"`
	Source   string          `json:"source"`
}

type studyLinks struct {
	Self string `json:"self"`
	CSV  string `json:"csv"`
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func toStudyJSON(st marketplace.Study) studyJSON {
	r, p := st.Request, st.Pins
	out := studyJSON{ID: st.ID, Status: string(st.Status), Progress: studyProgress(st.Progress), CreatedAt: st.CreatedAt.UTC().Format(time.RFC3339),
		Failure: st.Failure,
		Links:   studyLinks{Self: "/api/v1/studies/" + st.ID, CSV: "/api/v1/studies/" + st.ID + ".csv"},
		Request: studyRequestEcho{Scenarios: []studyScenarioJSON{}, Sweep: r.Sweep, AsOf: dateOrEmpty(r.AsOf), Currency: r.Currency,
			Basket: studyBasketEcho{Kind: string(r.Basket.Kind), Query: r.Basket.Query, GPUs: r.Basket.GPUs, Hours: r.Basket.Hours,
				Name: r.Basket.CSVName, CSVBytes: len(r.Basket.CSV), From: dateOrEmpty(r.Basket.From), To: dateOrEmpty(r.Basket.To)}},
		Pins: studyPinsJSON{AsOf: dateOrEmpty(p.AsOf), Currency: p.Currency, Baseline: policyRefJSON{ID: p.Baseline.ID, Version: p.Baseline.Version, Hash: p.Baseline.Hash},
			Scenarios: []policyRefJSON{}, FXDate: dateOrEmpty(p.FXDate), FX: []studyRateJSON{}, QuotaUsed: p.QuotaUsed, Flows: p.Flows}}
	if out.Pins.QuotaUsed == nil {
		out.Pins.QuotaUsed = map[string]decimal.Decimal{}
	}
	if !st.FinishedAt.IsZero() {
		f := st.FinishedAt.UTC().Format(time.RFC3339)
		out.FinishedAt = &f
	}
	if r.Basket.Kind == marketplace.BasketNeed {
		b := r.Basket.Buyer
		out.Request.Basket.Buyer = &buyerJSON{Country: b.Country, Type: b.Type, Region: b.Region}
	}
	for _, sc := range r.Scenarios {
		out.Request.Scenarios = append(out.Request.Scenarios, studyScenarioJSON(sc))
	}
	out.Request.Effects = toStudyEffectsBlock(r.Effects)
	for _, ref := range p.Scenarios {
		out.Pins.Scenarios = append(out.Pins.Scenarios, policyRefJSON{ID: ref.ID, Version: ref.Version, Hash: ref.Hash})
	}
	for _, rt := range p.FX {
		out.Pins.FX = append(out.Pins.FX, studyRateJSON{Currency: rt.Currency, PerEUR: rt.PerEUR, Date: dateOrEmpty(rt.Date), Source: rt.Source})
	}
	return out
}

// studyDocument is a study's JSON document: toStudyJSON's members, then "result" (null until
// done). The engine's result, tens of megabytes for a large study, is written as stored rather
// than re-encoded (it is JSON that whatif.Result.WriteJSON wrote).
func studyDocument(out studyJSON, st marketplace.Study) ([]byte, error) {
	head, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	result := []byte("null")
	if st.Status == marketplace.StudyDone && len(st.Result) > 0 {
		result = bytes.TrimSpace(st.Result)
	}
	doc := make([]byte, 0, len(head)+len(result)+12)
	doc = append(doc, head[:len(head)-1]...) // without its closing brace
	doc = append(doc, `,"result":`...)
	doc = append(doc, result...)
	return append(doc, '}'), nil
}

// sendStudy answers a study's JSON document (out, toStudyJSON of st, and st's result) with
// status.
func sendStudy(c *fiber.Ctx, status int, out studyJSON, st marketplace.Study) error {
	doc, err := studyDocument(out, st)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON) // as c.JSON sets it
	return c.Status(status).Send(doc)
}

// handleStudyCreate runs a study: 201 with the result when it ran while the caller waited,
// 202 with its status when it was queued (poll Location).
func handleStudyCreate(m studyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body studyRequestJSON
		if err := decodeStrict(c, &body); err != nil {
			return err
		}
		req, err := body.toDomain()
		if err != nil {
			return err
		}
		st, err := m.RunStudy(c.UserContext(), req)
		if err != nil {
			return err
		}
		return studyCreated(c, m, st)
	}
}

// studyCreated answers a new study: 201 when it ran while the caller waited, 202 when queued.
func studyCreated(c *fiber.Ctx, m studyAPI, st marketplace.Study) error {
	c.Location("/api/v1/studies/" + st.ID)
	status := fiber.StatusCreated
	if st.Status != marketplace.StudyDone {
		status = fiber.StatusAccepted
	}
	out := toStudyJSON(st)
	var err error
	if out.TradeEffects, err = tradeEffectsOf(c.UserContext(), m, st); err != nil { // api_study_effects.go
		return err
	}
	return sendStudy(c, status, out, st)
}

// handleStudyRerun runs a stored study's request again with everything it was pinned to, as
// a new study.
func handleStudyRerun(m studyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := noBody(c); err != nil {
			return err
		}
		st, err := m.RerunStudy(c.UserContext(), strings.Clone(c.Params("id")))
		if err != nil {
			return err
		}
		return studyCreated(c, m, st)
	}
}

func handleStudyGet(m studyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c); err != nil {
			return err
		}
		st, err := m.Study(c.UserContext(), strings.Clone(c.Params("id")))
		if err != nil {
			return err
		}
		out := toStudyJSON(st)
		if out.TradeEffects, err = tradeEffectsOf(c.UserContext(), m, st); err != nil { // api_study_effects.go
			return err
		}
		return sendStudy(c, fiber.StatusOK, out, st)
	}
}

// handleStudyCSV exports one table of a done study as CSV: the flows by default, ?table= for
// another (whatif's table names).
func handleStudyCSV(m studyAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "table"); err != nil {
			return err
		}
		name := c.Query("table", whatif.TableFlows)
		st, err := m.Study(c.UserContext(), strings.Clone(c.Params("id")))
		if err != nil {
			return err
		}
		tables, err := st.Tables()
		if err != nil {
			return err
		}
		var names []string
		for _, t := range tables {
			names = append(names, t.Name)
			if t.Name != name {
				continue
			}
			var b bytes.Buffer
			if err := whatif.WriteCSV(&b, t); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+st.ID+"-"+t.Name+`.csv"`)
			c.Type("csv", "utf-8")
			return c.Send(b.Bytes())
		}
		return marketplace.Invalid("unknown table", marketplace.FieldError{Field: "table", Message: "must be one of " + strings.Join(names, ", ") + ", not " + quoteShort(name)})
	}
}

// StudyDocument renders a study exactly as GET /api/v1/studies/{id} answers it (for the
// command line's --format json).
func StudyDocument(st marketplace.Study) ([]byte, error) { return studyDocument(toStudyJSON(st), st) }

// StudyDocumentWithEffects is StudyDocument with the study's trade-effects section (nil for
// none), as the API answers a study whose request asked for one.
func StudyDocumentWithEffects(st marketplace.Study, se *marketplace.StudyEffects) ([]byte, error) {
	out := toStudyJSON(st)
	if se != nil {
		j := toStudyEffectsJSON(*se)
		out.TradeEffects = &j
	}
	return studyDocument(out, st)
}
