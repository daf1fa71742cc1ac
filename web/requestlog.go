package web

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// The access log: one line per request (Options.AccessLog). Written through slog, a line was
// 7% of the server's CPU for a search answered from the response cache — a slog.Record of
// nine attributes, the JSON handler's generic walk over them, and a float through
// json.Marshal — so the server writes its JSON lines itself (JSONRequestLog), byte for byte
// what slog's JSON handler writes (TestJSONRequestLogMatchesSlog), and goes through slog only
// for other handlers (text).

// RequestLog writes the access log's lines.
type RequestLog interface {
	logRequest(r *requestLine)
}

// requestLine is one request, as the access log tells it.
type requestLine struct {
	at                  time.Time
	requestID           string
	method, path, route string
	status              int
	elapsed             time.Duration
	bytesIn, bytesOut   int
	client              string
}

// ms is the request's time in milliseconds, to the microsecond.
func (r *requestLine) ms() float64 { return float64(r.elapsed.Microseconds()) / 1000 }

// slogRequestLog writes the lines through a logger: any handler.
type slogRequestLog struct{ log *slog.Logger }

func (l slogRequestLog) logRequest(r *requestLine) {
	h := l.log.Handler()
	if !h.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(r.at, slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("request_id", r.requestID), slog.String("method", r.method), slog.String("path", r.path),
		slog.String("route", r.route), slog.Int("status", r.status), slog.Float64("ms", r.ms()),
		slog.Int("bytes_in", r.bytesIn), slog.Int("bytes_out", r.bytesOut), slog.String("client", r.client))
	_ = h.Handle(context.Background(), rec)
}

// JSONRequestLog writes the access log's lines to w as a logger on slog.NewJSONHandler(w, nil)
// writes them, each in one Write; w may be shared with such a logger (each line is written
// whole, under the log's own lock).
func JSONRequestLog(w io.Writer) RequestLog { return &jsonRequestLog{w: w} }

type jsonRequestLog struct {
	mu sync.Mutex
	w  io.Writer
}

var requestLineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (l *jsonRequestLog) logRequest(r *requestLine) {
	bp := requestLineBufs.Get().(*[]byte)
	b := appendRequestLine((*bp)[:0], r)
	l.mu.Lock()
	_, _ = l.w.Write(b)
	l.mu.Unlock()
	*bp = b
	requestLineBufs.Put(bp)
}

// appendRequestLine appends r's line as slog's JSON handler writes it.
func appendRequestLine(b []byte, r *requestLine) []byte {
	b = append(b, `{"time":"`...)
	b = r.at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","request_id":`...)
	b = appendLogString(b, r.requestID)
	b = append(b, `,"method":`...)
	b = appendLogString(b, r.method)
	b = append(b, `,"path":`...)
	b = appendLogString(b, r.path)
	b = append(b, `,"route":`...)
	b = appendLogString(b, r.route)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.status), 10)
	b = append(b, `,"ms":`...)
	// What json.Marshal writes for a float64 of at least 1e-6 and below 1e21, as every
	// duration here is (or zero): the shortest decimal form.
	b = strconv.AppendFloat(b, r.ms(), 'f', -1, 64)
	b = append(b, `,"bytes_in":`...)
	b = strconv.AppendInt(b, int64(r.bytesIn), 10)
	b = append(b, `,"bytes_out":`...)
	b = strconv.AppendInt(b, int64(r.bytesOut), 10)
	b = append(b, `,"client":`...)
	b = appendLogString(b, r.client)
	return append(b, "}\n"...)
}

// appendLogString appends s quoted as slog's JSON handler quotes a string: ", \ and control
// characters escaped (\n, \r, \t by name, the others as \u00XX), invalid UTF-8 as \ufffd, and
// U+2028 and U+2029 escaped; <, > and & as they are.
func appendLogString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hex[c&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
