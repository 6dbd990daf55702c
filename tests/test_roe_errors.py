"""Errors and the transport's retry rules, driven by the emulator's switchable faults."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest

import sqlquarry

SECRET = "sk-live-very-secret-key-123"
QUERY = "/v1/database/query/"
ASYNC = "/v1/database/query/async/"


def client_for(server, **kw):
    kw.setdefault("api_key", server.api_key)
    kw.setdefault("organization_id", "00000000-0000-4000-8000-0000000000aa")
    return sqlquarry.RoeClient(base_url=server.url, **kw)


def test_wrong_token_sync(roe_server):
    client = client_for(roe_server, api_key=SECRET)
    with pytest.raises(sqlquarry.AuthenticationError) as info:
        client.query("SELECT 1")
    e = info.value
    assert e.status == 401 and e.server_message == "Invalid token."
    assert e.path == QUERY and e.method == "POST" and e.service == "Roe"
    for text in (str(e), repr(e), repr(client), str(vars(e))):
        assert SECRET not in text


async def test_wrong_token_async(roe_server):
    client = client_for(roe_server, api_key=f"Bearer {SECRET}")
    with pytest.raises(sqlquarry.AuthenticationError):
        await client.query_async("SELECT 1")
    with pytest.raises(sqlquarry.AuthenticationError):
        await client.submit_async("SELECT 1")


def test_key_from_environment_with_bearer_prefix(roe_server, monkeypatch):
    monkeypatch.setenv("ROE_API_KEY", f"Bearer {roe_server.api_key}")
    monkeypatch.setenv("ROE_BASE_URL", roe_server.url)
    monkeypatch.setenv("ROE_ORGANIZATION_ID", "org-from-env")
    client = sqlquarry.RoeClient()
    assert client.organization_id == "org-from-env"
    assert pa.table(client.query("SELECT 1 AS x")).to_pylist() == [{"x": 1}]


def test_configuration_errors(monkeypatch):
    monkeypatch.delenv("ROE_API_KEY", raising=False)
    with pytest.raises(sqlquarry.ConfigurationError, match="ROE_API_KEY"):
        sqlquarry.RoeClient()
    with pytest.raises(sqlquarry.ConfigurationError):
        sqlquarry.RoeClient("k", base_url="ftp://example")
    with pytest.raises(ValueError):
        sqlquarry.RoeClient("k", timeout=-1)


def test_permission_denied_for_another_organization(roe_server):
    roe_server.organization_id = "the-only-org"
    with pytest.raises(sqlquarry.PermissionDeniedError) as info:
        client_for(roe_server, organization_id="another-org").query("SELECT 1")
    assert info.value.status == 403


def test_bad_sql_raises_query_error_with_server_message(roe_client):
    with pytest.raises(sqlquarry.QueryError) as info:
        roe_client.query("SELECT FROM WHERE")
    assert info.value.status == 400
    assert "Syntax error" in info.value.server_message
    assert info.value.server_message in str(info.value)


async def test_bad_sql_async(roe_client):
    with pytest.raises(sqlquarry.QueryError, match="no_such_table"):
        await roe_client.query_async("SELECT * FROM no_such_table")


def test_empty_sql_is_rejected_before_sending(roe_server, roe_client):
    with pytest.raises(sqlquarry.ConfigurationError):
        roe_client.query("  ")
    assert roe_server.requests == []


# --- retries -------------------------------------------------------------------------


def test_get_is_retried_on_503_then_succeeds(roe_server, roe_client):
    job = roe_client.submit("SELECT 1 AS x")
    roe_server.inject_fault(status=503, count=2, path_contains="/status/")
    assert pa.table(job.wait(timeout=30)).to_pylist() == [{"x": 1}]
    statuses = [r for r in roe_server.requests if r.path.endswith("/status/")]
    assert len(statuses) >= 3


def test_submit_is_not_resent_after_a_502(roe_server, roe_client):
    """The server may have acted on the POST: re-sending could run the query twice."""
    roe_server.inject_fault(status=502, count=1, path_contains=ASYNC)
    with pytest.raises(sqlquarry.ServerError) as info:
        roe_client.submit("SELECT 1")
    assert info.value.status == 502
    assert len([r for r in roe_server.requests if r.path == ASYNC]) == 1


def test_submit_is_resent_after_429_honouring_retry_after(roe_server, roe_client):
    roe_server.inject_fault(status=429, count=1, path_contains=ASYNC, retry_after=0.4)
    start = time.monotonic()
    job = roe_client.submit("SELECT 1 AS x")
    assert time.monotonic() - start >= 0.4
    assert len([r for r in roe_server.requests if r.path == ASYNC]) == 2
    assert pa.table(job.wait(timeout=30)).to_pylist() == [{"x": 1}]


def test_rate_limit_error_after_retries_run_out(roe_server):
    client = client_for(roe_server, max_retries=1)
    roe_server.inject_fault(status=429, count=5, retry_after=0.05, body={"detail": "slow down"})
    with pytest.raises(sqlquarry.RateLimitError) as info:
        client.query("SELECT 1")
    assert info.value.retry_after == pytest.approx(0.05)
    assert info.value.server_message == "slow down"
    assert len(roe_server.requests) == 2


def test_retry_after_longer_than_we_wait_fails_at_once(roe_server, roe_client):
    roe_server.inject_fault(status=429, count=1, retry_after=3600)
    start = time.monotonic()
    with pytest.raises(sqlquarry.RateLimitError) as info:
        roe_client.query("SELECT 1")
    assert time.monotonic() - start < 1 and info.value.retry_after == 3600


def test_dropped_connection_on_get_is_retried(roe_server, roe_client):
    job = roe_client.submit("SELECT 1 AS x")
    roe_server.inject_fault(status=None, drop_connection=True, count=1, path_contains="/status/")
    assert pa.table(job.wait(timeout=30)).to_pylist() == [{"x": 1}]


def test_truncated_body_on_get_is_retried(roe_server, roe_client):
    job = roe_client.submit("SELECT number FROM numbers(1000)")
    job.wait(timeout=30)
    roe_server.inject_fault(status=None, truncate_body=True, count=1, path_contains="/result/")
    assert job.wait(timeout=30).num_rows == 1000


def test_truncated_body_on_post_raises_transport_error(roe_server, roe_client):
    roe_server.compression = None
    roe_server.inject_fault(status=None, truncate_body=True, count=1, path_contains=QUERY)
    with pytest.raises(sqlquarry.TransportError):
        roe_client.query("SELECT number FROM numbers(1000)")
    assert len([r for r in roe_server.requests if r.path == QUERY]) == 1


def test_server_error_while_polling_names_the_query(roe_server, roe_client):
    job = roe_client.submit("SELECT 1")
    roe_server.inject_fault(status=500, count=10, path_contains="/status/")
    with pytest.raises(sqlquarry.ServerError) as info:
        job.wait(timeout=30)
    assert info.value.status == 500 and info.value.query_id == job.id
    # The job is intact: once the service recovers, waiting again succeeds.
    roe_server.clear_faults()
    assert job.wait(timeout=30).num_rows == 1


def test_connection_refused_is_a_transport_error():
    client = sqlquarry.RoeClient("k", base_url="http://127.0.0.1:9", max_retries=1)
    with pytest.raises(sqlquarry.TransportError, match="network error"):
        client.query("SELECT 1")


def test_read_timeout(roe_server):
    client = client_for(roe_server, timeout=0.3, max_retries=0)
    roe_server.inject_fault(status=None, delay=2.0, count=1, path_contains=QUERY)
    with pytest.raises(sqlquarry.TransportError, match="timed out"):
        client.query("SELECT 1")
