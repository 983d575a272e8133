#!/usr/bin/env bash
# Builds the desktop app's Debian package with the Tauri CLI, offline.
# The .deb lands in target/release/bundle/deb/. Extra arguments go to
# `cargo tauri build`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}" "${DESKTOP_PACKAGES[@]}" file
if ! cargo tauri --version >/dev/null 2>&1; then
    section "Installing the Tauri CLI"
    cargo install tauri-cli --version '^2' --locked
fi

section "Building the .deb"
cargo tauri build --bundles deb "$@"
ls -l target/release/bundle/deb/*.deb
