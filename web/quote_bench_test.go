//go:build unix

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"

	"corridor/marketplace/jsonout"
)

const benchQuoteBody = `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`

// BenchmarkQuoteAPI is POST /api/v1/quotes through the whole server (decoding, the quote path
// on a real SQLite file, encoding): 8 H100 GPUs × 100 h hosted in China for a German business.
func BenchmarkQuoteAPI(b *testing.B) {
	app, _, _ := seededApp(b)
	benchOn(b, app, "POST", "/api/v1/quotes", benchQuoteBody, 201)
}

// BenchmarkQuoteAPIScenario is BenchmarkQuoteAPI under the seeded scenario cn-eu-compute-corridor.
func BenchmarkQuoteAPIScenario(b *testing.B) {
	app, _, _ := seededApp(b)
	benchOn(b, app, "POST", "/api/v1/quotes", `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","scenario":"cn-eu-compute-corridor"}`, 201)
}

// BenchmarkQuoteGetAPI is GET /api/v1/quotes/{id} of a stored quote.
func BenchmarkQuoteGetAPI(b *testing.B) {
	app, _, _ := seededApp(b)
	_, _, resp := call(b, app, "POST", "/api/v1/quotes", benchQuoteBody)
	var q quoteResp
	decode(b, resp, &q)
	benchOn(b, app, "GET", "/api/v1/quotes/"+q.ID, "", 200)
}

func benchOn(b *testing.B, app *fiber.App, method, path, body string, want int) {
	benchEach(b, app, method, func(int) (string, string) { return path, body }, want)
}

// benchEach measures the request req(i) gives for the i-th iteration: a different request each
// time measures what the response cache cannot answer.
func benchEach(b *testing.B, app *fiber.App, method string, req func(i int) (path, body string), want int) {
	i := 0
	do := func() {
		path, body := req(i)
		i++
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, path, r)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
		}
	}
	do()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU returns the CPU time (user + system, SQLite's C code included) the test process
// has used so far: on a shared machine wall time mostly measures the neighbours.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkQuoteAnswerEncode encodes the answer to the benchmark quote without its explanation
// (what sendNewQuote encodes per quote; the explanation's encoding is kept): through
// goccy/go-json's reflection, as before, and by hand (quote_json.go), side by side in one run.
func BenchmarkQuoteAnswerEncode(b *testing.B) {
	_, svc, _ := seededApp(b)
	var req quoteRequestJSON
	if err := json.Unmarshal([]byte(benchQuoteBody), &req); err != nil {
		b.Fatal(err)
	}
	qr, err := req.toDomain()
	if err != nil {
		b.Fatal(err)
	}
	pq, err := svc.Quote(context.Background(), qr)
	if err != nil {
		b.Fatal(err)
	}
	q := toQuoteJSONWithoutTrail(pq, pq.Accelerator, testClock)
	b.Run("goccy", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := gojson.NewEncoder(&buf).Encode(q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "answer-B")
	})
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		var w jsonout.Writer
		for b.Loop() {
			w = jsonout.Writer{B: w.B[:0]}
			q.appendJSON(&w)
		}
		b.ReportMetric(float64(len(w.B)), "answer-B")
	})
}
