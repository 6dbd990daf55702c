"""The Roe AI emulator (sqlquarry.testing) over real HTTP, using only urllib."""

from __future__ import annotations

import decimal
import gzip
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from raw_http import send
from sqlquarry.testing._demo import load_demo_dataset
from sqlquarry.testing._engine import split_statements

ORG = "11111111-2222-4333-8444-555555555555"
QUERY = "/v1/database/query/"
ASYNC = "/v1/database/query/async/"
BLANK = {"message": "query: This field may not be blank."}


def call(srv, method, path, body=None, query=None, key="test-key", headers=None):
    """(status, headers, raw body bytes) of one request."""
    return send(srv.url + path, method, body, query, key, headers)


def call_json(srv, method, path, body=None, **kwargs):
    status, _, raw = call(srv, method, path, body, **kwargs)
    return status, json.loads(raw)


def query(srv, sql, **kwargs):
    return call_json(srv, "POST", QUERY, {"query": sql}, **kwargs)


def submit(srv, sql, **kwargs):
    kwargs.setdefault("query", {"organization_id": ORG})
    return call_json(srv, "POST", ASYNC, {"query": sql}, **kwargs)


def task(srv, ident, what):
    return call_json(srv, "GET", f"{QUERY}{ident}/{what}/")


def wait_done(srv, ident, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = task(srv, ident, "status")
        assert status == 200
        if body["status"] in ("SUCCESS", "FAILURE"):
            return body
        time.sleep(0.02)
    raise AssertionError("task did not finish")


def test_sync_query_result_object(roe_server):
    sql = "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'"
    status, body = query(roe_server, sql)
    assert status == 200 and isinstance(body, list) and len(body) == 1
    res = body[0]
    assert res["query"] == sql and res["row_count"] == 2
    assert (res["column_names"], res["column_types"]) == (["a", "b"], ["UInt8", "String"])
    assert sorted(res["result_rows"]) == [[1, "x"], [2, "y"]]
    summary = res["summary"]
    assert summary["result_rows"] == 2 and summary["written_rows"] == 0
    assert summary["query_id"] == res["query_id"]
    for key in ("read_rows", "read_bytes", "written_bytes", "total_rows_to_read"):
        assert isinstance(summary[key], int)
    assert summary["elapsed_ns"] > 0 and summary["result_bytes"] > 0
    assert res["start_timestamp"] <= res["end_timestamp"]


def test_sync_multiple_statements_and_ddl(roe_server):
    sql = """
        CREATE OR REPLACE TABLE emu_multi (x Int32) ENGINE = Memory;  -- note; with ';'
        INSERT INTO emu_multi VALUES (1), (2);
        SELECT sum(x) AS s FROM emu_multi;
    """
    status, body = query(roe_server, sql)
    assert status == 200 and len(body) == 3
    assert body[0]["column_names"] == [] and body[0]["result_rows"] == []
    assert body[2]["result_rows"] == [[3]]
    # A comment belongs to the statement that follows it.
    assert body[1]["query"].startswith("-- note; with")
    assert body[1]["query"].endswith("INSERT INTO emu_multi VALUES (1), (2)")


def test_sync_sql_error_and_blank(roe_server):
    status, body = query(roe_server, "SELECT * FROM no_such_table_here")
    assert status == 400 and body["message"].startswith("Code: 60")
    assert "UNKNOWN_TABLE" in body["message"]
    assert query(roe_server, "") == (400, BLANK)
    assert query(roe_server, "  ;  -- nothing") == (400, BLANK)
    assert call_json(roe_server, "POST", QUERY, {}) == (400, BLANK)


def test_trailing_slash_optional_and_unknown_routes(roe_server):
    status, body = call_json(roe_server, "POST", QUERY[:-1], {"query": "SELECT 1"})
    assert status == 200 and body[0]["result_rows"] == [[1]]
    assert call_json(roe_server, "GET", "/v1/nothing/")[0] == 404
    assert call_json(roe_server, "GET", QUERY)[0] == 405


def test_auth_failures_and_redacted_log(roe_server):
    missing = {"detail": "Authentication credentials were not provided."}
    assert query(roe_server, "SELECT 1", key=None) == (401, missing)
    invalid = {"detail": "Invalid token."}
    assert query(roe_server, "SELECT 1", key="wrong") == (401, invalid)
    roe_server.clear_requests()
    query(roe_server, "SELECT 1", query={"organization_id": ORG})
    (record,) = roe_server.requests
    assert (record.method, record.path) == ("POST", QUERY)
    assert record.query == {"organization_id": ORG}
    assert record.body == {"query": "SELECT 1"}
    assert record.headers["Authorization"] == "<redacted>"


def test_organization_mismatch_forbidden(roe_server):
    roe_server.organization_id = ORG
    assert query(roe_server, "SELECT 1", query={"organization_id": ORG})[0] == 200
    status, body = query(roe_server, "SELECT 1", query={"organization_id": "other"})
    assert status == 403
    assert body == {"detail": "You do not have permission to perform this action."}
    assert submit(roe_server, "SELECT 1", query={"organization_id": "other"})[0] == 403


def test_async_object_form_roundtrip(roe_server):
    params = {"organization_id": ORG, "worksheet_id": "ws-1"}
    status, wq = submit(roe_server, "SELECT 42 AS answer", query=params)
    assert status == 200 and wq["query"] == "SELECT 42 AS answer"
    assert wq["query_task_status"] == "PENDING" and wq["id"] != wq["query_task_id"]
    assert wq["organization"]["id"] == ORG and wq["worksheet"]["id"] == "ws-1"
    assert wq["created_at"].endswith("Z") and wq["finished_at"] is None
    assert {"error", "ai_summary", "updated_at", "creator"} <= wq.keys()
    done = wait_done(roe_server, wq["id"])
    assert done["status"] == "SUCCESS" and done["error"] is None
    assert done["worksheet_query_id"] == wq["id"] and done["finished_at"].endswith("Z")
    for ident in (wq["id"], wq["query_task_id"]):  # accept_ids="both"
        status, res = task(roe_server, ident, "result")
        assert status == 200 and res["status"] == "SUCCESS" and res["error"] is None
        assert res["query_task_id"] == wq["query_task_id"]
        assert res["results"][0]["result_rows"] == [[42]]


def test_async_string_form_only_task_id(roe_server):
    roe_server.submit_response = "string"
    roe_server.accept_ids = "worksheet"  # overridden: the client only has the task id
    status, task_id = submit(roe_server, "SELECT 1")
    assert status == 200 and isinstance(task_id, str)
    assert wait_done(roe_server, task_id)["status"] == "SUCCESS"
    _, res = task(roe_server, task_id, "result")
    assert res["results"][0]["result_rows"] == [[1]]


@pytest.mark.parametrize("mode", ["worksheet", "task"])
def test_accept_ids(roe_server, mode):
    _, wq = submit(roe_server, "SELECT 1")
    wait_done(roe_server, wq["id"])
    roe_server.accept_ids = mode
    good, bad = (wq["id"], wq["query_task_id"])[:: 1 if mode == "worksheet" else -1]
    assert task(roe_server, good, "status")[0] == 200
    assert task(roe_server, bad, "result") == (404, {"message": "Query not found"})


def test_async_requires_org_or_worksheet_and_unknown_id(roe_server):
    required = {"message": "organization_id or worksheet_id is required"}
    assert submit(roe_server, "SELECT 1", query={}) == (400, required)
    body = {"query": "SELECT 1", "organization_id": ORG}
    assert call_json(roe_server, "POST", ASYNC, body)[0] == 200
    assert submit(roe_server, "SELECT 1", query={"worksheet_id": "w"})[0] == 200
    assert task(roe_server, "nope", "status") == (404, {"message": "Query not found"})


def test_async_failure(roe_server):
    _, wq = submit(roe_server, "SELECT 1; SELEC oops")
    done = wait_done(roe_server, wq["query_task_id"])
    assert done["status"] == "FAILURE" and "SYNTAX_ERROR" in done["error"]
    _, res = task(roe_server, wq["id"], "result")
    assert res["status"] == "FAILURE" and res["results"] == []
    assert "Syntax error" in res["error"]


def test_status_progression(roe_server):
    roe_server.pending_seconds = 0.4
    roe_server.running_seconds = 0.4
    roe_server.running_status = "CRUNCHING"
    _, wq = submit(roe_server, "SELECT 7")
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, res = task(roe_server, wq["id"], "result")
        if not seen or seen[-1] != res["status"]:
            seen.append(res["status"])
        if res["status"] == "SUCCESS":
            assert res["results"][0]["result_rows"] == [[7]]
            break
        assert res["results"] == []
        time.sleep(0.03)
    assert seen == ["PENDING", "CRUNCHING", "SUCCESS"]
    assert task(roe_server, wq["id"], "status")[1]["finished_at"] is not None


_TYPED_SQL = """
SELECT
    18446744073709551615::UInt64 AS u64,
    toDecimal128('1234567890123456789012345678.0123456789', 10) AS dec,
    toDateTime('2024-04-29 21:11:17', 'Asia/Tokyo') AS tokyo,
    toDateTime64('2024-04-29 21:11:17.123', 3, 'UTC') AS dt64,
    toDateTime('2024-04-29 21:11:17') AS bare,
    true AS flag,
    CAST(NULL AS Nullable(Int32)) AS nothing,
    [1, 2] AS arr,
    nan AS not_a_number,
    toUUID('123e4567-e89b-12d3-a456-426614174001') AS uid
"""
_DEC = "1234567890123456789012345678.0123456789"
_UID = "123e4567-e89b-12d3-a456-426614174001"


def test_native_encoding_keeps_exact_numbers(roe_server):
    status, _, raw = call(roe_server, "POST", QUERY, {"query": _TYPED_SQL})
    assert status == 200
    (res,) = json.loads(raw, parse_float=decimal.Decimal)
    types = ["UInt64", "Decimal(38, 10)", "DateTime('Asia/Tokyo')"]
    assert res["column_types"][:3] == types
    assert res["result_rows"] == [[
        18446744073709551615, decimal.Decimal(_DEC),
        # Date-times as exact ISO 8601 UTC instants (Tokyo's 21:11:17 is 12:11:17Z).
        "2024-04-29T12:11:17Z", "2024-04-29T21:11:17.123Z", "2024-04-29T21:11:17Z",
        True, None, [1, 2], "nan", _UID,
    ]]  # fmt: skip


def test_string_encoding_writes_the_true_offset_in_a_dst_fold(roe_server):
    """01:30 happens twice in New York on 2024-11-03: str() of each instant differs."""
    roe_server.encoding = "string"
    status, body = query(
        roe_server,
        "SELECT toDateTime(1730611800 + 3600 * number, 'America/New_York') AS t FROM numbers(2)",
    )
    assert status == 200
    assert body[0]["result_rows"] == [
        ["2024-11-03 01:30:00-04:00"],
        ["2024-11-03 01:30:00-05:00"],
    ]


def test_string_encoding(roe_server):
    roe_server.encoding = "string"
    status, body = query(roe_server, _TYPED_SQL)
    assert status == 200
    assert body[0]["result_rows"] == [[
        "18446744073709551615", _DEC,
        "2024-04-29 21:11:17+09:00", "2024-04-29 21:11:17.123+00:00",
        "2024-04-29 21:11:17+00:00",
        "True", None, [1, 2], "nan", _UID,
    ]]  # fmt: skip


def test_fault_status_count_and_filters(roe_server):
    roe_server.inject_fault(
        status=503, count=2, path_contains="/query/", method="POST",
        retry_after=2, body={"detail": "busy"},
    )  # fmt: skip
    assert task(roe_server, "x", "status")[0] == 404  # GET: not matched
    for _ in range(2):
        status, headers, raw = call(roe_server, "POST", QUERY, {"query": "SELECT 1"})
        assert (status, headers["Retry-After"]) == (503, "2")
        assert json.loads(raw) == {"detail": "busy"}
    assert query(roe_server, "SELECT 1")[0] == 200
    roe_server.inject_fault(status=500)
    assert query(roe_server, "SELECT 1") == (500, {"detail": "injected fault"})
    roe_server.inject_fault(status=429, count=5)
    roe_server.clear_faults()
    assert query(roe_server, "SELECT 1")[0] == 200


def test_fault_delay_then_normal(roe_server):
    roe_server.inject_fault(status=None, delay=0.3)
    start = time.monotonic()
    status, body = query(roe_server, "SELECT 5")
    assert time.monotonic() - start >= 0.3
    assert status == 200 and body[0]["result_rows"] == [[5]]


_BROKEN = (urllib.error.URLError, http.client.HTTPException, ConnectionError)


@pytest.mark.parametrize("fault", ["drop_connection", "truncate_body"])
def test_fault_broken_connection(roe_server, fault):
    roe_server.inject_fault(**{fault: True})
    # A truncated body surfaces as http.client.IncompleteRead, a drop as URLError.
    with pytest.raises(http.client.IncompleteRead if fault == "truncate_body" else _BROKEN):
        query(roe_server, "SELECT 1")
    assert query(roe_server, "SELECT 1")[0] == 200


def test_gzip_only_when_asked_and_large(roe_server):
    big = {"query": "SELECT number, toString(number) FROM numbers(500)"}
    gz = {"Accept-Encoding": "gzip"}
    status, headers, raw = call(roe_server, "POST", QUERY, big, headers=gz)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(raw))[0]["row_count"] == 500
    small = {"query": "SELECT 1"}
    assert "Content-Encoding" not in call(roe_server, "POST", QUERY, small, headers=gz)[1]
    assert "Content-Encoding" not in call(roe_server, "POST", QUERY, big)[1]
    roe_server.compression = None
    assert "Content-Encoding" not in call(roe_server, "POST", QUERY, big, headers=gz)[1]


def test_keep_alive(roe_server):
    host, port = roe_server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    auth = {"Authorization": "Bearer test-key"}
    try:
        for n in range(3):
            conn.request("POST", QUERY, json.dumps({"query": f"SELECT {n}"}), auth)
            resp = conn.getresponse()
            assert json.loads(resp.read())[0]["result_rows"] == [[n]]
            assert not resp.will_close
    finally:
        conn.close()


def test_reset_restores_defaults(roe_server):
    roe_server.encoding = "string"
    roe_server.accept_ids = "task"
    roe_server.inject_fault(count=3)
    roe_server.reset()
    assert (roe_server.encoding, roe_server.accept_ids) == ("native", "both")
    assert roe_server.requests == []
    assert query(roe_server, "SELECT 1")[0] == 200


def test_split_statements():
    sql = "SELECT ';' AS a; -- x; y\n SELECT \"q;\" /* c; /* d; */ */ ;; SELECT 'it''s;'"
    assert split_statements(sql) == [
        "SELECT ';' AS a",
        '-- x; y\n SELECT "q;" /* c; /* d; */ */',
        "SELECT 'it''s;'",
    ]
    assert split_statements("  ; -- only a comment\n;") == []


def test_demo_dataset_and_execute(roe_server):
    load_demo_dataset(roe_server.engine, rows=2000)
    roe_server.execute("CREATE OR REPLACE TABLE emu_x (v String) ENGINE = Memory; "
                       "INSERT INTO emu_x VALUES ('a;b')")  # fmt: skip
    sql = "SELECT count(), countIf(qty IS NULL) FROM events; SELECT * FROM files; "
    _, body = query(roe_server, sql + "SELECT v FROM emu_x")
    total, nulls = body[0]["result_rows"][0]
    assert total == 2000 and 300 < nulls < 500
    assert body[1]["column_types"] == ["String", "String", "DateTime"]
    first = ["example1.pdf", "file_123e4567-e89b-12d3-a456-426614174001"]
    assert sorted(body[1]["result_rows"])[0] == [*first, "2024-04-29T21:11:17Z"]
    assert body[2]["result_rows"] == [["a;b"]]


def test_import_does_not_load_chdb():
    code = "import sys, sqlquarry.testing.pytest_plugin; assert 'chdb' not in sys.modules"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_serve_canned_body(roe_server):
    body = json.dumps([{"row_count": 1, "result_rows": [[1]], "pad": "x" * 2000}]).encode()
    roe_server.serve_canned("SELECT canned", body)
    assert call(roe_server, "POST", QUERY, {"query": "SELECT canned"})[::2] == (200, body)
    # Still behind auth and faults, still gzipped when asked; other SQL runs as usual.
    assert query(roe_server, "SELECT canned", key="wrong")[0] == 401
    roe_server.inject_fault(status=503)
    assert query(roe_server, "SELECT canned")[0] == 503
    gz = {"Accept-Encoding": "gzip"}
    _, headers, raw = call(roe_server, "POST", QUERY, {"query": "SELECT canned"}, headers=gz)
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(raw) == body
    assert query(roe_server, "SELECT 2 AS canned")[1][0]["result_rows"] == [[2]]
    roe_server.reset()
    assert query(roe_server, "SELECT canned")[0] == 400  # reset() forgets it
