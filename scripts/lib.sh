# shellcheck shell=bash
# Helpers shared by the scripts in this folder: source it, do not run it.
#
# Each script installs what it needs and nothing that is already there, so the
# same script works on a fresh Debian 12 machine (CI) and on a developer's.

# The package lists are used by the scripts that source this file.
# shellcheck disable=SC2034

# Debian packages a Rust build with C dependencies needs.
# `nasm` assembles OpenH264's optimised kernels (the `openh264` crate builds it).
BUILD_PACKAGES=(build-essential pkg-config curl nasm)
# What Tauri 2's desktop window builds against: WebKitGTK 4.1 and GTK 3, with
# the tray (appindicator) and SVG icon libraries Tauri loads at run time.
DESKTOP_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev)
# What the tests use: a virtual display for the window, `ip` for network
# namespaces, `ffprobe`/`ffmpeg` to check rendered videos with a real decoder,
# `zbarimg` to read QR codes; for the desktop app's test a small window
# manager, `xdotool`/`wmctrl`/`xwininfo` to drive the window and ImageMagick's
# `import` for screenshots.
TEST_PACKAGES=(xvfb xauth iproute2 ffmpeg zbar-tools matchbox-window-manager xdotool wmctrl x11-utils imagemagick webkit2gtk-driver)

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

section() {
    printf '\n==== %s ====\n' "$*"
}

# Installs those of the given Debian packages that are not installed yet; runs
# `apt-get update` only when something is missing.
ensure_packages() {
    local missing=() package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    echo "Installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# True when a window can be shown: an X11 or Wayland display is set.
has_display() {
    [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]
}
