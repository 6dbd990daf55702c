"""Every ClickHouse scalar type, Nullable and LowCardinality, in both value encodings.

The expected values come from ClickHouse itself: each case selects the value together with
ClickHouse's `toString` of it and, for instants, its exact epoch count
(`toUnixTimestamp64Nano` and friends), and the decoded Arrow value must agree with them.
"""

from __future__ import annotations

import decimal
import math
import struct

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

I256_MIN = "-57896044618658097711785492504343953926634992332820282019728792003956564819968"
I256_MAX = "57896044618658097711785492504343953926634992332820282019728792003956564819967"
U256_MAX = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

# (declared type, values as SQL string literals (None for NULL), Arrow type, how to compare)
CASES = [
    ("Int8", ["-128", "0", "127"], pa.int8(), "int"),
    ("Int16", ["-32768", "32767"], pa.int16(), "int"),
    ("Int32", ["-2147483648", "2147483647"], pa.int32(), "int"),
    ("Int64", ["-9223372036854775808", "9223372036854775807"], pa.int64(), "int"),
    ("UInt8", ["0", "255"], pa.uint8(), "int"),
    ("UInt16", ["65535"], pa.uint16(), "int"),
    ("UInt32", ["4294967295"], pa.uint32(), "int"),
    ("UInt64", ["0", "18446744073709551615"], pa.uint64(), "int"),
    (
        "Int128",
        ["-170141183460469231731687303715884105728", "170141183460469231731687303715884105727"],
        pa.decimal256(39, 0),
        "int",
    ),
    ("UInt128", ["340282366920938463463374607431768211455"], pa.decimal256(39, 0), "int"),
    ("Int256", [I256_MIN, I256_MAX], pa.string(), "text"),
    ("UInt256", ["0", U256_MAX], pa.string(), "text"),
    ("Float32", ["1.5", "-3.4028235e38", "1e-45", "nan", "inf", "-inf"], pa.float32(), "float32"),
    ("Float64", ["0.1", "1e308", "-2.2250738585072014e-308", "nan", "-inf"], pa.float64(), "float"),
    ("BFloat16", ["1.5", "-2"], pa.float32(), "float32"),
    ("Decimal(9, 2)", ["-9999999.99", "0.01", "0"], pa.decimal128(9, 2), "decimal"),
    ("Decimal(18, 4)", ["99999999999999.9999"], pa.decimal128(18, 4), "decimal"),
    (
        "Decimal(38, 10)",
        ["1234567890123456789012345678.1234567891", "-0.0000000001"],
        pa.decimal128(38, 10),
        "decimal",
    ),
    ("Decimal(76, 20)", ["-" + "9" * 56 + "." + "9" * 20], pa.decimal256(76, 20), "decimal"),
    ("Decimal32(3)", ["123456.789"], pa.decimal128(9, 3), "decimal"),
    ("Decimal64(6)", ["123456789012.345678"], pa.decimal128(18, 6), "decimal"),
    (
        "Decimal128(20)",
        ["123456789012345678.12345678901234567891"],
        pa.decimal128(38, 20),
        "decimal",
    ),
    ("Decimal256(40)", ["1." + "0" * 39 + "1"], pa.decimal256(76, 40), "decimal"),
    ("Bool", ["true", "false"], pa.bool_(), "bool"),
    (
        "String",
        ["", "héllo wörld", 'quote " and \\\\ backslash', "tab\\there", "😀"],
        pa.string(),
        "text",
    ),
    ("FixedString(4)", ["ab", "abcd"], pa.string(), "fixed"),
    ("UUID", ["123e4567-e89b-12d3-a456-426614174000"], pa.string(), "text"),
    ("IPv4", ["0.0.0.0", "192.168.0.1", "255.255.255.255"], pa.string(), "text"),
    ("IPv6", ["2001:db8::1", "::ffff:1.2.3.4", "::"], pa.string(), "text"),
    ("Date", ["1970-01-01", "2024-02-29", "2149-06-06"], pa.date32(), "date"),
    ("Date32", ["1900-01-01", "2299-12-31"], pa.date32(), "date"),
    ("DateTime", ["1970-01-01 00:00:00", "2024-04-29 21:11:17"], pa.timestamp("s", "UTC"), "epoch"),
    ("DateTime('UTC')", ["2106-02-07 06:28:15"], pa.timestamp("s", "UTC"), "epoch"),
    ("DateTime('Asia/Tokyo')", ["2024-04-30 06:11:17"], pa.timestamp("s", "Asia/Tokyo"), "epoch"),
    (
        "DateTime('America/New_York')",
        [
            "2024-03-10 01:59:59",
            "2024-03-10 03:00:00",
            "2024-11-03 00:59:59",
            "2024-11-03 02:00:00",
        ],
        pa.timestamp("s", "America/New_York"),
        "epoch",
    ),
    ("DateTime64(0)", ["2024-04-29 21:11:17"], pa.timestamp("s", "UTC"), "epoch"),
    (
        "DateTime64(3)",
        ["2024-04-29 21:11:17.123", "1900-01-01 00:00:00.001"],
        pa.timestamp("ms", "UTC"),
        "epoch",
    ),
    (
        "DateTime64(6, 'Asia/Tokyo')",
        ["2024-04-30 06:11:17.123456"],
        pa.timestamp("us", "Asia/Tokyo"),
        "epoch",
    ),
    ("DateTime64(9, 'UTC')", ["2024-04-29 21:11:17.123456789"], pa.timestamp("ns", "UTC"), "epoch"),
    ("Time", ["00:00:00", "100:00:01", "-01:02:03"], pa.duration("s"), "duration"),
    ("Time64(3)", ["-01:02:03.250", "23:59:59.999"], pa.duration("ms"), "duration"),
    (
        "Enum8('a' = 1, 'b, c' = 2, 'it''s' = -3)",
        ["a", "b, c", "it''s"],
        pa.dictionary(pa.int16(), pa.string()),
        "text",
    ),
    ("Enum16('x' = -300, 'y' = 1000)", ["x", "y"], pa.dictionary(pa.int32(), pa.string()), "text"),
    ("Nullable(Int32)", [None, "5"], pa.int32(), "int"),
    ("Nullable(UInt64)", ["18446744073709551615", None], pa.uint64(), "int"),
    ("Nullable(String)", [None, "x"], pa.string(), "text"),
    ("Nullable(Decimal(18, 2))", [None, "-12.5"], pa.decimal128(18, 2), "decimal"),
    (
        "Nullable(DateTime64(3, 'Asia/Tokyo'))",
        [None, "2024-04-30 06:11:17.5"],
        pa.timestamp("ms", "Asia/Tokyo"),
        "epoch",
    ),
    ("Nullable(Bool)", [None, "true"], pa.bool_(), "bool"),
    ("Nullable(Date)", [None, "2024-01-01"], pa.date32(), "date"),
    ("LowCardinality(String)", ["a", "b", "a"], pa.string(), "text"),
    ("LowCardinality(Nullable(String))", [None, "a"], pa.string(), "text"),
    ("Nullable(Nothing)", [None], pa.null(), "null"),
]

EPOCH_FN = {
    "s": "toUnixTimestamp64Second",
    "ms": "toUnixTimestamp64Milli",
    "us": "toUnixTimestamp64Micro",
    "ns": "toUnixTimestamp64Nano",
}
DURATION_FN = {"s": "toInt64(x)", "ms": "toInt64(toDecimal64(x, 3) * 1000)"}


def sql_for(declared: str, values: list[str | None], arrow: pa.DataType) -> str:
    literals = ", ".join("NULL" if v is None else f"'{v}'" for v in values)
    truth = "toString(x)"
    if pa.types.is_timestamp(arrow):
        truth = f"toString({EPOCH_FN[arrow.unit]}(toDateTime64(x, 9)))"
    elif pa.types.is_duration(arrow):
        truth = f"toString({DURATION_FN[arrow.unit]})"
    source = "arrayJoin([" + literals + "])"
    if declared == "Nullable(Nothing)":
        source = "NULL"
    return (
        f"SELECT CAST(v AS {declared}) AS x, {truth} AS truth, toTypeName(x) AS type_name "
        f"FROM (SELECT {source} AS v, rowNumberInAllBlocks() AS i) ORDER BY i"
    )


def assert_matches(kind: str, got, truth: str | None, raw: int | None) -> None:
    if truth is None:
        assert got is None
        return
    if kind == "int":
        assert int(got) == int(truth)
    elif kind in ("float", "float32"):
        want = float(truth)
        if kind == "float32":  # compare at the column's own precision
            want = struct.unpack("f", struct.pack("f", want))[0]
        assert (math.isnan(got) and math.isnan(want)) or got == want
    elif kind == "decimal":
        assert got == decimal.Decimal(truth)
    elif kind == "bool":
        assert got is (truth == "true")
    elif kind == "text":
        assert got == truth
    elif kind == "fixed":
        assert got.rstrip("\0") == truth  # toString drops FixedString's zero padding
    elif kind == "date":
        assert got.isoformat() == truth
    elif kind in ("epoch", "duration"):
        assert raw == int(truth)
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize("encoding", ["native", "string"])
@pytest.mark.parametrize(("declared", "values", "arrow", "kind"), CASES, ids=[c[0] for c in CASES])
def test_scalar_type(roe_server, roe_client, encoding, declared, values, arrow, kind):
    roe_server.encoding = encoding
    result = roe_client.query(sql_for(declared, values, arrow))
    table = pa.table(result)
    # ClickHouse normalises some names (Decimal32(3) is reported as Decimal(9, 3)).
    assert result.column_types[0] == table.column("type_name")[0].as_py()
    column = table.column("x")
    assert column.type == arrow
    assert table.schema.field("x").nullable == (
        declared.startswith(("Nullable", "LowCardinality(Nullable")) or kind == "null"
    )
    raw = (
        column.cast(pa.int64()).to_pylist()
        if kind in ("epoch", "duration")
        else [None] * len(column)
    )
    truths = table.column("truth").to_pylist()
    assert len(truths) == len(values)
    for got, truth, r in zip(column.to_pylist(), truths, raw, strict=True):
        assert_matches(kind, got, truth, r)
    arrow_values = column.to_pylist()
    df = result.to_pandas()
    assert str(df.dtypes["x"]) == pandas_dtype(arrow)
    assert same_values(df["x"].tolist(), arrow_values)
    pdf = result.to_polars()
    assert pdf.schema["x"] == polars_dtype(arrow)
    polars_values = pdf["x"].to_list()
    if pa.types.is_timestamp(arrow) and arrow.unit == "ns":  # Python datetimes stop at us
        polars_values, arrow_values = pdf["x"].dt.epoch("ns").to_list(), raw
    if pa.types.is_decimal256(arrow):  # polars decimals stop at 38 digits: exact text
        polars_values = [None if v is None else decimal.Decimal(v) for v in polars_values]
    assert same_values(polars_values, arrow_values)


def pandas_dtype(t: pa.DataType) -> str:
    """What docs/types.md promises pandas users."""
    if pa.types.is_integer(t):
        return (
            str(t).replace("u", "U").replace("int", "Int") if str(t)[0] == "u" else str(t).title()
        )
    if pa.types.is_timestamp(t):
        return f"datetime64[{t.unit}, {t.tz}]"
    if pa.types.is_duration(t):
        return f"timedelta64[{t.unit}]"
    simple = {
        pa.bool_(): "boolean",
        pa.string(): "string",
        pa.float32(): "float32",
        pa.float64(): "float64",
    }
    if t in simple:
        return simple[t]
    return "category" if pa.types.is_dictionary(t) else "object"


def polars_dtype(t: pa.DataType):
    if pa.types.is_decimal256(t):
        return pl.String
    if pa.types.is_decimal(t):
        return pl.Decimal(t.precision, t.scale)
    if pa.types.is_timestamp(t):
        return pl.Datetime("ms" if t.unit == "s" else t.unit, t.tz)
    if pa.types.is_duration(t):
        return pl.Duration("ms" if t.unit == "s" else t.unit)
    if pa.types.is_dictionary(t):
        return pl.Categorical
    return (
        pl.DataType.from_python(type(None))
        if pa.types.is_null(t)
        else pl.from_arrow(pa.array([], t)).dtype
    )


def same_values(got: list, want: list) -> bool:
    """Equal element by element, with NaN equal to NaN and pandas' NA equal to None."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want, strict=True):
        if g is None or g is pd.NA or g is pd.NaT:
            if w is not None:
                return False
        elif isinstance(w, float) and math.isnan(w):
            if not math.isnan(g):
                return False
        elif g != w:
            return False
    return True


async def test_scalar_types_async_in_one_wide_row(roe_client):
    """All non-null cases in one wide select, through the async twin."""
    cols = ", ".join(
        f"CAST('{vals[-1]}' AS {t}) AS c{i}"
        for i, (t, vals, _, _) in enumerate(CASES)
        if vals[-1] is not None
    )
    result = await roe_client.query_async(f"SELECT {cols}")
    expected = [a for (_, vals, a, _) in CASES if vals[-1] is not None]
    assert [f.type for f in pa.table(result).schema] == expected
