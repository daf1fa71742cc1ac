package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

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

// decodeStrict decodes a JSON body into v: unknown fields, trailing data, wrong types and
// malformed JSON are errors that name the offending field.
func decodeStrict(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return marketplace.Invalid("empty body", marketplace.FieldError{Field: "body", Message: "a JSON object is required"})
	}
	if ct := string(c.Request().Header.ContentType()); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &marketplace.Error{Code: marketplace.CodeInvalid, Message: "unsupported content type " + quoteShort(ct),
			Fields: []marketplace.FieldError{{Field: "Content-Type", Message: "must be application/json"}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return marketplace.Invalid("trailing data after the JSON object", marketplace.FieldError{Field: "body", Message: "must hold exactly one JSON object"})
	}
	return nil
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
