package jsonout_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace/jsonout"
	"corridor/marketplace/jsonout/jsonouttest"
)

// FuzzScalars: a string, and a decimal of any coefficient and exponent, are written as
// encoding/json writes them.
func FuzzScalars(f *testing.F) {
	f.Add("VAT <reverse> & \"charge\"\n", int64(-123450), int32(-3))
	f.Add("\xff\u2028", int64(0), int32(5))
	f.Add("", int64(math.MaxInt64), int32(-18))
	f.Add("plain text longer than eight bytes, then é", int64(math.MinInt64), int32(-40))
	f.Fuzz(func(t *testing.T, s string, coef int64, exp int32) {
		want, _ := json.Marshal(s)
		if have := jsonout.AppendString(nil, s); string(have) != string(want) {
			t.Errorf("string %q: wrote %s, encoding/json writes %s", s, have, want)
		}
		d := decimal.New(coef, exp)
		want, _ = json.Marshal(d)
		if have := jsonout.AppendDecimal(nil, d); string(have) != string(want) {
			t.Errorf("decimal %d × 10^%d: wrote %s, encoding/json writes %s", coef, exp, have, want)
		}
	})
}

// TestScalarsProperty: 20,000 random strings, decimals (up to 30 digits, exponents ±24) and
// times (some that RFC 3339 cannot write, which both refuse) are written as encoding/json
// writes them.
func TestScalarsProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 20000 {
		s, d, tm := jsonouttest.String(r), jsonouttest.Decimal(r), jsonouttest.Time(r)
		v := struct {
			S string          `json:"s"`
			D decimal.Decimal `json:"d"`
			T time.Time       `json:"t"`
		}{s, d, tm}
		jsonouttest.Check(t, "scalars", v, func(w *jsonout.Writer) {
			w.Object()
			w.Str("s", s)
			w.Dec("d", d)
			w.Time("t", tm)
			w.Close()
		})
		if t.Failed() {
			return
		}
	}
}

// TestWriterShapes: omitempty, nulls, nested objects and arrays and sorted map keys are
// written as encoding/json writes them, for one value with each case.
func TestWriterShapes(t *testing.T) {
	type inner struct {
		K string `json:"k"`
	}
	v := struct {
		A  string                     `json:"a,omitempty"`
		B  int                        `json:"b,omitempty"`
		C  bool                       `json:"c"`
		D  []string                   `json:"d"`
		E  []string                   `json:"e,omitempty"`
		F  map[string]decimal.Decimal `json:"f,omitempty"`
		G  []inner                    `json:"g"`
		N  decimal.NullDecimal        `json:"n"`
		TP *time.Time                 `json:"tp,omitempty"`
	}{C: false, D: []string{}, F: map[string]decimal.Decimal{"z": decimal.RequireFromString("1.50"), "a": decimal.New(-5, 3)},
		G: []inner{{"x"}, {"<y>"}}}
	jsonouttest.Check(t, "shapes", v, func(w *jsonout.Writer) {
		w.Object()
		w.StrOmit("a", v.A)
		w.IntOmit("b", int64(v.B))
		w.Bool("c", v.C)
		w.Strs("d", v.D)
		w.StrsOmit("e", v.E)
		w.DecMapOmit("f", v.F)
		w.OpenArray("g")
		for _, g := range v.G {
			w.Element()
			w.Object()
			w.Str("k", g.K)
			w.Close()
		}
		w.CloseArray()
		w.NullDec("n", v.N)
		w.TimeOmit("tp", v.TP)
		w.Close()
	})
}
