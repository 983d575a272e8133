#!/usr/bin/env bash
# Benchmarks the CoCo host against the Node baseline (bench/baseline) with the
# same client (coco-bench), on loopback only, and prints both figures and
# their ratio for every scenario. Everything is bounded in time and the
# servers are stopped on exit. See BENCHMARKS.md.
#
#   bash bench/run.sh
#
# Environment:
#   BENCH_SECONDS=10      measured seconds of the cursor and write runs
#   BENCH_QUICK=1         short runs (3 s, shorter saturation search): checks the script
#   BENCH_PORT_BASE=18000 baseline on +80, host HTTP on +501, host WS on +580
#   BENCH_SKIP_COCO=1     baseline only (the host is not built or started)
#   BENCH_HISTORY_ROUNDS=3 rounds of the history on/off write comparison (0: skip)
#   COCO_BENCH_BIN=PATH   use this coco-bench instead of building one
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

secs=${BENCH_SECONDS:-10}
sat_args=(--seconds 3 --warmup 1)
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  secs=3
  sat_args=(--seconds 1 --warmup 0.5 --max-runs 8)
fi
skip_coco=${BENCH_SKIP_COCO:-0}
port_base=${BENCH_PORT_BASE:-18000}
node_port=$((port_base + 80))
http_port=$((port_base + 501))
ws_port=$((port_base + 580))
node_url="ws://127.0.0.1:$node_port/"
coco_url="ws://127.0.0.1:$ws_port/"
bigroom=bigboard-bench
target_dir=${CARGO_TARGET_DIR:-$root/target}
out="$root/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
data_dir=$(mktemp -d)
node_pid=
host_pid=

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }
now_us() { now=${EPOCHREALTIME//[!0-9]/}; }

stop_pid() { # pid: TERM, then KILL after 10 s
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop_pid "$host_pid"
  stop_pid "$node_pid"
  rm -rf "$data_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# GET /api/health over bash's /dev/tcp: no process per poll, so polling every
# 5 ms measures the host rather than curl's start-up.
health_ok() {
  local line=
  { exec 3<>"/dev/tcp/127.0.0.1/$http_port"; } 2>/dev/null || return 1
  printf 'GET /api/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 2 line <&3 || true
  exec 3>&-
  [[ $line == "HTTP/1."?" 200"* ]]
}

rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# CPU time (user + system) a process has used so far, in ms.
clk_tck=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$clk_tck" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$1/stat"; }

for port in "$node_port" "$http_port" "$ws_port"; do
  ! port_open "$port" || die "port $port is already in use; set BENCH_PORT_BASE"
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- build -----------------------------------------------------------------
if [ -n "${COCO_BENCH_BIN:-}" ]; then
  bench=$COCO_BENCH_BIN
  if [ "$skip_coco" != 1 ]; then
    log "building the host (release, no desktop)"
    cargo build --release --no-default-features --bin coco
  fi
else
  log "building coco and coco-bench (release, no desktop)"
  if [ "$skip_coco" = 1 ]; then
    cargo build --release -p coco-bench
  else
    cargo build --release --no-default-features -p coco -p coco-bench --bins
  fi
  bench=$target_dir/release/coco-bench
fi
host=$target_dir/release/coco
[ -x "$bench" ] || die "no coco-bench at $bench"

log "installing the baseline (npm ci)"
(cd bench/baseline && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; })

# --- servers ---------------------------------------------------------------
start_baseline() {
  PORT=$node_port HOST=127.0.0.1 node bench/baseline/server.js >>"$out/baseline.log" 2>&1 &
  node_pid=$!
  local i
  for ((i = 0; i < 2000; i++)); do
    port_open "$node_port" && return 0
    kill -0 "$node_pid" 2>/dev/null || die "the baseline exited; see $out/baseline.log"
    sleep 0.005
  done
  die "the baseline did not listen within 10 s"
}

# Starts the host and sets ready_ms to the time from launch to /api/health.
# Extra host flags (the history on/off comparison) go in host_flags.
host_flags=()
start_host() {
  local started i
  now_us; started=$now
  "$host" --headless --no-mdns --data-dir "$data_dir" --port "$http_port" \
    --ws-port "$ws_port" --bind 127.0.0.1 "${host_flags[@]}" >>"$out/coco.log" 2>&1 &
  host_pid=$!
  for ((i = 0; i < 3000; i++)); do
    if health_ok; then
      now_us; ready_ms=$(((now - started) / 1000))
      curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$http_port/api/health" ||
        die "/api/health answered the probe but not curl"
      return 0
    fi
    kill -0 "$host_pid" 2>/dev/null || die "the host exited; see $out/coco.log"
    sleep 0.005
  done
  die "the host was not ready within 15 s; see $out/coco.log"
}

# Writes one JSON line about a server's memory (kB) to $out/SIDE-rss-WHEN.json,
# for both servers or, with a second argument `coco`, the host only.
record_rss() {
  local when=$1 sides=${2:-both}
  [ "$sides" = coco ] || printf '{"scenario":"rss","when":"%s","rss_kb":%s,"hwm_kb":%s}\n' "$when" \
    "$(rss_kb "$node_pid" VmRSS)" "$(rss_kb "$node_pid" VmHWM)" >"$out/baseline-rss-$when.json"
  if [ "$skip_coco" != 1 ]; then
    printf '{"scenario":"rss","when":"%s","rss_kb":%s,"hwm_kb":%s}\n' "$when" \
      "$(rss_kb "$host_pid" VmRSS)" "$(rss_kb "$host_pid" VmHWM)" >"$out/coco-rss-$when.json"
  fi
}

# run NAME ARGS...: the scenario against the baseline, then the host. The
# server's CPU time during the run goes to SIDE-NAME-cpu.json: on a machine
# the client shares, CPU per delivery compares servers beyond the point
# where the client itself runs out of cores.
run() {
  local name=$1 side url pid cpu0
  shift
  for side in baseline coco; do
    [ "$side" = coco ] && [ "$skip_coco" = 1 ] && continue
    if [ "$side" = coco ]; then url=$coco_url pid=$host_pid; else url=$node_url pid=$node_pid; fi
    log "$name — $side"
    cpu0=$(cpu_ms "$pid")
    if timeout 900 "$bench" --json "$@" --url "$url" >"$out/$side-$name.json" 2> >(tee "$out/$side-$name.log" >&2); then
      printf '{"scenario":"cpu","server_cpu_ms":%s}\n' "$(($(cpu_ms "$pid") - cpu0))" >"$out/$side-$name-cpu.json"
    else
      echo "(failed: see $out/$side-$name.log)" >&2
      rm -f "$out/$side-$name.json"
    fi
    sleep 1
  done
}

log "starting the baseline (ws://127.0.0.1:$node_port) and the host (ws://127.0.0.1:$ws_port)"
start_baseline
if [ "$skip_coco" != 1 ]; then
  [ -x "$host" ] || die "no host binary at $host"
  start_host
  printf '{"scenario":"first_start","ready_ms":%s}\n' "$ready_ms" >"$out/coco-first-start.json"
fi
sleep 1
record_rss idle

# --- scenarios -------------------------------------------------------------
# The big board first, so that its memory figure is not mixed with the
# buffers of the 800 sockets of the 200-room run.
run bigboard bigboard --shapes 2000 --points 50 --room "$bigroom"
record_rss bigboard
run cursors-1x4x60 cursors --rooms 1 --clients 4 --hz 60 --seconds "$secs"
run cursors-200x4x30 cursors --rooms 200 --clients 4 --hz 30 --seconds "$secs"
run writes writes --writers 4 --window 64 --seconds "$secs"
run writes-10k writes --writers 4 --window 256 --rate 10000 --seconds "$secs"
run saturate saturate --hz 60 --max-p99-ms 5 "${sat_args[@]}"
record_rss end

# --- start-to-ready with the big board on disk -----------------------------
if [ "$skip_coco" != 1 ] && [ -s "$out/coco-bigboard.json" ]; then
  log "restarting the host on the same data dir (5 times)"
  readies=()
  for _ in 1 2 3 4 5; do
    stop_pid "$host_pid"
    host_pid=
    start_host
    readies+=("$ready_ms")
    echo "  ready in $ready_ms ms" >&2
  done
  sorted=$(printf '%s\n' "${readies[@]}" | sort -n | paste -sd, -)
  printf '{"scenario":"restart","ready_ms":[%s]}\n' "$sorted" >"$out/coco-restart.json"
  timeout 60 "$bench" --json sync --url "$coco_url" --room "$bigroom" --expect 2000 \
    >"$out/coco-sync-after-restart.json" || echo "(the big board did not come back whole)" >&2
  record_rss restarted coco
fi

# --- history on/off ----------------------------------------------------------
# The same writes with the op log on (the default budget) and off
# (--history-budget-mb 0), alternating on fresh data dirs so that a busy
# machine weighs on both alike; the table compares the medians.
hist_rounds=${BENCH_HISTORY_ROUNDS:-3}
if [ "$skip_coco" != 1 ] && [ "$hist_rounds" -gt 0 ]; then
  stop_pid "$host_pid"
  host_pid=
  for ((round = 1; round <= hist_rounds; round++)); do
    for mode in off on; do
      log "writes with history $mode (round $round of $hist_rounds)"
      rm -rf "$data_dir"; data_dir=$(mktemp -d)
      if [ "$mode" = off ]; then host_flags=(--history-budget-mb 0); else host_flags=(); fi
      start_host
      timeout 300 "$bench" --json writes --writers 4 --window 64 --seconds "$secs" --url "$coco_url" \
        >"$out/coco-writes-history-$mode-$round.json" 2>>"$out/coco-writes-history.log" ||
        { echo "(failed: see $out/coco-writes-history.log)" >&2; rm -f "$out/coco-writes-history-$mode-$round.json"; }
      stop_pid "$host_pid"
      host_pid=
    done
  done
  host_flags=()
  log "history: the board at past revisions of a 10,000-change room (coco-bench history)"
  timeout 900 "$bench" --json history --thin-mb 8 >"$out/coco-history.json" 2>"$out/coco-history.log" ||
    echo "(failed: see $out/coco-history.log)" >&2
fi

# --- table -----------------------------------------------------------------
log "results (raw JSON in $out)"
node - "$out" <<'JS' | tee "$out/summary.txt"
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const read = (name) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8').trim().split('\n').pop()); }
  catch { return null; }
};
const get = (side, name, pick) => {
  const v = read(`${side}-${name}`);
  return v ? pick(v, read(`${side}-${name}-cpu`)) : null;
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mb = (kb) => kb / 1024;
// [label, target text, source name, pick, lower-is-better, check(coco, base) → bool]
const rows = [
  ['cursors 1×4×60 Hz p50 (µs)', '', 'cursors-1x4x60', (v) => v.latency.p50_us, true],
  ['cursors 1×4×60 Hz p99 (µs)', '< 1000', 'cursors-1x4x60', (v) => v.latency.p99_us, true, (c) => c < 1000],
  ['cursors 1×4×60 Hz loss (%)', '0', 'cursors-1x4x60', (v) => v.loss_pct, true, (c) => c === 0],
  ['cursors 200×4×30 Hz p99 (µs)', '< 10000', 'cursors-200x4x30', (v) => v.latency.p99_us, true, (c) => c < 10000],
  ['cursors 200×4×30 Hz loss (%)', '0', 'cursors-200x4x30', (v) => v.loss_pct, true, (c) => c === 0],
  ['cursors 200×4×30 Hz delivered (msg/s)', '', 'cursors-200x4x30', (v) => v.delivered_per_sec, false],
  ['  server CPU per 100k deliveries (ms)', '', 'cursors-200x4x30', (v, cpu) => (cpu ? (cpu.server_cpu_ms * 1e5) / v.received : null), true],
  ['saturation at p99 ≤ 5 ms (msg/s)', '≥ 4× baseline', 'saturate', (v) => v.delivered_per_sec, false, (c, b) => c >= 4 * b],
  ['saturation at p99 ≤ 5 ms (rooms)', '', 'saturate', (v) => v.rooms, false],
  ['big board full sync, parsed (ms)', '≤ 1/5 baseline', 'bigboard', (v) => v.full_ms, true, (c, b) => c * 5 <= b],
  ['big board full sync, last byte (ms)', '', 'bigboard', (v) => v.full_frame_ms, true],
  ['big board full sync (KiB)', '', 'bigboard', (v) => v.full_bytes / 1024, true],
  ['delta after 100 ops (% of full bytes)', '< 5', 'bigboard', (v) => v.delta_ratio_pct, true, (c) => c < 5],
  ['acked shape ops/s, 4 writers, 64 in flight each', '≥ 10000', 'writes', (v) => (v.acked ? v.acked_per_sec : null), false, (c) => c >= 10000],
  ['  ack latency p99 at that load (ms)', '', 'writes', (v) => (v.acked ? v.latency.p99_us / 1000 : null), true],
  ['acked shape ops/s, 10000/s offered', '', 'writes-10k', (v) => (v.acked ? v.acked_per_sec : null), false],
  ['  ack latency p99 at 10000/s (ms)', '< 20', 'writes-10k', (v) => (v.acked ? v.latency.p99_us / 1000 : null), true, (c) => c < 20],
  ['RSS idle (MiB)', '< 30', 'rss-idle', (v) => mb(v.rss_kb), true, (c) => c < 30],
  ['RSS after the big board (MiB)', '< 60', 'rss-bigboard', (v) => mb(v.rss_kb), true, (c) => c < 60],
  ['peak RSS up to the big board (MiB)', '< 60', 'rss-bigboard', (v) => mb(v.hwm_kb), true, (c) => c < 60],
  ['peak RSS over every scenario (MiB)', '', 'rss-end', (v) => mb(v.hwm_kb), true],
  ['RSS after restart + one full sync of the big board (MiB)', '< 60', 'rss-restarted', (v) => mb(v.rss_kb), true, (c) => c < 60],
  ['start-to-ready, big board on disk (ms, median of 5)', '< 300', 'restart', (v) => median(v.ready_ms), true, (c) => c < 300],
  ['start-to-ready, big board on disk (ms, max of 5)', '', 'restart', (v) => Math.max(...v.ready_ms), true],
  ['first full sync after restart (ms)', '', 'sync-after-restart', (v) => v.sync_ms, true],
];
const fmt = (x) => (x === null || x === undefined ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
const table = [['scenario', 'target', 'baseline', 'CoCo', 'CoCo/baseline', 'CoCo vs target']];
for (const [label, target, name, pick, lowerBetter, check] of rows) {
  const base = get('baseline', name, pick);
  const coco = get('coco', name, pick);
  let ratio = 'n/a';
  if (base !== null && coco !== null && base !== 0) {
    const r = coco / base;
    const better = lowerBetter ? r < 1 : r > 1;
    ratio = `${r.toFixed(2)}× (${better ? 'better' : r === 1 ? 'same' : 'worse'})`;
  }
  let verdict = '';
  if (check) {
    if (coco === null) verdict = 'not yet measured';
    else if (check.length > 1 && base === null) verdict = 'no baseline';
    else verdict = check(coco, base) ? 'met' : 'MISSED';
  }
  table.push([label, target, fmt(base), coco === null ? 'not measured' : fmt(coco), ratio, verdict]);
}
// History on vs off: the median of each side's rounds, same build, same run.
const rounds = (mode) => fs.readdirSync(dir).filter((f) => f.startsWith(`coco-writes-history-${mode}-`))
  .map((f) => read(f.replace(/\.json$/, ''))).filter((v) => v && v.acked);
const on = rounds('on'), off = rounds('off');
if (on.length && off.length) {
  const m = (rs, pick) => median(rs.map(pick));
  const spread = (rs, pick) => `[${Math.min(...rs.map(pick)).toFixed(0)}–${Math.max(...rs.map(pick)).toFixed(0)}]`;
  const rate = (v) => v.acked_per_sec, p99 = (v) => v.latency.p99_us / 1000;
  const r1 = m(on, rate) / m(off, rate), r2 = m(on, p99) / m(off, p99);
  table.push(['history off → on: acked ops/s (median of rounds)', '≥ 0.9× off', `${fmt(m(off, rate))} ${spread(off, rate)}`,
    `${fmt(m(on, rate))} ${spread(on, rate)}`, `${r1.toFixed(2)}× (on/off)`, r1 >= 0.9 ? 'met' : 'MISSED']);
  table.push(['history off → on: ack p99 (ms, median of rounds)', '≤ 1.1× off', `${fmt(m(off, p99))} ${spread(off, p99)}`,
    `${fmt(m(on, p99))} ${spread(on, p99)}`, `${r2.toFixed(2)}× (on/off)`, r2 <= 1.1 ? 'met' : 'MISSED']);
}
const hist = read('coco-history');
if (hist) {
  const p95 = (hist.past.p95_us ?? hist.past.p99_us) / 1000;
  table.push(['board at a past revision, p95 (ms)', '< 50', 'n/a', fmt(p95), 'n/a', p95 < 50 ? 'met' : 'MISSED']);
  table.push(['history of that room (MiB), after thinning to 8 MiB', '', 'n/a',
    `${fmt(hist.history_bytes / 1048576)}, ${fmt(hist.thinned_bytes / 1048576)}`, 'n/a', '']);
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => String(c).padEnd(widths[j])).join('  ').trimEnd());
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
JS
