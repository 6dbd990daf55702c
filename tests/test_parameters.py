"""Parameters bound on the client: `{name:Type}` placeholders checked against their declared
types and rendered as exact, escaped ClickHouse literals, round-tripping through chDB."""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import uuid

import pyarrow as pa
import pytest

import sqlquarry
from twins import MODES, call

# Strings that break naive quoting, each of which must come back exactly.
HOSTILE_STRINGS = [
    "",
    "o'brien",
    "it''s",
    "back\\slash",
    "\\'",
    "'; DROP TABLE users; --",
    "quote ' and backslash \\ and both \\'",
    "nul \0 byte",
    "new\nline\r\ttab",
    "-- a comment",
    "/* a comment */",
    "{x:String}",
    "{{braces}}",
    "%(p)s %s %%",
    "unicode: ünïcødé 日本語 😀 \u200b",
    "\x7f\x01\x1f",
    "x" * 100_000,
]


@pytest.mark.parametrize("mode", MODES)
def test_hostile_strings_round_trip_exactly(roe_client, mode):
    params = {f"s{i}": s for i, s in enumerate(HOSTILE_STRINGS)}
    sql = "SELECT " + ", ".join(f"{{s{i}:String}} AS s{i}" for i in range(len(HOSTILE_STRINGS)))
    row = call(mode, roe_client, "query", sql, parameters=params).to_arrow().to_pylist()[0]
    assert row == params


def test_an_injection_attempt_is_a_literal(roe_client, roe_server):
    roe_server.execute("CREATE TABLE IF NOT EXISTS victims (x Int32) ENGINE = Memory")
    roe_server.execute("INSERT INTO victims VALUES (1)")
    attack = "x'); DROP TABLE victims; SELECT ('"
    r = roe_client.query("SELECT {name:String} AS name", parameters={"name": attack})
    assert r.to_arrow().column("name").to_pylist() == [attack]
    assert roe_client.query("SELECT count() AS n FROM victims").to_arrow()["n"][0].as_py() >= 1


def test_placeholders_inside_quotes_and_comments_are_text(roe_client):
    sql = "SELECT '{a:UInt8}' AS text, {a:UInt8} AS value -- {b:String}\n"
    row = roe_client.query(sql, parameters={"a": 7}).to_arrow().to_pylist()[0]
    assert row == {"text": "{a:UInt8}", "value": 7}


TYPED = [
    ("UInt8", 255, 255),
    ("Int64", -(2**63), -(2**63)),
    ("UInt64", 2**64 - 1, 2**64 - 1),
    ("Int128", -(2**127), decimal.Decimal(-(2**127))),
    ("UInt256", 2**256 - 1, str(2**256 - 1)),
    ("Float64", 0.1, 0.1),
    ("Float32", 1.5, 1.5),
    ("Decimal(9, 2)", decimal.Decimal("-1234567.89"), decimal.Decimal("-1234567.89")),
    ("Decimal(76, 40)", decimal.Decimal("1E-40"), decimal.Decimal("1E-40")),
    ("Decimal(9, 2)", 0.5, decimal.Decimal("0.50")),
    ("Decimal(9, 2)", "1.50", decimal.Decimal("1.50")),
    ("Date", "2024-04-29", dt.date(2024, 4, 29)),
    ("Bool", True, True),
    ("String", b"\xff\x00raw", "\ufffd\x00raw"),
    ("FixedString(3)", "ab", "ab\x00"),
    (
        "UUID",
        uuid.UUID("123e4567-e89b-12d3-a456-426614174000"),
        "123e4567-e89b-12d3-a456-426614174000",
    ),
    ("IPv4", ipaddress.IPv4Address("10.0.0.1"), "10.0.0.1"),
    ("IPv6", "::1", "::1"),
    ("Date", dt.date(2149, 6, 6), dt.date(2149, 6, 6)),
    ("Date32", dt.date(1900, 1, 1), dt.date(1900, 1, 1)),
    ("Enum8('a' = 1, 'b' = 2)", "b", "b"),
    ("Nullable(Int32)", None, None),
    ("LowCardinality(String)", "lc", "lc"),
    ("Array(Nullable(String))", ["a", None, "o'brien"], ["a", None, "o'brien"]),
    ("Array(Array(UInt8))", [[1], [], [2, 3]], [[1], [], [2, 3]]),
    ("Tuple(UInt8, String)", (1, "x"), {"1": 1, "2": "x"}),
    ("Tuple(a UInt8, `b c` String)", {"b c": "y", "a": 2}, {"a": 2, "b c": "y"}),
    ("Map(String, Array(Int8))", {"k": [-1, 2]}, [("k", [-1, 2])]),
]


@pytest.mark.parametrize(("declared", "value", "expected"), TYPED, ids=[t[0] for t in TYPED])
def test_each_type_round_trips(roe_client, declared, value, expected):
    r = roe_client.query(f"SELECT {{p:{declared}}} AS p", parameters={"p": value})
    assert r.column_types == [declared.replace("`b c`", "`b c`")]
    got = r.to_arrow().column("p")[0].as_py()
    assert got == expected


def test_datetimes_keep_their_instant_in_any_declared_zone(roe_client):
    tokyo = dt.timezone(dt.timedelta(hours=9))
    when = dt.datetime(2024, 4, 30, 6, 11, 17, 123456, tzinfo=tokyo)
    sql = (
        "SELECT {a:DateTime('UTC')} AS a, {b:DateTime64(6, 'America/New_York')} AS b, "
        "{c:Array(DateTime64(3))} AS c"
    )
    params = {"a": when.replace(microsecond=0), "b": when, "c": [when.replace(microsecond=123000)]}
    row = roe_client.query(sql, parameters=params).to_arrow().to_pylist()[0]
    assert row["a"] == when.replace(microsecond=0)
    assert row["b"] == when
    assert row["c"] == [when.replace(microsecond=123000)]


BAD = [
    ("UInt8", 300, "out of range"),
    ("Int32", None, "not Nullable"),
    ("Int32", "5", "does not fit"),
    ("DateTime('UTC')", dt.datetime(2024, 1, 1), "naive"),
    ("DateTime", dt.datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=dt.timezone.utc), "fractional"),
    ("Decimal(9, 2)", 0.125, "does not fit"),
    ("Decimal(9, 2)", decimal.Decimal("1.234"), "does not fit"),
    ("Date", dt.date(2200, 1, 1), "range"),
    ("Enum8('a' = 1)", "z", "not a label"),
    ("Array(UInt8)", [1, 256], "out of range"),
    ("Map(String, UInt8)", {"k": -1}, "out of range"),
    ("JSON", "{}", "not a type parameters support"),
]


@pytest.mark.parametrize(("declared", "value", "why"), BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("mode", MODES)
def test_a_value_that_does_not_fit_fails_before_sending(
    roe_client, roe_server, mode, declared, value, why
):
    roe_server.clear_requests()
    with pytest.raises(sqlquarry.ConfigurationError, match=why) as info:
        call(mode, roe_client, "query", f"SELECT {{p:{declared}}}", parameters={"p": value})
    assert "parameter 'p'" in str(info.value)
    assert roe_server.requests == []


def test_missing_unused_and_unconvertible_parameters(roe_client):
    with pytest.raises(sqlquarry.ConfigurationError, match="no parameter 'b'"):
        roe_client.query("SELECT {a:UInt8}, {b:UInt8}", parameters={"a": 1})
    with pytest.raises(sqlquarry.ConfigurationError, match=r"not used.*extra"):
        roe_client.query("SELECT {a:UInt8}", parameters={"a": 1, "extra": 2})
    with pytest.raises(TypeError, match=r"parameter 'a'.*object"):
        roe_client.query("SELECT {a:String}", parameters={"a": object()})
    with pytest.raises(TypeError, match="mapping"):
        roe_client.query("SELECT {a:String}", parameters=["x"])


@pytest.mark.parametrize("mode", MODES)
def test_parameters_on_every_query_call(roe_client, mode):
    p = {"n": 3}
    sql = "SELECT number FROM numbers({n:UInt8})"
    assert call(mode, roe_client, "query", sql, parameters=p).num_rows == 3
    assert call(mode, roe_client, "query_all", sql, parameters=p)[0].num_rows == 3
    job = call(mode, roe_client, "submit", sql, parameters=p)
    assert call(mode, job, "wait", timeout=30).num_rows == 3
    if mode == "sync":
        with roe_client.iter_batches(sql, parameters=p) as batches:
            assert sum(b.num_rows for b in batches) == 3


def test_slateo_run_sends_parameter_values(slateo_client, slateo_server):
    qid = slateo_server.add_query("SELECT 1 AS x")
    run = slateo_client.queries.refresh(qid, parameter_values={"region": "EU"})
    assert run.parameter_values == {"region": "EU"}
    refresh = [r for r in slateo_server.requests if r.path.endswith("/refresh")]
    assert refresh[-1].body == {"parameterValues": {"region": "EU"}}
    assert (
        pa.table(
            slateo_client.queries.run(qid, parameter_values={"region": "US"}, wait_if_running=True)
        ).num_rows
        == 1
    )
