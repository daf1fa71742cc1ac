package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
	"corridor/web/i18n"
)

// quoteRequestJSON is the body of POST /api/v1/quotes (docs/marketplace.md, "Quotes").
type quoteRequestJSON struct {
	OfferID      string    `json:"offer_id"`
	GPUs         int       `json:"gpus"`
	Hours        int       `json:"hours"`
	Units        int       `json:"units"`
	Buyer        buyerJSON `json:"buyer"`
	Currency     string    `json:"currency"`
	AsOf         string    `json:"as_of"`
	Start        string    `json:"start"`
	PersonalData bool      `json:"personal_data"`
	Scenario     string    `json:"scenario"`
	Purpose      string    `json:"purpose"`   // training | inference | other
	TaxTerms     string    `json:"tax_terms"` // net_of_cn_tax | tax_inclusive; "" = the offer's
}

type buyerJSON struct {
	Country      string `json:"country"`
	Type         string `json:"type"`
	VATID        string `json:"vat_id,omitempty"`
	Region       string `json:"region,omitempty"`
	Headquarters string `json:"headquarters,omitempty"`
	VATRecovery  string `json:"vat_recovery,omitempty"` // a share: "0.6" or "60%"
}

// toDomain converts a buyer, naming buyer.vat_recovery when it does not parse.
func (b buyerJSON) toDomain(fs *[]marketplace.FieldError) marketplace.Buyer {
	out := marketplace.Buyer{Country: strings.ToUpper(strings.TrimSpace(b.Country)), Type: strings.TrimSpace(b.Type),
		VATID: strings.TrimSpace(b.VATID), Region: strings.TrimSpace(b.Region), Headquarters: strings.ToUpper(strings.TrimSpace(b.Headquarters))}
	if b.VATRecovery != "" {
		d, msg := marketplace.ParseShare(b.VATRecovery)
		if msg != "" {
			*fs = append(*fs, marketplace.FieldError{Field: "buyer.vat_recovery", Message: msg + ", got " + quoteShort(b.VATRecovery)})
		}
		out.VATRecovery = decimal.NewNullDecimal(d)
	}
	return out
}

// toBuyerJSON echoes a request's buyer.
func toBuyerJSON(b marketplace.Buyer) buyerJSON {
	j := buyerJSON{Country: b.Country, Type: b.Type, VATID: b.VATID, Region: b.Region, Headquarters: b.Headquarters}
	if b.VATRecovery.Valid {
		j.VATRecovery = b.VATRecovery.Decimal.String()
	}
	return j
}

// toDomain converts the body, naming each field whose text does not parse.
func (r quoteRequestJSON) toDomain() (marketplace.QuoteRequest, error) {
	var fs []marketplace.FieldError
	q := marketplace.QuoteRequest{
		OfferID: strings.TrimSpace(r.OfferID), GPUs: r.GPUs, Hours: r.Hours, Units: r.Units, Buyer: r.Buyer.toDomain(&fs),
		Currency: strings.ToUpper(strings.TrimSpace(r.Currency)), PersonalData: r.PersonalData, Scenario: strings.TrimSpace(r.Scenario),
		Purpose: strings.TrimSpace(r.Purpose), TaxTerms: strings.TrimSpace(r.TaxTerms),
	}
	if r.AsOf != "" {
		d, err := time.Parse(time.DateOnly, r.AsOf)
		if err != nil {
			fs = append(fs, marketplace.FieldError{Field: "as_of", Message: "must be a date YYYY-MM-DD, got " + quoteShort(r.AsOf)})
		}
		q.AsOf = d
	}
	if r.Start != "" {
		t, err := time.Parse(time.RFC3339, r.Start)
		if err != nil {
			fs = append(fs, marketplace.FieldError{Field: "start", Message: "must be an RFC 3339 time such as 2026-12-01T00:00:00Z, got " + quoteShort(r.Start)})
		}
		q.Start = t.UTC()
	}
	if len(fs) > 0 {
		return q, marketplace.Invalid("the quote request has invalid fields", fs...)
	}
	return q, nil
}

// quoteJSON is a quote as the API serves it (docs/marketplace.md, "Quotes").
type quoteJSON struct {
	ID              string            `json:"id"`
	OfferID         string            `json:"offer_id"`
	Status          string            `json:"status"`   // valid | expired | accepted
	OrderID         *string           `json:"order_id"` // the order the quote became, once accepted
	CancelTerms     *cancellationJSON `json:"cancellation_terms,omitempty"`
	Currency        string            `json:"currency"`
	AsOf            string            `json:"as_of"`
	CreatedAt       time.Time         `json:"created_at"`
	ValidUntil      time.Time         `json:"valid_until"`
	Start           time.Time         `json:"start"`
	End             time.Time         `json:"end"`
	Request         quoteRequestEcho  `json:"request"`
	Lines           []lineJSON        `json:"lines"`
	Subtotal        amount            `json:"subtotal"`
	Total           amount            `json:"total"`
	NetCost         amount            `json:"net_cost"`
	LandedCost      amount            `json:"landed_cost"`
	Quantity        decimal.Decimal   `json:"quantity"`
	PerGPUHour      decimal.Decimal   `json:"per_gpu_hour"`
	PerPFLOPHour    decimal.Decimal   `json:"per_pflop_hour"`
	EnergyKWh       decimal.Decimal   `json:"energy_kwh"`
	EmissionsKgCO2e decimal.Decimal   `json:"emissions_kg_co2e"`
	Estimates       string            `json:"estimates_note"`
	// TaxTerms are the terms taxes withheld at source were computed under: the request's, or
	// the offer's (net_of_cn_tax unless it says tax_inclusive).
	TaxTerms string       `json:"tax_terms"`
	PricedAs pricedAsJSON `json:"priced_as"`
	// Confidence is the weakest confidence of the figures the quote rests on (its lines, flags
	// and FX rates): sourced, estimate or illustrative; ConfidenceNotes name each figure that
	// is not sourced.
	Confidence      string               `json:"confidence"`
	ConfidenceNotes []confidenceNoteJSON `json:"confidence_notes"`
	FX              []fxUseJSON          `json:"fx"`
	Policy          policyRefJSON        `json:"policy"`
	Flags           []flagJSON           `json:"flags"`
	Rounding        string               `json:"rounding"`
	// Considered is how many measures the quote's policy held and were considered: the length
	// of the whole explanation, whatever Trail lists (explainScope).
	Considered int `json:"explanation_considered"`
	// Trail is the explanation: with explainApplied the measures that applied, with
	// explainAll every measure considered and why it did or did not apply; null for a quote
	// priced without a policy. The answer's last member (quoteanswer.go).
	Trail []trailJSON `json:"explanation"`
}

// explainScope is what a quote's explanation lists, the explain parameter of the quote
// endpoints. An explanation lists every measure of the policy, applied or not: ~300 entries
// and 29 KB of a 34 KB answer, nearly all of them "not applied" and why. What applied is what
// a buyer, and finance, reads; an analyst asks for the rest.
type explainScope bool

const (
	explainApplied explainScope = false // explain=applied, the default: the measures that applied
	explainAll     explainScope = true  // explain=all: every measure considered, and why
)

// explainParam reads the explain parameter, naming it when it is neither applied nor all.
func explainParam(c *fiber.Ctx) (explainScope, error) {
	switch v := c.Query("explain"); v {
	case "", "applied":
		return explainApplied, nil
	case "all":
		return explainAll, nil
	default:
		return explainApplied, marketplace.Invalid("unknown explanation scope",
			marketplace.FieldError{Field: "explain", Message: "must be applied or all, got " + quoteShort(v)})
	}
}

type quoteRequestEcho struct {
	GPUs         int       `json:"gpus"`
	Hours        int       `json:"hours"`
	Units        int       `json:"units,omitempty"`
	Buyer        buyerJSON `json:"buyer"`
	PersonalData bool      `json:"personal_data"`
	Scenario     string    `json:"scenario,omitempty"`
	Purpose      string    `json:"purpose,omitempty"`
	TaxTerms     string    `json:"tax_terms,omitempty"`
}

// pricedAsJSON says who and what the quote was priced for, as resolved: the buyer type priced
// (a business in the EU without a VAT number valid for its country is priced as a consumer),
// the share of VAT it recovers, where the supplier is established (VAT) and where the capacity
// is hosted (customs origin, export control, data transfers), the buyer's headquarters and
// the declared purpose.
type pricedAsJSON struct {
	BuyerType              string   `json:"buyer_type"`
	VATRecovery            string   `json:"vat_recovery,omitempty"`
	BuyerHeadquarters      string   `json:"buyer_headquarters"`
	Purpose                string   `json:"purpose,omitempty"`
	SupplierCountry        string   `json:"supplier_country"`
	SupplierEstablishments []string `json:"supplier_establishments"`
	HostingCountry         string   `json:"hosting_country"`
}

// confidenceNoteJSON names one figure of a quote that is not sourced.
type confidenceNoteJSON struct {
	Subject    string `json:"subject"`
	Confidence string `json:"confidence"`
	Note       string `json:"note,omitempty"`
}

type lineJSON struct {
	Kind        string   `json:"kind"`
	Label       string   `json:"label"`
	Amount      amount   `json:"amount"`
	Currency    string   `json:"currency"`
	Measure     string   `json:"measure,omitempty"`
	Rate        string   `json:"rate,omitempty"`
	Basis       string   `json:"basis,omitempty"`
	LegalRef    []string `json:"legal_ref,omitempty"`
	Payable     bool     `json:"payable"`
	Recoverable bool     `json:"recoverable"`
	Included    bool     `json:"included,omitempty"`
	Quota       string   `json:"quota,omitempty"`
	// The measure's (on price lines the offer's) provenance: how sure the line is.
	Confidence string `json:"confidence,omitempty"`
	Source     string `json:"source,omitempty"`
	SourceAsOf string `json:"source_as_of,omitempty"`
	Note       string `json:"note,omitempty"`
}

type fxUseJSON struct {
	From   string          `json:"from"`
	To     string          `json:"to"`
	Rate   decimal.Decimal `json:"rate"`
	Date   string          `json:"date"`
	Source string          `json:"source"`
}

type policyRefJSON struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

type flagJSON struct {
	Code       string `json:"code"`
	Severity   string `json:"severity"`
	Message    string `json:"message"`
	Measure    string `json:"measure,omitempty"`
	LegalRef   string `json:"legal_ref,omitempty"`
	Confidence string `json:"confidence,omitempty"`
	Source     string `json:"source,omitempty"`
	SourceAsOf string `json:"source_as_of,omitempty"`
}

type trailJSON struct {
	Measure string `json:"measure"`
	Applied bool   `json:"applied"`
	Reason  string `json:"reason"`
}

const estimatesNote = "energy_kwh and emissions_kg_co2e are estimates: GPU TDP × hours × the region's PUE target, × the grid's average carbon intensity"

func toFlagsJSON(flags []tariff.Flag) []flagJSON {
	out := make([]flagJSON, 0, len(flags))
	for _, f := range flags {
		out = append(out, flagJSON{Code: f.Code, Severity: string(f.Severity), Message: f.Message, Measure: f.MeasureID, LegalRef: strings.Join(f.Legal, "; "),
			Confidence: f.Confidence, Source: f.Source, SourceAsOf: f.AsOf})
	}
	return out
}

// toQuoteJSON renders a stored quote for the API, its explanation as scope says; acc is the
// offer's accelerator, whose name the base line's label carries (i18n.LineLabel, in English).
func toQuoteJSON(pq marketplace.Quote, acc marketplace.Accelerator, now time.Time, scope explainScope) quoteJSON {
	out := toQuoteJSONWithoutTrail(pq, acc, now)
	out.Trail = toTrailJSON(pq.Priced.Trail, scope)
	return out
}

// toQuoteJSONWithoutTrail is toQuoteJSON without the explanation (quoteanswer.go adds a kept
// encoding of it).
func toQuoteJSONWithoutTrail(pq marketplace.Quote, acc marketplace.Accelerator, now time.Time) quoteJSON {
	p := pq.Priced
	out := quoteJSON{
		ID: pq.ID, OfferID: pq.OfferID, Status: pq.Status(now), CancelTerms: toCancellationJSON(pq.Cancellation, pq.Start),
		Currency: p.Currency, AsOf: p.AsOf.Format(time.DateOnly),
		CreatedAt: pq.CreatedAt, ValidUntil: pq.ValidUntil, Start: pq.Start, End: pq.End,
		Request: quoteRequestEcho{GPUs: pq.Request.GPUs, Hours: pq.Request.Hours, Units: pq.Request.Units,
			Buyer: toBuyerJSON(pq.Request.Buyer), PersonalData: pq.Request.PersonalData, Scenario: pq.Request.Scenario,
			Purpose: pq.Request.Purpose, TaxTerms: pq.Request.TaxTerms},
		TaxTerms: string(p.TaxTerms), PricedAs: toPricedAs(p),
		Subtotal: fixed(p.Subtotal, p.Currency), Total: fixed(p.Total, p.Currency), NetCost: fixed(p.NetCost, p.Currency),
		LandedCost: fixed(p.LandedCost, p.Currency), Quantity: p.Quantity,
		PerGPUHour: p.PerGPUHour, PerPFLOPHour: p.PerPFLOPHour, EnergyKWh: p.EnergyKWh, EmissionsKgCO2e: p.EmissionsKgCO2e,
		Estimates: estimatesNote, Policy: policyRefJSON{ID: p.Policy.ID, Version: p.Policy.Version, Hash: p.Policy.Hash},
		Flags: toFlagsJSON(p.Flags), Rounding: string(p.Rounding), Considered: len(p.Trail),
	}
	if pq.OrderID != "" {
		id := pq.OrderID
		out.OrderID = &id
	}
	en, names := i18n.Default(), accNames(acc)
	if len(p.Lines) > 0 {
		out.Lines = make([]lineJSON, 0, len(p.Lines))
	}
	for _, l := range p.Lines {
		out.Lines = append(out.Lines, lineJSON{Kind: l.Kind, Label: en.LineLabel(i18n.QuoteLine(p, l, names)), Amount: fixed(l.Amount, l.Currency), Currency: l.Currency, Measure: l.MeasureID,
			Rate: l.Rate, Basis: l.Basis, LegalRef: l.LegalRef, Payable: l.Payable, Recoverable: l.Recoverable, Included: l.Included, Quota: l.Quota,
			Confidence: l.Confidence, Source: l.Source, SourceAsOf: l.AsOf, Note: l.Note})
	}
	rel := p.Reliance()
	out.Confidence, out.ConfidenceNotes = rel.Confidence, []confidenceNoteJSON{}
	for _, r := range rel.Reasons {
		out.ConfidenceNotes = append(out.ConfidenceNotes, confidenceNoteJSON{Subject: r.Subject, Confidence: r.Confidence, Note: r.Note})
	}
	for _, f := range p.FX {
		out.FX = append(out.FX, fxUseJSON{From: f.From, To: f.To, Rate: f.Rate, Date: f.Date.Format(time.DateOnly), Source: f.Source})
	}
	if out.FX == nil {
		out.FX = []fxUseJSON{}
	}
	return out
}

// toTrailJSON renders a quote's explanation as scope says (nil for none: no policy; with
// explainApplied and no measure applied, empty).
func toTrailJSON(trail []tariff.Consideration, scope explainScope) []trailJSON {
	if len(trail) == 0 {
		return nil
	}
	if scope == explainApplied {
		out := []trailJSON{}
		for i := range trail {
			if trail[i].Applied {
				out = append(out, toTrailEntry(trail[i]))
			}
		}
		return out
	}
	out := make([]trailJSON, len(trail)) // ~300 entries: allocated once, not grown
	for i, c := range trail {
		out[i] = toTrailEntry(c)
	}
	return out
}

// toTrailEntry is one entry of a quote's explanation as the API serves it.
func toTrailEntry(c tariff.Consideration) trailJSON {
	return trailJSON{Measure: c.MeasureID, Applied: c.Applied, Reason: c.Reason}
}

// toPricedAs says who and what a quote was priced for (pricedAsJSON).
func toPricedAs(p pricing.Quote) pricedAsJSON {
	r, o := p.Request, p.Offer
	j := pricedAsJSON{BuyerType: string(r.BuyerType), BuyerHeadquarters: r.BuyerHeadquarters, Purpose: string(r.Purpose),
		SupplierCountry: o.SupplierCountry, SupplierEstablishments: append([]string{}, o.SupplierEstablishments...), HostingCountry: o.Origin}
	if j.BuyerHeadquarters == "" {
		j.BuyerHeadquarters = r.BuyerCountry
	}
	if j.SupplierCountry == "" {
		j.SupplierCountry = o.Origin // quotes priced before establishment was modelled
	}
	if r.BuyerType == tariff.BuyerBusiness {
		j.VATRecovery = "1"
		if r.VATRecovery.Valid {
			j.VATRecovery = r.VATRecovery.Decimal.String()
		}
	}
	return j
}

func handleQuoteCreate(m quoteAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		scope, err := explainParam(c)
		if err != nil {
			return err
		}
		var body quoteRequestJSON
		if err := decodeStrict(c, &body); err != nil {
			return err
		}
		req, err := body.toDomain()
		if err != nil {
			return err
		}
		if b, ok := buyerOf(c); ok { // the buyer's own quote, its account filling what the body leaves out
			req.BuyerID = b.ID
		}
		pq, err := m.Quote(c.UserContext(), req)
		if err != nil {
			return err
		}
		c.Location("/api/v1/quotes/" + pq.ID)
		return sendNewQuote(c.Status(fiber.StatusCreated), pq, m.Now(), scope)
	}
}

func handleQuoteGet(m quoteAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		scope, err := explainParam(c)
		if err != nil {
			return err
		}
		pq, err := m.GetQuote(c.UserContext(), strings.Clone(c.Params("id")))
		if err != nil {
			return err
		}
		switch c.Query("format") {
		case "", "json":
		case "csv":
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+pq.ID+`.csv"`)
			c.Type("csv", "utf-8")
			return c.SendString(quoteCSV(toQuoteJSON(pq, quoteAccelerator(c, m, pq), m.Now(), scope)))
		default:
			return marketplace.Invalid("unknown format", marketplace.FieldError{Field: "format", Message: "must be json or csv"})
		}
		q := toQuoteJSON(pq, quoteAccelerator(c, m, pq), m.Now(), scope)
		return sendQuoteJSON(c, &q)
	}
}

// quoteAccelerator reads the accelerator of a quote's offer, for the name in the base line's
// label. Offers are withdrawn, never deleted; should the read fail all the same, the label
// names the accelerator by its catalogue code, which the stored quote keeps.
func quoteAccelerator(c *fiber.Ctx, m quoteAPI, pq marketplace.Quote) marketplace.Accelerator {
	oc, err := m.OfferDetail(c.UserContext(), pq.OfferID)
	if err != nil {
		return marketplace.Accelerator{Model: pq.Priced.Offer.Accelerator.Model}
	}
	return oc.Accelerator
}

// quoteCSV renders the quote's lines for a spreadsheet: one row per line, then the totals.
func quoteCSV(q quoteJSON) string {
	var b strings.Builder
	w := func(cells ...string) { writeCSVRow(&b, cells...) }
	w("quote", q.ID, "offer", q.OfferID, "as_of", q.AsOf, "valid_until", q.ValidUntil.Format(time.RFC3339))
	w("kind", "label", "amount", "currency", "payable", "measure", "rate", "basis", "legal_ref", "confidence", "source", "source_as_of")
	for _, l := range q.Lines {
		w(l.Kind, l.Label, string(l.Amount), l.Currency, strconv.FormatBool(l.Payable), l.Measure, l.Rate, l.Basis, strings.Join(l.LegalRef, "; "),
			l.Confidence, l.Source, l.SourceAsOf)
	}
	w("subtotal", "", string(q.Subtotal), q.Currency)
	w("total", "", string(q.Total), q.Currency)
	w("net_cost", "", string(q.NetCost), q.Currency)
	w("tax_terms", q.TaxTerms)
	w("confidence", q.Confidence)
	for _, n := range q.ConfidenceNotes {
		w("confidence_note", n.Subject, "", "", "", "", "", "", "", n.Confidence, n.Note)
	}
	for _, f := range q.FX {
		w("fx", f.From+"/"+f.To, f.Rate.String(), "", "", "", "", f.Date, f.Source)
	}
	for _, f := range q.Flags {
		w("flag", f.Code, "", "", "", f.Measure, f.Severity, f.Message, f.LegalRef, f.Confidence, f.Source, f.SourceAsOf)
	}
	return b.String()
}

// writeCSVRow writes one CSV record (RFC 4180, CRLF) of cells through csvCell.
func writeCSVRow(b *strings.Builder, cells ...string) {
	for i, cell := range cells {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(csvCell(cell))
	}
	b.WriteString("\r\n")
}

// csvCell quotes a cell when needed and defuses spreadsheet formula injection.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := decimal.NewFromString(s); err != nil {
			s = "'" + s
		}
	}
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func minor(cur string) int32 {
	if n, ok := pricing.MinorUnits(cur); ok {
		return int32(n)
	}
	return 2
}

// QuoteDocument renders a stored quote exactly as GET /api/v1/quotes/{id}?explain=all serves
// it, for the command-line tools; acc is the accelerator of the quote's offer (its name is in
// the base line's label).
func QuoteDocument(pq marketplace.Quote, acc marketplace.Accelerator, now time.Time) ([]byte, error) {
	return json.MarshalIndent(toQuoteJSON(pq, acc, now, explainAll), "", "  ")
}

// amount is a rounded money amount rendered with exactly the currency's minor units
// ("1529.78", "12640.00", "1500" for JPY), as finance expects to read it.
type amount string

// fixed renders an already-rounded amount with its currency's minor units.
func fixed(d decimal.Decimal, currency string) amount {
	return amount(d.StringFixed(minor(currency)))
}
