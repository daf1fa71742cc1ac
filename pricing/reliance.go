package pricing

import (
	"fmt"
	"time"

	"corridor/tariff"
)

// Reliance says how sure a quote is, for the top of the quote: the weakest confidence of the
// figures it rests on (its lines, its flags and its FX rates) and one reason per figure that is
// not sourced.
type Reliance struct {
	Confidence string // sourced, estimate or illustrative
	Reasons    []RelianceReason
}

// RelianceReason is one figure of a quote that is not sourced: what it is (a measure, the
// offer's price, an FX rate), its confidence and why.
type RelianceReason struct {
	Subject    string // "measure cn-surtax-on-withheld-vat-2016-05", "offer demo-offer-001", "fx CNY/EUR"
	Confidence string // estimate or illustrative
	Note       string // the figure's note, or what was carried forward
}

// Reliance returns what the quote rests on: an FX rate carried forward counts as illustrative
// (not a rate of the quote's date), a stale one as an estimate. The energy and emissions
// figures, always estimates, are not part of the price and are left out.
func (q *Quote) Reliance() Reliance {
	r := Reliance{Confidence: "sourced"}
	add := func(subject string, p tariff.Provenance) {
		if p.Confidence == "" || p.Confidence == "sourced" {
			return
		}
		for _, x := range r.Reasons {
			if x.Subject == subject {
				return // a measure with a line and a flag, or two lines of one measure
			}
		}
		r.Confidence = tariff.WeakerConfidence(r.Confidence, p.Confidence)
		r.Reasons = append(r.Reasons, RelianceReason{Subject: subject, Confidence: p.Confidence, Note: p.Note})
	}
	for i := range q.Lines {
		l := &q.Lines[i]
		switch {
		case l.MeasureID != "":
			add("measure "+l.MeasureID, l.Provenance)
		case l.Kind == "base" || l.Kind == "discount":
			add("offer "+q.OfferID, l.Provenance)
		}
	}
	for i := range q.Flags {
		if f := &q.Flags[i]; f.MeasureID != "" {
			add("measure "+f.MeasureID, f.Provenance)
		}
	}
	for _, u := range q.FX {
		subject := "fx " + u.From + "/" + u.To
		switch {
		case !u.CarriedFrom.IsZero():
			add(subject, tariff.Provenance{Confidence: "illustrative",
				Note: "the fixing of " + u.CarriedFrom.Format(time.DateOnly) + " carried forward (" + u.Source + ")"})
		case q.AsOf.Sub(u.Date) > StaleAfter:
			add(subject, tariff.Provenance{Confidence: "estimate",
				Note: fmt.Sprintf("the rate of %s, more than %d days before %s", u.Date.Format(time.DateOnly), int(StaleAfter/(24*time.Hour)), q.AsOf.Format(time.DateOnly))})
		}
	}
	return r
}
