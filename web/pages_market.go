package web

import (
	"errors"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/marketplace/search"
	"corridor/pricing"
)

// marketPageSize is how many offers one market page lists; further pages follow the search's
// keyset cursor.
const marketPageSize = 20

// marketFilter is one structured filter of the market form and the search clause it becomes.
type marketFilter struct {
	Param string // query parameter and form field
	Field string // search-language field
	Op    string
}

// marketFilters turn the form's fields into search-language clauses, so the form and the
// search box share one parser, one validation and one search (Service.SearchOffers).
var marketFilters = []marketFilter{
	{"bloc", "bloc", "="}, {"region", "region", "="}, {"accelerator", "accelerator", "="},
	{"gpus_min", "gpus", ">="}, {"price_max", "price", "<="}, {"pricing", "pricing", "="},
	{"from", "available_from", "<="}, {"until", "available_until", ">="}, {"export_class", "export_class", "="},
}

// marketSorts are the sort options of the market page, as ?sort= values.
var marketSorts = []string{"price", "-price", "per_pflop_hour", "available_from", "-gpus"}

// marketForm is the market page's query: every field as typed, so the form shows it again.
type marketForm struct {
	Values map[string]string
}

func readMarketForm(c *fiber.Ctx) marketForm {
	f := marketForm{Values: map[string]string{}}
	for _, k := range []string{"bloc", "region", "accelerator", "gpus_min", "price_max", "currency", "pricing", "from", "until", "export_class", "q", "sort", "cursor"} {
		f.Values[k] = strings.TrimSpace(c.Query(k))
	}
	return f
}

// search builds the search from the search box and the structured filters; errors are keyed
// by form field and carry the parser's message.
func (f marketForm) search() (search.Query, map[string]string) {
	errs := map[string]string{}
	s, err := marketplace.ParseSearch(f.Values["q"])
	if err != nil {
		errs["q"] = fieldMessages(err)
		s = search.Query{}
	}
	for _, mf := range marketFilters {
		v := f.Values[mf.Param]
		if v == "" {
			continue
		}
		one, err := marketplace.ParseSearch(mf.Field + mf.Op + v)
		if err != nil || len(one.Clauses) != 1 || one.Clauses[0].Field != mf.Field {
			msg := "not a valid value"
			if err != nil {
				msg = withoutColumn(fieldMessages(err))
			}
			errs[mf.Param] = msg
			continue
		}
		s.Clauses = append(s.Clauses, one.Clauses[0])
	}
	if cur := f.Values["currency"]; cur != "" {
		one, err := marketplace.ParseSearch("currency=" + cur)
		if err != nil {
			errs["currency"] = withoutColumn(fieldMessages(err))
		} else {
			s.Currency = one.Currency
		}
	}
	if s.Currency == "" {
		s.Currency = search.DefaultCurrency
	}
	return s, errs
}

// withoutColumn drops the parser's "col N: " prefix, which means nothing for a form field of
// its own (the search box keeps it: there the column points into what the user typed).
func withoutColumn(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "col "); ok {
		if _, after, found := strings.Cut(rest, ": "); found {
			return after
		}
	}
	return msg
}

// fieldMessages joins the field messages of a domain error (or returns its text).
func fieldMessages(err error) string {
	var de *marketplace.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		msgs := make([]string, len(de.Fields))
		for i, f := range de.Fields {
			msgs[i] = f.Message
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}

// link returns the market URL with the form's values, key set to value ("" removes it); any
// change but the cursor's starts again at the first page.
func (f marketForm) link(key, value string) string {
	q := url.Values{}
	for k, v := range f.Values {
		if v != "" {
			q.Set(k, v)
		}
	}
	if key != "cursor" {
		q.Del("cursor")
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// window is the availability window the form asks for; GPUs free are counted over it.
func (f marketForm) window() (start, end time.Time) {
	start, _ = time.Parse(time.DateOnly, f.Values["from"])
	end, _ = time.Parse(time.DateOnly, f.Values["until"])
	return start, end
}

// marketPage is the data of the market page.
type marketPage struct {
	*view
	Form         marketForm
	Errs         map[string]string
	Currency     string
	FXDate       string
	FXOther      string // the sources of the compared rates, when any is not the ECB's
	Hits         []marketplace.SearchHit
	Rows         []marketRow  // the hits as the table shows them (marketRows)
	Col          marketLabels // the table's column labels and badges
	First, Next  string
	Regions      []marketplace.Region
	Accelerators []marketplace.Accelerator
	Sorts        []string
	Map          template.HTML // the rendered map component (renderedMap)
	ClearRegion  string
	region       map[string]marketplace.Region
	accelerator  map[string]marketplace.Accelerator
}

// marketRow is one offer row of the market table with its texts formatted in Go, once: the
// template only prints them. Formatting them in the template took some 25 calls a row through
// reflection, most of the page's rendering time.
type marketRow struct {
	ID, SupplierName            string
	Demo, Hardware              bool
	RegionName, Bloc, BlocShort string
	AccName                     string
	GPUsAvailable               string
	GPUs                        string // the listed GPUs, only when fewer are available
	Pricing                     string
	Price                       string // in the display currency
	Listed                      string // the listed price, only when listed in another currency
	PerPFLOPHour                string // the price per PFLOP-hour sentence, when known
	From, Until                 string
}

// marketLabels are the market table's texts that are the same on every row.
type marketLabels struct {
	Supplier, Region, Accelerator, GPUs, Pricing, Price, Available, Demo, Hardware, Listed, Open string
}

// marketRows formats the page's hits for the table.
func (p marketPage) marketRows() ([]marketRow, marketLabels) {
	col := marketLabels{Supplier: p.T("col.supplier"), Region: p.T("col.region"), Accelerator: p.T("col.accelerator"),
		GPUs: p.T("col.gpus"), Pricing: p.T("col.pricing"), Price: p.T("col.price"), Available: p.T("col.available"),
		Demo: p.T("badge.demo"), Hardware: p.T("product.hardware"), Listed: p.T("col.listed"), Open: p.T("word.open_offer")}
	rows := make([]marketRow, len(p.Hits))
	for i, h := range p.Hits {
		r := marketRow{ID: h.ID, SupplierName: h.SupplierName, Demo: h.Demo, Hardware: h.Product == "hardware",
			RegionName: p.RegionName(p.Region(h.Region)), Bloc: string(h.Bloc), BlocShort: p.T("bloc.short." + string(h.Bloc)),
			AccName: p.AccName(p.Accelerator(h.Accelerator)), GPUsAvailable: p.Int(h.GPUsAvailable), Pricing: p.T("pricing." + h.Pricing),
			Price: p.Unit(h.QueryPrice, p.Currency), From: p.Date(h.AvailableFrom), Until: p.Date(h.AvailableUntil)}
		if h.GPUsAvailable != h.GPUs {
			r.GPUs = p.Int(h.GPUs)
		}
		if h.Currency != p.Currency {
			r.Listed = p.Unit(h.Price, h.Currency)
		}
		if h.PerPFLOPHour.Valid {
			r.PerPFLOPHour = p.Tf("price.per_pflop_hour", "Price", p.Unit(h.PerPFLOPHour.Decimal, p.Currency))
		}
		rows[i] = r
	}
	return rows, col
}

// Region returns the region of a hit, for its bilingual name.
func (p marketPage) Region(code string) marketplace.Region { return p.region[code] }

// Accelerator returns the accelerator of a hit, for its bilingual name.
func (p marketPage) Accelerator(model string) marketplace.Accelerator {
	if a, ok := p.accelerator[model]; ok {
		return a
	}
	return marketplace.Accelerator{Model: model}
}

func (u *ui) handleMarket(c *fiber.Ctx, v *view) error {
	ctx := c.UserContext()
	v.Title = v.T("market.title")
	form := readMarketForm(c)
	query, errs := form.search()
	regions, perRegion, err := u.siteCounts(c)
	if err != nil {
		return err
	}
	accs, err := u.market.Accelerators(ctx)
	if err != nil {
		return err
	}
	p := marketPage{view: v, Form: form, Errs: errs, Currency: query.Currency, Regions: regions, Accelerators: accs, Sorts: marketSorts,
		ClearRegion: form.link("region", ""), region: map[string]marketplace.Region{}, accelerator: map[string]marketplace.Accelerator{}}
	for _, r := range regions {
		p.region[r.Code] = r
	}
	for _, a := range accs {
		p.accelerator[a.Model] = a
	}
	if len(errs) == 0 {
		start, end := form.window()
		page, err := u.market.SearchOffers(ctx, marketplace.SearchRequest{Q: query.String(), Sort: form.Values["sort"],
			Cursor: form.Values["cursor"], Limit: marketPageSize, Start: start, End: end})
		if err != nil {
			var de *marketplace.Error
			if !errors.As(err, &de) || de.Code != marketplace.CodeInvalid {
				return err
			}
			for _, f := range de.Fields {
				key := f.Field
				if key != "sort" && key != "cursor" {
					key = "q"
				}
				errs[key] = joinMsg(errs[key], f.Message)
			}
		} else {
			p.Hits = page.Hits
			p.Rows, p.Col = p.marketRows()
			p.FXDate, err = u.fxPublished(c, page.FXDate, query.Currency)
			if err != nil {
				return err
			}
			for _, src := range page.FXSources {
				if src != pricing.SourceECB {
					p.FXOther = strings.Join(page.FXSources, "; ")
				}
			}
			if page.NextCursor != "" {
				p.Next = form.link("cursor", page.NextCursor)
			}
		}
	}
	if form.Values["cursor"] != "" {
		p.First = form.link("cursor", "")
	}
	if p.Map, err = u.renderedMap("market", v, regions, perRegion, form.Values["currency"], form.Values["region"], false); err != nil {
		return err
	}
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusBadRequest
	}
	return u.render(c, status, "market", p)
}

// fxPublished returns the publication date of the rates the market converted with on day:
// the oldest of the rates of the listing currencies and the display currency (a Saturday
// page converts at Friday's rates, and says Friday).
func (u *ui) fxPublished(c *fiber.Ctx, day time.Time, display string) (string, error) {
	snap, _, err := u.market.FXOn(c.UserContext(), day)
	if err != nil {
		return "", err
	}
	var oldest time.Time
	for _, cur := range append([]string{display}, marketplace.OfferCurrencies...) {
		if r, ok := snap.Rates[cur]; ok && (oldest.IsZero() || r.Date.Before(oldest)) {
			oldest = r.Date
		}
	}
	if oldest.IsZero() {
		oldest = day // only euros: nothing was converted
	}
	return oldest.Format(time.DateOnly), nil
}

// FiltersActive counts the filters the market form sets (the display currency and the sort
// are settings, not filters).
func (f marketForm) FiltersActive() int {
	n := 0
	for _, mf := range marketFilters {
		if f.Values[mf.Param] != "" {
			n++
		}
	}
	return n
}

// FiltersOpen reports whether the filters start unfolded: when one of them has an error.
func (p marketPage) FiltersOpen() bool {
	for _, mf := range marketFilters {
		if p.Errs[mf.Param] != "" {
			return true
		}
	}
	return p.Errs["currency"] != "" || p.Errs["sort"] != ""
}

// IsSelected reports whether the form's field holds value, for <option selected>.
func (f marketForm) IsSelected(field, value string) bool { return f.Values[field] == value }

// SortLabel names a sort option in the page's language.
func (p marketPage) SortLabel(s string) string { return p.T("sort." + s) }
