"""SlateoClient against the Slateo emulator over real HTTP, sync and async side by side."""

from __future__ import annotations

import decimal
import time

import pyarrow as pa
import pytest

import sqlquarry
from twins import MODES, call, collect

TYPED_SQL = """
SELECT number AS n, toString(number) AS s, toDateTime64('2024-01-15 10:00:00.25', 3, 'UTC') AS t,
       toDecimal64('12.34', 2) AS d, toBool(number % 2 = 0) AS b, toDate('2024-01-15') AS day,
       number / 4 AS f, [number, 1] AS arr, toUInt64(18446744073709551615) AS big
FROM numbers(3)
"""


@pytest.mark.parametrize("mode", MODES)
def test_list_iterates_every_page(slateo_server, slateo_client, mode):
    ids = [slateo_server.add_query(f"SELECT {i}") for i in range(7)]
    got = collect(mode, slateo_client.queries, "list", limit=3)
    assert [q.id for q in got][-7:] == ids
    assert all(isinstance(q, sqlquarry.models.SlateoQuery) for q in got)
    pages = [r for r in slateo_server.requests if r.path == "/api/queries"]
    assert len(pages) >= 3 and all(r.query.get("limit") == "3" for r in pages)


@pytest.mark.parametrize("mode", MODES)
def test_list_page_and_get(slateo_server, slateo_client, mode):
    for i in range(3):
        slateo_server.add_query(f"SELECT {i}", created_by="user_9")
    page = call(mode, slateo_client.queries, "list_page", limit=2)
    assert len(page.items) == 2 and page.next_cursor
    nxt = call(mode, slateo_client.queries, "list_page", limit=2, cursor=page.next_cursor)
    assert nxt.items[0].id != page.items[0].id
    q = call(mode, slateo_client.queries, "get", page.items[0].id)
    assert q.sql == "SELECT 0" and q.created_by == "user_9"
    assert q.analytical_database_config_id == q.to_dict()["analyticalDatabaseConfigId"]


@pytest.mark.parametrize("mode", MODES)
def test_run_refreshes_waits_and_returns_typed_rows(slateo_server, slateo_client, mode):
    slateo_server.run_seconds = 0.4
    qid = slateo_server.add_query(TYPED_SQL)
    start = time.monotonic()
    r = call(mode, slateo_client.queries, "run", qid, timeout=30)
    assert time.monotonic() - start >= 0.4
    table = pa.table(r)
    assert r.column_types == ["integer", "string", "timestamp", "decimal", "boolean", "date",
                              "float", "json", "integer"]  # fmt: skip
    assert [f.type for f in table.schema] == [
        pa.int64(), pa.string(), pa.timestamp("ns", "UTC"), pa.decimal128(38, 2), pa.bool_(),
        pa.date32(), pa.float64(), pa.string(), pa.uint64(),
    ]  # fmt: skip
    row = table.to_pylist()[0]
    assert row["d"] == decimal.Decimal("12.34") and row["big"] == 18446744073709551615
    assert row["t"].isoformat() == "2024-01-15T10:00:00.250000+00:00"
    assert call(mode, slateo_client.queries, "get", qid).latest_run.status == "completed"


@pytest.mark.parametrize("mode", MODES)
def test_refresh_then_result(slateo_server, slateo_client, mode):
    qid = slateo_server.add_query("SELECT 1 AS one")
    run = call(mode, slateo_client.queries, "refresh", qid)
    assert isinstance(run, sqlquarry.models.SlateoRun)
    assert run.status == "pending" and run.query_id == qid and run.rendered_sql == "SELECT 1 AS one"
    slateo_client.queries.run(qid, timeout=30, wait_if_running=True)
    assert pa.table(call(mode, slateo_client.queries, "result", qid)).to_pylist() == [{"one": 1}]


@pytest.mark.parametrize("mode", MODES)
def test_refresh_conflict_and_waiting_for_the_running_run(slateo_server, slateo_client, mode):
    slateo_server.run_seconds = 1.0
    qid = slateo_server.add_query("SELECT 2 AS two")
    slateo_client.queries.refresh(qid)
    with pytest.raises(sqlquarry.ConflictError) as info:
        call(mode, slateo_client.queries, "refresh", qid)
    e = info.value
    assert e.status == 409 and e.code == "invalid_request" and "already running" in e.server_message
    assert e.documentation_url
    with pytest.raises(sqlquarry.ConflictError):
        call(mode, slateo_client.queries, "run", qid)
    r = call(mode, slateo_client.queries, "run", qid, timeout=30, wait_if_running=True)
    assert pa.table(r).to_pylist() == [{"two": 2}]


@pytest.mark.parametrize("mode", MODES)
def test_failed_run_raises_query_error(slateo_server, slateo_client, mode):
    qid = slateo_server.add_query("SELECT no_such_column FROM numbers(1)")
    with pytest.raises(sqlquarry.QueryError, match="no_such_column") as info:
        call(mode, slateo_client.queries, "run", qid, timeout=30)
    assert info.value.query_id == qid


def test_run_timeout(slateo_server, slateo_client):
    slateo_server.run_seconds = 30
    qid = slateo_server.add_query("SELECT 1")
    with pytest.raises(sqlquarry.TimeoutError):
        slateo_client.queries.run(qid, timeout=0.3)


def test_result_before_any_run_is_not_found(slateo_server, slateo_client):
    qid = slateo_server.add_query("SELECT 1")
    with pytest.raises(sqlquarry.NotFoundError) as info:
        slateo_client.queries.result(qid)
    assert info.value.query_id == qid and info.value.code == "invalid_request"


def test_unknown_field_type_is_text_with_a_warning(slateo_server, slateo_client):
    qid = slateo_server.add_query("SELECT INTERVAL 1 DAY AS i")
    with pytest.warns(sqlquarry.TypeWarning, match="unknown Slateo type 'intervalday'"):
        r = slateo_client.queries.run(qid, timeout=30)
    assert pa.table(r).column("i").type == pa.string()


@pytest.mark.parametrize("mode", MODES)
def test_query_refs_crud(slateo_server, slateo_client, mode):
    qid = slateo_server.add_query("SELECT 1")
    refs = slateo_client.queries.refs
    made = [call(mode, refs, "create", qid, f"ref {i}") for i in range(4)]
    assert made[0].query_id == qid and made[0].permalink
    assert [r.id for r in collect(mode, refs, "list", limit=2)][-4:] == [r.id for r in made]
    assert call(mode, refs, "get", made[1].id).name == "ref 1"
    assert call(mode, refs, "update", made[1].id, name="renamed").name == "renamed"
    call(mode, refs, "delete", made[1].id)
    with pytest.raises(sqlquarry.NotFoundError):
        call(mode, refs, "get", made[1].id)


@pytest.mark.parametrize("mode", MODES)
def test_errors_keep_type_message_and_documentation(slateo_server, mode):
    client = sqlquarry.SlateoClient(api_key="sk_live_wrong_secret", base_url=slateo_server.url)
    with pytest.raises(sqlquarry.AuthenticationError) as info:
        call(mode, client.queries, "get", "x")
    e = info.value
    assert e.status == 401 and e.code == "invalid_request" and e.documentation_url
    assert "sk_live_wrong_secret" not in str(e) + repr(client)
    with pytest.raises(sqlquarry.NotFoundError):
        call(mode, sqlquarry.SlateoClient(api_key="test-key", base_url=slateo_server.url).queries,
             "get", "nope")  # fmt: skip


def test_settings_from_the_environment(slateo_server, monkeypatch):
    monkeypatch.setenv("SLATEO_API_KEY", f"Bearer {slateo_server.api_key}")
    monkeypatch.setenv("SLATEO_BASE_URL", slateo_server.url)
    qid = slateo_server.add_query("SELECT 1")
    assert sqlquarry.SlateoClient().queries.get(qid).id == qid
    monkeypatch.delenv("SLATEO_API_KEY")
    with pytest.raises(sqlquarry.ConfigurationError, match="SLATEO_API_KEY"):
        sqlquarry.SlateoClient()
