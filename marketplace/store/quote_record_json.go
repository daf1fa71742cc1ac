package store

import (
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// A quote's record is encoded by hand rather than through reflection: under the bench
// harness's persisted quotes, encoding the record with goccy/go-json (and building it) was a
// tenth of the server's CPU, half of it the decimals' MarshalJSON (math/big formatting, a
// string, then goccy compacting what it returned). appendJSON writes exactly the bytes
// encoding/json.Marshal writes for the same quoteRecord — member order, omitempty, null for
// nil slices and pointers, sorted map keys, HTML-safe string escapes, decimals as quoted
// strings, times in RFC 3339 — so the record types and their tags stay the one definition of
// the stored form, read back with encoding/json. TestQuoteRecordJSONMatchesStandard holds it
// to that for every shape of quote and for random strings, decimals and times.

// recordJSON appends JSON to b; err is the first value that could not be encoded (a time
// outside what RFC 3339 can write, as encoding/json refuses it).
type recordJSON struct {
	b   []byte
	err error
}

// member writes a member's name, with the comma before it unless it opens its object.
func (w *recordJSON) member(name string) {
	if n := len(w.b); n > 0 && w.b[n-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...) // member names are plain ASCII
	w.b = append(w.b, '"', ':')
}

// element writes the comma before an array element unless it opens its array.
func (w *recordJSON) element() {
	if n := len(w.b); n > 0 && w.b[n-1] != '[' {
		w.b = append(w.b, ',')
	}
}

func (w *recordJSON) open(name string) { w.member(name); w.b = append(w.b, '{') }
func (w *recordJSON) close()           { w.b = append(w.b, '}') }

func (w *recordJSON) str(name, s string) { w.member(name); w.b = appendJSONString(w.b, s) }

func (w *recordJSON) strOmit(name, s string) {
	if s != "" {
		w.str(name, s)
	}
}

func (w *recordJSON) int(name string, v int64) { w.member(name); w.b = strconv.AppendInt(w.b, v, 10) }

func (w *recordJSON) intOmit(name string, v int64) {
	if v != 0 {
		w.int(name, v)
	}
}

func (w *recordJSON) boolOmit(name string, v bool) {
	if v {
		w.member(name)
		w.b = append(w.b, "true"...)
	}
}

func (w *recordJSON) dec(name string, d decimal.Decimal) {
	w.member(name)
	w.b = appendJSONDecimal(w.b, d)
}

func (w *recordJSON) nullDec(name string, d decimal.NullDecimal) {
	w.member(name)
	if !d.Valid {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = appendJSONDecimal(w.b, d.Decimal)
}

func (w *recordJSON) time(name string, t time.Time) { w.member(name); w.timeValue(t) }

// timeOmit writes a *time.Time member with omitempty: nothing for nil.
func (w *recordJSON) timeOmit(name string, t *time.Time) {
	if t != nil {
		w.time(name, *t)
	}
}

// timeValue writes t as time.Time.MarshalJSON does (RFC 3339 with nanoseconds), and refuses
// what it refuses, with its checks: a year that is not four digits, a zone offset of 24 hours
// or more.
func (w *recordJSON) timeValue(t time.Time) {
	w.b = append(w.b, '"')
	n0 := len(w.b)
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	b := w.b
	bad := b[n0+len("9999")] != '-'
	if n := len(b); b[n-1] != 'Z' {
		c := b[n-len("Z07:00")]
		bad = bad || ('0' <= c && c <= '9') || 10*(b[n-5]-'0')+(b[n-4]-'0') >= 24
	}
	w.b = append(w.b, '"')
	if bad && w.err == nil {
		w.err = errors.New("json: time " + t.String() + " cannot be written in RFC 3339")
	}
}

// strs writes a []string member without omitempty: null for nil.
func (w *recordJSON) strs(name string, ss []string) {
	w.member(name)
	if ss == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for _, s := range ss {
		w.element()
		w.b = appendJSONString(w.b, s)
	}
	w.b = append(w.b, ']')
}

// strsOmit writes a []string member with omitempty: nothing when empty.
func (w *recordJSON) strsOmit(name string, ss []string) {
	if len(ss) > 0 {
		w.strs(name, ss)
	}
}

// decMapOmit writes a map[string]decimal.Decimal member with omitempty, keys sorted.
func (w *recordJSON) decMapOmit(name string, m map[string]decimal.Decimal) {
	if len(m) == 0 {
		return
	}
	w.open(name)
	for _, k := range sortedKeys(m) {
		w.key(k)
		w.b = appendJSONDecimal(w.b, m[k])
	}
	w.close()
}

// key writes a map key as a member's name: escaped as any string.
func (w *recordJSON) key(name string) {
	if n := len(w.b); n > 0 && w.b[n-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = appendJSONString(w.b, name)
	w.b = append(w.b, ':')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendJSON writes the record.
func (r *quoteRecord) appendJSON(w *recordJSON) {
	w.b = append(w.b, '{')
	w.int("v", int64(r.Version))
	r.Request.appendJSON(w)
	r.Inputs.appendJSON(w)
	r.Result.appendJSON(w)
	if c := r.Cancellation; c != nil {
		w.open("cancellation")
		w.str("kind", c.Kind)
		w.int("notice_hours", int64(c.NoticeHours))
		w.close()
	}
	w.close()
}

func (r *requestRecord) appendJSON(w *recordJSON) {
	w.open("request")
	w.str("offer_id", r.OfferID)
	w.int("gpus", int64(r.GPUs))
	w.int("hours", int64(r.Hours))
	w.intOmit("units", int64(r.Units))
	b := &r.Buyer
	w.open("buyer")
	w.str("country", b.Country)
	w.str("type", b.Type)
	w.strOmit("vat_id", b.VATID)
	w.strOmit("region", b.Region)
	w.strOmit("headquarters", b.Headquarters)
	w.nullDec("vat_recovery", b.VATRecovery)
	w.close()
	w.str("currency", r.Currency)
	w.time("as_of", r.AsOf)
	w.time("start", r.Start)
	w.boolOmit("personal_data", r.PersonalData)
	w.strOmit("scenario", r.Scenario)
	w.strOmit("purpose", r.Purpose)
	w.strOmit("tax_terms", r.TaxTerms)
	w.strOmit("buyer_id", r.BuyerID)
	w.close()
}

func (r *inputsRecord) appendJSON(w *recordJSON) {
	w.open("inputs")
	r.Offer.appendJSON(w)
	p := &r.Request
	w.open("request")
	w.intOmit("gpus", int64(p.GPUs))
	w.intOmit("hours", int64(p.Hours))
	w.intOmit("units", int64(p.Units))
	w.str("buyer_country", p.BuyerCountry)
	w.strOmit("buyer_region", p.BuyerRegion)
	w.str("buyer_type", p.BuyerType)
	w.str("currency", p.Currency)
	w.time("as_of", p.AsOf)
	w.time("start", p.Start)
	w.boolOmit("personal_data", p.PersonalData)
	w.dec("freight", p.Freight)
	w.dec("insurance", p.Insurance)
	w.strOmit("buyer_headquarters", p.BuyerHeadquarters)
	w.strOmit("purpose", p.Purpose)
	w.strOmit("tax_terms", p.TaxTerms)
	w.nullDec("vat_recovery", p.VATRecovery)
	w.close()
	r.Baseline.appendJSON(w, "baseline")
	if r.Scenario != nil {
		r.Scenario.appendJSON(w, "scenario")
	}
	w.open("fx")
	w.time("date", r.FX.Date)
	w.member("rates")
	if r.FX.Rates == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '{')
		for _, cur := range sortedKeys(r.FX.Rates) {
			rt := r.FX.Rates[cur]
			w.key(cur)
			w.b = append(w.b, '{')
			w.dec("per_eur", rt.PerEUR)
			w.time("date", rt.Date)
			w.str("source", rt.Source)
			w.timeOmit("carried_from", rt.CarriedFrom)
			w.close()
		}
		w.close()
	}
	w.close()
	w.decMapOmit("quota", r.Quota)
	w.decMapOmit("subsidy_used", r.SubsidyUsed)
	w.time("now", r.Now)
	w.intOmit("validity_ns", r.ValidityNS)
	w.strOmit("rounding", r.Rounding)
	if len(r.Notices) > 0 {
		appendFlagRecords(w, "notices", r.Notices)
	}
	w.close()
}

func (o *offerTermsRecord) appendJSON(w *recordJSON) {
	w.open("offer")
	w.str("id", o.ID)
	w.str("product", o.Product)
	w.dec("price", o.Price)
	w.str("currency", o.Currency)
	w.strOmit("pricing", o.Pricing)
	w.intOmit("min_hours", int64(o.MinHours))
	w.intOmit("term_months", int64(o.TermMonths))
	if len(o.Tiers) > 0 {
		w.member("tiers")
		w.b = append(w.b, '[')
		for _, t := range o.Tiers {
			w.element()
			w.b = append(w.b, '{')
			w.dec("min_gpu_hours", t.MinGPUHours)
			w.dec("discount", t.Discount)
			w.close()
		}
		w.b = append(w.b, ']')
	}
	w.int("capacity", int64(o.Capacity))
	w.time("available_from", o.AvailableFrom)
	w.time("available_until", o.AvailableUntil)
	w.strOmit("hs_code", o.HSCode)
	w.str("origin", o.Origin)
	w.str("region", o.Region)
	w.str("bloc", o.Bloc)
	w.dec("pue", o.PUE)
	w.dec("grid_kg_per_kwh", o.GridKgPerKWh)
	w.str("accelerator", o.Accelerator)
	w.str("vendor_country", o.VendorCountry)
	w.strOmit("fab_country", o.FabCountry)
	w.dec("tpp", o.TPP)
	w.dec("density", o.Density)
	w.dec("bf16_tflops", o.BF16TFLOPS)
	w.dec("tdp_w", o.TDPW)
	w.strOmit("supplier_country", o.SupplierCountry)
	w.strsOmit("supplier_establishments", o.SupplierEstablishments)
	w.strsOmit("listings", o.Listings)
	w.strOmit("tax_terms", o.TaxTerms)
	o.Provenance.appendJSON(w)
	w.close()
}

func (p *provenanceRecord) appendJSON(w *recordJSON) {
	w.open("provenance")
	w.strOmit("source", p.Source)
	w.strOmit("as_of", p.AsOf)
	w.strOmit("confidence", p.Confidence)
	w.strOmit("note", p.Note)
	w.close()
}

func (r *policyRefRecord) appendJSON(w *recordJSON, name string) {
	w.open(name)
	w.str("id", r.ID)
	w.int("version", int64(r.Version))
	w.str("hash", r.Hash)
	w.close()
}

func (r *resultRecord) appendJSON(w *recordJSON) {
	w.open("result")
	w.time("as_of", r.AsOf)
	w.time("valid_until", r.ValidUntil)
	w.member("lines")
	if r.Lines == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i := range r.Lines {
			w.element()
			r.Lines[i].appendJSON(w)
		}
		w.b = append(w.b, ']')
	}
	w.dec("subtotal", r.Subtotal)
	w.dec("total", r.Total)
	w.dec("net_cost", r.NetCost)
	w.dec("landed_cost", r.LandedCost)
	w.dec("quantity", r.Quantity)
	w.dec("per_gpu_hour", r.PerGPUHour)
	w.dec("per_pflop_hour", r.PerPFLOPHour)
	w.dec("energy_kwh", r.EnergyKWh)
	w.dec("emissions_kg_co2e", r.EmissionsKgCO2e)
	w.member("fx")
	if r.FX == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for _, u := range r.FX {
			w.element()
			w.b = append(w.b, '{')
			w.str("from", u.From)
			w.str("to", u.To)
			w.dec("rate", u.Rate)
			w.time("date", u.Date)
			w.str("source", u.Source)
			w.dec("from_per_eur", u.FromPerEUR)
			w.dec("to_per_eur", u.ToPerEUR)
			w.timeOmit("carried_from", u.CarriedFrom)
			w.close()
		}
		w.b = append(w.b, ']')
	}
	appendFlagRecords(w, "flags", r.Flags)
	w.member("explanation")
	if r.Trail == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = appendJSONString(w.b, *r.Trail)
	}
	w.strOmit("explanation_ref", r.TrailRef)
	w.boolOmit("explanation_noted", r.TrailNoted)
	if len(r.TrailNotes) > 0 {
		w.member("explanation_notes")
		w.b = append(w.b, '[')
		for _, n := range r.TrailNotes {
			w.element()
			w.b = append(w.b, '{')
			w.int("i", int64(n.Index))
			w.str("measure", n.Measure)
			w.boolOmit("applied", n.Applied)
			w.str("reason", n.Reason)
			w.close()
		}
		w.b = append(w.b, ']')
	}
	r.Policy.appendJSON(w, "policy")
	w.str("rounding", r.Rounding)
	w.close()
}

func (l *lineRecord) appendJSON(w *recordJSON) {
	w.b = append(w.b, '{')
	w.str("kind", l.Kind)
	w.str("label", l.Label)
	w.strOmit("label_zh", l.LabelZH)
	w.dec("amount", l.Amount)
	w.str("currency", l.Currency)
	w.strOmit("measure", l.MeasureID)
	w.strOmit("rate", l.Rate)
	w.strOmit("basis", l.Basis)
	w.strOmit("basis_kind", l.BasisKind)
	w.dec("base_amount", l.BaseAmount)
	w.strs("legal_ref", l.LegalRef)
	w.boolOmit("payable", l.Payable)
	w.boolOmit("recoverable", l.Recoverable)
	w.boolOmit("included", l.Included)
	w.strOmit("quota", l.Quota)
	w.dec("quota_volume", l.QuotaVolume)
	w.strOmit("jurisdiction", l.Jurisdiction)
	l.Provenance.appendJSON(w)
	w.close()
}

// appendFlagRecords writes a []flagRecord member without omitempty (null for nil); the
// notices, which have omitempty, are written only when there are some.
func appendFlagRecords(w *recordJSON, name string, fs []flagRecord) {
	w.member(name)
	if fs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i := range fs {
		f := &fs[i]
		w.element()
		w.b = append(w.b, '{')
		w.str("code", f.Code)
		w.str("severity", f.Severity)
		w.str("message", f.Message)
		w.strOmit("measure", f.MeasureID)
		w.strs("legal", f.Legal)
		w.strOmit("source", f.Source)
		w.strOmit("as_of", f.AsOf)
		w.strOmit("confidence", f.Confidence)
		w.strOmit("note", f.Note)
		w.close()
	}
	w.b = append(w.b, ']')
}

// appendJSONDecimal writes d as decimal.Decimal.MarshalJSON does (a quoted String), without
// its allocations for a coefficient of at most 18 digits: the digits from strconv and the
// point placed by the exponent, trailing zeros of the fraction trimmed. Other decimals, and
// any change to the package's formatting switches, take MarshalJSON itself.
func appendJSONDecimal(b []byte, d decimal.Decimal) []byte {
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

// appendJSONString writes s as encoding/json writes a string (its appendString with HTML
// escaping): the short escapes \" \\ \b \f \n \r \t, other control bytes and <, >, & as
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
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
