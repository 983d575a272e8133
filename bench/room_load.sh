#!/usr/bin/env bash
# The first join of a big room after the host restarted: the room is read
# from disk then (its records, or its history's newest keyframe and the
# entries after it), so that join minus a second one is what loading costs.
# For two host builds side by side, rounds alternating; each round draws a
# 2,000-stroke room with 8,000 more changes on a fresh data directory, stops
# the host, starts it again and joins twice.
#
#   bash bench/room_load.sh BEFORE/coco AFTER/coco [coco-bench]
#
# Environment: ROUNDS=3, SHAPES=2000, CHANGES=8000, PORT=18721 (HTTP; the
# WebSocket on PORT+79), HISTORY_MB (the history budget; default the host's).
# Loopback only.
set -u
before=${1:?the host build before}
after=${2:?the host build after}
bench=${3:-${CARGO_TARGET_DIR:-target}/release/coco-bench}
rounds=${ROUNDS:-3}
shapes=${SHAPES:-2000}
changes=${CHANGES:-8000}
port=${PORT:-18721}
ws_port=$((port + 79))
flag=()
[ -n "${HISTORY_MB:-}" ] && flag=(--history-budget-mb "$HISTORY_MB")
results=$(mktemp)
trap 'rm -f "$results"' EXIT

start() { # binary dir
  "$1" --headless --no-mdns --data-dir "$2" --port "$port" --ws-port "$ws_port" \
    --bind 127.0.0.1 "${flag[@]}" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/health" && break; sleep 0.1; done
}

stop() {
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null
}

join_ms() {
  "$bench" --json join --url "ws://127.0.0.1:$ws_port/" --room big --repeat 1 \
    --expect "$shapes" 2>/dev/null |
    python3 -c 'import json, sys; print("%.1f" % json.load(sys.stdin)["median"]["board_ms"])'
}

for round in $(seq "$rounds"); do
  for build in before after; do
    bin=$before
    [ $build = after ] && bin=$after
    d=$(mktemp -d)
    start "$bin" "$d"
    "$bench" bigboard --url "ws://127.0.0.1:$ws_port/" --room big --shapes "$shapes" \
      --delta-ops "$changes" --repeat 1 >/dev/null 2>&1
    stop
    start "$bin" "$d"
    first=$(join_ms)
    second=$(join_ms)
    stop
    size=$(du -sk "$d" | cut -f1)
    rm -rf "$d"
    echo "$build $first $second $size" >>"$results"
    echo "round $round: $build: first join ${first} ms, second ${second} ms, data dir ${size} KiB"
  done
done

echo
python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for build in ("before", "after"):
    r = [list(map(float, x[1:])) for x in rows if x[0] == build]
    first, second, size = (statistics.median(c) for c in zip(*r))
    print(f"{build:6}: first join {first:7.1f} ms, second {second:6.1f} ms, "
          f"load ~{first - second:6.1f} ms, data dir {size / 1024:.1f} MiB (medians)")
EOF
