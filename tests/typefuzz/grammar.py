"""Random ClickHouse column types from the whole grammar of docs/types.md, nested up to
three levels. Only combinations ClickHouse accepts are built on purpose; anything it still
refuses is caught where the table is created and that column is drawn again."""

from __future__ import annotations

import random

from .types import INTERVALS, INTS, SHAPES, T, quote_name

# DST north and south, half-hour and 45-minute offsets, a 30-minute DST (Lord Howe),
# negative DST (Dublin), offsets with seconds in their history (Monrovia, Kolkata).
ZONES = """UTC Europe/Amsterdam America/New_York Australia/Sydney America/Santiago Asia/Tokyo
    Africa/Monrovia Asia/Kolkata Pacific/Chatham Australia/Lord_Howe Europe/Dublin
    America/St_Johns Asia/Kathmandu Pacific/Apia""".split()
# Enum labels and tuple element names that need quoting or are not ASCII.
LABELS = ("a", "b", "it's", "back\\slash", "é", "日本", "😀", "a b", "", "=", "x,y", "(")
NAMES = ("a", "b", "x1", "a b", "é", "select", "1st", "with`tick", "UPPER", "_u", "名前")
# LowCardinality wraps numbers, strings, Date and DateTime (and UUID, IPs, Time) only.
LC_OK = (
    *INTS,
    *"""Float32 Float64 BFloat16 Bool String FixedString Date Date32 DateTime UUID
    IPv4 IPv6 Time""".split(),
)


FAMILIES = (
    *("int", "int", "float", "decimal", "decimal", "bool", "string", "fixed", "uuid", "ip"),
    *("enum", "date", "datetime", "datetime64", "datetime64", "time", "interval", "geometry"),
)


def scalar(rng: random.Random) -> T:
    """One scalar type, every family about equally likely."""
    family = rng.choice(FAMILIES)
    if family == "int":
        return T(rng.choice(list(INTS)))
    if family == "float":
        return T(rng.choice(["Float32", "Float64", "BFloat16"]))
    if family == "decimal":
        p = rng.choice([1, 9, 10, 18, 19, 38, 39, 76, rng.randint(1, 76)])
        s = rng.choice([0, p, rng.randint(0, p)])
        return T("Decimal", (p, s))
    if family == "bool":
        return T("Bool")
    if family == "string":
        return T("String")
    if family == "fixed":
        return T("FixedString", (rng.randint(1, 16),))
    if family == "uuid":
        return T("UUID")
    if family == "ip":
        return T(rng.choice(["IPv4", "IPv6"]))
    if family == "enum":
        return enum(rng)
    if family == "date":
        return T(rng.choice(["Date", "Date32"]))
    if family == "datetime":
        return T("DateTime", (rng.choice(ZONES),) if rng.random() < 0.8 else ())
    if family == "datetime64":
        p = rng.randint(0, 9)
        return T("DateTime64", (p, rng.choice(ZONES)) if rng.random() < 0.8 else (p,))
    if family == "interval":
        return T(rng.choice(list(INTERVALS)))
    if family == "geometry":
        return T(rng.choice([n for n in SHAPES if n != "Nested"]))
    return T("Time") if rng.random() < 0.3 else T("Time64", (rng.randint(0, 9),))


def enum(rng: random.Random) -> T:
    wide = rng.random() < 0.5
    lo, hi = (-32768, 32767) if wide else (-128, 127)
    labels = rng.sample(LABELS, rng.randint(1, 5))
    values = rng.sample([lo, hi, 0, 1, -1, *rng.sample(range(lo, hi + 1), 5)], len(labels))
    spelled = ", ".join(
        "'" + label.replace("\\", "\\\\").replace("'", "\\'") + f"' = {v}"
        for label, v in zip(labels, values, strict=True)
    )
    items = tuple(zip(labels, values, strict=True))
    return T("Enum16" if wide else "Enum8", enum=items, spelled=spelled)


def wrapped_scalar(rng: random.Random) -> T:
    t = scalar(rng)
    if t.name in SHAPES or t.name in INTERVALS:
        return t  # Nullable(Ring), Nullable(IntervalDay): refused or rare
    if rng.random() < 0.03:
        return T("SimpleAggregateFunction", (T("any"), t))
    if t.name in LC_OK and rng.random() < 0.15:
        return T("LowCardinality", (T("Nullable", (t,)) if rng.random() < 0.4 else t,))
    return T("Nullable", (t,)) if rng.random() < 0.25 else t


def column(rng: random.Random, depth: int = 0) -> T:
    """A column type: composites down to three levels, scalars below."""
    if depth < 3 and rng.random() < (0.5, 0.35, 0.2)[depth]:
        kind = rng.choice(["Array", "Array", "Map", "Tuple", "Tuple", "Nested"])
        if kind == "Array":
            return T("Array", (column(rng, depth + 1),))
        if kind == "Map":
            return T("Map", (map_key(rng), column(rng, depth + 1)))
        items = tuple(column(rng, depth + 1) for _ in range(rng.randint(1, 4)))
        names = None
        if kind == "Nested" or rng.random() < 0.5:
            names = tuple(quote_name(n) for n in rng.sample(NAMES, len(items)))
        if kind == "Nested":
            return T("Nested", items, names)
        t = T("Tuple", items, names)
        return T("Nullable", (t,)) if rng.random() < 0.3 else t
    return wrapped_scalar(rng)


def map_key(rng: random.Random) -> T:
    """Map keys: not Nullable; LowCardinality(String) is the common non-plain one. An Array
    or Tuple key is legal too: ClickHouse's JSON writes it as its text, "[1,2]" or "(1,'a')"."""
    r = rng.random()
    if r < 0.15:
        return T("LowCardinality", (T("String"),))
    if r < 0.18:
        return T("Array", (scalar(rng),)) if r < 0.165 else T("Tuple", (scalar(rng), scalar(rng)))
    t = scalar(rng)
    return t if t.name not in SHAPES else T("String")


def schema(rng: random.Random, n: int) -> list[tuple[str, T]]:
    return [(f"c{i}", column(rng)) for i in range(n)]
