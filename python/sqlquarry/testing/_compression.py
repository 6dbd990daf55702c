"""Content-Encoding for the emulators: the server's one configured encoding, used when the
client's Accept-Encoding allows it, as real services do (gzip by default).

gzip and deflate come with Python; br needs the ``brotli`` package and zstd the
``zstandard`` package (both in ``sqlquarry[testing]``). An encoding whose package is
missing is never chosen.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol

ENCODINGS = ("gzip", "deflate", "br", "zstd")

# Small answers are not worth compressing (real services have a threshold too).
MIN_BYTES = 1024


class Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...
    def flush(self) -> bytes: ...


def _module(encoding: str) -> Any:
    """The module behind a third-party encoding, or None when it is not installed."""
    try:
        if encoding == "br":
            import brotli

            return brotli
        if encoding == "zstd":
            import zstandard

            return zstandard
    except ImportError:
        return None
    return zlib


def available(encoding: str) -> bool:
    return encoding in ENCODINGS and _module(encoding) is not None


def check(encoding: str | None) -> str | None:
    """`encoding` if the emulator can serve it; ValueError says why not."""
    if encoding is None or available(encoding):
        return encoding
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown compression {encoding!r}; expected one of {ENCODINGS} or None")
    package = {"br": "brotli", "zstd": "zstandard"}[encoding]
    raise ValueError(
        f"compression {encoding!r} needs the {package} package (pip install {package})"
    )


def accepted(accept_encoding: str, encoding: str | None) -> bool:
    """Whether the Accept-Encoding header allows `encoding` (a q=0 refuses it)."""
    if encoding is None:
        return False
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in (encoding, "*"):
            continue
        q = params.strip()
        return not (q.startswith("q=") and _q(q[2:]) == 0.0)
    return False


def _q(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0


def compressor(encoding: str, level: int | None = None) -> Compressor:
    """A streaming compressor (`compress` piece by piece, then `flush`)."""
    if encoding == "gzip":
        return zlib.compressobj(1 if level is None else level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # HTTP's "deflate" is the zlib format (RFC 9110), not a raw deflate stream.
        return zlib.compressobj(1 if level is None else level)
    if encoding == "br":
        return _Brotli(_module("br").Compressor(quality=4 if level is None else level))
    if encoding == "zstd":
        return _module("zstd").ZstdCompressor(level=3 if level is None else level).compressobj()
    raise ValueError(f"unknown compression {encoding!r}")


def compress(data: bytes, encoding: str, level: int | None = None) -> bytes:
    c = compressor(encoding, level)
    return c.compress(data) + c.flush()


class _Brotli:
    """brotli's Compressor with the zlib-style method names."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def compress(self, data: bytes) -> bytes:
        return self._inner.process(data)

    def flush(self) -> bytes:
        return self._inner.finish()
