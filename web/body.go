package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"corridor/marketplace"
)

// decimalFields are the JSON members that carry decimals as strings; a JSON number there gets
// a message that says how to write it.
var decimalFields = map[string]bool{"price": true, "min_gpu_hours": true, "discount": true}

// decodeBody decodes the JSON request body into v strictly: the body must be one JSON object,
// unknown members are an error naming them, and type errors name the member. Every failure is
// a CodeInvalid *marketplace.Error (400).
func decodeBody(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != "" && ct != fiber.MIMEApplicationJSON && !strings.HasSuffix(ct, "+json") {
		return marketplace.Invalid("unsupported content type", marketplace.FieldError{Field: "Content-Type", Message: "must be application/json, not " + quoteShort(ct)})
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return marketplace.Invalid("missing body", marketplace.FieldError{Field: "body", Message: "a JSON object is required"})
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: "must hold exactly one JSON object; found data after it"})
	}
	return nil
}

// jsonError turns an encoding/json error into a field error.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: "malformed JSON: unexpected end of the body"})
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return marketplace.Invalid("wrong JSON type", marketplace.FieldError{Field: "body", Message: "must be a JSON object"})
		}
		leaf := field[strings.LastIndex(field, ".")+1:]
		msg := "must be " + kindName(te.Type.Kind().String())
		if decimalFields[leaf] {
			msg = `must be a decimal string like "2.50"`
		}
		return marketplace.Invalid("wrong JSON type", marketplace.FieldError{Field: field, Message: msg + ", not " + te.Value})
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return marketplace.Invalid("unknown field", marketplace.FieldError{Field: strings.Trim(name, `"`), Message: "unknown field; see the OpenAPI document for the accepted members"})
	}
	return marketplace.Invalid("malformed JSON", marketplace.FieldError{Field: "body", Message: err.Error()})
}

func kindName(k string) string {
	switch k {
	case "int", "int64", "int32":
		return "a whole number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}
