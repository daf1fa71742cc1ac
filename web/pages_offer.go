package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/tariff"
)

// quoteForm is the offer page's quote request as typed, so an error shows it again.
type quoteForm struct {
	OfferID      string
	GPUs         string
	Hours        string
	Country      string
	BuyerType    string
	VATID        string
	Currency     string
	PersonalData bool
	AsOf         string
	Scenario     string
}

// quoteFormFields maps the API's field names to the form's inputs (same names, except where
// the API nests); unmapped field errors are shown above the form.
var quoteFormFields = map[string]bool{"gpus": true, "hours": true, "units": true, "buyer.country": true, "buyer.type": true,
	"buyer.vat_id": true, "currency": true, "as_of": true, "scenario": true, "personal_data": true}

func defaultQuoteForm(v *view, oc marketplace.OfferContext) quoteForm {
	f := quoteForm{OfferID: oc.Offer.ID, GPUs: "8", Hours: strconv.Itoa(max(oc.Offer.MinHours, 24)), Country: "DE", BuyerType: "business", Currency: "EUR"}
	if v.Lang == langZH {
		f.Country, f.Currency = "CN", "CNY"
	}
	if oc.Offer.GPUs > 0 && oc.Offer.GPUs < 8 {
		f.GPUs = strconv.Itoa(oc.Offer.GPUs)
	}
	return f
}

func readQuoteForm(c *fiber.Ctx) quoteForm {
	val := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return quoteForm{OfferID: val("offer_id"), GPUs: val("gpus"), Hours: val("hours"), Country: strings.ToUpper(val("buyer.country")),
		BuyerType: val("buyer.type"), VATID: val("buyer.vat_id"), Currency: strings.ToUpper(val("currency")),
		PersonalData: c.FormValue("personal_data") == "on" || c.FormValue("personal_data") == "true", AsOf: val("as_of"), Scenario: val("scenario")}
}

// request converts the form; text that is not a number or a date is a field error.
func (f quoteForm) request() (marketplace.QuoteRequest, error) {
	var fe formErrors
	r := marketplace.QuoteRequest{OfferID: f.OfferID, GPUs: fe.int("gpus", f.GPUs), Hours: fe.int("hours", f.Hours),
		Buyer:    marketplace.Buyer{Country: f.Country, Type: f.BuyerType, VATID: f.VATID},
		Currency: f.Currency, PersonalData: f.PersonalData}
	if f.AsOf != "" {
		r.AsOf = fe.date("as_of", f.AsOf)
	}
	return r, fe.err("the quote request has invalid fields")
}

// formErrors collects the field errors of form text that does not parse, in the API's words.
type formErrors []marketplace.FieldError

func (fe *formErrors) int(field, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		*fe = append(*fe, marketplace.FieldError{Field: field, Message: "must be a whole number, got " + quoteShort(s)})
	}
	return n
}

func (fe *formErrors) date(field, s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		*fe = append(*fe, marketplace.FieldError{Field: field, Message: "must be a date YYYY-MM-DD, got " + quoteShort(s)})
	}
	return d
}

func (fe *formErrors) decimal(field, s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		*fe = append(*fe, marketplace.FieldError{Field: field, Message: "must be a number, got " + quoteShort(s)})
	}
	return d
}

// err returns the collected errors as one validation error, or nil.
func (fe formErrors) err(message string) error {
	if len(fe) == 0 {
		return nil
	}
	return marketplace.Invalid(message, fe...)
}

// scenarioOption is one policy scenario a quote or comparison may apply.
type scenarioOption struct{ ID, Title string }

// scenarios lists the scenario documents in force, for the forms' select.
func (u *ui) scenarios(c *fiber.Ctx) ([]scenarioOption, error) {
	vs, err := u.market.Policies(c.UserContext())
	if err != nil {
		return nil, err
	}
	var out []scenarioOption
	for _, pv := range vs {
		if pv.Format == tariff.FormatScenario && pv.Active {
			out = append(out, scenarioOption{ID: pv.PolicyID, Title: pv.Title})
		}
	}
	return out, nil
}

// offerPage is the data of the offer page.
type offerPage struct {
	*view
	OC        marketplace.OfferContext
	Export    string
	Form      quoteForm
	Errs      map[string]string
	Message   string
	Scenarios []scenarioOption
}

// Tier describes a volume discount.
func (p offerPage) Tier(t marketplace.Tier) string {
	return p.Tf("offer.tier", formatNumber(t.MinGPUHours, 0), t.Discount.Mul(decimal.NewFromInt(100)).String()+"%")
}

func (u *ui) handleOffer(c *fiber.Ctx, v *view) error {
	oc, err := u.market.OfferDetail(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	return u.renderOffer(c, v, fiber.StatusOK, oc, defaultQuoteForm(v, oc), nil)
}

// renderOffer shows the offer page; with err, the form keeps the user's input and shows each
// field's message next to the field.
func (u *ui) renderOffer(c *fiber.Ctx, v *view, status int, oc marketplace.OfferContext, form quoteForm, err error) error {
	sc, serr := u.scenarios(c)
	if serr != nil {
		return serr
	}
	v.Title = v.Tf("offer.title", oc.Offer.ID)
	p := offerPage{view: v, OC: oc, Export: marketplace.ExportClass(oc.Accelerator), Form: form, Errs: map[string]string{}, Scenarios: sc}
	if err != nil {
		var de *marketplace.Error
		if !errors.As(err, &de) {
			return err
		}
		p.Message, p.Errs = fieldErrors(de, quoteFormFields)
	}
	return u.render(c, status, "offer", p)
}

// fieldErrors splits a domain error for a form: messages of fields the form has go next to
// them (by the API's field name); the rest join the message above the form.
func fieldErrors(de *marketplace.Error, inputs map[string]bool) (string, map[string]string) {
	msg, errs := de.Message, map[string]string{}
	for _, f := range de.Fields {
		if inputs[f.Field] {
			errs[f.Field] = joinMsg(errs[f.Field], f.Message)
		} else {
			msg = joinMsg(msg, f.Field+": "+f.Message)
		}
	}
	return msg, errs
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// handleQuoteForm prices the offer page's form: a quote redirects to its page; an error
// shows the offer page again with the input kept.
func (u *ui) handleQuoteForm(c *fiber.Ctx, v *view) error {
	form := readQuoteForm(c)
	oc, err := u.market.OfferDetail(c.UserContext(), form.OfferID)
	if err != nil {
		return err
	}
	req, err := form.request()
	if oc.Offer.Product == string(tariff.ProductHardware) {
		req.Units = req.GPUs // hardware is bought in units; the form's count field carries them
	}
	if err == nil {
		req.Scenario = form.Scenario
		var pq marketplace.Quote
		pq, err = u.market.Quote(c.UserContext(), req)
		if err == nil {
			return c.Redirect("/quotes/"+url.PathEscape(pq.ID), fiber.StatusSeeOther)
		}
	}
	status := fiber.StatusUnprocessableEntity
	if marketplace.ErrorCode(err) == marketplace.CodeInvalid {
		status = fiber.StatusBadRequest
	}
	if marketplace.ErrorCode(err) == marketplace.CodeInternal {
		return err
	}
	return u.renderOffer(c, v, status, oc, form, err)
}
