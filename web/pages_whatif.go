package web

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// The what-if workbench: /whatif is the form that builds a study (scenarios from the library or
// written in the page, a basket, an optional sweep), POST /whatif starts it and answers 303 to
// its permalink /whatif/{id}, which shows a progress bar that refreshes itself (no script) while
// the study runs and its tables and charts once it is done.

func init() {
	pageNames = append(pageNames, "whatif", "whatif_study")
}

// pageStudies is what the workbench uses of the marketplace.
type pageStudies interface {
	RunStudy(ctx context.Context, req marketplace.StudyRequest) (marketplace.Study, error)
	Study(ctx context.Context, id string) (marketplace.Study, error)
	RerunStudy(ctx context.Context, id string) (marketplace.Study, error)
}

// addWhatifPages adds the workbench's form, the form's post (CSRF-checked) and the study's
// permalink.
func (u *ui) addWhatifPages(app *fiber.App, studies pageStudies) {
	app.Get("/whatif", u.page(u.handleWhatifForm(studies)))
	app.Post("/whatif", u.page(u.csrfChecked(u.handleWhatifRun(studies))))
	app.Get("/whatif/:id", u.page(u.handleWhatifStudy(studies)))
	app.Post("/whatif/:id/rerun", u.page(u.csrfChecked(u.handleWhatifRerun(studies))))
}

// whatifRefreshSeconds is how often a running study's page reloads itself.
const whatifRefreshSeconds = 2

// whatifForm is the study form as typed, so that an error shows it again.
type whatifForm struct {
	Scenarios  []string // library scenarios picked
	Document   string   // a scenario document written in the page
	Basket     string   // need, csv or orders
	Filter     string   // the need's offers, in the search language
	GPUs       string
	Hours      string
	Country    string
	BuyerType  string
	OrdersFrom string
	OrdersTo   string
	Sweep      string
	Currency   string
	AsOf       string
	// File is the uploaded basket (basket=csv): its name and contents.
	FileName string
	File     []byte
	// Effects is the optional trade-effects block: pages_study_effects.go.
	Effects whatifEffectsForm
}

// Picked reports whether the library scenario id is ticked.
func (f whatifForm) Picked(id string) bool { return slices.Contains(f.Scenarios, id) }

// whatifFormFields are the form's inputs, by the names the study request's errors use.
var whatifFormFields = map[string]bool{"scenarios": true, "document": true, "basket": true, "need": true, "gpus": true, "hours": true,
	"buyer.country": true, "buyer.type": true, "basket_file": true, "orders.from": true, "orders.to": true, "sweep": true,
	"currency": true, "as_of": true}

// readWhatifForm reads the posted form, URL-encoded or multipart (with the basket file). Every
// value is copied: a queued study outlives the request whose buffers Fiber reuses.
func readWhatifForm(c *fiber.Ctx) (whatifForm, error) {
	val := func(k string) string { return strings.Clone(strings.TrimSpace(c.FormValue(k))) }
	f := whatifForm{Document: strings.ReplaceAll(strings.Clone(c.FormValue("document")), "\r\n", "\n"), Basket: val("basket"), Filter: val("need"),
		GPUs: val("gpus"), Hours: val("hours"), Country: strings.ToUpper(val("buyer.country")), BuyerType: val("buyer.type"),
		OrdersFrom: val("orders.from"), OrdersTo: val("orders.to"), Sweep: val("sweep"), Currency: strings.ToUpper(val("currency")),
		AsOf: val("as_of")}
	if strings.TrimSpace(f.Document) == "" {
		f.Document = ""
	}
	f.Effects = readWhatifEffectsForm(val) // pages_study_effects.go
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		mf, err := c.MultipartForm()
		if err != nil {
			return f, marketplace.Invalid("the form could not be read", marketplace.FieldError{Field: "body", Message: "not a valid multipart form"})
		}
		for _, s := range mf.Value["scenario"] {
			f.Scenarios = appendScenario(f.Scenarios, s)
		}
		if fh := mf.File["basket_file"]; len(fh) > 0 && f.Basket == "csv" {
			b, err := readUpload(fh[0])
			if err != nil {
				return f, marketplace.Invalid("the basket file could not be read", marketplace.FieldError{Field: "basket_file", Message: err.Error()})
			}
			f.FileName, f.File = fh[0].Filename, b
		}
	} else {
		for _, s := range c.Request().PostArgs().PeekMulti("scenario") {
			f.Scenarios = appendScenario(f.Scenarios, string(s))
		}
	}
	return f, nil
}

func appendScenario(list []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// readUpload reads an uploaded file; the request's body limit has already bounded its size.
func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// request turns the form into a study request; fields that do not parse are named with the
// form's own names. The library scenarios come first, then the written document.
func (f whatifForm) request() (marketplace.StudyRequest, formErrors) {
	var fe formErrors
	req := marketplace.StudyRequest{Sweep: f.Sweep, Currency: f.Currency, Effects: f.Effects.request()}
	for _, id := range f.Scenarios {
		req.Scenarios = append(req.Scenarios, marketplace.StudyScenario{ID: id})
	}
	if f.Document != "" {
		req.Scenarios = append(req.Scenarios, marketplace.StudyScenario{Document: f.Document})
	}
	if f.AsOf != "" {
		req.AsOf = fe.date("as_of", f.AsOf)
	}
	req.Basket.Kind = marketplace.BasketKind(f.Basket)
	switch req.Basket.Kind {
	case marketplace.BasketNeed:
		req.Basket.Query = f.Filter
		req.Basket.GPUs, req.Basket.Hours = fe.int("gpus", f.GPUs), fe.int("hours", f.Hours)
		req.Basket.Buyer = marketplace.Buyer{Country: f.Country, Type: f.BuyerType}
	case marketplace.BasketCSV:
		req.Basket.CSV, req.Basket.CSVName = string(f.File), f.FileName
	case marketplace.BasketOrders:
		req.Basket.From, req.Basket.To = fe.date("orders.from", f.OrdersFrom), fe.date("orders.to", f.OrdersTo)
	default:
		fe = append(fe, marketplace.FieldError{Field: "basket", Message: "choose a need, a CSV file or the market's orders"})
	}
	return req, fe
}

// formField names the form input of a study request's field (see marketplace's study field
// names): scenarios[i] is a library scenario while i is below the number picked, else the
// written document. A document's "…document:LINE:COL" problems keep their position.
func (f whatifForm) formField(field string) string {
	if rest, ok := strings.CutPrefix(field, "scenarios["); ok {
		i, tail, _ := strings.Cut(rest, "]")
		n, err := strconv.Atoi(i)
		switch {
		case err == nil && n < len(f.Scenarios):
			return "scenarios"
		case strings.HasPrefix(tail, ".document:"):
			return "document:" + strings.TrimPrefix(tail, ".document:")
		default:
			return "document"
		}
	}
	switch {
	case field == "basket.kind" || field == "flows":
		return "basket"
	case field == "basket.query":
		return "need"
	case field == "basket.gpus" || field == "basket.hours" || field == "basket.buyer.country" || field == "basket.buyer.type":
		return strings.TrimPrefix(field, "basket.")
	case field == "basket.csv" || strings.HasPrefix(field, "basket.csv:"):
		return "basket_file"
	case field == "basket.from":
		return "orders.from"
	case field == "basket.to":
		return "orders.to"
	}
	return field
}

// handleWhatifRun starts the study of the posted form and sends the browser to its permalink
// (303); a form with any problem is shown again as typed, with nothing run.
func (u *ui) handleWhatifRun(studies pageStudies) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		f, err := readWhatifForm(c)
		if err != nil {
			return u.renderWhatifForm(c, v, fiber.StatusBadRequest, f, err)
		}
		req, fe := f.request()
		if err := fe.err("the study has invalid fields"); err != nil {
			return u.renderWhatifForm(c, v, fiber.StatusBadRequest, f, err)
		}
		st, err := studies.RunStudy(c.UserContext(), req)
		if err != nil {
			var de *marketplace.Error
			if errors.As(err, &de) && de.Code != marketplace.CodeInternal {
				mapped := *de
				mapped.Fields = make([]marketplace.FieldError, len(de.Fields))
				for i, fl := range de.Fields {
					mapped.Fields[i] = marketplace.FieldError{Field: f.formField(fl.Field), Message: fl.Message}
				}
				return u.renderWhatifForm(c, v, statusOf(de.Code), f, &mapped)
			}
			return err
		}
		return c.Redirect("/whatif/"+url.PathEscape(st.ID), fiber.StatusSeeOther)
	}
}

// handleWhatifRerun runs a stored study again with everything it was pinned to, as a new
// study, and sends the browser to it (303): its numbers are the stored study's.
func (u *ui) handleWhatifRerun(studies pageStudies) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		st, err := studies.RerunStudy(c.UserContext(), strings.Clone(c.Params("id")))
		if err != nil {
			return err
		}
		return c.Redirect("/whatif/"+url.PathEscape(st.ID), fiber.StatusSeeOther)
	}
}

// handleWhatifStudy shows a study by its permalink.
func (u *ui) handleWhatifStudy(studies pageStudies) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		st, err := studies.Study(c.UserContext(), strings.Clone(c.Params("id")))
		if err != nil {
			return err
		}
		p := whatifStudyPage{ID: st.ID, Status: string(st.Status), Done: st.Progress.Done, Total: st.Progress.Total, Message: st.Failure,
			Basket: basketText(v, st)}
		var r *whatif.Result
		if st.Status == marketplace.StudyDone {
			if r, err = readWhatifResult(st.Result); err != nil {
				return err
			}
		}
		return u.renderStudy(c, v, p, r)
	}
}

// basketText words a study's basket in the page's language.
func basketText(v *view, st marketplace.Study) string {
	b := st.Request.Basket
	flows := v.L.Int(int64(st.Pins.Flows))
	switch b.Kind {
	case marketplace.BasketNeed:
		return v.Tf("whatif.basket_of.need", "Query", b.Query, "GPUs", b.GPUs, "Hours", b.Hours, "Country", b.Buyer.Country,
			"Type", v.T("form."+b.Buyer.Type), "Flows", flows)
	case marketplace.BasketCSV:
		name := b.CSVName
		if name == "" {
			name = "basket.csv"
		}
		return v.Tf("whatif.basket_of.csv", "File", name, "Flows", flows)
	case marketplace.BasketOrders:
		return v.Tf("whatif.basket_of.orders", "From", v.Date(b.From), "To", v.Date(b.To), "Flows", flows)
	}
	return ""
}

// whatifPage is the data of the form page.
type whatifPage struct {
	*view
	Form     whatifForm
	Library  []scenarioOption
	Errs     map[string]string
	Message  string
	Problems []string // the scenario document's problems, "LINE:COL: message"
}

// handleWhatifForm shows the study form with a need's defaults.
//
// With ?from={id} the form starts from a stored study's request (its scenarios, basket, sweep,
// currency and date), to be changed and run as a new study; a CSV basket's file must be chosen
// again (a browser cannot be handed a file).
func (u *ui) handleWhatifForm(studies pageStudies) pageFunc {
	return func(c *fiber.Ctx, v *view) error {
		f := whatifForm{Basket: "need", Filter: "accelerator=h100-sxm", GPUs: "8", Hours: "720", Country: v.T("default.country"),
			BuyerType: "business", Currency: v.T("default.currency")}
		if id := c.Query("from"); id != "" {
			st, err := studies.Study(c.UserContext(), strings.Clone(id))
			if err != nil {
				return err
			}
			f = formOf(st.Request)
		}
		return u.renderWhatifForm(c, v, fiber.StatusOK, f, nil)
	}
}

// formOf fills the form from a stored study's request. The form has one textarea: a request
// with several written scenarios keeps the first.
func formOf(req marketplace.StudyRequest) whatifForm {
	f := whatifForm{Sweep: req.Sweep, Currency: req.Currency, Basket: string(req.Basket.Kind)}
	if !req.AsOf.IsZero() {
		f.AsOf = req.AsOf.UTC().Format(time.DateOnly)
	}
	for _, sc := range req.Scenarios {
		switch {
		case sc.ID != "":
			f.Scenarios = append(f.Scenarios, sc.ID)
		case f.Document == "":
			f.Document = sc.Document
		}
	}
	b := req.Basket
	f.Filter, f.Country, f.BuyerType = b.Query, b.Buyer.Country, b.Buyer.Type
	if b.Kind == marketplace.BasketNeed {
		f.GPUs, f.Hours = strconv.Itoa(b.GPUs), strconv.Itoa(b.Hours)
	}
	if b.Kind == marketplace.BasketOrders {
		f.OrdersFrom, f.OrdersTo = b.From.UTC().Format(time.DateOnly), b.To.UTC().Format(time.DateOnly)
	}
	return f
}

// renderWhatifForm shows the form as typed with err's problems beside their fields: a scenario
// document's line:col problems under the textarea, every other field's under its input.
func (u *ui) renderWhatifForm(c *fiber.Ctx, v *view, status int, f whatifForm, err error) error {
	v.Title = v.T("whatif.title")
	po, perr := u.policyOptions(c, v.L)
	if perr != nil {
		return perr
	}
	p := whatifPage{view: v, Form: f, Library: po.Scenarios, Errs: map[string]string{}}
	if err != nil {
		var de *marketplace.Error
		if !errors.As(err, &de) || de.Code == marketplace.CodeInternal {
			return err
		}
		status = statusOf(de.Code)
		rest := *de
		rest.Fields = nil
		for _, fe := range de.Fields {
			if pos, ok := documentPosition(fe.Field); ok {
				p.Problems = append(p.Problems, pos+": "+problemText(fe.Message))
				continue
			}
			rest.Fields = append(rest.Fields, fe)
		}
		if len(p.Problems) > 0 && len(rest.Fields) == 0 {
			rest.Message = "" // the problems under the textarea say it all
		}
		p.Message, p.Errs = fieldErrors(&rest, whatifFormFields)
	}
	return u.render(c, status, "whatif", p)
}

// documentPosition reads a scenario document problem's field, "document:LINE:COL", as
// "LINE:COL".
func documentPosition(field string) (string, bool) {
	rest, ok := strings.CutPrefix(field, "document:")
	return rest, ok
}

// problemText drops the "NAME:LINE:COL: " prefix of a validator's problem (the page shows
// the position on its own).
func problemText(msg string) string {
	parts := strings.SplitN(msg, ": ", 2)
	if len(parts) == 2 && strings.Count(parts[0], ":") >= 2 {
		return parts[1]
	}
	return msg
}

// whatifStudyPage is the data of a study's permalink page.
type whatifStudyPage struct {
	*view
	ID, Status  string
	Done, Total int64
	Refresh     int // seconds; 0: the page does not reload itself
	Message     string
	Fields      []marketplace.FieldError
	R           *whatifResultView
	// Basket words the study's basket: a need, a file, or orders in a range.
	Basket  string
	Effects *studyEffectsView // the trade-effects section: pages_study_effects.go
}

// Running reports whether the study is queued or running.
func (p whatifStudyPage) Running() bool { return p.Status == studyQueued || p.Status == studyRunning }

// Failed reports whether the study could not be run.
func (p whatifStudyPage) Failed() bool { return p.Status == studyFailed }

// Max is the progress bar's maximum (1 before the total is known).
func (p whatifStudyPage) Max() int64 { return max(p.Total, 1) }

// Percent is the progress in whole percent, the bar's fallback text.
func (p whatifStudyPage) Percent() int64 {
	if p.Total <= 0 {
		return 0
	}
	return p.Done * 100 / p.Total
}

// Int64 formats a count with the language's thousands separator.
func (p whatifStudyPage) Int64(n int64) string { return p.L.Int(n) }

// aggArg is the argument of the "whatif-aggs" template.
type aggArg struct {
	V                            *view
	Study, ID, Table, Title, Key string
	Rows                         []whatifAggRow
}

// AggArg packs an aggregate table for the "whatif-aggs" template: its element id, the
// study's table it shows (for its CSV link), its heading and key column, and its rows.
func (p whatifStudyPage) AggArg(id, table, title, key string, rows []whatifAggRow) aggArg {
	return aggArg{V: p.view, Study: p.ID, ID: id, Table: table, Title: title, Key: key, Rows: rows}
}

// The states of a study, as the page shows them.
const (
	studyQueued  = "queued"
	studyRunning = "running"
	studyDone    = "done"
	studyFailed  = "failed"
)

// renderStudy shows a study in its state: progress while it runs, the result once done.
func (u *ui) renderStudy(c *fiber.Ctx, v *view, p whatifStudyPage, r *whatif.Result) error {
	p.view = v
	v.Title = v.Tf("whatif.study.title", "ID", p.ID)
	if p.Running() {
		p.Refresh = whatifRefreshSeconds
	}
	if r != nil && p.Status == studyDone {
		p.R = newWhatifResultView(v, r)
		var err error
		if p.Effects, err = u.studyEffectsSection(c, v, p.ID); err != nil { // pages_study_effects.go
			return err
		}
	}
	return u.render(c, fiber.StatusOK, "whatif_study", p)
}
