"""submit / status / wait against the emulator: both submit forms, both id styles, task
states that progress over time, failures and deadlines. Sync and async side by side."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest

import sqlquarry

SQL = "SELECT number AS n FROM numbers(3)"
EXPECTED = [{"n": 0}, {"n": 1}, {"n": 2}]

# (submit response form, ids the status/result endpoints accept)
FORMS = [("object", "both"), ("object", "worksheet"), ("object", "task"), ("string", "task")]


@pytest.mark.parametrize("form,accept", FORMS)
def test_submit_status_wait_sync(roe_server, roe_client, form, accept):
    roe_server.submit_response, roe_server.accept_ids = form, accept
    # Long enough that the first status request lands in it even on a loaded machine.
    roe_server.pending_seconds = 1.0
    job = roe_client.submit(SQL)
    assert job.id
    if form == "string":
        assert job.worksheet_query_id is None and job.task_id == job.id
    else:
        assert job.worksheet_query_id and job.task_id and job.worksheet_query_id != job.task_id
    assert job.status() == "PENDING"
    assert pa.table(job.wait(timeout=30)).to_pylist() == EXPECTED
    assert job.status() == "SUCCESS"


@pytest.mark.parametrize("form,accept", FORMS)
async def test_submit_status_wait_async(roe_server, roe_client, form, accept):
    roe_server.submit_response, roe_server.accept_ids = form, accept
    roe_server.pending_seconds = 1.0
    job = await roe_client.submit_async(SQL)
    assert await job.status_async() == "PENDING"
    assert pa.table(await job.wait_async(timeout=30)).to_pylist() == EXPECTED
    assert await job.status_async() == "SUCCESS"


def test_submit_sends_documented_request(roe_server, roe_client):
    roe_client.submit(SQL, worksheet_id="ws-9").wait(timeout=30)
    (req,) = [r for r in roe_server.requests if r.path == "/v1/database/query/async/"]
    assert req.query == {"organization_id": roe_client.organization_id, "worksheet_id": "ws-9"}
    assert req.body["query"] == SQL and req.body["use_admin"] is False


def test_task_id_fallback_is_remembered(roe_server, roe_client):
    """With only the task id accepted, the worksheet id 404s once, then the task id is used."""
    roe_server.accept_ids = "task"
    job = roe_client.submit(SQL)
    job.wait(timeout=30)
    job.status()
    assert job.id == job.task_id
    paths = [r.path for r in roe_server.requests if r.method == "GET"]
    misses = [p for p in paths if job.worksheet_query_id in p]
    assert len(misses) == 1, paths


def test_unknown_status_words_count_as_running(roe_server, roe_client):
    roe_server.running_status = "QUEUED_FOR_REVIEW"
    roe_server.running_seconds = 0.4
    job = roe_client.submit(SQL)
    time.sleep(0.05)
    assert job.status() == "QUEUED_FOR_REVIEW"
    assert pa.table(job.wait(timeout=30)).to_pylist() == EXPECTED


def test_polling_starts_fast_and_backs_off(roe_server, roe_client):
    roe_server.pending_seconds = 1.5
    start = time.monotonic()
    roe_client.submit(SQL).wait(timeout=30)
    took = time.monotonic() - start
    polls = [r for r in roe_server.requests if r.path.endswith("/status/")]
    # 50 ms growing by 1.5x: about a dozen polls in 1.5 s, not 30 (fixed 50 ms), not 1.
    assert 4 <= len(polls) <= 14, len(polls)
    assert took < 1.5 + 1.0


def test_multi_statement_job(roe_client):
    results = roe_client.submit("SELECT 1 AS a; SELECT 2 AS b").wait_all(timeout=30)
    assert [pa.table(r).to_pylist() for r in results] == [[{"a": 1}], [{"b": 2}]]


async def test_multi_statement_job_async(roe_client):
    job = await roe_client.submit_async("SELECT 1 AS a; SELECT 2 AS b")
    results = await job.wait_all_async(timeout=30)
    assert [r.column_names for r in results] == [["a"], ["b"]]


BAD_SQL = "SELECT no_such_column FROM numbers(1)"


def test_bad_sql_fails_the_job_with_the_server_message(roe_client):
    job = roe_client.submit(BAD_SQL)
    with pytest.raises(sqlquarry.QueryError) as info:
        job.wait(timeout=30)
    assert "no_such_column" in info.value.server_message
    assert info.value.query_id == job.id
    assert job.id in str(info.value)


async def test_bad_sql_fails_the_job_async(roe_client):
    job = await roe_client.submit_async(BAD_SQL)
    with pytest.raises(sqlquarry.QueryError, match="no_such_column"):
        await job.wait_async(timeout=30)


@pytest.mark.parametrize(
    "submitted",
    [
        {"error": "Code: 62. Syntax error", "query_task_status": "PENDING"},
        {"error": None, "query_task_status": "FAILURE"},
    ],
)
def test_an_error_in_the_submit_response_is_raised_without_polling(
    roe_server, roe_client, submitted
):
    body = {"id": "w-1", "query": "SELEC 1", "query_task_id": "t-1", **submitted}
    roe_server.inject_fault(status=200, count=1, path_contains="/async/", body=body)
    job = roe_client.submit("SELEC 1")
    with pytest.raises(sqlquarry.QueryError, match=r"Syntax error|FAILURE") as info:
        job.wait(timeout=5)
    assert info.value.query_id == "w-1"
    assert not [r for r in roe_server.requests if r.path.endswith("/status/")]
    with pytest.raises(sqlquarry.QueryError):
        job.iter_batches(timeout=5)


def test_wait_times_out(roe_server, roe_client):
    roe_server.pending_seconds = 30
    job = roe_client.submit(SQL)
    start = time.monotonic()
    with pytest.raises(sqlquarry.TimeoutError) as info:
        job.wait(timeout=0.5)
    assert 0.5 <= time.monotonic() - start < 2
    assert info.value.query_id == job.id and info.value.waited >= 0.5
    assert isinstance(info.value, TimeoutError)  # also the builtin


async def test_wait_times_out_async(roe_server, roe_client):
    roe_server.pending_seconds = 30
    job = await roe_client.submit_async(SQL)
    with pytest.raises(sqlquarry.TimeoutError):
        await job.wait_async(timeout=0.3)


def test_unknown_task_id(roe_client):
    job = roe_client.job("123e4567-e89b-12d3-a456-426614174000")
    with pytest.raises(sqlquarry.NotFoundError) as info:
        job.status()
    assert info.value.status == 404 and info.value.query_id == job.id
    with pytest.raises(sqlquarry.NotFoundError):
        job.wait(timeout=5)


async def test_unknown_task_id_async(roe_client):
    with pytest.raises(sqlquarry.NotFoundError):
        await roe_client.job("nope").status_async()


def test_job_handle_from_an_id(roe_client):
    """A job submitted elsewhere can be resumed from its id alone."""
    first = roe_client.submit(SQL)
    again = roe_client.job(first.id)
    assert pa.table(again.wait(timeout=30)).to_pylist() == EXPECTED
    with pytest.raises(ValueError):
        roe_client.job(" ")


def test_submit_needs_an_organization_or_worksheet(roe_server):
    client = sqlquarry.RoeClient(api_key=roe_server.api_key, base_url=roe_server.url)
    with pytest.raises(sqlquarry.ConfigurationError, match="organization"):
        client.submit(SQL)
    assert (
        pa.table(client.submit(SQL, worksheet_id="ws-1").wait(timeout=30)).to_pylist() == EXPECTED
    )
