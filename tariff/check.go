package tariff

// Checking: the meaning of one decoded measure (known kinds, places, products, kind-specific
// fields), reported with positions; then its defaults, filled in one place (fillDefaults).

import (
	"strconv"
	"strings"
)

// measureCheck is the state of checking one measure: where problems go, which areas exist,
// and whether unknown upper-case names may be areas of a base policy not at hand.
type measureCheck struct {
	d            *decoder
	m            *Measure
	areas        map[string]Area
	lenientAreas bool
}

// errAt reports a problem at the position of field (the measure's own position for "").
func (c *measureCheck) errAt(field, hint, format string, args ...any) {
	c.d.addAt(c.m.at(field), c.m.ID, hint, format, args...)
}

// checkMeasure checks the meaning of one decoded measure, reports its problems and then fills
// its defaults. With lenientAreas, names that are not countries are assumed to be areas of a
// base policy not at hand. It may be called again on a measure already checked (scenario
// modifications re-check the result): defaults are idempotent.
func checkMeasure(d *decoder, m *Measure, areas map[string]Area, lenientAreas bool) {
	c := &measureCheck{d: d, m: m, areas: areas, lenientAreas: lenientAreas}
	c.identity()
	c.places()
	c.goods()
	c.parties()
	c.datesAndProvenance()
	c.kindFields()
	c.rateUnits()
	fillDefaults(m)
	m.fmt = m.formatLists()
}

// fillDefaults fills every default of the language (docs/policy-language.md, "Measure
// fields"): direction import; destination the jurisdiction of a country's import measure
// (else all); origin the jurisdiction of a country's export measure (else all); HS codes
// normalized to digits, implying products [hardware]; a gate's flag code gate.<id>; a
// subsidy's base contract_amount.
func fillDefaults(m *Measure) {
	if m.Direction == "" {
		m.Direction = DirectionImport
	}
	isCountry := isoCountries[m.Jurisdiction]
	if len(m.Destination) == 0 {
		switch {
		case m.Direction == DirectionImport && isCountry:
			m.Destination = []string{m.Jurisdiction}
		case m.Direction == DirectionImport && m.Jurisdiction == "EU":
			// An error (reported by places): left empty, so it matches nothing.
		default:
			m.Destination = []string{"*"}
		}
	}
	if len(m.Origin) == 0 {
		if m.Direction == DirectionExport && isCountry {
			m.Origin = []string{m.Jurisdiction}
		} else {
			m.Origin = []string{"*"}
		}
	}
	if len(m.HS) > 0 {
		hs := make([]string, len(m.HS))
		for i, h := range m.HS {
			hs[i], _ = NormalizeHSCode(h) // checked by goods
		}
		m.HS = hs
		if len(m.Products) == 0 {
			m.Products = []Product{ProductHardware}
		}
	}
	if m.Kind == KindGate && m.Flag == "" {
		m.Flag = "gate." + m.ID
	}
	if m.Kind == KindSubsidy && m.Base == "" {
		m.Base = BaseContractAmount
	}
}

func (c *measureCheck) identity() {
	m := c.m
	if m.ID == "" {
		c.errAt("id", "every measure needs a unique id, e.g. vat-de-b2b", "missing id")
	} else if strings.ContainsAny(m.ID, " \t\n,") {
		c.errAt("id", "ids are written without spaces or commas", "bad id %q", m.ID)
	}
	if m.Kind == "" {
		c.errAt("kind", "kinds: "+strings.Join(kindNames(), ", "), "missing kind")
	} else if !validKind(m.Kind) {
		hint := "kinds: " + strings.Join(kindNames(), ", ")
		if s := closest(string(m.Kind), kindNames()); s != "" {
			hint = "did you mean " + strconv.Quote(s) + "?"
		}
		c.errAt("kind", hint, "unknown kind %q", m.Kind)
	}
}

// place reports whether code names a country or an area.
func (c *measureCheck) place(code string) bool {
	if isoCountries[code] {
		return true
	}
	if _, ok := c.areas[code]; ok {
		return true
	}
	return c.lenientAreas && len(code) > 2
}

// placeList checks a list of places; star allows "*".
func (c *measureCheck) placeList(field string, list []string, star bool) {
	for i, code := range list {
		if code == "*" && star {
			continue
		}
		if !c.place(code) {
			hint := "use ISO 3166-1 alpha-2 codes, \"*\" for all, or an area defined under areas"
			switch code {
			case "EU":
				hint = "EU is a jurisdiction; for its member states name the area, e.g. [EU27]"
			case "UK":
				hint = `the ISO code of the United Kingdom is "GB"`
			case "EL":
				hint = `the ISO code of Greece is "GR" (EL is its VAT prefix)`
			}
			c.errAt(field+"["+strconv.Itoa(i)+"]", hint, "%s: unknown country or area %q", field, code)
		}
	}
}

func (c *measureCheck) places() {
	m := c.m
	switch {
	case m.Jurisdiction == "":
		c.errAt("jurisdiction", "who levies it: a country (DE, CN), EU, or an area", "missing jurisdiction")
	case m.Jurisdiction != "EU" && !c.place(m.Jurisdiction):
		c.errAt("jurisdiction", "use an ISO 3166-1 alpha-2 code, EU, or an area defined under areas", "unknown jurisdiction %q", m.Jurisdiction)
	}
	switch m.Direction {
	case "", DirectionImport, DirectionExport, DirectionBoth:
	default:
		c.errAt("direction", "directions: import, export, both", "unknown direction %q", m.Direction)
	}
	c.placeList("origin", m.Origin, true)
	c.placeList("origin_except", m.OriginExcept, false)
	c.placeList("destination", m.Destination, true)
	c.placeList("destination_except", m.DestinationExcept, false)
	c.placeList("supplier", m.Supplier, true)
	c.placeList("supplier_except", m.SupplierExcept, false)
	c.placeList("buyer_headquarters", m.BuyerHeadquarters, true)
	if len(m.Destination) == 0 && (m.Direction == "" || m.Direction == DirectionImport) && m.Jurisdiction == "EU" {
		c.errAt("", "EU import measures name their destination, e.g. destination: [EU27]", "missing destination")
	}
}

func (c *measureCheck) goods() {
	m := c.m
	for i, p := range m.Products {
		if p != ProductGPUHours && p != ProductBareMetal && p != ProductHardware {
			c.errAt("products["+strconv.Itoa(i)+"]", "products: gpu_hours, bare_metal, hardware", "unknown product %q", p)
		}
	}
	for i, h := range m.HS {
		if _, ok := NormalizeHSCode(h); !ok {
			c.errAt("hs["+strconv.Itoa(i)+"]", `HS codes are 2 to 10 digits, dots allowed: "8471", "8471.50", "8471.50.00"`, "bad HS code %q", h)
		}
	}
	if len(m.HS) > 0 {
		for _, p := range m.Products {
			if p != ProductHardware {
				c.errAt("hs", "HS codes classify goods; drop hs or list only hardware", "hs given with product %q", p)
			}
		}
	}
}

func (c *measureCheck) parties() {
	m := c.m
	for i, b := range m.Buyer {
		if b != BuyerBusiness && b != BuyerConsumer {
			c.errAt("buyer["+strconv.Itoa(i)+"]", "buyers: business, consumer", "unknown buyer type %q", b)
		}
	}
	for i, code := range m.VendorCountry {
		if !isoCountries[code] {
			c.errAt("vendor_country["+strconv.Itoa(i)+"]", "use ISO 3166-1 alpha-2 codes", "vendor_country: unknown country %q", code)
		}
	}
	for i, p := range m.Purposes {
		if p != PurposeTraining && p != PurposeInference && p != PurposeOther {
			c.errAt("purposes["+strconv.Itoa(i)+"]", "purposes: training, inference, other", "unknown purpose %q", p)
		}
	}
	for i, l := range m.Listed {
		if !isCode(l) {
			c.errAt("listed["+strconv.Itoa(i)+"]", "list codes are lower case letters, digits and hyphens, e.g. cn-beijing-ai-compute-partner", "bad list code %q", l)
		}
	}
	for i, code := range m.FabCountry {
		if !isoCountries[code] {
			c.errAt("fab_country["+strconv.Itoa(i)+"]", "use ISO 3166-1 alpha-2 codes (TW for a TSMC fab in Taiwan)", "fab_country: unknown country %q", code)
		}
	}
	for i, e := range m.ExportClass {
		if !classNames[e] {
			c.errAt("export_class["+strconv.Itoa(i)+"]", "export classes: 3a090a, 3a090b, unknown, none", "unknown export class %q", e)
		}
	}
	if m.TPPMin.Valid && m.TPPMax.Valid && m.TPPMax.Decimal.LessThan(m.TPPMin.Decimal) {
		c.errAt("tpp_max", "", "tpp_max %s is below tpp_min %s: the measure can never apply", m.TPPMax.Decimal, m.TPPMin.Decimal)
	}
}

func (c *measureCheck) datesAndProvenance() {
	m := c.m
	if !m.ValidFrom.IsZero() && !m.ValidTo.IsZero() && m.ValidTo.Before(m.ValidFrom) {
		c.errAt("valid_to", "valid_to is inclusive and must not be before valid_from", "valid_to %s is before valid_from %s",
			m.ValidTo.Format(dateLayout), m.ValidFrom.Format(dateLayout))
	}
	if len(m.Legal) == 0 {
		c.errAt("", `cite the legal act, or write legal: ["hypothetical"] for a what-if`, "missing legal reference")
	}
	switch m.Confidence {
	case "", "sourced", "estimate", "illustrative":
	default:
		c.errAt("confidence", "confidence: sourced, estimate, illustrative", "unknown confidence %q", m.Confidence)
	}
	if m.Liability != "" {
		if m.Kind != KindVAT {
			c.errAt("liability", "liability is a VAT field", "liability on a %s measure", m.Kind)
		} else if m.Liability != "supplier" && m.Liability != "buyer" {
			c.errAt("liability", "liability: supplier (default) or buyer (reverse charge)", "unknown liability %q", m.Liability)
		}
	}
}

// has reports whether the document gave field (whatever its value).
func (m *Measure) has(field string) bool {
	_, ok := m.pos[field]
	return ok
}

// kindFields checks the fields that belong to some kinds only.
func (c *measureCheck) kindFields() {
	m := c.m
	switch m.Kind {
	case KindGate:
		switch m.Action {
		case "":
			c.errAt("", "gates say what to do: action: warn | license_required | block", "missing action")
		case ActionWarn, ActionLicenseRequired, ActionBlock:
		default:
			c.errAt("action", "actions: warn, license_required, block", "unknown action %q", m.Action)
		}
		for _, f := range []string{"rate", "base", "quota", "share_max", "cap"} {
			if m.has(f) {
				c.errAt(f, "gates set flags, never prices", "%s on a gate", f)
			}
		}
	case KindSubsidy:
		if !m.ShareMax.Valid && !m.has("share_max") {
			c.errAt("", `subsidies say how much of the contract they cover: share_max: "20%"`, "missing share_max")
		}
		if m.has("rate") {
			c.errAt("rate", "subsidies use share_max and cap, not rate", "rate on a subsidy")
		}
		if m.Quota != nil {
			c.errAt("quota", "", "quota on a subsidy")
		}
	case "":
	default:
		if m.Rate == nil && !m.RateUnknown && !m.has("rate") {
			c.errAt("", `priced measures need a duty expression, e.g. rate: "19%" (or rate: unknown when no rate is known)`, "missing rate")
		}
		if m.RateUnknown && m.Quota != nil {
			c.errAt("quota", "a quota needs a known rate; drop the quota or give the rate", "quota on a measure of unknown rate")
		}
		for _, f := range []string{"share_max", "cap"} {
			if m.has(f) {
				c.errAt(f, "share_max and cap belong to subsidies", "%s on a %s measure", f, m.Kind)
			}
		}
	}
	if m.Kind == KindGate {
		return
	}
	for _, f := range []string{"action", "flag", "message"} {
		if m.has(f) && (f == "action" || !m.RateUnknown) {
			c.errAt(f, "action belongs to gates; flag and message to gates and measures of rate unknown", "%s on a %s measure", f, m.Kind)
		}
	}
	const bases = "bases: net_price, customs_value, value_plus_duties, gross_payment, payment_net_of_vat, tax_amount, contract_amount"
	switch m.Base {
	case BaseNetPrice, BaseCustomsValue, BaseValuePlusDuties, BaseGrossPayment, BasePaymentNetOfVAT, BaseTaxAmount, BaseContractAmount:
	case "":
		if m.Kind != "" && m.Kind != KindSubsidy && !m.RateUnknown {
			c.errAt("", bases, "missing base")
		}
	default:
		c.errAt("base", bases, "unknown base %q", m.Base)
	}
}

// rateUnits checks that per-unit amounts are used on goods only.
func (c *measureCheck) rateUnits() {
	m := c.m
	if m.Rate == nil || !m.Rate.HasSpecific() {
		return
	}
	for _, t := range m.Rate.all() {
		if !t.AdValorem && t.Unit == UnitUnit {
			for _, p := range m.Products {
				if p != ProductHardware {
					c.errAt("rate", "per-unit amounts apply to hardware; use gpu_hour for services", "rate per unit on product %q", p)
				}
			}
		}
	}
}

// isCode reports whether s is a code of lower-case letters, digits and inner hyphens.
func isCode(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-') {
			return false
		}
	}
	return true
}
