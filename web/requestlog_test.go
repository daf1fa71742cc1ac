package web

import (
	"bytes"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// slogLine is what a logger on slog.NewJSONHandler writes for r.
func slogLine(r *requestLine) string {
	var buf bytes.Buffer
	slogRequestLog{slog.New(slog.NewJSONHandler(&buf, nil))}.logRequest(r)
	return buf.String()
}

// jsonLine is what JSONRequestLog writes for r.
func jsonLine(r *requestLine) string {
	var buf bytes.Buffer
	JSONRequestLog(&buf).logRequest(r)
	return buf.String()
}

// TestJSONRequestLogMatchesSlog: for requests of every kind — paths and ids with quotes,
// backslashes, control characters, invalid UTF-8, U+2028 and Chinese, times from zero to hours,
// in other time zones — JSONRequestLog writes byte for byte the line slog's JSON handler writes.
func TestJSONRequestLogMatchesSlog(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 15))
	pieces := []string{"a", "/api/v1/offers", "?q=", `"`, `\`, "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "<", ">", "&",
		"\u2028", "\u2029", "华", "\xff", "\xe2\x80", " ", "é", "%20", "{}", "\u00a0"}
	str := func() string {
		var b strings.Builder
		for range r.IntN(10) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	zones := []*time.Location{time.UTC, time.FixedZone("CST", 8*3600), time.FixedZone("", -90*60)}
	durations := []time.Duration{0, time.Microsecond, 999 * time.Microsecond, time.Millisecond, 1234567 * time.Microsecond, 3 * time.Hour,
		time.Nanosecond * 1500} // sub-microsecond: 0.001 ms
	for i := range 2000 {
		line := &requestLine{
			at:        time.Unix(1_780_000_000+int64(r.IntN(1e8)), int64(r.IntN(1e9))).In(zones[r.IntN(len(zones))]),
			requestID: str(), method: str(), path: str(), route: str(), status: 100 + r.IntN(500),
			elapsed: durations[r.IntN(len(durations))] + time.Duration(r.IntN(3))*time.Duration(r.Int64N(int64(time.Second))),
			bytesIn: r.IntN(1 << 20), bytesOut: r.IntN(1 << 24), client: str(),
		}
		if want, got := slogLine(line), jsonLine(line); got != want {
			t.Fatalf("line %d:\n got %q\nwant %q", i, got, want)
		}
	}
}

// FuzzRequestLogString: any string is quoted as slog's JSON handler quotes it.
func FuzzRequestLogString(f *testing.F) {
	for _, s := range []string{"", "/api/v1/quotes", `a"b\c`, "\x00\x1f\x7f", "\xff\xfe", "\u2028\u2029", "华语", "<&>"} {
		f.Add(s)
	}
	at := time.Date(2026, 12, 2, 1, 2, 3, 4, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		line := &requestLine{at: at, requestID: s, method: "GET", path: s, route: "/", status: 200, client: s}
		if want, got := slogLine(line), jsonLine(line); got != want {
			t.Fatalf("%q:\n got %q\nwant %q", s, got, want)
		}
	})
}
