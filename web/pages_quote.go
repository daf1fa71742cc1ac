package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/pricing"
	"corridor/tariff"
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

// LineLabel is a line's label in the page's language: the measure's Chinese label, or for the
// price lines one composed here; English (as priced) otherwise.
func (p quotePage) LineLabel(l pricing.Line) string {
	if p.Lang != langZH {
		return l.Label
	}
	if l.LabelZH != "" {
		return l.LabelZH
	}
	switch {
	case l.Kind == "base" && p.HasOffer && p.OC.Offer.Product == string(tariff.ProductHardware):
		return fmt.Sprintf("%s：%d 台", p.AccName(p.OC.Accelerator), p.Q.Request.Units)
	case l.Kind == "base" && p.HasOffer:
		return fmt.Sprintf("%s：%d GPU × %d 小时（%s）", p.AccName(p.OC.Accelerator), p.Q.Request.GPUs, p.Q.Request.Hours, p.T("pricing."+p.OC.Offer.Pricing))
	case l.Kind == "discount":
		return "量大优惠 " + l.Rate
	}
	return l.Label
}

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
	v.Title = v.Tf("quote.title", pq.ID)
	p := quotePage{view: v, Q: pq, Expired: !now.Before(pq.ValidUntil), Scenario: pq.Request.Scenario}
	p.Remaining = remaining(pq.ValidUntil.Sub(now))
	p.Seconds = max(int64(pq.ValidUntil.Sub(now)/time.Second), 0)
	if oc, err := u.market.OfferDetail(c.UserContext(), pq.OfferID); err == nil {
		p.OC, p.HasOffer = oc, true
	}
	return u.render(c, fiber.StatusOK, "quote", p)
}

// remaining formats a validity countdown without JavaScript ("1 h 59 min").
func remaining(d time.Duration) string {
	if d <= 0 {
		return "0 min"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d min", m)
}

// handleAccept turns the quote into an order and shows it; an expired quote (410) or a
// capacity or quota conflict (409) shows an error page that links back to the quote.
func (u *ui) handleAccept(c *fiber.Ctx, v *view) error {
	o, _, err := u.market.AcceptQuote(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	return c.Redirect("/orders/"+url.PathEscape(o.ID), fiber.StatusSeeOther)
}

// orderPage is the data of the order page.
type orderPage struct {
	*view
	O marketplace.Order
}

func (u *ui) handleOrder(c *fiber.Ctx, v *view) error {
	o, err := u.market.Order(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	v.Title = v.Tf("order.title", o.ID)
	return u.render(c, fiber.StatusOK, "order", orderPage{view: v, O: o})
}
