"""Logs under `sqlquarry.*` (requests at DEBUG, waits and job states at INFO, retries at
WARNING), never with the key; `progress=` as a bar, a stderr line or a callback."""

from __future__ import annotations

import itertools
import logging
import sys

import pytest

import sqlquarry
from twins import MODES, call

KEY = "sk-logging-is-never-told-the-key-0123"


@pytest.fixture
def client(roe_server):
    roe_server.api_key_backup = roe_server.api_key
    return sqlquarry.RoeClient(roe_server.api_key, base_url=roe_server.url, organization_id="o")


def records_of(caplog, name):
    return [r for r in caplog.records if r.name == name]


@pytest.mark.parametrize("mode", MODES)
def test_requests_waits_states_and_retries_are_logged(roe_server, client, caplog, mode):
    caplog.set_level(logging.DEBUG, logger="sqlquarry")
    roe_server.pending_seconds = 0.3
    roe_server.inject_fault(status=503, count=1, path_contains="/status/")
    job = call(mode, client, "submit", "SELECT 1 AS x")
    assert call(mode, job, "wait", timeout=30).num_rows == 1
    http = records_of(caplog, "sqlquarry.http")
    posts = [r for r in http if "POST /v1/database/query/async/ -> 200" in r.getMessage()]
    assert posts and posts[0].levelno == logging.DEBUG and "ms" in posts[0].getMessage()
    retries = [r for r in http if r.levelno == logging.WARNING]
    assert (
        retries
        and "HTTP 503" in retries[0].getMessage()
        and "retry 1 of 3" in retries[0].getMessage()
    )
    roe = [r.getMessage() for r in records_of(caplog, "sqlquarry.roe")]
    assert any(m.startswith(f"waiting for query {job.id}") for m in roe)
    assert any("PENDING" in m for m in roe) and any("SUCCESS" in m for m in roe)


def test_nothing_is_logged_at_the_default_level_and_a_change_takes_effect(client, caplog):
    caplog.set_level(logging.WARNING, logger="sqlquarry")
    client.query("SELECT 1")
    assert records_of(caplog, "sqlquarry.http") == []
    caplog.set_level(logging.DEBUG, logger="sqlquarry")
    client.query("SELECT 1")
    assert records_of(caplog, "sqlquarry.http")


def test_slateo_runs_are_logged(slateo_client, slateo_server, caplog):
    caplog.set_level(logging.INFO, logger="sqlquarry")
    qid = slateo_server.add_query("SELECT 1 AS x")
    slateo_client.queries.run(qid, timeout=30)
    messages = [r.getMessage() for r in records_of(caplog, "sqlquarry.slateo")]
    assert any("completed" in m for m in messages), messages


def test_the_key_never_reaches_a_log_record(roe_server, caplog):
    roe_server_key = roe_server.api_key
    roe_server.api_key = KEY
    try:
        caplog.set_level(logging.DEBUG)  # every logger, the libraries below included
        client = sqlquarry.RoeClient(KEY, base_url=roe_server.url, organization_id="o")
        roe_server.inject_fault(status=401, count=1, body={"detail": f"bad key {KEY}"})
        with pytest.raises(sqlquarry.AuthenticationError):
            client.query("SELECT 1")
        client.query("SELECT 1")
        assert caplog.records
        for r in caplog.records:
            assert KEY not in r.getMessage() and "Bearer" not in r.getMessage(), r.getMessage()
    finally:
        roe_server.api_key = roe_server_key


# --- progress -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_callback_hears_states_bytes_and_rows(roe_server, client, mode):
    roe_server.pending_seconds = 0.2
    seen: list[sqlquarry.Progress] = []
    job = call(mode, client, "submit", "SELECT number, toString(number) FROM numbers(200000)")
    r = call(mode, job, "wait", timeout=60, progress=seen.append)
    assert r.num_rows == 200_000
    states = [p.state for p in seen]
    assert states[0] == "waiting" and states[-1] == "done" and "downloading" in states
    assert "PENDING" in states or "STARTED" in states
    last = seen[-1]
    assert last.rows == 200_000 and last.bytes > 1_000_000 and last.query_id == job.id
    assert last.finished and all(a.elapsed <= b.elapsed for a, b in itertools.pairwise(seen))


def test_a_failed_call_ends_failed(client):
    seen = []
    with pytest.raises(sqlquarry.QueryError):
        client.query("SELECT * FROM no_such_table_progress", progress=seen.append)
    assert seen[-1].state == "failed"


def test_a_failing_callback_does_not_fail_the_query(client, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    def broken(_p):
        raise RuntimeError("a bug in the user's callback")

    assert client.query("SELECT 1", progress=broken).num_rows == 1
    assert reported and isinstance(reported[0].exc_value, RuntimeError)


def test_true_shows_a_tqdm_bar(client, capsys):
    client.query("SELECT number FROM numbers(100000)", progress=True)
    err = capsys.readouterr().err
    assert "done" in err and "rows=100,000" in err


def test_true_without_tqdm_rewrites_one_stderr_line(client, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    client.query("SELECT number FROM numbers(100000)", progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\rsqlquarry: ") and err.endswith("\n")
    assert "done" in err and "100,000 rows" in err


def test_progress_on_every_service(slateo_client, slateo_server, aifordb_client, aifordb_server):
    qid = slateo_server.add_query("SELECT 1 AS x")
    seen = []
    slateo_client.queries.run(qid, timeout=30, progress=seen.append)
    assert seen[-1].state == "done" and any(p.state == "completed" for p in seen)
    seen.clear()
    aifordb_server.register_question("how many?", "SELECT 1 AS n")
    aifordb_client.ask("how many?", connection_id="conn_local", progress=seen.append)
    assert seen[-1].state == "done" and seen[-1].bytes > 0


def test_a_wrong_progress_is_a_type_error(client):
    with pytest.raises(TypeError, match="progress must be a bool"):
        client.query("SELECT 1", progress="yes")
