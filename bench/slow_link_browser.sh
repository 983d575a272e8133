#!/usr/bin/env bash
# Late joiners in Chromium over slow links: the host in one network
# namespace, Chromium in another, over the veth baseline and the link's
# profiles as bench/slow_link.sh (whose namespaces it shares: bench/netns.sh).
# Each join is a first visit: the page loads, a name is entered, Join is
# pressed, and the times to the first frame with the first part of the board,
# with every stroke in the view, and with the whole 2,000-stroke board
# are taken; then one person moves the mouse round a circle and another's
# page records where it draws that cursor every frame (bench/ui/slow_cursor.js).
# See BENCHMARKS.md, "Slow links". Needs root, /usr/bin/chromium
# and tests/e2e's node_modules (playwright-core).
#
#   sudo bash bench/slow_link_browser.sh
#
# Environment:
#   SLOW_JOINS=3            first visits per link
#   SLOW_LINKS="veth school-wifi bad"
#   COCO_BIN=PATH COCO_BENCH_BIN=PATH  use these builds instead of building
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

joins=${SLOW_JOINS:-3}
links=${SLOW_LINKS:-veth school-wifi bad}
room=slow-board
shapes=2000
points=50
out="$root/bench/results/slow-browser-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

[ -x /usr/bin/chromium ] || { echo "needs /usr/bin/chromium (apt-get install chromium)" >&2; exit 1; }
if [ ! -d "$root/tests/e2e/node_modules/playwright-core" ]; then
  (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -n "${COCO_BIN:-}" ] && [ -n "${COCO_BENCH_BIN:-}" ]; then
  host_bin=$COCO_BIN
  bench=$COCO_BENCH_BIN
else
  printf '\n== building coco and coco-bench (release, no desktop)\n' >&2
  cargo build --release --no-default-features -p coco -p coco-bench --bins
  target_dir=${CARGO_TARGET_DIR:-$root/target}
  host_bin=$target_dir/release/coco
  bench=$target_dir/release/coco-bench
fi

# shellcheck source=bench/netns.sh
source "$root/bench/netns.sh"
trap netns_cleanup EXIT
trap 'exit 130' INT TERM

netns_up
host_up
netns_log "loading $shapes strokes × $points points into room $room (on the host's loopback)"
in_h "$bench" --json bigboard --url "ws://127.0.0.1:$host_ws_port/" --shapes "$shapes" \
  --points "$points" --room "$room" --repeat 1 --delta-ops 0 >"$out/load.json"

for name in $links; do
  if [ "$name" = veth ]; then
    addr=$veth_h_ip dev=veth-c
  else
    link_up "$name"
    addr=$link_h_ip dev=$link_dev
  fi
  netns_log "$name: $joins first visits in Chromium"
  in_c node "$root/bench/ui/slow_link.js" \
    "http://$addr:$host_http_port/?code=$host_code&room=$room" "$dev" "$joins" "$shapes" \
    >"$out/browser-$name.json"
  netns_log "$name: another person's cursor in Chromium"
  in_c node "$root/bench/ui/slow_cursor.js" "http://$addr:$host_http_port/?code=$host_code" >"$out/cursor-$name.json"
  [ "$name" = veth ] || link_down
done

netns_log "results (raw JSON in $out)"
{
  printf '%-14s %10s %11s %18s %16s %18s %10s\n' link 'page (ms)' 'page (KiB)' 'Join → part (ms)' 'Join → view (ms)' 'Join → whole (ms)' 'join (KiB)'
  for name in $links; do
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).median;
      const kib = (b) => (b / 1024).toFixed(0);
      console.log([process.argv[2].padEnd(14), String(r.page_ms).padStart(10), kib(r.page_bytes).padStart(11),
        r.first_ms.toFixed(0).padStart(18), r.view_ms.toFixed(0).padStart(16), r.painted_ms.toFixed(0).padStart(18),
        kib(r.join_bytes).padStart(10)].join(" "));
    ' "$out/browser-$name.json" "$name"
  done
  printf '\n%-14s %22s %22s %20s %20s\n' link 'drawn: lag p50/p99' 'drawn: jump p99/max' 'received: jump p99/max' 'received: still %'
  for name in $links; do
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const f = (v) => v.toFixed(0);
      console.log([process.argv[2].padEnd(14), `${f(r.drawn.lag_ms.p50)} / ${f(r.drawn.lag_ms.p99)} ms`.padStart(22),
        `${f(r.drawn.jump_px.p99)} / ${f(r.drawn.jump_px.max)} px`.padStart(22),
        `${f(r.received.jump_px.p99)} / ${f(r.received.jump_px.max)} px`.padStart(20),
        `${(r.received.still_frames * 100).toFixed(0)} %`.padStart(20)].join(" "));
    ' "$out/cursor-$name.json" "$name"
  done
} | tee "$out/summary.txt"
