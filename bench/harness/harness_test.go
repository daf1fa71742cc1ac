package main

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"corridor/seed"
)

// TestMixes builds every endpoint's requests from a small synthetic market: bodies are JSON,
// searches parse as URLs with a query, and quotes ask for offers that exist, within their
// windows.
func TestMixes(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	_, offers, err := seed.SyntheticMarket(3000, 1, today)
	if err != nil {
		t.Fatal(err)
	}
	m := market{offers: offers, today: today}
	byID := map[string]bool{}
	for _, o := range offers {
		byID[o.ID] = true
	}
	for _, e := range endpoints {
		mix := e.mix(m)
		if len(mix) == 0 || e.label == "" || e.what == "" {
			t.Errorf("%s: %d requests, label %q", e.name, len(mix), e.label)
		}
		for _, r := range mix {
			u, err := url.Parse(r.path)
			if err != nil || !strings.HasPrefix(u.Path, "/") || r.want == 0 {
				t.Errorf("%s: request %+v", e.name, r)
			}
			if strings.HasPrefix(u.Path, "/api/v1/offers") && u.Query().Get("limit") != "50" {
				t.Errorf("%s: %s does not ask for a page of 50", e.name, r.path)
			}
			if r.body == nil {
				continue
			}
			var body map[string]any
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Errorf("%s: body %s: %v", e.name, r.body, err)
			}
			if id, ok := body["offer_id"].(string); ok && !byID[id] {
				t.Errorf("%s: quote for unknown offer %s", e.name, id)
			}
			// A German business without a VAT number would be priced as a consumer.
			if b, ok := body["buyer"].(map[string]any); ok && b["country"] == "DE" && b["type"] == "business" && b["vat_id"] != "DE123456789" {
				t.Errorf("%s: a German business without its VAT number: %s", e.name, r.body)
			}
			if r.path == "/api/v1/compare" && body["limit"] != float64(20) {
				t.Errorf("%s: compare does not ask for the first page of 20: %s", e.name, r.body)
			}
		}
	}
	if mk, _ := endpointByName("market"); len(mk.mix(m)) != 1 {
		t.Errorf("market mix: %d requests", len(mk.mix(m)))
	}
	for _, name := range []string{"search-varied", "compare-varied", "market-varied"} {
		e, _ := endpointByName(name)
		seen := map[string]bool{}
		for _, r := range e.mix(m) {
			seen[r.path+string(r.body)] = true
		}
		if len(seen) != variedRequests {
			t.Errorf("%s: %d distinct requests, want %d", name, len(seen), variedRequests)
		}
	}
	quotes, _ := endpointByName("quote")
	if len(quotes.mix(m)) < 900 {
		t.Errorf("quote mix: %d requests, want about 1,000 spread over the market", len(quotes.mix(m)))
	}
	// the market the harness keeps (loadMarket: the quote mix's offers) asks for the same quotes
	if kept := quotes.mix(market{offers: quoteOffers(offers), today: today}); !reflect.DeepEqual(kept, quotes.mix(m)) {
		t.Errorf("the kept market's quote mix differs: %d requests against %d", len(kept), len(quotes.mix(m)))
	}
	all, _ := endpointByName("quote-all")
	for i, r := range all.mix(m) {
		if q := quotes.mix(m)[i]; r.path != q.path+"?explain=all" || string(r.body) != string(q.body) {
			t.Fatalf("quote-all request %d: %s %s, want the quote's with explain=all", i, r.path, r.body)
		}
	}
}

func TestResultFigures(t *testing.T) {
	r := result{requests: 100, elapsed: 2 * time.Second}
	for i := 1; i <= 100; i++ {
		r.lat = append(r.lat, time.Duration(i)*time.Millisecond)
	}
	if r.rate() != 50 || r.percentile(0.50) != 51*time.Millisecond || r.percentile(0.99) != 100*time.Millisecond {
		t.Errorf("rate %v, p50 %v, p99 %v", r.rate(), r.percentile(0.50), r.percentile(0.99))
	}
	if got := ratioText(90000, 150); got != "600×" {
		t.Errorf("ratioText = %s", got)
	}
	if got := ratioText(103000, 8800); got != "11.7×" { // near a target of 12: the tenth shown
		t.Errorf("ratioText = %s", got)
	}
	if got := ratioText(1, 0); got != "∞" {
		t.Errorf("ratioText(1, 0) = %s", got)
	}
	if rss := readRSS(os.Getpid(), "VmRSS"); rss < 1<<20 {
		t.Errorf("readRSS of this test: %d bytes", rss)
	}
}

// TestParseWALRestarts reads the restart histogram as Corridor's /metrics writes it: 3
// restarts holding the writer 12 ms in all, every one within 10 ms, the first bucket that
// holds all three; the other outcome's series is not counted.
func TestParseWALRestarts(t *testing.T) {
	text := `# HELP corridor_sqlite_wal_restart_hold_seconds SQLite: how long …
# TYPE corridor_sqlite_wal_restart_hold_seconds histogram
corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="readers_stayed",le="0.25"} 1
corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="readers_stayed",le="+Inf"} 1
corridor_sqlite_wal_restart_hold_seconds_sum{outcome="readers_stayed"} 0.1
corridor_sqlite_wal_restart_hold_seconds_count{outcome="readers_stayed"} 1
corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="restarted",le="0.0025"} 1
corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="restarted",le="0.005"} 2
corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="restarted",le="0.01"} 3
corridor_sqlite_wal_restart_hold_seconds_bucket{outcome="restarted",le="+Inf"} 3
corridor_sqlite_wal_restart_hold_seconds_sum{outcome="restarted"} 0.012
corridor_sqlite_wal_restart_hold_seconds_count{outcome="restarted"} 3
go_goroutines 12
`
	w, err := parseWALRestarts(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if w.count != 3 || w.held != 12*time.Millisecond || w.most != "0.01" {
		t.Fatalf("got %+v, want 3 restarts, 12ms held, all within 0.01 s", w)
	}
	if got, want := w.text(), "restarted the WAL 3 times, holding the quote writer 4.0 ms each on average, each at most 0.01 s"; !strings.Contains(got, want) {
		t.Errorf("text %q, want it to say %q", got, want)
	}
	long := walRestarts{count: 1, held: 300 * time.Millisecond, most: "+Inf"}
	if got := long.text(); !strings.Contains(got, "some longer than the histogram's largest bound") {
		t.Errorf("a restart past every bound: %q", got)
	}
	if w, _ := parseWALRestarts(strings.NewReader("go_goroutines 12\n")); w.count != 0 || w.most != "" {
		t.Fatalf("no restarts: got %+v", w)
	}
}

// TestRatioAgainstHelloBeside: with -pair an endpoint's ratio is taken against the hello-world
// measured just before it, not the size's first: here the first answered 100k requests a
// second and the one beside the quotes 80k, so the quotes' 8k a second are 80k ÷ 8k = 10×
// (not 12.5×); an endpoint without one beside falls back to the first (100k ÷ 50k = 2×).
func TestRatioAgainstHelloBeside(t *testing.T) {
	rate := func(perSecond int) result { return result{requests: perSecond, elapsed: time.Second} }
	r := sizeRun{offers: 1000, results: map[string]result{"hello": rate(100000), "quote": rate(8000), "search": rate(50000)},
		startup: map[string]time.Duration{}, beside: map[string]result{"quote": rate(80000)}}
	var out strings.Builder
	printSize(&out, r, options{endpoints: []string{"quote", "search"}})
	for _, want := range []string{"| `POST /api/v1/quotes` | 8.0k | 80k | 10.0× |", "| search, typical | 50k | 100k | 2.00× |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCPUOfStat: utime and stime are the 14th and 15th fields of /proc/pid/stat, counted after
// the command, which may hold spaces and parentheses; ticks are 10 ms.
func TestCPUOfStat(t *testing.T) {
	// utime 250 ticks + stime 37 ticks = 287 ticks of 10 ms = 2.87 s
	stat := "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 37 0 0 20 0 12 0 100 1000000 2000 18446744073709551615"
	if got, want := cpuOfStat(stat), 2870*time.Millisecond; got != want {
		t.Errorf("cpuOfStat = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "4242 (no closing", "4242 (x) S 1 2", "4242 (x) S 1 4242 4242 0 -1 0 0 0 0 0 x 37"} {
		if got := cpuOfStat(bad); got != 0 {
			t.Errorf("cpuOfStat(%q) = %v, want 0", bad, got)
		}
	}
	if runtime.GOOS == "linux" { // this process's own: a tick of CPU time at least, once spent
		x := 0
		for end := time.Now().Add(2 * time.Second); readCPU(os.Getpid()) == 0 && time.Now().Before(end); {
			for i := range 1_000_000 {
				x ^= i
			}
		}
		if readCPU(os.Getpid()) <= 0 {
			t.Errorf("this test's own CPU time reads as 0 (%d)", x)
		}
	}
	// 1.6 s of CPU over 8,000 requests: 200 µs a request
	if got := cpuText(result{requests: 8000, cpu: 1600 * time.Millisecond}); got != "200 µs" {
		t.Errorf("cpuText = %q, want 200 µs", got)
	}
}

// TestGrowthBesideTheMachine: the growth table divides out the machine's speed too. At 1k
// offers the hello-world answered 50k a second and the market page 10k (5×), with 100 µs of
// server CPU a request; at 100k the machine ran slower: hello 30k, the page 5k (6×), 120 µs a
// request. The rate fell 10k ÷ 5k = 2×, but the ratio grew only 6 ÷ 5 = 1.2× and the CPU a
// request 120 ÷ 100 = 1.2×; its p99 went from 10 to 15 ms (1.5×). The CPU is unknown for
// healthz: its growth shows as –.
func TestGrowthBesideTheMachine(t *testing.T) {
	run := func(offers, hello, market int, cpu, p99 time.Duration) sizeRun {
		return sizeRun{offers: offers, results: map[string]result{
			"hello":   {requests: hello, elapsed: time.Second},
			"market":  {requests: market, elapsed: time.Second, cpu: cpu * time.Duration(market), lat: []time.Duration{p99}},
			"healthz": {requests: hello / 2, elapsed: time.Second, lat: []time.Duration{2 * time.Millisecond}},
		}}
	}
	var out strings.Builder
	printGrowth(&out, []sizeRun{run(1000, 50000, 10000, 100*time.Microsecond, 10*time.Millisecond), run(100000, 30000, 5000, 120*time.Microsecond, 15*time.Millisecond)},
		options{endpoints: []string{"market", "healthz"}})
	// An endpoint that answered nothing has no ratio, and so no growth of it.
	none := sizeRun{results: map[string]result{"hello": {requests: 100, elapsed: time.Second}, "quote": {elapsed: time.Second}}}
	if r := helloRatio(none, "quote"); r != 0 || growthText(r, 2) != "–" {
		t.Errorf("no answers: ratio %v, growth %s", r, growthText(r, 2))
	}
	for _, want := range []string{
		"| `GET /` market page | 10k | 5.0k | 2.00× | 1.50× | 6.00× | 1.20× | 1.20× |",
		"| `GET /healthz` | 25k | 15k | 1.67× | 1.00× | 2.00× | 1.00× | – |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the growth table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestFloorWorkRows: each work the quote floor was measured again with is a row of its own,
// after the floor's, its ratio taken against the hello-world measured beside it.
func TestFloorWorkRows(t *testing.T) {
	rate := func(perSecond int) result { return result{requests: perSecond, elapsed: time.Second} }
	works := []time.Duration{50 * time.Microsecond, 100 * time.Microsecond}
	r := sizeRun{offers: 1000, startup: map[string]time.Duration{},
		results: map[string]result{"hello": rate(100000), "quote-floor": rate(16000), floorWorkName(works[0]): rate(9000), floorWorkName(works[1]): rate(6000)},
		beside:  map[string]result{"quote-floor": rate(80000), floorWorkName(works[0]): rate(72000), floorWorkName(works[1]): rate(60000)}}
	var out strings.Builder
	printSize(&out, r, options{endpoints: []string{"quote-floor"}, floorWork: works})
	// 80k ÷ 16k = 5.00×; 72k ÷ 9.0k = 8.00×; 60k ÷ 6.0k = 10.0×
	floor := "| quote floor (not Corridor) | 16k | 80k | 5.00× |"
	w50 := "| quote floor (not Corridor), + 50 µs of work a quote | 9.0k | 72k | 8.00× |"
	w100 := "| quote floor (not Corridor), + 100 µs of work a quote | 6.0k | 60k | 10.0× |"
	text := out.String()
	i, j, k := strings.Index(text, floor), strings.Index(text, w50), strings.Index(text, w100)
	if i < 0 || j < 0 || k < 0 || !(i < j && j < k) {
		t.Errorf("want the rows %q, %q and %q in that order:\n%s", floor, w50, w100, text)
	}
}

// TestFloorWorkFlag: -floor-work takes positive durations, with the quote floor among the
// endpoints, and refuses anything else before measuring anything.
func TestFloorWorkFlag(t *testing.T) {
	for _, bad := range []string{"0", "-5us", "50", "fast", "50us,"} {
		var stderr strings.Builder
		err := run(context.Background(), []string{"-floor-work", bad, "-offers", "1"}, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), "-floor-work") {
			t.Errorf("-floor-work %q: %v, want an error naming the flag", bad, err)
		}
	}
	// without the quote floor among the endpoints, there is nothing to measure again
	err := run(context.Background(), []string{"-floor-work", "50us", "-offers", "1", "-endpoints", "quote"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "quote-floor") {
		t.Errorf("-floor-work without quote-floor: %v, want an error naming quote-floor", err)
	}
}
