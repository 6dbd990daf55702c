"""Progress of a long call, for ``progress=``: ``True`` shows a bar (tqdm's, when tqdm is
installed, else one rewritten line on stderr); a callable receives :class:`Progress`
objects instead. The core calls the sink on each state change and at most every 100 ms."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, TextIO

__all__ = ["Progress"]


@dataclasses.dataclass(frozen=True)
class Progress:
    """Where a call stands.

    ``state`` is ``sending``, then the service's status word while its job runs
    (``PENDING``, ``STARTED``, ``running``...), ``downloading`` once the result arrives, and
    ``done`` or ``failed`` at the end. ``elapsed`` is seconds since the call began,
    ``bytes`` the response bytes received, ``rows`` the rows decoded so far.
    """

    state: str
    elapsed: float
    bytes: int
    rows: int
    query_id: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the call is over (``done`` or ``failed``)."""
        return self.state in ("done", "failed")

    def describe(self) -> str:
        """One line: ``downloading 1.2 s, 13.4 MB, 100,000 rows``."""
        parts = [f"{self.elapsed:.1f} s"]
        if self.bytes:
            parts.append(_size(self.bytes))
        if self.rows:
            parts.append(f"{self.rows:,} rows")
        return f"{self.state} " + ", ".join(parts)


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    size = float(n)
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def default_sink() -> Any:
    """The display ``progress=True`` asks for."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return LineSink(sys.stderr)
    return TqdmSink(tqdm)


class TqdmSink:
    """A tqdm bar counting bytes, with the state and rows beside it."""

    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm
        self._bar: Any = None

    def __call__(self, p: Progress) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=None, unit="B", unit_scale=True, leave=True)
        self._bar.set_description(p.state, refresh=False)
        self._bar.set_postfix(rows=f"{p.rows:,}", refresh=False)
        self._bar.update(p.bytes - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class LineSink:
    """One line on `stream`, rewritten in place (``\\r``) as the call goes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._width = 0

    def __call__(self, p: Progress) -> None:
        line = "sqlquarry: " + p.describe()
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def close(self) -> None:
        if self._width:
            self._stream.write("\n")
            self._stream.flush()
