"""Render a statement's rows as the `result_rows` JSON text in one of two encodings.

* "native": ClickHouse's JSON as is (numbers are JSON numbers with all digits).
* "string": what a Python backend that calls str() on every value would send:
  scalars become JSON strings, nulls stay null, arrays/maps/tuples stay native.
"""

from __future__ import annotations

import gc
import json
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from ._engine import SERVER_TIMEZONE, StatementResult

ENCODINGS = ("native", "string")

# Columns whose cells are JSON numbers (or "nan"/"inf" strings).
_NUMBER_TYPES = re.compile(r"U?Int\d+|Decimal\d*(?:\(.*\))?|Float\d+|BFloat16")
# Columns whose cells are already JSON strings that str() would not change.
_PLAIN_TYPES = re.compile(
    r"String|FixedString\(\d+\)|UUID|Date|Date32|Enum\d*\(.*\)|IPv4|IPv6"
    r"|Time|Time64\(\d+\)|Nothing"
)
# DateTime, DateTime('Asia/Tokyo'), DateTime64(3), DateTime64(3, 'UTC').
_DATETIME = re.compile(r"DateTime(?:64)?(?:\((?:\d+)?(?:,?\s*'([^']+)')?\))?")
_WRAPPERS = re.compile(r"(?:Nullable|LowCardinality)\((.*)\)")
_UTC_NAMES = frozenset(
    {
        "UTC",
        "Etc/UTC",
        "GMT",
        "Etc/GMT",
        "UCT",
        "Etc/UCT",
        "Universal",
        "Etc/Universal",
        "Zulu",
        "Etc/Zulu",
    }
)


def encode_rows(result: StatementResult, encoding: str) -> bytes:
    """The JSON array text of `result`'s rows in `encoding`."""
    if encoding == "native":
        return result.rows_text
    if encoding != "string":
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    return _encode_strings(result)


class _Num(str):
    """Exact text of a JSON number, so nested values can be written back unchanged."""

    __slots__ = ()


class _Raw(str):
    """Already serialised JSON text for a nested value."""

    __slots__ = ()


class _Pairs(list):
    """A JSON object's (key, value) pairs in order: a Map may repeat a key, which a dict
    would silently merge."""

    __slots__ = ()


def _encode_strings(result: StatementResult) -> bytes:
    if result.rows == 0:
        return b"[]"
    # Parsing a million rows allocates millions of containers, and the cyclic
    # GC would rescan them over and over; none of them can form a cycle.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _encode_parsed(result)
    finally:
        if gc_was_enabled:
            gc.enable()


def _encode_parsed(result: StatementResult) -> bytes:
    columns = [(i, conv) for i, t in enumerate(result.types) if (conv := _converter(t))]
    nested = any(conv is _generic for _, conv in columns)
    # One C-level parse of the whole array; numbers keep their exact text.
    # Inside nested values numbers must stay numbers, hence the _Num marker
    # there; otherwise plain str is cheaper.
    as_text = _Num if nested else str
    rows = json.loads(
        result.rows_text, parse_int=as_text, parse_float=as_text, object_pairs_hook=_Pairs
    )
    # Column by column, with the common cases inlined: a tight loop per
    # column is far cheaper than a call per cell on a million rows.
    for i, conv in columns:
        if conv is _number:
            if b"-nan" in result.rows_text:
                for row in rows:
                    if row[i] == "-nan":
                        # x86 ClickHouse prints 0/0 as "-nan"; str() never does.
                        row[i] = "nan"
        elif conv is _boolean:
            for row in rows:
                value = row[i]
                if value is not None:
                    row[i] = "True" if value else "False"
        elif conv is _utc_text:
            for row in rows:
                value = row[i]
                if value is not None:
                    row[i] = value[:10] + " " + value[11:].rstrip("Z") + "+00:00"
        else:
            for row in rows:
                value = row[i]
                if value is not None:
                    row[i] = conv(value)
    if not nested:
        # Every cell is now a str or None: the C encoder does the rest.
        return json.dumps(rows, separators=(",", ":")).encode()
    return ("[" + ",".join(_row_text(row) for row in rows) + "]").encode()


def _row_text(row: list) -> str:
    parts = []
    for value in row:
        if value is None:
            parts.append("null")
        elif type(value) is _Raw:
            parts.append(value)
        else:
            parts.append(json.dumps(value))
    return "[" + ",".join(parts) + "]"


def _converter(type_name: str):
    """How one column's cells change, or None when they pass as they are."""
    inner = type_name
    while m := _WRAPPERS.fullmatch(inner):
        inner = m.group(1)
    if m := _DATETIME.fullmatch(inner):
        return _datetime_converter(m.group(1) or SERVER_TIMEZONE)
    if _NUMBER_TYPES.fullmatch(inner):
        return _number
    if inner == "Bool":
        return _boolean
    if _PLAIN_TYPES.fullmatch(inner):
        return None
    # Arrays, maps, tuples, JSON, Variant, Dynamic and anything unknown.
    return _generic


def _number(value):
    return "nan" if value == "-nan" else value


def _boolean(value):
    return "True" if value else "False"


def _generic(value):
    if value is True or value is False:
        return _boolean(value)
    if isinstance(value, list):  # _Pairs (objects) included
        return _Raw(_native_text(value))
    return str.__str__(value) if isinstance(value, _Num) else value


def _native_text(value) -> str:
    """Serialise a parsed nested value back to the JSON ClickHouse sent."""
    if isinstance(value, _Num):
        return str.__str__(value)
    if isinstance(value, (_Pairs, dict)):
        pairs = value.items() if isinstance(value, dict) else value
        items = (json.dumps(k) + ":" + _native_text(v) for k, v in pairs)
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_native_text(v) for v in value) + "]"
    return json.dumps(value)


def _datetime_converter(zone: str):
    """ISO UTC text ("2024-11-03T05:30:00.5Z") -> Python's str() of the tz-aware value
    in the column's zone ("2024-11-03 01:30:00.5-04:00"), keeping ClickHouse's digits."""
    if zone in _UTC_NAMES:
        return _utc_text
    tz = ZoneInfo(zone)

    def convert(value: str) -> str:
        whole, fraction = value[:19], value[19:].rstrip("Z")
        local = _in_zone(whole, tz)
        return local.strftime("%Y-%m-%d %H:%M:%S") + fraction + _offset_text(local.utcoffset())

    return convert


def _utc_text(value: str) -> str:
    return value[:10] + " " + value[11:].rstrip("Z") + "+00:00"


@lru_cache(maxsize=65536)
def _in_zone(utc_seconds_text: str, tz: ZoneInfo) -> datetime:
    utc = datetime.fromisoformat(utc_seconds_text).replace(tzinfo=timezone.utc)
    return utc.astimezone(tz)


@lru_cache(maxsize=1024)
def _offset_text(offset: timedelta | None) -> str:
    seconds = int((offset or timedelta(0)).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + f":{secs:02d}" if secs else text
