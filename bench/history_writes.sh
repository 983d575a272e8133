#!/usr/bin/env bash
# Acked ops/s and ack p99 with history on and off, alternating, with the same
# release build (history off: --history-budget-mb 0). Ports 18601/18680.
#   bash bench/history_writes.sh
set -u
bin=/work/main/target/release
for round in 1 2; do
  for mode in off on; do
    d=$(mktemp -d)
    if [ $mode = off ]; then flag="--history-budget-mb 0"; else flag=""; fi
    $bin/coco --headless --no-mdns --data-dir $d --port 18601 --ws-port 18680 --bind 127.0.0.1 $flag >/dev/null 2>&1 &
    pid=$!
    for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:18601/api/health && break; sleep 0.1; done
    out=$($bin/coco-bench --json writes --url ws://127.0.0.1:18680/ --writers 4 --window 64 --seconds 5 2>/dev/null)
    echo "$round $mode $(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["acked_per_sec"], v["latency"]["p99_us"])')"
    kill -TERM $pid; wait $pid 2>/dev/null
    rm -rf $d
  done
done
