package web

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/tariff"
	"corridor/web/i18n"
)

// quoteForm is the offer page's quote request as typed, so an error shows it again. Its field
// names are the API's (buyer.region, start, …): a field the API gains (the workload's purpose,
// the contract's tax terms) is added here, in readQuoteForm and request, in offer.html and
// in the message files (form.*), and its errors land next to it through quoteFormFields.
type quoteForm struct {
	OfferID      string
	GPUs         string
	Hours        string
	Country      string
	BuyerType    string
	BuyerRegion  string
	VATID        string
	Currency     string
	PersonalData bool
	AsOf         string
	Start        string
	Scenario     string
	Headquarters string // buyer.headquarters
	VATRecovery  string // buyer.vat_recovery, as typed ("60%")
	Purpose      string
	TaxTerms     string
}

// quoteFormFields maps the API's field names to the form's inputs (same names, except where
// the API nests); unmapped field errors are shown above the form.
var quoteFormFields = map[string]bool{"gpus": true, "hours": true, "units": true, "buyer.country": true, "buyer.type": true,
	"buyer.region": true, "buyer.vat_id": true, "currency": true, "as_of": true, "start": true, "scenario": true, "personal_data": true,
	"buyer.headquarters": true, "buyer.vat_recovery": true, "purpose": true, "tax_terms": true}

func defaultQuoteForm(v *view, oc marketplace.OfferContext) quoteForm {
	f := quoteForm{OfferID: oc.Offer.ID, GPUs: "8", Hours: strconv.Itoa(max(oc.Offer.MinHours, 24)), Country: v.T("default.country"),
		BuyerType: "business", Currency: v.T("default.currency")}
	if oc.Offer.GPUs > 0 && oc.Offer.GPUs < 8 {
		f.GPUs = strconv.Itoa(oc.Offer.GPUs)
	}
	return f
}

func readQuoteForm(c *fiber.Ctx) quoteForm {
	val := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	return quoteForm{OfferID: val("offer_id"), GPUs: val("gpus"), Hours: val("hours"), Country: strings.ToUpper(val("buyer.country")),
		BuyerType: val("buyer.type"), BuyerRegion: strings.ToLower(val("buyer.region")), VATID: val("buyer.vat_id"), Currency: strings.ToUpper(val("currency")),
		PersonalData: c.FormValue("personal_data") == "on" || c.FormValue("personal_data") == "true", AsOf: val("as_of"), Start: val("start"),
		Scenario: val("scenario"), Headquarters: strings.ToUpper(val("buyer.headquarters")), VATRecovery: val("buyer.vat_recovery"),
		Purpose: val("purpose"), TaxTerms: val("tax_terms")}
}

// request converts the form. Text that is not a number or a date is a field error; when there
// is one, the marketplace's own checks of the other fields join it, so the buyer sees every
// error of the form at once rather than one per attempt.
func (f quoteForm) request(hardware bool) (marketplace.QuoteRequest, error) {
	var fe formErrors
	r := marketplace.QuoteRequest{OfferID: f.OfferID, GPUs: fe.int("gpus", f.GPUs), Hours: fe.int("hours", f.Hours),
		Buyer: marketplace.Buyer{Country: f.Country, Type: f.BuyerType, Region: f.BuyerRegion, VATID: f.VATID, Headquarters: f.Headquarters,
			VATRecovery: fe.share("buyer.vat_recovery", f.VATRecovery)},
		Currency: f.Currency, PersonalData: f.PersonalData, Purpose: f.Purpose, TaxTerms: f.TaxTerms}
	if hardware {
		r.Units, r.GPUs, r.Hours = r.GPUs, 0, 0 // hardware is bought in units; the form's count field carries them
	}
	if f.AsOf != "" {
		r.AsOf = fe.date("as_of", f.AsOf)
	}
	if f.Start != "" {
		r.Start = fe.date("start", f.Start) // the first day of use, from 00:00 UTC
	}
	if len(fe) == 0 {
		return r, nil
	}
	fe.merge(marketplace.ValidateQuoteRequest(r, hardware))
	return r, fe.err("the quote request has invalid fields")
}

// formErrors collects the field errors of form text that does not parse, in the API's words.
type formErrors []marketplace.FieldError

// merge adds the field errors of err (a validation of the same form) for the fields that have
// none yet: a field that did not parse keeps its own message.
func (fe *formErrors) merge(err error) {
	var de *marketplace.Error
	if !errors.As(err, &de) {
		return
	}
	have := map[string]bool{}
	for _, f := range *fe {
		have[f.Field] = true
	}
	for _, f := range de.Fields {
		if !have[f.Field] {
			*fe = append(*fe, f)
		}
	}
}

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

// share reads an optional share ("60%" or "0.6"); empty is none.
func (fe *formErrors) share(field, s string) decimal.NullDecimal {
	if s == "" {
		return decimal.NullDecimal{}
	}
	d, msg := marketplace.ParseShare(s)
	if msg != "" {
		*fe = append(*fe, marketplace.FieldError{Field: field, Message: msg + ", got " + quoteShort(s)})
	}
	return decimal.NewNullDecimal(d)
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

// buyerRegionOption is a place of registration the policy in force names (for vouchers).
type buyerRegionOption struct{ Code, Name string }

// policyOptions are the choices the forms take from the policies in force.
type policyOptions struct {
	Scenarios    []scenarioOption
	BuyerRegions []buyerRegionOption
}

// policyOptions lists the scenarios in force and the buyer regions the baseline policy in
// force names (a measure's buyer_regions), named by the catalogue's buyer_region.<code>.
func (u *ui) policyOptions(c *fiber.Ctx, l *i18n.Locale) (policyOptions, error) {
	var out policyOptions
	vs, err := u.market.Policies(c.UserContext())
	if err != nil {
		return out, err
	}
	for _, pv := range vs {
		switch {
		case pv.Format == tariff.FormatScenario && pv.Active:
			out.Scenarios = append(out.Scenarios, scenarioOption{ID: pv.PolicyID, Title: l.TOr("scenario."+pv.PolicyID, pv.Title)})
		case pv.PolicyID == marketplace.BaselinePolicyID && pv.Active:
			for _, code := range u.buyerRegions(c, pv) {
				out.BuyerRegions = append(out.BuyerRegions, buyerRegionOption{Code: code, Name: l.TOr("buyer_region."+code, code)})
			}
		}
	}
	sort.Slice(out.BuyerRegions, func(i, j int) bool { return out.BuyerRegions[i].Name < out.BuyerRegions[j].Name })
	return out, nil
}

// buyerRegions returns the buyer regions a policy version's measures name, parsing each
// version once (versions are immutable, so the cache never goes stale).
func (u *ui) buyerRegions(c *fiber.Ctx, pv marketplace.PolicyVersion) []string {
	if v, ok := u.regionsByHash.Load(pv.Hash); ok {
		return v.([]string)
	}
	full, err := u.market.PolicyVersion(c.UserContext(), pv.PolicyID, pv.Version) // the list leaves the documents out
	if err != nil {
		u.log.Error("read the baseline for its buyer regions", "policy", pv.PolicyID, "version", pv.Version, "err", err)
		return nil
	}
	p, err := tariff.ParsePolicy(pv.PolicyID, full.Document)
	if err != nil {
		u.log.Error("parse the baseline for its buyer regions", "policy", pv.PolicyID, "version", pv.Version, "err", err)
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range p.Measures {
		for _, r := range m.BuyerRegions {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	u.regionsByHash.Store(pv.Hash, out)
	return out
}

// offerPage is the data of the offer page.
type offerPage struct {
	*view
	OC           marketplace.OfferContext
	Export       string
	Form         quoteForm
	Errs         map[string]string
	Message      string
	Scenarios    []scenarioOption
	BuyerRegions []buyerRegionOption
	IndexLine    *offerIndexLine // against the posted price index: pages_index.go
}

// MoreOpen reports whether the quote form's optional fields start open: when one is filled in
// or has an error.
func (p offerPage) MoreOpen() bool {
	f := p.Form
	if f.BuyerRegion != "" || f.PersonalData || f.AsOf != "" || f.Start != "" || f.Scenario != "" ||
		f.Headquarters != "" || f.VATRecovery != "" || f.Purpose != "" || f.TaxTerms != "" {
		return true
	}
	for _, k := range []string{"buyer.region", "as_of", "start", "scenario", "personal_data", "buyer.headquarters", "buyer.vat_recovery", "purpose", "tax_terms"} {
		if p.Errs[k] != "" {
			return true
		}
	}
	return false
}

// Tier describes a volume discount.
func (p offerPage) Tier(t marketplace.Tier) string {
	return p.Tf("offer.tier", "Quantity", p.Num(t.MinGPUHours, 0), "Discount", t.Discount.Mul(decimal.NewFromInt(100)).String()+"%")
}

func (u *ui) handleOffer(c *fiber.Ctx, v *view) error {
	oc, err := u.market.OfferDetail(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	return u.renderOffer(c, v, fiber.StatusOK, oc, prefillQuoteForm(v, defaultQuoteForm(v, oc)), nil)
}

// renderOffer shows the offer page; with err, the form keeps the user's input and shows each
// field's message next to the field.
func (u *ui) renderOffer(c *fiber.Ctx, v *view, status int, oc marketplace.OfferContext, form quoteForm, err error) error {
	po, perr := u.policyOptions(c, v.L)
	if perr != nil {
		return perr
	}
	v.Title = v.Tf("offer.title", "ID", oc.Offer.ID)
	p := offerPage{view: v, OC: oc, Export: marketplace.ExportClass(oc.Accelerator), Form: form, Errs: map[string]string{},
		Scenarios: po.Scenarios, BuyerRegions: po.BuyerRegions, IndexLine: u.offerIndex(c, v, oc)}
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
	req, err := form.request(oc.Offer.Product == string(tariff.ProductHardware))
	if err == nil {
		req.Scenario = form.Scenario
		if v.SignedIn { // the signed-in buyer's quote (pages_buyers.go)
			req.BuyerID = v.Buyer.ID
		}
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
