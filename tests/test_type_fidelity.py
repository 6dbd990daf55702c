"""Type fidelity beyond scalars: nested, semi-structured, enum, interval and geometry types,
time zones, and what pandas and polars receive. Expected values come from ClickHouse
itself: each case also selects `toJSONString(x)` and `toTypeName(x)` of the same value."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import sqlquarry

POINT = pa.struct([pa.field("x", pa.float64(), False), pa.field("y", pa.float64(), False)])


def field(name: str, t: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, t, nullable)


def lst(t: pa.DataType, nullable: bool = False) -> pa.DataType:
    return pa.list_(field("item", t, nullable))


def mp(k: pa.DataType, v: pa.DataType, v_nullable: bool = False) -> pa.DataType:
    return pa.map_(field("key", k, False), field("value", v, v_nullable))


def st(*fields: tuple[str, pa.DataType, bool]) -> pa.DataType:
    return pa.struct([field(n, t, nullable) for n, t, nullable in fields])


ENUM = pa.dictionary(pa.int16(), pa.string())

# (SQL expression, Arrow type, pandas dtype, polars dtype)
CASES: list[tuple[str, pa.DataType, str, Any]] = [
    ("[1, 2, 3]::Array(Int32)", lst(pa.int32()), "object", pl.List(pl.Int32)),
    ("['a', NULL]::Array(Nullable(String))", lst(pa.string(), True), "object", pl.List(pl.String)),
    (
        "[[1], [2, 3], []]::Array(Array(UInt8))",
        lst(lst(pa.uint8())),
        "object",
        pl.List(pl.List(pl.UInt8)),
    ),
    (
        "[toDecimal64('1.25', 2), toDecimal64('-0.01', 2)]",
        lst(pa.decimal128(18, 2)),
        "object",
        pl.List(pl.Decimal(18, 2)),
    ),
    ("[toDate('2024-02-29')]", lst(pa.date32()), "object", pl.List(pl.Date)),
    (
        "[toDateTime64('2024-01-01 00:00:00.5', 3, 'Asia/Tokyo')]",
        lst(pa.timestamp("ms", "Asia/Tokyo")),
        "object",
        pl.List(pl.Datetime("ms", "Asia/Tokyo")),
    ),
    ("[toUInt64(18446744073709551615)]", lst(pa.uint64()), "object", pl.List(pl.UInt64)),
    (
        "[toUUID('123E4567-E89B-12D3-A456-426614174000')]",
        lst(pa.string()),
        "object",
        pl.List(pl.String),
    ),
    (
        "map('a', toUInt64(18446744073709551615), 'b', 0)",
        mp(pa.string(), pa.uint64()),
        "object",
        pl.Map(pl.String, pl.UInt64),
    ),
    (
        "map(1, [toIPv6('::1')], 2, [])",
        mp(pa.uint8(), lst(pa.string())),
        "object",
        pl.Map(pl.UInt8, pl.List(pl.String)),
    ),
    (
        "map('k', NULL)::Map(String, Nullable(Float64))",
        mp(pa.string(), pa.float64(), True),
        "object",
        pl.Map(pl.String, pl.Float64),
    ),
    (
        "tuple(1, 'x')",
        st(("1", pa.uint8(), False), ("2", pa.string(), False)),
        "object",
        pl.Struct({"1": pl.UInt8, "2": pl.String}),
    ),
    (
        "CAST((1, NULL) AS Tuple(a Int32, b Nullable(String)))",
        st(("a", pa.int32(), False), ("b", pa.string(), True)),
        "object",
        pl.Struct({"a": pl.Int32, "b": pl.String}),
    ),
    (
        "CAST([(1, 'a'), (2, 'b')] AS Nested(a Int32, b String))",
        lst(st(("a", pa.int32(), False), ("b", pa.string(), False))),
        "object",
        pl.List(pl.Struct({"a": pl.Int32, "b": pl.String})),
    ),
    (
        "CAST(([1, 2], map('z', (toDate('2024-01-01'), 'q'))) "
        "AS Tuple(a Array(UInt8), m Map(String, Tuple(Date, String))))",
        st(
            ("a", lst(pa.uint8()), False),
            ("m", mp(pa.string(), st(("1", pa.date32(), False), ("2", pa.string(), False))), False),
        ),
        "object",
        pl.Struct(
            {
                "a": pl.List(pl.UInt8),
                "m": pl.Map(pl.String, pl.Struct({"1": pl.Date, "2": pl.String})),
            }
        ),
    ),
    ("CAST((1.5, 2.5) AS Point)", POINT, "object", pl.Struct({"x": pl.Float64, "y": pl.Float64})),
    (
        "CAST([(0, 0), (1, 1)] AS Ring)",
        lst(POINT),
        "object",
        pl.List(pl.Struct({"x": pl.Float64, "y": pl.Float64})),
    ),
    (
        "CAST([(0, 0), (1, 2)] AS LineString)",
        lst(POINT),
        "object",
        pl.List(pl.Struct({"x": pl.Float64, "y": pl.Float64})),
    ),
    (
        "CAST([[(0, 0), (1, 1)]] AS Polygon)",
        lst(lst(POINT)),
        "object",
        pl.List(pl.List(pl.Struct({"x": pl.Float64, "y": pl.Float64}))),
    ),
    (
        "CAST([[[(0, 0), (1, 1)]], [[(2, 2)]]] AS MultiPolygon)",
        lst(lst(lst(POINT))),
        "object",
        pl.List(pl.List(pl.List(pl.Struct({"x": pl.Float64, "y": pl.Float64})))),
    ),
    ("CAST('b' AS Enum8('a' = 1, 'b' = 2))", ENUM, "category", pl.Categorical),
    (
        "CAST('it''s, = x' AS Enum16('it''s, = x' = -300, 'y' = 1000))",
        pa.dictionary(pa.int32(), pa.string()),
        "category",
        pl.Categorical,
    ),
    ("[CAST('a' AS Enum8('a' = 1))]", lst(ENUM), "object", pl.List(pl.Categorical)),
    ("CAST('x' AS LowCardinality(String))", pa.string(), "string", pl.String),
    ("['x']::Array(LowCardinality(String))", lst(pa.string()), "object", pl.List(pl.String)),
    ("INTERVAL 2 HOUR", pa.duration("s"), "timedelta64[s]", pl.Duration("ms")),
    ("INTERVAL 3 SECOND", pa.duration("s"), "timedelta64[s]", pl.Duration("ms")),
    ("toIntervalMillisecond(1500)", pa.duration("ms"), "timedelta64[ms]", pl.Duration("ms")),
    ("INTERVAL 3 MONTH", pa.int64(), "Int64", pl.Int64),
    ("CAST(5 AS SimpleAggregateFunction(sum, UInt64))", pa.uint64(), "UInt64", pl.UInt64),
    ('\'{"a": [1, 2], "b": {"c": null}}\'::JSON', pa.string(), "string", pl.String),
    ("1::Variant(UInt8, String)", pa.string(), "string", pl.String),
    ("'x'::Dynamic", pa.string(), "string", pl.String),
    ("CAST(NULL AS Nullable(Nothing))", pa.null(), "object", pl.Null),
]


def check(t: pa.DataType, ours: Any, truth: Any, declared: str) -> None:
    """`ours` (pyarrow's Python value) against ClickHouse's JSON rendering of the same value."""
    if truth is None:
        assert ours is None
    elif pa.types.is_list(t):
        assert len(ours) == len(truth)
        for o, w in zip(ours, truth, strict=True):
            check(t.value_type, o, w, declared)
    elif pa.types.is_map(t):
        assert len(ours) == len(truth)
        for (k, v), (wk, wv) in zip(ours, truth.items(), strict=True):
            assert str(k) == wk
            check(t.item_type, v, wv, declared)
    elif pa.types.is_struct(t):
        names = [f.name for f in t]
        wanted = truth if isinstance(truth, dict) else dict(zip(names, truth, strict=True))
        for f in t:
            check(f.type, ours[f.name], wanted[f.name], declared)
    elif pa.types.is_timestamp(t):
        # The emulator's engine renders instants as ISO 8601 UTC (date_time_output_format).
        digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[t.unit]
        utc = ours.astimezone(dt.timezone.utc)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        if digits:
            text += "." + f"{utc.microsecond:06d}"[:digits]
        assert str(ours.tzinfo) == t.tz and text + "Z" == truth
    elif pa.types.is_date(t):
        assert ours.isoformat() == truth
    elif pa.types.is_decimal(t):
        assert ours == decimal.Decimal(str(truth))
    elif pa.types.is_duration(t):
        unit = {"IntervalHour": 3600, "IntervalSecond": 1, "IntervalMillisecond": 0.001}[declared]
        assert ours.total_seconds() == truth * unit
    elif pa.types.is_string(t) and not isinstance(truth, str):
        assert json.loads(ours) == truth  # semi-structured values come back as JSON text
    elif pa.types.is_floating(t):
        assert ours == float(truth)
    else:
        assert ours == truth


@pytest.mark.parametrize("encoding", ["native", "string"])
@pytest.mark.parametrize(
    ("expr", "arrow", "pandas_dtype", "polars_dtype"), CASES, ids=[c[0][:48] for c in CASES]
)
def test_nested_and_special_types(
    roe_server, roe_client, encoding, expr, arrow, pandas_dtype, polars_dtype
):
    roe_server.encoding = encoding
    r = roe_client.query(f"SELECT {expr} AS x, toJSONString(x) AS j, toTypeName(x) AS t")
    table = pa.table(r)
    declared = r.column_types[0]
    # toTypeName pretty-prints named tuples over several lines; the header has one.
    assert declared == re.sub(r"\(\s+", "(", re.sub(r"\s*\n\s*", " ", table.column("t")[0].as_py()))
    assert table.schema.field("x").type == arrow
    assert table.schema.field("x").metadata[b"sqlquarry.declared_type"] == declared.encode()
    j = table.column("j")[0].as_py()
    truth = None if j is None else json.loads(j, parse_float=decimal.Decimal)
    check(arrow, table.column("x")[0].as_py(), truth, declared)

    df = r.to_pandas()
    assert str(df.dtypes["x"]) == pandas_dtype
    pdf = r.to_polars()
    assert pdf.schema["x"] == polars_dtype
    assert plain(pdf["x"].to_list()[0]) == plain(table.column("x")[0].as_py())


def plain(v: Any) -> Any:
    """Python values with maps as dicts, however a library spells them."""
    if isinstance(v, list) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
        return {k: plain(x) for k, x in v}
    if (
        isinstance(v, list)
        and v
        and all(isinstance(x, dict) and set(x) == {"key", "value"} for x in v)
    ):
        return {x["key"]: plain(x["value"]) for x in v}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def test_enum_categories_keep_declared_order(roe_client):
    r = roe_client.query(
        "SELECT CAST(arrayJoin(['b', 'a', 'b']) AS Enum8('z' = -1, 'b' = 2, 'a' = 5)) AS e"
    )
    cat = r.to_pandas()["e"]
    assert list(cat.cat.categories) == ["z", "b", "a"]
    assert cat.tolist() == ["b", "a", "b"]
    assert r.to_polars()["e"].to_list() == ["b", "a", "b"]


# --- time zones -----------------------------------------------------------------------

# Every half hour across New York's 2024 spring-forward and fall-back changes.
SPRING = 1710054000 - 3 * 1800  # 2024-03-10 06:00:00 UTC minus 90 minutes
FALL = 1730613600 - 3 * 1800  # 2024-11-03 06:00:00 UTC minus 90 minutes
ZONES = ["UTC", "Asia/Tokyo", "America/New_York"]


@pytest.mark.parametrize("encoding", ["native", "string"])
@pytest.mark.parametrize("start", [SPRING, FALL], ids=["spring-forward", "fall-back"])
def test_same_instant_in_three_zones_round_trips(roe_server, roe_client, encoding, start):
    roe_server.encoding = encoding
    cols = ", ".join(
        f"toDateTime(s, '{z}') AS s{i}, toDateTime64(s + 0.25, 3, '{z}') AS m{i}"
        for i, z in enumerate(ZONES)
    )
    r = roe_client.query(
        f"SELECT toUInt32({start} + 1800 * number) AS s, {cols} FROM numbers(7) ORDER BY s"
    )
    table = pa.table(r)
    epochs = table.column("s").to_pylist()
    for i, zone in enumerate(ZONES):
        sec, milli = table.column(f"s{i}"), table.column(f"m{i}")
        assert sec.type == pa.timestamp("s", zone) and milli.type == pa.timestamp("ms", zone)
        assert sec.cast(pa.int64()).to_pylist() == epochs
        assert milli.cast(pa.int64()).to_pylist() == [e * 1000 + 250 for e in epochs]
    df = r.to_pandas()
    for i, zone in enumerate(ZONES):
        assert str(df[f"s{i}"].dt.tz) == zone
        assert (df[f"s{i}"] == df["s0"]).all()  # the same instants, whatever the zone
    pdf = r.to_polars()
    assert pdf.schema["m2"] == pl.Datetime("ms", "America/New_York")


# Zones whose offsets had seconds (Monrovia -00:44:30 until 1972, Amsterdam +00:19:32 until
# 1937) and summer times past the end of the tz database's listed transitions.
HISTORIC_AND_FUTURE = [
    ("Africa/Monrovia", "1960-06-06 01:27:15.125"),
    ("Europe/Amsterdam", "1935-07-01 12:00:00.5"),
    ("Europe/Amsterdam", "2103-06-06 01:27:15"),
    ("America/New_York", "2150-07-04 12:00:00"),
    ("Australia/Sydney", "2250-01-01 12:00:00"),
    ("America/Santiago", "2200-01-15 08:00:00"),
]


@pytest.mark.parametrize("encoding", ["native", "string"])
def test_offsets_to_the_second_and_summer_time_past_2100(roe_server, roe_client, encoding):
    roe_server.encoding = encoding
    cols = ", ".join(
        f"toDateTime64('{wall}', 3, '{zone}') AS t{i}, toUnixTimestamp64Milli(t{i}) AS e{i}, "
        f"[t{i}] AS a{i}"
        for i, (zone, wall) in enumerate(HISTORIC_AND_FUTURE)
    )
    # DateTime (seconds) runs from 1970 to 2106.
    cols += ", toDateTime('2103-06-06 01:27:15', 'Europe/Amsterdam') AS s"
    table = pa.table(roe_client.query(f"SELECT {cols}"))
    for i, (zone, _) in enumerate(HISTORIC_AND_FUTURE):
        millis = table.column(f"e{i}")[0].as_py()
        assert table.column(f"t{i}").type == pa.timestamp("ms", zone)
        assert table.column(f"t{i}").cast(pa.int64())[0].as_py() == millis, zone
        assert table.column(f"a{i}")[0].values.cast(pa.int64())[0].as_py() == millis, zone
    summer = dt.datetime(2103, 6, 5, 23, 27, 15, tzinfo=dt.timezone.utc)  # +02:00
    assert table.column("s").cast(pa.int64())[0].as_py() == int(summer.timestamp())


def test_the_string_encoding_writes_offsets_to_the_second():
    from sqlquarry.testing._encoding import _offset_text

    assert _offset_text(dt.timedelta(seconds=-2670)) == "-00:44:30"
    assert _offset_text(dt.timedelta(seconds=1172)) == "+00:19:32"
    assert _offset_text(dt.timedelta(hours=-4)) == "-04:00"


def test_wall_time_in_a_dst_fold_reads_as_the_earlier_instant(roe_server, roe_client):
    """ClickHouse's own text for DateTime('America/New_York') carries no offset, so
    01:30 on the autumn change names two instants: the earlier one is documented."""
    roe_server.inject_fault(
        status=200,
        path_contains="/v1/database/query/",
        body=json.dumps(
            [
                {
                    "column_names": ["t"],
                    "column_types": ["DateTime('America/New_York')"],
                    "result_rows": [["2024-11-03 01:30:00"], ["2024-11-03 01:30:00-05:00"]],
                }
            ]
        ),
    )
    col = pa.table(roe_client.query("SELECT 1")).column("t")
    edt = dt.datetime(2024, 11, 3, 5, 30, tzinfo=dt.timezone.utc)
    assert col.cast(pa.int64()).to_pylist() == [
        int(edt.timestamp()),
        int(edt.timestamp()) + 3600,  # with an offset it is exact
    ]


def test_server_timezone_reads_zoneless_datetimes(roe_server):
    client = sqlquarry.RoeClient(
        api_key=roe_server.api_key,
        base_url=roe_server.url,
        organization_id="org",
        server_timezone="Asia/Tokyo",
    )
    # ClickHouse's default text: wall time in the server's zone, no offset.
    roe_server.inject_fault(
        status=200,
        path_contains="/v1/database/query/",
        body=json.dumps(
            [
                {
                    "column_names": ["d"],
                    "column_types": ["DateTime"],
                    "result_rows": [["1970-01-01 09:00:00"]],
                }
            ]
        ),
    )
    col = pa.table(client.query("SELECT 1")).column("d")
    assert col.type == pa.timestamp("s", "Asia/Tokyo")
    assert col.cast(pa.int64()).to_pylist() == [0]


# --- pandas and polars the way their users expect ---------------------------------------

WIDE = """
SELECT
    if(number = 1, NULL, toInt32(number)) AS qty,
    if(number = 1, NULL, toBool(number % 2 = 0)) AS flag,
    if(number = 1, NULL, toString(number)) AS label,
    toDecimal128('12345678901234567890.123456789', 9) AS price,
    toDateTime64('2024-04-30 06:11:17.123', 3, 'Asia/Tokyo') AS at,
    toDate('2024-01-01') + number AS day
FROM numbers(3)
"""


def test_pandas_dtypes(roe_client):
    df = roe_client.query(WIDE).to_pandas()
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "qty": "Int32",
        "flag": "boolean",
        "label": "string",
        "price": "object",
        "at": "datetime64[ms, Asia/Tokyo]",
        "day": "object",
    }
    assert df["qty"].tolist()[0] == 0 and df["qty"].isna().tolist() == [False, True, False]
    assert df["price"][0] == decimal.Decimal("12345678901234567890.123456789")
    assert df["at"][0] == pd.Timestamp("2024-04-29 21:11:17.123", tz="UTC")
    assert df["day"][2] == dt.date(2024, 1, 3)


DECIMALS = """
SELECT
    CAST(toInt64(number) - 2 AS Decimal(9, 0)) AS d0,
    number AS n,
    CAST(if(number = 1, NULL, (toInt64(number) - 2) * 1234 + 5) AS Nullable(Decimal(18, 2)))
        / 100 AS d2,
    CAST(toInt64(number) - 2 AS Decimal(38, 20)) / 1000000 AS d20,
    toDecimal256('-12345678901234567890123456789012345678.5', 1) AS wide
FROM numbers(4)
"""


@pytest.mark.parametrize("columns", ["*", "d2, d20", "d20, n"])
def test_pandas_decimals_are_the_objects_pyarrow_makes(roe_client, columns):
    result = roe_client.query(f"SELECT {columns} FROM ({DECIMALS})")
    df = result.to_pandas()
    table = result.to_arrow()
    assert list(df.columns) == table.column_names
    for name in table.column_names:
        if pa.types.is_decimal(table.schema.field(name).type):
            assert str(df.dtypes[name]) == "object", name
            expected = table.column(name).to_pandas().tolist()
            got = df[name].tolist()
            # str() shows the scale too: Decimal("0.50") is not Decimal("0.5") here.
            assert [None if v is None else str(v) for v in got] == [
                None if v is None else str(v) for v in expected
            ], name
    if "d2" in table.column_names:
        assert df["d2"][1] is None and df["d2"][0] == decimal.Decimal("-24.63")


def test_pandas_arrow_backend(roe_client):
    df = roe_client.query(WIDE).to_pandas(dtype_backend="pyarrow")
    assert all(isinstance(t, pd.ArrowDtype) for t in df.dtypes)
    assert df.dtypes["price"].pyarrow_dtype == pa.decimal128(38, 9)
    with pytest.raises(ValueError, match="dtype_backend"):
        roe_client.query("SELECT 1").to_pandas(dtype_backend="numpy")


def test_polars_dtypes(roe_client):
    df = roe_client.query(WIDE).to_polars()
    assert dict(df.schema) == {
        "qty": pl.Int32,
        "flag": pl.Boolean,
        "label": pl.String,
        "price": pl.Decimal(38, 9),
        "at": pl.Datetime("ms", "Asia/Tokyo"),
        "day": pl.Date,
    }
    assert df["price"][0] == decimal.Decimal("12345678901234567890.123456789")


# --- every rendering a service may send decodes to the same value ---------------------

RENDERINGS = [
    (
        "DateTime('UTC')",
        [
            "2024-04-29 21:11:17",
            "2024-04-29T21:11:17",
            "2024-04-29T21:11:17Z",
            "2024-04-29 21:11:17+00:00",
            "2024-04-30 06:11:17+09:00",
            "2024-04-30T06:11:17+0900",
            "2024-04-29 16:11:17-05",
            1714425077,
            "1714425077",
        ],
    ),
    (
        "DateTime64(3, 'Asia/Tokyo')",
        [
            "2024-04-30 06:11:17.123",
            "2024-04-29T21:11:17.123Z",
            "2024-04-29 21:11:17.1230+00:00",
            1714425077.123,
        ],
    ),
    ("UInt64", [18446744073709551615, "18446744073709551615", "+18446744073709551615"]),
    (
        "Decimal(38, 10)",
        [
            decimal.Decimal("1234567890123456789012345678.1234567891"),
            "1234567890123456789012345678.1234567891",
            "1.2345678901234567890123456781234567891e27",
        ],
    ),
    ("Bool", [True, "True", "true", 1, "1"]),
    ("Date", ["2024-04-29", 19842, "19842"]),
    (
        "UUID",
        [
            "123e4567-e89b-12d3-a456-426614174000",
            "123E4567-E89B-12D3-A456-426614174000",
            "123e4567e89b12d3a456426614174000",
        ],
    ),
    ("IPv4", ["192.168.0.1", 3232235521]),
    ("IPv6", ["2001:db8::1", "2001:0DB8:0000:0000:0000:0000:0000:0001"]),
]


@pytest.mark.parametrize(("declared", "renderings"), RENDERINGS, ids=[r[0] for r in RENDERINGS])
def test_every_rendering_decodes_to_the_same_value(roe_server, roe_client, declared, renderings):
    rows = json.dumps([[v] for v in renderings], default=str)
    if declared.startswith("Decimal"):  # the first one as a JSON number with all its digits
        rows = rows.replace(f'"{renderings[0]}"', str(renderings[0]), 1)
    body = f'[{{"column_names": ["v"], "column_types": ["{declared}"], "result_rows": {rows}}}]'
    roe_server.inject_fault(status=200, path_contains="/v1/database/query/", body=body)
    values = pa.table(roe_client.query("SELECT 1")).column("v").to_pylist()
    assert len(set(values)) == 1, values


def test_floats_accept_every_spelling_of_non_finite_values(roe_server, roe_client):
    spellings = ["nan", "NaN", "-nan", "inf", "+inf", "-inf", "Infinity", 1.5, "1.5"]
    body = json.dumps(
        [
            {
                "column_names": ["f"],
                "column_types": ["Float64"],
                "result_rows": [[v] for v in spellings],
            }
        ]
    )
    roe_server.inject_fault(status=200, path_contains="/v1/database/query/", body=body)
    got = pa.table(roe_client.query("SELECT 1")).column("f").to_pylist()
    assert [str(v) for v in got] == ["nan"] * 3 + ["inf"] * 2 + ["-inf", "inf", "1.5", "1.5"]


def test_aggregate_function_state_comes_back_as_sent(roe_client):
    r = roe_client.query("SELECT sumState(toUInt64(5)) AS x, hex(x) AS h")
    table = pa.table(r)
    assert r.column_types[0] == "AggregateFunction(sum, UInt64)"
    assert table.schema.field("x").type == pa.string()
    assert (
        table.column("x")[0].as_py().encode("latin-1").hex().upper() == table.column("h")[0].as_py()
    )


def test_object_json_is_json_text(roe_server, roe_client):
    """Object('json') was removed from ClickHouse (26.x rejects it); older servers send it."""
    body = json.dumps(
        [
            {
                "column_names": ["o"],
                "column_types": ["Object('json')"],
                "result_rows": [[{"a": [1, {"b": None}]}]],
            }
        ]
    )
    roe_server.inject_fault(status=200, path_contains="/v1/database/query/", body=body)
    r = roe_client.query("SELECT 1")
    assert json.loads(pa.table(r).column("o")[0].as_py()) == {"a": [1, {"b": None}]}
    assert not r.warnings
