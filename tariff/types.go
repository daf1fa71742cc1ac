package tariff

import (
	"time"

	"github.com/shopspring/decimal"
)

// Product is what is being bought: a service (GPU-hours, a bare-metal lease) or goods.
type Product string

// The products a measure can name.
const (
	ProductGPUHours  Product = "gpu_hours"
	ProductBareMetal Product = "bare_metal"
	ProductHardware  Product = "hardware"
)

// BuyerType distinguishes a VAT-registered business (B2B) from a consumer (B2C).
type BuyerType string

// The buyer types a measure can name.
const (
	BuyerBusiness BuyerType = "business"
	BuyerConsumer BuyerType = "consumer"
)

// Kind is a measure's kind; the order of the constants is the order of computation.
type Kind string

// Measure kinds, in order of computation (see ../shared/POLICY-LANGUAGE.md).
const (
	KindGate           Kind = "gate"
	KindExportDuty     Kind = "export_duty"
	KindExportRebate   Kind = "export_rebate"
	KindCustomsDuty    Kind = "customs_duty"
	KindAdditionalDuty Kind = "additional_duty"
	KindLevy           Kind = "levy"
	KindFee            Kind = "fee"
	KindVAT            Kind = "vat"
	KindWithholding    Kind = "withholding"
	KindSurtax         Kind = "surtax"
	KindSubsidy        Kind = "subsidy"
)

// Accelerator is what the engine needs to know about the chips in a supply, for export-control
// and accelerator conditions.
type Accelerator struct {
	Model         string          // catalogue code, e.g. "h100-sxm"
	VendorCountry string          // ISO alpha-2 of the designer, e.g. "US", "CN"
	TPP           decimal.Decimal // total processing performance, see TPP
	Density       decimal.Decimal // performance density: TPP / die area in mm² (zero if unknown)
}

// Converter converts an amount between currencies with the quote's FX rates. Specific duty
// components ("0.12 EUR/gpu_hour") are converted into the supply currency through it.
type Converter interface {
	Convert(amount decimal.Decimal, from, to string) (decimal.Decimal, error)
}

// QuotaLedger reports how much volume is left in a tariff quota for a period. It is
// implemented by storage (accepted orders consume volume); the engine only reads it.
type QuotaLedger interface {
	// Remaining returns the unconsumed volume of the quota of measureID in the period that
	// contains at (e.g. the calendar year), in the quota's unit.
	Remaining(measureID string, at time.Time) (decimal.Decimal, error)
}

// Supply is one cross-border purchase to assess. Amounts are in Currency, unrounded.
type Supply struct {
	Product      Product
	Origin       string // ISO alpha-2 of where the capacity is hosted / goods ship from
	Destination  string // ISO alpha-2 of the buyer's establishment (place of consumption)
	Region       string // region code of the capacity, e.g. "cn-ningxia-zhongwei"
	BuyerRegion  string // where the buyer is registered, as a region-style code, e.g. "cn-beijing" (vouchers); "" = unknown
	BuyerType    BuyerType
	PersonalData bool   // the buyer declares personal data will be processed
	HSCode       string // hardware only, e.g. "8471.50"
	Accelerator  Accelerator

	Quantity    decimal.Decimal            // GPU-hours for services, units for hardware
	EnergyKWh   decimal.Decimal            // facility energy of the supply, for per-kWh measures
	NetPrice    decimal.Decimal            // price after discounts, in Currency
	Freight     decimal.Decimal            // goods: freight to the border (customs value), in Currency
	Insurance   decimal.Decimal            // goods: insurance to the border (customs value), in Currency
	Currency    string                     // ISO 4217 of all amounts above and of the charges returned
	Rates       Converter                  // may be nil when the policy has no specific components in other currencies
	Quota       QuotaLedger                // may be nil: quotas are then treated as fully available
	SubsidyUsed map[string]decimal.Decimal // per subsidy measure id: amount already used by this buyer in the period (in Currency)
}

// Charge is one priced line of an assessment. Amount is unrounded, in the supply's currency;
// positive adds to the cost, negative (subsidies, rebates) reduces it.
type Charge struct {
	Kind         Kind
	MeasureID    string
	Label        string
	LabelZH      string // the label in Chinese, for the bilingual UI
	Jurisdiction string
	Basis        string          // the base's name: net_price, customs_value, value_plus_duties, gross_payment, tax_amount, contract_amount, quantity
	BaseAmount   decimal.Decimal // the amount (or quantity) the rate applied to
	Rate         string          // the duty expression as written, e.g. "19%" or "5% MIN 30.00 EUR/unit"
	Amount       decimal.Decimal // unrounded
	Payable      bool            // false for reverse-charged VAT: shown, not added to the total
	Recoverable  bool            // a business buyer can deduct it (input VAT, import VAT)
	Quota        string          // "", "in_quota" or "out_of_quota" for lines of a quota split
	Quantity     decimal.Decimal // for quota splits: the volume this line covers
	Legal        []string
}

// Severity grades a flag.
type Severity string

// Flag severities; a gate's action maps to them (warn → warning, license_required and block).
const (
	SeverityInfo            Severity = "info"
	SeverityWarning         Severity = "warning"
	SeverityLicenseRequired Severity = "license_required"
	SeverityBlock           Severity = "block"
)

// Flag is a non-price finding: an export-control classification, a data-transfer obligation,
// a quota running low.
type Flag struct {
	Code      string // e.g. "export_control.3A090a", "data_transfer.cn_eu"
	Severity  Severity
	Message   string
	MeasureID string
	Legal     []string
}

// Consideration records why one measure applied or not; the explanation trail.
type Consideration struct {
	MeasureID string
	Applied   bool
	Reason    string // e.g. "applied", "outside dates 2025-01-01..2025-12-31", "origin CN not in [US]", "superseded by de-vat-ess-b2c (more specific)"
}

// Assessment is the engine's answer for one supply.
type Assessment struct {
	Charges []Charge // in order of computation
	Flags   []Flag
	// Trail explains every measure of the policy, in document order. It is read-only: it may
	// be shared with other assessments of the same policy (copy it before changing it).
	Trail   []Consideration
	Blocked bool // a gate with action block matched: the supply must not be priced
}
