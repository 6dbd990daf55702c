"""AIForDatabaseClient: questions, inferred types, envelope, errors and rate limits, against
the emulator over real HTTP, sync and async side by side."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import sqlquarry
from sqlquarry.testing import AIForDatabaseServer
from twins import MODES, call, collect

MIXED = """
SELECT number AS i, if(number = 1, 2.5, number) AS mixed_num, NULL AS all_null,
       if(number = 2, NULL, toBool(number % 2)) AS flag, toString(number) AS s,
       if(number = 0, 1::Dynamic, 'a'::Dynamic) AS mixed_kind, [number, 1] AS arr,
       map('k', number) AS obj, if(number = 0, toUInt64(18446744073709551615), number) AS big,
       toDateTime('2024-01-15 10:00:00', 'UTC') AS ts
FROM numbers(3)
"""


@pytest.mark.parametrize("mode", MODES)
def test_ask_registered_question_infers_types(aifordb_server, aifordb_client, mode):
    aifordb_server.register_question("How mixed is it?", MIXED)
    r = call(mode, aifordb_client, "ask", "how mixed is it?", "conn_local")
    assert r.sql.strip().startswith("SELECT number AS i")
    assert r.query_id.startswith("q_") and r.execution_time_ms >= 0
    table = pa.table(r)
    assert {f.name: f.type for f in table.schema} == {
        "i": pa.int64(), "mixed_num": pa.float64(), "all_null": pa.null(), "flag": pa.bool_(),
        "s": pa.string(), "mixed_kind": pa.string(), "arr": pa.string(), "obj": pa.string(),
        "big": pa.uint64(), "ts": pa.string(),
    }  # fmt: skip
    assert table.schema.field("flag").nullable and not table.schema.field("i").nullable
    rows = table.to_pylist()
    assert [x["mixed_num"] for x in rows] == [0.0, 2.5, 2.0]
    assert [x["mixed_kind"] for x in rows] == ["1", "a", "a"]
    assert json.loads(rows[0]["arr"]) == [0, 1] and json.loads(rows[1]["obj"]) == {"k": 1}
    assert rows[0]["big"] == 18446744073709551615
    assert r.column_types[:3] == ["Int64", "Float64", "Nullable(Nothing)"]
    assert str(r.to_pandas().dtypes["flag"]) == "boolean"


@pytest.mark.parametrize("mode", MODES)
def test_sql_as_the_question_runs_as_is(aifordb_client, mode):
    r = call(mode, aifordb_client, "ask", "SELECT 42 AS answer", "conn_local")
    assert pa.table(r).to_pylist() == [{"answer": 42}]


@pytest.mark.parametrize("mode", MODES)
def test_envelope_request_id_and_rate_limit_headers(aifordb_server, mode):
    aifordb_server.rate_limit = (5, 60)
    client = sqlquarry.AIForDatabaseClient(
        api_key=aifordb_server.api_key, base_url=aifordb_server.base_url, max_retries=0
    )
    call(mode, client, "ask", "SELECT 1", "conn_local")
    first = client.rate_limit
    assert first["limit"] == 5 and first["remaining"] == 4 and first["reset"] > 0
    assert client.last_request_id.startswith("req_")
    call(mode, client.connections, "list_page")
    assert client.rate_limit["remaining"] == 3
    for _ in range(3):
        call(mode, client.connections, "list_page")
    with pytest.raises(sqlquarry.RateLimitError) as info:
        call(mode, client.connections, "list_page")
    e = info.value
    assert e.status == 429 and e.code == "rate_limit_exceeded" and e.retry_after > 0
    assert e.rate_limit["remaining"] == 0 and e.request_id.startswith("req_")
    assert e.details["limit"] == 5


ERRORS = [
    # (how to provoke it, exception, HTTP status, code)
    ("auth", sqlquarry.AuthenticationError, 401, "authentication_error"),
    ("scope", sqlquarry.PermissionDeniedError, 403, "authorization_error"),
    ("no_connection", sqlquarry.NotFoundError, 404, "not_found"),
    ("unanswerable", sqlquarry.BadRequestError, 422, "validation_error"),
    ("bad_sql", sqlquarry.QueryError, 500, "query_error"),
    ("unreachable", sqlquarry.ServerError, 502, "connection_error"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("case", "exc", "status", "code"), ERRORS, ids=[e[0] for e in ERRORS])
def test_each_error_code(aifordb_server, aifordb_client, mode, case, exc, status, code):
    client, question, conn = aifordb_client, "SELECT 1", "conn_local"
    if case == "auth":
        client = sqlquarry.AIForDatabaseClient(
            api_key="sk-secret-wrong", base_url=aifordb_server.base_url
        )
    elif case == "scope":
        aifordb_server.set_scopes(["dashboards:read"])
    elif case == "no_connection":
        conn = "conn_missing"
    elif case == "unanswerable":
        question = "what is the meaning of life?"
    elif case == "bad_sql":
        question = "SELECT no_such_column"
    elif case == "unreachable":
        conn = aifordb_client.connections.create(
            "postgresql", "down", "db.invalid", 5432, "prod", "reader", password="pw"
        ).id
        aifordb_server.break_connection(conn)
    with pytest.raises(exc) as info:
        call(mode, client, "ask", question, conn)
    e = info.value
    assert (e.status, e.code) == (status, code)
    assert e.server_message and e.request_id.startswith("req_")
    assert e.details is None or isinstance(e.details, dict)
    if case == "bad_sql":
        assert "no_such_column" in e.details["error"]
    assert "sk-secret-wrong" not in str(e)


def test_self_hosted_base_path():
    with AIForDatabaseServer(base_path="/api/v1") as srv:
        client = sqlquarry.AIForDatabaseClient(api_key=srv.api_key, base_url=srv.url + "/api/v1/")
        assert pa.table(client.ask("SELECT 7 AS seven", "conn_local")).to_pylist() == [{"seven": 7}]


@pytest.mark.parametrize("mode", MODES)
def test_saved_queries_list_get_delete(aifordb_client, mode):
    asked = [aifordb_client.ask(f"SELECT {i} AS n", "conn_local").query_id for i in range(7)]
    listed = collect(mode, aifordb_client.queries, "list", limit=3)
    assert [q.id for q in listed][-7:] == asked
    assert all(isinstance(q, sqlquarry.models.SavedQuery) for q in listed)
    q = call(mode, aifordb_client.queries, "get", asked[2])
    assert q.sql == "SELECT 2 AS n" and q.results["rows"] == [[2]]
    call(mode, aifordb_client.queries, "delete", asked[2])
    with pytest.raises(sqlquarry.NotFoundError):
        call(mode, aifordb_client.queries, "get", asked[2])


def test_settings_from_the_environment(aifordb_server, monkeypatch):
    monkeypatch.setenv("AIFORDATABASE_API_KEY", aifordb_server.api_key)
    monkeypatch.setenv("AIFORDATABASE_BASE_URL", aifordb_server.base_url)
    assert sqlquarry.AIForDatabaseClient().team.list_page().items
