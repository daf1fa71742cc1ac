// Package jsonout appends JSON exactly as encoding/json.Marshal writes it, for the few hot
// types whose encoders are written by hand: a quote's stored record and a new quote's answer.
// Under the bench harness's persisted quotes, encoding those through reflection (goccy/go-json)
// was a tenth of the server's CPU, half of it the decimals' MarshalJSON (math/big formatting, a
// string, then goccy compacting what it returned). Each hand-written encoder is held, by its
// package's tests, to the bytes encoding/json writes for its types — member order, omitempty,
// null for nil slices and pointers, sorted map keys, HTML-safe string escapes, decimals as
// quoted strings, times in RFC 3339 — for every shape of quote and for random values of every
// field (jsonouttest), so the Go types and their tags stay the one definition of the JSON.
package jsonout

import (
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Writer appends JSON to B; Err is the first value that could not be encoded (a time
// outside what RFC 3339 can write, which encoding/json refuses too). Objects and arrays are
// opened and closed by the caller, in the order of the type's fields; a member or element
// writes the comma before it unless it opens its object or array.
type Writer struct {
	B   []byte
	Err error
}

// Member writes a member's name (plain ASCII, as every json tag here is) and its colon.
func (w *Writer) Member(name string) {
	if n := len(w.B); n > 0 && w.B[n-1] != '{' {
		w.B = append(w.B, ',')
	}
	w.B = append(w.B, '"')
	w.B = append(w.B, name...)
	w.B = append(w.B, '"', ':')
}

// Key writes a map key as a member's name: escaped as any string.
func (w *Writer) Key(name string) {
	if n := len(w.B); n > 0 && w.B[n-1] != '{' {
		w.B = append(w.B, ',')
	}
	w.B = AppendString(w.B, name)
	w.B = append(w.B, ':')
}

// Element writes the comma before an array element unless it opens its array.
func (w *Writer) Element() {
	if n := len(w.B); n > 0 && w.B[n-1] != '[' {
		w.B = append(w.B, ',')
	}
}

// Open writes member name and opens its object; OpenArray, its array.
func (w *Writer) Open(name string)      { w.Member(name); w.B = append(w.B, '{') }
func (w *Writer) OpenArray(name string) { w.Member(name); w.B = append(w.B, '[') }

// Object opens an object where a value goes (an array element: after Element; the top).
func (w *Writer) Object() { w.B = append(w.B, '{') }

// Close closes an object; CloseArray an array.
func (w *Writer) Close()      { w.B = append(w.B, '}') }
func (w *Writer) CloseArray() { w.B = append(w.B, ']') }

// Null writes member name with the value null (a nil pointer, slice or map without omitempty).
func (w *Writer) Null(name string) { w.Member(name); w.B = append(w.B, "null"...) }

// Str writes a string member; StrOmit, with omitempty.
func (w *Writer) Str(name, s string) { w.Member(name); w.B = AppendString(w.B, s) }

func (w *Writer) StrOmit(name, s string) {
	if s != "" {
		w.Str(name, s)
	}
}

// Int writes an integer member; IntOmit, with omitempty.
func (w *Writer) Int(name string, v int64) { w.Member(name); w.B = strconv.AppendInt(w.B, v, 10) }

func (w *Writer) IntOmit(name string, v int64) {
	if v != 0 {
		w.Int(name, v)
	}
}

// Bool writes a bool member; BoolOmit, with omitempty.
func (w *Writer) Bool(name string, v bool) {
	w.Member(name)
	w.B = strconv.AppendBool(w.B, v)
}

func (w *Writer) BoolOmit(name string, v bool) {
	if v {
		w.Bool(name, v)
	}
}

// Dec writes a decimal.Decimal member (AppendDecimal).
func (w *Writer) Dec(name string, d decimal.Decimal) {
	w.Member(name)
	w.B = AppendDecimal(w.B, d)
}

// NullDec writes a decimal.NullDecimal member: null when not valid.
func (w *Writer) NullDec(name string, d decimal.NullDecimal) {
	if !d.Valid {
		w.Null(name)
		return
	}
	w.Dec(name, d.Decimal)
}

// Time writes a time.Time member (TimeValue).
func (w *Writer) Time(name string, t time.Time) { w.Member(name); w.TimeValue(t) }

// TimeOmit writes a *time.Time member with omitempty: nothing for nil.
func (w *Writer) TimeOmit(name string, t *time.Time) {
	if t != nil {
		w.Time(name, *t)
	}
}

// TimeValue writes t as time.Time.MarshalJSON does (RFC 3339 with nanoseconds), and refuses
// what it refuses, with its checks: a year that is not four digits, a zone offset of 24 hours
// or more.
func (w *Writer) TimeValue(t time.Time) {
	w.B = append(w.B, '"')
	n0 := len(w.B)
	w.B = t.AppendFormat(w.B, time.RFC3339Nano)
	b := w.B
	bad := b[n0+len("9999")] != '-'
	if n := len(b); b[n-1] != 'Z' {
		c := b[n-len("Z07:00")]
		bad = bad || ('0' <= c && c <= '9') || 10*(b[n-5]-'0')+(b[n-4]-'0') >= 24
	}
	w.B = append(w.B, '"')
	if bad && w.Err == nil {
		w.Err = errors.New("json: time " + t.String() + " cannot be written in RFC 3339")
	}
}

// Strs writes a []string member without omitempty: null for nil.
func (w *Writer) Strs(name string, ss []string) {
	if ss == nil {
		w.Null(name)
		return
	}
	w.OpenArray(name)
	for _, s := range ss {
		w.Element()
		w.B = AppendString(w.B, s)
	}
	w.CloseArray()
}

// StrsOmit writes a []string member with omitempty: nothing when empty.
func (w *Writer) StrsOmit(name string, ss []string) {
	if len(ss) > 0 {
		w.Strs(name, ss)
	}
}

// DecMapOmit writes a map[string]decimal.Decimal member with omitempty, keys sorted.
func (w *Writer) DecMapOmit(name string, m map[string]decimal.Decimal) {
	if len(m) == 0 {
		return
	}
	w.Open(name)
	for _, k := range SortedKeys(m) {
		w.Key(k)
		w.B = AppendDecimal(w.B, m[k])
	}
	w.Close()
}

// SortedKeys are m's keys in the order encoding/json writes them.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AppendDecimal writes d as decimal.Decimal.MarshalJSON does (a quoted String), without
// its allocations for a coefficient of at most 18 digits: the digits from strconv and the
// point placed by the exponent, trailing zeros of the fraction trimmed. Other decimals, and
// any change to the package's formatting switches, take MarshalJSON itself.
func AppendDecimal(b []byte, d decimal.Decimal) []byte {
	exp := d.Exponent()
	if decimal.MarshalJSONWithoutQuotes || !decimal.TrimTrailingZeros || decimal.UseScientificNotation ||
		exp < -18 || exp > 18 || d.NumDigits() > 18 {
		js, err := d.MarshalJSON() // never fails
		if err != nil {
			panic(err)
		}
		return append(b, js...)
	}
	c := d.CoefficientInt64()
	b = append(b, '"')
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var buf [40]byte
	digits := strconv.AppendInt(buf[:0], c, 10)
	switch {
	case c == 0:
		b = append(b, '0')
	case exp >= 0:
		b = append(b, digits...)
		for range exp {
			b = append(b, '0')
		}
	default:
		point := len(digits) + int(exp) // digits before the point; ≤ 0: "0." and zeros first
		frac := digits[max(point, 0):]
		for len(frac) > 0 && frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		if point > 0 {
			b = append(b, digits[:point]...)
		} else {
			b = append(b, '0')
		}
		if len(frac) > 0 {
			b = append(b, '.')
			for range -point {
				b = append(b, '0')
			}
			b = append(b, frac...)
		}
	}
	return append(b, '"')
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are under encoding/json's
// HTML-safe escaping: printable, and neither a quote, a backslash nor <, > or &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const jsonHex = "0123456789abcdef"

// plain8 reports whether none of the 8 bytes of x (little-endian) needs a look byte by byte:
// none is a control byte, a quote, a backslash, <, >, & or part of a multi-byte rune. The bit
// tricks (a byte below 0x20; a byte equal to 0 after the XOR) may flag a byte that needs
// nothing, never miss one.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs, lt, gt, amp := x^('"'*ones), x^('\\'*ones), x^('<'*ones), x^('>'*ones), x^('&'*ones)
	flagged := (x-0x20*ones)&^x | (q-ones)&^q | (bs-ones)&^bs | (lt-ones)&^lt | (gt-ones)&^gt | (amp-ones)&^amp
	return (flagged|x)&highs == 0 // x: a byte of a multi-byte rune
}

// AppendString writes s as encoding/json writes a string (its appendString with HTML
// escaping): the short escapes \" \\ \b \f \n \r \t, other control bytes and <, >, & as
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) { // most of a record's text: skip it 8 bytes at a time (plain8)
			w := s[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if !plain8(x) {
				break
			}
			i += 8
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', jsonHex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
