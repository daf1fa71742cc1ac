package effects

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// exact is the model in rational arithmetic, with no rounding at all: the reference the
// decimal implementation is measured against.
type exact struct {
	tc, td, pe, cs, w, qtc, qtd []*big.Rat
}

func rat(d decimal.Decimal) *big.Rat { return d.Rat() }

func exactModel(in Input) exact {
	n := len(in.Flows)
	r := exact{}
	for _, p := range []*[]*big.Rat{&r.tc, &r.td, &r.pe, &r.cs, &r.w, &r.qtc, &r.qtd} {
		*p = make([]*big.Rat, n)
	}
	one := big.NewRat(1, 1)
	add := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }
	sub := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }
	mul := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }
	quo := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Quo(a, b) }
	em, es := rat(in.ImportDemand.Value()), rat(in.Substitution.Value())
	f := make([]*big.Rat, n)
	var fmax *big.Rat
	total, weighted := new(big.Rat), new(big.Rat)
	for i, fl := range in.Flows {
		f[i] = quo(add(one, rat(fl.WedgeAfter)), add(one, rat(fl.WedgeBefore)))
		if fl.Value.IsPositive() && (fmax == nil || f[i].Cmp(fmax) > 0) {
			fmax = f[i]
		}
	}
	mu := make([]*big.Rat, n)
	for i, fl := range in.Flows {
		mu[i] = add(one, mul(es, sub(one, quo(f[i], fmax))))
		total = add(total, rat(fl.Value))
		weighted = add(weighted, mul(rat(fl.Value), mu[i]))
	}
	for i, fl := range in.Flows {
		m := rat(fl.Value)
		tau := sub(f[i], one)
		pi, tc := new(big.Rat), new(big.Rat)
		if in.ExportSupply.IsInfinite() {
			tc = mul(mul(em, m), tau)
		} else {
			ex := rat(in.ExportSupply.Value())
			pi = quo(mul(em, tau), sub(ex, em))
			tc = mul(mul(ex, pi), m)
		}
		td := new(big.Rat)
		if m.Sign() > 0 {
			td = sub(quo(mul(mul(total, m), mu[i]), weighted), m)
		}
		q1 := add(add(m, tc), td)
		pe := mul(pi, q1)
		dr := new(big.Rat)
		if fl.Collector != NoCollector {
			dr = sub(mul(rat(fl.WedgeAfter), add(q1, pe)), mul(rat(fl.WedgeBefore), m))
		}
		dp := sub(mul(add(one, pi), add(one, rat(fl.WedgeAfter))), add(one, rat(fl.WedgeBefore)))
		cs := mul(new(big.Rat).Neg(dp), quo(add(m, q1), big.NewRat(2, 1)))
		r.tc[i], r.td[i], r.pe[i], r.cs[i], r.w[i] = tc, td, pe, cs, add(cs, dr)
		if fl.GPUHours.IsPositive() {
			r.qtc[i] = quo(mul(tc, rat(fl.GPUHours)), m)
			r.qtd[i] = quo(mul(td, rat(fl.GPUHours)), m)
		}
	}
	return r
}

// extremeInput draws inputs across the whole accepted range: values from 10^-6 to 10^15,
// wedges from −99% to 1000%, Em to −100, Es to 100, Ex from 0.0001 to 10^6 or infinite.
func extremeInput(rng *rand.Rand) Input {
	pick := func(xs ...string) decimal.Decimal { return decimal.RequireFromString(xs[rng.IntN(len(xs))]) }
	in := Input{
		ImportDemand: Parameter{Elasticity: Finite(pick("0", "-0.0001", "-1.5", "-7.25", "-100"))},
		Substitution: Parameter{Elasticity: Finite(pick("0", "0.5", "1.5", "13.7", "100"))},
		ExportSupply: Parameter{Elasticity: Infinite},
	}
	if rng.IntN(2) == 0 {
		in.ExportSupply = Parameter{Elasticity: Finite(pick("0.0001", "0.7", "3", "99", "1000000"))}
	}
	hours := rng.IntN(2) == 0
	for i := 0; i < 1+rng.IntN(6); i++ {
		fl := Flow{Source: fmt.Sprintf("S%d", i), Value: pick("0.000001", "1", "123.45", "999999999.99", "1000000000000000"),
			WedgeBefore: pick("-0.99", "-0.5", "0", "0.1", "0.175", "2.45", "10"),
			WedgeAfter:  pick("-0.99", "-0.25", "0", "0.1", "0.3333", "5", "10"),
			Collector:   []string{"", "DE", NoCollector}[rng.IntN(3)]}
		if hours {
			fl.GPUHours = pick("0.5", "8", "1000000", "1000000000000000")
		}
		in.Flows = append(in.Flows, fl)
	}
	return in
}

// TestPrecisionAgainstRationals: every figure of the decimal model is within 10⁻¹² of the exact
// rational result, over inputs spanning the whole accepted range (the bound docs/effects.md
// states for QuotientPlaces = 40; the analysis there puts the worst case near 10⁻¹⁹).
func TestPrecisionAgainstRationals(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	bound := big.NewRat(1, 1000000000000)
	worst := new(big.Rat)
	for c := 0; c < 3000; c++ {
		in := extremeInput(rng)
		got := mustCompute(t, in)
		want := exactModel(in)
		for i, s := range got.Sources {
			pairs := []struct {
				name string
				got  decimal.Decimal
				want *big.Rat
			}{{"creation", s.TradeCreation, want.tc[i]}, {"diversion", s.TradeDiversion, want.td[i]}, {"price effect", s.PriceEffect, want.pe[i]},
				{"consumer surplus", s.ConsumerSurplusChange, want.cs[i]}, {"welfare", s.WelfareChange, want.w[i]}}
			if s.GPUHours != nil {
				pairs = append(pairs, struct {
					name string
					got  decimal.Decimal
					want *big.Rat
				}{"GPU-hours created", s.GPUHours.TradeCreation, want.qtc[i]}, struct {
					name string
					got  decimal.Decimal
					want *big.Rat
				}{"GPU-hours diverted", s.GPUHours.TradeDiversion, want.qtd[i]})
			}
			for _, p := range pairs {
				diff := new(big.Rat).Sub(rat(p.got), p.want)
				diff.Abs(diff)
				if diff.Cmp(worst) > 0 {
					worst = diff
				}
				if diff.Cmp(bound) > 0 {
					t.Fatalf("case %d, %s %s: decimal %s, exact %s (error %s)", c, s.Source, p.name, p.got, p.want.FloatString(40), diff.FloatString(40))
				}
			}
		}
	}
	t.Logf("worst absolute error over 3000 cases: %s", worst.FloatString(40))
}
