package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// walRestarts is what Corridor's /metrics says of the SQLite checkpointer's WAL restarts
// (corridor_sqlite_wal_restart_hold_seconds, outcome "restarted"), read once the quotes have
// been measured: how often the quote writer was held back for one, and for how long.
type walRestarts struct {
	count int
	held  time.Duration // in all
	most  string        // the smallest histogram bound every restart stayed within ("" if none)
}

// text is the report's sentence.
func (w walRestarts) text() string {
	const during = "During the quotes (warm-up included) the SQLite checkpointer"
	if w.count == 0 {
		return during + " did not restart the WAL."
	}
	most := "each at most " + w.most + " s"
	if w.most == "+Inf" || w.most == "" {
		most = "some longer than the histogram's largest bound"
	}
	return fmt.Sprintf("%s restarted the WAL %d times, holding the quote writer %s each on average, %s (%s).",
		during, w.count, durText(w.held/time.Duration(w.count)), most, walHoldMetric)
}

const walHoldMetric = "corridor_sqlite_wal_restart_hold_seconds"

// readWALRestarts reads the restart histogram from the server at addr.
func readWALRestarts(addr string) (walRestarts, error) {
	status, body, err := fasthttp.GetTimeout(nil, "http://"+addr+"/metrics", 10*time.Second)
	if err != nil {
		return walRestarts{}, err
	}
	if status != fasthttp.StatusOK {
		return walRestarts{}, fmt.Errorf("/metrics: status %d", status)
	}
	return parseWALRestarts(strings.NewReader(string(body)))
}

// parseWALRestarts reads the restart histogram from the Prometheus text format.
func parseWALRestarts(r io.Reader) (walRestarts, error) {
	var w walRestarts
	type bucket struct {
		le    string
		count int
	}
	var buckets []bucket // cumulative, in the order of their bounds
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, walHoldMetric) || !strings.Contains(line, `outcome="restarted"`) {
			continue
		}
		name, rest, _ := strings.Cut(line, "{")
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok {
			return w, fmt.Errorf("/metrics: cannot read %q", line)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64) // a count or seconds, for a report
		if err != nil {
			return w, fmt.Errorf("/metrics: %q: %w", line, err)
		}
		switch strings.TrimPrefix(name, walHoldMetric) {
		case "_count":
			w.count = int(v)
		case "_sum":
			w.held = time.Duration(v * float64(time.Second))
		case "_bucket":
			_, le, _ := strings.Cut(labels, `le="`)
			buckets = append(buckets, bucket{le: strings.TrimSuffix(le, `"`), count: int(v)})
		}
	}
	if err := sc.Err(); err != nil {
		return w, err
	}
	for _, b := range buckets {
		if w.count > 0 && b.count == w.count {
			w.most = b.le
			break
		}
	}
	return w, nil
}
