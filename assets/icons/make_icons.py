#!/usr/bin/env python3
"""Draw CoCo's app icons with the standard library only (no PIL on CI).

Four quarter discs, one per seat colour, on a white rounded square. Each
pixel is sampled on a 4x4 grid so the curves are anti-aliased at every size.
Run from anywhere: `python3 assets/icons/make_icons.py`.
"""

import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {"32x32.png": 32, "128x128.png": 128, "256x256.png": 256, "512x512.png": 512}
# Seat colours, clockwise from the top left.
RED, BLUE, GREEN, ORANGE = (0xE0, 0x31, 0x31), (0x19, 0x71, 0xC2), (0x2F, 0x9E, 0x44), (0xF0, 0x8C, 0x00)
WHITE, BORDER = (0xFF, 0xFF, 0xFF), (0xDE, 0xE2, 0xE6)
SAMPLES = 4


def colour_at(x, y):
    """Colour of the point (x, y) in the unit square, or None outside the icon."""
    radius, border = 0.2, 0.025
    dx = max(radius - x, 0.0, x - (1 - radius))
    dy = max(radius - y, 0.0, y - (1 - radius))
    corner = (dx * dx + dy * dy) ** 0.5
    if corner > radius:
        return None
    if corner > radius - border or min(x, y, 1 - x, 1 - y) < border:
        return BORDER
    cx, cy, gap, disc = x - 0.5, y - 0.5, 0.03, 0.36
    if abs(cx) < gap or abs(cy) < gap or cx * cx + cy * cy > disc * disc:
        return WHITE
    if cy < 0:
        return RED if cx < 0 else BLUE
    return ORANGE if cx < 0 else GREEN


def pixel(px, py, size):
    """Average of SAMPLES x SAMPLES points, as straight (non-premultiplied) RGBA."""
    r = g = b = a = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            c = colour_at((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size)
            if c is not None:
                r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
    if a == 0:
        return b"\0\0\0\0"
    return bytes((round(r / a), round(g / a), round(b / a), round(255 * a / SAMPLES**2)))


def png(size):
    """An 8-bit RGBA PNG, which is what Tauri's icon loader expects."""
    rows = b"".join(b"\0" + b"".join(pixel(x, y, size) for x in range(size)) for y in range(size))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for name, size in SIZES.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(png(size))
