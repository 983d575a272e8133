#!/usr/bin/env bash
# Builds and runs CoCo (release build). With a display it opens the desktop
# window; without one, or with --headless, it runs the host alone, built
# without any GUI library. Extra arguments go to `coco` (see `coco --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

headless=false
for arg in "$@"; do
    if [ "$arg" = "--headless" ]; then headless=true; fi
done
if ! has_display; then headless=true; fi

if [ "$headless" = true ]; then
    ensure_packages "${BUILD_PACKAGES[@]}"
    cargo build --release --locked --no-default-features
    if [[ " $* " != *" --headless "* ]]; then set -- --headless "$@"; fi
else
    ensure_packages "${BUILD_PACKAGES[@]}" "${DESKTOP_PACKAGES[@]}"
    cargo build --release --locked
fi
exec target/release/coco "$@"
