"""`to_polars()` of every type in docs/types.md, alone and nested in Array, Tuple and Map:
polars must import each without a panic (its Arrow import panics on decimal256 at any
depth), and the values must come through as pyarrow sees them (decimal256 as exact text)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

# One value of each type in docs/types.md, as ClickHouse SQL.
EVERY_TYPE = {
    "Int8": "toInt8(-8)",
    "Int16": "toInt16(-16)",
    "Int32": "toInt32(-32)",
    "Int64": "toInt64(-64)",
    "UInt8": "toUInt8(8)",
    "UInt16": "toUInt16(16)",
    "UInt32": "toUInt32(32)",
    "UInt64": "toUInt64(18446744073709551615)",
    "Int128": "toInt128('-170141183460469231731687303715884105728')",
    "UInt128": "toUInt128('340282366920938463463374607431768211455')",
    "Int256": f"toInt256('{-(2**255)}')",
    "UInt256": "toUInt256('1')",
    "Float32": "toFloat32(1.5)",
    "BFloat16": "toBFloat16(1.5)",
    "Float64": "toFloat64(-2.5)",
    "Decimal32": "toDecimal32('1.25', 2)",
    "Decimal64": "toDecimal64('-1.25', 4)",
    "Decimal128": "toDecimal128('12345678901234567890.5', 1)",
    "Decimal256": "toDecimal256('1234567890123456789012345678901234567890.5', 1)",
    "Bool": "true",
    "String": "'text'",
    "FixedString": "toFixedString('ab', 3)",
    "UUID": "toUUID('123e4567-e89b-12d3-a456-426614174000')",
    "IPv4": "toIPv4('1.2.3.4')",
    "IPv6": "toIPv6('2001:db8::1')",
    "Enum8": "CAST('b' AS Enum8('a' = 1, 'b' = 2))",
    "Enum16": "CAST('a' AS Enum16('a' = 1000, 'b' = 2000))",
    "Date": "toDate('2024-02-29')",
    "Date32": "toDate32('1900-01-01')",
    "DateTime": "toDateTime('2024-04-29 21:11:17', 'Asia/Tokyo')",
    "DateTime64(0)": "toDateTime64('2024-04-29 21:11:17', 0, 'UTC')",
    "DateTime64(3)": "toDateTime64('2024-04-29 21:11:17.123', 3, 'Europe/Amsterdam')",
    "DateTime64(9)": "toDateTime64('2024-04-29 21:11:17.123456789', 9)",
    "Time": "toTime('12:34:56')",
    "Time64(3)": "toTime64('12:34:56.789', 3)",
    "IntervalSecond": "toIntervalSecond(5)",
    "IntervalWeek": "toIntervalWeek(2)",
    "IntervalMonth": "toIntervalMonth(3)",
    "Nullable": "CAST(NULL AS Nullable(Int32))",
    "LowCardinality": "toLowCardinality('lc')",
    "Point": "CAST((1.5, 2.5) AS Point)",
    "Ring": "CAST([(1.0, 2.0), (3.0, 4.0)] AS Ring)",
    "Polygon": "CAST([[(1.0, 2.0)]] AS Polygon)",
    "MultiPolygon": "CAST([[[(1.0, 2.0)]]] AS MultiPolygon)",
    "JSON": """'{"a": 1}'::JSON""",
    "Dynamic": "1::Dynamic",
    "Variant": "1::Variant(UInt8, String)",
    "Nothing": "NULL",
    "Array": "[1, 2]",
    "Map": "map('k', 1)",
    "Tuple": "tuple(1, 'a')",
    "NamedTuple": "CAST((1, 'a') AS Tuple(`a b` UInt8, c String))",
    "NullableTuple": "CAST(NULL AS Nullable(Tuple(x Int256)))",
}

WRAPPERS = {
    "alone": "{}",
    "in Array": "[{}]",
    "in Tuple": "tuple({}, 1)",
    "in Map": "map('k', {})",
    "twice nested": "[tuple(map('k', {}), 1)]",
}


# Types polars gets as exact text, and that text.
EXACT_TEXT = {
    "Int128": "-170141183460469231731687303715884105728",
    "UInt128": "340282366920938463463374607431768211455",
    "Decimal256": "1234567890123456789012345678901234567890.5",
}


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_every_type_imports_into_polars_at_every_depth(roe_client, capfd, wrapper):
    columns = ", ".join(
        f"{WRAPPERS[wrapper].format(expr)} AS `{name}`" for name, expr in EVERY_TYPE.items()
    )
    result = roe_client.query(f"SELECT {columns}")
    frame = result.to_polars()
    table = result.to_arrow()
    assert frame.columns == list(EVERY_TYPE)
    assert "panicked at" not in capfd.readouterr().err
    for name in EVERY_TYPE:
        if "decimal256" in str(table.schema.field(name).type):
            assert "decimal" not in str(frame.schema[name]).lower(), (name, frame.schema[name])
    for name, text in EXACT_TEXT.items():
        assert text in str(frame[name].to_list()[0]), (name, frame[name].to_list())


def test_nested_wide_decimals_reach_polars_as_exact_text(roe_client):
    r = roe_client.query(
        "SELECT [toDecimal256('1.5', 2)] AS a, tuple(toDecimal256('-2.5', 3), 1) AS b, "
        f"map('a', toInt128(5)) AS c, [[toUInt256('{2**256 - 1}')]] AS d"
    )
    frame = r.to_polars()
    assert frame.schema["a"] == pl.List(pl.String)
    assert frame["a"].to_list() == [["1.50"]]
    assert frame["b"].to_list() == [{"1": "-2.500", "2": 1}]
    assert frame["d"].to_list() == [[[str(2**256 - 1)]]]
    # pyarrow keeps the exact decimals; only polars gets text.
    assert pa.table(r).schema.field("a").type == pa.list_(
        pa.field("item", pa.decimal256(76, 2), False)
    )
