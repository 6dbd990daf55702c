"""The Slateo emulator (sqlquarry.testing.SlateoServer) over real HTTP, using only urllib."""

from __future__ import annotations

import base64
import decimal
import gzip
import json
import time

import pytest

from raw_http import send
from sqlquarry.testing._slateo import DOCUMENTATION_URL, slateo_type

QUERY_KEYS = {"id", "sql", "analyticalDatabaseConfigId", "createdBy", "createdAt", "updatedAt"}
REF_KEYS = {"id", "queryId", "name", "permalink", "createdAt", "updatedAt"}


def call(srv, method, path, body=None, query=None, key="test-key", headers=None, raw=None):
    """(status, headers, raw body bytes) of one request."""
    return send(srv.url + path, method, body, query, key, headers, raw)


def call_json(srv, method, path, body=None, **kwargs):
    status, _, raw = call(srv, method, path, body, **kwargs)
    return status, json.loads(raw)


def error(message, kind="invalid_request"):
    return {"type": kind, "message": message, "documentation_url": DOCUMENTATION_URL}


def retrieve(srv, qid):
    return call_json(srv, "GET", f"/api/queries/{qid}")


def refresh(srv, qid):
    return call_json(srv, "POST", f"/api/queries/{qid}/refresh")


def wait_run(srv, qid, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = retrieve(srv, qid)
        assert status == 200
        if body["latestRun"]["status"] in ("completed", "failed"):
            return body
        time.sleep(0.02)
    raise AssertionError("run did not finish")


def run_to_end(srv, qid):
    assert refresh(srv, qid)[0] == 200
    return wait_run(srv, qid)


def all_pages(srv, path, limit):
    pages, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        status, body = call_json(srv, "GET", path, query=query)
        assert status == 200 and set(body) == {"items", "nextCursor"}
        pages.append(body["items"])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50


def test_list_paginates_in_creation_order(slateo_server):
    ids = [slateo_server.add_query(f"SELECT {n}") for n in range(7)]
    pages = all_pages(slateo_server, "/api/queries", 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [item["id"] for page in pages for item in page] == ids
    item = pages[0][0]
    assert set(item) == QUERY_KEYS | {"latestRun"} and item["latestRun"] is None
    assert item["sql"] == "SELECT 0" and item["analyticalDatabaseConfigId"] == "db_config_1"
    assert item["createdBy"] == "user_1" and item["createdAt"].endswith("Z")
    # The cursor is base64 of {"id": <last id of the page>}, like the documented one.
    _, first = call_json(slateo_server, "GET", "/api/queries", query={"limit": 3})
    assert json.loads(base64.b64decode(first["nextCursor"])) == {"id": ids[2]}


def test_list_default_and_maximum_limit(slateo_server):
    for n in range(23):
        slateo_server.add_query(f"SELECT {n}", id=f"q{n:02d}")
    _, body = call_json(slateo_server, "GET", "/api/queries")
    assert len(body["items"]) == 20 and body["nextCursor"] is not None
    _, body = call_json(slateo_server, "GET", "/api/queries", query={"limit": 100})
    assert len(body["items"]) == 23 and body["nextCursor"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and 100"),
        ({"limit": 101}, "limit must be between 1 and 100"),
        ({"limit": "ten"}, "limit must be an integer, not 'ten'"),
        ({"cursor": "not-a-cursor!"}, "Invalid cursor"),
        ({"cursor": base64.b64encode(b'{"id":"nobody"}').decode()}, "Invalid cursor"),
    ],
)
def test_list_bad_parameters(slateo_server, query, message):
    slateo_server.add_query("SELECT 1")
    assert call_json(slateo_server, "GET", "/api/queries", query=query) == (400, error(message))


def test_retrieve_never_run_and_unknown(slateo_server):
    qid = slateo_server.add_query("SELECT 1", analytical_database_config_id="db_9", created_by="u9")
    status, body = retrieve(slateo_server, qid)
    assert status == 200 and set(body) == QUERY_KEYS | {"latestRun", "latestRunMetadata"}
    assert body["latestRun"] is None and body["latestRunMetadata"] is None
    assert (body["analyticalDatabaseConfigId"], body["createdBy"]) == ("db_9", "u9")
    assert retrieve(slateo_server, "nope") == (404, error("Query nope not found"))
    assert refresh(slateo_server, "nope") == (404, error("Query nope not found"))
    missing = call_json(slateo_server, "GET", "/api/queries/nope/result")
    assert missing == (404, error("Query nope not found"))


def test_refresh_lifecycle_conflict_and_result(slateo_server):
    # Long enough that a loaded CI machine still sees each state (pending for half).
    slateo_server.run_seconds = 3.0
    sql = "SELECT number AS n, toString(number) AS s FROM numbers(5)"
    qid = slateo_server.add_query(sql)
    started = time.monotonic()
    status, run = refresh(slateo_server, qid)
    assert status == 200
    assert set(run) == {"id", "queryId", "status", "runAt", "triggerId", "parameterValues",
                        "renderedSql"}  # fmt: skip
    assert (run["queryId"], run["status"], run["renderedSql"]) == (qid, "pending", sql)
    assert run["parameterValues"] == {} and run["runAt"].endswith("Z")
    conflict = error("Query is already running")
    assert refresh(slateo_server, qid) == (409, conflict)
    assert call_json(slateo_server, "GET", f"/api/queries/{qid}/result")[0] == 404
    seen, checked_running = [], False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        _, body = retrieve(slateo_server, qid)
        latest = body["latestRun"]
        assert latest["id"] == run["id"] and body["latestRunMetadata"]["status"] == latest["status"]
        if not seen or seen[-1] != latest["status"]:
            seen.append(latest["status"])
        if latest["status"] == "completed":
            break
        assert latest["completedAt"] is None
        # A refresh while running is refused; tried once, early in the running half, so
        # that the run cannot end between this poll and the refresh (a new run would start).
        early = time.monotonic() - started < slateo_server.run_seconds * 0.7
        if latest["status"] == "running" and early and not checked_running:
            assert refresh(slateo_server, qid) == (409, conflict)
            checked_running = True
        time.sleep(0.03)
    # States only move forward and end completed; under heavy load the first poll may
    # already be past "pending" (the refresh response itself showed it).
    order = ["pending", "running", "completed"]
    assert seen[-1] == "completed" and len(seen) >= 2
    assert seen == sorted(seen, key=order.index)
    assert latest["completedAt"] >= latest["runAt"]
    meta = body["latestRunMetadata"]
    assert meta == {"status": "completed", "rowsRead": 5, "rowsWritten": 0, "error": None}
    # The list shows latestRun as in the documented example: no completedAt.
    _, listing = call_json(slateo_server, "GET", "/api/queries")
    assert listing["items"][0]["latestRun"] == {k: latest[k] for k in ("id", "status", "runAt")}
    status, result = call_json(slateo_server, "GET", f"/api/queries/{qid}/result")
    assert status == 200 and set(result) == {"fields", "rows", "rowCount"}
    assert result["fields"] == [{"name": "n", "type": "integer"}, {"name": "s", "type": "string"}]
    assert result["rows"] == [[n, str(n)] for n in range(5)] and result["rowCount"] == 5
    # Done: a new refresh is accepted and makes a new run.
    status, again = refresh(slateo_server, qid)
    assert status == 200 and again["id"] != run["id"] and again["triggerId"] != run["triggerId"]


def test_failed_run_keeps_the_last_completed_result(slateo_server):
    slateo_server.execute(
        "CREATE OR REPLACE TABLE slateo_gone (x Int32) ENGINE = Memory; "
        "INSERT INTO slateo_gone VALUES (1), (2)"
    )
    qid = slateo_server.add_query("SELECT sum(x) AS total FROM slateo_gone")
    assert run_to_end(slateo_server, qid)["latestRun"]["status"] == "completed"
    slateo_server.execute("DROP TABLE slateo_gone")
    body = run_to_end(slateo_server, qid)
    assert body["latestRun"]["status"] == "failed" and body["latestRun"]["completedAt"]
    meta = body["latestRunMetadata"]
    assert meta["status"] == "failed" and "UNKNOWN_TABLE" in meta["error"]
    status, result = call_json(slateo_server, "GET", f"/api/queries/{qid}/result")
    assert status == 200 and result["rows"] == [[3]]
    # A query that never completed has no result at all.
    bad = slateo_server.add_query("SELEC 1")
    assert run_to_end(slateo_server, bad)["latestRun"]["status"] == "failed"
    assert call_json(slateo_server, "GET", f"/api/queries/{bad}/result") == (
        404, error("Query has no completed run"),
    )  # fmt: skip


_TYPED_SQL = """
SELECT
    18446744073709551615::UInt64 AS u64, toInt8(-3) AS i8,
    toFloat32(1.5) AS f32, 0/0 AS nan_value, 1/0 AS inf_value,
    toDecimal128('12345678901234567890.0123456789', 10) AS dec,
    'x' AS str, toFixedString('ab', 2) AS fixed, toUUID('123e4567-e89b-12d3-a456-426614174001') AS uid,
    CAST('b', 'Enum8(\\'a\\' = 1, \\'b\\' = 2)') AS enum, toIPv4('10.0.0.1') AS ip4, toIPv6('::1') AS ip6,
    toDateTime('2024-01-15 10:00:00', 'Asia/Tokyo') AS tokyo, toDateTime64('2024-01-15 10:00:00.250', 3) AS dt64,
    toDate('2024-01-15') AS d, toDate32('1960-02-03') AS d32, true AS flag,
    [1, 2] AS arr, map('k', 1) AS m, (1, 'y') AS tup, CAST((1, 'y'), 'Tuple(a Int32, b String)') AS named,
    toNullable(7) AS maybe, toLowCardinality('lc') AS lc, NULL AS nothing, INTERVAL 2 DAY AS days
"""  # noqa: E501


def test_result_types_and_values(slateo_server):
    qid = slateo_server.add_query(_TYPED_SQL)
    assert run_to_end(slateo_server, qid)["latestRun"]["status"] == "completed"
    status, _, raw = call(slateo_server, "GET", f"/api/queries/{qid}/result")
    assert status == 200
    result = json.loads(raw, parse_float=decimal.Decimal)
    types = {f["name"]: f["type"] for f in result["fields"]}
    assert types == {
        "u64": "integer", "i8": "integer", "f32": "float", "nan_value": "float",
        "inf_value": "float", "dec": "decimal", "str": "string", "fixed": "string",
        "uid": "string", "enum": "string", "ip4": "string", "ip6": "string",
        "tokyo": "timestamp", "dt64": "timestamp", "d": "date", "d32": "date",
        "flag": "boolean", "arr": "json", "m": "json", "tup": "json", "named": "json",
        "maybe": "integer", "lc": "string", "nothing": "nothing", "days": "intervalday",
    }  # fmt: skip
    (row,) = result["rows"]
    assert result["rowCount"] == 1
    assert dict(zip(types, row, strict=True)) == {
        "u64": 18446744073709551615, "i8": -3, "f32": decimal.Decimal("1.5"),
        "nan_value": "nan", "inf_value": "inf",
        "dec": decimal.Decimal("12345678901234567890.0123456789"),
        "str": "x", "fixed": "ab", "uid": "123e4567-e89b-12d3-a456-426614174001",
        "enum": "b", "ip4": "10.0.0.1", "ip6": "::1",
        "tokyo": "2024-01-15T01:00:00Z", "dt64": "2024-01-15T10:00:00.250Z",
        "d": "2024-01-15", "d32": "1960-02-03", "flag": True,
        "arr": [1, 2], "m": {"k": 1}, "tup": [1, "y"], "named": {"a": 1, "b": "y"},
        "maybe": 7, "lc": "lc", "nothing": None, "days": 2,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("clickhouse", "slateo"),
    [
        ("Nullable(Int64)", "integer"), ("LowCardinality(Nullable(String))", "string"),
        ("UInt256", "integer"), ("BFloat16", "float"), ("Decimal(38, 2)", "decimal"),
        ("Decimal64(4)", "decimal"), ("DateTime64(6, 'UTC')", "timestamp"),
        ("Enum16('a' = 1)", "string"), ("Array(Nullable(Int8))", "json"),
        ("Nested(a Int8)", "json"), ("JSON", "json"), ("Object('json')", "json"),
        ("Time64(3)", "time64"), ("Variant(String, UInt64)", "variant"), ("Dynamic", "dynamic"),
    ],
)  # fmt: skip
def test_type_mapping(clickhouse, slateo):
    assert slateo_type(clickhouse) == slateo


def test_multiple_statements_return_the_last(slateo_server):
    qid = slateo_server.add_query(
        "CREATE OR REPLACE TABLE slateo_multi (x Int32) ENGINE = Memory; "
        "INSERT INTO slateo_multi VALUES (4), (5); SELECT x FROM slateo_multi ORDER BY x"
    )
    assert run_to_end(slateo_server, qid)["latestRun"]["status"] == "completed"
    _, result = call_json(slateo_server, "GET", f"/api/queries/{qid}/result")
    assert result["rows"] == [[4], [5]]


def test_refs_crud(slateo_server):
    qid, other = slateo_server.add_query("SELECT 1"), slateo_server.add_query("SELECT 2")
    status, ref = call_json(slateo_server, "POST", "/api/queries/refs",
                            {"queryId": qid, "name": "Daily", "extra": 1})  # fmt: skip
    assert status == 201 and set(ref) == REF_KEYS
    assert (ref["queryId"], ref["name"]) == (qid, "Daily")
    assert ref["permalink"].startswith("https://") and ref["id"] in ref["permalink"]
    path = f"/api/queries/refs/{ref['id']}"
    assert call_json(slateo_server, "GET", path) == (200, ref)
    status, updated = call_json(slateo_server, "PATCH", path, {"name": "Weekly"})
    assert status == 200 and updated == {**ref, "name": "Weekly", "updatedAt": updated["updatedAt"]}
    status, moved = call_json(slateo_server, "PATCH", path, {"queryId": other})
    assert status == 200 and (moved["queryId"], moved["name"]) == (other, "Weekly")
    status, headers, raw = call(slateo_server, "DELETE", path)
    assert (status, raw) == (204, b"") and "Content-Length" not in headers
    missing = error(f"Query reference {ref['id']} not found")
    assert call_json(slateo_server, "GET", path) == (404, missing)
    assert call_json(slateo_server, "PATCH", path, {"name": "x"}) == (404, missing)
    assert call_json(slateo_server, "DELETE", path) == (404, missing)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "n"}, "queryId: must be a non-empty string"),
        ({"queryId": "KNOWN"}, "name: must be a non-empty string"),
        ({"queryId": "KNOWN", "name": "  "}, "name: must be a non-empty string"),
        ({"queryId": "nope", "name": "n"}, "queryId: query nope does not exist"),
        ([1, 2], "Request body must be a JSON object"),
    ],
)
def test_ref_validation(slateo_server, body, message):
    qid = slateo_server.add_query("SELECT 1")
    if isinstance(body, dict) and body.get("queryId") == "KNOWN":
        body["queryId"] = qid
    assert call_json(slateo_server, "POST", "/api/queries/refs", body) == (400, error(message))
    _, ref = call_json(slateo_server, "POST", "/api/queries/refs", {"queryId": qid, "name": "n"})
    if isinstance(body, dict) and "queryId" in body and body["queryId"] != qid:
        patch = call_json(slateo_server, "PATCH", f"/api/queries/refs/{ref['id']}", body)
        assert patch == (400, error(message))


def test_refs_paginate_and_survive_deletion(slateo_server):
    qid = slateo_server.add_query("SELECT 1")
    ids = []
    for n in range(5):
        body = {"queryId": qid, "name": f"r{n}"}
        ids.append(call_json(slateo_server, "POST", "/api/queries/refs", body)[1]["id"])
    pages = all_pages(slateo_server, "/api/queries/refs", 2)
    assert [[r["id"] for r in p] for p in pages] == [ids[0:2], ids[2:4], ids[4:]]
    # A cursor naming a deleted ref still continues after it.
    _, first = call_json(slateo_server, "GET", "/api/queries/refs", query={"limit": 2})
    assert call(slateo_server, "DELETE", f"/api/queries/refs/{ids[1]}")[0] == 204
    query = {"limit": 2, "cursor": first["nextCursor"]}
    _, second = call_json(slateo_server, "GET", "/api/queries/refs", query=query)
    assert [r["id"] for r in second["items"]] == ids[2:4]


def test_refs_path_is_not_a_query_id(slateo_server):
    with pytest.raises(ValueError):
        slateo_server.add_query("SELECT 1", id="refs")
    slateo_server.add_query("SELECT 1", id="fixed-id")
    with pytest.raises(ValueError):
        slateo_server.add_query("SELECT 2", id="fixed-id")
    assert call_json(slateo_server, "GET", "/api/queries/refs/") == (
        200, {"items": [], "nextCursor": None},
    )  # fmt: skip
    assert retrieve(slateo_server, "fixed-id")[0] == 200


def test_auth_errors_use_slateo_shape(slateo_server):
    slateo_server.add_query("SELECT 1")
    for key, message in ((None, "Missing API key"), ("wrong", "Invalid API key")):
        status, headers, raw = call(slateo_server, "GET", "/api/queries", key=key)
        assert (status, json.loads(raw)) == (401, error(message))
        assert headers["WWW-Authenticate"].startswith("Bearer")
    assert call_json(slateo_server, "GET", "/api/queries", key="Bearer")[0] == 401


def test_protocol_errors(slateo_server):
    qid = slateo_server.add_query("SELECT 1")
    status, headers, raw = call(slateo_server, "DELETE", f"/api/queries/{qid}")
    assert (status, json.loads(raw)) == (405, error("Method DELETE not allowed"))
    assert headers["Allow"] == "GET"
    assert call(slateo_server, "GET", f"/api/queries/{qid}/refresh")[1]["Allow"] == "POST"
    assert call(slateo_server, "PUT", "/api/queries/refs")[1]["Allow"] == "GET, POST"
    assert call_json(slateo_server, "GET", "/api/other") == (404, error("Not found"))
    status, body = call_json(slateo_server, "POST", "/api/queries/refs", raw=b"{oops")
    assert status == 400 and body["type"] == "invalid_request"
    assert body["message"].startswith("JSON parse error")


def test_faults_and_gzip(slateo_server):
    slateo_server.inject_fault(status=503, path_contains="/refresh", retry_after=1)
    qid = slateo_server.add_query("SELECT number, toString(number) FROM numbers(400)")
    status, headers, raw = call(slateo_server, "POST", f"/api/queries/{qid}/refresh")
    assert (status, headers["Retry-After"]) == (503, "1")
    assert json.loads(raw) == error("injected fault", "api_error")
    run_to_end(slateo_server, qid)
    gz = {"Accept-Encoding": "gzip"}
    status, headers, raw = call(slateo_server, "GET", f"/api/queries/{qid}/result", headers=gz)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))["rowCount"] == 400


def test_reset(slateo_server):
    slateo_server.run_seconds = 5.0
    slateo_server.api_key = "other"
    slateo_server.add_query("SELECT 1")
    slateo_server.inject_fault(count=3)
    slateo_server.reset()
    assert (slateo_server.run_seconds, slateo_server.api_key) == (0.0, "test-key")
    assert slateo_server.requests == []
    assert call_json(slateo_server, "GET", "/api/queries") == (
        200, {"items": [], "nextCursor": None},
    )  # fmt: skip
