"""Small real PNG images for tests (a plot drawn pixel by pixel, no matplotlib needed)."""

from __future__ import annotations

import struct
import zlib

PLOT_CELL = """\
import struct, zlib
from IPython.display import Image

def _png(w, h, dots):
    rows = b"".join(
        b"\\x00" + b"".join(b"\\x20\\x60\\xc0" if (x, y) in dots else b"\\xff\\xff\\xff"
                         for x in range(w)) for y in range(h))
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    head = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", head)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

plot = Image(data=_png(40, 30, {(x, 29 - (x * 3) // 4) for x in range(40)}))
plot"""
"""A cell that shows a small line plot (an ``IPython.display.Image`` as its result)."""


def png(width: int = 8, height: int = 6) -> bytes:
    """Return a real PNG of a diagonal line, ``width`` x ``height`` pixels."""
    rows = b"".join(
        b"\x00" + b"".join(b"\x00\x00\x00" if x == y else b"\xff\xff\xff" for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
