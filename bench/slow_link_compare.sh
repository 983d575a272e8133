#!/usr/bin/env bash
# An earlier build and this one side by side, in one run: late joiners in
# Chromium over the slow links (bench/slow_link_browser.sh, with each host in
# turn) and the loopback hot paths (cursors, acknowledged writes, a full sync
# of the 2,000-stroke board), the two hosts alternating twice on loopback.
# The earlier build is made from its commit in a worktree of its own, into
# a target directory of its own ($target/compare-base): cargo decides a
# workspace crate is fresh by the mtimes of its files, not their paths, so
# two trees building into one target directory can each get the other's
# binary. See BENCHMARKS.md,
# "Slow links". Needs root (the namespaces), /usr/bin/chromium and
# tests/e2e's node_modules.
#
#   sudo bash bench/slow_link_compare.sh [BASE]
#   BASE: the earlier commit (default 239c7e9, the build before the work
#   on slow links began)
#
# Environment: SLOW_JOINS (default 3), SLOW_LINKS (default "veth
# school-wifi bad"), LOOP_SECONDS (default 8).
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
base=${1:-239c7e9}
secs=${LOOP_SECONDS:-8}
out="$root/bench/results/compare-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
target=${CARGO_TARGET_DIR:-$root/target}
wt=$(mktemp -d)
host_pid=

cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
  git -C "$root" worktree remove --force "$wt/base" 2>/dev/null || true
  rm -rf "$wt"
}
trap cleanup EXIT

log() { printf '\n== %s\n' "$*" >&2; }

log "building $base (earlier) and this tree (new), release, no desktop"
git -C "$root" worktree add --detach "$wt/base" "$base" >/dev/null
(cd "$wt/base" && CARGO_TARGET_DIR=$target/compare-base cargo build --release --no-default-features -p coco -p coco-bench --bins)
cp "$target/compare-base/release/coco" "$out/earlier-coco"
(cd "$root" && CARGO_TARGET_DIR=$target cargo build --release --no-default-features -p coco -p coco-bench --bins)
cp "$target/release/coco" "$out/new-coco"
cp "$target/release/coco-bench" "$out/coco-bench"
bench=$out/coco-bench

for build in earlier new; do
  log "$build: late joiners and cursors in Chromium over the links"
  COCO_BIN=$out/$build-coco COCO_BENCH_BIN=$bench bash "$root/bench/slow_link_browser.sh" \
    >"$out/$build-browser.txt" 2>"$out/$build-browser.log"
done

# Loopback: one host at a time on fresh data, the builds alternating.
start_host() {
  local data
  data=$(mktemp -d -p "$wt")
  "$1" --headless --no-mdns --data-dir "$data" --port 15971 --ws-port 15972 --bind 127.0.0.1 >>"$out/loopback-hosts.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 200); do
    curl -sf -o /dev/null http://127.0.0.1:15971/api/health && return 0
    sleep 0.05
  done
  echo "the host did not start; see $out/loopback-hosts.log" >&2
  exit 1
}
stop_host() { kill "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null || true; host_pid=; }

for round in 1 2; do
  for build in earlier new; do
    log "loopback, round $round: $build"
    start_host "$out/$build-coco"
    "$bench" --json cursors --url ws://127.0.0.1:15972/ --rooms 10 --clients 4 --hz 30 --seconds "$secs" \
      >"$out/$build-cursors-$round.json"
    "$bench" --json writes --url ws://127.0.0.1:15972/ --writers 8 --rooms 2 --window 32 --seconds "$secs" \
      >"$out/$build-writes-$round.json"
    "$bench" --json bigboard --url ws://127.0.0.1:15972/ --shapes 2000 --points 50 --room big --repeat 5 \
      --delta-ops 20 >"$out/$build-bigboard-$round.json"
    stop_host
  done
done

log "results (raw files in $out)"
{
  for build in earlier new; do
    printf '\n%s (%s):\n' "$build" "$([ "$build" = earlier ] && echo "$base" || git -C "$root" rev-parse --short HEAD)"
    tail -n 8 "$out/$build-browser.txt"
  done
  printf '\nloopback (each round: earlier, then new)\n'
  node -e '
    const fs = require("fs");
    const dir = process.argv[1];
    const flat = (o, p = "") => Object.entries(o).flatMap(([k, v]) => v && typeof v === "object" && !Array.isArray(v) ? flat(v, p + k + ".") : [[p + k, v]]);
    const get = (f) => Object.fromEntries(flat(JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"))));
    const pick = (o, re) => Object.entries(o).filter(([k]) => re.test(k)).map(([k, v]) => `${k}=${typeof v === "number" ? Math.round(v * 100) / 100 : v}`).join(" ");
    for (const round of [1, 2]) for (const b of ["earlier", "new"]) {
      console.log(`${b} ${round}: cursors ${pick(get(`${b}-cursors-${round}.json`), /latency\.(p50|p99)_us$|loss_pct/)}`);
      console.log(`${b} ${round}: writes ${pick(get(`${b}-writes-${round}.json`), /acked_per_sec|latency\.(p50|p99)_us$/)}`);
      console.log(`${b} ${round}: sync ${pick(get(`${b}-bigboard-${round}.json`), /^(full_bytes|full_ms|delta_bytes|delta_ms)$/)}`);
    }
  ' "$out"
} | tee "$out/summary.txt"
