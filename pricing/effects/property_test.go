package effects

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// randomInput draws a valid input: 1–8 flows with values to 10^6 (some zero), wedges from −50%
// to +150%, and elasticities across their ranges (Ex infinite one time in three).
func randomInput(rng *rand.Rand, withHours bool) Input {
	n := 1 + rng.IntN(8)
	in := Input{
		ImportDemand: Parameter{Elasticity: Finite(decimal.New(-int64(rng.IntN(501)), -2))}, // −5.00 … 0
		Substitution: Parameter{Elasticity: Finite(decimal.New(int64(rng.IntN(501)), -2))},  // 0 … 5.00
		ExportSupply: Parameter{Elasticity: Infinite},
	}
	if rng.IntN(3) > 0 {
		in.ExportSupply = Parameter{Elasticity: Finite(decimal.New(1+int64(rng.IntN(10000)), -2))} // 0.01 … 100
	}
	for i := 0; i < n; i++ {
		f := Flow{Source: fmt.Sprintf("S%d", i),
			Value:       decimal.New(int64(rng.IntN(100000001)), -2),
			WedgeBefore: decimal.New(int64(rng.IntN(2001)-500), -3),
			WedgeAfter:  decimal.New(int64(rng.IntN(2001)-500), -3),
			Collector:   []string{"", "DE", "CN", NoCollector}[rng.IntN(4)]}
		if rng.IntN(5) == 0 && !withHours {
			f.Value = decimal.Zero
		}
		if withHours {
			f.Value = f.Value.Add(decimal.NewFromInt(1))
			f.GPUHours = decimal.New(1+int64(rng.IntN(1000000)), -1)
		}
		in.Flows = append(in.Flows, f)
	}
	in.Flows[0].Value = in.Flows[0].Value.Add(decimal.NewFromInt(1)) // at least one source trades
	return in
}

func mustCompute(t *testing.T, in Input) Result {
	t.Helper()
	r, err := Compute(in)
	if err != nil {
		t.Fatalf("compute %+v: %v", in, err)
	}
	return r
}

// tiny is the tolerance for identities across quotients carried to 30 places.
var tiny = decimal.New(1, -15)

func near(a, b decimal.Decimal) bool { return a.Sub(b).Abs().LessThanOrEqual(tiny) }

// TestPropertyDiversionSumsToZero: over random inputs, diversion sums to exactly zero, before
// and after rounding (each rounded diversion within a cent of its exact value), and no source
// loses more than it had or gains more than the market.
func TestPropertyDiversionSumsToZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		in := randomInput(rng, i%2 == 0)
		r := mustCompute(t, in)
		if !r.Total.TradeDiversion.IsZero() {
			t.Fatalf("case %d: diversion sums to %s", i, r.Total.TradeDiversion)
		}
		rr := r.Rounded(centRounding)
		if !rr.Total.TradeDiversion.IsZero() {
			t.Fatalf("case %d: rounded diversion sums to %s", i, rr.Total.TradeDiversion)
		}
		for j, s := range rr.Sources {
			if s.TradeDiversion.Sub(r.Sources[j].TradeDiversion).Abs().GreaterThan(centRounding.MinorUnit) {
				t.Fatalf("case %d: %s diversion rounded to %s from %s: more than a cent away", i, s.Source, s.TradeDiversion, r.Sources[j].TradeDiversion)
			}
		}
		for _, s := range r.Sources {
			after := s.ValueBefore.Add(s.TradeDiversion)
			if after.IsNegative() || after.GreaterThan(r.Total.ValueBefore.Add(tiny)) {
				t.Fatalf("case %d: %s after diversion %s outside [0, %s]", i, s.Source, after, r.Total.ValueBefore)
			}
		}
	}
}

// TestPropertyEqualWedgesChangeNothing: when no wedge changes, every effect is zero.
func TestPropertyEqualWedgesChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 1000; i++ {
		in := randomInput(rng, i%2 == 0)
		for j := range in.Flows {
			in.Flows[j].WedgeAfter = in.Flows[j].WedgeBefore
		}
		r := mustCompute(t, in)
		for _, v := range []decimal.Decimal{r.Total.TradeCreation, r.Total.PriceEffect, r.Total.RevenueChange,
			r.Total.ConsumerSurplusChange, r.Total.WelfareChange} {
			if !v.IsZero() {
				t.Fatalf("case %d: unchanged wedges gave %+v", i, r.Total)
			}
		}
		for _, s := range r.Sources {
			if !s.TradeDiversion.IsZero() {
				t.Fatalf("case %d: unchanged wedges diverted %s from %s", i, s.TradeDiversion, s.Source)
			}
		}
	}
}

// TestPropertyCommonChangeDivertsNothing: when every landed price moves in the same proportion,
// relative prices are unchanged and nothing is diverted.
func TestPropertyCommonChangeDivertsNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 1000; i++ {
		in := randomInput(rng, false)
		c := decimal.New(int64(80+rng.IntN(41)), -2) // landed prices × 0.80 … 1.20
		for j, f := range in.Flows {
			in.Flows[j].WedgeAfter = c.Mul(one.Add(f.WedgeBefore)).Sub(one)
		}
		r := mustCompute(t, in)
		for _, s := range r.Sources {
			if !near(s.TradeDiversion, decimal.Zero) {
				t.Fatalf("case %d: a common change ×%s diverted %s from %s", i, c, s.TradeDiversion, s.Source)
			}
		}
	}
}

// TestPropertyCreationSign: with Em < 0 trade creation has the opposite sign of the wedge
// change (a cut creates trade, a rise destroys it), zero when the wedge is unchanged.
func TestPropertyCreationSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 2000; i++ {
		in := randomInput(rng, false)
		r := mustCompute(t, in)
		em := in.ImportDemand.Value()
		for j, s := range r.Sources {
			f := in.Flows[j]
			want := -f.WedgeAfter.Sub(f.WedgeBefore).Sign()
			if em.IsZero() || f.Value.IsZero() {
				want = 0
			}
			if s.TradeCreation.Sign() != want {
				t.Fatalf("case %d: %s wedge %s → %s, Em %s: creation %s has sign %d, want %d",
					i, s.Source, f.WedgeBefore, f.WedgeAfter, em, s.TradeCreation, s.TradeCreation.Sign(), want)
			}
		}
	}
}

// TestPropertyIdentities: total = creation + diversion + price effect, value after = value
// before + total, welfare = consumer surplus + revenue change, exactly; with infinite export
// supply and a collected wedge, welfare is the Harberger trapezoid ½·(t0 + t1)·ΔQ; the rounded
// result keeps every identity exactly. Scaling every value by k scales every effect by k.
func TestPropertyIdentities(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 2000; i++ {
		in := randomInput(rng, i%3 == 0)
		r := mustCompute(t, in)
		for _, res := range []Result{r, r.Rounded(centRounding)} {
			for _, s := range append(res.Sources, SourceResult{Source: "total", TradeCreation: res.Total.TradeCreation, TradeDiversion: res.Total.TradeDiversion,
				PriceEffect: res.Total.PriceEffect, TotalEffect: res.Total.TotalEffect, ValueBefore: res.Total.ValueBefore, ValueAfter: res.Total.ValueAfter,
				ConsumerSurplusChange: res.Total.ConsumerSurplusChange, RevenueChange: res.Total.RevenueChange, WelfareChange: res.Total.WelfareChange}) {
				if !s.TradeCreation.Add(s.TradeDiversion).Add(s.PriceEffect).Equal(s.TotalEffect) ||
					!s.ValueBefore.Add(s.TotalEffect).Equal(s.ValueAfter) ||
					!s.ConsumerSurplusChange.Add(s.RevenueChange).Equal(s.WelfareChange) {
					t.Fatalf("case %d: identities broken for %s: %+v", i, s.Source, s)
				}
			}
		}
		if in.ExportSupply.IsInfinite() {
			for j, s := range r.Sources {
				f := in.Flows[j]
				if f.Collector == NoCollector {
					continue
				}
				harberger := half.Mul(f.WedgeBefore.Add(f.WedgeAfter)).Mul(s.TradeCreation.Add(s.TradeDiversion))
				if !near(s.WelfareChange, harberger) {
					t.Fatalf("case %d: welfare %s, Harberger ½(t0+t1)ΔQ = %s", i, s.WelfareChange, harberger)
				}
			}
		}
		k := decimal.NewFromInt(int64(2 + rng.IntN(9)))
		scaled := in
		scaled.Flows = append([]Flow(nil), in.Flows...)
		for j := range scaled.Flows {
			scaled.Flows[j].Value = scaled.Flows[j].Value.Mul(k)
		}
		rs := mustCompute(t, scaled)
		if !near(rs.Total.WelfareChange, r.Total.WelfareChange.Mul(k)) || !near(rs.Sources[0].TradeDiversion, r.Sources[0].TradeDiversion.Mul(k)) {
			t.Fatalf("case %d: scaling values by %s: welfare %s vs %s", i, k, rs.Total.WelfareChange, r.Total.WelfareChange.Mul(k))
		}
	}
}

// TestPropertyTwoSourcesAreLairdYeats: for any two sources the diversion equals Laird–Yeats'
// closed form with the source whose landed price falls relatively as the preferred one.
func TestPropertyTwoSourcesAreLairdYeats(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 2000; i++ {
		in := randomInput(rng, false)
		in.Flows = in.Flows[:1]
		in.Flows = append(in.Flows, Flow{Source: "K", Value: decimal.New(1+int64(rng.IntN(100000000)), -2),
			WedgeBefore: decimal.New(int64(rng.IntN(2001)-500), -3), WedgeAfter: decimal.New(int64(rng.IntN(2001)-500), -3)})
		r := mustCompute(t, in)
		a, b := in.Flows[0], in.Flows[1]
		fa := div(one.Add(a.WedgeAfter), one.Add(a.WedgeBefore))
		fb := div(one.Add(b.WedgeAfter), one.Add(b.WedgeBefore))
		k, o, idx := a, b, 0 // k: the preferred source (relatively cheaper after the change)
		fk, fo := fa, fb
		if fa.GreaterThan(fb) {
			k, o, idx, fk, fo = b, a, 1, fb, fa
		}
		es := in.Substitution.Value()
		rho := one.Sub(div(fk, fo))
		ly := div(k.Value.Mul(o.Value).Mul(es).Mul(rho), k.Value.Add(o.Value).Add(k.Value.Mul(es).Mul(rho)))
		if !near(r.Sources[idx].TradeDiversion, ly) {
			t.Fatalf("case %d: TD = %s, Laird–Yeats %s", i, r.Sources[idx].TradeDiversion, ly)
		}
	}
}
