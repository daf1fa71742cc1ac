package marketplace

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace/search"
	"corridor/tariff"
)

// The marketplace's vocabulary: each kind of code is defined once, with its rule. Products,
// HS codes (tariff), pricing models and currencies (pricing) are defined below the domain and
// used from here.

// RegionKind is what a region is: an East Data West Compute hub node or data-centre cluster,
// or an EU AI Factory or AI Factory Antenna.
type RegionKind string

// The region kinds.
const (
	RegionHubNode          RegionKind = "hub_node"
	RegionCluster          RegionKind = "cluster"
	RegionAIFactory        RegionKind = "ai_factory"
	RegionAIFactoryAntenna RegionKind = "ai_factory_antenna"
)

// RegionKinds lists every region kind.
var RegionKinds = []RegionKind{RegionHubNode, RegionCluster, RegionAIFactory, RegionAIFactoryAntenna}

// Valid reports whether k is one of RegionKinds.
func (k RegionKind) Valid() bool { return slices.Contains(RegionKinds, k) }

// InBloc reports whether regions of kind k may belong to bloc b: hub nodes and clusters are
// Chinese; AI Factories and their antennas European, inside the EU or outside it (NON_EU: the
// antennas in Iceland, Switzerland, the United Kingdom and other non-member states).
func (k RegionKind) InBloc(b Bloc) bool {
	switch k {
	case RegionHubNode, RegionCluster:
		return b == BlocCN
	case RegionAIFactory, RegionAIFactoryAntenna:
		return b == BlocEU || b == BlocNonEU
	}
	return false
}

// OfferCurrencies are the currencies an offer may be listed in (quotes may be asked in any
// ISO 4217 currency the FX rates cover: pricing.KnownCurrency).
var OfferCurrencies = []string{"CNY", "EUR", "USD"}

// IsOfferCurrency reports whether an offer may be listed in cur.
func IsOfferCurrency(cur string) bool { return slices.Contains(OfferCurrencies, cur) }

// IsHSCode reports whether s is an HS code an offer of goods may carry: at least a heading (4
// digits) and at most a national tariff line (10), dots or spaces allowed ("8471.50").
func IsHSCode(s string) bool {
	digits, ok := tariff.NormalizeHSCode(s)
	return ok && len(digits) >= 4
}

// IsSlug reports whether s is a code such as a region code ("cn-ningxia-zhongwei"): 1 to
// MaxCodeLen lowercase letters, digits and - _ ., starting and ending with a letter or digit.
// The rule lives in the search package, which checks codes in queries and sits below this one.
func IsSlug(s string) bool { return search.IsSlug(s) }

// IsID reports whether s can be the id of a stored record (offer, supplier, quote, order, API
// key): 1 to MaxCodeLen letters, digits, - and _ (the rule lives in the search package too).
func IsID(s string) bool { return search.IsID(s) }

// quoteField quotes user input for a message, cut to 40 characters.
func quoteField(s string) string { return strconv.Quote(tariff.Shorten(s, 40)) }

// Validate checks a region record: a slug code, names, an ISO country, a bloc, a kind of that
// bloc (with its class east or west in China and a parent hub node code for a cluster),
// decimal coordinates, and a power price with its currency. Seeding and any other writer use
// it; the error names the field.
func (r Region) Validate() error {
	bad := func(field, format string, args ...any) error {
		return Invalid("invalid region "+quoteField(r.Code), FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case !IsSlug(r.Code):
		return bad("code", "must be a slug such as cn-ningxia-zhongwei, not %s", quoteField(r.Code))
	case r.Name == "" || r.NameZH == "":
		return bad("name", "a name and a Chinese name (name_zh) are required")
	case !tariff.IsCountry(r.Country):
		return bad("country", "must be an ISO 3166-1 alpha-2 code, not %s", quoteField(r.Country))
	case !r.Bloc.Valid():
		return bad("bloc", "must be %s, not %s", blocNames(), quoteField(string(r.Bloc)))
	case !r.Kind.Valid():
		return bad("kind", "must be one of hub_node, cluster, ai_factory, ai_factory_antenna, not %s", quoteField(string(r.Kind)))
	case !r.Kind.InBloc(r.Bloc):
		return bad("kind", "%s is not a kind of region in bloc %s", r.Kind, r.Bloc)
	case r.Bloc == BlocCN && r.Class != "east" && r.Class != "west":
		return bad("class", "must be east or west, not %s", quoteField(r.Class))
	case r.Kind == RegionCluster && !IsSlug(r.Parent):
		return bad("parent", "a cluster names its hub node")
	case r.PowerPrice.Valid && r.PowerCurrency == "":
		return bad("power_currency", "is required with power_price")
	}
	if r.Bloc != BlocCN && r.Selected != "" {
		if _, err := time.Parse("2006-01", r.Selected); err != nil {
			return bad("selected", "must be YYYY-MM, not %s", quoteField(r.Selected))
		}
	}
	for _, c := range []struct{ name, v string }{{"lat", r.Lat}, {"lon", r.Lon}} {
		if _, err := decimal.NewFromString(c.v); err != nil {
			return bad(c.name, "must be a decimal number, not %s", quoteField(c.v))
		}
	}
	return nil
}

// ValidateOffer checks in as a complete new offer, exactly as the API checks one, against the
// region and accelerator codes given, and returns the offer it describes (its id, supplier,
// status, version and times are the caller's to set). The error names every bad field.
func ValidateOffer(in OfferInput, regions, accelerators []string) (Offer, error) {
	refs := offerRefs{regions: map[string]bool{}, accelerators: map[string]bool{}}
	for _, r := range regions {
		refs.regions[r] = true
	}
	for _, a := range accelerators {
		refs.accelerators[a] = true
	}
	var o Offer
	if errs := in.apply(&o, true, refs, ""); len(errs) > 0 {
		return Offer{}, Invalid("invalid offer", errs...)
	}
	return o, nil
}
