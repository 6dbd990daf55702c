"""Helpers shared by the REST-style emulators (Slateo, AI for Database).

* Cursor pagination over an insertion-ordered store.  A cursor is the standard
  base64 (with padding) of `{"id":"<last id of the page>"}`, the shape of the
  cursor in Slateo's documentation; it stays valid when that item is deleted.
  Decoding also accepts the URL-safe alphabet and missing padding.
* Splicing pre-serialised row arrays into a response without parsing them.
* Result rows as JSON natives, with x86 ClickHouse's "-nan" written as "nan".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable

from ._encoding import _native_text, _Num
from ._engine import StatementResult

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

_FLOAT = re.compile(r"(?:Nullable\()?(?:Float\d+|BFloat16)\)?")


class PageError(ValueError):
    """A bad `limit` or `cursor` query parameter."""


def iso_seconds(unix: float) -> str:
    """ISO 8601 UTC to the second: "2024-01-15T10:30:00Z"."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


def iso_millis(unix: float) -> str:
    """ISO 8601 UTC to the millisecond: "2024-01-15T10:30:00.123Z"."""
    millis = round(unix * 1000)
    seconds, rest = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{rest:03d}Z"


def new_id(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:20] if prefix else str(uuid.uuid4())


def encode_cursor(ident: str) -> str:
    text = json.dumps({"id": ident}, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode()


def decode_cursor(cursor: str) -> str:
    text = cursor.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        decoded = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise PageError("Invalid cursor") from None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("id"), str):
        raise PageError("Invalid cursor")
    return decoded["id"]


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise PageError(f"limit must be an integer, not {raw!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise PageError(f"limit must be between 1 and {MAX_LIMIT}")
    return limit


class Store:
    """Objects by id in creation order, with keyset pagination.

    Not thread-safe: the owning server holds its lock around every call.
    """

    def __init__(self) -> None:
        self._items: dict[str, object] = {}
        # Positions outlive deletion, so a cursor naming a deleted item still works.
        self._position: dict[str, int] = {}

    def add(self, ident: str, item) -> None:
        self._items[ident] = item
        self._position.setdefault(ident, len(self._position))

    def get(self, ident: str):
        return self._items.get(ident)

    def pop(self, ident: str):
        return self._items.pop(ident, None)

    def values(self) -> list:
        return list(self._items.values())

    def clear(self) -> None:
        self._items.clear()
        self._position.clear()

    def __contains__(self, ident: str) -> bool:
        return ident in self._items

    def page(
        self, query: dict, where: Callable[[object], bool] | None = None
    ) -> tuple[list, str | None]:
        """(items, next cursor or None) for the `limit` and `cursor` of `query`."""
        limit = parse_limit(query.get("limit"))
        cursor = query.get("cursor") or None
        after = -1
        if cursor is not None:
            position = self._position.get(decode_cursor(cursor))
            if position is None:
                raise PageError("Invalid cursor")
            after = position
        chosen: list[tuple[str, object]] = []
        more = False
        for ident, item in self._items.items():
            if self._position[ident] <= after or (where is not None and not where(item)):
                continue
            if len(chosen) == limit:
                more = True
                break
            chosen.append((ident, item))
        next_cursor = encode_cursor(chosen[-1][0]) if more else None
        return [item for _, item in chosen], next_cursor


class RawJson:
    """Collects pre-serialised JSON texts to splice into a payload by placeholder."""

    def __init__(self) -> None:
        self._parts: dict[str, bytes] = {}

    def __call__(self, raw: bytes) -> str:
        """A placeholder to put in the payload where `raw` must go."""
        token = f"\x00raw-{uuid.uuid4().hex}\x00"
        self._parts[token] = raw
        return token

    def dumps(self, payload) -> bytes:
        text = json.dumps(payload).encode()
        for token, raw in self._parts.items():
            text = text.replace(json.dumps(token).encode(), raw, 1)
        return text


def result_rows(result: StatementResult) -> bytes:
    """The rows of `result` as a JSON array of JSON natives (ClickHouse's own text).

    Non-finite floats stay ClickHouse's strings "nan", "inf" and "-inf"; "-nan"
    (x86 ClickHouse's 0/0) in a Float column becomes "nan".
    """
    if b'"-nan"' not in result.rows_text:
        return result.rows_text
    floats = [i for i, t in enumerate(result.types) if _FLOAT.fullmatch(t)]
    if not floats:
        return result.rows_text
    rows = json.loads(result.rows_text, parse_int=_Num, parse_float=_Num)
    for row in rows:
        for i in floats:
            if row[i] == "-nan":
                row[i] = "nan"
    return ("[" + ",".join(_native_text(row) for row in rows) + "]").encode()


def sum_read_rows(results: Iterable[StatementResult]) -> int:
    return sum(r.read_rows for r in results)
