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

// Measure kinds, in order of computation (see docs/policy-language.md).
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
// and accelerator conditions. Zero figures mean "not known".
type Accelerator struct {
	Model         string          // catalogue code, e.g. "h100-sxm"
	VendorCountry string          // ISO alpha-2 of the designer, e.g. "US", "CN"
	FabCountry    string          // ISO alpha-2 of the wafer fab, the customs origin of an IC under China's rules (a TSMC-made US-designed chip is "TW"); "" = unknown
	TPP           decimal.Decimal // total processing performance, see TPP (zero if unknown)
	Density       decimal.Decimal // performance density: TPP / die area in mm² (zero if unknown)
}

// Purpose is what the buyer will use the capacity for, as declared on the request; some
// compute vouchers pay for training only.
type Purpose string

// Workload purposes; "" is "not declared".
const (
	PurposeTraining  Purpose = "training"
	PurposeInference Purpose = "inference"
	PurposeOther     Purpose = "other"
)

// TaxTerms say who bears taxes withheld at source on a gross payment (Chinese withholding VAT
// and income tax on payments to an overseas supplier): see Supply.TaxTerms.
type TaxTerms string

// Contract tax terms.
const (
	// TaxTermsNetOfCNTax: the price is net; the buyer pays the supplier the whole price and
	// bears the taxes withheld on top (gross-up). The usual terms of foreign service suppliers.
	TaxTermsNetOfCNTax TaxTerms = "net_of_cn_tax"
	// TaxTermsInclusive: the price includes the taxes withheld; the buyer pays the supplier the
	// price less the withheld taxes and the tax office the rest (carve-out), so the withheld
	// lines are Included in the price.
	TaxTermsInclusive TaxTerms = "tax_inclusive"
)

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
//
// Where the capacity is hosted (Origin) and where the supplier is established
// (SupplierCountry, SupplierEstablishments) are separate: hosting decides customs origin,
// export-control and data-transfer gates; establishment decides who charges VAT (measure
// conditions supplier / supplier_except). Fields added after the first release default so
// that a supply which leaves them empty is assessed as before: SupplierCountry to Origin,
// BuyerHeadquarters to Destination, TaxTerms to the carve-out of tax_inclusive.
type Supply struct {
	Product     Product
	Origin      string // ISO alpha-2 of where the capacity is hosted / goods ship from (customs origin of goods)
	Destination string // ISO alpha-2 of the buyer's establishment (place of consumption)
	Region      string // region code of the capacity, e.g. "cn-ningxia-zhongwei"
	BuyerRegion string // where the buyer is registered, as a region-style code, e.g. "cn-beijing" (vouchers); "" = unknown
	BuyerType   BuyerType

	// SupplierCountry is the ISO alpha-2 country of the supplier's business establishment (its
	// seat); "" = Origin, the approximation used before establishment was modelled.
	SupplierCountry string
	// SupplierEstablishments are further countries where the supplier has a fixed
	// establishment that takes part in the supply (declared by the supplier). A VAT
	// registration alone is not an establishment (VAT Directive art. 192a) and is not listed.
	SupplierEstablishments []string
	// BuyerHeadquarters is the ISO alpha-2 country of the buyer's headquarters (or ultimate
	// parent), for rules that follow the buyer wherever it sits; "" = Destination.
	BuyerHeadquarters string
	// Purpose is the declared workload purpose; "" = not declared (purpose-bound measures,
	// such as training vouchers, then do not apply).
	Purpose Purpose
	// TaxTerms are the contract's terms for taxes withheld at source; "" = the carve-out of
	// TaxTermsInclusive (the engine's behaviour before terms existed). Callers should pass
	// TaxTermsNetOfCNTax unless the contract says the price includes Chinese taxes.
	TaxTerms TaxTerms
	// Listings are the codes of official lists the supplier or the capacity is on, e.g.
	// "cn-beijing-ai-compute-partner" (a city's list of compute suppliers) or
	// "cn-hangzhou-voucher-centre" (qualifying computing centres); measure condition listed.
	Listings []string

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

// supplierCountry is the supplier's seat, defaulting to the hosting country.
func (s *Supply) supplierCountry() string {
	if s.SupplierCountry != "" {
		return s.SupplierCountry
	}
	return s.Origin
}

// buyerHQ is the buyer's headquarters, defaulting to its establishment.
func (s *Supply) buyerHQ() string {
	if s.BuyerHeadquarters != "" {
		return s.BuyerHeadquarters
	}
	return s.Destination
}

// terms are the contract's tax terms, the empty value meaning the carve-out.
func (s *Supply) terms() TaxTerms {
	if s.TaxTerms == "" {
		return TaxTermsInclusive
	}
	return s.TaxTerms
}

// Provenance says where a figure comes from and how sure it is: the source (URL or official
// document name), the date it was checked, the confidence (sourced, estimate, illustrative)
// and, for an estimate, what was estimated and why. Charges and flags carry the provenance of
// their measure.
type Provenance struct {
	Source     string
	AsOf       string // YYYY-MM-DD
	Confidence string // sourced, estimate, illustrative; "" when the measure gives none
	Note       string
}

// Charge is one priced line of an assessment. Amount is unrounded, in the supply's currency;
// positive adds to the cost, negative (subsidies, rebates) reduces it.
//
// Payable and Included say how a line reaches the buyer's outlay:
//   - Payable: the buyer pays the amount, to the supplier or to a tax office. False for
//     reverse-charged VAT, which the buyer self-accounts and deducts in the same return
//     (shown for information).
//   - Included: the amount is already inside the net price. Taxes withheld under
//     tax_inclusive terms are carved out of the price: the buyer pays the supplier the price
//     less the tax and the tax office the tax, so its outlay is the price. Such lines are
//     shown and never added on top. Under net_of_cn_tax terms the same taxes are grossed up
//     and added on top (Included false). A surtax on such lines (base tax_amount) follows
//     them: carved out with them, or on top with them.
//
// Assessment.Total sums the Payable lines; Assessment.OnTop those that are not Included.
type Charge struct {
	Kind         Kind
	MeasureID    string
	Label        string
	LabelZH      string // the label in Chinese, for the bilingual UI
	Jurisdiction string
	Basis        string          // the base's name: net_price, customs_value, value_plus_duties, gross_payment, payment_net_of_vat, tax_amount, contract_amount, quantity
	BaseAmount   decimal.Decimal // the amount (or quantity) the rate applied to; for withheld taxes the gross payment (gross_payment) or the payment net of VAT (payment_net_of_vat)
	Rate         string          // the duty expression as written, e.g. "19%" or "5% MIN 30.00 EUR/unit"
	Amount       decimal.Decimal // unrounded
	Payable      bool            // false for reverse-charged VAT: shown, not added to the total
	Included     bool            // inside the net price (withheld under tax_inclusive terms, or a surtax on such lines): shown, not added to the total
	Recoverable  bool            // a business buyer can deduct it (input VAT, import VAT)
	TaxTerms     TaxTerms        // for gross_payment and payment_net_of_vat lines (and a tax_amount line on them when Included): the terms the amount was computed under
	Quota        string          // "", "in_quota" or "out_of_quota" for lines of a quota split
	Quantity     decimal.Decimal // for quota splits: the volume this line covers
	Legal        []string
	Provenance   // the measure's source, as-of date, confidence and note
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
// a quota running low, a rate not known for the date.
type Flag struct {
	Code      string // e.g. "export_control.3A090a", "data_transfer.cn_eu", "rate.unknown"
	Severity  Severity
	Message   string
	MeasureID string
	Legal     []string
	Provenance
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
	// TrailNoted is set when Trail holds notes computed from this supply's amounts (what is
	// left of a subsidy's cap, the totals of customs alternatives): other assessments of the
	// same match explain themselves differently. Without it the trail is the policy's
	// explanation of the match, the same for every supply that matches alike.
	TrailNoted bool
	// TrailBase is, when TrailNoted, the shared trail Trail was copied from before its notes
	// were written: the same length, and equal to Trail in every entry but the noted ones
	// (read-only, like Trail). Nil when the trail was never shared. It lets a quote store
	// and send the shared explanation once, with its notes beside it.
	TrailBase []Consideration
}
