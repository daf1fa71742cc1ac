package search

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Op is a comparison operator of the search language.
type Op string

// The operators. Which ones a field accepts is listed in its Field.Ops.
const (
	OpEq       Op = "="     // equal
	OpNe       Op = "!="    // not equal
	OpLt       Op = "<"     // less than
	OpLe       Op = "<="    // less than or equal
	OpGt       Op = ">"     // greater than
	OpGe       Op = ">="    // greater than or equal
	OpIn       Op = "in"    // equal to one of a list: region in [a,b]
	OpNotIn    Op = "notin" // equal to none of a list: bloc notin [CN]
	OpContains Op = "~"     // case-insensitive substring (text only)
)

// IsList reports whether op takes a bracketed list of values (in, notin).
func (op Op) IsList() bool { return op == OpIn || op == OpNotIn }

// Field types of the catalogue (Field.Type).
const (
	TypeString  = "string"  // free-form or syntactically checked text (see Field.Format)
	TypeEnum    = "enum"    // one of Field.Enum
	TypeInt     = "int"     // whole number ≥ 0, at most 18 digits
	TypeDecimal = "decimal" // number ≥ 0 without exponent, ≤ 18 integer and ≤ 6 fraction digits
	TypeDate    = "date"    // calendar date YYYY-MM-DD
	TypeBool    = "bool"    // true | false
)

// Formats of string fields (Field.Format).
const (
	FormatSlug    = "slug"           // lowercase letters, digits, - _ . (max 64), input case-insensitive
	FormatCountry = "iso3166-alpha2" // two letters, upper case, input case-insensitive
	FormatID      = "id"             // letters, digits, - _ (max 64), case-sensitive
	FormatText    = "text"           // any printable text (max MaxTextLen bytes)
)

// Limits of the search language.
const (
	MaxLen        = 2000 // bytes of q
	MaxClauses    = 32   // clauses in q, currency= included
	MaxListValues = 64   // values in one in/notin list
	MaxTextLen    = 200  // bytes of one text value
)

// DefaultCurrency is the query currency when q has no currency= clause.
const DefaultCurrency = "EUR"

// Field describes one field of the search language: its name, value type, unit, which
// operators it accepts and, for enums, its values. The catalogue is published (docs, OpenAPI),
// so that no filter is undocumented and no unit has to be guessed. It also says where the
// field's value is found, so that adding a field is adding one entry.
type Field struct {
	Name        string
	Type        string // string | enum | int | decimal | date | bool
	Format      string // for strings: slug | iso3166-alpha2 | id | text
	Unit        string // e.g. "GPUs", "GB", "hours"; empty when the value has no unit
	Description string
	Ops         []Op
	Enum        []string // enums: every accepted value, in canonical case
	Example     string   // a clause using the field

	// Column is the stored offer attribute the field compares against: a column of the store's
	// offers table holding the normalised value (decimals as integer micro-units, dates as the
	// Unix seconds of the UTC day, text lower-cased). Empty for currency, a setting. price is
	// served through per-currency bounds on its column (see Read.PriceBounds).
	Column string
	// Model, for fields that depend on the accelerator model alone, returns the field's value
	// for a model in canonical form (decimals truncated to micro-units, as stored); nil for
	// fields of the offer. The planner uses it to narrow a price-sorted search to the index
	// ranges of a few models.
	Model func(Model) string
	// Split marks a field whose column leads an index of the store for every sort key: for an
	// = or in clause with a few values, the planner reads one ordered stream per value and
	// merges them, so a small set costs a few short index ranges whatever the market's size.
	Split bool
}

// Model is what the planner knows of one accelerator model of the catalogue: the values the
// accelerator-level fields read (Field.Model).
type Model struct {
	Code          string // e.g. h100-sxm
	Vendor        string // as a slug (VendorSlug)
	VendorCountry string
	ExportClass   string // 3a090a | 3a090b | unknown | none
	MemoryGB      decimal.Decimal
	BF16TFLOPS    decimal.Decimal
	TPP           decimal.Decimal
}

var (
	opsIdentity = []Op{OpEq, OpNe, OpIn, OpNotIn}
	opsOrdered  = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe}
	opsCount    = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}
	opsBool     = []Op{OpEq, OpNe}
	opsText     = []Op{OpContains}
	opsSetting  = []Op{OpEq}
)

// ListedCurrencies are the currencies an offer may be listed in (the values of
// listed_currency), in canonical order.
var ListedCurrencies = []string{"CNY", "EUR", "USD"}

// queryCurrencies are the currencies a query may price in: EUR and every currency of the ECB
// euro foreign exchange reference rates (BGN ended with Bulgaria's euro adoption in 2026).
var queryCurrencies = []string{
	"CNY", "EUR", "USD",
	"AUD", "BRL", "CAD", "CHF", "CZK", "DKK", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK",
	"JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SEK", "SGD", "THB", "TRY",
	"ZAR",
}

func micros(d decimal.Decimal) string { return d.Truncate(6).String() }

// catalogue is the field catalogue, in the order it is documented.
var catalogue = []Field{
	{Name: "accelerator", Type: TypeString, Format: FormatSlug, Ops: opsIdentity,
		Description: "Accelerator model code, as listed by GET /api/v1/accelerators (checked for syntax only: an unknown model matches nothing).",
		Example:     "accelerator in [h100-sxm,h20]",
		Column:      "accelerator", Model: func(m Model) string { return m.Code }},
	{Name: "vendor", Type: TypeString, Format: FormatSlug, Ops: opsIdentity,
		Description: "Vendor of the accelerator, as a lowercase slug (e.g. nvidia, huawei).",
		Example:     "vendor=huawei",
		Column:      "vendor", Model: func(m Model) string { return m.Vendor }},
	{Name: "vendor_country", Type: TypeString, Format: FormatCountry, Ops: opsIdentity,
		Description: "Country of the accelerator vendor, ISO 3166-1 alpha-2.",
		Example:     "vendor_country!=US",
		Column:      "vendor_country", Model: func(m Model) string { return m.VendorCountry }},
	{Name: "region", Type: TypeString, Format: FormatSlug, Ops: opsIdentity,
		Description: "Region code, as listed by GET /api/v1/regions (checked for syntax only).",
		Example:     "region in [cn-ningxia-zhongwei,cn-gansu-qingyang]",
		Column:      "region", Split: true},
	{Name: "bloc", Type: TypeEnum, Enum: []string{"CN", "EU", "NON_EU"}, Ops: opsIdentity,
		Description: "Bloc of the offer's region: CN (China), EU (European Union member states), NON_EU (Europe outside the Union).",
		Example:     "bloc=CN",
		Column:      "bloc"},
	{Name: "country", Type: TypeString, Format: FormatCountry, Ops: opsIdentity,
		Description: "Country of the offer's region (where the capacity is), ISO 3166-1 alpha-2.",
		Example:     "country in [FI,DE]",
		Column:      "country"},
	{Name: "product", Type: TypeEnum, Enum: []string{"gpu_hours", "bare_metal", "hardware"}, Ops: opsIdentity,
		Description: "What is sold: GPU-hours, bare-metal servers, or hardware units.",
		Example:     "product=gpu_hours",
		Column:      "product"},
	{Name: "pricing", Type: TypeEnum, Enum: []string{"on_demand", "reserved", "interruptible"}, Ops: opsIdentity,
		Description: "Pricing model of the offer.",
		Example:     "pricing=reserved",
		Column:      "pricing"},
	{Name: "gpus", Type: TypeInt, Unit: "GPUs", Ops: opsCount,
		Description: "GPUs available in the offer's window (its capacity), not GPUs per server.",
		Example:     "gpus>=8",
		Column:      "gp_us"},
	{Name: "price", Type: TypeDecimal, Unit: "currency per GPU-hour (per unit for hardware)", Ops: opsOrdered,
		Description: "Offer price per GPU-hour (per unit for hardware) in the query's currency (see currency; EUR by default). Offers listed in another currency are converted with the current FX table before comparing.",
		Example:     "price<=2.5",
		Column:      "price_micros"},
	{Name: "currency", Type: TypeEnum, Enum: queryCurrencies, Ops: opsSetting,
		Description: "Currency of the price filter and of the prices shown in the results (default EUR). A setting, not a filter: it does NOT select offers listed in that currency (use listed_currency). At most once per query.",
		Example:     "currency=USD"},
	{Name: "listed_currency", Type: TypeEnum, Enum: ListedCurrencies, Ops: opsIdentity,
		Description: "Currency the supplier listed the offer in (the offer's own currency field).",
		Example:     "listed_currency=CNY",
		Column:      "currency"},
	{Name: "memory_gb", Type: TypeDecimal, Unit: "GB per GPU", Ops: opsOrdered,
		Description: "Memory of one accelerator, in GB (10^9 bytes).",
		Example:     "memory_gb>=80",
		Column:      "memory_micros", Model: func(m Model) string { return micros(m.MemoryGB) }},
	{Name: "bf16_tflops", Type: TypeDecimal, Unit: "TFLOPS per GPU", Ops: opsOrdered,
		Description: "Dense BF16 throughput of one accelerator, in TFLOPS.",
		Example:     "bf16_tflops>=900",
		Column:      "tflops_micros", Model: func(m Model) string { return micros(m.BF16TFLOPS) }},
	{Name: "tpp", Type: TypeDecimal, Unit: "TPP per GPU", Ops: opsOrdered,
		Description: "Total Processing Performance of one accelerator as defined for ECCN 3A090 (computed from its specs).",
		Example:     "tpp<4800",
		Column:      "tpp_micros", Model: func(m Model) string { return micros(m.TPP) }},
	{Name: "export_class", Type: TypeEnum, Enum: []string{"3a090a", "3a090b", "unknown", "none"}, Ops: opsIdentity,
		Description: "Export-control class of the accelerator under ECCN 3A090, derived from its TPP and performance density (tariff.ClassifyAccelerator): 3a090a (TPP ≥ 4800, or TPP ≥ 1600 and density ≥ 5.92), 3a090b (2400 ≤ TPP < 4800 and 1.6 ≤ density < 5.92, or TPP ≥ 1600 and 3.2 ≤ density < 5.92), unknown when the published specs cannot decide (no TPP, or a TPP from 1600 to 4800 without a die area), otherwise none. Never typed in by suppliers; informational, not a licensing determination.",
		Example:     "export_class=none",
		Column:      "export_class", Model: func(m Model) string { return m.ExportClass }},
	{Name: "min_hours", Type: TypeInt, Unit: "hours", Ops: opsCount,
		Description: "Minimum order length the supplier accepts, in hours.",
		Example:     "min_hours<=24",
		Column:      "min_hours"},
	{Name: "term_months", Type: TypeInt, Unit: "months", Ops: opsCount,
		Description: "Commitment term of reserved offers, in months (0 for none).",
		Example:     "term_months in [0,12]",
		Column:      "term_months"},
	{Name: "available_from", Type: TypeDate, Ops: opsOrdered,
		Description: "First day the capacity is available (UTC date).",
		Example:     "available_from<=2026-12-01",
		Column:      "from_day"},
	{Name: "available_until", Type: TypeDate, Ops: opsOrdered,
		Description: "End of the availability window, exclusive (UTC date).",
		Example:     "available_until>=2027-06-30",
		Column:      "until_day"},
	{Name: "supplier", Type: TypeString, Format: FormatID, Ops: opsIdentity,
		Description: "Supplier id (case-sensitive).",
		Example:     "supplier=sup_01",
		Column:      "supplier_id"},
	{Name: "demo", Type: TypeBool, Ops: opsBool,
		Description: "Whether the offer belongs to the illustrative demo market.",
		Example:     "demo=false",
		Column:      "demo"},
	{Name: "text", Type: TypeString, Format: FormatText, Ops: opsText,
		Description: "Free text searched, case-insensitively, in the supplier's name and the offer's note. A literal: % and _ match themselves.",
		Example:     `text~"liquid cooled"`,
		Column:      "search_text"},
}

// Fields returns the field catalogue, in documentation order. The result is a copy: callers
// may modify it.
func Fields() []Field {
	out := make([]Field, len(catalogue))
	for i := range catalogue {
		out[i] = copyField(&catalogue[i])
	}
	return out
}

// Lookup returns the catalogue entry of the field called name (case-sensitive).
func Lookup(name string) (Field, bool) {
	if f := field(name); f != nil {
		return copyField(f), true
	}
	return Field{}, false
}

func copyField(f *Field) Field {
	c := *f
	c.Ops = append([]Op(nil), f.Ops...)
	c.Enum = append([]string(nil), f.Enum...)
	return c
}

func field(name string) *Field {
	for i := range catalogue {
		if catalogue[i].Name == name {
			return &catalogue[i]
		}
	}
	return nil
}

func fieldNames() []string {
	names := make([]string, len(catalogue))
	for i, f := range catalogue {
		names[i] = f.Name
	}
	return names
}

func (f *Field) allows(op Op) bool {
	for _, o := range f.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// VendorSlug is the search form of a vendor name: "NVIDIA" → "nvidia", "Moore Threads" →
// "moore-threads".
func VendorSlug(v string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, v), "-")
}
