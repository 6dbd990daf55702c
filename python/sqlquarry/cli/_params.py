"""`--param name=value`: text from the command line, turned into the Python value the
library's binder expects for the placeholder's declared type.

The binder is strict (the string "5" does not fit UInt32: it wants the int 5), which is
right for Python callers and wrong for a shell, where every value is text. So the CLI reads
each placeholder's type from the SQL (`{name:Type}`) and converts the text for it; the
binder then checks the value exactly as it does for Python callers.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any

from sqlquarry.cli._errors import UsageError
from sqlquarry.exceptions import ConfigurationError

_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}")
_NULLS = ("NULL", "\\N")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def split_assignments(items: Iterable[str]) -> dict[str, str]:
    """`["a=1", "b=x=y"]` as `{"a": "1", "b": "x=y"}`."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


def declared_types(sql: str) -> dict[str, str]:
    """Each placeholder's declared type, by name (the first one, if a name repeats)."""
    found: dict[str, str] = {}
    for m in _PLACEHOLDER.finditer(sql):
        found.setdefault(m.group(1), m.group(2))
    return found


def roe_parameters(sql: str, items: Iterable[str]) -> dict[str, Any]:
    """Roe's `parameters=` for `--param` items, each converted for its declared type. A name
    the SQL does not declare is passed as text: the binder then names it as unused."""
    types = declared_types(sql)
    out: dict[str, Any] = {}
    for name, text in split_assignments(items).items():
        ch_type = types.get(name)
        try:
            out[name] = text if ch_type is None else from_text(text, ch_type)
        except (ValueError, TypeError, decimal.InvalidOperation) as exc:
            raise ConfigurationError(
                f"--param {name}={text!r} does not fit {ch_type}: {exc}"
            ) from None
    return out


def json_or_text(items: Iterable[str]) -> dict[str, Any]:
    """Slateo's `parameter_values=`: the service does not declare types, so a value that
    parses as JSON (5, true, ["a"]) is sent as that, anything else as text."""
    out: dict[str, Any] = {}
    for name, text in split_assignments(items).items():
        try:
            out[name] = json.loads(text)
        except ValueError:
            out[name] = text
    return out


def split_type(ch_type: str) -> tuple[str, list[str]]:
    """`"Map(String, Array(Int8))"` as `("Map", ["String", "Array(Int8)"])`: the name and
    the top-level arguments (commas inside parentheses or quotes do not split)."""
    ch_type = ch_type.strip()
    head, paren, rest = ch_type.partition("(")
    if not paren or not rest.endswith(")"):
        return ch_type, []
    args, depth, quote, start = [], 0, "", 0
    inner = rest[:-1]
    for i, c in enumerate(inner):
        if quote:
            if c == quote and inner[i - 1] != "\\":
                quote = ""
        elif c in "'`\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(inner[start:i].strip())
            start = i + 1
    args.append(inner[start:].strip())
    return head.strip(), [a for a in args if a]


def from_text(text: str, ch_type: str) -> Any:
    """The Python value for `text` given on the command line for a `ch_type` placeholder."""
    name, args = split_type(ch_type)
    if name == "Nullable":
        return None if text in _NULLS else from_text(text, args[0])
    if name == "LowCardinality":
        return from_text(text, args[0])
    if name in ("Array", "Tuple", "Map", "Nested"):
        return from_json(json.loads(text, parse_float=decimal.Decimal), ch_type)
    return _scalar(text, name, args)


def from_json(value: Any, ch_type: str) -> Any:
    """An element of a JSON value given for `ch_type` (inside an Array, Tuple or Map)."""
    if value is None:
        return None
    name, args = split_type(ch_type)
    if name in ("Nullable", "LowCardinality"):
        return from_json(value, args[0])
    if name == "Array" and isinstance(value, list):
        return [from_json(v, args[0]) for v in value]
    if name == "Map" and isinstance(value, dict):
        return {from_text(k, args[0]): from_json(v, args[1]) for k, v in value.items()}
    if name == "Tuple":
        return _tuple(value, args)
    if isinstance(value, str):
        return from_text(value, ch_type)
    if isinstance(value, decimal.Decimal) and not name.startswith("Decimal"):
        return float(value)  # JSON 1.5 for a Float64; decimals keep every digit
    return value


def _tuple(value: Any, args: list[str]) -> Any:
    elements = [_tuple_element(a) for a in args]
    if isinstance(value, dict):
        types = {name: t for name, t in elements if name is not None}
        return {k: from_json(v, types.get(k, "String")) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v, t) for v, (_, t) in zip(value, elements, strict=True)]
    raise ValueError("a Tuple needs a JSON array or object")


def _tuple_element(arg: str) -> tuple[str | None, str]:
    """`"a Int32"` as `("a", "Int32")`, `"Decimal(9, 2)"` as `(None, "Decimal(9, 2)")`: a
    name is an identifier followed by a space, which no bare type starts with."""
    parts = arg.split(None, 1)
    if len(parts) == 2 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", parts[0]):
        return parts[0], parts[1]
    return None, arg


def _scalar(text: str, name: str, args: list[str]) -> Any:
    if re.fullmatch(r"U?Int\d+", name):
        return int(text.strip())
    if re.fullmatch(r"Float\d+|BFloat16", name):
        return float(text)
    if name == "Bool":
        word = text.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError("expected true or false")
    if name in ("DateTime", "DateTime64"):
        return _datetime(text, args[-1] if args and args[-1][:1] in "'\"" else None)
    return text  # strings, decimals, dates, UUIDs, IPs, enums: the binder parses the text


def _datetime(text: str, zone: str | None) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(re.sub(r"Z$", "+00:00", text.strip()))
    if value.tzinfo is not None:
        return value
    if zone is None:
        raise ValueError("give the offset, e.g. 2024-01-02T03:04:05+00:00")
    return value.replace(tzinfo=zoneinfo.ZoneInfo(zone.strip("'\"")))
