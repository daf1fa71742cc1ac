// Command harness measures Corridor over HTTP the way a buyer's traffic meets it, side by side
// with a Fiber v2 hello-world measured in the same run.
//
//	go run ./bench/harness                                   # 1k, 10k and 100k offers, 5 s per endpoint
//	go run ./bench/harness -offers 1000 -duration 2s         # a quick look
//	go run ./bench/harness -db postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// For each market size it creates a fresh database, loads the seed's reference data (every
// region, accelerator, FX rate and policy) and a synthetic market of N offers (seed.
// SyntheticMarket: all regions and accelerators, the three listing currencies, twelve
// suppliers) in batches through the store, then for every endpoint starts the real server —
// the `corridor serve` binary built from this checkout, as a subprocess — and drives it with
// C keep-alive connections for the given duration. It prints, per endpoint, requests per
// second, the hello-world's rate divided by the endpoint's, p50 and p99 latency and the
// server's peak resident memory under that load, then how each figure grows from the smallest
// market to the largest.
//
// The server runs as a subprocess, not in this process, so that its memory is measured alone
// (the load generator's buffers and garbage are not in it), its Go runtime does not share a
// scheduler or a garbage collector with the load generator, and what is measured is exactly
// the binary users run. It is restarted for every endpoint, so each endpoint's memory figure
// is its own, not the leftovers of the previous one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

// options are the harness's flags.
type options struct {
	sizes     []int
	duration  time.Duration
	warmup    time.Duration
	conns     int
	db        string // "" = a fresh SQLite file per size; else a postgres:// URL (a fresh schema per size)
	corridor  string // prebuilt corridor binary; "" = build one from this checkout
	endpoints []string
	timeout   time.Duration
	keep      bool
	pair      bool // measure the hello-world again beside every endpoint
	seed      uint64
	floorWork []time.Duration // the quote floor measured again with each of these works (floor.go)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	sizes := fs.String("offers", "1000,10000,100000", "market sizes to measure, comma-separated")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured load per endpoint")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each measurement")
	fs.IntVar(&o.conns, "c", 64, "concurrent connections")
	fs.StringVar(&o.db, "db", "", "database: empty for a fresh SQLite file per size, or a postgres:// URL (a fresh schema per size, dropped afterwards)")
	fs.StringVar(&o.corridor, "corridor", "", "corridor binary to run (default: go build ./cmd/corridor from this checkout)")
	only := fs.String("endpoints", "", "measure only these endpoints, comma-separated (default all: "+strings.Join(endpointNames(), ",")+")")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "per-request timeout; a request that takes longer counts as an error")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (databases, server logs)")
	fs.BoolVar(&o.pair, "pair", true, "measure the hello-world again just before each endpoint and take its ratio against that (false: against the size's first hello-world only)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the synthetic market")
	hello := fs.String("hello", "", "internal: serve the Fiber hello-world on this address")
	floor := fs.String("floor", "", "internal: serve the quote floor (floor.go) on this address")
	answerFloor := fs.String("answer-floor", "", "internal: serve the search floor (floor.go) on this address")
	floorDir := fs.String("floor-dir", "", "internal: the quote floor's database directory")
	floorAnswer := fs.Int("floor-answer", benchQuoteSizes.answer, "internal: the quote or search floor's answer, bytes")
	floorRecord := fs.Int("floor-record", benchQuoteSizes.record, "internal: the quote floor's record, bytes")
	floorWorkOne := fs.Duration("floor-work-one", 0, "internal: the quote floor's work per quote")
	floorWork := fs.String("floor-work", "", "measure the quote floor again with each of these CPU times spent per quote, comma-separated (e.g. 50us,100us): the p99 a quote of that cost can have on this machine (with the quote-floor endpoint)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *hello != "" {
		return serveHello(ctx, *hello)
	}
	if *floor != "" {
		return serveFloor(ctx, *floor, *floorDir, floorSizes{answer: *floorAnswer, record: *floorRecord, work: *floorWorkOne})
	}
	if *answerFloor != "" {
		return serveAnswerFloor(ctx, *answerFloor, *floorAnswer)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-offers: %q is not a positive number", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if *floorWork != "" {
		for _, s := range strings.Split(*floorWork, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil || d <= 0 {
				return fmt.Errorf("-floor-work: %q is not a positive duration (like 50us)", s)
			}
			o.floorWork = append(o.floorWork, d)
		}
	}
	if o.conns < 1 || o.duration <= 0 {
		return errors.New("-c and -duration must be positive")
	}
	o.endpoints = endpointNames()
	if *only != "" {
		o.endpoints = nil
		for _, e := range strings.Split(*only, ",") {
			e = strings.TrimSpace(e)
			if e == "hello" {
				continue // always measured first
			}
			if _, ok := endpointByName(e); !ok {
				return fmt.Errorf("-endpoints: unknown endpoint %q (one of %s)", e, strings.Join(endpointNames(), ", "))
			}
			o.endpoints = append(o.endpoints, e)
		}
	}
	if len(o.floorWork) > 0 && !slices.Contains(o.endpoints, "quote-floor") {
		return errors.New("-floor-work measures the quote floor again: add quote-floor to -endpoints")
	}
	return measureAll(ctx, o, stdout, stderr)
}
