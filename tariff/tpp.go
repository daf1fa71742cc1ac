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
