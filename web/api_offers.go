package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/marketplace/search"
)

// tierBody is a volume tier in requests and responses.
type tierBody struct {
	MinGPUHours *string `json:"min_gpu_hours"`
	Discount    *string `json:"discount"`
}

// offerBody is an offer as clients write it (create, patch, batch items). Read-only members
// (supplier_id, status, version, …) are unknown here, so sending them is a 400.
type offerBody struct {
	ID             *string     `json:"id,omitempty"`
	Region         *string     `json:"region"`
	Accelerator    *string     `json:"accelerator"`
	Product        *string     `json:"product"`
	GPUs           *int        `json:"gpus"`
	Price          *string     `json:"price"`
	Currency       *string     `json:"currency"`
	Pricing        *string     `json:"pricing"`
	MinHours       *int        `json:"min_hours"`
	TermMonths     *int        `json:"term_months"`
	Tiers          *[]tierBody `json:"tiers"`
	AvailableFrom  *string     `json:"available_from"`
	AvailableUntil *string     `json:"available_until"`
	HSCode         *string     `json:"hs_code"`
	TaxTerms       *string     `json:"tax_terms"`
	Note           *string     `json:"note"`
	Cancellation   *struct {
		Kind        *string `json:"kind"`
		NoticeHours *int    `json:"notice_hours"`
	} `json:"cancellation"`
}

func (b offerBody) toDomain() marketplace.OfferInput {
	in := marketplace.OfferInput{
		ID: b.ID, Region: b.Region, Accelerator: b.Accelerator, Product: b.Product, GPUs: b.GPUs, Price: b.Price,
		Currency: b.Currency, Pricing: b.Pricing, MinHours: b.MinHours, TermMonths: b.TermMonths,
		AvailableFrom: b.AvailableFrom, AvailableUntil: b.AvailableUntil, HSCode: b.HSCode, TaxTerms: b.TaxTerms, Note: b.Note,
	}
	if b.Cancellation != nil {
		in.Cancellation = &marketplace.CancellationInput{Kind: b.Cancellation.Kind, NoticeHours: b.Cancellation.NoticeHours}
	}
	if b.Tiers != nil {
		tiers := make([]marketplace.TierInput, len(*b.Tiers))
		for i, t := range *b.Tiers {
			tiers[i] = marketplace.TierInput{MinGPUHours: t.MinGPUHours, Discount: t.Discount}
		}
		in.Tiers = &tiers
	}
	return in
}

type tierJSON struct {
	MinGPUHours string `json:"min_gpu_hours"`
	Discount    string `json:"discount"`
}

type windowJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// offerJSON is an offer in responses: the contract's core fields and what a reader needs
// beside them.
type offerJSON struct {
	ID             string      `json:"id"`
	SupplierID     string      `json:"supplier_id"`
	SupplierName   string      `json:"supplier_name,omitempty"`
	Region         string      `json:"region"`
	RegionName     string      `json:"region_name,omitempty"`
	Bloc           string      `json:"bloc,omitempty"`
	Country        string      `json:"country,omitempty"`
	Accelerator    string      `json:"accelerator"`
	BF16TFLOPS     string      `json:"bf16_tflops,omitempty"`
	TPP            string      `json:"tpp,omitempty"`
	ExportClass    string      `json:"export_class,omitempty"`
	Product        string      `json:"product"`
	GPUs           int         `json:"gpus"`
	GPUsAvailable  *int        `json:"gpus_available,omitempty"`
	Window         *windowJSON `json:"availability_window,omitempty"`
	Price          string      `json:"price"`
	Currency       string      `json:"currency"`
	QueryPrice     string      `json:"query_price,omitempty"`
	QueryCurrency  string      `json:"query_currency,omitempty"`
	PerPFLOPHour   *string     `json:"per_pflop_hour,omitempty"`
	Pricing        string      `json:"pricing"`
	MinHours       int         `json:"min_hours"`
	TermMonths     int         `json:"term_months"`
	Tiers          []tierJSON  `json:"tiers"`
	AvailableFrom  string      `json:"available_from"`
	AvailableUntil string      `json:"available_until"`
	HSCode         string      `json:"hs_code,omitempty"`
	TaxTerms       string      `json:"tax_terms"`
	Note           string      `json:"note"`
	Status         string      `json:"status"`
	Version        int         `json:"version"`
	Demo           bool        `json:"demo"`
	CreatedAt      string      `json:"created_at"`
	UpdatedAt      string      `json:"updated_at"`
	// Cancellation is the offer's terms: as stated, or its pricing model's default.
	Cancellation *cancellationJSON `json:"cancellation"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func toOfferJSON(o marketplace.Offer) offerJSON {
	tiers := make([]tierJSON, len(o.Tiers))
	for i, t := range o.Tiers {
		tiers[i] = tierJSON{MinGPUHours: t.MinGPUHours.String(), Discount: marketplace.FormatDiscount(t.Discount)}
	}
	return offerJSON{
		ID: o.ID, SupplierID: o.SupplierID, Region: o.Region, Accelerator: o.Accelerator, Product: o.Product,
		GPUs: o.GPUs, Price: o.Price.String(), Currency: o.Currency, Pricing: o.Pricing, MinHours: o.MinHours,
		TermMonths: o.TermMonths, Tiers: tiers, AvailableFrom: rfc3339(o.AvailableFrom), AvailableUntil: rfc3339(o.AvailableUntil),
		HSCode: o.HSCode, TaxTerms: string(o.PostedTaxTerms()), Note: o.Note, Status: o.Status, Version: o.Version, Demo: o.Demo,
		CreatedAt: rfc3339(o.CreatedAt), UpdatedAt: rfc3339(o.UpdatedAt),
		Cancellation: toCancellationJSON(o.CancellationTerms(), time.Time{}),
	}
}

func toOfferViewJSON(v marketplace.OfferView) offerJSON {
	j := toOfferJSON(v.Offer)
	j.SupplierName, j.RegionName, j.Bloc, j.Country = v.SupplierName, v.RegionName, string(v.Bloc), v.Country
	j.BF16TFLOPS, j.TPP, j.ExportClass = v.BF16TFLOPS.String(), v.TPP.String(), v.ExportClass
	avail := v.GPUsAvailable
	j.GPUsAvailable = &avail
	j.Window = &windowJSON{Start: rfc3339(v.WindowStart), End: rfc3339(v.WindowEnd)}
	return j
}

// windowParams reads the optional ?start=&end= window for gpus_available.
func windowParams(c *fiber.Ctx) (time.Time, time.Time, error) {
	var out [2]time.Time
	for i, name := range []string{"start", "end"} {
		s := c.Query(name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d, derr := time.Parse(time.DateOnly, s)
			if derr != nil {
				return time.Time{}, time.Time{}, marketplace.Invalid("bad window", marketplace.FieldError{Field: name, Message: "must be an RFC 3339 time or a date YYYY-MM-DD, got " + quoteShort(s)})
			}
			t = d
		}
		out[i] = t.UTC()
	}
	if !out[0].IsZero() && !out[1].IsZero() && !out[1].After(out[0]) {
		return time.Time{}, time.Time{}, marketplace.Invalid("bad window", marketplace.FieldError{Field: "end", Message: "must be after start"})
	}
	return out[0], out[1], nil
}

// ifMatch reads the If-Match header: the offer version, as "3", "\"3\"" or W/"3"; 0 if absent.
func ifMatch(c *fiber.Ctx) (int, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" || h == "*" {
		return 0, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, marketplace.Invalid("bad If-Match", marketplace.FieldError{Field: "If-Match", Message: `must be the offer's version, e.g. "3" (the ETag of the last read)`})
	}
	return n, nil
}

func setETag(c *fiber.Ctx, version int) {
	c.Set(fiber.HeaderETag, `"`+strconv.Itoa(version)+`"`)
}

func param(c *fiber.Ctx, name string) string { return strings.Clone(c.Params(name)) }

// respondOffer answers with the stored offer id as read back (names, availability) and its
// version as the ETag.
func respondOffer(c *fiber.Ctx, m offerAPI, id string, status int) error {
	return respondOfferIn(c, m, id, time.Time{}, time.Time{}, status)
}

func respondOfferIn(c *fiber.Ctx, m offerAPI, id string, start, end time.Time, status int) error {
	v, err := m.Offer(c.UserContext(), id, start, end)
	if err != nil {
		return err
	}
	setETag(c, v.Version)
	return c.Status(status).JSON(toOfferViewJSON(v))
}

func handleOfferCreate(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sp, _ := supplierOf(c)
		var body offerBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		o, err := m.CreateOffer(c.UserContext(), sp.ID, body.toDomain())
		if err != nil {
			return err
		}
		c.Location("/api/v1/offers/" + o.ID)
		return respondOffer(c, m, o.ID, fiber.StatusCreated)
	}
}

func handleOfferGet(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "start", "end"); err != nil {
			return err
		}
		start, end, err := windowParams(c)
		if err != nil {
			return err
		}
		return respondOfferIn(c, m, param(c, "id"), start, end, fiber.StatusOK)
	}
}

func handleOfferUpdate(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sp, _ := supplierOf(c)
		version, err := ifMatch(c)
		if err != nil {
			return err
		}
		var body offerBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		if body == (offerBody{}) { // an empty patch would only bump the version
			return marketplace.Invalid("nothing to change", marketplace.FieldError{Field: "body", Message: "nothing to change: name at least one member to update"})
		}
		o, err := m.UpdateOffer(c.UserContext(), sp.ID, param(c, "id"), version, body.toDomain())
		if err != nil {
			return err
		}
		return respondOffer(c, m, o.ID, fiber.StatusOK)
	}
}

func handleOfferWithdraw(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sp, _ := supplierOf(c)
		version, err := ifMatch(c)
		if err != nil {
			return err
		}
		o, err := m.WithdrawOffer(c.UserContext(), sp.ID, param(c, "id"), version)
		if err != nil {
			return err
		}
		return respondOffer(c, m, o.ID, fiber.StatusOK) // the same shape as GET
	}
}

// handleOfferReinstate lists a withdrawn offer of the caller's again.
func handleOfferReinstate(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sp, _ := supplierOf(c)
		version, err := ifMatch(c)
		if err != nil {
			return err
		}
		if err := noBody(c); err != nil {
			return err
		}
		o, err := m.ReinstateOffer(c.UserContext(), sp.ID, param(c, "id"), version)
		if err != nil {
			return err
		}
		return respondOffer(c, m, o.ID, fiber.StatusOK)
	}
}

// handleSupplierOffers lists the caller's own offers, withdrawn ones included.
func handleSupplierOffers(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "status", "limit", "cursor"); err != nil {
			return err
		}
		sp, _ := supplierOf(c)
		limit, err := limitParam(c)
		if err != nil {
			return err
		}
		page, err := m.SupplierOffers(c.UserContext(), marketplace.SupplierOfferQuery{SupplierID: sp.ID, Status: c.Query("status"), Limit: limit, Cursor: c.Query("cursor")})
		if err != nil {
			return err
		}
		out := make([]offerJSON, len(page.Offers))
		for i, v := range page.Offers {
			out[i] = toOfferViewJSON(v)
		}
		return c.JSON(fiber.Map{"offers": out, "next_cursor": nextCursor(page.NextCursor)})
	}
}

type batchBody struct {
	Offers []offerBody `json:"offers"`
}

type batchItemJSON struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Created bool   `json:"created"`
}

func handleOfferBatch(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sp, _ := supplierOf(c)
		var body batchBody
		if err := decodeBody(c, &body); err != nil {
			return err
		}
		items := make([]marketplace.OfferInput, len(body.Offers))
		for i, b := range body.Offers {
			items[i] = b.toDomain()
		}
		res, err := m.UpsertOffers(c.UserContext(), sp.ID, items)
		if err != nil {
			return err
		}
		out := make([]batchItemJSON, len(res))
		created := 0
		for i, r := range res {
			out[i] = batchItemJSON{ID: r.Offer.ID, Version: r.Offer.Version, Created: r.Created}
			if r.Created {
				created++
			}
		}
		return c.JSON(fiber.Map{"offers": out, "created": created, "replaced": len(res) - created})
	}
}

func handleOfferSearch(m offerAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "q", "sort", "limit", "cursor", "start", "end"); err != nil {
			return err
		}
		req := marketplace.SearchRequest{Q: c.Query("q"), Sort: c.Query("sort"), Cursor: c.Query("cursor")}
		var err error
		if req.Limit, err = limitParam(c); err != nil {
			return err
		}
		if req.Start, req.End, err = windowParams(c); err != nil {
			return err
		}
		page, err := m.SearchOffers(c.UserContext(), req)
		if err != nil {
			return err
		}
		cur := page.Search.Currency
		if cur == "" {
			cur = search.DefaultCurrency
		}
		offers := make([]offerJSON, len(page.Hits))
		for i, h := range page.Hits {
			j := toOfferViewJSON(h.OfferView)
			j.QueryPrice, j.QueryCurrency = h.QueryPrice.Round(6).String(), cur
			if h.PerPFLOPHour.Valid {
				s := h.PerPFLOPHour.Decimal.String()
				j.PerPFLOPHour = &s
			}
			offers[i] = j
		}
		var next *string
		if page.NextCursor != "" {
			next = &page.NextCursor
		}
		warnings := page.Warnings
		if warnings == nil {
			warnings = []string{}
		}
		return c.JSON(fiber.Map{
			"offers": offers, "next_cursor": next, "query": page.Search.String(), "sort": page.Sort.String(),
			"currency": cur, "fx_date": page.FXDate.Format(time.DateOnly), "warnings": warnings,
		})
	}
}

// limitParam reads ?limit= (1 to MaxPageSize); 0 when absent, meaning the default.
func limitParam(c *fiber.Ctx) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > marketplace.MaxPageSize {
		return 0, marketplace.Invalid("invalid limit", marketplace.FieldError{Field: "limit", Message: "must be a whole number from 1 to 500"})
	}
	return n, nil
}

// offerAPI is what the offer and search endpoints use of the marketplace.
type offerAPI interface {
	CreateOffer(ctx context.Context, supplierID string, in marketplace.OfferInput) (marketplace.Offer, error)
	Offer(ctx context.Context, id string, start, end time.Time) (marketplace.OfferView, error)
	UpdateOffer(ctx context.Context, supplierID, id string, ifMatch int, in marketplace.OfferInput) (marketplace.Offer, error)
	WithdrawOffer(ctx context.Context, supplierID, id string, ifMatch int) (marketplace.Offer, error)
	ReinstateOffer(ctx context.Context, supplierID, id string, ifMatch int) (marketplace.Offer, error)
	SupplierOffers(ctx context.Context, q marketplace.SupplierOfferQuery) (marketplace.SupplierOfferPage, error)
	UpsertOffers(ctx context.Context, supplierID string, items []marketplace.OfferInput) ([]marketplace.BatchResult, error)
	SearchOffers(ctx context.Context, r marketplace.SearchRequest) (marketplace.SearchPage, error)
}
