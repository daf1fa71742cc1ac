package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
	"corridor/tariff"
)

// onlyQueryParams rejects query parameters the endpoint does not know, so a typo in a filter
// is an error rather than a silently ignored filter (a common complaint about GPU marketplaces).
func onlyQueryParams(c *fiber.Ctx, allowed ...string) error {
	var bad []marketplace.FieldError
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		key := string(k)
		for _, a := range allowed {
			if a == key {
				return
			}
		}
		bad = append(bad, marketplace.FieldError{Field: key, Message: "unknown query parameter"})
	})
	if len(bad) > 0 {
		return marketplace.Invalid("unknown query parameter", bad...)
	}
	return nil
}

// quoteShort quotes user input for an error message, cut to a readable length.
func quoteShort(s string) string { return strconv.Quote(tariff.Shorten(s, 40)) }

// decodeStrict decodes a JSON body into v: the body must be one JSON object in UTF-8 sent as
// application/json; unknown fields, trailing data, wrong types, malformed JSON, control
// characters and over-long strings are errors that name the offending field. The checks run
// here, before anything reaches the domain or a database, so both databases refuse the same
// input the same way.
func decodeStrict(c *fiber.Ctx, v any) error {
	if err := checkJSONContentType(c); err != nil {
		return err
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return marketplace.Invalid("empty body", marketplace.FieldError{Field: "body", Message: "a JSON object is required"})
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			if fe, ok := unknownMember(body, reflect.TypeOf(v), ""); ok {
				return marketplace.Invalid("unknown field", fe)
			}
		}
		return jsonError(err)
	}
	if dec.More() {
		return marketplace.Invalid("trailing data after the JSON object", marketplace.FieldError{Field: "body", Message: "must hold exactly one JSON object"})
	}
	return nil
}

// checkJSONContentType accepts a missing Content-Type or exactly application/json (with
// charset=utf-8 at most): look-alikes such as application/jsonx or application/json-seq are
// refused rather than guessed at.
func checkJSONContentType(c *fiber.Ctx) error {
	ct := string(c.Request().Header.ContentType())
	if ct == "" || ct == fiber.MIMEApplicationJSON { // most requests: no parsing
		return nil
	}
	bad := func(msg string) error {
		return marketplace.Invalid("unsupported content type "+quoteShort(ct), marketplace.FieldError{Field: "Content-Type", Message: msg})
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return bad("must be application/json")
	}
	for k, val := range params {
		if k != "charset" || !strings.EqualFold(val, "utf-8") {
			return bad("application/json is always UTF-8: drop the " + k + " parameter or set charset=utf-8")
		}
	}
	return nil
}

// Limits on every JSON string of a request, by member name: anything longer than
// maxJSONString characters is refused at decoding unless the member is listed here.
const maxJSONString = 256

// longTextMembers are the members whose strings may be longer than maxJSONString, with their
// limit in characters, and may hold line breaks and tabs.
var longTextMembers = map[string]int{"note": marketplace.MaxOfferNote}

// plainJSONText reports whether body is a JSON object that checkJSONText's walk could only
// accept, without walking it: valid JSON starting with '{', every byte printable ASCII (or
// JSON whitespace, which is refused inside strings), no backslash (so no escape can hide a
// control character) and no string longer than maxJSONString. Walking a quote request's
// tokens with encoding/json cost 15 µs, scanning it well under one; anything else — a long
// note, an escape, non-ASCII text, an error to report — takes the walk. FuzzPlainJSONText
// holds that the walk accepts whatever this accepts.
func plainJSONText(body []byte) bool {
	inString, run, opened := false, 0, false
	for _, c := range body {
		switch {
		case c == '"':
			inString, run = !inString, 0
		case c == '\\' || c > 0x7e || c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			return false
		case inString:
			if run++; run > maxJSONString {
				return false
			}
		case !opened && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			if c != '{' {
				return false
			}
			opened = true
		}
	}
	return opened && json.Valid(body)
}

// checkJSONText walks the body's tokens once and refuses, naming the member: a body that is
// not a JSON object, invalid UTF-8, control and bidirectional characters in any string
// (marketplace.TextProblem) and strings longer than their member's limit.
func checkJSONText(body []byte) error {
	if plainJSONText(body) {
		return nil
	}
	return walkJSONText(body)
}

// walkJSONText is checkJSONText's walk of the tokens.
func walkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return marketplace.Invalid("body is not UTF-8", marketplace.FieldError{Field: "body", Message: "must be UTF-8 encoded JSON"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if tok != json.Delim('{') {
		return marketplace.Invalid("body is not a JSON object", marketplace.FieldError{Field: "body", Message: fmt.Sprintf("must be a JSON object, not %s", jsonKind(tok))})
	}
	// stack holds one frame per open object or array from the root down: an object's current
	// member name (and whether a name comes next), an array's current index. An array frame
	// carries its member's name too, for the limits of its strings.
	type frame struct {
		name      string
		array     bool
		index     int
		expectKey bool
	}
	stack := []frame{{expectKey: true}}
	path := func(frames []frame) string {
		var b strings.Builder
		for i, f := range frames {
			switch {
			case f.array:
				fmt.Fprintf(&b, "[%d]", f.index)
			case i > 0:
				b.WriteString("." + f.name)
			default:
				b.WriteString(f.name)
			}
		}
		return b.String()
	}
	for len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		top := &stack[len(stack)-1]
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, frame{name: top.name, array: t == '[', expectKey: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1] // '}' or ']'
		case string:
			if !top.array && top.expectKey {
				if msg := marketplace.TextProblem(t, false); msg != "" || len(t) > maxJSONString {
					return marketplace.Invalid("bad member name", marketplace.FieldError{Field: cmp.Or(path(stack[:len(stack)-1]), "body"),
						Message: "a member name " + cmp.Or(msg, "is too long")})
				}
				top.name, top.expectKey = t, false
				continue
			}
			limit, long := longTextMembers[top.name]
			if !long {
				limit = maxJSONString
			}
			if msg := marketplace.TextProblem(t, long); msg != "" {
				return marketplace.Invalid("invalid text", marketplace.FieldError{Field: path(stack), Message: msg})
			}
			if n := utf8.RuneCountInString(t); n > limit {
				return marketplace.Invalid("value too long", marketplace.FieldError{Field: path(stack), Message: fmt.Sprintf("is %d characters long; the limit is %d", n, limit)})
			}
		}
		// A value is done: its object expects a member name next, its array the next item.
		if len(stack) > 0 {
			if top := &stack[len(stack)-1]; top.array {
				top.index++
			} else {
				top.expectKey = true
			}
		}
	}
	return nil
}

// jsonKind names a JSON token for an error message.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case json.Delim:
		return "an array"
	}
	return "another value"
}

// jsonError turns encoding/json's errors into field errors.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var synErr *json.SyntaxError
	var fieldErr *fieldValueError
	switch {
	case errors.As(err, &fieldErr):
		return marketplace.Invalid("invalid field", marketplace.FieldError{Field: fieldErr.field, Message: fieldErr.msg})
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		msg := "must be " + jsonTypeName(typeErr.Type.String()) + ", not a JSON " + typeErr.Value
		return marketplace.Invalid("wrong type", marketplace.FieldError{Field: field, Message: msg})
	case errors.As(err, &synErr):
		return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: fmt.Sprintf("malformed JSON at byte %d: %v", synErr.Offset, synErr)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return marketplace.Invalid("unknown field", marketplace.FieldError{Field: name, Message: "unknown field"})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: "the JSON ends too early"})
	}
	return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: err.Error()})
}

func jsonTypeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case goType == "string", strings.HasSuffix(goType, "Decimal"), strings.HasSuffix(goType, "decString"):
		return "a JSON string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// fieldValueError is returned by custom UnmarshalJSON methods to name the field they decode.
type fieldValueError struct{ field, msg string }

func (e *fieldValueError) Error() string { return e.field + ": " + e.msg }

// decString is a decimal that must arrive as a JSON string ("2.50"): a JSON number would have
// passed through a float somewhere in the caller's stack, so it is refused.
type decString struct {
	decimal.Decimal
	set bool
}

// UnmarshalJSON accepts only a JSON string holding a decimal.
func (d *decString) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		return &json.UnmarshalTypeError{Value: "number", Type: reflect.TypeOf(d).Elem()}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := decimal.NewFromString(s)
	if err != nil || len(s) > 40 {
		return &json.UnmarshalTypeError{Value: "string " + quoteShort(s), Type: reflect.TypeOf(d).Elem()}
	}
	d.Decimal, d.set = v, true
	return nil
}

// unknownMember finds the first member of the JSON value raw that the Go type t does not know
// (as encoding/json matches names: ignoring case), in document order, and words it with its
// path and the closest known member ("buyer.contry": unknown field; did you mean "country"?),
// or the members known there when none is close: the same help the search language gives.
func unknownMember(raw []byte, t reflect.Type, path string) (marketplace.FieldError, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return marketplace.FieldError{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	switch t.Kind() {
	case reflect.Struct:
		fields := jsonMembers(t)
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return marketplace.FieldError{}, false
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return marketplace.FieldError{}, false
			}
			key, _ := tok.(string)
			var val json.RawMessage
			if err := dec.Decode(&val); err != nil {
				return marketplace.FieldError{}, false
			}
			ft, known := memberType(fields, key)
			if !known {
				return marketplace.FieldError{Field: joinPath(path, key), Message: unknownMemberMessage(key, fields)}, true
			}
			if fe, ok := unknownMember(val, ft, joinPath(path, key)); ok {
				return fe, true
			}
		}
	case reflect.Slice, reflect.Array:
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return marketplace.FieldError{}, false
		}
		for i := 0; dec.More(); i++ {
			var val json.RawMessage
			if err := dec.Decode(&val); err != nil {
				return marketplace.FieldError{}, false
			}
			if fe, ok := unknownMember(val, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); ok {
				return fe, true
			}
		}
	}
	return marketplace.FieldError{}, false
}

// jsonMembers lists the JSON member names of a struct type (embedded structs' included) with
// their types, in declaration order.
func jsonMembers(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			out = append(out, jsonMembers(f.Type)...)
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		f.Name = name
		out = append(out, f)
	}
	return out
}

// memberType is the type of the member key, matched as encoding/json matches it.
func memberType(fields []reflect.StructField, key string) (reflect.Type, bool) {
	for _, f := range fields {
		if strings.EqualFold(f.Name, key) {
			return f.Type, true
		}
	}
	return nil, false
}

// unknownMemberMessage suggests the known member closest to key (a typo), or lists them all.
func unknownMemberMessage(key string, fields []reflect.StructField) string {
	best, bestD := "", len(key)/2+2
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
		if d := tariff.EditDistance(strings.ToLower(key), f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown field; did you mean %q?", best)
	}
	if len(names) == 0 {
		return "unknown field: this object takes no members"
	}
	return "unknown field; the members here are " + strings.Join(names, ", ")
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
