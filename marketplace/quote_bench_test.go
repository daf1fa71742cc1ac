//go:build unix

package marketplace_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/seed"
)

// benchClock is the instant the quote benchmarks price at (the seeded FX carry-forward row is
// Friday 2026-11-27).
var benchClock = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// seededDB writes a seeded SQLite database (reference data, demo market, policy library) to a
// temp file and returns its path, closed, so that its size can be measured.
func seededDB(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "corridor.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := seed.Into(ctx, marketplace.NewService(st, func() time.Time { return benchClock }), true); err != nil {
		b.Fatal(err)
	}
	st.Close()
	return path
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// benchServiceQuote runs the whole quote path b.N times (validate, resolve, price, store) on a
// real SQLite file and reports the database growth per stored quote ("disk-B/quote", measured
// after closing the store, which checkpoints the WAL into the file).
func benchServiceQuote(b *testing.B, scenario string) {
	ctx := context.Background()
	path := seededDB(b)
	before := fileSize(path)
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	svc := marketplace.NewService(st, func() time.Time { return benchClock })
	req := benchRequest(scenario)
	if _, err := quoteOnce(ctx, svc, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	n := 0
	for b.Loop() {
		if _, err := quoteOnce(ctx, svc, req); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu0)/float64(n), "cpu-ns/op")
	st.Close()
	if n > 0 {
		b.ReportMetric(float64(fileSize(path)-before)/float64(n+1), "disk-B/quote")
	}
}

// BenchmarkServiceQuote is one quote for 8 H100 GPUs × 100 h hosted in China for a German
// business, priced under the seeded baseline policy, end to end on SQLite.
func BenchmarkServiceQuote(b *testing.B) { benchServiceQuote(b, "") }

// BenchmarkServiceQuoteScenario is BenchmarkServiceQuote under the seeded scenario
// cn-eu-compute-corridor (an overlay with levies and a tariff quota).
func BenchmarkServiceQuoteScenario(b *testing.B) { benchServiceQuote(b, "cn-eu-compute-corridor") }

// processCPU returns the CPU time (user + system, SQLite's C code included) the test process
// has used so far: on a shared machine wall time mostly measures the neighbours.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
