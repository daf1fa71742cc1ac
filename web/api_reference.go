package web

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
)

type provenanceJSON struct {
	Source     string `json:"source"`
	AsOf       string `json:"as_of"`
	Confidence string `json:"confidence"`
	Note       string `json:"note,omitempty"`
}

func toProvenance(p marketplace.Provenance) provenanceJSON {
	return provenanceJSON{Source: p.Source, AsOf: p.AsOf, Confidence: string(p.Confidence), Note: p.Note}
}

// nullDec renders an optional decimal as a JSON string or null.
func nullDec(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}

type regionJSON struct {
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	NameZH        string  `json:"name_zh"`
	Country       string  `json:"country"`
	Bloc          string  `json:"bloc"`
	Kind          string  `json:"kind"`
	Province      string  `json:"province,omitempty"`
	Class         string  `json:"class,omitempty"`
	System        string  `json:"system,omitempty"`
	Parent        string  `json:"parent,omitempty"`
	Selected      string  `json:"selected,omitempty"`
	PUETarget     *string `json:"pue_target"`
	GridKgPerKWh  *string `json:"grid_kg_co2e_per_kwh"`
	PowerPrice    *string `json:"power_price_per_kwh"`
	PowerCurrency string  `json:"power_currency,omitempty"`
	Lat           string  `json:"lat,omitempty"`
	Lon           string  `json:"lon,omitempty"`
	provenanceJSON
}

func toRegionJSON(r marketplace.Region) regionJSON {
	return regionJSON{
		Code: r.Code, Name: r.Name, NameZH: r.NameZH, Country: r.Country, Bloc: string(r.Bloc), Kind: string(r.Kind),
		Province: r.Province, Class: r.Class, System: r.System, Parent: r.Parent, Selected: r.Selected,
		PUETarget: nullDec(r.PUETarget), GridKgPerKWh: nullDec(r.GridKgPerKWh), PowerPrice: nullDec(r.PowerPrice),
		PowerCurrency: r.PowerCurrency, Lat: r.Lat, Lon: r.Lon, provenanceJSON: toProvenance(r.Provenance),
	}
}

type acceleratorJSON struct {
	Model         string          `json:"model"`
	Name          string          `json:"name"`
	NameZH        string          `json:"name_zh,omitempty"`
	Vendor        string          `json:"vendor"`
	VendorCountry string          `json:"vendor_country"`
	MemoryGB      decimal.Decimal `json:"memory_gb"`
	BandwidthGBs  decimal.Decimal `json:"bandwidth_gb_s"`
	BF16TFLOPS    decimal.Decimal `json:"bf16_tflops"`
	FP16TFLOPS    decimal.Decimal `json:"fp16_tflops"`
	FP8TFLOPS     decimal.Decimal `json:"fp8_tflops"`
	INT8TOPS      decimal.Decimal `json:"int8_tops"`
	TDPW          decimal.Decimal `json:"tdp_w"`
	DieAreaMM2    decimal.Decimal `json:"die_area_mm2"`
	TPP           decimal.Decimal `json:"tpp"`
	Density       decimal.Decimal `json:"performance_density"`
	ExportClass   string          `json:"export_class"`
	// FabCountry is where the wafers are made, the origin China's customs give the chips
	// (a TSMC-made US design is Taiwanese); "" when not published. Fab is its provenance.
	FabCountry string          `json:"fab_country"`
	Fab        *provenanceJSON `json:"fab,omitempty"`
	provenanceJSON
}

func toAcceleratorJSON(a marketplace.Accelerator) acceleratorJSON {
	return acceleratorJSON{
		Model: a.Model, Name: a.Name, NameZH: a.NameZH, Vendor: a.Vendor, VendorCountry: a.VendorCountry,
		MemoryGB: a.MemoryGB, BandwidthGBs: a.BandwidthGBs, BF16TFLOPS: a.BF16TFLOPS, FP16TFLOPS: a.FP16TFLOPS,
		FP8TFLOPS: a.FP8TFLOPS, INT8TOPS: a.INT8TOPS, TDPW: a.TDPW, DieAreaMM2: a.DieAreaMM2, TPP: a.TPP,
		Density: a.Density, ExportClass: marketplace.ExportClass(a), provenanceJSON: toProvenance(a.Provenance),
		FabCountry: a.FabCountry, Fab: fabJSON(a),
	}
}

// fabJSON is the provenance of an accelerator's fab country, or nil when it has none.
func fabJSON(a marketplace.Accelerator) *provenanceJSON {
	if a.FabCountry == "" {
		return nil
	}
	p := toProvenance(a.Fab)
	return &p
}

func handleHealth(m referenceAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := m.Ready(c.UserContext()); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"status": "ok"})
	}
}

func handleRegions(m referenceAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "bloc", "kind", "country"); err != nil {
			return err
		}
		f := marketplace.RegionFilter{
			Bloc:    marketplace.Bloc(strings.ToUpper(c.Query("bloc"))),
			Kind:    marketplace.RegionKind(c.Query("kind")),
			Country: strings.ToUpper(c.Query("country")),
		}
		regions, err := m.Regions(c.UserContext(), f)
		if err != nil {
			return err
		}
		out := make([]regionJSON, len(regions))
		for i, r := range regions {
			out[i] = toRegionJSON(r)
		}
		return c.JSON(fiber.Map{"regions": out})
	}
}

func handleAccelerators(m referenceAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "vendor_country", "vendor"); err != nil {
			return err
		}
		accs, err := m.Accelerators(c.UserContext())
		if err != nil {
			return err
		}
		vc, vendor := strings.ToUpper(c.Query("vendor_country")), strings.ToLower(c.Query("vendor"))
		out := make([]acceleratorJSON, 0, len(accs))
		for _, a := range accs {
			if (vc != "" && a.VendorCountry != vc) || (vendor != "" && strings.ToLower(a.Vendor) != vendor) {
				continue
			}
			out = append(out, toAcceleratorJSON(a))
		}
		return c.JSON(fiber.Map{"accelerators": out})
	}
}

type fxRateJSON struct {
	Currency  string          `json:"currency"`
	PerEUR    decimal.Decimal `json:"per_eur"`
	Published string          `json:"published"`
	Source    string          `json:"source"`
}

func handleFX(m referenceAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, "date"); err != nil {
			return err
		}
		date := time.Now().UTC().Truncate(24 * time.Hour)
		if s := c.Query("date"); s != "" {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return marketplace.Invalid("bad date", marketplace.FieldError{Field: "date", Message: "must be a date YYYY-MM-DD, got " + quoteShort(s)})
			}
			date = d
		}
		snap, warnings, err := m.FXOn(c.UserContext(), date)
		if err != nil {
			return err
		}
		rates := make([]fxRateJSON, 0, len(snap.Rates))
		for _, r := range snap.Rates {
			rates = append(rates, fxRateJSON{Currency: r.Currency, PerEUR: r.PerEUR, Published: r.Date.Format(time.DateOnly), Source: r.Source})
		}
		sort.Slice(rates, func(i, j int) bool { return rates[i].Currency < rates[j].Currency })
		if warnings == nil {
			warnings = []string{}
		}
		return c.JSON(fiber.Map{"date": date.Format(time.DateOnly), "base": "EUR", "rates": rates, "warnings": warnings})
	}
}

// referenceAPI is what the health and reference-data endpoints use of the marketplace.
type referenceAPI interface {
	Ready(ctx context.Context) error
	Regions(ctx context.Context, f marketplace.RegionFilter) ([]marketplace.Region, error)
	Accelerators(ctx context.Context) ([]marketplace.Accelerator, error)
	FXOn(ctx context.Context, date time.Time) (pricing.Snapshot, []string, error)
}
