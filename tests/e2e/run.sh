#!/usr/bin/env bash
# Browser tests of the web UI against a real host binary.
# Expects a built host: $COCO_BIN, else target/debug/coco (serves ui/ from
# disk, so it is always current), else target/release/coco (ui/ baked in).
set -euo pipefail
cd "$(dirname "$0")"
repo="$(cd ../.. && pwd)"

# Debian's Chromium drives the tests; zbarimg checks the QR code.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -z "${COCO_BIN:-}" ]; then
  if [ -x "$repo/target/debug/coco" ]; then COCO_BIN="$repo/target/debug/coco"
  elif [ -x "$repo/target/release/coco" ]; then COCO_BIN="$repo/target/release/coco"
  else echo "no host binary: build it (cargo build --release --no-default-features --bin coco) or set COCO_BIN" >&2; exit 1
  fi
fi
export COCO_BIN
echo "host binary: $COCO_BIN" >&2

npm ci --no-audit --no-fund --loglevel=error
node node_modules/typescript/bin/tsc --noEmit -p tsconfig.json
mkdir -p artifacts
# One file at a time: the machine has two cores and each file runs browsers.
node --test --test-concurrency=1 ./*.test.js
