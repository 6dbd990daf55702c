"""DB-API 2.0 (PEP 249) over Roe: module globals, connections, cursors, pyformat parameters,
the exception tree, the ADBC-style extensions and pandas.read_sql."""

from __future__ import annotations

import datetime as dt
import decimal
import warnings

import pandas as pd
import pyarrow as pa
import pytest

import sqlquarry
import sqlquarry.dbapi as dbapi
from test_parameters import HOSTILE_STRINGS


@pytest.fixture
def conn(roe_server):
    with dbapi.connect(roe_server.api_key, base_url=roe_server.url, organization_id="o") as c:
        yield c


def test_module_globals_and_type_objects():
    assert (dbapi.apilevel, dbapi.threadsafety, dbapi.paramstyle) == ("2.0", 2, "pyformat")
    assert dbapi.STRING == "LowCardinality(Nullable(String))"
    assert dbapi.NUMBER == "Decimal(18, 2)" and dbapi.NUMBER != "String"
    assert dbapi.DATETIME == "DateTime64(3, 'UTC')"
    assert dbapi.Date(2024, 1, 2) == dt.date(2024, 1, 2)
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
                 "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
                 "NotSupportedError"):  # fmt: skip
        cls = getattr(dbapi, name)
        assert issubclass(cls, Exception)
        if name != "Warning":
            assert issubclass(cls, dbapi.Error)
    assert dbapi.Error is sqlquarry.Error


def test_connect_reads_the_environment_like_roe_client(roe_server, monkeypatch):
    monkeypatch.setenv("ROE_API_KEY", roe_server.api_key)
    monkeypatch.setenv("ROE_BASE_URL", roe_server.url)
    with dbapi.connect() as c, c.cursor() as cur:
        assert cur.execute("SELECT 1 AS x").fetchall() == [(1,)]


def test_execute_describe_and_fetch(conn):
    cur = conn.cursor()
    cur.execute(
        "SELECT number AS n, toString(number) AS s, toDecimal64(number, 2) AS d, "
        "toDateTime64(number, 3, 'UTC') AS t FROM numbers(5) WHERE number < %(limit)s",
        {"limit": 4},
    )
    assert [d[0] for d in cur.description] == ["n", "s", "d", "t"]
    assert cur.description[0][1] == dbapi.NUMBER and cur.description[1][1] == dbapi.STRING
    assert cur.description[2][4:6] == (18, 2)
    assert cur.description[3][1] == dbapi.DATETIME
    assert cur.rowcount == 4
    assert cur.fetchone() == (
        0,
        "0",
        decimal.Decimal("0.00"),
        dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
    )
    cur.arraysize = 2
    assert [r[0] for r in cur.fetchmany()] == [1, 2]
    assert [r[0] for r in cur] == [3]
    assert cur.fetchone() is None and cur.fetchall() == []


def test_positional_and_percent_signs(conn):
    cur = conn.cursor()
    cur.execute("SELECT %s AS a, %s AS b, '100%' AS c, 7 %% 4 AS d", ("x", None))
    assert cur.fetchall() == [("x", None, "100%", 3)]
    cur.execute("SELECT '100%' AS c")  # no parameters: the SQL as it is
    assert cur.fetchall() == [("100%",)]


def test_pyformat_values_round_trip(conn):
    when = dt.datetime(2024, 4, 29, 21, 11, 17, 123456, tzinfo=dt.timezone.utc)
    values = {
        "i": -(2**70),
        "f": 0.1,
        "d": decimal.Decimal("12345678901234567890.123456789"),
        "b": True,
        "n": None,
        "day": dt.date(1950, 5, 1),
        "when": when,
        "arr": [1, 2, 3],
        "m": {"k": "v"},
    }
    cur = conn.cursor().execute("SELECT " + ", ".join(f"%({k})s AS {k}" for k in values), values)
    row = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    assert row["i"] == str(-(2**70)) or row["i"] == -(2**70)
    assert row["f"] == 0.1 and row["d"] == values["d"] and row["b"] is True
    assert row["n"] is None and row["day"] == values["day"] and row["when"] == when
    assert row["arr"] == [1, 2, 3] and row["m"] == [("k", "v")]


def test_hostile_strings_through_pyformat(conn):
    cur = conn.cursor()
    for s in HOSTILE_STRINGS:
        cur.execute("SELECT %(s)s AS s", {"s": s})
        assert cur.fetchone() == (s,)
    cur.execute("SELECT count() FROM numbers(3) WHERE toString(number) = %s", ("0' OR '1'='1",))
    assert cur.fetchone() == (0,)


def test_parameter_errors(conn):
    cur = conn.cursor()
    with pytest.raises(dbapi.ProgrammingError, match="no parameter 'b'"):
        cur.execute("SELECT %(a)s, %(b)s", {"a": 1})
    with pytest.raises(dbapi.ProgrammingError, match="2 parameters for 1"):
        cur.execute("SELECT %s", (1, 2))
    with pytest.raises(dbapi.ProgrammingError, match="naive"):
        cur.execute("SELECT %s", (dt.datetime(2024, 1, 1),))
    with pytest.raises(TypeError, match="wrap it in a tuple"):
        cur.execute("SELECT %s", "x")


def test_executemany_and_rowcount(conn, roe_server):
    roe_server.execute("CREATE TABLE IF NOT EXISTS dbapi_many (x Int32, s String) ENGINE = Memory")
    roe_server.execute("TRUNCATE TABLE dbapi_many")
    cur = conn.cursor()
    cur.executemany("INSERT INTO dbapi_many VALUES (%s, %s)", [(1, "a"), (2, "o'b")])
    assert cur.execute("SELECT * FROM dbapi_many ORDER BY x").fetchall() == [(1, "a"), (2, "o'b")]


def test_bad_sql_is_both_a_query_error_and_a_programming_error(conn):
    cur = conn.cursor()
    with pytest.raises(sqlquarry.QueryError) as info:
        cur.execute("SELECT FROM WHERE")
    assert isinstance(info.value, dbapi.ProgrammingError)
    with pytest.raises(dbapi.ProgrammingError):
        cur.execute("SELECT * FROM no_such_table_dbapi")


def test_transactions_closing_and_unsupported_calls(conn):
    conn.commit()
    with pytest.raises(dbapi.NotSupportedError):
        conn.rollback()
    cur = conn.cursor()
    with pytest.raises(dbapi.ProgrammingError):
        cur.fetchone()
    with pytest.raises(dbapi.NotSupportedError):
        cur.callproc("x")
    cur.close()
    with pytest.raises(dbapi.InterfaceError):
        cur.execute("SELECT 1")
    conn.close()
    with pytest.raises(dbapi.InterfaceError):
        conn.cursor()


def test_adbc_style_fetches(conn):
    cur = conn.cursor().execute("SELECT number AS n FROM numbers(10)")
    assert cur.fetchone() == (0,)
    table = cur.fetch_arrow_table()
    assert isinstance(table, pa.Table) and table.column("n").to_pylist() == list(range(1, 10))
    cur.execute("SELECT number AS n FROM numbers(10)")
    reader = cur.fetch_record_batch()
    assert isinstance(reader, pa.RecordBatchReader)
    assert reader.read_all().num_rows == 10
    df = cur.execute("SELECT toDecimal32(1.5, 1) AS d").fetch_df()
    assert df["d"][0] == decimal.Decimal("1.5")


def test_pandas_read_sql(conn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas: "not SQLAlchemy, not tested"
        df = pd.read_sql("SELECT 1 AS x, 'a' AS s", conn)
        assert df.to_dict("records") == [{"x": 1, "s": "a"}]
        df = pd.read_sql(
            "SELECT number AS n FROM numbers(5) WHERE n >= %(lo)s", conn, params={"lo": 3}
        )
        assert df["n"].tolist() == [3, 4]
