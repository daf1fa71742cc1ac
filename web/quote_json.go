package web

import "corridor/marketplace/jsonout"

// A quote's answer is encoded by hand (package jsonout): appendJSON writes exactly the bytes
// encoding/json.Marshal (and goccy/go-json, the app's encoder) writes for the same quoteJSON,
// without reflection; under the bench harness's persisted quotes, encoding the answer through
// goccy/go-json was a twentieth of the server's CPU. The types and their tags in api_quotes.go
// stay the one definition of the answer: TestQuoteJSONMatchesStandard holds the encoder to
// encoding/json for random values of every field (a member added to the types but not here
// fails it) and TestNewQuoteAnswerMatchesEncoding for real quotes.

// appendJSON writes the quote.
func (q *quoteJSON) appendJSON(w *jsonout.Writer) {
	w.Object()
	w.Str("id", q.ID)
	w.Str("offer_id", q.OfferID)
	w.Str("status", q.Status)
	if q.OrderID == nil {
		w.Null("order_id")
	} else {
		w.Str("order_id", *q.OrderID)
	}
	if c := q.CancelTerms; c != nil {
		w.Open("cancellation_terms")
		w.Str("kind", c.Kind)
		if c.NoticeHours != nil {
			w.Int("notice_hours", int64(*c.NoticeHours))
		}
		if c.CancellableUntil != nil {
			w.Str("cancellable_until", *c.CancellableUntil)
		}
		w.Close()
	}
	w.Str("currency", q.Currency)
	w.Str("as_of", q.AsOf)
	w.Time("created_at", q.CreatedAt)
	w.Time("valid_until", q.ValidUntil)
	w.Time("start", q.Start)
	w.Time("end", q.End)
	q.Request.appendJSON(w)
	if q.Lines == nil {
		w.Null("lines")
	} else {
		w.OpenArray("lines")
		for i := range q.Lines {
			w.Element()
			q.Lines[i].appendJSON(w)
		}
		w.CloseArray()
	}
	w.Str("subtotal", string(q.Subtotal))
	w.Str("total", string(q.Total))
	w.Str("net_cost", string(q.NetCost))
	w.Str("landed_cost", string(q.LandedCost))
	w.Dec("quantity", q.Quantity)
	w.Dec("per_gpu_hour", q.PerGPUHour)
	w.Dec("per_pflop_hour", q.PerPFLOPHour)
	w.Dec("energy_kwh", q.EnergyKWh)
	w.Dec("emissions_kg_co2e", q.EmissionsKgCO2e)
	w.Str("estimates_note", q.Estimates)
	w.Str("tax_terms", q.TaxTerms)
	p := &q.PricedAs
	w.Open("priced_as")
	w.Str("buyer_type", p.BuyerType)
	w.StrOmit("vat_recovery", p.VATRecovery)
	w.Str("buyer_headquarters", p.BuyerHeadquarters)
	w.StrOmit("purpose", p.Purpose)
	w.Str("supplier_country", p.SupplierCountry)
	w.Strs("supplier_establishments", p.SupplierEstablishments)
	w.Str("hosting_country", p.HostingCountry)
	w.Close()
	w.Str("confidence", q.Confidence)
	if q.ConfidenceNotes == nil {
		w.Null("confidence_notes")
	} else {
		w.OpenArray("confidence_notes")
		for _, n := range q.ConfidenceNotes {
			w.Element()
			w.Object()
			w.Str("subject", n.Subject)
			w.Str("confidence", n.Confidence)
			w.StrOmit("note", n.Note)
			w.Close()
		}
		w.CloseArray()
	}
	if q.FX == nil {
		w.Null("fx")
	} else {
		w.OpenArray("fx")
		for _, f := range q.FX {
			w.Element()
			w.Object()
			w.Str("from", f.From)
			w.Str("to", f.To)
			w.Dec("rate", f.Rate)
			w.Str("date", f.Date)
			w.Str("source", f.Source)
			w.Close()
		}
		w.CloseArray()
	}
	w.Open("policy")
	w.Str("id", q.Policy.ID)
	w.Int("version", int64(q.Policy.Version))
	w.Str("hash", q.Policy.Hash)
	w.Close()
	if q.Flags == nil {
		w.Null("flags")
	} else {
		w.OpenArray("flags")
		for i := range q.Flags {
			f := &q.Flags[i]
			w.Element()
			w.Object()
			w.Str("code", f.Code)
			w.Str("severity", f.Severity)
			w.Str("message", f.Message)
			w.StrOmit("measure", f.Measure)
			w.StrOmit("legal_ref", f.LegalRef)
			w.StrOmit("confidence", f.Confidence)
			w.StrOmit("source", f.Source)
			w.StrOmit("source_as_of", f.SourceAsOf)
			w.Close()
		}
		w.CloseArray()
	}
	w.Str("rounding", q.Rounding)
	w.Int("explanation_considered", int64(q.Considered))
	if q.Trail == nil {
		w.Null("explanation")
	} else {
		w.OpenArray("explanation")
		for i := range q.Trail {
			w.Element()
			q.Trail[i].appendJSON(w)
		}
		w.CloseArray()
	}
	w.Close()
}

func (r *quoteRequestEcho) appendJSON(w *jsonout.Writer) {
	w.Open("request")
	w.Int("gpus", int64(r.GPUs))
	w.Int("hours", int64(r.Hours))
	w.IntOmit("units", int64(r.Units))
	b := &r.Buyer
	w.Open("buyer")
	w.Str("country", b.Country)
	w.Str("type", b.Type)
	w.StrOmit("vat_id", b.VATID)
	w.StrOmit("region", b.Region)
	w.StrOmit("headquarters", b.Headquarters)
	w.StrOmit("vat_recovery", b.VATRecovery)
	w.Close()
	w.Bool("personal_data", r.PersonalData)
	w.StrOmit("scenario", r.Scenario)
	w.StrOmit("purpose", r.Purpose)
	w.StrOmit("tax_terms", r.TaxTerms)
	w.Close()
}

func (l *lineJSON) appendJSON(w *jsonout.Writer) {
	w.Object()
	w.Str("kind", l.Kind)
	w.Str("label", l.Label)
	w.Str("amount", string(l.Amount))
	w.Str("currency", l.Currency)
	w.StrOmit("measure", l.Measure)
	w.StrOmit("rate", l.Rate)
	w.StrOmit("basis", l.Basis)
	w.StrsOmit("legal_ref", l.LegalRef)
	w.Bool("payable", l.Payable)
	w.Bool("recoverable", l.Recoverable)
	w.BoolOmit("included", l.Included)
	w.StrOmit("quota", l.Quota)
	w.StrOmit("confidence", l.Confidence)
	w.StrOmit("source", l.Source)
	w.StrOmit("source_as_of", l.SourceAsOf)
	w.StrOmit("note", l.Note)
	w.Close()
}

func (e *trailJSON) appendJSON(w *jsonout.Writer) {
	w.Object()
	w.Str("measure", e.Measure)
	w.Bool("applied", e.Applied)
	w.Str("reason", e.Reason)
	w.Close()
}
