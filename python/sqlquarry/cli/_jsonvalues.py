"""Arrow values as JSON values, for JSON lines and for the nested columns of CSV.

JSON has no decimals, dates, NaN or maps with non-text keys, so each Arrow type gets one
documented spelling (docs/cli.md, "Formats"): decimals as strings (every digit kept),
timestamps, dates and times in ISO 8601 (timestamps with their offset), durations in
seconds, non-finite floats as "NaN", "Infinity" and "-Infinity", maps as objects.
A converter is chosen once per column, not per value.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _float(value: Any) -> Any:
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _decimal(value: Any) -> Any:
    return None if value is None else format(value, "f")


def _temporal(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _duration(value: Any) -> Any:
    return None if value is None else value.total_seconds()


def _bytes(value: Any) -> Any:
    return None if value is None else value.decode("utf-8", "backslashreplace")


def _scalar(value: Any) -> Any:
    """Whatever else (extension types, unions): the nearest JSON value."""
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return _bytes(value)
    if isinstance(value, (list, tuple)):
        return [_scalar(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _scalar(v) for k, v in value.items()}
    return value


def converter(arrow_type: Any) -> Converter:
    """The function turning one value of `arrow_type` (as `to_pylist` gives it) into JSON."""
    import pyarrow.types as t

    if t.is_dictionary(arrow_type):
        return converter(arrow_type.value_type)
    if t.is_boolean(arrow_type) or t.is_integer(arrow_type) or t.is_string(arrow_type):
        return _same
    if t.is_large_string(arrow_type) or t.is_null(arrow_type):
        return _same
    if t.is_floating(arrow_type):
        return _float
    if t.is_decimal(arrow_type):
        return _decimal
    if t.is_timestamp(arrow_type) or t.is_date(arrow_type) or t.is_time(arrow_type):
        return _temporal
    if t.is_duration(arrow_type):
        return _duration
    if t.is_binary(arrow_type) or t.is_large_binary(arrow_type):
        return _bytes
    if t.is_fixed_size_binary(arrow_type):
        return _bytes
    if t.is_map(arrow_type):
        return _map(converter(arrow_type.key_type), converter(arrow_type.item_type))
    if t.is_list(arrow_type) or t.is_large_list(arrow_type) or t.is_fixed_size_list(arrow_type):
        item = converter(arrow_type.value_type)
        return lambda v: None if v is None else [item(x) for x in v]
    if t.is_struct(arrow_type):
        fields = [(f.name, converter(f.type)) for f in arrow_type]
        return lambda v: None if v is None else {n: c(v.get(n)) for n, c in fields}
    return _scalar


def _map(key: Converter, item: Converter) -> Converter:
    def convert(pairs: Any) -> Any:
        if pairs is None:
            return None
        # An object needs text keys: 1 becomes "1", a composite key its JSON text.
        out = {}
        for k, v in pairs:
            jk = key(k)
            out[jk if isinstance(jk, str) else json.dumps(jk)] = item(v)
        return out

    return convert


def column_values(column: Any) -> list[Any]:
    """A column's values as JSON values."""
    convert = converter(column.type)
    values = column.to_pylist()
    return values if convert is _same else [convert(v) for v in values]
