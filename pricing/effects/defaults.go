package effects

import "github.com/shopspring/decimal"

// Confidence marks of a default, as everywhere in Corridor.
const (
	Sourced      = "sourced"
	Illustrative = "illustrative"
)

// wits is the public documentation of SMART's defaults.
const wits = "World Bank, WITS Online Help (2010), SMART > Using SMART > Checking the Raw Data, https://wits.worldbank.org/wits/wits/witshelp/Content/SMART/"

// Defaults are the parameters the model uses when a request leaves them out, each with its
// public source, as-of date and confidence.
var Defaults = struct {
	ImportDemand, Substitution, ExportSupply Parameter
}{
	// SMART's import-demand elasticities are product-specific estimates for goods (Kee, Nicita
	// and Olarreaga); none exists for cross-border compute services, so Corridor's default is
	// illustrative and analysts should set their own.
	ImportDemand: Parameter{Elasticity: Finite(decimal.New(-15, -1)), Default: true, Confidence: Illustrative, AsOf: "2008",
		Source: "Illustrative: no published estimate exists for cross-border compute services. SMART uses product-specific " +
			"estimates for goods from Kee, Nicita & Olarreaga, \"Import Demand Elasticities and Trade Distortions\", " +
			"Review of Economics and Statistics 90(4), 2008 (https://econpapers.repec.org/paper/cprceprdp/4669.htm)"},
	// "SMART uses 1.5 as the default value" for the substitution elasticity between partners.
	Substitution: Parameter{Elasticity: Finite(decimal.New(15, -1)), Default: true, Confidence: Sourced, AsOf: "2010",
		Source: wits + " (\"SMART uses 1.5 as the default value\")"},
	// "By default, SMART uses 99 for infinite elasticity": the base version of the model
	// assumes perfectly elastic export supply (Jammes & Olarreaga 2005, assumption 3).
	ExportSupply: Parameter{Elasticity: Infinite, Default: true, Confidence: Sourced, AsOf: "2010",
		Source: wits + " (\"By default, SMART uses 99 for infinite elasticity\")"},
}
