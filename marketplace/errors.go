package marketplace

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a domain error kind. The set only grows; web maps each code to one HTTP status in
// one place.
type Code string

// Error codes.
const (
	CodeInvalid      Code = "invalid"      // 400/422: the request is malformed or a field is wrong
	CodeUnauthorized Code = "unauthorized" // 401: no or bad credentials
	CodeForbidden    Code = "forbidden"    // 403: authenticated, not allowed
	CodeNotFound     Code = "not_found"    // 404 (also for other tenants' objects)
	CodeConflict     Code = "conflict"     // 409: e.g. not enough capacity
	CodeGone         Code = "gone"         // 410: e.g. an expired quote
	CodePrecondition Code = "precondition" // 412: a stale If-Match version
	CodeUnquotable   Code = "unquotable"   // 422: a well-formed request that cannot be quoted
	CodeIdempotency  Code = "idempotency"  // 422: an Idempotency-Key reused with another body
	CodeTooLarge     Code = "too_large"    // 413
	CodeUnavailable  Code = "unavailable"  // 503: the database is down or busy
	CodeInternal     Code = "internal"     // 500: a bug; details are logged, never returned
)

// FieldError names one offending field of a request and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the domain error every layer returns; the web layer renders it as RFC 9457
// problem+json. Message, Fields, Reason and Extra are what the caller is told; Err is the
// underlying cause (a database or parser error, for one), kept for logs and errors.Is/As but
// never shown to the caller.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Reason  string         // machine-readable reason, e.g. a no_quote_reason
	Extra   map[string]any // additional problem members, e.g. {"gpus_available": 3}
	Err     error          // the cause, if any
}

// Error reads "message (field: problem; …): cause".
func (e *Error) Error() string {
	msg := e.Message
	if len(e.Fields) > 0 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error naming the offending fields.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: CodeInvalid, Message: message, Fields: fields}
}

// AsError returns err's *Error (anywhere in its chain) and whether there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrorCode returns the code of err's *Error, or CodeInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
