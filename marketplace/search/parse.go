package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// slugExamples are shown in messages about malformed codes.
var slugExamples = map[string]string{"accelerator": "h100-sxm", "vendor": "nvidia", "region": "cn-ningxia-zhongwei"}

// opSymbols maps the symbolic operators.
var opSymbols = map[string]Op{"=": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe, "~": OpContains}

// opHints suggests the operator meant by common misspellings.
var opHints = map[string]string{
	"==": "=", "=>": ">=", "=<": "<=", "<>": "!=", "=!": "!=", "!": "!=",
	"=~": "~", "~=": "~", "!~": "~ (there is no negated contains)",
}

// fieldHints maps names from other marketplaces' query languages to ours.
var fieldHints = map[string]string{
	"num_gpus": "gpus", "gpu_name": "accelerator", "model": "accelerator",
	"dph": "price", "dph_total": "price", "geolocation": "country", "location": "region",
	"gpu_ram": "memory_gb", "type": "pricing", "note": "text", "name": "text",
}

const maxErrors = 10

type parser struct {
	q      string
	pos    int
	errs   []Problem
	listAt int // byte offset of the '[' of the list being read, -1 outside lists
}

func (p *parser) errorf(at int, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		return
	}
	p.errs = append(p.errs, Problem{Param: "q", Message: fmt.Sprintf("col %d: ", at+1) + fmt.Sprintf(format, args...)})
}

func (p *parser) eof() bool { return p.pos >= len(p.q) }

// skipSpace skips whitespace (any Unicode space, e.g. U+3000) and reports whether there was any.
func (p *parser) skipSpace() bool {
	start := p.pos
	for p.pos < len(p.q) {
		r, n := utf8.DecodeRuneInString(p.q[p.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		p.pos += n
	}
	return p.pos > start
}

func (p *parser) atSpace() bool {
	if p.eof() {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.q[p.pos:])
	return unicode.IsSpace(r)
}

// token returns the text from the current position to the next space, for messages.
func (p *parser) token() string {
	end := p.pos
	for end < len(p.q) {
		r, n := utf8.DecodeRuneInString(p.q[end:])
		if unicode.IsSpace(r) {
			break
		}
		end += n
	}
	t := p.q[p.pos:end]
	if len(t) > 40 {
		t = t[:40] + "…"
	}
	return t
}

// resync moves past the rest of a broken clause: to the next space outside quotes and brackets,
// and on over following chunks that still belong to the clause (an operator, in/notin, a list),
// so that one mistake gives one message.
func (p *parser) resync() {
	if p.listAt >= 0 {
		p.pos = p.listAt
		p.listAt = -1
	}
	for {
		start := p.pos
		p.skipChunk()
		chunk := p.q[start:p.pos]
		end := p.pos
		p.skipSpace()
		if p.eof() {
			return
		}
		next := p.q[p.pos]
		if next == '[' || isOpByte(next) || chunk != "" && isOpByte(chunk[len(chunk)-1]) ||
			isOpWord(chunk) || isOpWord(p.word()) {
			continue
		}
		p.pos = end
		return
	}
}

// skipChunk moves to the next space outside quotes and brackets.
func (p *parser) skipChunk() {
	depth := 0
	for p.pos < len(p.q) {
		c := p.q[p.pos]
		switch {
		case c == '"':
			p.pos++
			for p.pos < len(p.q) && p.q[p.pos] != '"' {
				if p.q[p.pos] == '\\' {
					p.pos++
				}
				p.pos++
			}
			p.pos++
			continue
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0 && p.atSpace():
			return
		}
		p.pos++
	}
	p.pos = len(p.q)
}

// word returns the ASCII letters at p.pos.
func (p *parser) word() string {
	end := p.pos
	for end < len(p.q) && (p.q[end] >= 'a' && p.q[end] <= 'z' || p.q[end] >= 'A' && p.q[end] <= 'Z') {
		end++
	}
	return p.q[p.pos:end]
}

func isOpWord(w string) bool {
	switch strings.ToLower(w) {
	case "in", "notin", "not":
		return true
	}
	return false
}

// Parse parses q, the offer search language, into a validated Query. Clauses are separated
// by spaces and all must hold. A failure is an *Error with one Problem{Param: "q"} per
// problem found (up to 10), each message starting with the 1-based
// byte column of the offending token, e.g. `col 5: unknown operator "=>" after "gpus"; use >=`.
func Parse(q string) (Query, error) {
	if len(q) > MaxLen {
		return Query{}, invalid("invalid search query", Problem{Param: "q",
			Message: fmt.Sprintf("col %d: query is %d bytes long; the limit is %d", MaxLen+1, len(q), MaxLen)})
	}
	for i, r := range q {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(q[i:]); n <= 1 {
				return Query{}, invalid("invalid search query", Problem{Param: "q",
					Message: fmt.Sprintf("col %d: invalid UTF-8", i+1)})
			}
		}
	}
	p := &parser{q: q, listAt: -1}
	var s Query
	clauses, currencyAt := 0, -1
	for {
		p.skipSpace()
		if p.eof() || len(p.errs) >= maxErrors {
			break
		}
		start := p.pos
		clauses++
		if clauses > MaxClauses {
			p.errorf(start, "more than %d clauses", MaxClauses)
			break
		}
		c, ok := p.clause()
		if !ok {
			p.resync()
			continue
		}
		if c.Field == "currency" {
			if currencyAt >= 0 {
				p.errorf(start, "currency is given twice (first at col %d)", currencyAt+1)
				continue
			}
			currencyAt = start
			s.Currency = c.Values[0]
			continue
		}
		s.Clauses = append(s.Clauses, c)
	}
	if len(p.errs) > 0 {
		return Query{}, invalid("invalid search query", p.errs...)
	}
	if s.Currency == "" {
		s.Currency = DefaultCurrency
	}
	return s, nil
}

// clause reads one clause at p.pos; on failure it has recorded the error and the caller resyncs.
func (p *parser) clause() (Clause, bool) {
	start := p.pos
	for p.pos < len(p.q) {
		r, n := utf8.DecodeRuneInString(p.q[p.pos:])
		if unicode.IsSpace(r) || isOpByte(p.q[p.pos]) || isSpecial(r) {
			break
		}
		p.pos += n
	}
	name := p.q[start:p.pos]
	if name == "" {
		p.errorf(start, "expected a field name, found %q", p.token())
		return Clause{}, false
	}
	f := field(name)
	if f == nil {
		p.errorf(start, "%s", unknownField(name))
		return Clause{}, false
	}
	spaced := p.skipSpace()
	opAt := p.pos
	var op Op
	switch {
	case p.eof():
		p.errorf(start, "expected an operator after %q, e.g. %s", name, f.Example)
		return Clause{}, false
	case isOpByte(p.q[p.pos]):
		for p.pos < len(p.q) && isOpByte(p.q[p.pos]) {
			p.pos++
		}
		tok := p.q[opAt:p.pos]
		o, ok := opSymbols[tok]
		if !ok {
			if hint, ok := opHints[tok]; ok {
				p.errorf(opAt, "unknown operator %q after %q; use %s", tok, name, hint)
			} else {
				p.errorf(opAt, "unknown operator %q after %q", tok, name)
			}
			return Clause{}, false
		}
		op = o
	default:
		word := p.word()
		end := p.pos + len(word)
		switch {
		case spaced && (word == "in" || word == "notin"):
			p.pos = end
			op = Op(word)
		case spaced && strings.EqualFold(word, "not"):
			p.errorf(opAt, "unknown operator %q after %q; use notin", word, name)
			return Clause{}, false
		case spaced && (strings.EqualFold(word, "in") || strings.EqualFold(word, "notin")):
			p.errorf(opAt, "unknown operator %q after %q; operators are lower case: %s", word, name, strings.ToLower(word))
			return Clause{}, false
		default:
			p.errorf(opAt, "expected an operator after %q, found %q; e.g. %s", name, p.token(), f.Example)
			return Clause{}, false
		}
	}
	if !f.allows(op) {
		p.errorf(opAt, "operator %s is not allowed for %s; use %s", op, name, opList(f.Ops))
		return Clause{}, false
	}
	c := Clause{Field: name, Op: op, Pos: start + 1}
	var raws []rawValue
	if op.IsList() {
		if !p.skipSpace() {
			if !p.eof() && p.q[p.pos] == '[' {
				p.errorf(p.pos, "put a space between %s and [", op)
			} else {
				p.errorf(p.pos, "expected [ after %s, e.g. %s", op, f.Example)
			}
			return Clause{}, false
		}
		list, ok := p.list(name, op, f)
		if !ok {
			return Clause{}, false
		}
		raws = list
	} else {
		p.skipSpace()
		if p.eof() {
			p.errorf(p.pos, "missing value after %s%s", name, op)
			return Clause{}, false
		}
		if p.q[p.pos] == '[' {
			p.errorf(p.pos, "a list needs in or notin: %s in [...]", name)
			return Clause{}, false
		}
		v, ok := p.value(false)
		if !ok {
			return Clause{}, false
		}
		raws = []rawValue{v}
	}
	ok := true
	seen := make(map[string]bool, len(raws))
	for _, r := range raws {
		v, msg := normalise(f, r.text)
		if msg != "" {
			p.errorf(r.at, "%s", msg)
			ok = false
			continue
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		c.Values = append(c.Values, v)
	}
	return c, ok
}

// rawValue is a value as typed, unquoted, with its byte offset.
type rawValue struct {
	text string
	at   int
}

// list reads `[v, v, ...]` at p.pos.
func (p *parser) list(name string, op Op, f *Field) ([]rawValue, bool) {
	if p.eof() || p.q[p.pos] != '[' {
		p.errorf(p.pos, "expected [ after %s, found %q; e.g. %s", op, p.token(), f.Example)
		return nil, false
	}
	open := p.pos
	p.listAt = open
	p.pos++
	p.skipSpace()
	if !p.eof() && p.q[p.pos] == ']' {
		p.errorf(open, "empty list after %s %s; give at least one value", name, op)
		return nil, false
	}
	var out []rawValue
	for {
		p.skipSpace()
		if p.eof() {
			p.errorf(open, "unterminated list: missing ]")
			return nil, false
		}
		v, ok := p.value(true)
		if !ok {
			return nil, false
		}
		if len(out) == MaxListValues {
			p.errorf(v.at, "more than %d values in the list", MaxListValues)
			return nil, false
		}
		out = append(out, v)
		p.skipSpace()
		if p.eof() {
			p.errorf(open, "unterminated list: missing ]")
			return nil, false
		}
		switch p.q[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
			if !p.eof() && p.q[p.pos] == ']' {
				p.errorf(p.pos, "expected a value after \",\", found \"]\"")
				return nil, false
			}
			continue
		case ']':
			p.pos++
			p.listAt = -1
			if !p.eof() && !p.atSpace() {
				p.errorf(p.pos, "expected a space after ], found %q", p.token())
				return nil, false
			}
			return out, true
		default:
			p.errorf(p.pos, "expected , or ] in the list, found %q", p.token())
			return nil, false
		}
	}
}

// value reads a bare or double-quoted value at p.pos.
func (p *parser) value(inList bool) (rawValue, bool) {
	start := p.pos
	if p.q[p.pos] == '"' {
		var b strings.Builder
		msg, msgAt := "", 0
		p.pos++
		for {
			if p.eof() {
				p.errorf(start, "unterminated quoted string: missing \"")
				return rawValue{}, false
			}
			r, n := utf8.DecodeRuneInString(p.q[p.pos:])
			switch {
			case r == '"':
				p.pos++
				if msg != "" {
					p.errorf(msgAt, "%s", msg)
					return rawValue{}, false
				}
				if !p.eof() && !p.atSpace() && !(inList && (p.q[p.pos] == ',' || p.q[p.pos] == ']')) {
					p.errorf(p.pos, "expected a space after the quoted value, found %q", p.token())
					return rawValue{}, false
				}
				return rawValue{text: b.String(), at: start}, true
			case r == '\\':
				if p.pos+1 < len(p.q) && (p.q[p.pos+1] == '"' || p.q[p.pos+1] == '\\') {
					b.WriteByte(p.q[p.pos+1])
					p.pos += 2
					continue
				}
				if msg == "" {
					msg, msgAt = `unknown escape in quoted string; only \" and \\ are allowed`, p.pos
				}
			case unicode.IsControl(r):
				if msg == "" {
					msg, msgAt = fmt.Sprintf("control character %q in quoted string", r), p.pos
				}
			default:
				b.WriteString(p.q[p.pos : p.pos+n])
			}
			p.pos += n
		}
	}
	if isOpByte(p.q[p.pos]) {
		p.errorf(start, "a value cannot start with %q; quote it", p.q[p.pos])
		return rawValue{}, false
	}
	for p.pos < len(p.q) {
		r, n := utf8.DecodeRuneInString(p.q[p.pos:])
		if unicode.IsSpace(r) || inList && (r == ',' || r == ']') {
			break
		}
		switch {
		case r == ',':
			p.errorf(p.pos, "unexpected \",\"; for several values use in [a,b], or quote the value")
			return rawValue{}, false
		case isSpecial(r):
			p.errorf(p.pos, "unexpected %q in value; quote the value", r)
			return rawValue{}, false
		case unicode.IsControl(r):
			p.errorf(p.pos, "control character %q in value", r)
			return rawValue{}, false
		}
		p.pos += n
	}
	if p.pos == start {
		p.errorf(start, "missing value")
		return rawValue{}, false
	}
	return rawValue{text: p.q[start:p.pos], at: start}, true
}

// normalise validates v for field f and returns its canonical form, or a message.
func normalise(f *Field, v string) (string, string) {
	show := v
	if len(show) > 40 {
		show = show[:40] + "…"
	}
	switch f.Type {
	case TypeEnum:
		for _, e := range f.Enum {
			if strings.EqualFold(v, e) {
				return e, ""
			}
		}
		if len(f.Enum) <= 8 {
			return "", fmt.Sprintf("unknown %s %q; use one of %s", f.Name, show, strings.Join(f.Enum, ", "))
		}
		if s := closest(strings.ToUpper(v), f.Enum, 1); s != "" {
			return "", fmt.Sprintf("unknown %s %q; did you mean %q?", f.Name, show, s)
		}
		return "", fmt.Sprintf("unknown %s %q; use one of %s", f.Name, show, strings.Join(f.Enum, ", "))
	case TypeInt:
		digits, msg := checkNumber(f, v, false)
		if msg != "" {
			return "", msg
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return "", fmt.Sprintf("%s: %q is too large", f.Name, show)
		}
		return strconv.FormatInt(n, 10), ""
	case TypeDecimal:
		if _, msg := checkNumber(f, v, true); msg != "" {
			return "", msg
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			return "", fmt.Sprintf("%s: %q is not a number", f.Name, show)
		}
		return d.String(), ""
	case TypeDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil || len(v) != len(time.DateOnly) {
			return "", fmt.Sprintf("%s: %q is not a date; use YYYY-MM-DD, e.g. 2026-12-01", f.Name, show)
		}
		if t.Year() < 1970 {
			return "", fmt.Sprintf("%s: %q is before 1970", f.Name, show)
		}
		return t.Format(time.DateOnly), ""
	case TypeBool:
		switch strings.ToLower(v) {
		case "true":
			return "true", ""
		case "false":
			return "false", ""
		}
		return "", fmt.Sprintf("%s: %q is not a bool; use true or false", f.Name, show)
	}
	switch f.Format {
	case FormatSlug:
		l := asciiLower(v)
		if !IsSlug(l) {
			return "", fmt.Sprintf("%s: %q is not a code; use lowercase letters, digits and -, e.g. %s", f.Name, show, slugExamples[f.Name])
		}
		return l, ""
	case FormatCountry:
		u := strings.ToUpper(v)
		if len(u) != 2 || u[0] < 'A' || u[0] > 'Z' || u[1] < 'A' || u[1] > 'Z' {
			return "", fmt.Sprintf("%s: %q is not an ISO 3166-1 alpha-2 country code, e.g. CN or DE", f.Name, show)
		}
		return u, ""
	case FormatID:
		if !IsID(v) {
			return "", fmt.Sprintf("%s: %q is not an id (letters, digits, - and _, at most 64)", f.Name, show)
		}
		return v, ""
	case FormatText:
		if v == "" {
			return "", fmt.Sprintf("%s: empty text", f.Name)
		}
		if len(v) > MaxTextLen {
			return "", fmt.Sprintf("%s: text is %d bytes long; the limit is %d", f.Name, len(v), MaxTextLen)
		}
		return v, ""
	}
	return "", fmt.Sprintf("%s: unsupported field type", f.Name)
}

// checkNumber checks a non-negative number without sign, exponent or leading/trailing dot.
func checkNumber(f *Field, v string, frac bool) (string, string) {
	show := v
	if len(show) > 40 {
		show = show[:40] + "…"
	}
	if strings.HasPrefix(v, "-") && len(v) > 1 {
		return "", fmt.Sprintf("%s must be ≥ 0, not %s", f.Name, show)
	}
	intPart, fracPart, dot := strings.Cut(v, ".")
	kind := "a whole number"
	if frac {
		kind = "a number like 2.5"
	}
	if intPart == "" || !allDigits(intPart) || dot && (!frac || fracPart == "" || !allDigits(fracPart)) {
		return "", fmt.Sprintf("%s: %q is not %s", f.Name, show, kind)
	}
	trimmed := strings.TrimLeft(intPart, "0")
	if len(trimmed) > 18 {
		return "", fmt.Sprintf("%s: %q has more than 18 integer digits", f.Name, show)
	}
	if len(fracPart) > 6 {
		return "", fmt.Sprintf("%s: %q has more than 6 decimal places", f.Name, show)
	}
	if trimmed == "" {
		trimmed = "0"
	}
	return trimmed, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// MaxCodeLen is the longest id or code (offer, supplier, region, accelerator…): the
// marketplace's limit, declared here because the search language, which sits below the
// marketplace, checks codes in queries with the same rules.
const MaxCodeLen = 64

// IsSlug reports whether s is a code such as a region code ("cn-ningxia-zhongwei"): 1 to
// MaxCodeLen lowercase letters, digits and - _ ., starting and ending with a letter or digit.
func IsSlug(s string) bool {
	if len(s) == 0 || len(s) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && ((c != '-' && c != '_' && c != '.') || i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// IsID reports whether s can be the id of a stored record (offer, supplier, quote, order, API
// key): 1 to MaxCodeLen letters, digits, - and _.
func IsID(s string) bool {
	if len(s) == 0 || len(s) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func opList(ops []Op) string {
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// unknownField explains an unknown field name and suggests the closest one.
func unknownField(name string) string {
	show := name
	if len(show) > 40 {
		show = show[:40] + "…"
	}
	switch strings.ToLower(name) {
	case "and":
		return fmt.Sprintf("unexpected %q: clauses separated by spaces must all hold; there is no AND keyword", show)
	case "or":
		return fmt.Sprintf("unexpected %q: there is no OR; use field in [a,b] for alternatives", show)
	case "not":
		return fmt.Sprintf("unexpected %q: there is no NOT; use != or notin", show)
	}
	if field(strings.ToLower(name)) != nil {
		return fmt.Sprintf("unknown field %q; did you mean %q? (field names are lower case)", show, strings.ToLower(name))
	}
	for _, op := range []string{"notin", "in"} {
		if base, ok := strings.CutSuffix(name, op); ok && field(base) != nil {
			return fmt.Sprintf("unknown field %q; put a space before %s: %s %s [...]", show, op, base, op)
		}
	}
	if hint, ok := fieldHints[strings.ToLower(name)]; ok {
		return fmt.Sprintf("unknown field %q; did you mean %q?", show, hint)
	}
	names := fieldNames()
	if s := closest(strings.ToLower(name), names, 2); s != "" {
		return fmt.Sprintf("unknown field %q; did you mean %q?", show, s)
	}
	return fmt.Sprintf("unknown field %q; fields are %s", show, strings.Join(names, ", "))
}

// closest returns the candidate within Levenshtein distance maxD of s (the first on ties).
func closest(s string, candidates []string, maxD int) string {
	if len(s) > 64 {
		return ""
	}
	best, bestD := "", maxD+1
	for _, c := range candidates {
		if d := tariff.EditDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
