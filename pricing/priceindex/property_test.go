package priceindex

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// randomObs is an order of 1 to 5000 GPU-hours at 0.01 to 50.00 EUR per GPU-hour of an
// accelerator of 0 (unknown) to 2500 TFLOPS.
func randomObs(r *rand.Rand) Observation {
	hours := decimal.NewFromInt(int64(1 + r.IntN(5000)))
	price := decimal.New(int64(1+r.IntN(5000)), -2)
	tflops := decimal.New(int64(r.IntN(25001)), -1)
	return NewObservation(price.Mul(hours), hours, tflops)
}

// TestPropertyCancelRestores: adding any orders and removing any subset of them (in any
// order) leaves exactly the sums of the others — what a cancellation relies on.
func TestPropertyCancelRestores(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(30)
		obs := make([]Observation, n)
		out := make([]bool, n)
		var all, kept Sums
		for i := range obs {
			obs[i], out[i] = randomObs(r), r.IntN(5) == 0
			all = all.Add(obs[i], out[i])
		}
		cancel := r.Perm(n)[:r.IntN(n+1)]
		gone := map[int]bool{}
		for _, i := range cancel {
			all = all.Sub(obs[i], out[i])
			gone[i] = true
		}
		for i := range obs {
			if !gone[i] {
				kept = kept.Add(obs[i], out[i])
			}
		}
		if !all.Value.Equal(kept.Value) || !all.GPUHours.Equal(kept.GPUHours) || !all.PFLOPHours.Equal(kept.PFLOPHours) ||
			!all.PFLOPValue.Equal(kept.PFLOPValue) || all.Count != kept.Count || all.Outliers != kept.Outliers {
			t.Fatalf("trial %d: after cancelling %v: %+v, want %+v", trial, cancel, all, kept)
		}
	}
}

// TestPropertyOneStratumChain: with one stratum, chaining through any pattern of gaps gives
// 100 × p_t ÷ p_base for every published week (to the index's two decimals), and a gap is
// never a number.
func TestPropertyOneStratumChain(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	monday := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for trial := 0; trial < 100; trial++ {
		weeks := 2 + r.IntN(30)
		var cells []Cell
		for w := 0; w < weeks; w++ {
			var s Sums
			for k := r.IntN(6); k > 0; k-- {
				s = s.Add(randomObs(r), false)
			}
			cells = append(cells, Cell{Week: monday.AddDate(0, 0, 7*w), Stratum: "CN", Sums: s})
		}
		points := Series(cells, monday, monday.AddDate(0, 0, 7*(weeks-1)))
		var base decimal.Decimal
		for i, p := range points {
			if p.Gap != !cells[i].Sums.Published() {
				t.Fatalf("trial %d week %d: gap %v for %d orders", trial, i, p.Gap, cells[i].Sums.Count)
			}
			if p.Gap {
				if !p.Index.IsZero() || !p.PerGPUHour.IsZero() {
					t.Fatalf("trial %d week %d: a gap has numbers %+v", trial, i, p)
				}
				continue
			}
			mean := cells[i].Sums.Value.Div(cells[i].Sums.GPUHours)
			if base.IsZero() {
				base = mean
			}
			want := mean.Mul(decimal.NewFromInt(100)).DivRound(base, 10).Round(IndexPlaces)
			if !p.Index.Equal(want) {
				t.Fatalf("trial %d week %d: index %s, want 100 × %s ÷ %s = %s", trial, i, p.Index, mean, base, want)
			}
		}
	}
}
