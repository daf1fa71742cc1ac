package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate" // standard DEFLATE, about twice as fast as compress/flate at level 1
	"github.com/klauspost/compress/s2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/jsonout"
	"corridor/pricing"
	"corridor/tariff"
)

// The stored form of a quote: what was asked, the resolved inputs it was priced from and the
// result, each field named by an explicit JSON tag and the whole marked with a schema version,
// so that no change to a Go type (in pricing, tariff or here) can silently change what a stored
// quote means. Changing the record means a new quoteRecordVersion, a decoder for the old one
// and a migration (migrations.go); the JSON names below never change meaning. A member added
// later is optional, and its absence means what quotes of earlier releases were priced with
// (no supplier country: established where it hosts; no tax terms: withholding carved out; no
// VAT recovery: all of it; no provenance; no buyer: asked anonymously; no cancellation terms:
// the offer's terms when accepted), so adding one needs no new version.
//
// The record's JSON is written by hand (quote_record_json.go with package jsonout: what
// encoding/json writes for these types, checked member by member) and stored compressed (S2
// with a dictionary, quote_record_dict.go; S2 streams and DEFLATE in earlier releases).
// Adding a member means adding it to appendJSON too, which
// TestQuoteRecordJSONProperty enforces.
// Its largest part, the explanation trail (one entry per measure of the policy), is stored
// once for the quotes that share it and named in the record (version 2,
// quote_explanations.go); a record of version 1, or one whose explanation has notes of its
// own, holds it.

// quoteRecordVersion is the schema version encodeQuoteRecord writes for most records. Version 2
// may name its explanation (explanation_ref: quote_explanations.go) instead of holding it;
// version 1 always holds it. notedQuoteRecordVersion, 3, is a record that names the shared
// explanation its own was copied from and holds its notes (explanation_notes): a new version,
// because a reader of version 2 would take the shared explanation for the quote's. All three
// are read.
const (
	quoteRecordVersion      = 2
	notedQuoteRecordVersion = 3
)

// recordVersion is the version of q's record naming shared (nil: holding its explanation).
func recordVersion(q marketplace.Quote, shared *sharedExplanation) int {
	if _, named := recordNotes(q, shared); named && q.Priced.TrailNoted {
		return notedQuoteRecordVersion
	}
	return quoteRecordVersion
}

// recordNotes says how q's record keeps its explanation: named (by shared) or held, and for a
// noted explanation that is named, its notes. A noted explanation whose notes cannot be taken
// against its base is held, whatever shared says, so that no record names an explanation it
// cannot be read back from (recordExplanation names only those that can).
func recordNotes(q marketplace.Quote, shared *sharedExplanation) (notes []trailNoteRecord, named bool) {
	if shared == nil {
		return nil, false
	}
	if !q.Priced.TrailNoted {
		return nil, true
	}
	return trailNotes(q.Priced.Trail, q.Priced.TrailBase)
}

type quoteRecord struct {
	Version int           `json:"v"`
	Request requestRecord `json:"request"`
	Inputs  inputsRecord  `json:"inputs"`
	Result  resultRecord  `json:"result"`
	// Cancellation is the offer's cancellation terms the quote was priced under, which the
	// order keeps; absent in quotes priced before offers had terms.
	Cancellation *cancellationRecord `json:"cancellation,omitempty"`
}

// cancellationRecord is marketplace.Cancellation.
type cancellationRecord struct {
	Kind        string `json:"kind"`
	NoticeHours int    `json:"notice_hours"`
}

// requestRecord is the quote request as asked (marketplace.QuoteRequest), its pricing date
// and start resolved.
type requestRecord struct {
	OfferID      string      `json:"offer_id"`
	GPUs         int         `json:"gpus"`
	Hours        int         `json:"hours"`
	Units        int         `json:"units,omitempty"`
	Buyer        buyerRecord `json:"buyer"`
	Currency     string      `json:"currency"`
	AsOf         time.Time   `json:"as_of"`
	Start        time.Time   `json:"start"`
	PersonalData bool        `json:"personal_data,omitempty"`
	Scenario     string      `json:"scenario,omitempty"`
	Purpose      string      `json:"purpose,omitempty"`
	TaxTerms     string      `json:"tax_terms,omitempty"` // as asked: "" = the offer's
	BuyerID      string      `json:"buyer_id,omitempty"`  // the signed-in account that asked: "" = anonymous
}

type buyerRecord struct {
	Country      string              `json:"country"`
	Type         string              `json:"type"`
	VATID        string              `json:"vat_id,omitempty"`
	Region       string              `json:"region,omitempty"`
	Headquarters string              `json:"headquarters,omitempty"`
	VATRecovery  decimal.NullDecimal `json:"vat_recovery"` // null: all of it (and in quotes of earlier releases)
}

// inputsRecord is pricing.Inputs without the compiled policy, which the baseline and scenario
// references name.
type inputsRecord struct {
	Offer       offerTermsRecord           `json:"offer"`
	Request     pricingRequestRecord       `json:"request"`
	Baseline    policyRefRecord            `json:"baseline"`
	Scenario    *policyRefRecord           `json:"scenario,omitempty"`
	FX          snapshotRecord             `json:"fx"`
	Quota       map[string]decimal.Decimal `json:"quota,omitempty"`
	SubsidyUsed map[string]decimal.Decimal `json:"subsidy_used,omitempty"`
	Now         time.Time                  `json:"now"`
	ValidityNS  int64                      `json:"validity_ns,omitempty"`
	Rounding    string                     `json:"rounding,omitempty"`
	Notices     []flagRecord               `json:"notices,omitempty"`
}

type offerTermsRecord struct {
	ID             string          `json:"id"`
	Product        string          `json:"product"`
	Price          decimal.Decimal `json:"price"`
	Currency       string          `json:"currency"`
	Pricing        string          `json:"pricing,omitempty"`
	MinHours       int             `json:"min_hours,omitempty"`
	TermMonths     int             `json:"term_months,omitempty"`
	Tiers          []tierJSON      `json:"tiers,omitempty"`
	Capacity       int             `json:"capacity"`
	AvailableFrom  time.Time       `json:"available_from"`
	AvailableUntil time.Time       `json:"available_until"`
	HSCode         string          `json:"hs_code,omitempty"`
	Origin         string          `json:"origin"`
	Region         string          `json:"region"`
	Bloc           string          `json:"bloc"`
	PUE            decimal.Decimal `json:"pue"`
	GridKgPerKWh   decimal.Decimal `json:"grid_kg_per_kwh"`
	Accelerator    string          `json:"accelerator"`
	VendorCountry  string          `json:"vendor_country"`
	FabCountry     string          `json:"fab_country,omitempty"`
	TPP            decimal.Decimal `json:"tpp"`
	Density        decimal.Decimal `json:"density"`
	BF16TFLOPS     decimal.Decimal `json:"bf16_tflops"`
	TDPW           decimal.Decimal `json:"tdp_w"`
	// Where the supplier is established, the lists it declares, the offer's tax terms and
	// its price's provenance; all empty in quotes of earlier releases, which priced without
	// them (the supplier taken to be established where it hosts, withholding carved out).
	SupplierCountry        string           `json:"supplier_country,omitempty"`
	SupplierEstablishments []string         `json:"supplier_establishments,omitempty"`
	Listings               []string         `json:"listings,omitempty"`
	TaxTerms               string           `json:"tax_terms,omitempty"`
	Provenance             provenanceRecord `json:"provenance"`
}

// provenanceRecord is a figure's source, as-of date, confidence and note (tariff.Provenance).
type provenanceRecord struct {
	Source     string `json:"source,omitempty"`
	AsOf       string `json:"as_of,omitempty"`
	Confidence string `json:"confidence,omitempty"`
	Note       string `json:"note,omitempty"`
}

type pricingRequestRecord struct {
	GPUs         int             `json:"gpus,omitempty"`
	Hours        int             `json:"hours,omitempty"`
	Units        int             `json:"units,omitempty"`
	BuyerCountry string          `json:"buyer_country"`
	BuyerRegion  string          `json:"buyer_region,omitempty"`
	BuyerType    string          `json:"buyer_type"`
	Currency     string          `json:"currency"`
	AsOf         time.Time       `json:"as_of"`
	Start        time.Time       `json:"start"`
	PersonalData bool            `json:"personal_data,omitempty"`
	Freight      decimal.Decimal `json:"freight"`
	Insurance    decimal.Decimal `json:"insurance"`
	// As resolved: the buyer type above is the one priced (a business without the VAT number
	// its country requires is priced as a consumer).
	BuyerHeadquarters string              `json:"buyer_headquarters,omitempty"`
	Purpose           string              `json:"purpose,omitempty"`
	TaxTerms          string              `json:"tax_terms,omitempty"`
	VATRecovery       decimal.NullDecimal `json:"vat_recovery"`
}

type policyRefRecord struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Hash    string `json:"hash"`
}

// snapshotRecord keeps the rates a quote used (pricing.Snapshot.Only).
type snapshotRecord struct {
	Date  time.Time             `json:"date"`
	Rates map[string]rateRecord `json:"rates"`
}

type rateRecord struct {
	PerEUR      decimal.Decimal `json:"per_eur"`
	Date        time.Time       `json:"date"`
	Source      string          `json:"source"`
	CarriedFrom *time.Time      `json:"carried_from,omitempty"`
}

// resultRecord is what pricing.Price computed; the fields of pricing.Quote that repeat its
// inputs (offer, request, snapshot, creation time, policy versions) are not stored twice.
type resultRecord struct {
	AsOf            time.Time       `json:"as_of"`
	ValidUntil      time.Time       `json:"valid_until"`
	Lines           []lineRecord    `json:"lines"`
	Subtotal        decimal.Decimal `json:"subtotal"`
	Total           decimal.Decimal `json:"total"`
	NetCost         decimal.Decimal `json:"net_cost"`
	LandedCost      decimal.Decimal `json:"landed_cost"`
	Quantity        decimal.Decimal `json:"quantity"`
	PerGPUHour      decimal.Decimal `json:"per_gpu_hour"`
	PerPFLOPHour    decimal.Decimal `json:"per_pflop_hour"`
	EnergyKWh       decimal.Decimal `json:"energy_kwh"`
	EmissionsKgCO2e decimal.Decimal `json:"emissions_kg_co2e"`
	FX              []fxUseRecord   `json:"fx"`
	Flags           []flagRecord    `json:"flags"`
	Trail           *string         `json:"explanation"` // encodeTrail; null with TrailRef or without a policy
	// TrailRef names the explanation stored once for the quotes that share it (version 2:
	// quote_explanations.go): the SHA-256 of its text, in hex.
	TrailRef string `json:"explanation_ref,omitempty"`
	// TrailNoted: the explanation holds notes computed for this quote (pricing.Quote.TrailNoted).
	TrailNoted bool `json:"explanation_noted,omitempty"`
	// TrailNotes are, in a record of version 3, the entries in which the quote's explanation
	// differs from the shared one TrailRef names (quote_explanations.go).
	TrailNotes []trailNoteRecord `json:"explanation_notes,omitempty"`
	Policy     policyRefRecord   `json:"policy"`
	Rounding   string            `json:"rounding"`
}

// lineRecord is one quote line. Labels are rendered, not stored: Label and LabelZH hold only
// what Price put there — on a measure's line the policy's own labels (the policy's words at
// pricing time, kept so that a quote reads back whole without parsing its policy version), on a
// fee line its name, on price lines nothing; every reader words every line with
// web/i18n.LineLabel. LegalRef has no omitempty: null and [] are told apart, so a stored quote
// reads back exactly as priced.
type lineRecord struct {
	Kind        string          `json:"kind"`
	Label       string          `json:"label"`
	LabelZH     string          `json:"label_zh,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
	Currency    string          `json:"currency"`
	MeasureID   string          `json:"measure,omitempty"`
	Rate        string          `json:"rate,omitempty"`
	Basis       string          `json:"basis,omitempty"`
	BasisKind   string          `json:"basis_kind,omitempty"` // pricing.Line.BasisKind; "" in quotes converted from the first release
	BaseAmount  decimal.Decimal `json:"base_amount"`
	LegalRef    []string        `json:"legal_ref"`
	Payable     bool            `json:"payable,omitempty"`
	Recoverable bool            `json:"recoverable,omitempty"`
	Included    bool            `json:"included,omitempty"`
	Quota       string          `json:"quota,omitempty"`
	QuotaVolume decimal.Decimal `json:"quota_volume"`
	// Jurisdiction is who levies the line (pricing.Line.Jurisdiction); "" in quotes converted
	// from the first release, which did not record it.
	Jurisdiction string `json:"jurisdiction,omitempty"`
	// Provenance is the line's measure's (or offer's) source, as-of date, confidence and
	// note; empty in quotes of earlier releases.
	Provenance provenanceRecord `json:"provenance"`
}

type fxUseRecord struct {
	From        string          `json:"from"`
	To          string          `json:"to"`
	Rate        decimal.Decimal `json:"rate"`
	Date        time.Time       `json:"date"`
	Source      string          `json:"source"`
	FromPerEUR  decimal.Decimal `json:"from_per_eur"`
	ToPerEUR    decimal.Decimal `json:"to_per_eur"`
	CarriedFrom *time.Time      `json:"carried_from,omitempty"`
}

type flagRecord struct {
	Code      string   `json:"code"`
	Severity  string   `json:"severity"`
	Message   string   `json:"message"`
	MeasureID string   `json:"measure,omitempty"`
	Legal     []string `json:"legal"`
	// The measure's provenance (tariff.Provenance); empty in quotes of the first release.
	Source     string `json:"source,omitempty"`
	AsOf       string `json:"as_of,omitempty"`
	Confidence string `json:"confidence,omitempty"`
	Note       string `json:"note,omitempty"`
}

// The explanation is stored as one string, one line per measure of the policy: "A ID REASON"
// with A 1 when the measure applied and 0 when not. In the id a backslash, a space and a
// newline are written \\, \s and \n; in the reason a backslash and a newline. One string
// rather than an object per entry: the explanation is most of a record, and is written and
// read with every quote.
var (
	trailIDEscape     = strings.NewReplacer(`\`, `\\`, " ", `\s`, "\n", `\n`)
	trailIDUnescape   = strings.NewReplacer(`\\`, `\`, `\s`, " ", `\n`, "\n")
	trailTextEscape   = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	trailTextUnescape = strings.NewReplacer(`\\`, `\`, `\n`, "\n")
)

// encodeTrail writes an explanation; nil (no policy) is nil.
func encodeTrail(trail []tariff.Consideration) *string {
	if trail == nil {
		return nil
	}
	var b strings.Builder
	n := 0
	for _, c := range trail {
		n += len(c.MeasureID) + len(c.Reason) + 4
	}
	b.Grow(n)
	for i, c := range trail {
		if i > 0 {
			b.WriteByte('\n')
		}
		if c.Applied {
			b.WriteString("1 ")
		} else {
			b.WriteString("0 ")
		}
		if needsEscape(c.MeasureID, true) {
			trailIDEscape.WriteString(&b, c.MeasureID)
		} else {
			b.WriteString(c.MeasureID)
		}
		b.WriteByte(' ')
		if needsEscape(c.Reason, false) {
			trailTextEscape.WriteString(&b, c.Reason)
		} else {
			b.WriteString(c.Reason)
		}
	}
	s := b.String()
	return &s
}

// needsEscape reports whether s holds a backslash, a newline or (in an id) a space, with
// strings.IndexByte (vectorised): an explanation is ~18 KB of text, and strings.ContainsAny
// scanning it byte by byte was a third of encoding a record.
func needsEscape(s string, id bool) bool {
	return strings.IndexByte(s, '\\') >= 0 || strings.IndexByte(s, '\n') >= 0 || (id && strings.IndexByte(s, ' ') >= 0)
}

// decodeTrail reads what encodeTrail writes.
func decodeTrail(s *string) ([]tariff.Consideration, error) {
	if s == nil {
		return nil, nil
	}
	out := make([]tariff.Consideration, 0, strings.Count(*s, "\n")+1)
	if *s == "" {
		return out, nil
	}
	for line := range strings.SplitSeq(*s, "\n") {
		applied, rest, ok := strings.Cut(line, " ")
		id, reason, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 || (applied != "0" && applied != "1") {
			return nil, fmt.Errorf("explanation: malformed entry %q", tariff.Shorten(line, 60))
		}
		if strings.IndexByte(id, '\\') >= 0 {
			id = trailIDUnescape.Replace(id)
		}
		if strings.IndexByte(reason, '\\') >= 0 {
			reason = trailTextUnescape.Replace(reason)
		}
		out = append(out, tariff.Consideration{MeasureID: id, Applied: applied == "1", Reason: reason})
	}
	return out, nil
}

func toPolicyRef(r pricing.PolicyRef) policyRefRecord { return policyRefRecord(r) }

func (r policyRefRecord) ref() pricing.PolicyRef { return pricing.PolicyRef(r) }

// newQuoteRecord builds the record of a quote: with the explanation named by shared (and, for a
// noted one, its notes), or (shared nil) holding it.
func newQuoteRecord(q marketplace.Quote, shared *sharedExplanation) quoteRecord {
	in, p := q.Inputs, q.Priced
	r := quoteRecord{Version: recordVersion(q, shared)}
	qr := q.Request
	r.Request = requestRecord{OfferID: qr.OfferID, GPUs: qr.GPUs, Hours: qr.Hours, Units: qr.Units,
		Buyer: buyerRecord{Country: qr.Buyer.Country, Type: qr.Buyer.Type, VATID: qr.Buyer.VATID, Region: qr.Buyer.Region,
			Headquarters: qr.Buyer.Headquarters, VATRecovery: qr.Buyer.VATRecovery},
		Currency: qr.Currency, AsOf: qr.AsOf, Start: qr.Start, PersonalData: qr.PersonalData, Scenario: qr.Scenario,
		Purpose: qr.Purpose, TaxTerms: qr.TaxTerms, BuyerID: qr.BuyerID}
	if !q.Cancellation.IsZero() {
		r.Cancellation = &cancellationRecord{Kind: string(q.Cancellation.Kind), NoticeHours: q.Cancellation.NoticeHours}
	}

	o := in.Offer
	r.Inputs.Offer = offerTermsRecord{ID: o.ID, Product: string(o.Product), Price: o.Price, Currency: o.Currency, Pricing: string(o.Pricing),
		MinHours: o.MinHours, TermMonths: o.TermMonths, Capacity: o.Capacity, AvailableFrom: o.AvailableFrom, AvailableUntil: o.AvailableUntil,
		HSCode: o.HSCode, Origin: o.Origin, Region: o.Region, Bloc: o.Bloc, PUE: o.PUE, GridKgPerKWh: o.GridKgPerKWh,
		Accelerator: o.Accelerator.Model, VendorCountry: o.Accelerator.VendorCountry, FabCountry: o.Accelerator.FabCountry, TPP: o.Accelerator.TPP, Density: o.Accelerator.Density,
		BF16TFLOPS: o.BF16TFLOPS, TDPW: o.TDPW,
		SupplierCountry: o.SupplierCountry, SupplierEstablishments: o.SupplierEstablishments, Listings: o.Listings,
		TaxTerms: string(o.TaxTerms), Provenance: provenanceRecord(o.Provenance)}
	for _, t := range o.Tiers {
		r.Inputs.Offer.Tiers = append(r.Inputs.Offer.Tiers, tierJSON{MinGPUHours: t.MinGPUHours, Discount: t.Discount})
	}
	pr := in.Request
	r.Inputs.Request = pricingRequestRecord{GPUs: pr.GPUs, Hours: pr.Hours, Units: pr.Units, BuyerCountry: pr.BuyerCountry,
		BuyerRegion: pr.BuyerRegion, BuyerType: string(pr.BuyerType), Currency: pr.Currency, AsOf: pr.AsOf, Start: pr.Start,
		PersonalData: pr.PersonalData, Freight: pr.Freight, Insurance: pr.Insurance,
		BuyerHeadquarters: pr.BuyerHeadquarters, Purpose: string(pr.Purpose), TaxTerms: string(pr.TaxTerms), VATRecovery: pr.VATRecovery}
	r.Inputs.Baseline = toPolicyRef(in.Baseline)
	if !in.Scenario.IsZero() {
		s := toPolicyRef(in.Scenario)
		r.Inputs.Scenario = &s
	}
	r.Inputs.FX = snapshotRecord{Date: in.FX.Date, Rates: make(map[string]rateRecord, len(in.FX.Rates))}
	for cur, rt := range in.FX.Rates {
		r.Inputs.FX.Rates[cur] = rateRecord{PerEUR: rt.PerEUR, Date: rt.Date, Source: rt.Source, CarriedFrom: datePtr(rt.CarriedFrom)}
	}
	r.Inputs.Notices = flagRecords(in.Notices)
	r.Inputs.Quota, r.Inputs.SubsidyUsed = in.Quota, in.SubsidyUsed
	r.Inputs.Now, r.Inputs.ValidityNS, r.Inputs.Rounding = in.Now, int64(in.Validity), string(in.Rounding)

	r.Result = resultRecord{AsOf: p.AsOf, ValidUntil: p.ValidUntil, Subtotal: p.Subtotal, Total: p.Total, NetCost: p.NetCost,
		LandedCost: p.LandedCost, Quantity: p.Quantity, PerGPUHour: p.PerGPUHour, PerPFLOPHour: p.PerPFLOPHour,
		EnergyKWh: p.EnergyKWh, EmissionsKgCO2e: p.EmissionsKgCO2e, Policy: toPolicyRef(p.Policy), Rounding: string(p.Rounding)}
	if p.Lines != nil {
		r.Result.Lines = make([]lineRecord, len(p.Lines))
	}
	for i, l := range p.Lines {
		r.Result.Lines[i] = lineRecord{Kind: l.Kind, Label: l.Label, LabelZH: l.LabelZH, Amount: l.Amount, Currency: l.Currency,
			MeasureID: l.MeasureID, Rate: l.Rate, Basis: l.Basis, BasisKind: l.BasisKind, BaseAmount: l.BaseAmount, LegalRef: l.LegalRef, Payable: l.Payable,
			Recoverable: l.Recoverable, Included: l.Included, Quota: l.Quota, QuotaVolume: l.QuotaVolume, Jurisdiction: l.Jurisdiction,
			Provenance: provenanceRecord(l.Provenance)}
	}
	if p.FX != nil {
		r.Result.FX = make([]fxUseRecord, len(p.FX))
	}
	for i, u := range p.FX {
		r.Result.FX[i] = fxUseRecord{From: u.From, To: u.To, Rate: u.Rate, Date: u.Date, Source: u.Source, FromPerEUR: u.FromPerEUR, ToPerEUR: u.ToPerEUR,
			CarriedFrom: datePtr(u.CarriedFrom)}
	}
	r.Result.Flags = flagRecords(p.Flags)
	r.Result.TrailNoted = p.TrailNoted
	if notes, named := recordNotes(q, shared); named {
		r.Result.TrailRef, r.Result.TrailNotes = shared.hash, notes
	} else {
		r.Result.Trail = encodeTrail(p.Trail)
	}
	return r
}

// apply fills the request, inputs and result of q from the record.
func (r quoteRecord) apply(q *marketplace.Quote) error {
	rr := r.Request
	q.Request = marketplace.QuoteRequest{OfferID: rr.OfferID, GPUs: rr.GPUs, Hours: rr.Hours, Units: rr.Units,
		Buyer: marketplace.Buyer{Country: rr.Buyer.Country, Type: rr.Buyer.Type, VATID: rr.Buyer.VATID, Region: rr.Buyer.Region,
			Headquarters: rr.Buyer.Headquarters, VATRecovery: rr.Buyer.VATRecovery},
		Currency: rr.Currency, AsOf: rr.AsOf.UTC(), Start: rr.Start.UTC(), PersonalData: rr.PersonalData, Scenario: rr.Scenario,
		Purpose: rr.Purpose, TaxTerms: rr.TaxTerms, BuyerID: rr.BuyerID}
	if c := r.Cancellation; c != nil {
		q.Cancellation = marketplace.Cancellation{Kind: marketplace.CancellationKind(c.Kind), NoticeHours: c.NoticeHours}
	}

	o := r.Inputs.Offer
	terms := pricing.OfferTerms{ID: o.ID, Product: tariff.Product(o.Product), Price: o.Price, Currency: o.Currency,
		Pricing: pricing.PricingModel(o.Pricing), MinHours: o.MinHours, TermMonths: o.TermMonths, Capacity: o.Capacity,
		AvailableFrom: o.AvailableFrom.UTC(), AvailableUntil: o.AvailableUntil.UTC(), HSCode: o.HSCode, Origin: o.Origin,
		Region: o.Region, Bloc: o.Bloc, PUE: o.PUE, GridKgPerKWh: o.GridKgPerKWh,
		Accelerator: tariff.Accelerator{Model: o.Accelerator, VendorCountry: o.VendorCountry, FabCountry: o.FabCountry, TPP: o.TPP, Density: o.Density},
		BF16TFLOPS:  o.BF16TFLOPS, TDPW: o.TDPW,
		SupplierCountry: o.SupplierCountry, SupplierEstablishments: o.SupplierEstablishments, Listings: o.Listings,
		TaxTerms: tariff.TaxTerms(o.TaxTerms), Provenance: tariff.Provenance(o.Provenance)}
	for _, t := range o.Tiers {
		terms.Tiers = append(terms.Tiers, pricing.Tier{MinGPUHours: t.MinGPUHours, Discount: t.Discount})
	}
	pr := r.Inputs.Request
	req := pricing.Request{GPUs: pr.GPUs, Hours: pr.Hours, Units: pr.Units, BuyerCountry: pr.BuyerCountry, BuyerRegion: pr.BuyerRegion,
		BuyerType: tariff.BuyerType(pr.BuyerType), Currency: pr.Currency, AsOf: pr.AsOf.UTC(), Start: pr.Start.UTC(),
		PersonalData: pr.PersonalData, Freight: pr.Freight, Insurance: pr.Insurance,
		BuyerHeadquarters: pr.BuyerHeadquarters, Purpose: tariff.Purpose(pr.Purpose), TaxTerms: tariff.TaxTerms(pr.TaxTerms), VATRecovery: pr.VATRecovery}
	rates := make(map[string]pricing.Rate, len(r.Inputs.FX.Rates))
	for cur, rt := range r.Inputs.FX.Rates {
		rates[cur] = pricing.Rate{Currency: cur, PerEUR: rt.PerEUR, Date: rt.Date.UTC(), Source: rt.Source, CarriedFrom: dateOf(rt.CarriedFrom)}
	}
	in := pricing.Inputs{Offer: terms, Request: req, Baseline: r.Inputs.Baseline.ref(),
		FX: pricing.NewSnapshot(r.Inputs.FX.Date, rates), Quota: r.Inputs.Quota, SubsidyUsed: r.Inputs.SubsidyUsed,
		Now: r.Inputs.Now.UTC(), Validity: time.Duration(r.Inputs.ValidityNS), Rounding: pricing.RoundingMode(r.Inputs.Rounding),
		Notices: flags(r.Inputs.Notices)}
	if r.Inputs.Scenario != nil {
		in.Scenario = r.Inputs.Scenario.ref()
	}
	q.Inputs = in

	res := r.Result
	p := pricing.Quote{OfferID: terms.ID, Currency: req.Currency, AsOf: res.AsOf.UTC(), CreatedAt: in.Now, ValidUntil: res.ValidUntil.UTC(),
		Subtotal: res.Subtotal, Total: res.Total, NetCost: res.NetCost, LandedCost: res.LandedCost, Quantity: res.Quantity,
		PerGPUHour: res.PerGPUHour, PerPFLOPHour: res.PerPFLOPHour, EnergyKWh: res.EnergyKWh, EmissionsKgCO2e: res.EmissionsKgCO2e,
		Policy: res.Policy.ref(), Rounding: pricing.RoundingMode(res.Rounding),
		Offer: terms, Request: req, Snapshot: in.FX, Validity: in.Validity, TaxTerms: pricing.AppliedTaxTerms(terms, req), Notices: in.Notices}
	if res.Lines != nil {
		p.Lines = make([]pricing.Line, len(res.Lines))
	}
	for i, l := range res.Lines {
		p.Lines[i] = pricing.Line{Kind: l.Kind, Label: l.Label, LabelZH: l.LabelZH, Amount: l.Amount, Currency: l.Currency,
			MeasureID: l.MeasureID, Rate: l.Rate, Basis: l.Basis, BasisKind: l.BasisKind, BaseAmount: l.BaseAmount, LegalRef: l.LegalRef, Payable: l.Payable,
			Recoverable: l.Recoverable, Included: l.Included, Quota: l.Quota, QuotaVolume: l.QuotaVolume, Jurisdiction: l.Jurisdiction,
			Provenance: tariff.Provenance(l.Provenance)}
	}
	if res.FX != nil {
		p.FX = make([]pricing.FXUse, len(res.FX))
	}
	for i, u := range res.FX {
		p.FX[i] = pricing.FXUse{From: u.From, To: u.To, Rate: u.Rate, Date: u.Date.UTC(), Source: u.Source, FromPerEUR: u.FromPerEUR, ToPerEUR: u.ToPerEUR,
			CarriedFrom: dateOf(u.CarriedFrom)}
	}
	p.Flags = flags(res.Flags)
	trail, err := decodeTrail(res.Trail)
	if err != nil {
		return err
	}
	if err := applyTrailNotes(trail, res.TrailNotes); err != nil {
		return err
	}
	p.Trail, p.TrailNoted = trail, res.TrailNoted
	q.Priced = p
	return nil
}

// flagRecords and flags convert flags to their records and back; nil stays nil.
func flagRecords(in []tariff.Flag) []flagRecord {
	if in == nil {
		return nil
	}
	out := make([]flagRecord, len(in))
	for i, f := range in {
		out[i] = flagRecord{Code: f.Code, Severity: string(f.Severity), Message: f.Message, MeasureID: f.MeasureID, Legal: f.Legal,
			Source: f.Source, AsOf: f.AsOf, Confidence: f.Confidence, Note: f.Note}
	}
	return out
}

func flags(in []flagRecord) []tariff.Flag {
	if in == nil {
		return nil
	}
	out := make([]tariff.Flag, len(in))
	for i, f := range in {
		out[i] = tariff.Flag{Code: f.Code, Severity: tariff.Severity(f.Severity), Message: f.Message, MeasureID: f.MeasureID, Legal: f.Legal,
			Provenance: tariff.Provenance{Source: f.Source, AsOf: f.AsOf, Confidence: f.Confidence, Note: f.Note}}
	}
	return out
}

// datePtr and dateOf store an optional date: nil for the zero time.
func datePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func dateOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Compressors and decompressors are reused: allocating one costs more than compressing a record.
var (
	flaters     = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flate.BestSpeed); return w }}
	inflaters   = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
	s2Readers   = sync.Pool{New: func() any { return s2.NewReader(nil) }}
	recordBuf   = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	recordJSONs = sync.Pool{New: func() any { return new(jsonout.Writer) }}
)

// A record is stored as an S2 block compressed with a dictionary (quote_record_dict.go). The
// releases before wrote S2 streams (github.com/klauspost/compress/s2, a faster Snappy)
// without one: S2 compressed a record about 3.5 times faster than DEFLATE at its fastest
// level and decompressed it 5 times faster, for a stored record a third larger. The first
// releases wrote raw DEFLATE. Both are read as before: an S2 stream begins with its stream
// identifier, byte 0xff, which cannot begin a DEFLATE stream (its block type would be 3,
// which is reserved).
const s2StreamStart = 0xff

// encodeQuoteRecord returns the stored bytes of q's record: compressed JSON, naming the
// explanation shared (quote_explanations.go) or, with shared nil, holding it.
func encodeQuoteRecord(q marketplace.Quote, shared *sharedExplanation) ([]byte, error) {
	var out bytes.Buffer
	if err := encodeQuoteRecordTo(&out, q, shared); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// encodeQuoteRecordTo writes the stored bytes of q's record (encodeQuoteRecord) to out.
func encodeQuoteRecordTo(out *bytes.Buffer, q marketplace.Quote, shared *sharedExplanation) error {
	js := recordJSONs.Get().(*jsonout.Writer)
	defer recordJSONs.Put(js)
	if err := encodeQuoteRecordJSON(js, q, shared); err != nil {
		return err
	}
	compressRecordTo(out, js.B)
	return nil
}

// compressRecordTo appends the stored form of the record's JSON js to out (quote_record_dict.go).
func compressRecordTo(out *bytes.Buffer, js []byte) {
	out.Grow(dictRecordHeader + s2.MaxEncodedLen(len(js)))
	out.Write(appendDictRecord(out.AvailableBuffer(), js)) // in place: AvailableBuffer has the room
}

// encodeQuoteRecordJSON writes the JSON of q's record, before compression, to js (reset first).
func encodeQuoteRecordJSON(js *jsonout.Writer, q marketplace.Quote, shared *sharedExplanation) error {
	// Written by hand (quote_record_json.go, package jsonout): what encoding/json writes, read
	// back with it.
	rec := newQuoteRecord(q, shared)
	*js = jsonout.Writer{B: js.B[:0]}
	rec.appendJSON(js)
	if js.Err != nil {
		return fmt.Errorf("encode quote record: %w", js.Err)
	}
	return nil
}

// decodeQuoteRecord reads stored bytes written by encodeQuoteRecord (or, as S2 streams or
// DEFLATE-compressed, by an earlier release) into q; explanation reads an explanation the
// record names.
func decodeQuoteRecord(b []byte, q *marketplace.Quote, explanation func(hash string) (*string, error)) error {
	js := recordBuf.Get().(*bytes.Buffer)
	defer recordBuf.Put(js)
	js.Reset()
	if err := decompressRecord(js, b); err != nil {
		return fmt.Errorf("decompress quote record: %w", err)
	}
	var rec quoteRecord
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil {
		return fmt.Errorf("decode quote record: %w", err)
	}
	if rec.Version < 1 || rec.Version > notedQuoteRecordVersion {
		return fmt.Errorf("decode quote record: schema version %d, want 1 to %d", rec.Version, notedQuoteRecordVersion)
	}
	if notes := rec.Result.TrailNotes != nil; notes != (rec.Version == notedQuoteRecordVersion) || notes && rec.Result.TrailRef == "" {
		return fmt.Errorf("decode quote record: version %d with explanation notes %v and explanation_ref %q", rec.Version, notes, rec.Result.TrailRef)
	}
	if ref := rec.Result.TrailRef; ref != "" {
		if rec.Version == 1 || rec.Result.Trail != nil {
			return fmt.Errorf("decode quote record: version %d names explanation %s and holds one too", rec.Version, ref)
		}
		text, err := explanation(ref)
		if err != nil {
			return fmt.Errorf("decode quote record: %w", err)
		}
		rec.Result.Trail = text
	}
	if err := rec.apply(q); err != nil {
		return fmt.Errorf("decode quote record: %w", err)
	}
	return nil
}

// decompressRecord writes the JSON of the stored record b to js.
func decompressRecord(js *bytes.Buffer, b []byte) error {
	if len(b) > 0 && b[0] == s2DictRecordStart {
		out, err := appendDictRecordJSON(js.AvailableBuffer(), b)
		if err == nil {
			js.Write(out)
		}
		return err
	}
	if len(b) > 0 && b[0] == s2StreamStart {
		r := s2Readers.Get().(*s2.Reader)
		defer s2Readers.Put(r)
		r.Reset(bytes.NewReader(b))
		_, err := js.ReadFrom(r)
		return err
	}
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), nil); err != nil {
		return err
	}
	_, err := js.ReadFrom(r)
	return err
}
