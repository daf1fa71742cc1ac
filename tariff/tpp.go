package tariff

import "github.com/shopspring/decimal"

// Throughput is an accelerator's dense (non-sparse) throughput at one operand bit length, in
// TOPS (or TFLOPS: one tera-operation per second either way).
type Throughput struct {
	BitLength int
	DenseTOPS decimal.Decimal
}

// TPP returns the total processing performance of an accelerator as the US Export
// Administration Regulations define it for ECCN 3A090 (Supplement No. 1 to part 774, note to
// 3A090): TPP = 2 × MacTOPS × bit length, where one multiply-accumulate counts as two
// operations, so TPP = dense TOPS × bit length. The largest value over the precisions the chip
// supports is its TPP. Sparse figures must not be passed in: the rule counts dense operations.
//
// Worked value: H100 SXM, 989.4 dense BF16 TFLOPS × 16 = 15,830.4 (FP8: 1,978.9 × 8 = 15,831.2).
func TPP(throughputs []Throughput) decimal.Decimal {
	best := decimal.Zero
	for _, t := range throughputs {
		if t.BitLength <= 0 || t.DenseTOPS.IsNegative() {
			continue
		}
		if v := t.DenseTOPS.Mul(decimal.NewFromInt(int64(t.BitLength))); v.GreaterThan(best) {
			best = v
		}
	}
	return best
}

// PerformanceDensity returns TPP divided by the applicable die area in mm², the second
// criterion of 3A090.a (TPP ≥ 1600 and density ≥ 5.92). It returns zero when the area is
// unknown, which never satisfies a density threshold.
func PerformanceDensity(tpp, dieAreaMM2 decimal.Decimal) decimal.Decimal {
	if !dieAreaMM2.IsPositive() {
		return decimal.Zero
	}
	return tpp.DivRound(dieAreaMM2, 4)
}

// ExportClass is an accelerator's class under US ECCN 3A090 as far as its specs decide it
// (ClassifyAccelerator). It is informational, not a licensing determination.
type ExportClass string

// Export classes. ExportClassUnknown is an accelerator whose published specs cannot decide its
// class (no TPP, or a TPP at which the density prongs decide and no die area): it is not
// "none", and gates treat it as possibly controlled.
const (
	ExportClass3A090a  ExportClass = "3a090a"
	ExportClass3A090b  ExportClass = "3a090b"
	ExportClassUnknown ExportClass = "unknown"
	ExportClassNone    ExportClass = "none"
)

// The 3A090 thresholds (15 CFR part 774 Supp. No. 1, ECCN 3A090 as revised by 88 FR 73458 of
// 2023-10-25, in force 2023-11-17):
//
//	3A090.a.1  TPP ≥ 4800
//	3A090.a.2  TPP ≥ 1600 and performance density ≥ 5.92
//	3A090.b.1  2400 ≤ TPP < 4800 and 1.6 ≤ density < 5.92
//	3A090.b.2  TPP ≥ 1600 and 3.2 ≤ density < 5.92
var (
	tppA1      = threshold{4800, 0}
	tppFloor   = threshold{1600, 0}
	densityA2  = threshold{592, 2}
	tppB1      = threshold{2400, 0}
	densityB1  = threshold{16, 1}
	densityB2  = threshold{32, 1}
	classNames = map[ExportClass]bool{ExportClass3A090a: true, ExportClass3A090b: true, ExportClassUnknown: true, ExportClassNone: true}
)

// threshold is num × 10^-scale, compared with a decimal without allocating in the common case
// (ClassifyAccelerator runs on every assessment that uses export classes).
type threshold struct {
	num   int64
	scale int32
}

// reachedBy reports whether d ≥ t.
func (t threshold) reachedBy(d decimal.Decimal) bool {
	if d.NumDigits() <= 15 {
		// Compare coef × 10^exp with num × 10^-scale at the smaller exponent; both sides stay
		// well inside int64 for the magnitudes of TPP and density.
		coef, exp := d.CoefficientInt64(), d.Exponent()
		num, texp := t.num, -t.scale
		for exp > texp && exp-texp < 4 {
			coef, exp = coef*10, exp-1
		}
		for texp > exp && texp-exp < 16 {
			num, texp = num*10, texp-1
		}
		if exp == texp {
			return coef >= num
		}
	}
	return d.GreaterThanOrEqual(decimal.New(t.num, -t.scale))
}

// ClassifyAccelerator returns the accelerator's 3A090 class from its TPP and performance
// density (zero meaning not known), or "" when the supply names no accelerator (no model and
// no TPP). The .b classes apply to ICs designed or marketed for data centres; the catalogue's
// accelerators are, so the distinction is not drawn.
//
// Worked values: H100 SXM (TPP 15,831.2) 3a090a by .a.1; a TPP of 2,000 with density 6.0
// 3a090a by .a.2; TPP 3,000 and density 2.0 3a090b by .b.1; TPP 2,368 and density 2.91 (H20)
// none; TPP 3,000 with the die area unpublished unknown; a named model without a TPP unknown.
func ClassifyAccelerator(a Accelerator) ExportClass {
	tpp, pd := a.TPP, a.Density
	switch {
	case !tpp.IsPositive():
		if a.Model == "" {
			return ""
		}
		return ExportClassUnknown
	case tppA1.reachedBy(tpp):
		return ExportClass3A090a
	case !tppFloor.reachedBy(tpp):
		return ExportClassNone
	case !pd.IsPositive():
		return ExportClassUnknown // the density prongs decide between .a.2, .b and none
	case densityA2.reachedBy(pd):
		return ExportClass3A090a
	case tppB1.reachedBy(tpp) && densityB1.reachedBy(pd), densityB2.reachedBy(pd):
		return ExportClass3A090b
	}
	return ExportClassNone
}
