package tariff

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// The fast threshold comparison agrees with decimal comparison on values of every scale.
func TestThresholdReachedBy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ts := []threshold{tppA1, tppFloor, densityA2, tppB1, densityB1, densityB2}
	for i := 0; i < 200000; i++ {
		d := decimal.New(r.Int64N(100000000), -int32(r.IntN(12)))
		if r.IntN(10) == 0 {
			d = decimal.New(r.Int64N(100), int32(r.IntN(3)))
		}
		if r.IntN(50) == 0 {
			d = d.Mul(decimal.RequireFromString("1.000000000000000000001"))
		}
		for _, th := range ts {
			if got, want := th.reachedBy(d), d.GreaterThanOrEqual(decimal.New(th.num, -th.scale)); got != want {
				t.Fatalf("%s ≥ %d×10^-%d: %v, want %v", d, th.num, th.scale, got, want)
			}
		}
	}
	for _, s := range []string{"4800", "4800.0", "4799.99999", "5.92", "5.9199", "1.6", "3.2", "2400", "0.0000001", "48e2"} {
		d := decimal.RequireFromString(s)
		for _, th := range ts {
			if got, want := th.reachedBy(d), d.GreaterThanOrEqual(decimal.New(th.num, -th.scale)); got != want {
				t.Errorf("%s vs %+v: %v, want %v", s, th, got, want)
			}
		}
	}
}
