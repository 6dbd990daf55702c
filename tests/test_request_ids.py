"""Every request carries an X-Request-ID (a UUID, new for each attempt) that reaches the
DEBUG log and every raised error, so a user can quote it to the service's support; the
service's own id, when it sends one, wins. Roe's 402 is a named error."""

from __future__ import annotations

import logging
import uuid

import pytest

import sqlquarry


def sent_ids(server) -> list[str]:
    return [r.headers.get("X-Request-ID") or r.headers.get("x-request-id") for r in server.requests]


def test_each_request_carries_a_fresh_uuid(roe_client, roe_server):
    roe_client.query("SELECT 1")
    roe_client.query("SELECT 2")
    ids = sent_ids(roe_server)
    assert len(ids) >= 2 and all(ids)
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert len(set(ids)) == len(ids), "one id per request"


def test_retries_get_their_own_id_and_the_error_carries_the_last(roe_client, roe_server):
    # A 429 is retried even for the submitting POST (the service did not act on it).
    roe_server.inject_fault(status=429, count=4, path_contains="/database/", retry_after=0.01)
    with pytest.raises(sqlquarry.RateLimitError) as info:
        roe_client.query("SELECT 1")
    ids = sent_ids(roe_server)
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    assert info.value.request_id == ids[-1]
    assert ids[-1] in str(info.value)


def test_the_id_is_in_the_debug_log(roe_client, roe_server, caplog):
    with caplog.at_level(logging.DEBUG, logger="sqlquarry.http"):
        roe_client.query("SELECT 1")
    ids = sent_ids(roe_server)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ids and all(i in logged for i in ids), logged


def test_a_network_failure_carries_the_id_too():
    client = sqlquarry.RoeClient("k" * 20, base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(sqlquarry.TransportError) as info:
        client.query("SELECT 1")
    assert uuid.UUID(info.value.request_id)


def test_the_services_own_id_wins(aifordb_client, aifordb_server):
    aifordb_server.inject_fault(status=404, count=1)
    with pytest.raises(sqlquarry.NotFoundError) as info:
        aifordb_client.ask("how many?", connection_id="conn_local")
    ours = sent_ids(aifordb_server)[-1]
    assert info.value.request_id and info.value.request_id != ours
    assert info.value.request_id == aifordb_server.requests[-1].request_id


def test_402_is_insufficient_credits_and_not_retried(roe_client, roe_server):
    roe_server.inject_fault(
        status=402, count=5, body={"detail": "Insufficient credits to run this query."}
    )
    with pytest.raises(sqlquarry.InsufficientCreditsError) as info:
        roe_client.query("SELECT 1")
    e = info.value
    assert isinstance(e, sqlquarry.APIError) and e.status == 402
    assert "Insufficient credits" in str(e) and "add credits" in str(e)
    assert len(roe_server.requests) == 1
