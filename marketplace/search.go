package marketplace

// The offer search language: GET /api/v1/offers?q=…&sort=…&cursor=….
//
// ParseSearch turns q into a Search: a flat list of AND-ed clauses whose values are already
// validated and normalised, so a storage adapter only maps field names to columns and binds the
// values as parameters. Nothing here knows SQL. The catalogue (SearchFields) is the single source
// for validation, for docs/search-language.md and for the OpenAPI description of q.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// Op is a comparison operator of the search language.
type Op string

// The operators. Which ones a field accepts is listed in its Field.Ops.
const (
	OpEq       Op = "="     // equal
	OpNe       Op = "!="    // not equal
	OpLt       Op = "<"     // less than
	OpLe       Op = "<="    // less than or equal
	OpGt       Op = ">"     // greater than
	OpGe       Op = ">="    // greater than or equal
	OpIn       Op = "in"    // equal to one of a list: region in [a,b]
	OpNotIn    Op = "notin" // equal to none of a list: bloc notin [CN]
	OpContains Op = "~"     // case-insensitive substring (text only)
)

// IsList reports whether op takes a bracketed list of values (in, notin).
func (op Op) IsList() bool { return op == OpIn || op == OpNotIn }

// Field types of the search catalogue (Field.Type).
const (
	FieldTypeString  = "string"  // free-form or syntactically checked text (see Field.Format)
	FieldTypeEnum    = "enum"    // one of Field.Enum
	FieldTypeInt     = "int"     // whole number ≥ 0, at most 18 digits
	FieldTypeDecimal = "decimal" // number ≥ 0 without exponent, ≤ 18 integer and ≤ 6 fraction digits
	FieldTypeDate    = "date"    // calendar date YYYY-MM-DD
	FieldTypeBool    = "bool"    // true | false
)

// Limits of the search language.
const (
	MaxSearchLen        = 2000 // bytes of q
	MaxSearchClauses    = 32   // clauses in q, currency= included
	MaxSearchListValues = 64   // values in one in/notin list
	MaxSearchTextLen    = 200  // bytes of one text value
)

// DefaultCurrency is the query currency when q has no currency= clause.
const DefaultCurrency = "EUR"

// Field describes one field of the search language: its name, value type, unit, which
// operators it accepts and, for enums, its values. The catalogue is published (docs, OpenAPI),
// so that no filter is undocumented and no unit has to be guessed.
type Field struct {
	Name        string
	Type        string // string | enum | int | decimal | date | bool
	Format      string // for strings: slug | iso3166-alpha2 | id | text
	Unit        string // e.g. "GPUs", "GB", "hours"; empty when the value has no unit
	Description string
	Ops         []Op
	Enum        []string // enums: every accepted value, in canonical case
	Example     string   // a clause using the field
}

// Formats of string fields (Field.Format).
const (
	FieldFormatSlug    = "slug"           // lowercase letters, digits, - _ . (max 64), input case-insensitive
	FieldFormatCountry = "iso3166-alpha2" // two letters, upper case, input case-insensitive
	FieldFormatID      = "id"             // letters, digits, - _ (max 64), case-sensitive
	FieldFormatText    = "text"           // any printable text (max MaxSearchTextLen bytes)
)

var (
	searchOpsIdentity = []Op{OpEq, OpNe, OpIn, OpNotIn}
	searchOpsOrdered  = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe}
	searchOpsCount    = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}
	searchOpsBool     = []Op{OpEq, OpNe}
	searchOpsText     = []Op{OpContains}
	searchOpsSetting  = []Op{OpEq}
)

// searchCurrencies are the currencies a query may price in: EUR and every currency of the ECB
// euro foreign exchange reference rates (BGN ended with Bulgaria's euro adoption in 2026).
var searchCurrencies = []string{
	"CNY", "EUR", "USD",
	"AUD", "BRL", "CAD", "CHF", "CZK", "DKK", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK",
	"JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SEK", "SGD", "THB", "TRY",
	"ZAR",
}

// searchCatalogue is the field catalogue, in the order it is documented.
var searchCatalogue = []Field{
	{Name: "accelerator", Type: FieldTypeString, Format: FieldFormatSlug, Ops: searchOpsIdentity,
		Description: "Accelerator model code, as listed by GET /api/v1/accelerators (checked for syntax only: an unknown model matches nothing).",
		Example:     "accelerator in [h100-sxm,h20]"},
	{Name: "vendor", Type: FieldTypeString, Format: FieldFormatSlug, Ops: searchOpsIdentity,
		Description: "Vendor of the accelerator, as a lowercase slug (e.g. nvidia, huawei).",
		Example:     "vendor=huawei"},
	{Name: "vendor_country", Type: FieldTypeString, Format: FieldFormatCountry, Ops: searchOpsIdentity,
		Description: "Country of the accelerator vendor, ISO 3166-1 alpha-2.",
		Example:     "vendor_country!=US"},
	{Name: "region", Type: FieldTypeString, Format: FieldFormatSlug, Ops: searchOpsIdentity,
		Description: "Region code, as listed by GET /api/v1/regions (checked for syntax only).",
		Example:     "region in [cn-ningxia-zhongwei,cn-gansu-qingyang]"},
	{Name: "bloc", Type: FieldTypeEnum, Enum: blocEnum(), Ops: searchOpsIdentity,
		Description: "Bloc of the offer's region: CN (China), EU (European Union member states), NON_EU (Europe outside the Union).",
		Example:     "bloc=CN"},
	{Name: "country", Type: FieldTypeString, Format: FieldFormatCountry, Ops: searchOpsIdentity,
		Description: "Country of the offer's region (where the capacity is), ISO 3166-1 alpha-2.",
		Example:     "country in [FI,DE]"},
	{Name: "product", Type: FieldTypeEnum, Enum: []string{"gpu_hours", "bare_metal", "hardware"}, Ops: searchOpsIdentity,
		Description: "What is sold: GPU-hours, bare-metal servers, or hardware units.",
		Example:     "product=gpu_hours"},
	{Name: "pricing", Type: FieldTypeEnum, Enum: []string{"on_demand", "reserved", "interruptible"}, Ops: searchOpsIdentity,
		Description: "Pricing model of the offer.",
		Example:     "pricing=reserved"},
	{Name: "gpus", Type: FieldTypeInt, Unit: "GPUs", Ops: searchOpsCount,
		Description: "GPUs available in the offer's window (its capacity), not GPUs per server.",
		Example:     "gpus>=8"},
	{Name: "price", Type: FieldTypeDecimal, Unit: "currency per GPU-hour (per unit for hardware)", Ops: searchOpsOrdered,
		Description: "Offer price per GPU-hour (per unit for hardware) in the query's currency (see currency; EUR by default). Offers listed in another currency are converted with the current FX table before comparing.",
		Example:     "price<=2.5"},
	{Name: "currency", Type: FieldTypeEnum, Enum: searchCurrencies, Ops: searchOpsSetting,
		Description: "Currency of the price filter and of the prices shown in the results (default EUR). A setting, not a filter: it does NOT select offers listed in that currency (use listed_currency). At most once per query.",
		Example:     "currency=USD"},
	{Name: "listed_currency", Type: FieldTypeEnum, Enum: []string{"CNY", "EUR", "USD"}, Ops: searchOpsIdentity,
		Description: "Currency the supplier listed the offer in (the offer's own currency field).",
		Example:     "listed_currency=CNY"},
	{Name: "memory_gb", Type: FieldTypeDecimal, Unit: "GB per GPU", Ops: searchOpsOrdered,
		Description: "Memory of one accelerator, in GB (10^9 bytes).",
		Example:     "memory_gb>=80"},
	{Name: "bf16_tflops", Type: FieldTypeDecimal, Unit: "TFLOPS per GPU", Ops: searchOpsOrdered,
		Description: "Dense BF16 throughput of one accelerator, in TFLOPS.",
		Example:     "bf16_tflops>=900"},
	{Name: "tpp", Type: FieldTypeDecimal, Unit: "TPP per GPU", Ops: searchOpsOrdered,
		Description: "Total Processing Performance of one accelerator as defined for ECCN 3A090 (computed from its specs).",
		Example:     "tpp<4800"},
	{Name: "export_class", Type: FieldTypeEnum, Enum: []string{"3a090a", "none"}, Ops: searchOpsIdentity,
		Description: "Export-control class of the accelerator, derived by the adapter from its TPP and performance density with ExportClass: 3a090a when it meets the ECCN 3A090.a thresholds (TPP ≥ 4800, or TPP ≥ 1600 and density ≥ 5.92), otherwise none. Never typed in by suppliers; informational, not a licensing determination.",
		Example:     "export_class=none"},
	{Name: "min_hours", Type: FieldTypeInt, Unit: "hours", Ops: searchOpsCount,
		Description: "Minimum order length the supplier accepts, in hours.",
		Example:     "min_hours<=24"},
	{Name: "term_months", Type: FieldTypeInt, Unit: "months", Ops: searchOpsCount,
		Description: "Commitment term of reserved offers, in months (0 for none).",
		Example:     "term_months in [0,12]"},
	{Name: "available_from", Type: FieldTypeDate, Ops: searchOpsOrdered,
		Description: "First day the capacity is available (UTC date).",
		Example:     "available_from<=2026-12-01"},
	{Name: "available_until", Type: FieldTypeDate, Ops: searchOpsOrdered,
		Description: "End of the availability window, exclusive (UTC date).",
		Example:     "available_until>=2027-06-30"},
	{Name: "supplier", Type: FieldTypeString, Format: FieldFormatID, Ops: searchOpsIdentity,
		Description: "Supplier id (case-sensitive).",
		Example:     "supplier=sup_01"},
	{Name: "demo", Type: FieldTypeBool, Ops: searchOpsBool,
		Description: "Whether the offer belongs to the illustrative demo market.",
		Example:     "demo=false"},
	{Name: "text", Type: FieldTypeString, Format: FieldFormatText, Ops: searchOpsText,
		Description: "Free text searched, case-insensitively, in the supplier's name and the offer's note. A literal: % and _ match themselves.",
		Example:     `text~"liquid cooled"`},
}

// SearchFields returns the search field catalogue, in documentation order. The result is a copy:
// callers may modify it.
func SearchFields() []Field {
	out := make([]Field, len(searchCatalogue))
	for i, f := range searchCatalogue {
		f.Ops = append([]Op(nil), f.Ops...)
		f.Enum = append([]string(nil), f.Enum...)
		out[i] = f
	}
	return out
}

// LookupSearchField returns the catalogue entry of the field called name (case-sensitive).
func LookupSearchField(name string) (Field, bool) {
	for i, f := range searchCatalogue {
		if f.Name == name {
			return SearchFields()[i], true
		}
	}
	return Field{}, false
}

func searchField(name string) *Field {
	for i := range searchCatalogue {
		if searchCatalogue[i].Name == name {
			return &searchCatalogue[i]
		}
	}
	return nil
}

func (f *Field) allows(op Op) bool {
	for _, o := range f.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// Search is a parsed, validated offer query: the conjunction of Clauses, with prices compared
// and shown in Currency.
type Search struct {
	Clauses  []Clause
	Currency string // ISO 4217; DefaultCurrency when q has no currency=
}

// Clause is one condition of a Search: Field Op Values. Values are validated and normalised:
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
		return decimal.Decimal{}, fmt.Errorf("marketplace: search clause %s: value %q is not a decimal", c.Field, v)
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
		return 0, fmt.Errorf("marketplace: search clause %s: value %q is not an int", c.Field, v)
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
		return time.Time{}, fmt.Errorf("marketplace: search clause %s: value %q is not a date", c.Field, v)
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
	return false, fmt.Errorf("marketplace: search clause %s: value %q is not a bool", c.Field, v)
}

func (c Clause) value(i int) (string, error) {
	if i < 0 || i >= len(c.Values) {
		return "", fmt.Errorf("marketplace: search clause %s: no value %d (has %d)", c.Field, i, len(c.Values))
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
			b.WriteString(searchQuote(v))
		}
		b.WriteString("]")
		return
	}
	b.WriteString(string(c.Op))
	if len(c.Values) > 0 {
		b.WriteString(searchQuote(c.Values[0]))
	}
}

// String returns the query in canonical form: clauses in their order, separated by one space,
// no spaces around symbolic operators, lists as [a,b], values quoted only when needed, and
// currency= last unless it is the default. For a Search returned by ParseSearch the result is
// never longer than q, and ParseSearch of it returns the same Search (positions aside).
func (s Search) String() string {
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
		b.WriteString(searchQuote(s.Currency))
	}
	return b.String()
}

// Fingerprint returns a short stable digest of the canonical query, used to tie a cursor to the
// query it was issued for.
func (s Search) Fingerprint() string {
	cur := s.Currency
	if cur == "" {
		cur = DefaultCurrency
	}
	sum := sha256.Sum256([]byte(cur + "\n" + s.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// searchQuote returns v bare when the lexer reads it back unchanged, else double-quoted with
// \" and \\ escaped.
func searchQuote(v string) string {
	if !searchNeedsQuote(v) {
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

func searchNeedsQuote(v string) bool {
	if v == "" || searchIsOpByte(v[0]) {
		return true
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || searchIsSpecial(r) {
			return true
		}
	}
	return false
}

func searchIsOpByte(c byte) bool {
	return c == '=' || c == '!' || c == '<' || c == '>' || c == '~'
}

// searchIsSpecial reports the runes that end a bare value or field name.
func searchIsSpecial(r rune) bool {
	return r == '"' || r == '[' || r == ']' || r == ',' || r == '\\'
}

// searchSlugExamples are shown in messages about malformed codes.
var searchSlugExamples = map[string]string{"accelerator": "h100-sxm", "vendor": "nvidia", "region": "cn-ningxia-zhongwei"}

// searchOps maps the symbolic operators.
var searchOps = map[string]Op{"=": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe, "~": OpContains}

// searchOpHints suggests the operator meant by common misspellings.
var searchOpHints = map[string]string{
	"==": "=", "=>": ">=", "=<": "<=", "<>": "!=", "=!": "!=", "!": "!=",
	"=~": "~", "~=": "~", "!~": "~ (there is no negated contains)",
}

// searchFieldHints maps names from other marketplaces' query languages to ours.
var searchFieldHints = map[string]string{
	"num_gpus": "gpus", "gpu_name": "accelerator", "model": "accelerator",
	"dph": "price", "dph_total": "price", "geolocation": "country", "location": "region",
	"gpu_ram": "memory_gb", "type": "pricing", "note": "text", "name": "text",
}

const searchMaxErrors = 10

type searchParser struct {
	q      string
	pos    int
	errs   []FieldError
	listAt int // byte offset of the '[' of the list being read, -1 outside lists
}

func (p *searchParser) errorf(at int, format string, args ...any) {
	if len(p.errs) >= searchMaxErrors {
		return
	}
	p.errs = append(p.errs, FieldError{Field: "q", Message: fmt.Sprintf("col %d: ", at+1) + fmt.Sprintf(format, args...)})
}

func (p *searchParser) eof() bool { return p.pos >= len(p.q) }

// skipSpace skips whitespace (any Unicode space, e.g. U+3000) and reports whether there was any.
func (p *searchParser) skipSpace() bool {
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

func (p *searchParser) atSpace() bool {
	if p.eof() {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.q[p.pos:])
	return unicode.IsSpace(r)
}

// token returns the text from the current position to the next space, for messages.
func (p *searchParser) token() string {
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
func (p *searchParser) resync() {
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
		if next == '[' || searchIsOpByte(next) || chunk != "" && searchIsOpByte(chunk[len(chunk)-1]) ||
			searchIsOpWord(chunk) || searchIsOpWord(p.word()) {
			continue
		}
		p.pos = end
		return
	}
}

// skipChunk moves to the next space outside quotes and brackets.
func (p *searchParser) skipChunk() {
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
func (p *searchParser) word() string {
	end := p.pos
	for end < len(p.q) && (p.q[end] >= 'a' && p.q[end] <= 'z' || p.q[end] >= 'A' && p.q[end] <= 'Z') {
		end++
	}
	return p.q[p.pos:end]
}

func searchIsOpWord(w string) bool {
	switch strings.ToLower(w) {
	case "in", "notin", "not":
		return true
	}
	return false
}

// ParseSearch parses q, the offer search language, into a validated Search. Clauses are
// separated by spaces and all must hold. A failure is an *Error with CodeInvalid and one
// FieldError{Field: "q"} per problem found (up to 10), each message starting with the 1-based
// byte column of the offending token, e.g. `col 5: unknown operator "=>" after "gpus"; use >=`.
func ParseSearch(q string) (Search, error) {
	if len(q) > MaxSearchLen {
		return Search{}, Invalid("invalid search query", FieldError{Field: "q",
			Message: fmt.Sprintf("col %d: query is %d bytes long; the limit is %d", MaxSearchLen+1, len(q), MaxSearchLen)})
	}
	for i, r := range q {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(q[i:]); n <= 1 {
				return Search{}, Invalid("invalid search query", FieldError{Field: "q",
					Message: fmt.Sprintf("col %d: invalid UTF-8", i+1)})
			}
		}
	}
	p := &searchParser{q: q, listAt: -1}
	var s Search
	clauses, currencyAt := 0, -1
	for {
		p.skipSpace()
		if p.eof() || len(p.errs) >= searchMaxErrors {
			break
		}
		start := p.pos
		clauses++
		if clauses > MaxSearchClauses {
			p.errorf(start, "more than %d clauses", MaxSearchClauses)
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
		return Search{}, Invalid("invalid search query", p.errs...)
	}
	if s.Currency == "" {
		s.Currency = DefaultCurrency
	}
	return s, nil
}

// clause reads one clause at p.pos; on failure it has recorded the error and the caller resyncs.
func (p *searchParser) clause() (Clause, bool) {
	start := p.pos
	for p.pos < len(p.q) {
		r, n := utf8.DecodeRuneInString(p.q[p.pos:])
		if unicode.IsSpace(r) || searchIsOpByte(p.q[p.pos]) || searchIsSpecial(r) {
			break
		}
		p.pos += n
	}
	name := p.q[start:p.pos]
	if name == "" {
		p.errorf(start, "expected a field name, found %q", p.token())
		return Clause{}, false
	}
	f := searchField(name)
	if f == nil {
		p.errorf(start, "%s", searchUnknownField(name))
		return Clause{}, false
	}
	spaced := p.skipSpace()
	opAt := p.pos
	var op Op
	switch {
	case p.eof():
		p.errorf(start, "expected an operator after %q, e.g. %s", name, f.Example)
		return Clause{}, false
	case searchIsOpByte(p.q[p.pos]):
		for p.pos < len(p.q) && searchIsOpByte(p.q[p.pos]) {
			p.pos++
		}
		tok := p.q[opAt:p.pos]
		o, ok := searchOps[tok]
		if !ok {
			if hint, ok := searchOpHints[tok]; ok {
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
		p.errorf(opAt, "operator %s is not allowed for %s; use %s", op, name, searchOpList(f.Ops))
		return Clause{}, false
	}
	c := Clause{Field: name, Op: op, Pos: start + 1}
	var raws []searchRaw
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
		raws = []searchRaw{v}
	}
	ok := true
	seen := make(map[string]bool, len(raws))
	for _, r := range raws {
		v, msg := searchNormalise(f, r.text)
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

// searchRaw is a value as typed, unquoted, with its byte offset.
type searchRaw struct {
	text string
	at   int
}

// list reads `[v, v, ...]` at p.pos.
func (p *searchParser) list(name string, op Op, f *Field) ([]searchRaw, bool) {
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
	var out []searchRaw
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
		if len(out) == MaxSearchListValues {
			p.errorf(v.at, "more than %d values in the list", MaxSearchListValues)
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
func (p *searchParser) value(inList bool) (searchRaw, bool) {
	start := p.pos
	if p.q[p.pos] == '"' {
		var b strings.Builder
		msg, msgAt := "", 0
		p.pos++
		for {
			if p.eof() {
				p.errorf(start, "unterminated quoted string: missing \"")
				return searchRaw{}, false
			}
			r, n := utf8.DecodeRuneInString(p.q[p.pos:])
			switch {
			case r == '"':
				p.pos++
				if msg != "" {
					p.errorf(msgAt, "%s", msg)
					return searchRaw{}, false
				}
				if !p.eof() && !p.atSpace() && !(inList && (p.q[p.pos] == ',' || p.q[p.pos] == ']')) {
					p.errorf(p.pos, "expected a space after the quoted value, found %q", p.token())
					return searchRaw{}, false
				}
				return searchRaw{text: b.String(), at: start}, true
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
	if searchIsOpByte(p.q[p.pos]) {
		p.errorf(start, "a value cannot start with %q; quote it", p.q[p.pos])
		return searchRaw{}, false
	}
	for p.pos < len(p.q) {
		r, n := utf8.DecodeRuneInString(p.q[p.pos:])
		if unicode.IsSpace(r) || inList && (r == ',' || r == ']') {
			break
		}
		switch {
		case r == ',':
			p.errorf(p.pos, "unexpected \",\"; for several values use in [a,b], or quote the value")
			return searchRaw{}, false
		case searchIsSpecial(r):
			p.errorf(p.pos, "unexpected %q in value; quote the value", r)
			return searchRaw{}, false
		case unicode.IsControl(r):
			p.errorf(p.pos, "control character %q in value", r)
			return searchRaw{}, false
		}
		p.pos += n
	}
	if p.pos == start {
		p.errorf(start, "missing value")
		return searchRaw{}, false
	}
	return searchRaw{text: p.q[start:p.pos], at: start}, true
}

// searchNormalise validates v for field f and returns its canonical form, or a message.
func searchNormalise(f *Field, v string) (string, string) {
	show := v
	if len(show) > 40 {
		show = show[:40] + "…"
	}
	switch f.Type {
	case FieldTypeEnum:
		for _, e := range f.Enum {
			if strings.EqualFold(v, e) {
				return e, ""
			}
		}
		if len(f.Enum) <= 8 {
			return "", fmt.Sprintf("unknown %s %q; use one of %s", f.Name, show, strings.Join(f.Enum, ", "))
		}
		if s := searchClosest(strings.ToUpper(v), f.Enum, 1); s != "" {
			return "", fmt.Sprintf("unknown %s %q; did you mean %q?", f.Name, show, s)
		}
		return "", fmt.Sprintf("unknown %s %q; use one of %s", f.Name, show, strings.Join(f.Enum, ", "))
	case FieldTypeInt:
		digits, msg := searchDigits(f, v, false)
		if msg != "" {
			return "", msg
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return "", fmt.Sprintf("%s: %q is too large", f.Name, show)
		}
		return strconv.FormatInt(n, 10), ""
	case FieldTypeDecimal:
		if _, msg := searchDigits(f, v, true); msg != "" {
			return "", msg
		}
		d, err := decimal.NewFromString(v)
		if err != nil {
			return "", fmt.Sprintf("%s: %q is not a number", f.Name, show)
		}
		return d.String(), ""
	case FieldTypeDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil || len(v) != len(time.DateOnly) {
			return "", fmt.Sprintf("%s: %q is not a date; use YYYY-MM-DD, e.g. 2026-12-01", f.Name, show)
		}
		if t.Year() < 1970 {
			return "", fmt.Sprintf("%s: %q is before 1970", f.Name, show)
		}
		return t.Format(time.DateOnly), ""
	case FieldTypeBool:
		switch strings.ToLower(v) {
		case "true":
			return "true", ""
		case "false":
			return "false", ""
		}
		return "", fmt.Sprintf("%s: %q is not a bool; use true or false", f.Name, show)
	}
	switch f.Format {
	case FieldFormatSlug:
		l := searchASCIILower(v)
		if !searchIsSlug(l) {
			return "", fmt.Sprintf("%s: %q is not a code; use lowercase letters, digits and -, e.g. %s", f.Name, show, searchSlugExamples[f.Name])
		}
		return l, ""
	case FieldFormatCountry:
		u := strings.ToUpper(v)
		if len(u) != 2 || u[0] < 'A' || u[0] > 'Z' || u[1] < 'A' || u[1] > 'Z' {
			return "", fmt.Sprintf("%s: %q is not an ISO 3166-1 alpha-2 country code, e.g. CN or DE", f.Name, show)
		}
		return u, ""
	case FieldFormatID:
		if !searchIsID(v) {
			return "", fmt.Sprintf("%s: %q is not an id (letters, digits, - and _, at most 64)", f.Name, show)
		}
		return v, ""
	case FieldFormatText:
		if v == "" {
			return "", fmt.Sprintf("%s: empty text", f.Name)
		}
		if len(v) > MaxSearchTextLen {
			return "", fmt.Sprintf("%s: text is %d bytes long; the limit is %d", f.Name, len(v), MaxSearchTextLen)
		}
		return v, ""
	}
	return "", fmt.Sprintf("%s: unsupported field type", f.Name)
}

// searchDigits checks a non-negative number without sign, exponent or leading/trailing dot.
func searchDigits(f *Field, v string, frac bool) (string, string) {
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
	if intPart == "" || !searchAllDigits(intPart) || dot && (!frac || fracPart == "" || !searchAllDigits(fracPart)) {
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

func searchAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func searchASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// searchIsSlug: 1–64 of a-z 0-9 - _ . starting and ending with a letter or digit.
func searchIsSlug(s string) bool {
	if len(s) == 0 || len(s) > 64 {
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

// searchIsID: 1–64 of A-Z a-z 0-9 - _.
func searchIsID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
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

func searchOpList(ops []Op) string {
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// searchUnknownField explains an unknown field name and suggests the closest one.
func searchUnknownField(name string) string {
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
	if searchField(strings.ToLower(name)) != nil {
		return fmt.Sprintf("unknown field %q; did you mean %q? (field names are lower case)", show, strings.ToLower(name))
	}
	for _, op := range []string{"notin", "in"} {
		if base, ok := strings.CutSuffix(name, op); ok && searchField(base) != nil {
			return fmt.Sprintf("unknown field %q; put a space before %s: %s %s [...]", show, op, base, op)
		}
	}
	if hint, ok := searchFieldHints[strings.ToLower(name)]; ok {
		return fmt.Sprintf("unknown field %q; did you mean %q?", show, hint)
	}
	names := make([]string, len(searchCatalogue))
	for i, f := range searchCatalogue {
		names[i] = f.Name
	}
	if s := searchClosest(strings.ToLower(name), names, 2); s != "" {
		return fmt.Sprintf("unknown field %q; did you mean %q?", show, s)
	}
	return fmt.Sprintf("unknown field %q; fields are %s", show, strings.Join(names, ", "))
}

// searchClosest returns the candidate within Levenshtein distance maxD of s (the first on ties).
func searchClosest(s string, candidates []string, maxD int) string {
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

// Sort keys (Sort.Key).
const (
	SortPrice         = "price"          // price per GPU-hour in the query currency
	SortPerPFLOPHour  = "per_pflop_hour" // price per dense-BF16 PFLOP-hour in the query currency
	SortAvailableFrom = "available_from" // first day of availability
	SortGPUs          = "gpus"           // capacity
)

var searchSortKeys = []string{SortPrice, SortPerPFLOPHour, SortAvailableFrom, SortGPUs}

// Sort is the order of search results: by Key, descending when Desc; ties are always broken by
// offer id ascending so that cursors are stable.
type Sort struct {
	Key  string
	Desc bool
}

// SortKeys returns the accepted sort keys, in documentation order.
func SortKeys() []string { return append([]string(nil), searchSortKeys...) }

// String returns the sort as written in ?sort=, e.g. "-price".
func (s Sort) String() string {
	if s.Desc {
		return "-" + s.Key
	}
	return s.Key
}

// ParseSort parses ?sort=: a key, optionally prefixed with - for descending. The empty string
// means price ascending. A failure is an *Error with CodeInvalid naming the field "sort".
func ParseSort(s string) (Sort, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Sort{Key: SortPrice}, nil
	}
	key, desc := strings.CutPrefix(s, "-")
	for _, k := range searchSortKeys {
		if key == k {
			return Sort{Key: k, Desc: desc}, nil
		}
	}
	show := s
	if len(show) > 40 {
		show = show[:40] + "…"
	}
	all := make([]string, 0, 2*len(searchSortKeys))
	for _, k := range searchSortKeys {
		all = append(all, k, "-"+k)
	}
	msg := fmt.Sprintf("unknown sort %q; use one of %s", show, strings.Join(all, ", "))
	if strings.Contains(s, ",") {
		msg = fmt.Sprintf("sort %q: only one sort key is supported; use one of %s", show, strings.Join(all, ", "))
	} else if c := searchClosest(strings.ToLower(key), searchSortKeys, 2); c != "" {
		if desc {
			c = "-" + c
		}
		msg = fmt.Sprintf("unknown sort %q; did you mean %q? (one of %s)", show, c, strings.Join(all, ", "))
	}
	return Sort{}, Invalid("invalid sort", FieldError{Field: "sort", Message: msg})
}

// Cursor is the position after the last offer of a page, for keyset pagination: the next page
// holds the offers that sort strictly after (Value, ID) under Sort. It is bound to the query and
// sort it was issued for. It carries no SQL: Value is the last row's sort value as text (a
// canonical decimal for price and per_pflop_hour, in the query currency; YYYY-MM-DD for
// available_from; an int for gpus; "" when that row had no value, e.g. no known TFLOPS).
type Cursor struct {
	Sort  Sort
	Query string // Search.Fingerprint of the query
	Value string
	ID    string // the last row's offer id, the tie-breaker
}

// NewCursor returns the cursor after the row (value, id) of a page read for s in order sort.
func NewCursor(s Search, sort Sort, value, id string) Cursor {
	return Cursor{Sort: sort, Query: s.Fingerprint(), Value: value, ID: id}
}

type searchCursorJSON struct {
	V  int    `json:"v"`
	S  string `json:"s"`
	Q  string `json:"q"`
	K  string `json:"k"`
	ID string `json:"id"`
}

const searchMaxCursorLen = 1024

// EncodeCursor returns c as an opaque URL-safe token (unpadded base64url).
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(searchCursorJSON{V: 1, S: c.Sort.String(), Q: c.Query, K: c.Value, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a token from EncodeCursor and checks that it was issued for the query s
// and order sort. A failure is an *Error with CodeInvalid naming the field "cursor".
func DecodeCursor(token string, s Search, sort Sort) (Cursor, error) {
	bad := func(msg string) (Cursor, error) {
		return Cursor{}, Invalid("invalid cursor", FieldError{Field: "cursor", Message: msg})
	}
	if len(token) > searchMaxCursorLen {
		return bad("malformed cursor: too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var j searchCursorJSON
	if err := dec.Decode(&j); err != nil || dec.More() || j.V != 1 {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	cs, err := ParseSort(j.S)
	if err != nil || j.S == "" || !searchIsID(j.ID) || len(j.Q) > 64 || !utf8.ValidString(j.K) {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	if cs != sort {
		return bad(fmt.Sprintf("cursor was issued for sort=%s, not sort=%s; drop the cursor to start over", cs, sort))
	}
	if j.Q != s.Fingerprint() {
		return bad("cursor was issued for another query; drop the cursor to start over")
	}
	if j.K != "" && !searchCursorValueOK(cs.Key, j.K) {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	return Cursor{Sort: cs, Query: j.Q, Value: j.K, ID: j.ID}, nil
}

func searchCursorValueOK(key, v string) bool {
	switch key {
	case SortAvailableFrom:
		_, err := time.Parse(time.DateOnly, v)
		return err == nil && len(v) == len(time.DateOnly)
	case SortGPUs:
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	default: // price, per_pflop_hour: a computed decimal, possibly long
		if len(v) > 64 {
			return false
		}
		i, f, dot := strings.Cut(v, ".")
		return i != "" && searchAllDigits(i) && searchAllDigits(f) && (!dot || f != "")
	}
}
