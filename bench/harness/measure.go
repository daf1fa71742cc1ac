package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// sizeRun is everything measured for one market size.
type sizeRun struct {
	offers  int
	load    time.Duration
	results map[string]result
	startup map[string]time.Duration // server start until healthy, per endpoint run
	loadAvg [2]string                // before and after
	// floor is the size of the quote floor's answers and records: the averages of Corridor's
	// quotes measured just before it, or the benchmark quote's (floor.go)
	floor floorSizes
	// searchAnswer is the search floor's answer: the average of Corridor's typical searches
	// measured just before, or searchAnswerDefault.
	searchAnswer int
	// walRestarts is what the server said of its WAL restarts after the quotes (SQLite only)
	walRestarts *walRestarts
	// beside is, with -pair, the hello-world measured again just before each endpoint: the
	// baseline its ratio is taken against.
	beside map[string]result
}

// baseline is the hello-world endpoint name's ratio is taken against: the one measured just
// before it (-pair), or else the size's first.
func (r sizeRun) baseline(name string) result {
	if b, ok := r.beside[name]; ok {
		return b
	}
	return r.results["hello"]
}

func measureAll(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "corridor-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stderr, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.corridor
	if bin == "" {
		fmt.Fprintln(stderr, "building ./cmd/corridor …")
		if bin, err = buildCorridor(ctx, dir); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, machineNotes(o))
	var runs []sizeRun
	for _, n := range o.sizes {
		r, err := measureSize(ctx, o, bin, dir, n, stderr)
		if err != nil {
			return fmt.Errorf("%d offers: %w", n, err)
		}
		printSize(stdout, r, o)
		runs = append(runs, r)
	}
	if len(runs) > 1 {
		printGrowth(stdout, runs, o)
	}
	return nil
}

func measureSize(ctx context.Context, o options, bin, dir string, n int, stderr io.Writer) (sizeRun, error) {
	run := sizeRun{offers: n, results: map[string]result{}, startup: map[string]time.Duration{}, floor: benchQuoteSizes, searchAnswer: searchAnswerDefault,
		beside: map[string]result{}}
	run.loadAvg[0] = loadAverage()
	dsn := filepath.Join(dir, fmt.Sprintf("market-%d", n), "corridor.db")
	if o.db != "" {
		schemaDSN, drop, err := freshPostgres(o.db)
		if err != nil {
			return run, err
		}
		defer drop()
		dsn = schemaDSN
	}
	fmt.Fprintf(stderr, "%d offers: loading …\n", n)
	t0 := time.Now()
	m, err := loadMarket(ctx, dsn, n, o.seed, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		return run, err
	}
	run.load = time.Since(t0)
	fmt.Fprintf(stderr, "%d offers: loaded in %s\n", n, run.load.Round(time.Millisecond))
	hello, _ := endpointByName("hello")
	// measure starts a server with start, drives mix against it and keeps the result as name's,
	// after measuring the hello-world beside it (-pair).
	measure := func(name string, mix []request, start func(logPath string) (*process, error)) (result, error) {
		if o.pair && name != "hello" {
			// The machine's speed drifts within minutes (the hello-world's rate moved by a
			// quarter between runs a minute apart): the baseline is measured beside each endpoint.
			p, err := startHello(ctx, filepath.Join(dir, fmt.Sprintf("server-%d-hello-before-%s.log", n, name)))
			if err != nil {
				return result{}, err
			}
			fmt.Fprintf(stderr, "%d offers: hello before %s …\n", n, name)
			run.beside[name] = drive(ctx, p.addr, hello.mix(m), o, p.pid())
			p.stop()
			if ctx.Err() != nil {
				return result{}, ctx.Err()
			}
		}
		p, err := start(filepath.Join(dir, fmt.Sprintf("server-%d-%s.log", n, name)))
		if err != nil {
			return result{}, err
		}
		fmt.Fprintf(stderr, "%d offers: %s …\n", n, name)
		res := drive(ctx, p.addr, mix, o, p.pid())
		if name == "quote" && o.db == "" {
			if w, err := readWALRestarts(p.addr); err == nil {
				run.walRestarts = &w
			} else {
				fmt.Fprintf(stderr, "%d offers: quote: WAL restarts not read: %v\n", n, err)
			}
		}
		p.stop()
		if ctx.Err() != nil {
			return result{}, ctx.Err()
		}
		run.results[name], run.startup[name] = res, p.started
		if res.errors > 0 {
			fmt.Fprintf(stderr, "%d offers: %s: %d errors; first: %s\n", n, name, res.errors, res.firstErr)
		}
		return res, nil
	}
	for _, name := range append([]string{"hello"}, o.endpoints...) {
		ep, _ := endpointByName(name)
		res, err := measure(name, ep.mix(m), func(logPath string) (*process, error) {
			switch name {
			case "hello":
				return startHello(ctx, logPath)
			case "quote-floor":
				return startFloor(ctx, dir, logPath, run.floor)
			case "search-floor":
				return startAnswerFloor(ctx, logPath, run.searchAnswer)
			}
			return startCorridor(ctx, bin, dsn, logPath)
		})
		if err != nil {
			return run, err
		}
		if name == "search" && res.requests > 0 {
			run.searchAnswer = int(res.body / int64(res.requests))
		}
		if name == "quote" && res.requests > 0 {
			run.floor.answer, run.floor.measured = int(res.body/int64(res.requests)), "the averages of the quotes Corridor answered and stored just before"
			if rec, err := averageRecord(dsn); err == nil && rec > 0 {
				run.floor.record = rec
			} else {
				run.floor.measured = "the answers' average of the quotes Corridor answered just before; the benchmark quote's record"
			}
		}
		if name != "quote-floor" {
			continue
		}
		for _, work := range o.floorWork { // the floor again, spending work on each quote
			size := run.floor
			size.work = work
			if _, err := measure(floorWorkName(work), ep.mix(m), func(logPath string) (*process, error) {
				return startFloor(ctx, dir, logPath, size)
			}); err != nil {
				return run, err
			}
		}
	}
	run.loadAvg[1] = loadAverage()
	return run, nil
}

func printSize(w io.Writer, r sizeRun, o options) {
	hello := r.results["hello"]
	fmt.Fprintf(w, "\n### %d offers\n\n", r.offers)
	fmt.Fprintf(w, "Loaded in %s. Load average %s before, %s after.\n\n", r.load.Round(100*time.Millisecond), r.loadAvg[0], r.loadAvg[1])
	fmt.Fprintln(w, "| endpoint | req/s | hello beside | hello ÷ endpoint | p50 | p99 | server CPU a request | peak RSS | answer | errors | server start |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	// row prints the result kept as key, labelled label
	row := func(key, label string) {
		res := r.results[key]
		base, ratio := rateText(hello.rate()), "1"
		if key != "hello" {
			b := r.baseline(key)
			base, ratio = rateText(b.rate()), ratioText(b.rate(), res.rate())
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n", label, rateText(res.rate()), base, ratio,
			durText(res.percentile(0.50)), durText(res.percentile(0.99)), cpuText(res), mbText(res.peakRSS), answerText(res), res.errors, durText(r.startup[key]))
	}
	for _, name := range append([]string{"hello"}, o.endpoints...) {
		ep, _ := endpointByName(name)
		row(name, ep.label)
		if name != "quote-floor" {
			continue
		}
		for _, work := range o.floorWork {
			row(floorWorkName(work), fmt.Sprintf("%s, + %d µs of work a quote", ep.label, work.Microseconds()))
		}
	}
	if _, ok := r.results["search-floor"]; ok {
		fmt.Fprintf(w, "\nThe search floor answered %d bytes.\n", r.searchAnswer)
	}
	if wr := r.walRestarts; wr != nil {
		fmt.Fprintf(w, "\n%s\n", wr.text())
	}
	if _, ok := r.results["quote-floor"]; ok {
		fmt.Fprintf(w, "\nThe quote floor answered %d bytes and stored records of %d bytes (%s).\n", r.floor.answer, r.floor.record, r.floor.measured)
		if len(o.floorWork) > 0 {
			fmt.Fprintln(w, "\nThe quote floor \"+ work\" spends that much more CPU on each quote, in a register-only loop calibrated at its start: the p99 a quote costing that much more than the floor can have here (its server CPU a request is the column beside).")
		}
	}
}

// printGrowth shows how each endpoint's cost grows with the market: the rate at the smallest
// size divided by the rate at the largest (1.0 = flat), and the same for p99; then the growth
// of the two figures the machine's speed moves less (its hello-world ran at 34–54k a second
// within one run): the ratio to the hello-world beside, and the server's CPU time a request.
func printGrowth(w io.Writer, runs []sizeRun, o options) {
	first, last := runs[0], runs[len(runs)-1]
	fmt.Fprintf(w, "\n### Growth %d → %d offers\n\n", first.offers, last.offers)
	head := "| endpoint |"
	sep := "|---|"
	for _, r := range runs {
		head += fmt.Sprintf(" req/s at %d |", r.offers)
		sep += "---:|"
	}
	fmt.Fprintln(w, head+" req/s drop | p99 growth | hello ÷ endpoint at "+fmt.Sprint(last.offers)+" | hello ÷ endpoint growth | CPU a request growth |")
	fmt.Fprintln(w, sep+"---:|---:|---:|---:|---:|")
	for _, name := range o.endpoints {
		ep, _ := endpointByName(name)
		line := "| " + ep.label + " |"
		for _, r := range runs {
			line += " " + rateText(r.results[name].rate()) + " |"
		}
		a, b := first.results[name], last.results[name]
		line += " " + ratioText(a.rate(), b.rate()) + " | " + ratioText(b.percentile(0.99).Seconds(), a.percentile(0.99).Seconds()) +
			" | " + ratioText(last.baseline(name).rate(), b.rate()) + " | " + growthText(helloRatio(last, name), helloRatio(first, name)) +
			" | " + growthText(b.cpuPerRequest(), a.cpuPerRequest()) + " |"
		fmt.Fprintln(w, line)
	}
}

func rateText(r float64) string {
	switch {
	case r >= 10000:
		return fmt.Sprintf("%.0fk", r/1000)
	case r >= 1000:
		return fmt.Sprintf("%.1fk", r/1000)
	case r >= 10:
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.2f", r)
}

func ratioText(a, b float64) string {
	if b == 0 {
		return "∞"
	}
	x := a / b
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f×", x)
	case x >= 10: // the targets (8, 12, 20, 25) need the tenth here
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

func durText(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d.Milliseconds()))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// helloRatio is the hello-world beside endpoint name's rate ÷ the endpoint's; 0 when either
// answered nothing.
func helloRatio(r sizeRun, name string) float64 {
	hello, ep := r.baseline(name).rate(), r.results[name].rate()
	if hello == 0 || ep == 0 {
		return 0
	}
	return hello / ep
}

// growthText is last ÷ first, or – when either is unknown (0).
func growthText(last, first float64) string {
	if last == 0 || first == 0 {
		return "–"
	}
	return ratioText(last, first)
}

// cpuPerRequest is the server's CPU time a completed request, in seconds; 0 when unknown.
func (r result) cpuPerRequest() float64 {
	if r.cpu == 0 || r.requests == 0 {
		return 0
	}
	return r.cpu.Seconds() / float64(r.requests)
}

// cpuText is the server's CPU time a completed request, in µs.
func cpuText(r result) string {
	perRequest := r.cpuPerRequest()
	if perRequest == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", perRequest*1e6)
}

func mbText(b int64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%d MB", b>>20)
}

// machineNotes describes the run: the figures mean little without the machine and the load
// it carried.
func machineNotes(o options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Corridor bench harness, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- machine: %s, %d logical CPUs, %s, load average %s at start\n", cpuModel(), runtime.NumCPU(), runtime.Version(), loadAverage())
	fmt.Fprintf(&b, "- code: %s\n", commit())
	db := "SQLite (a fresh file per size, WAL)"
	if o.db != "" {
		db = "PostgreSQL (a fresh schema per size)"
	}
	fmt.Fprintf(&b, "- database: %s; server: `corridor serve --seed reference`, restarted for every endpoint\n", db)
	fmt.Fprintf(&b, "- load: %d connections, closed loop, %s warm-up then %s measured per endpoint; fasthttp client in the harness process\n", o.conns, o.warmup, o.duration)
	baseline := "the Fiber v2 hello-world's req/s measured at the start of the same size's run (the first row)"
	if o.pair {
		baseline = "the Fiber v2 hello-world's req/s measured just before the endpoint (hello beside; the first row is the size's first)"
	}
	fmt.Fprintf(&b, "- hello ÷ endpoint: %s divided by the endpoint's; peak RSS: the server's largest VmRSS sampled every 50 ms while measured; answer: the average size of the answers' bodies; server start: from exec to the first healthy /healthz\n", baseline)
	b.WriteString("- endpoints:\n")
	for _, name := range append([]string{"hello"}, o.endpoints...) {
		ep, _ := endpointByName(name)
		fmt.Fprintf(&b, "  - %s: %s\n", ep.label, ep.what)
	}
	return b.String()
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += " with uncommitted changes"
	}
	return c
}

// answerText is the average size of an endpoint's answers (bodies as read), e.g. "33 KB".
func answerText(r result) string {
	if r.requests == 0 {
		return "–"
	}
	avg := float64(r.body) / float64(r.requests)
	if avg < 1000 {
		return fmt.Sprintf("%.0f B", avg)
	}
	return fmt.Sprintf("%.1f KB", avg/1000)
}

// floorWorkName is the results' key of the quote floor measured with work.
func floorWorkName(work time.Duration) string { return "quote-floor+" + work.String() }
