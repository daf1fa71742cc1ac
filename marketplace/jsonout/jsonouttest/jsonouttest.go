// Package jsonouttest holds hand-written JSON encoders (package jsonout) to encoding/json: Fill
// sets every field of a value at random, Check compares an encoder's bytes with
// encoding/json.Marshal's. For tests only.
package jsonouttest

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace/jsonout"
)

// Check fails the test unless encode writes v as encoding/json.Marshal does, or both refuse it.
func Check(t testing.TB, name string, v any, encode func(*jsonout.Writer)) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	var w jsonout.Writer
	encode(&w)
	switch {
	case (wantErr != nil) != (w.Err != nil):
		t.Errorf("%s: encoding/json says %v, the hand-written encoder %v", name, wantErr, w.Err)
	case wantErr == nil && string(w.B) != string(want):
		t.Errorf("%s: the hand-written encoder wrote\n%s\nencoding/json writes\n%s", name, w.B, want)
	}
}

var (
	decimalType     = reflect.TypeFor[decimal.Decimal]()
	nullDecimalType = reflect.TypeFor[decimal.NullDecimal]()
	timeType        = reflect.TypeFor[time.Time]()
)

// Fill sets v, and everything it holds, to random values: strings with escapes, HTML
// characters, invalid UTF-8 and line separators; decimals of every size and exponent; times in
// every zone, a few that RFC 3339 cannot write; nil, empty and full slices, maps and pointers;
// zero and non-zero numbers and bools (so omitempty is exercised both ways).
func Fill(r *rand.Rand, v reflect.Value) {
	switch v.Type() {
	case decimalType:
		v.Set(reflect.ValueOf(Decimal(r)))
		return
	case nullDecimalType:
		if r.IntN(2) == 0 {
			v.Set(reflect.ValueOf(decimal.NewNullDecimal(Decimal(r))))
		}
		return
	case timeType:
		v.Set(reflect.ValueOf(Time(r)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(String(r))
	case reflect.Int, reflect.Int64:
		if r.IntN(3) > 0 {
			v.SetInt(r.Int64N(1<<40) - 1<<39)
		}
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Pointer:
		if r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			Fill(r, v.Elem())
		}
	case reflect.Slice:
		if n := r.IntN(5); n > 0 { // 0: nil; 1: empty
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := range n - 1 {
				Fill(r, v.Index(i))
			}
		}
	case reflect.Map:
		if n := r.IntN(5); n > 0 {
			v.Set(reflect.MakeMap(v.Type()))
			for range n - 1 {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				Fill(r, k)
				Fill(r, e)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			Fill(r, v.Field(i))
		}
	default:
		panic("jsonouttest.Fill: no random " + v.Type().String())
	}
}

// Decimal is a decimal of up to 30 digits and an exponent from -24 to 24, now and then with
// trailing zeros, negative, or the zero Decimal.
func Decimal(r *rand.Rand) decimal.Decimal {
	if r.IntN(10) == 0 {
		return decimal.Decimal{}
	}
	digits := strconv.FormatUint(r.Uint64(), 10) + strconv.FormatUint(r.Uint64(), 10)
	coef, _ := new(big.Int).SetString(digits[:1+r.IntN(30)], 10)
	if r.IntN(4) == 0 {
		coef.Mul(coef, big.NewInt(int64(math.Pow10(r.IntN(6)))))
	}
	if r.IntN(3) == 0 {
		coef.Neg(coef)
	}
	return decimal.NewFromBigInt(coef, int32(r.IntN(49)-24))
}

// Time is an instant from year 1 to 9999 in a zone of any whole-minute offset under a day;
// one in fifty has an offset with seconds (which RFC 3339 writes without them), and two in
// fifty cannot be written in RFC 3339 (year 10000, an offset of more than a day).
func Time(r *rand.Rand) time.Time {
	t := time.Unix(r.Int64N(253402300799+62135596800)-62135596800, int64(r.IntN(3))*r.Int64N(1e9)).UTC()
	offset := (r.IntN(48*60-1) - (24*60 - 1)) * 60
	switch r.IntN(50) {
	case 0:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	case 1:
		offset += 7
	case 2:
		offset = 24*3600 + 60
	}
	return t.In(time.FixedZone("", offset))
}

// String mixes plain text with what a JSON string escapes: quotes, backslashes, control
// bytes, <, > and &, multi-byte runes, U+2028 and U+2029, and invalid UTF-8.
func String(r *rand.Rand) string {
	pieces := []string{"a", "Zz 09", "\"", "\\", "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"é", "中文", "\u2028", "\u2029", "\xff", "\xc3", "\xe4\xb8", "😀", "VAT Directive 2006/112/EC art. 196 applies here"}
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}
