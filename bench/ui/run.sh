#!/usr/bin/env bash
# UI benchmarks against a real host: time to board, asset bytes, remote stroke
# latency, frame times while panning a big board. Reuses tests/e2e's
# node_modules (playwright-core) and Debian's /usr/bin/chromium.
# Host binary: $COCO_BIN, else target/release/coco, else target/debug/coco.
# Usage: bash bench/ui/run.sh [ready|latency|pan|slider|huge ...]   (default: all five)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[ -x /usr/bin/chromium ] || { echo "needs /usr/bin/chromium (apt-get install chromium)" >&2; exit 1; }
if [ ! -d "$repo/tests/e2e/node_modules/playwright-core" ]; then
  (cd "$repo/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Node 20 has a WebSocket client only behind this flag (the big-board loader uses it).
exec node --experimental-websocket --no-warnings "$here/bench.js" "$@"
