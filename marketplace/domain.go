// Package marketplace is Corridor's domain: regions, accelerators, suppliers and their API keys,
// offers, the search language, quotes as stored records, orders and capacity reservation, the
// quota ledger, domain errors, the Store interface and the Service that enforces the rules.
package marketplace

import (
	"time"

	"github.com/shopspring/decimal"
)

// Bloc is the political bloc a region belongs to: China, the European Union, or Europe
// outside the Union (countries that take part in EuroHPC without being member states), so
// that bloc=EU means the Union and the map still draws every European site on one panel.
type Bloc string

// The blocs, in Blocs.
const (
	BlocCN    Bloc = "CN"
	BlocEU    Bloc = "EU"
	BlocNonEU Bloc = "NON_EU" // Europe outside the EU: IS, CH, GB, MD, MK, RS
)

// Blocs lists every bloc, in the order forms and documents show them.
var Blocs = []Bloc{BlocCN, BlocEU, BlocNonEU}

// Valid reports whether b is one of Blocs.
func (b Bloc) Valid() bool {
	for _, x := range Blocs {
		if b == x {
			return true
		}
	}
	return false
}

// blocNames lists the blocs for messages: "CN, EU or NON_EU".
func blocNames() string {
	s := ""
	for i, b := range Blocs {
		switch {
		case i == len(Blocs)-1:
			s += " or "
		case i > 0:
			s += ", "
		}
		s += string(b)
	}
	return s
}

// blocEnum lists the blocs as text (the search catalogue's enum must equal it: TestSearchVocabulary).
func blocEnum() []string {
	out := make([]string, len(Blocs))
	for i, b := range Blocs {
		out[i] = string(b)
	}
	return out
}

// Confidence marks how far a reference figure can be trusted.
type Confidence string

// Confidence marks used in seed data and shown wherever a figure is shown.
const (
	ConfidenceSourced      Confidence = "sourced"      // taken from the cited source as published
	ConfidenceEstimate     Confidence = "estimate"     // derived or approximated from sources
	ConfidenceIllustrative Confidence = "illustrative" // demo or example value, not a fact
)

// Provenance says where a reference record comes from.
type Provenance struct {
	Source     string     // citation or URL
	AsOf       string     // YYYY-MM-DD the figure refers to
	Confidence Confidence // sourced | estimate | illustrative
	Note       string     // what was estimated and how, when not sourced
}

// Region is a place that hosts capacity: an East Data West Compute hub node or data-centre
// cluster, or an EU AI Factory (or antenna).
type Region struct {
	Code          string // stable slug, e.g. "cn-ningxia-zhongwei", "eu-fi-kajaani"
	Name          string
	NameZH        string
	Country       string // ISO alpha-2
	Bloc          Bloc
	Kind          RegionKind
	Province      string // province (CN) or city/site (EU)
	Class         string // CN: east | west; EU: empty
	System        string // EU: the AI Factory's supercomputer
	Parent        string // a cluster's hub node code
	Selected      string // EU: selection round date, YYYY-MM
	PUETarget     decimal.NullDecimal
	GridKgPerKWh  decimal.NullDecimal // grid carbon intensity, kg CO2e per kWh
	PowerPrice    decimal.NullDecimal // industrial electricity price per kWh, in PowerCurrency
	PowerCurrency string
	Lat, Lon      string // decimal degrees as text, for the overview map
	Provenance
}

// Accelerator is a catalogue entry for one accelerator model.
type Accelerator struct {
	Model         string // code, e.g. "h100-sxm"
	Name          string // display name, e.g. "NVIDIA H100 SXM5 80GB"
	NameZH        string
	Vendor        string
	VendorCountry string // ISO alpha-2
	MemoryGB      decimal.Decimal
	BandwidthGBs  decimal.Decimal // memory bandwidth, GB/s
	BF16TFLOPS    decimal.Decimal // dense
	FP16TFLOPS    decimal.Decimal // dense
	INT8TOPS      decimal.Decimal // dense
	FP8TFLOPS     decimal.Decimal // dense, zero if unsupported
	TDPW          decimal.Decimal
	DieAreaMM2    decimal.Decimal // zero if unknown
	TPP           decimal.Decimal // computed by tariff.TPP, never typed in
	Density       decimal.Decimal // computed by tariff.PerformanceDensity
	Provenance
	// FabCountry is where its wafers are fabricated, the customs origin of its chips under
	// China's rules (a TSMC-made US design is Taiwanese); "" = not published. Fab is where that
	// comes from.
	FabCountry string
	Fab        Provenance
}

// Supplier sells capacity through the API. Where it is established, not where its servers
// are, decides who charges VAT on what it sells: Country is its seat, Establishments the
// further fixed establishments it declares as taking part in its supplies (staff and means of
// its own there: servers alone are none). VAT registrations are declared too, but a
// registration alone is no establishment and changes no quote.
type Supplier struct {
	ID               string
	Name             string
	Country          string // ISO alpha-2 of its seat (business establishment)
	Establishments   []string
	VATRegistrations []VATRegistration
	// Listings are codes of official lists the supplier declares it, or its capacity, is on
	// (a city's compute-partner list, a voucher scheme's qualifying centres): some compute
	// vouchers pay only for listed suppliers.
	Listings  []string
	Demo      bool
	CreatedAt time.Time
}

// VATRegistration is a VAT identification number a supplier holds in a country.
type VATRegistration struct {
	Country string // ISO alpha-2
	VATID   string // normalised (upper case, with its prefix) for an EU member state
}

// Tier is a volume discount: at or above MinGPUHours of a request, Discount (a fraction,
// 0.05 for 5%) comes off the base price.
type Tier struct {
	MinGPUHours decimal.Decimal
	Discount    decimal.Decimal
}

// Offer statuses.
const (
	OfferActive    = "active"
	OfferWithdrawn = "withdrawn"
)

// Offer is capacity a supplier posts: Capacity GPUs of one accelerator model in one region over
// [AvailableFrom, AvailableUntil), at Price per GPU-hour (or per unit for hardware).
type Offer struct {
	ID             string
	SupplierID     string
	Region         string
	Accelerator    string
	Product        string // gpu_hours | bare_metal | hardware
	GPUs           int    // capacity
	Price          decimal.Decimal
	Currency       string
	Pricing        string // on_demand | reserved | interruptible
	MinHours       int
	TermMonths     int
	Tiers          []Tier
	AvailableFrom  time.Time
	AvailableUntil time.Time
	HSCode         string
	// TaxTerms are the terms for taxes withheld at source the price is posted on:
	// net_of_cn_tax (the default: the buyer bears Chinese withholding on top) or tax_inclusive.
	TaxTerms     string
	Note         string
	Status       string
	Version      int
	Demo         bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Cancellation Cancellation // as stated by the supplier; zero: DefaultCancellation (CancellationTerms)
}
