"""The AI for Database emulator (sqlquarry.testing.AIForDatabaseServer) over real HTTP."""

from __future__ import annotations

import json
import re
import time

import pytest

from raw_http import send

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
CONNECTION = {
    "type": "postgresql", "name": "Production DB", "host": "db.example.com", "port": 5432,
    "database": "production", "username": "aifordb_reader",
    "password": "s3cret-Pa55word", "ssl_mode": "require",
}  # fmt: skip


class Response:
    def __init__(self, status, headers, raw):
        self.status, self.headers, self.raw = status, headers, raw
        self.json = json.loads(raw) if raw else None

    @property
    def data(self):
        return self.json["data"]

    @property
    def error(self):
        return self.json["error"]


def call(srv, method, path, body=None, query=None, key="test-key", raw=None, base=None):
    """One request to `base` (the server's base_path by default) + path."""
    prefix = srv.base_path if base is None else base
    return Response(*send(srv.url + prefix + path, method, body, query, key, raw=raw))


def ask(srv, question, connection_id="conn_local", **extra):
    return call(srv, "POST", "/queries", {"question": question, "connection_id": connection_id,
                                          **extra})  # fmt: skip


def check_error(resp, status, code):
    assert resp.status == status, resp.json
    assert set(resp.json) == {"error", "meta"}
    assert set(resp.error) == {"code", "message", "details"}
    assert resp.error["code"] == code and resp.error["message"]
    assert resp.json["meta"] == {"request_id": resp.headers["X-Request-Id"]}
    for name in RATE_HEADERS:
        assert resp.headers[name].isdigit()
    return resp.error


def all_pages(srv, path, limit):
    pages, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        resp = call(srv, "GET", path, query=query)
        assert resp.status == 200 and set(resp.json) == {"data", "next_cursor", "meta"}
        pages.append(resp.data)
        cursor = resp.json["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50


def test_success_envelope_and_headers(aifordb_server):
    resp = ask(aifordb_server, "SELECT 1 AS one")
    assert resp.status == 200 and set(resp.json) == {"data", "meta"}
    meta = resp.json["meta"]
    assert set(meta) == {"request_id", "timestamp"} and TIMESTAMP.fullmatch(meta["timestamp"])
    assert meta["request_id"] == resp.headers["X-Request-Id"]
    assert meta["request_id"].startswith("req_")
    assert resp.headers["X-RateLimit-Limit"] == resp.headers["X-RateLimit-Remaining"] == "1000"
    assert int(resp.headers["X-RateLimit-Reset"]) >= time.time()
    assert aifordb_server.requests[-1].request_id == meta["request_id"]
    other = call(aifordb_server, "GET", "/queries")
    assert other.json["meta"]["request_id"] != meta["request_id"]


def test_ask_registered_question_and_sql(aifordb_server):
    aifordb_server.register_question(
        "How many users signed up this week?",
        "SELECT toUInt64(142) AS count",
    )
    resp = ask(aifordb_server, "  how many USERS signed up\tthis week?  ", format="table")
    assert resp.status == 200 and set(resp.data) == {"query_id", "sql", "results",
                                                      "execution_time_ms"}  # fmt: skip
    assert resp.data["sql"] == "SELECT toUInt64(142) AS count"
    assert resp.data["results"] == {"columns": ["count"], "rows": [[142]], "row_count": 1}
    assert resp.data["query_id"].startswith("q_")
    assert isinstance(resp.data["execution_time_ms"], int)
    sql = (
        "with 1 as x SELECT 18446744073709551615::UInt64 AS big, toDate('2024-01-08') AS d, "
        "toDateTime('2024-01-08 09:30:00', 'UTC') AS t, true AS b, NULL AS n, [1.5] AS a, "
        "0/0 AS nan"
    )
    resp = ask(aifordb_server, sql)
    assert resp.status == 200 and resp.data["sql"] == sql
    results = resp.data["results"]
    assert results["columns"] == ["big", "d", "t", "b", "n", "a", "nan"]
    assert results["rows"] == [
        [18446744073709551615, "2024-01-08", "2024-01-08T09:30:00Z", True, None, [1.5], "nan"]
    ]
    for question in ("SHOW DATABASES", "describe table system.one"):
        assert ask(aifordb_server, question).status == 200


def test_ask_errors(aifordb_server):
    err = check_error(ask(aifordb_server, "what is the meaning of life?"), 422, "validation_error")
    assert err["message"] == "cannot answer that question"
    err = check_error(ask(aifordb_server, "SELECT 1", "conn_nope"), 404, "not_found")
    assert err["details"] == {"resource": "connection", "id": "conn_nope"}
    err = check_error(ask(aifordb_server, "SELECT * FROM no_such_table_x"), 500, "query_error")
    assert err["details"]["sql"] == "SELECT * FROM no_such_table_x"
    assert "UNKNOWN_TABLE" in err["details"]["error"]
    aifordb_server.break_connection("conn_local")
    err = check_error(ask(aifordb_server, "SELECT 1"), 502, "connection_error")
    assert err["details"] == {"connection_id": "conn_local", "host": "localhost", "port": 9000}
    aifordb_server.restore_connection("conn_local")
    assert ask(aifordb_server, "SELECT 1").status == 200
    for body, field in (
        ({"connection_id": "conn_local"}, "question"),
        ({"question": " ", "connection_id": "conn_local"}, "question"),
        ({"question": "SELECT 1"}, "connection_id"),
        ({"question": "SELECT 1", "connection_id": "conn_local", "format": 3}, "format"),
    ):
        err = check_error(call(aifordb_server, "POST", "/queries", body), 422, "validation_error")
        assert err["details"]["field"] == field
    # Only the successful query was saved.
    assert len(call(aifordb_server, "GET", "/queries").data) == 1


def test_saved_queries_list_get_delete(aifordb_server):
    ids = [ask(aifordb_server, f"SELECT {n} AS n").data["query_id"] for n in range(5)]
    pages = all_pages(aifordb_server, "/queries", 2)
    assert [[q["id"] for q in page] for page in pages] == [ids[:2], ids[2:4], ids[4:]]
    item = pages[0][0]
    assert item["query_id"] == item["id"] and "results" not in item
    assert (item["question"], item["sql"], item["row_count"]) == (
        "SELECT 0 AS n",
        "SELECT 0 AS n",
        1,
    )
    assert (item["connection_id"], item["format"]) == ("conn_local", "table")
    one = call(aifordb_server, "GET", f"/queries/{ids[1]}")
    assert one.status == 200 and one.data["results"] == {
        "columns": ["n"], "rows": [[1]], "row_count": 1,
    }  # fmt: skip
    assert TIMESTAMP.fullmatch(one.data["created_at"])
    deleted = call(aifordb_server, "DELETE", f"/queries/{ids[1]}")
    assert deleted.status == 200 and deleted.data == {"id": ids[1], "deleted": True}
    check_error(call(aifordb_server, "GET", f"/queries/{ids[1]}"), 404, "not_found")
    check_error(call(aifordb_server, "DELETE", f"/queries/{ids[1]}"), 404, "not_found")


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "%%%"}])
def test_bad_pagination_is_422(aifordb_server, query):
    resp = call(aifordb_server, "GET", "/connections", query=query)
    check_error(resp, 422, "validation_error")


def test_authentication_errors(aifordb_server):
    for key, message in ((None, "Missing API key"), ("wrong", "Invalid API key")):
        resp = call(aifordb_server, "GET", "/queries", key=key)
        assert check_error(resp, 401, "authentication_error")["message"] == message


def test_scopes(aifordb_server):
    aifordb_server.set_scopes({"queries:read", "dashboards:write"})
    assert call(aifordb_server, "GET", "/queries").status == 200
    err = check_error(ask(aifordb_server, "SELECT 1"), 403, "authorization_error")
    assert err["details"] == {"required_scope": "queries:write"}
    err = check_error(call(aifordb_server, "GET", "/dashboards"), 403, "authorization_error")
    assert err["details"] == {"required_scope": "dashboards:read"}
    resp = call(aifordb_server, "POST", "/connections/conn_local/test")
    assert check_error(resp, 403, "authorization_error")["details"]["required_scope"] == (
        "connections:write"
    )
    aifordb_server.set_scopes(None)
    assert ask(aifordb_server, "SELECT 1").status == 200
    aifordb_server.scopes = frozenset()
    check_error(call(aifordb_server, "GET", "/team/members"), 403, "authorization_error")
    aifordb_server.reset()
    assert aifordb_server.scopes is None


def test_rate_limit(aifordb_server):
    aifordb_server.rate_limit = 3
    remaining = []
    for _ in range(3):
        resp = call(aifordb_server, "GET", "/queries")
        assert resp.status == 200 and resp.headers["X-RateLimit-Limit"] == "3"
        remaining.append(resp.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    # Unauthenticated requests do not count.
    check_error(call(aifordb_server, "GET", "/queries", key=None), 401, "authentication_error")
    resp = call(aifordb_server, "GET", "/queries")
    err = check_error(resp, 429, "rate_limit_exceeded")
    retry = int(resp.headers["Retry-After"])
    assert 1 <= retry <= 60 and resp.headers["X-RateLimit-Remaining"] == "0"
    assert err["details"] == {"limit": 3, "window_seconds": 60.0, "retry_after": retry}
    assert int(resp.headers["X-RateLimit-Reset"]) <= time.time() + 61
    aifordb_server.reset()
    aifordb_server.rate_limit = (2, 0.5)
    assert [call(aifordb_server, "GET", "/queries").status for _ in range(3)] == [200, 200, 429]
    time.sleep(0.6)
    assert call(aifordb_server, "GET", "/queries").status == 200


def test_self_hosted_base_path(aifordb_server):
    aifordb_server.base_path = "/api/v1"
    assert aifordb_server.base_url.endswith("/api/v1")
    assert ask(aifordb_server, "SELECT 1").status == 200
    check_error(call(aifordb_server, "GET", "/queries", base="/v1"), 404, "not_found")
    aifordb_server.reset()
    assert call(aifordb_server, "GET", "/queries", base="/v1").status == 200


def test_protocol_errors_and_faults(aifordb_server):
    check_error(call(aifordb_server, "GET", "/nothing"), 404, "not_found")
    check_error(call(aifordb_server, "GET", "/queries", base="/elsewhere"), 404, "not_found")
    resp = call(aifordb_server, "PUT", "/queries")
    check_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == "GET, POST"
    resp = call(aifordb_server, "POST", "/dashboards", raw=b"{nope")
    assert "JSON parse error" in check_error(resp, 422, "validation_error")["message"]
    resp = call(aifordb_server, "POST", "/dashboards", [1])
    check_error(resp, 422, "validation_error")
    aifordb_server.inject_fault(status=503, retry_after=2)
    resp = call(aifordb_server, "GET", "/queries")
    assert check_error(resp, 503, "internal_error")["message"] == "injected fault"
    assert resp.headers["Retry-After"] == "2"
    aifordb_server.inject_fault(status=502)
    check_error(call(aifordb_server, "GET", "/queries"), 502, "connection_error")
