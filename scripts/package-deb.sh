#!/usr/bin/env bash
# Builds the desktop app's Debian package with the Tauri CLI, offline, and
# checks it: the package name, its size, the menu entry and the icons.
# The .deb lands in target/release/bundle/deb/. Extra arguments go to
# `cargo tauri build` (e.g. `--debug` for a quick look at the contents).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# Largest .deb accepted, in bytes: the app is one binary with the UI inside.
MAX_DEB_BYTES=$((15 * 1024 * 1024))

ensure_packages "${BUILD_PACKAGES[@]}" "${DESKTOP_PACKAGES[@]}" file
if ! cargo tauri --version >/dev/null 2>&1; then
    section "Installing the Tauri CLI"
    cargo install tauri-cli --version '^2' --locked
fi

section "Building the .deb"
cargo tauri build --bundles deb "$@"

profile=release
for arg in "$@"; do [ "$arg" = "--debug" ] && profile=debug; done
deb=$(ls -t target/"$profile"/bundle/deb/*.deb | head -n 1)

section "Checking $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
fail() { echo "error: $*" >&2; exit 1; }
[ "$(dpkg-deb --field "$deb" Package)" = coco ] || fail "the package is not called coco"
contents=$(dpkg-deb --contents "$deb")
for path in usr/bin/coco usr/share/applications/coco.desktop \
    usr/share/icons/hicolor/{32x32,128x128,256x256,512x512}/apps/coco.png; do
    grep -Eq " (\./)?$path\$" <<<"$contents" || fail "$path is missing from the package"
done
entry=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*usr/share/applications/coco.desktop')
echo "$entry"
for line in "Name=CoCo" "Exec=coco" "Icon=coco" "Type=Application" "Terminal=false"; do
    grep -qx "$line" <<<"$entry" || fail "the menu entry lacks $line"
done
size=$(stat -c %s "$deb")
if [ "$profile" = release ]; then
    [ "$size" -lt "$MAX_DEB_BYTES" ] || fail "the package is $size bytes, over $MAX_DEB_BYTES"
fi
echo "OK: $deb, $((size / 1024)) KiB (limit $((MAX_DEB_BYTES / 1024)) KiB)"
