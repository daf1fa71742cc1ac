package store

import "corridor/marketplace/jsonout"

// A quote's record is encoded by hand (package jsonout): appendJSON writes exactly the bytes
// encoding/json.Marshal writes for the same quoteRecord, so the record types and their tags
// stay the one definition of the stored form, read back with encoding/json.
// TestQuoteRecordJSONMatchesStandard holds it to that for every shape of quote, and
// TestQuoteRecordJSONProperty for random values of every field (a member added to the types
// but not here fails it).

// appendJSON writes the record.
func (r *quoteRecord) appendJSON(w *jsonout.Writer) {
	w.Object()
	w.Int("v", int64(r.Version))
	r.Request.appendJSON(w)
	r.Inputs.appendJSON(w)
	r.Result.appendJSON(w)
	if c := r.Cancellation; c != nil {
		w.Open("cancellation")
		w.Str("kind", c.Kind)
		w.Int("notice_hours", int64(c.NoticeHours))
		w.Close()
	}
	w.Close()
}

func (r *requestRecord) appendJSON(w *jsonout.Writer) {
	w.Open("request")
	w.Str("offer_id", r.OfferID)
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
	w.NullDec("vat_recovery", b.VATRecovery)
	w.Close()
	w.Str("currency", r.Currency)
	w.Time("as_of", r.AsOf)
	w.Time("start", r.Start)
	w.BoolOmit("personal_data", r.PersonalData)
	w.StrOmit("scenario", r.Scenario)
	w.StrOmit("purpose", r.Purpose)
	w.StrOmit("tax_terms", r.TaxTerms)
	w.StrOmit("buyer_id", r.BuyerID)
	w.Close()
}

func (r *inputsRecord) appendJSON(w *jsonout.Writer) {
	w.Open("inputs")
	r.Offer.appendJSON(w)
	p := &r.Request
	w.Open("request")
	w.IntOmit("gpus", int64(p.GPUs))
	w.IntOmit("hours", int64(p.Hours))
	w.IntOmit("units", int64(p.Units))
	w.Str("buyer_country", p.BuyerCountry)
	w.StrOmit("buyer_region", p.BuyerRegion)
	w.Str("buyer_type", p.BuyerType)
	w.Str("currency", p.Currency)
	w.Time("as_of", p.AsOf)
	w.Time("start", p.Start)
	w.BoolOmit("personal_data", p.PersonalData)
	w.Dec("freight", p.Freight)
	w.Dec("insurance", p.Insurance)
	w.StrOmit("buyer_headquarters", p.BuyerHeadquarters)
	w.StrOmit("purpose", p.Purpose)
	w.StrOmit("tax_terms", p.TaxTerms)
	w.NullDec("vat_recovery", p.VATRecovery)
	w.Close()
	r.Baseline.appendJSON(w, "baseline")
	if r.Scenario != nil {
		r.Scenario.appendJSON(w, "scenario")
	}
	w.Open("fx")
	w.Time("date", r.FX.Date)
	if r.FX.Rates == nil {
		w.Null("rates")
	} else {
		w.Open("rates")
		for _, cur := range jsonout.SortedKeys(r.FX.Rates) {
			rt := r.FX.Rates[cur]
			w.Key(cur)
			w.Object()
			w.Dec("per_eur", rt.PerEUR)
			w.Time("date", rt.Date)
			w.Str("source", rt.Source)
			w.TimeOmit("carried_from", rt.CarriedFrom)
			w.Close()
		}
		w.Close()
	}
	w.Close()
	w.DecMapOmit("quota", r.Quota)
	w.DecMapOmit("subsidy_used", r.SubsidyUsed)
	w.Time("now", r.Now)
	w.IntOmit("validity_ns", r.ValidityNS)
	w.StrOmit("rounding", r.Rounding)
	if len(r.Notices) > 0 {
		appendFlagRecords(w, "notices", r.Notices)
	}
	w.Close()
}

func (o *offerTermsRecord) appendJSON(w *jsonout.Writer) {
	w.Open("offer")
	w.Str("id", o.ID)
	w.Str("product", o.Product)
	w.Dec("price", o.Price)
	w.Str("currency", o.Currency)
	w.StrOmit("pricing", o.Pricing)
	w.IntOmit("min_hours", int64(o.MinHours))
	w.IntOmit("term_months", int64(o.TermMonths))
	if len(o.Tiers) > 0 {
		w.OpenArray("tiers")
		for _, t := range o.Tiers {
			w.Element()
			w.Object()
			w.Dec("min_gpu_hours", t.MinGPUHours)
			w.Dec("discount", t.Discount)
			w.Close()
		}
		w.CloseArray()
	}
	w.Int("capacity", int64(o.Capacity))
	w.Time("available_from", o.AvailableFrom)
	w.Time("available_until", o.AvailableUntil)
	w.StrOmit("hs_code", o.HSCode)
	w.Str("origin", o.Origin)
	w.Str("region", o.Region)
	w.Str("bloc", o.Bloc)
	w.Dec("pue", o.PUE)
	w.Dec("grid_kg_per_kwh", o.GridKgPerKWh)
	w.Str("accelerator", o.Accelerator)
	w.Str("vendor_country", o.VendorCountry)
	w.StrOmit("fab_country", o.FabCountry)
	w.Dec("tpp", o.TPP)
	w.Dec("density", o.Density)
	w.Dec("bf16_tflops", o.BF16TFLOPS)
	w.Dec("tdp_w", o.TDPW)
	w.StrOmit("supplier_country", o.SupplierCountry)
	w.StrsOmit("supplier_establishments", o.SupplierEstablishments)
	w.StrsOmit("listings", o.Listings)
	w.StrOmit("tax_terms", o.TaxTerms)
	o.Provenance.appendJSON(w)
	w.Close()
}

func (p *provenanceRecord) appendJSON(w *jsonout.Writer) {
	w.Open("provenance")
	w.StrOmit("source", p.Source)
	w.StrOmit("as_of", p.AsOf)
	w.StrOmit("confidence", p.Confidence)
	w.StrOmit("note", p.Note)
	w.Close()
}

func (r *policyRefRecord) appendJSON(w *jsonout.Writer, name string) {
	w.Open(name)
	w.Str("id", r.ID)
	w.Int("version", int64(r.Version))
	w.Str("hash", r.Hash)
	w.Close()
}

func (r *resultRecord) appendJSON(w *jsonout.Writer) {
	w.Open("result")
	w.Time("as_of", r.AsOf)
	w.Time("valid_until", r.ValidUntil)
	if r.Lines == nil {
		w.Null("lines")
	} else {
		w.OpenArray("lines")
		for i := range r.Lines {
			w.Element()
			r.Lines[i].appendJSON(w)
		}
		w.CloseArray()
	}
	w.Dec("subtotal", r.Subtotal)
	w.Dec("total", r.Total)
	w.Dec("net_cost", r.NetCost)
	w.Dec("landed_cost", r.LandedCost)
	w.Dec("quantity", r.Quantity)
	w.Dec("per_gpu_hour", r.PerGPUHour)
	w.Dec("per_pflop_hour", r.PerPFLOPHour)
	w.Dec("energy_kwh", r.EnergyKWh)
	w.Dec("emissions_kg_co2e", r.EmissionsKgCO2e)
	if r.FX == nil {
		w.Null("fx")
	} else {
		w.OpenArray("fx")
		for _, u := range r.FX {
			w.Element()
			w.Object()
			w.Str("from", u.From)
			w.Str("to", u.To)
			w.Dec("rate", u.Rate)
			w.Time("date", u.Date)
			w.Str("source", u.Source)
			w.Dec("from_per_eur", u.FromPerEUR)
			w.Dec("to_per_eur", u.ToPerEUR)
			w.TimeOmit("carried_from", u.CarriedFrom)
			w.Close()
		}
		w.CloseArray()
	}
	appendFlagRecords(w, "flags", r.Flags)
	if r.Trail == nil {
		w.Null("explanation")
	} else {
		w.Str("explanation", *r.Trail)
	}
	w.StrOmit("explanation_ref", r.TrailRef)
	w.BoolOmit("explanation_noted", r.TrailNoted)
	if len(r.TrailNotes) > 0 {
		w.OpenArray("explanation_notes")
		for _, n := range r.TrailNotes {
			w.Element()
			w.Object()
			w.Int("i", int64(n.Index))
			w.Str("measure", n.Measure)
			w.BoolOmit("applied", n.Applied)
			w.Str("reason", n.Reason)
			w.Close()
		}
		w.CloseArray()
	}
	r.Policy.appendJSON(w, "policy")
	w.Str("rounding", r.Rounding)
	w.Close()
}

func (l *lineRecord) appendJSON(w *jsonout.Writer) {
	w.Object()
	w.Str("kind", l.Kind)
	w.Str("label", l.Label)
	w.StrOmit("label_zh", l.LabelZH)
	w.Dec("amount", l.Amount)
	w.Str("currency", l.Currency)
	w.StrOmit("measure", l.MeasureID)
	w.StrOmit("rate", l.Rate)
	w.StrOmit("basis", l.Basis)
	w.StrOmit("basis_kind", l.BasisKind)
	w.Dec("base_amount", l.BaseAmount)
	w.Strs("legal_ref", l.LegalRef)
	w.BoolOmit("payable", l.Payable)
	w.BoolOmit("recoverable", l.Recoverable)
	w.BoolOmit("included", l.Included)
	w.StrOmit("quota", l.Quota)
	w.Dec("quota_volume", l.QuotaVolume)
	w.StrOmit("jurisdiction", l.Jurisdiction)
	l.Provenance.appendJSON(w)
	w.Close()
}

// appendFlagRecords writes a []flagRecord member without omitempty (null for nil); the
// notices, which have omitempty, are written only when there are some.
func appendFlagRecords(w *jsonout.Writer, name string, fs []flagRecord) {
	if fs == nil {
		w.Null(name)
		return
	}
	w.OpenArray(name)
	for i := range fs {
		f := &fs[i]
		w.Element()
		w.Object()
		w.Str("code", f.Code)
		w.Str("severity", f.Severity)
		w.Str("message", f.Message)
		w.StrOmit("measure", f.MeasureID)
		w.Strs("legal", f.Legal)
		w.StrOmit("source", f.Source)
		w.StrOmit("as_of", f.AsOf)
		w.StrOmit("confidence", f.Confidence)
		w.StrOmit("note", f.Note)
		w.Close()
	}
	w.CloseArray()
}
