package marketplace

import "github.com/shopspring/decimal"

// The 3A090.a thresholds (15 CFR 774 Supp. 1, ECCN 3A090.a as amended in 2023): TPP ≥ 4800, or
// TPP ≥ 1600 with performance density ≥ 5.92. They classify catalogue entries for display and
// search; flags on quotes come from the policy's gate measures, not from here.
var (
	tpp3A090a      = decimal.NewFromInt(4800)
	tpp3A090aDense = decimal.NewFromInt(1600)
	density3A090a  = decimal.RequireFromString("5.92")
)

// ExportClass returns "3a090a" when the accelerator meets the 3A090.a performance thresholds and
// "none" otherwise.
func ExportClass(a Accelerator) string {
	if a.TPP.GreaterThanOrEqual(tpp3A090a) || (a.TPP.GreaterThanOrEqual(tpp3A090aDense) && a.Density.GreaterThanOrEqual(density3A090a)) {
		return "3a090a"
	}
	return "none"
}
