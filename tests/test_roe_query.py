"""RoeClient.query / query_all against the emulator over real HTTP, sync and async side by side."""

from __future__ import annotations

import datetime as dt
import decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import sqlquarry

SEED_ROWS = [
    ("example1.pdf", "file_123e4567-e89b-12d3-a456-426614174001", "2024-04-29 21:11:17"),
    ("example2.png", "file_123e4567-e89b-12d3-a456-426614174002", "2024-04-29 21:11:18"),
    ("example3.mp4", "file_123e4567-e89b-12d3-a456-426614174003", "2024-04-29 21:11:19"),
]


@pytest.fixture(scope="module", autouse=True)
def seed_table(sqlquarry_roe_server):
    values = ", ".join(f"('{n}', '{f}', '{t}')" for n, f, t in SEED_ROWS)
    sqlquarry_roe_server.execute(
        "CREATE OR REPLACE TABLE seed_files (name String, file String, created_at DateTime) "
        f"ENGINE = Memory; INSERT INTO seed_files VALUES {values}"
    )


def check_seed(result: sqlquarry.QueryResult) -> None:
    assert result.column_names == ["name", "file", "created_at"]
    assert result.column_types == ["String", "String", "DateTime"]
    table = pa.table(result)
    assert table.schema.field("created_at").type == pa.timestamp("s", tz="UTC")
    assert table.column("name").to_pylist() == [r[0] for r in SEED_ROWS]
    assert table.column("created_at").to_pylist() == [
        dt.datetime.fromisoformat(r[2]).replace(tzinfo=dt.timezone.utc) for r in SEED_ROWS
    ]


SEED_SQL = "SELECT name, file, created_at FROM seed_files ORDER BY name"


@pytest.mark.parametrize("encoding", ["native", "string"])
def test_query_seed_example_sync(roe_server, roe_client, encoding):
    roe_server.encoding = encoding
    check_seed(roe_client.query(SEED_SQL))


@pytest.mark.parametrize("encoding", ["native", "string"])
async def test_query_seed_example_async(roe_server, roe_client, encoding):
    roe_server.encoding = encoding
    check_seed(await roe_client.query_async(SEED_SQL))


def test_query_sends_documented_request(roe_server, roe_client):
    roe_client.query("SELECT 1", worksheet_id="ws-1", use_admin=True)
    (req,) = [r for r in roe_server.requests if r.path == "/v1/database/query/"]
    assert req.method == "POST"
    assert req.query["organization_id"] == roe_client.organization_id
    assert req.body == {
        "query": "SELECT 1",
        "worksheet_id": "ws-1",
        "use_admin": True,
        "organization_id": roe_client.organization_id,
    }
    headers = {k.lower(): v for k, v in req.headers.items()}
    assert headers["authorization"] == "<redacted>"
    assert headers["x-organization-id"] == roe_client.organization_id
    assert headers["user-agent"].startswith("sqlquarry/")


MULTI = "SELECT 1 AS a; SELECT 'x' AS b, toDate('2024-01-02') AS c"


def check_multi(results) -> None:
    assert [r.column_names for r in results] == [["a"], ["b", "c"]]
    assert pa.table(results[1]).to_pylist() == [{"b": "x", "c": dt.date(2024, 1, 2)}]
    assert [r.sql.strip() for r in results] == [
        "SELECT 1 AS a",
        "SELECT 'x' AS b, toDate('2024-01-02') AS c",
    ]


def test_query_all_and_query_returns_last_sync(roe_client):
    check_multi(roe_client.query_all(MULTI))
    assert roe_client.query(MULTI).column_names == ["b", "c"]


async def test_query_all_and_query_returns_last_async(roe_client):
    check_multi(await roe_client.query_all_async(MULTI))
    assert (await roe_client.query_async(MULTI)).column_names == ["b", "c"]


EMPTY = "SELECT toInt32(number) AS n, toDecimal64(number, 3) AS d FROM numbers(0)"


def check_empty(r: sqlquarry.QueryResult) -> None:
    assert r.num_rows == len(r) == 0
    assert r.schema == pa.schema([("n", pa.int32(), False), ("d", pa.decimal128(18, 3), False)])
    df = r.to_pandas()
    assert list(df.columns) == ["n", "d"] and len(df) == 0
    assert str(df.dtypes["n"]) == "Int32"
    assert r.to_polars().schema == pl.Schema({"n": pl.Int32, "d": pl.Decimal(18, 3)})


def test_empty_result_keeps_typed_schema_sync(roe_client):
    check_empty(roe_client.query(EMPTY))


async def test_empty_result_keeps_typed_schema_async(roe_client):
    check_empty(await roe_client.query_async(EMPTY))


def test_conversions_and_metadata(roe_client):
    r = roe_client.query(
        "SELECT number AS id, if(number % 2 = 0, NULL, toInt32(number)) AS qty, "
        "toDecimal128('12345678901234567890.123456789', 9) AS big FROM numbers(5)"
    )
    assert r.num_rows == len(r) == 5 and r.num_columns == 3
    assert r.column_types == ["UInt64", "Nullable(Int32)", "Decimal(38, 9)"]
    assert r.query_id and r.sql.startswith("SELECT number")
    assert r.summary["result_rows"] == 5
    assert r.elapsed is not None and r.elapsed >= 0

    # Zero-copy consumers read the PyCapsule stream directly.
    table = pa.table(r)
    assert table.equals(r.to_arrow())
    assert pl.DataFrame(r).equals(r.to_polars())

    df = r.to_pandas()
    assert str(df.dtypes["qty"]) == "Int32"  # stays integer with NULLs, not float64
    assert df["qty"].isna().tolist() == [True, False, True, False, True]
    assert df["big"][0] == decimal.Decimal("12345678901234567890.123456789")
    arrow_df = r.to_pandas(dtype_backend="pyarrow")
    assert isinstance(arrow_df.dtypes["big"], pd.ArrowDtype)

    assert "5 rows × 3 columns" in repr(r) and "Nullable(Int32)" in repr(r)
    html = r._repr_html_()
    assert "Nullable(Int32)" in html and "12345678901234567890.123456789" in html


def test_blocking_query_works_inside_a_running_event_loop(roe_client):
    """Jupyter runs cells inside an event loop: the blocking API must not start one."""
    import asyncio

    async def cell():
        return roe_client.query("SELECT 42 AS answer")

    assert pa.table(asyncio.run(cell())).to_pylist() == [{"answer": 42}]


def test_gzip_and_plain_bodies_decode_alike(roe_server, roe_client):
    sql = "SELECT number, toString(number) AS s FROM numbers(2000)"
    zipped = pa.table(roe_client.query(sql))
    roe_server.compression = None
    plain = pa.table(roe_client.query(sql))
    assert zipped.equals(plain) and zipped.num_rows == 2000
