#!/usr/bin/env bash
# Acked writes at saturation with history on and off, for two host builds
# side by side: every round runs each build with the log off then on, on a
# fresh data directory, so that other load on the machine falls on all four
# alike. Prints one line per run and the medians per build and mode:
# acked ops/s, ack p50/p99, and the host's CPU time (user + system, from
# /proc/PID/stat) per acked op over the measured seconds.
#
#   bash bench/history_compare.sh BEFORE/coco AFTER/coco [coco-bench]
#
# Environment: ROUNDS=5, SECONDS_RUN=5, WRITERS=8, WINDOW=32, ROOMS=2,
# PORT=18701 (HTTP; the WebSocket on PORT+79), ON_BUDGET_MB (the history
# budget with the log on; default the host's own, 64 MiB, which a saturated
# room fills within the run, so that thinning is measured too). At most four
# writers share a room (its seats), and a writer past the host's 5,000
# messages a second per socket is cut off for a second: keep WINDOW low
# enough for that (4 writers x 64 in one room reach it). Loopback only.
set -u
before=${1:?the host build before}
after=${2:?the host build after}
bench=${3:-${CARGO_TARGET_DIR:-target}/release/coco-bench}
rounds=${ROUNDS:-5}
secs=${SECONDS_RUN:-5}
writers=${WRITERS:-8}
window=${WINDOW:-32}
rooms=${ROOMS:-2}
port=${PORT:-18701}
ws_port=$((port + 79))
warmup=1
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
results=$(mktemp)
trap 'rm -f "$results"' EXIT

run() { # build-name binary mode round
  local name=$1 bin=$2 mode=$3 round=$4 d pid flag=() t0 t1 out
  d=$(mktemp -d)
  [ "$mode" = off ] && flag=(--history-budget-mb 0)
  [ "$mode" = on ] && [ -n "${ON_BUDGET_MB:-}" ] && flag=(--history-budget-mb "$ON_BUDGET_MB")
  "$bin" --headless --no-mdns --data-dir "$d" --port "$port" --ws-port "$ws_port" \
    --bind 127.0.0.1 "${flag[@]}" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
  "$bench" --json writes --url "ws://127.0.0.1:$ws_port/" --writers "$writers" --window "$window" \
    --rooms "$rooms" --seconds "$secs" --warmup "$warmup" >"$d/out.json" 2>/dev/null &
  local bpid=$!
  # The measured window starts after the warm-up (plus the bench's 0.1 s).
  sleep "$(echo "$warmup + 0.15" | bc)"
  t0=$(cpu_ticks "$pid")
  sleep "$secs"
  t1=$(cpu_ticks "$pid")
  wait "$bpid"
  out=$(python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))
rate, p50, p99 = v["acked_per_sec"], v["latency"]["p50_us"], v["latency"]["p99_us"]
cpu_us = (float(sys.argv[3]) - float(sys.argv[2])) * 1e6 / float(sys.argv[4])
print("%.0f %.1f %.1f %.1f" % (rate, p50 / 1000, p99 / 1000, cpu_us / (rate * float(sys.argv[5]))))
' "$d/out.json" "$t0" "$t1" "$hz" "$secs")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null
  rm -rf "$d"
  echo "$name $mode $out" >>"$results"
  echo "round $round: $name history $mode: ops/s p50_ms p99_ms cpu_us/op = $out"
}

for round in $(seq "$rounds"); do
  for build in before after; do
    bin=$before
    [ $build = after ] && bin=$after
    for mode in off on; do
      run "$build" "$bin" "$mode" "$round"
    done
  done
done

echo
echo "medians over $rounds rounds (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for build in ("before", "after"):
    for mode in ("off", "on"):
        r = [list(map(float, x[2:])) for x in rows if x[0] == build and x[1] == mode]
        med[build, mode] = [statistics.median(c) for c in zip(*r)]
        lo = [min(c) for c in zip(*r)]
        hi = [max(c) for c in zip(*r)]
        m = med[build, mode]
        print(f"{build:6} {mode:3}: {m[0]:8.0f} ops/s ({lo[0]:.0f}-{hi[0]:.0f})  p50 {m[1]:5.1f} ms"
              f"  p99 {m[2]:5.1f} ms ({lo[2]:.1f}-{hi[2]:.1f})  cpu {m[3]:5.1f} us/op ({lo[3]:.1f}-{hi[3]:.1f})")
    on, off = med[build, "on"], med[build, "off"]
    print(f"{build:6} on/off: ops/s {on[0]/off[0]:.2f}x  p99 {on[2]/off[2]:.2f}x  cpu/op {on[3]/off[3]:.2f}x")
EOF
