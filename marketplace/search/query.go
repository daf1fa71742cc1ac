package search

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

// Query is a parsed, validated offer query: the conjunction of Clauses, with prices compared
// and shown in Currency.
type Query struct {
	Clauses  []Clause
	Currency string // ISO 4217; DefaultCurrency when q has no currency=
}

// Clause is one condition of a Query: Field Op Values. Values are validated and normalised:
// decimals canonical ("2.50" → "2.5"), ints in base 10 without leading zeros, dates
// YYYY-MM-DD, enums and codes in the catalogue's case, slugs lower case, bools true|false; text
// is kept as typed. Non-list operators have exactly one value; in/notin have one or more, without
// duplicates.
type Clause struct {
	Field  string
	Op     Op
	Values []string
	Pos    int // 1-based byte column of the clause's start in q (0 if not parsed from q)
}

// Decimal returns value i of a decimal clause.
func (c Clause) Decimal(i int) (decimal.Decimal, error) {
	v, err := c.value(i)
	if err != nil {
		return decimal.Decimal{}, err
	}
	d, err := decimal.NewFromString(v)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("search: clause %s: value %q is not a decimal", c.Field, v)
	}
	return d, nil
}

// Int returns value i of an int clause.
func (c Clause) Int(i int) (int64, error) {
	v, err := c.value(i)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("search: clause %s: value %q is not an int", c.Field, v)
	}
	return n, nil
}

// Date returns value i of a date clause as midnight UTC.
func (c Clause) Date(i int) (time.Time, error) {
	v, err := c.value(i)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("search: clause %s: value %q is not a date", c.Field, v)
	}
	return t, nil
}

// Bool returns value i of a bool clause.
func (c Clause) Bool(i int) (bool, error) {
	v, err := c.value(i)
	if err != nil {
		return false, err
	}
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("search: clause %s: value %q is not a bool", c.Field, v)
}

func (c Clause) value(i int) (string, error) {
	if i < 0 || i >= len(c.Values) {
		return "", fmt.Errorf("search: clause %s: no value %d (has %d)", c.Field, i, len(c.Values))
	}
	return c.Values[i], nil
}

// String returns the clause in canonical form, e.g. `gpus>=8`, `region in [a,b]`,
// `text~"two words"`.
func (c Clause) String() string {
	var b strings.Builder
	c.write(&b)
	return b.String()
}

func (c Clause) write(b *strings.Builder) {
	b.WriteString(c.Field)
	if c.Op.IsList() {
		b.WriteString(" ")
		b.WriteString(string(c.Op))
		b.WriteString(" [")
		for i, v := range c.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quote(v))
		}
		b.WriteString("]")
		return
	}
	b.WriteString(string(c.Op))
	if len(c.Values) > 0 {
		b.WriteString(quote(c.Values[0]))
	}
}

// String returns the query in canonical form: clauses in their order, separated by one space,
// no spaces around symbolic operators, lists as [a,b], values quoted only when needed, and
// currency= last unless it is the default. For a Query returned by Parse the result is
// never longer than q, and Parse of it returns the same Query (positions aside).
func (s Query) String() string {
	var b strings.Builder
	for i, c := range s.Clauses {
		if i > 0 {
			b.WriteByte(' ')
		}
		c.write(&b)
	}
	if s.Currency != "" && s.Currency != DefaultCurrency {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("currency=")
		b.WriteString(quote(s.Currency))
	}
	return b.String()
}

// Fingerprint returns a short stable digest of the canonical query, used to tie a cursor to the
// query it was issued for.
func (s Query) Fingerprint() string {
	cur := s.Currency
	if cur == "" {
		cur = DefaultCurrency
	}
	sum := sha256.Sum256([]byte(cur + "\n" + s.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// quote returns v bare when the lexer reads it back unchanged, else double-quoted with
// \" and \\ escaped.
func quote(v string) string {
	if !needsQuote(v) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}

func needsQuote(v string) bool {
	if v == "" || isOpByte(v[0]) {
		return true
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isSpecial(r) {
			return true
		}
	}
	return false
}

func isOpByte(c byte) bool {
	return c == '=' || c == '!' || c == '<' || c == '>' || c == '~'
}

// isSpecial reports the runes that end a bare value or field name.
func isSpecial(r rune) bool {
	return r == '"' || r == '[' || r == ']' || r == ',' || r == '\\'
}
