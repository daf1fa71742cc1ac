package tariff

import (
	"time"

	"github.com/shopspring/decimal"
)

// Direction says whether a measure applies to flows into (import) or out of (export) its
// jurisdiction, or both.
type Direction string

// Directions.
const (
	DirectionImport Direction = "import"
	DirectionExport Direction = "export"
	DirectionBoth   Direction = "both"
)

// Base names what a measure's ad valorem components apply to.
type Base string

// Bases, see docs/policy-language.md.
const (
	BaseNetPrice        Base = "net_price"          // the supply's net price
	BaseCustomsValue    Base = "customs_value"      // net price + freight + insurance
	BaseValuePlusDuties Base = "value_plus_duties"  // customs value + import duties, levies and fees computed before
	BaseGrossPayment    Base = "gross_payment"      // withheld VAT on a gross payment: gross ÷ (1+r) × r, the gross following Supply.TaxTerms
	BasePaymentNetOfVAT Base = "payment_net_of_vat" // withheld income tax: the payment net of the VAT withheld on it, following Supply.TaxTerms
	BaseTaxAmount       Base = "tax_amount"         // payable VAT and withholding of the same jurisdiction computed before
	BaseContractAmount  Base = "contract_amount"    // subsidies: the net price
)

// Action is what a gate does when it matches.
type Action string

// Gate actions; they map to flag severities warning, license_required and block.
const (
	ActionWarn            Action = "warn"
	ActionLicenseRequired Action = "license_required"
	ActionBlock           Action = "block"
)

// Area is a named group of countries with dated membership, e.g. EU27.
type Area struct {
	ID      string
	Title   string
	Members []Membership
}

// Membership is one country's membership of an area; zero dates are open.
type Membership struct {
	Country   string
	ValidFrom time.Time
	ValidTo   time.Time
}

// Quota is a tariff quota on a measure: Volume per Period at InQuotaRate; beyond it the
// measure's normal rate applies.
type Quota struct {
	Period      string          // calendar_year
	Volume      decimal.Decimal // in Unit
	Unit        string          // gpu_hour or unit
	InQuotaRate *Expr
}

// Measure is one rule of a policy: who levies what, on which flows, from when to when,
// computed how, on which base, and how it combines with others. Zero values mean "any" for
// conditions and "open" for dates.
type Measure struct {
	ID           string
	Kind         Kind
	Jurisdiction string
	Direction    Direction

	Origin            []string // countries, areas or "*"
	OriginExcept      []string
	Destination       []string
	DestinationExcept []string
	Products          []Product
	HS                []string // HS code prefixes, digits only ("847150")
	Buyer             []BuyerType
	Regions           []string // capacity region codes (prefix match at '-' boundaries)
	BuyerRegions      []string // buyer registration region codes (same matching), e.g. cn-beijing
	PersonalData      *bool
	VendorCountry     []string
	Models            []string
	TPPMin            decimal.NullDecimal
	TPPMax            decimal.NullDecimal
	DensityMin        decimal.NullDecimal
	FabCountry        []string      // countries of the accelerator's wafer fab
	ExportClass       []ExportClass // the accelerator's class (ClassifyAccelerator)

	Supplier          []string  // places where the supplier is established (Supply.SupplierCountry and SupplierEstablishments), "*" = all
	SupplierExcept    []string  // exclusions: a supplier established in any of them does not match
	BuyerHeadquarters []string  // places of the buyer's headquarters (Supply.BuyerHeadquarters)
	Purposes          []Purpose // declared workload purposes
	Listed            []string  // official lists the supplier or the capacity must be on (any of them)

	Rate          *Expr // nil for gates and subsidies, and when RateUnknown
	RateUnknown   bool  // rate: unknown — the measure applies but no rate is known: a rate.unknown flag instead of a charge
	Base          Base
	ValidFrom     time.Time // inclusive; zero = open
	ValidTo       time.Time // inclusive; zero = open
	StackingGroup string
	Priority      int // lower wins
	Liability     string
	Recoverable   *bool
	Quota         *Quota
	ShareMax      decimal.NullDecimal // subsidies: fraction of the contract amount
	CapAmount     decimal.NullDecimal // subsidies: cap per buyer and period, in CapCurrency
	CapCurrency   string
	Action        Action // gates
	Flag          string // gates (flag code, default "gate.<id>") and measures of unknown rate (default "rate.unknown")
	Message       string // gates and measures of unknown rate: flag message
	Label         string
	LabelZH       string
	Legal         []string
	Source        string
	AsOf          string
	Note          string
	Confidence    string

	// SuspendedBy is the id of the scenario that suspended the measure ("" when in force).
	SuspendedBy string
	// ChangedBy is the id of the scenario that added or modified the measure.
	ChangedBy string

	file string
	pos  map[string]position // value positions by field name; "" is the measure itself
	fmt  *measureLists       // trail strings, set by checkMeasure
}

type position struct {
	file      string
	line, col int
}

// at returns the position of field key, falling back to the measure's own position.
func (m *Measure) at(key string) position {
	if p, ok := m.pos[key]; ok {
		return p
	}
	return m.pos[""]
}

// exclusive reports whether measures of this kind compete by default within their
// jurisdiction (only one VAT or withholding rate can apply), rather than stacking.
func (k Kind) exclusive() bool {
	return k == KindVAT || k == KindWithholding || k == KindCustomsDuty
}

// priced reports whether a kind produces charges (all but gates).
func (k Kind) priced() bool { return k != KindGate }

var kindOrder = []Kind{KindGate, KindExportDuty, KindExportRebate, KindCustomsDuty, KindAdditionalDuty,
	KindLevy, KindFee, KindVAT, KindWithholding, KindSurtax, KindSubsidy}

func validKind(k Kind) bool {
	for _, x := range kindOrder {
		if x == k {
			return true
		}
	}
	return false
}

func kindNames() []string {
	s := make([]string, len(kindOrder))
	for i, k := range kindOrder {
		s[i] = string(k)
	}
	return s
}
