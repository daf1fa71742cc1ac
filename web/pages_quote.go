package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
	"corridor/web/i18n"
)

// quotePage is the data of the quote page.
type quotePage struct {
	*view
	Q         marketplace.Quote
	OC        marketplace.OfferContext
	HasOffer  bool
	Expired   bool
	Remaining string
	Seconds   int64 // validity left when the page was rendered, for the countdown
	Scenario  string
	Accepted  bool // the quote became an order (Q.OrderID)
	// Mine: the signed-in buyer may accept the quote (theirs, or anonymous and priced for
	// their account); Mismatch: priced for another buyer than the signed-in account.
	Mine, Mismatch bool
}

// Payable says whether a line is in the total, and why not when it is not.
func (p quotePage) Payable(l pricing.Line) string {
	switch {
	case l.Included:
		return p.T("quote.included")
	case l.Payable:
		if l.Recoverable && p.Q.Request.Buyer.Type == string(tariff.BuyerBusiness) {
			return p.T("quote.payable") + " · " + p.T("quote.recoverable")
		}
		return p.T("quote.payable")
	case l.Kind == string(tariff.KindVAT):
		return p.T("quote.not_payable_rc")
	}
	return p.T("quote.not_payable")
}

// line gathers what the page shows of a line (i18n.QuoteLine).
func (p quotePage) line(l pricing.Line) i18n.Line {
	var names map[string]string
	if p.HasOffer {
		names = accNames(p.OC.Accelerator)
	}
	return i18n.QuoteLine(p.Q.Priced, l, names)
}

// LineLabel is a line's label in the page's language.
func (p quotePage) LineLabel(l pricing.Line) string { return p.L.LineLabel(p.line(l)) }

// LineBasis is a line's base column in the page's language.
func (p quotePage) LineBasis(l pricing.Line) string { return p.L.Basis(p.line(l)) }

// LineRate is a line's rate column in the page's language.
func (p quotePage) LineRate(l pricing.Line) string { return p.L.RateText(p.line(l)) }

// Priced is the priced quote, for the template.
func (p quotePage) Priced() *pricing.Quote { return &p.Q.Priced }

// PricedAsConsumer reports whether a buyer that asked as a business was priced as a consumer
// (no VAT number valid for its country: a flag says why).
func (p quotePage) PricedAsConsumer() bool {
	return p.Q.Request.Buyer.Type == string(tariff.BuyerBusiness) && p.Q.Priced.Request.BuyerType == tariff.BuyerConsumer
}

// RecoveryShare is the share of VAT a business recovers as a percentage ("60%"), when it is
// less than all of it; "" otherwise.
func (p quotePage) RecoveryShare() string {
	r := p.Q.Priced.Request
	if r.BuyerType != tariff.BuyerBusiness || !r.VATRecovery.Valid || r.VATRecovery.Decimal.Equal(decimal.NewFromInt(1)) {
		return ""
	}
	return r.VATRecovery.Decimal.Shift(2).String() + "%"
}

// SupplierPlaces are where the supplier was established when the quote was priced.
func (p quotePage) SupplierPlaces() []string { return SupplierPlaces(p.Q.Priced.Offer) }

// fxLeg is one published rate a quote used: 1 EUR = Rate Currency, as the ECB publishes it.
type fxLeg struct {
	Text   string // "1 EUR = 8.2626 CNY"
	Date   time.Time
	Source string
}

// FXLegs lists the published rates behind the quote's conversions, each once, as the source
// publishes them (per 1 EUR, with no more digits than published) with its publication date;
// a conversion between two other currencies goes through the euro and shows both rates.
func (p quotePage) FXLegs() []fxLeg {
	var out []fxLeg
	seen := map[string]bool{}
	for _, u := range p.Q.Priced.FX {
		for _, cur := range []string{u.From, u.To} {
			if cur == "EUR" || seen[cur] {
				continue
			}
			seen[cur] = true
			r, ok := p.Q.Priced.Snapshot.Rate(cur)
			if !ok {
				continue
			}
			out = append(out, fxLeg{Text: p.Tf("fx.rate", "Rate", r.PerEUR.String(), "Currency", cur), Date: r.Date, Source: p.FXSource(r.Source)})
		}
	}
	return out
}

// Crossed reports whether a conversion of the quote went through the euro between two other
// currencies.
func (p quotePage) Crossed() bool {
	for _, u := range p.Q.Priced.FX {
		if u.From != "EUR" && u.To != "EUR" {
			return true
		}
	}
	return false
}

// FXSource names a rate's source in the page's language (the ECB's reference rates), or
// shows it as recorded.
func (v *view) FXSource(src string) string { return v.L.TOr("fx.source."+src, src) }

// LineClass is the CSS class of a line: not-payable lines are visibly set apart.
func (p quotePage) LineClass(l pricing.Line) string {
	if !l.Payable || l.Included {
		return "line not-payable kind-" + l.Kind
	}
	return "line kind-" + l.Kind
}

// Legal joins a line's legal references.
func (p quotePage) Legal(refs []string) string { return strings.Join(refs, "; ") }

// FlagClass is the CSS class of a flag by severity.
func (p quotePage) FlagClass(f tariff.Flag) string { return "flag sev-" + string(f.Severity) }

// JSONURL and CSVURL are the quote's downloads (the API document).
func (p quotePage) JSONURL() string { return "/api/v1/quotes/" + url.PathEscape(p.Q.ID) }

// CSVURL is the quote's lines as CSV.
func (p quotePage) CSVURL() string { return p.JSONURL() + "?format=csv" }

func (u *ui) handleQuotePage(c *fiber.Ctx, v *view) error {
	pq, err := u.market.GetQuote(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	now := u.market.Now()
	v.Title = v.Tf("quote.title", "ID", pq.ID)
	p := quotePage{view: v, Q: pq, Expired: !now.Before(pq.ValidUntil), Scenario: pq.Request.Scenario, Accepted: pq.OrderID != ""}
	if v.SignedIn {
		p.Mine = (pq.BuyerID == v.Buyer.ID || pq.BuyerID == "") && v.Buyer.Matches(pq.Request.Buyer)
		p.Mismatch = !p.Mine
	}
	p.Remaining = remaining(v, pq.ValidUntil.Sub(now))
	p.Seconds = max(int64(pq.ValidUntil.Sub(now)/time.Second), 0)
	if oc, err := u.market.OfferDetail(c.UserContext(), pq.OfferID); err == nil {
		p.OC, p.HasOffer = oc, true
	}
	return u.render(c, fiber.StatusOK, "quote", p)
}

// remaining formats a validity countdown without JavaScript ("1 h 59 min").
func remaining(v *view, d time.Duration) string {
	if d <= 0 {
		return v.Tf("quote.remaining_m", "M", 0)
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return v.Tf("quote.remaining_hm", "H", h, "M", m)
	}
	return v.Tf("quote.remaining_m", "M", m)
}
