#!/usr/bin/env bash
# CoCo over slow links: the host in one network namespace, the clients
# (coco-bench) in another, and between them in turn a plain veth pair (the
# baseline), `coco-bench link --profile clear` (the link's own cost), then the
# "school-wifi" and "bad" profiles. On each: late joiners of a 2,000-stroke
# board (bytes and time from connecting to the whole board) and the cursor
# latency between two people. Prints a table; raw JSON and logs go to
# bench/results/slow-DATE/. See BENCHMARKS.md, "Slow links". Needs root.
#
#   sudo bash bench/slow_link.sh
#
# Environment:
#   SLOW_JOINS=5            late joiners per link (one after another)
#   SLOW_CURSOR_SECONDS=20  measured seconds of the cursor run per link
#   SLOW_LINKS="veth clear school-wifi bad"  which links, in this order
#   COCO_BIN=PATH COCO_BENCH_BIN=PATH  use these builds instead of building
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

joins=${SLOW_JOINS:-5}
cursor_secs=${SLOW_CURSOR_SECONDS:-20}
links=${SLOW_LINKS:-veth clear school-wifi bad}
room=slow-board
shapes=2000
points=50
# Cursor moves per second per person: the web UI's rate while drawing.
cursor_hz=30
out="$root/bench/results/slow-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

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
[ -x "$host_bin" ] && [ -x "$bench" ] || { echo "no coco or coco-bench build" >&2; exit 1; }

# shellcheck source=bench/netns.sh
source "$root/bench/netns.sh"
trap netns_cleanup EXIT
trap 'exit 130' INT TERM

netns_log "namespaces $ns_h (host) and $ns_c (clients)"
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
  # The web UI's own WebSocket address, with the code a LAN peer needs.
  url="ws://$addr:$host_http_port/ws?code=$host_code"
  netns_log "$name: $joins late joiners"
  before=$(rx_bytes "$dev")
  in_c "$bench" --json join --url "$url" --room "$room" --repeat "$joins" --expect "$shapes" \
    >"$out/join-$name.json"
  after=$(rx_bytes "$dev")
  printf '{"link_rx_bytes_per_join":%s}\n' "$(((after - before) / joins))" >"$out/rx-$name.json"
  netns_log "$name: $joins late joiners offering permessage-deflate (as browsers do)"
  in_c "$bench" --json join --url "$url" --room "$room" --repeat "$joins" --expect "$shapes" --deflate \
    >"$out/join-deflate-$name.json"
  netns_log "$name: cursors, 2 people × $cursor_hz Hz for $cursor_secs s"
  in_c "$bench" --json cursors --url "$url" --rooms 1 --clients 2 --hz "$cursor_hz" \
    --seconds "$cursor_secs" --room-prefix "slow-$name" >"$out/cursors-$name.json"
  [ "$name" = veth ] || link_down
done

# --- table -----------------------------------------------------------------
netns_log "results (raw JSON in $out)"
node - "$out" "$links" <<'JS' | tee "$out/summary.txt"
const fs = require('fs');
const path = require('path');
const [dir, linkList] = process.argv.slice(2);
const links = linkList.split(/\s+/).filter(Boolean);
const read = (name) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, name + '.json'), 'utf8').trim().split('\n').pop()); }
  catch { return null; }
};
const fmt = (x, digits) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const kb = (b) => (b / 1024).toFixed(0);
const both = (l, field) => (l ? l.a_to_b[field] + l.b_to_a[field] : '—');
const times = (r) => (r < 10 ? r.toFixed(1) : r.toFixed(0));
// [label, pick(join, cursors, rx, link) → number|string, digits, ratio to the first link?]
const rows = [
  ['late joiner: TCP connected (ms, median)', (j) => j.median.connect_ms, 1],
  ['late joiner: WELCOME (ms from connecting, median)', (j) => j.median.welcome_ms, 1],
  ['late joiner: whole board parsed (ms from connecting, median)', (j) => j.median.board_ms, 0, true],
  // 1.00 would be the board's bytes back to back at the link's rate from the moment of connecting.
  ["  ÷ the time its bytes take at the link's rate", (j, c, rx, l) => (l && l.rate_bps ? j.median.board_ms / ((j.median.received_bytes * 8 * 1000) / l.rate_bps) : '—'), 2],
  ['  fastest – slowest of the joins (ms)', (j) => `${j.board_ms_min.toFixed(0)} – ${j.board_ms_max.toFixed(0)}`],
  ['late joiner: received by the socket (KiB)', (j) => kb(j.median.received_bytes)],
  ['late joiner: received on the link, IP level (KiB)', (j, c, rx) => rx && kb(rx.link_rx_bytes_per_join)],
  ['late joiner offering deflate: whole board parsed (ms, median)', (j, c, rx, l, z) => z.median.board_ms, 0, true],
  ['late joiner offering deflate: received by the socket (KiB)', (j, c, rx, l, z) => kb(z.median.received_bytes)],
  ['cursor latency between two people, p50 (ms)', (j, c) => c.latency.p50_us / 1000, 1, true],
  ['cursor latency, p99 (ms)', (j, c) => c.latency.p99_us / 1000, 1, true],
  ['cursor latency, max (ms)', (j, c) => c.latency.max_us / 1000, 1],
  ['cursor moves delivered (%)', (j, c) => 100 - c.loss_pct, 1],
  ['packets lost on the link (both ways, whole run)', (j, c, rx, l) => both(l, 'lost')],
  ['packets dropped at the full queue (both ways)', (j, c, rx, l) => both(l, 'overflowed')],
];
const data = links.map((name) => [read(`join-${name}`), read(`cursors-${name}`), read(`rx-${name}`), read(`link-${name}`), read(`join-deflate-${name}`)]);
const table = [['', ...links]];
for (const [label, pick, digits, ratio] of rows) {
  const values = data.map((d) => { try { return d[0] && d[1] ? pick(...d) : null; } catch { return null; } });
  const cells = values.map((v, i) => {
    if (typeof v !== 'number') return v ?? 'n/a';
    const base = values[0];
    const r = ratio && i > 0 && typeof base === 'number' && base > 0 ? ` (${times(v / base)}×)` : '';
    return fmt(v, digits) + r;
  });
  table.push([label, ...cells]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => String(c).padEnd(widths[j])).join('  ').trimEnd());
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
JS
