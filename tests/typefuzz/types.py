"""ClickHouse type names as trees: parse what ClickHouse declares, render it back verbatim,
and derive from a tree the Arrow type sqlquarry promises (docs/types.md) and the types
used to generate values and to ask ClickHouse for the truth."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

INTS = {f"{s}Int{b}": (s == "", b) for s in ("", "U") for b in (8, 16, 32, 64, 128, 256)}
WRAPPERS = ("Nullable", "LowCardinality", "SimpleAggregateFunction")
COMPOSITES = ("Array", "Map", "Tuple", "Nested")
# Arrow unit and multiplier of each interval (docs/types.md); None: a plain count.
INTERVALS = {
    "IntervalNanosecond": ("ns", 1),
    "IntervalMicrosecond": ("us", 1),
    "IntervalMillisecond": ("ms", 1),
    "IntervalSecond": ("s", 1),
    "IntervalMinute": ("s", 60),
    "IntervalHour": ("s", 3600),
    "IntervalDay": ("s", 86400),
    "IntervalWeek": ("s", 604800),
    "IntervalMonth": None,
    "IntervalQuarter": None,
    "IntervalYear": None,
}


@dataclass(frozen=True)
class T:
    """One node of a type. `args` holds children for wrappers and composites, and the
    parameters (numbers, zone) for leaves; `names` are a Tuple's element names as
    ClickHouse spells them (backquoted when needed), `enum` an Enum's (label, value) pairs."""

    name: str
    args: tuple = ()
    names: tuple[str, ...] | None = None
    enum: tuple[tuple[str, int], ...] = field(default=())
    spelled: str = ""  # an Enum item list exactly as written, to render it back

    @property
    def children(self) -> tuple[T, ...]:
        if self.name == "SimpleAggregateFunction":
            return self.args[1:]
        return self.args if self.name in WRAPPERS + COMPOSITES else ()

    def strip(self) -> T:
        """The type's shape: without Nullable/LowCardinality/SimpleAggregateFunction around
        it, and with Nested and the geometry types spelled as the Array and Tuple they are."""
        t = self
        while t.name in WRAPPERS:
            t = t.args[-1]
        return SHAPES[t.name](t) if t.name in SHAPES else t

    @property
    def nullable(self) -> bool:
        t = self
        while t.name in WRAPPERS:
            if t.name == "Nullable":
                return True
            t = t.args[-1]
        return t.name == "Nothing"

    @property
    def zone(self) -> str | None:
        return next((a for a in self.args if isinstance(a, str)), None)

    @property
    def precision(self) -> int:
        """Fractional digits of DateTime64/Time64 (0 for DateTime/Time)."""
        return next((a for a in self.args if isinstance(a, int)), 0)

    @property
    def family(self) -> str:
        n = self.strip().name
        if n in INTERVALS:
            return "interval"
        if n in INTS:
            return "int" if INTS[n][1] <= 64 else "bigint"
        return {
            "Float32": "float",
            "Float64": "float",
            "BFloat16": "bfloat16",
            "Decimal": "decimal",
            "Bool": "bool",
            "String": "string",
            "FixedString": "fixedstring",
            "UUID": "uuid",
            "IPv4": "ip",
            "IPv6": "ip",
            "Enum8": "enum",
            "Enum16": "enum",
            "Date": "date",
            "Date32": "date",
            "DateTime": "datetime",
            "DateTime64": "datetime64",
            "Time": "time",
            "Time64": "time",
        }.get(n, n.lower())

    def __str__(self) -> str:
        return render(self)


_POINT = T("Tuple", (T("Float64"), T("Float64")), ("x", "y"))
SHAPES = {
    "Nested": lambda t: T("Array", (T("Tuple", t.args, t.names),)),
    "Point": lambda t: _POINT,
    "Ring": lambda t: T("Array", (T("Point"),)),
    "LineString": lambda t: T("Array", (T("Point"),)),
    "MultiLineString": lambda t: T("Array", (T("LineString"),)),
    "Polygon": lambda t: T("Array", (T("Ring"),)),
    "MultiPolygon": lambda t: T("Array", (T("Polygon"),)),
}


def render(t: T) -> str:
    if t.name in ("Tuple", "Nested") and t.names:
        inner = ", ".join(f"{n} {render(c)}" for n, c in zip(t.names, t.args, strict=True))
        return f"{t.name}({inner})"
    if t.name in ("Enum8", "Enum16"):
        return f"{t.name}({t.spelled})"
    if not t.args:
        return t.name
    return f"{t.name}({', '.join(_arg(a) for a in t.args)})"


def _arg(a) -> str:
    if isinstance(a, T):
        return render(a)
    if isinstance(a, str):
        return "'" + a.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(a)


def quote_name(name: str) -> str:
    """A Tuple element name as a CREATE TABLE may write it (always backquoted)."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def unquote_name(spelled: str) -> str:
    if spelled.startswith("`"):
        return re.sub(r"\\(.)", r"\1", spelled[1:-1])
    return spelled


# --- parsing ClickHouse's own spelling ----------------------------------------------------

_TOKEN = re.compile(r"\s*(`(?:\\.|[^`\\])*`|'(?:\\.|[^'\\])*'|-?\d+|[A-Za-z_][\w]*|[(),=])")


def parse(text: str) -> T:
    tokens = _tokens(text)
    t, i = _parse(text, tokens, 0)
    if i != len(tokens):
        raise ValueError(f"trailing text in type {text!r}")
    return t


def _tokens(text: str) -> list[tuple[str, int, int]]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot tokenise type {text!r} at {pos}")
        out.append((m.group(1), m.start(1), m.end(1)))
        pos = m.end()
    return out


def _parse(text: str, toks: list, i: int) -> tuple[T, int]:
    name = toks[i][0]
    i += 1
    if i == len(toks) or toks[i][0] != "(":
        return T(name), i
    i += 1
    if name in ("Enum8", "Enum16"):
        start = toks[i][1]
        items = []
        while toks[i][0] != ")":
            label, value = toks[i][0], int(toks[i + 2][0])
            items.append((re.sub(r"\\(.)", r"\1", label[1:-1]), value))
            i += 4 if toks[i + 3][0] == "," else 3
        return T(name, enum=tuple(items), spelled=text[start : toks[i][1]]), i + 1
    args: list = []
    names: list[str] = []
    while toks[i][0] != ")":
        tok = toks[i][0]
        if tok[0] == "'":
            args.append(re.sub(r"\\(.)", r"\1", tok[1:-1]))
            i += 1
        elif tok[0].isdigit() or tok[0] == "-":
            args.append(int(tok))
            i += 1
        else:
            # `name Type` inside a named Tuple: a name is followed by a type, not by ( , )
            if name in ("Tuple", "Nested") and toks[i + 1][0] not in "(),":
                names.append(tok)
                i += 1
            child, i = _parse(text, toks, i)
            args.append(child)
        if toks[i][0] == ",":
            i += 1
    return T(name, tuple(args), tuple(names) or None), i + 1


# --- what sqlquarry promises (docs/types.md) ----------------------------------------------


def time_unit(precision: int) -> str:
    return "s" if precision == 0 else "ms" if precision <= 3 else "us" if precision <= 6 else "ns"


def expected_arrow(t: T, server_zone: str = "UTC") -> pa.DataType:
    t = t.strip()
    n = t.name
    if n in INTS:
        signed, bits = INTS[n]
        if bits <= 64:
            return getattr(pa, f"{'' if signed else 'u'}int{bits}")()
        return pa.decimal256(39, 0) if bits == 128 else pa.string()
    if n in INTERVALS:
        return pa.duration(INTERVALS[n][0]) if INTERVALS[n] else pa.int64()
    simple = {
        "Nothing": pa.null(),
        "Float32": pa.float32(),
        "BFloat16": pa.float32(),
        "Float64": pa.float64(),
        "Bool": pa.bool_(),
        "Date": pa.date32(),
        "Date32": pa.date32(),
        "Enum8": pa.dictionary(pa.int16(), pa.string()),
        "Enum16": pa.dictionary(pa.int32(), pa.string()),
    }
    if n in simple:
        return simple[n]
    if n in ("String", "FixedString", "UUID", "IPv4", "IPv6"):
        return pa.string()
    if n == "Decimal":
        p, s = t.args
        return pa.decimal128(p, s) if p <= 38 else pa.decimal256(p, s)
    if n in ("DateTime", "DateTime64"):
        return pa.timestamp(time_unit(t.precision), t.zone or server_zone)
    if n in ("Time", "Time64"):
        return pa.duration(time_unit(t.precision))
    if n == "Array":
        return pa.list_(arrow_field("item", t.args[0], server_zone))
    if n == "Map":
        key = arrow_field("key", t.args[0], server_zone).with_nullable(False)
        return pa.map_(key, arrow_field("value", t.args[1], server_zone))
    if n == "Tuple":
        labels = [unquote_name(x) for x in t.names] if t.names else None
        labels = labels or [str(i + 1) for i in range(len(t.args))]
        return pa.struct(
            [arrow_field(k, c, server_zone) for k, c in zip(labels, t.args, strict=True)]
        )
    raise ValueError(f"no expected Arrow type for {t}")


def arrow_field(name: str, t: T, server_zone: str = "UTC") -> pa.Field:
    return pa.field(name, expected_arrow(t, server_zone), t.nullable)


# --- the types used around ClickHouse -----------------------------------------------------


def substitute(t: T, change) -> T:
    """`t` with every node x replaced by change(x) (None keeps it), outermost first."""
    t = change(t) or t
    if t.children:
        return T(
            t.name, tuple(substitute(a, change) if isinstance(a, T) else a for a in t.args), t.names
        )
    return t


def generated(t: T) -> T:
    """What generateRandom can produce and CAST turns into `t`: it makes no BFloat16, Time
    or interval, and flattens Nested into one Array per element. Int16 seconds and
    Decimal(p + 6, p) keep times within Time's +-999 hours."""

    def change(x: T) -> T | None:
        if x.name == "BFloat16":
            return T("Float32")
        if x.name == "Time":
            return T("Int16")
        if x.name == "Time64":
            return T("Decimal", (x.precision + 6, x.precision))
        if x.name in INTERVALS:
            return T("Int32")
        if x.name == "Nested":
            return SHAPES["Nested"](x)
        return None

    return substitute(t, change)


def truth(t: T) -> T:
    """The type ClickHouse's Arrow output is asked for: Arrow's time-of-day types cannot
    hold a negative or 24 h+ Time, so times come as seconds (Int32) or exact Decimal, and
    Arrow has some intervals as durations and some as counts, so all come as counts."""

    def change(x: T) -> T | None:
        if x.name == "Time":
            return T("Int32")
        if x.name == "Time64":
            return T("Decimal", (18, x.precision))
        if x.name in INTERVALS:
            return T("Int64")
        return None

    return substitute(t, change)


def contains(t: T, names: tuple[str, ...]) -> bool:
    return t.name in names or any(contains(c, names) for c in t.children)


def families(t: T) -> set[str]:
    """Every leaf family and composite inside `t` (for the run's counts)."""
    if t.name in SHAPES and t.name != "Nested":
        return {"geometry"}
    if t.name in WRAPPERS + COMPOSITES:
        out = {t.name.lower()}
        if t.name == "Nullable" and t.args[0].name == "Tuple":
            out.add("nullable(tuple)")
        for c in t.children:
            out |= families(c)
        return out
    return {t.family}
