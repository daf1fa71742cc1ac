#!/usr/bin/env bash
# The load run of README.md ("Load run"): BINARY serves a fresh demo database on PORT; wrk sends
# 512 connections of quote requests for DURATION; with SLOW=N, N slow clients
# (bench/slowclients, MODE=headers or body, connecting from SLOW_FROM) hang on meanwhile. It
# prints the latency percentiles, the status counts and error rate, and the server's resident
# memory (idle, with the slow clients, peak during the run).
#
#   bench/slowclients/loadrun.sh ./corridor-binary [extra serve flags...]
#   SLOW=500 SLOW_FROM=127.0.0.2 bench/slowclients/loadrun.sh ./corridor-binary --rate-limit-anonymous 0
set -euo pipefail
bin=$1; shift
port=${PORT:-18080}
duration=${DURATION:-20s}
slow=${SLOW:-0}
mode=${MODE:-headers}
from=${SLOW_FROM:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; [ -z "${slow_pid:-}" ] || kill $slow_pid 2>/dev/null || true; rm -rf "$work"' EXIT

CORRIDOR_ADMIN_TOKEN=loadrun-admin-token-0123 "$bin" serve --addr 127.0.0.1:$port --db "$work/corridor.db" --seed demo "$@" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk -v k="$1:" '$1 == k {print int($2/1024)}' "/proc/$server_pid/status"; }
# held counts the slow clients' connections the server holds open (from SLOW_FROM, or any address).
held() { ss -Htn state established "( sport = :$port )" | awk -v f="${from:-}" 'f == "" || index($4, f":") == 1' | wc -l; }
echo "idle RSS: $(rss VmRSS) MiB"
if [ "$slow" -gt 0 ]; then
  (cd "$here" && go build -o "$work/slowclients" .)
  "$work/slowclients" -addr 127.0.0.1:$port -n "$slow" -mode "$mode" ${from:+-from "$from"} -for 60s >"$work/slow.out" &
  slow_pid=$!
  sleep 5
  echo "RSS with $slow slow $mode clients attached: $(rss VmRSS) MiB; $(held) of their connections open"
fi
peak=0
( while kill -0 $server_pid 2>/dev/null; do r=$(rss VmRSS); echo "$r"; sleep 0.5; done ) >"$work/rss.samples" &
sampler=$!
wrk -t2 -c512 -d"$duration" --timeout 10s --latency -s "$here/quote.lua" "http://127.0.0.1:$port/api/v1/quotes" 2>&1 | tee "$work/wrk.out"
kill $sampler 2>/dev/null || true
peak=$(sort -n "$work/rss.samples" | tail -1)
echo "server RSS: peak $peak MiB during the run, $(rss VmRSS) MiB after (VmHWM $(rss VmHWM) MiB)"
if [ "$slow" -gt 0 ]; then echo "slow clients' connections open at the end: $(held)"; tail -1 "$work/slow.out" || true; fi
echo "server log lines: $(wc -l <"$work/server.err"), database $(du -sh "$work" | cut -f1)"
