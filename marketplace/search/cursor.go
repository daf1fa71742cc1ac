package search

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cursor is the position after the last offer of a page, for keyset pagination: the next page
// holds the offers that sort strictly after (Value, ID) under Sort. It is bound to the query and
// sort it was issued for. It carries no SQL: Value is the last row's sort value as text (a
// canonical decimal for price and per_pflop_hour, in the query currency; YYYY-MM-DD for
// available_from; an int for gpus; "" when that row had no value, e.g. no known TFLOPS).
type Cursor struct {
	Sort  Sort
	Query string // Query.Fingerprint of the query
	Value string
	ID    string // the last row's offer id, the tie-breaker
}

// NewCursor returns the cursor after the row (value, id) of a page read for s in order sort.
func NewCursor(s Query, sort Sort, value, id string) Cursor {
	return Cursor{Sort: sort, Query: s.Fingerprint(), Value: value, ID: id}
}

type cursorJSON struct {
	V  int    `json:"v"`
	S  string `json:"s"`
	Q  string `json:"q"`
	K  string `json:"k"`
	ID string `json:"id"`
}

const maxCursorLen = 1024

// EncodeCursor returns c as an opaque URL-safe token (unpadded base64url).
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(cursorJSON{V: 1, S: c.Sort.String(), Q: c.Query, K: c.Value, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a token from EncodeCursor and checks that it was issued for the query s
// and order sort. A failure is an *Error whose Problem names the parameter "cursor".
func DecodeCursor(token string, s Query, sort Sort) (Cursor, error) {
	bad := func(msg string) (Cursor, error) {
		return Cursor{}, invalid("invalid cursor", Problem{Param: "cursor", Message: msg})
	}
	if len(token) > maxCursorLen {
		return bad("malformed cursor: too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var j cursorJSON
	if err := dec.Decode(&j); err != nil || dec.More() || j.V != 1 {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	cs, err := ParseSort(j.S)
	if err != nil || j.S == "" || !IsID(j.ID) || len(j.Q) > 64 || !utf8.ValidString(j.K) {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	if cs != sort {
		return bad(fmt.Sprintf("cursor was issued for sort=%s, not sort=%s; drop the cursor to start over", cs, sort))
	}
	if j.Q != s.Fingerprint() {
		return bad("cursor was issued for another query; drop the cursor to start over")
	}
	if j.K != "" && !cursorValueOK(cs.Key, j.K) {
		return bad("malformed cursor; pass next_cursor back unchanged")
	}
	return Cursor{Sort: cs, Query: j.Q, Value: j.K, ID: j.ID}, nil
}

func cursorValueOK(key, v string) bool {
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
		return i != "" && allDigits(i) && allDigits(f) && (!dot || f != "")
	}
}
