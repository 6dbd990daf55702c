"""Semantic comparison of sqlquarry's Arrow columns with ClickHouse's own Arrow output.

Both sides are first turned into the same plain Python values, per declared type
(canonical()): integers as int, floats as float (compared bit for bit, any NaN equal to
any NaN), decimals as Decimal, instants and durations as integer nanoseconds, strings as
UTF-8 bytes on ClickHouse's side, addresses parsed. Then values are compared recursively
(compare()), with the JSON cell that was decoded alongside, so that a value the JSON
itself lost is recognised by looking at the JSON, never by its type."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import math
import struct
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pyarrow as pa

from .types import INTERVALS, INTS, T

NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


# The zone of DateTime columns that declare none, per rendering: UTC, but "simple_tz" is
# ClickHouse's default JSON from a server whose zone is New York (the client is told).
SERVER_ZONES = {"simple_tz": "America/New_York"}


def server_zone(rendering: str) -> str:
    return SERVER_ZONES.get(rendering, "UTC")


class Obj(list):
    """A JSON object as its (key, value) pairs, in order, duplicates kept."""


@dataclass
class Mismatch:
    kind: str  # value, type, metadata, decode, polars, pandas
    rendering: str
    column: str
    declared: str
    row: int | None = None
    path: str = ""
    ours: object = None
    truth: object = None
    cell: object = None  # the JSON text the decoder read for this value
    note: str = ""
    via: str = "query"  # query(), iter_batches() or _decode_roe_body()


@dataclass
class Checked:
    """What comparing one column in one rendering found."""

    values: int = 0
    lossy: list[str] = field(default_factory=list)  # why each lenient value was lenient
    mismatches: list[Mismatch] = field(default_factory=list)


# --- both sides as plain values -------------------------------------------------------------


def canonical(arr: pa.Array, t: T, leaf) -> list:
    """Python values of `arr` shaped like `t`: lists for Array, (key, value) pair lists for
    Map, lists for Tuple, `leaf(array, type)` for the scalars; None for NULL."""
    s = t.strip()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if s.name in ("Array", "Map"):
        offsets = arr.offsets.to_pylist()
        if s.name == "Array":
            inner = canonical(arr.values, s.args[0], leaf)
        else:
            keys, values = arr.values.flatten()
            pairs = canonical(keys, s.args[0], leaf), canonical(values, s.args[1], leaf)
            inner = list(zip(*pairs, strict=True))
        out = [inner[offsets[i] : offsets[i + 1]] for i in range(len(arr))]
    elif s.name == "Tuple":
        parts = [canonical(f, c, leaf) for f, c in zip(arr.flatten(), s.args, strict=True)]
        out = (
            [list(row) for row in zip(*parts, strict=True)]
            if parts
            else [[] for _ in range(len(arr))]
        )
    else:
        out = leaf(arr, s)
    valid = arr.is_valid().to_pylist()
    return [v if ok else None for v, ok in zip(out, valid, strict=True)]


def ours_leaf(arr: pa.Array, t: T) -> list:
    """sqlquarry's representations (docs/types.md)."""
    n = t.name
    if pa.types.is_timestamp(arr.type) or pa.types.is_duration(arr.type):
        return _scaled(arr.cast(pa.int64()).to_pylist(), NS[arr.type.unit])
    if n in ("Date", "Date32"):
        return arr.cast(pa.int32()).to_pylist()
    values = arr.to_pylist()
    if n in INTS and INTS[n][1] > 64:
        return [None if v is None else int(v) for v in values]  # Decimal or exact text
    return values


def truth_leaf(arr: pa.Array, t: T) -> list:
    """ClickHouse's Arrow representations, asked for with the types of types.truth()."""
    n = t.name
    if n in INTS and INTS[n][1] > 64:
        signed = INTS[n][0]
        return [_int(b, signed) for b in arr.to_pylist()]
    if n == "BFloat16":  # the 16 high bits of a float32, little-endian
        return [None if b is None else struct.unpack("<f", b"\0\0" + b)[0] for b in arr.to_pylist()]
    if n in ("Date", "Date32"):
        return arr.cast(pa.int32()).to_pylist()
    if n in ("DateTime", "DateTime64"):
        if pa.types.is_timestamp(arr.type):
            return _scaled(arr.cast(pa.int64()).to_pylist(), NS[arr.type.unit])
        return _scaled(arr.to_pylist(), 10**9)  # DateTime: UInt32 seconds
    if n == "Bool":  # a SimpleAggregateFunction(f, Bool) arrives as its UInt8 byte
        return [None if v is None else bool(v) for v in arr.to_pylist()]
    if n == "Time":
        return _scaled(arr.to_pylist(), 10**9)
    if n in INTERVALS:  # a count of the interval's unit
        unit, times = INTERVALS[n] or ("ns", 0)
        return _scaled(arr.to_pylist(), NS[unit] * times) if times else arr.to_pylist()
    if n == "Time64":
        return [None if v is None else int(v.scaleb(9)) for v in arr.to_pylist()]
    values = arr.to_pylist()
    if n == "UUID":
        return [
            None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=v))
            for v in values
        ]
    if n == "IPv4":
        return [None if v is None else ipaddress.IPv4Address(v) for v in values]
    if n == "IPv6":
        return [None if v is None else ipaddress.IPv6Address(v) for v in values]
    if n in ("Enum8", "Enum16"):
        labels = {value: label for label, value in t.enum}
        return [labels.get(v, v) if isinstance(v, int) else v for v in values]
    return values


def _int(b: bytes | None, signed: bool) -> int | None:
    return None if b is None else int.from_bytes(b, "little", signed=signed)


def _scaled(values: list, factor: int) -> list:
    return [None if v is None else v * factor for v in values]


# --- comparison -------------------------------------------------------------------------


def compare(t: T, ours, truth, cell, path: str, rendering: str, found: Checked, report) -> None:
    """Compare one value; `report(path, ours, truth, cell, note)` records a mismatch."""
    s = t.strip()
    if s.name not in ("Array", "Map", "Tuple"):
        found.values += 1
        why_lossy = lossy(t, truth, cell, rendering)
        if why_lossy:
            found.lossy.append(why_lossy)
            expected = lenient_expectation(t, cell, rendering)
            if not (
                ours is expected
                or (ours is not None and expected is not None and same(s, ours, expected))
            ):
                note = f"lossy: {why_lossy}; from the JSON, expected {show(s, expected)}"
                report(path, ours, truth, cell, note)
        elif ours is None or truth is None:
            if ours is not truth:
                report(path, ours, truth, cell, "NULL on one side only")
        elif not same(s, ours, truth):
            report(path, ours, truth, cell, "")
        return
    if ours is None or truth is None:
        if ours is not truth:
            report(path, ours, truth, cell, "NULL on one side only")
        return
    if len(ours) != len(truth):
        note = f"{len(ours)} elements, ClickHouse has {len(truth)}"
        if isinstance(cell, list) and len(cell) != len(truth):
            note += f"; the JSON has {len(cell)}"
        report(path, ours, truth, cell, note)
        return
    for i, (o, w) in enumerate(zip(ours, truth, strict=True)):
        if s.name == "Array":
            compare(s.args[0], o, w, _item(cell, i), f"{path}[{i}]", rendering, found, report)
        elif s.name == "Map":
            key_cell = cell[i][0] if isinstance(cell, Obj) and i < len(cell) else None
            if s.args[0].strip().name in ("Array", "Tuple", "Map") and isinstance(key_cell, str):
                key_cell = text_form(key_cell)
            here = f"{path}{{{i}}}"
            compare(s.args[0], o[0], w[0], key_cell, here + ".key", rendering, found, report)
            compare(s.args[1], o[1], w[1], _item(cell, i), here, rendering, found, report)
        else:
            compare(s.args[i], o, w, _item(cell, i), f"{path}.{i + 1}", rendering, found, report)


def text_form(text: str):
    """ClickHouse's text form of a value (how JSON output writes a Map key that is an
    Array or a Tuple: `(1,'it\\'s')`) as the Python value of the JSON it stands for."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "'":
            raw, i = bytearray(), i + 1
            while text[i] != "'" or text[i + 1 : i + 2] == "'":
                if text[i] == "'":
                    raw += b"'"
                    i += 2
                elif text[i] == "\\":
                    e = text[i + 1]
                    if e == "x":
                        raw.append(int(text[i + 2 : i + 4], 16))
                        i += 4
                        continue
                    escapes = {
                        "n": b"\n",
                        "t": b"\t",
                        "r": b"\r",
                        "0": b"\0",
                        "b": b"\b",
                        "f": b"\f",
                    }
                    raw += escapes.get(e, e.encode())
                    i += 2
                else:
                    raw += text[i].encode()
                    i += 1
            out.append(json.dumps(raw.decode(errors="replace")))
            i += 1
        elif c in "()":
            out.append("[" if c == "(" else "]")
            i += 1
        elif c in "[]{},: ":
            out.append(c)
            i += 1
        else:
            j = i
            while j < len(text) and text[j] not in ",)]}: ":
                j += 1
            out.append(_text_word(text[i:j]))
            i = j
    return json.loads("".join(out), object_pairs_hook=Obj)


def _text_word(word: str) -> str:
    """A bare word of the text form as JSON: NULL, booleans, numbers; nan and inf as the
    strings the JSON output would use."""
    if word in ("NULL", "true", "false"):
        return "null" if word == "NULL" else word
    return word if math.isfinite(float(word)) else json.dumps(word)


def _item(cell, i: int):
    if isinstance(cell, Obj):
        return cell[i][1] if i < len(cell) else None
    return cell[i] if isinstance(cell, list) and i < len(cell) else None


def same(t: T, ours, truth) -> bool:
    fam = t.family
    if fam in ("float", "bfloat16"):
        return isinstance(ours, float) and same_float(ours, truth)
    if fam in ("string", "fixedstring"):
        return isinstance(ours, str) and ours.encode() == truth
    if fam == "ip":
        try:
            return ipaddress.ip_address(ours) == truth
        except ValueError:
            return False
    if fam == "decimal":
        return isinstance(ours, Decimal) and ours == truth
    return type(ours) is type(truth) and ours == truth


def same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return struct.pack("<d", a) == struct.pack("<d", b)  # -0.0 is not 0.0


# --- values the JSON itself lost --------------------------------------------------------------


def lossy(t: T, truth, cell, rendering: str) -> str | None:
    """Why this value cannot be recovered from its JSON, judged from the JSON text."""
    s = t.strip()
    fam = s.family
    if fam in ("string", "fixedstring") and isinstance(cell, str) and "\ufffd" in cell:
        try:
            truth.decode()
        except (UnicodeDecodeError, AttributeError):
            return f"{s.name} bytes that are not UTF-8 became U+FFFD"
    if fam in ("float", "bfloat16") and cell is None and isinstance(truth, float):
        if not math.isfinite(truth):
            return f"{truth} was written as null"
    if (
        fam in ("datetime", "datetime64")
        and rendering.startswith("simple")
        and isinstance(cell, str)
    ):
        zone = s.zone or server_zone(rendering)
        instants = _instants(cell, zone)
        if len(instants) == 2:
            return f"wall time {cell} is repeated in {zone} (a DST change)"
        if not instants:
            # ClickHouse wrote a time the zone skips (its own tables disagree with the tz
            # database there): the JSON does not name the instant ClickHouse holds.
            return f"wall time {cell} does not exist in {zone}"
    return None


def lenient_expectation(t: T, cell, rendering: str):
    """What a faithful decoder makes of a lossy cell (docs/types.md): the text as sent; for
    null in a float column NULL if Nullable, else NaN; for a repeated wall time the earlier
    of its two instants; for a skipped one the offset before the gap."""
    s = t.strip()
    if s.family in ("string", "fixedstring"):
        return cell.encode()
    if cell is None:
        return None if t.nullable else math.nan
    zone = s.zone or server_zone(rendering)
    instants = _instants(cell, zone) or [_instant(cell, zone, 0)]
    return min(instants)


def _instants(cell: str, zone: str) -> list[int]:
    """The instants (ns) whose wall time in `zone` is `cell`: one, two (a fold), none (a gap)."""
    found = set()
    for fold in (0, 1):
        ns = _instant(cell, zone, fold)
        secs = ns // 10**9
        back = (EPOCH + dt.timedelta(seconds=secs)).astimezone(ZoneInfo(zone))
        if back.replace(tzinfo=None) == dt.datetime.fromisoformat(cell[:19]):
            found.add(ns)
    return sorted(found)


def _instant(cell: str, zone: str, fold: int) -> int:
    """`cell`'s wall time in `zone` as ns since the epoch; `fold` picks the offset (PEP 495:
    in a gap, 0 is the offset before it)."""
    wall = dt.datetime.fromisoformat(cell[:19]).replace(tzinfo=ZoneInfo(zone), fold=fold)
    fraction = cell[20:]
    seconds = (wall - EPOCH) // dt.timedelta(seconds=1)
    return seconds * 10**9 + (int(fraction.ljust(9, "0")) if fraction else 0)


# --- readable values for messages -------------------------------------------------------


def show(t: T, v) -> str:
    """A value as a person reads it: instants in UTC, bytes as bytes."""
    if v is None or isinstance(v, (list, tuple)):
        return repr(v)
    fam = t.strip().family
    if fam in ("datetime", "datetime64") and isinstance(v, int):
        secs, ns = divmod(v, 10**9)
        text = (EPOCH + dt.timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{text}.{ns:09d}Z" if ns else text + "Z"
    if fam == "time" and isinstance(v, int):
        return f"{Decimal(v).scaleb(-9).normalize()} s"
    if isinstance(v, float):
        return repr(v) if math.isnan(v) else f"{v!r} ({struct.pack('>d', v).hex()})"
    return (
        repr(v)
        if not isinstance(v, (Decimal, ipaddress.IPv4Address, ipaddress.IPv6Address))
        else str(v)
    )
