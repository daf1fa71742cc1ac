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
)

// marketPageSize is how many offers one market page lists.
const marketPageSize = 20

// marketFilter is one structured filter of the market form and the search clause it becomes.
type marketFilter struct {
	Param string // query parameter and form field
	Field string // search-language field
	Op    string
}

// marketFilters turn the form's fields into search-language clauses, so the form and the
// search box share one parser, one validation and one matcher.
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
	Page   int
}

func readMarketForm(c *fiber.Ctx) marketForm {
	f := marketForm{Values: map[string]string{}}
	for _, k := range []string{"bloc", "region", "accelerator", "gpus_min", "price_max", "currency", "pricing", "from", "until", "export_class", "q", "sort"} {
		f.Values[k] = strings.TrimSpace(c.Query(k))
	}
	f.Page, _ = strconv.Atoi(c.Query("page"))
	if f.Page < 1 {
		f.Page = 1
	}
	return f
}

// search builds the search from the search box and the structured filters; errors are keyed
// by form field and carry the parser's message.
func (f marketForm) search() (marketplace.Search, map[string]string) {
	errs := map[string]string{}
	s, err := marketplace.ParseSearch(f.Values["q"])
	if err != nil {
		errs["q"] = fieldMessages(err)
		s = marketplace.Search{}
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
				msg = fieldMessages(err)
			}
			errs[mf.Param] = msg
			continue
		}
		s.Clauses = append(s.Clauses, one.Clauses[0])
	}
	if cur := f.Values["currency"]; cur != "" {
		one, err := marketplace.ParseSearch("currency=" + cur)
		if err != nil {
			errs["currency"] = fieldMessages(err)
		} else {
			s.Currency = one.Currency
		}
	}
	if s.Currency == "" {
		s.Currency = marketplace.DefaultCurrency
	}
	return s, errs
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

// link returns the market URL with the form's values, key set to value ("" removes it).
func (f marketForm) link(key, value string) string {
	q := url.Values{}
	for k, v := range f.Values {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Page > 1 {
		q.Set("page", strconv.Itoa(f.Page))
	}
	if key != "page" {
		q.Del("page")
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

// offerRow is one offer of the market list with its price in the display currency.
type offerRow struct {
	marketplace.OfferContext
	QueryPrice decimal.Decimal     // per GPU-hour (or unit) in the display currency
	PerPFLOP   decimal.NullDecimal // QueryPrice per dense BF16 PFLOP-hour
}

// marketPage is the data of the market page.
type marketPage struct {
	*view
	Form         marketForm
	Errs         map[string]string
	Currency     string
	FXDate       string
	Rows         []offerRow
	Count        int
	Page, Pages  int
	Prev, Next   string
	Regions      []marketplace.Region
	Accelerators []marketplace.Accelerator
	Sorts        []string
	Map          mapView
	ClearRegion  string
}

func (u *ui) handleMarket(c *fiber.Ctx, v *view) error {
	ctx := c.UserContext()
	v.Title = v.T("market.title")
	form := readMarketForm(c)
	search, errs := form.search()
	srt, err := marketplace.ParseSort(form.Values["sort"])
	if err != nil {
		errs["sort"] = fieldMessages(err)
	}
	regions, err := u.market.Regions(ctx, marketplace.RegionFilter{})
	if err != nil {
		return err
	}
	accs, err := u.market.Accelerators(ctx)
	if err != nil {
		return err
	}
	all, err := u.market.ActiveOffers(ctx, marketplace.OfferContextFilter{})
	if err != nil {
		return err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	snap, _, err := u.market.FXOn(ctx, today)
	if err != nil {
		return err
	}
	p := marketPage{view: v, Form: form, Errs: errs, Currency: search.Currency, FXDate: snap.Date.Format(time.DateOnly),
		Regions: regions, Accelerators: accs, Sorts: marketSorts, ClearRegion: form.link("region", "")}
	perRegion := map[string]int{}
	for _, oc := range all {
		perRegion[oc.Offer.Region]++
		price, err := snap.Convert(oc.Offer.Price, oc.Offer.Currency, search.Currency)
		if err != nil {
			continue // no rate for this pair: the offer cannot be shown in this currency
		}
		if !search.Matches(oc, price) {
			continue
		}
		row := offerRow{OfferContext: oc, QueryPrice: price}
		if tf := oc.Accelerator.BF16TFLOPS; tf.IsPositive() {
			row.PerPFLOP = decimal.NewNullDecimal(price.Mul(decimal.NewFromInt(1000)).DivRound(tf, 6))
		}
		p.Rows = append(p.Rows, row)
	}
	sortRows(p.Rows, srt)
	p.Count = len(p.Rows)
	p.Pages = (p.Count + marketPageSize - 1) / marketPageSize
	if p.Pages == 0 {
		p.Pages = 1
	}
	p.Page = min(form.Page, p.Pages)
	if p.Page > 1 {
		p.Prev = form.link("page", strconv.Itoa(p.Page-1))
	}
	if p.Page < p.Pages {
		p.Next = form.link("page", strconv.Itoa(p.Page+1))
	}
	lo := (p.Page - 1) * marketPageSize
	p.Rows = p.Rows[lo:min(lo+marketPageSize, len(p.Rows))]
	p.Map = buildMap(v, regions, perRegion, form)
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusBadRequest
	}
	return u.render(c, status, "market", p)
}

// sortRows orders the list by the sort key, ties by offer id so pages are stable.
func sortRows(rows []offerRow, s marketplace.Sort) {
	key := func(r offerRow) (decimal.Decimal, bool) {
		switch s.Key {
		case marketplace.SortPerPFLOPHour:
			return r.PerPFLOP.Decimal, r.PerPFLOP.Valid
		case marketplace.SortAvailableFrom:
			return decimal.NewFromInt(r.Offer.AvailableFrom.Unix()), true
		case marketplace.SortGPUs:
			return decimal.NewFromInt(int64(r.Offer.GPUs)), true
		}
		return r.QueryPrice, true
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, aok := key(rows[i])
		b, bok := key(rows[j])
		if aok != bok {
			return aok // offers without the figure go last
		}
		if c := a.Cmp(b); c != 0 {
			return (c < 0) != s.Desc
		}
		return rows[i].Offer.ID < rows[j].Offer.ID
	})
}

// IsSelected reports whether the form's field holds value, for <option selected>.
func (f marketForm) IsSelected(field, value string) bool { return f.Values[field] == value }

// SortLabel names a sort option in the page's language.
func (p marketPage) SortLabel(s string) string { return p.T("sort." + s) }
