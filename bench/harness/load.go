package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// result is one endpoint's measurement.
type result struct {
	requests int // completed with the wanted status
	errors   int // wrong status, timeout or transport error
	elapsed  time.Duration
	lat      []time.Duration // every completed request's latency, sorted
	firstErr string
	peakRSS  int64         // bytes: the server's largest sampled VmRSS while measured
	cpu      time.Duration // the server's CPU time (user and system) while measured; 0 unknown
	body     int64         // bytes of the completed requests' answers
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

func (r result) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

// drive runs the request mix against addr from conns keep-alive connections: warmup unmeasured,
// then duration measured. Each connection sends its next request when the previous answer has
// been read (a closed loop, like wrk); requests still running at the deadline are waited for
// and counted, so a slow endpoint's tail is not cut off. The load generator is fasthttp's
// client, which costs the machine less per request than net/http, leaving the cores to the
// servers being compared.
func drive(ctx context.Context, addr string, mix []request, o options, pid int) result {
	client := &fasthttp.HostClient{Addr: addr, MaxConns: o.conns, ReadTimeout: o.timeout, WriteTimeout: o.timeout,
		MaxIdleConnDuration: time.Minute, MaxResponseBodySize: 256 << 20}
	defer client.CloseIdleConnections()
	phase := func(d time.Duration, record bool) result {
		var (
			mu    sync.Mutex
			res   result
			errs  atomic.Int64
			start = time.Now()
		)
		deadline := start.Add(d)
		var wg sync.WaitGroup
		for w := 0; w < o.conns; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				var lat []time.Duration
				var firstErr string
				var body int64
				// each connection starts at its own part of the mix, so distinct requests stay
				// distinct across connections (the varied mixes, endpoints.go)
				for i := w * len(mix) / o.conns; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
					m := mix[i%len(mix)]
					req.Reset()
					req.Header.SetMethod(m.method)
					req.SetRequestURI("http://" + addr + m.path)
					if m.body != nil {
						req.Header.SetContentType("application/json")
						req.SetBody(m.body)
					}
					t0 := time.Now()
					err := client.DoTimeout(req, resp, o.timeout)
					took := time.Since(t0)
					switch {
					case err != nil:
						errs.Add(1)
						if firstErr == "" {
							firstErr = fmt.Sprintf("%s %s: %v", m.method, m.path, err)
						}
					case resp.StatusCode() != m.want:
						errs.Add(1)
						if firstErr == "" {
							firstErr = fmt.Sprintf("%s %s: status %d, want %d: %.300s", m.method, m.path, resp.StatusCode(), m.want, resp.Body())
						}
					default:
						lat = append(lat, took)
						body += int64(len(resp.Body()))
					}
				}
				mu.Lock()
				res.lat = append(res.lat, lat...)
				res.body += body
				if res.firstErr == "" {
					res.firstErr = firstErr
				}
				mu.Unlock()
			}(w)
		}
		var peak atomic.Int64
		cpu0 := readCPU(pid)
		stopSampling := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			if !record || pid == 0 {
				return
			}
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				if rss := readRSS(pid, "VmRSS"); rss > peak.Load() {
					peak.Store(rss)
				}
				select {
				case <-stopSampling:
					return
				case <-t.C:
				}
			}
		}()
		wg.Wait()
		res.elapsed = time.Since(start)
		if cpu1 := readCPU(pid); cpu0 > 0 && cpu1 > cpu0 {
			res.cpu = cpu1 - cpu0
		}
		close(stopSampling)
		<-sampled
		res.requests, res.errors, res.peakRSS = len(res.lat), int(errs.Load()), peak.Load()
		slices.Sort(res.lat)
		return res
	}
	runtime.GC() // what loading or the previous endpoint left is not collected while this one is measured
	if o.warmup > 0 {
		phase(o.warmup, false)
	}
	return phase(o.duration, true)
}

// readCPU returns the CPU time process pid has used so far, user and system (/proc/pid/stat,
// in ticks of 10 ms: Linux reports them in USER_HZ, 100 a second); 0 when it cannot be read.
// A request's share of it is its cost without the wait for a core, which on a shared
// machine moves the rates from minute to minute more than it moves this.
func readCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	return cpuOfStat(string(b))
}

// cpuOfStat is utime + stime of a /proc/pid/stat line: its 14th and 15th fields, counted
// after the command's closing parenthesis (a command may hold spaces and parentheses).
func cpuOfStat(stat string) time.Duration {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:]) // from field 3, the state
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// readRSS returns a memory figure of process pid from /proc/pid/status (VmRSS: resident now;
// VmHWM: the peak so far), in bytes; 0 when it cannot be read.
func readRSS(pid int, key string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
