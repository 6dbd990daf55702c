"""Ids that try to leave their URL path segment, keys echoed back by a server, and the
HTTPS rule: what an attacker controls (an id, a server's text) never redirects a request or
reveals the key."""

from __future__ import annotations

import json
import pickle

import pytest

import sqlquarry
from rawserver import GOOD_RESULT, KEY, Answers, response

ESCAPES = {
    "../../../admin/delete": "..%2F..%2F..%2Fadmin%2Fdelete",
    "x?organization_id=evil&y=": "x%3Forganization_id%3Devil%26y%3D",
    "a/b": "a%2Fb",
    "x#frag": "x%23frag",
    "%2e%2e": "%252e%252e",
    "...": "...",
    "é ü": "%C3%A9%20%C3%BC",
}
UNUSABLE = ["", "   ", ".", ".."]


@pytest.mark.parametrize(("ident", "segment"), ESCAPES.items())
def test_a_job_id_stays_one_path_segment(raw, roe, ident, segment):
    assert roe.job(ident).status() == "SUCCESS"
    assert raw.paths()[-1] == f"/v1/database/query/{segment}/status/?organization_id=org"


@pytest.mark.parametrize("ident", UNUSABLE)
def test_an_unusable_job_id_is_refused_before_sending(raw, roe, ident):
    with pytest.raises(sqlquarry.ConfigurationError):
        roe.job(ident)
    assert raw.requests == []


def test_an_id_handed_back_by_the_server_stays_one_segment(raw, roe):
    raw.then(lambda r: response(200, {"id": "../../../v1/secret/x"}), match="/async/")
    raw.then(
        lambda r: response(200, {"status": "SUCCESS", "results": [GOOD_RESULT]}), match="/result/"
    )
    assert roe.submit("SELECT 1").wait(timeout=10).num_rows == 1
    polled = [p for p in raw.paths() if "/status/" in p or "/result/" in p]
    assert polled and all(
        p.startswith("/v1/database/query/..%2F..%2F..%2Fv1%2Fsecret%2Fx/") for p in polled
    )


@pytest.mark.parametrize("ident", UNUSABLE)
@pytest.mark.parametrize("shape", ["object", "task", "string"])
def test_an_unusable_id_handed_back_by_the_server_is_a_decode_error(raw, roe, ident, shape):
    answer = {
        "object": {"id": ident},
        "task": {"query_task_id": ident},
        "string": json.dumps(ident),
    }[shape]
    raw.then(lambda r: response(200, answer), match="/async/")
    with pytest.raises(sqlquarry.DecodeError, match="unusable id"):
        roe.submit("SELECT 1")
    assert not any("/status/" in p for p in raw.paths())


@pytest.mark.parametrize(("ident", "segment"), ESCAPES.items())
def test_slateo_ids_stay_one_path_segment(raw, slateo, ident, segment):
    raw.then(lambda r: response(200, {"id": ident, "sql": "SELECT 1"}))
    slateo.queries.get(ident)
    assert raw.paths()[-1] == f"/api/queries/{segment}"
    raw.then(lambda r: response(200, {"fields": [{"name": "x", "type": "integer"}], "rows": [[1]]}))
    assert slateo.queries.result(ident).num_rows == 1
    assert raw.paths()[-1] == f"/api/queries/{segment}/result"


@pytest.mark.parametrize("ident", UNUSABLE)
def test_slateo_refuses_unusable_ids_everywhere(raw, slateo, ident):
    q = slateo.queries
    calls = [q.get, q.result, q.refresh, q.run, q.delete, q.refs.get]
    for call in calls:
        with pytest.raises(sqlquarry.ConfigurationError):
            call(ident)
    assert raw.requests == []


@pytest.mark.parametrize(("ident", "segment"), ESCAPES.items())
def test_aifordb_ids_stay_one_path_segment(raw, aifordb, ident, segment):
    raw.then(lambda r: response(200, {"data": {"id": "run-1", "status": "running"}}))
    aifordb.workflows.run(ident)
    assert raw.paths()[-1] == f"/v1/workflows/{segment}/run"


@pytest.mark.parametrize("ident", UNUSABLE)
def test_aifordb_refuses_unusable_ids(raw, aifordb, ident):
    for call in [aifordb.dashboards.get, aifordb.workflows.run, aifordb.connections.test]:
        with pytest.raises(sqlquarry.ConfigurationError):
            call(ident)
    assert raw.requests == []


# --- a key echoed back ----------------------------------------------------------------------


def assert_no_key(error: BaseException) -> None:
    texts = [str(error), repr(error), repr(vars(error)), repr(error.args)]
    for text in texts:
        assert KEY not in text, text
    assert "***" in str(error)
    pickled = pickle.dumps(error)
    assert KEY.encode() not in pickled


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500])
def test_a_key_echoed_in_an_error_body_is_redacted(raw, roe, status, capfd):
    body = {"detail": f"token Bearer {KEY} rejected", "code": KEY, "details": {"k": KEY}}
    raw.then(lambda r: response(status, body), match="/query/?")
    with pytest.raises(sqlquarry.Error) as info:
        roe.query("SELECT 1")
    assert_no_key(info.value)
    assert KEY not in (info.value.server_message or "")


def test_a_key_echoed_in_a_failed_task_is_redacted(raw, roe):
    raw.then(
        lambda r: response(200, {"status": "FAILURE", "error": f"auth {KEY}"}), match="/status/"
    )
    with pytest.raises(sqlquarry.QueryError) as info:
        roe.job("w-1").wait(timeout=10)
    assert_no_key(info.value)


def test_a_key_echoed_in_a_result_error_is_redacted(raw, roe):
    failed = {**GOOD_RESULT, "error": f"key {KEY} is wrong"}
    raw.then(lambda r: response(200, [failed]), match="/query/?")
    with pytest.raises(sqlquarry.QueryError) as info:
        roe.query("SELECT 1")
    assert_no_key(info.value)


def test_a_key_echoed_in_a_row_value_is_redacted_from_the_error(raw, roe):
    body = Answers(["n"], ["UInt8"]).run_body(f'[[1], ["{KEY}"]]')
    raw.then(lambda r: response(200, body), match="/query/?")
    with pytest.raises(sqlquarry.DecodeError) as info:
        roe.query("SELECT 1")
    assert_no_key(info.value)


def test_a_key_echoed_in_a_malformed_body_is_redacted(raw, roe):
    raw.then(lambda r: response(200, {"detail": f"Bearer {KEY}"}), match="/query/?")
    with pytest.raises(sqlquarry.DecodeError) as info:
        roe.query("SELECT 1")
    assert_no_key(info.value)


def test_slateo_and_aifordb_redact_echoed_keys(raw, slateo, aifordb):
    raw.then(lambda r: response(401, {"message": f"bad key {KEY}"}))
    with pytest.raises(sqlquarry.AuthenticationError) as info:
        slateo.queries.get("q1")
    assert_no_key(info.value)
    raw.then(lambda r: response(500, {"error": {"code": "query_error", "message": KEY}}))
    with pytest.raises(sqlquarry.QueryError) as info:
        aifordb.ask("how many?", connection_id="c1")
    assert_no_key(info.value)


def test_a_key_is_not_redacted_once_no_client_holds_it(raw):
    client = sqlquarry.RoeClient("sk-short-lived-key-42", base_url=raw.url, max_retries=0)
    del client
    raw.then(lambda r: response(401, {"detail": "sk-short-lived-key-42"}))
    other = sqlquarry.RoeClient(KEY, base_url=raw.url, max_retries=0)
    with pytest.raises(sqlquarry.AuthenticationError, match="sk-short-lived-key-42"):
        other.query("SELECT 1")


# --- HTTPS ---------------------------------------------------------------------------------


def clients(base: str, **kw):
    return [
        lambda: sqlquarry.RoeClient(KEY, base_url=base, **kw),
        lambda: sqlquarry.SlateoClient(KEY, base_url=base, **kw),
        lambda: sqlquarry.AIForDatabaseClient(KEY, base_url=base, **kw),
    ]


@pytest.mark.parametrize(
    "base", ["http://api.roe-ai.com", "http://10.1.2.3:8080", "http://[2001:db8::1]"]
)
def test_plain_http_off_this_machine_is_refused(base, monkeypatch):
    monkeypatch.delenv("SQLQUARRY_ALLOW_INSECURE_HTTP", raising=False)
    for make in clients(base):
        with pytest.raises(sqlquarry.ConfigurationError, match="clear text"):
            make()
    for make in clients(base, allow_insecure_http=True):
        make()
    monkeypatch.setenv("SQLQUARRY_ALLOW_INSECURE_HTTP", "1")
    for make in clients(base):
        make()


@pytest.mark.parametrize("base", ["http://localhost:8000", "http://127.0.0.1", "http://[::1]:9"])
def test_plain_http_to_this_machine_is_allowed(base, monkeypatch):
    monkeypatch.delenv("SQLQUARRY_ALLOW_INSECURE_HTTP", raising=False)
    for make in clients(base):
        make()


@pytest.mark.parametrize(
    "base", ["https://user:pw@h.example", "https://h.example/?org=1", "ftp://h"]
)
def test_base_urls_that_would_misroute_the_key_are_refused(base):
    for make in clients(base):
        with pytest.raises(sqlquarry.ConfigurationError):
            make()
