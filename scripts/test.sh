#!/usr/bin/env bash
# The project's checks, as CI runs them: formatting, lints for both builds
# (headless and desktop), then the tests. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# A clean clone builds everything once: incremental state would only take disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

section "Installing what is missing"
ensure_packages "${BUILD_PACKAGES[@]}" "${DESKTOP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
cargo --version

section "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

section "Lints, headless build (no GUI libraries)"
# The whole workspace: the app and the load tool in bench/tool.
cargo clippy --workspace --all-targets --no-default-features --locked -- -D warnings

section "Lints, desktop build (Tauri)"
cargo clippy --all-targets --locked -- -D warnings

# Doc tests first: nextest does not run them, and CI reads the test runner's
# last summary, which should be the one of the whole suite.
section "Doc tests, headless build"
cargo test --doc --no-default-features --locked

# The real app on a virtual display: window, title, a stroke drawn in it,
# exports, a second launch, closing (and the mDNS goodbye it sends, between
# two network namespaces). One test at a time: they share the display.
# Before the headless tests, so that the binary the browser tests use below
# is the headless one again.
section "Desktop app on a virtual display (tests/desktop.rs, tests/desktop_webdriver.rs)"
# WebDriver for Tauri apps: drives the app through WebKitGTK's own driver.
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version 2.0.6
xvfb-run -a -s "-screen 0 1400x900x24" \
    cargo test --locked --test desktop --test desktop_webdriver -- --nocapture --test-threads=1

section "Tests, headless build"
# The shaped-link test (bench/tool/tests/link) carries packets between two
# network namespaces through TUN devices; a container may lack the node.
if [ "$(id -u)" = 0 ] && [ ! -e /dev/net/tun ]; then
    mkdir -p /dev/net && mknod -m 600 /dev/net/tun c 10 200 || true
fi
if command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked; then
    cargo nextest run --workspace --no-default-features --locked --profile ci
else
    echo "cargo-nextest is not available: running cargo test instead"
    cargo test --workspace --all-targets --no-default-features --locked
fi

# The browser tests drive Debian's Chromium against the host binary the step
# above built (a debug build serves ui/ from disk, so it is always current).
section "Browser tests of the web UI (tests/e2e)"
COCO_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/coco" bash tests/e2e/run.sh
