package web

import (
	"strings"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
)

// The page side of tax truth: the form fields of a quote or comparison's terms (the buyer's
// headquarters, the workload's purpose, the contract's tax terms, the share of VAT recovered),
// each line's provenance and the quote's reliance banner. The templates are in terms.html.

// formPurposes and formTaxTerms are the choices the forms offer (template funcs purposes and
// taxterms).
var (
	formPurposes = []tariff.Purpose{tariff.PurposeTraining, tariff.PurposeInference, tariff.PurposeOther}
	formTaxTerms = []tariff.TaxTerms{tariff.TaxTermsNetOfCNTax, tariff.TaxTermsInclusive}
)

// termsArg is the argument of the "terms-fields" template.
type termsArg struct {
	V                            *view
	Prefix                       string // element ids: q (offer page) or c (compare page)
	HQ, Purpose, Terms, Recovery string
	Errs                         map[string]string
	Compare                      bool // the empty tax terms mean each offer's own
}

// TermsArg packs the terms fields of a form.
func (v *view) TermsArg(prefix, hq, purpose, terms, recovery string, errs map[string]string, compare bool) termsArg {
	return termsArg{V: v, Prefix: prefix, HQ: hq, Purpose: purpose, Terms: terms, Recovery: recovery, Errs: errs, Compare: compare}
}

// valueArg is the argument of a single-field template: its element id, value and error.
type valueArg struct {
	V         *view
	ID, Value string
	Err       string
}

// VATArg packs the VAT number field.
func (v *view) VATArg(id, value, err string) valueArg {
	return valueArg{V: v, ID: id, Value: value, Err: err}
}

// lineArg is the argument of the "line-source" template.
type lineArg struct {
	V *view
	L pricing.Line
}

// LineSource packs a quote line for the "line-source" template.
func (v *view) LineSource(l pricing.Line) lineArg { return lineArg{V: v, L: l} }

// relianceArg is the argument of the "reliance" template.
type relianceArg struct {
	V *view
	R pricing.Reliance
}

// Reliance packs what a quote rests on for the "reliance" banner.
func (v *view) Reliance(q *pricing.Quote) relianceArg { return relianceArg{V: v, R: q.Reliance()} }

// RelianceSubject words a reliance reason's subject: "measure ID", "offer ID", "fx FROM/TO".
func (v *view) RelianceSubject(subject string) string {
	kind, rest, _ := strings.Cut(subject, " ")
	switch kind {
	case "measure":
		return v.Tf("tax.reliance.measure", "ID", rest)
	case "offer":
		return v.Tf("tax.reliance.offer", "ID", rest)
	case "fx":
		return v.Tf("tax.reliance.fx", "Pair", rest)
	}
	return subject
}

// TaxTerms words contract tax terms ("offer": each offer's own).
func (v *view) TaxTerms(t string) string { return v.L.TOr("tax.terms."+t, t) }

// Purpose words a workload purpose.
func (v *view) Purpose(p string) string { return v.L.TOr("tax.purpose."+p, p) }

// CountryList names countries in the page's language, joined: "Germany, Netherlands".
func (v *view) CountryList(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = v.Country(c)
	}
	return strings.Join(names, ", ")
}

// SupplierPlaces are where a priced supplier was established: its seat, then its fixed
// establishments taking part.
func SupplierPlaces(o pricing.OfferTerms) []string {
	seat := o.SupplierCountry
	if seat == "" {
		seat = o.Origin
	}
	return append([]string{seat}, o.SupplierEstablishments...)
}

// Registrations words a supplier's VAT registrations: "NL123456789B01 (Netherlands)".
func (v *view) Registrations(regs []marketplace.VATRegistration) string {
	parts := make([]string, len(regs))
	for i, r := range regs {
		parts[i] = r.VATID + " (" + v.Country(r.Country) + ")"
	}
	return strings.Join(parts, ", ")
}

// FabProv is the provenance of an accelerator's fab country, for the "provenance" template.
func (v *view) FabProv(a marketplace.Accelerator) provArg { return provArg{V: v, P: a.Fab} }
