"""One client shape for the three services: every network method is written once and has a
blocking twin and an ``_async`` twin that is a real coroutine function, with the same
signature, docstring and options; errors are classes resolved at import."""

from __future__ import annotations

import asyncio
import inspect
import sys
import time

import pytest

import sqlquarry
from rawserver import RawServer, response
from sqlquarry.aifordb import Connections, Dashboards, TeamMembers, Workflows
from sqlquarry.roe import QueryJob
from sqlquarry.slateo import QueryRefs, SlateoQueries

CLASSES = [
    sqlquarry.RoeClient,
    QueryJob,
    sqlquarry.SlateoClient,
    SlateoQueries,
    QueryRefs,
    sqlquarry.AIForDatabaseClient,
    Dashboards,
    Workflows,
    Connections,
    TeamMembers,
]


def twin_pairs():
    for cls in CLASSES:
        for name, member in inspect.getmembers(cls):
            if name.endswith("_async") and hasattr(cls, name[: -len("_async")]):
                yield cls, name[: -len("_async")], member


@pytest.mark.parametrize(
    ("cls", "name", "coroutine"), list(twin_pairs()), ids=lambda x: str(x)[-30:]
)
def test_twins_share_signature_and_docs(cls, name, coroutine):
    blocking = getattr(cls, name)
    assert inspect.iscoroutinefunction(coroutine) or inspect.isasyncgenfunction(coroutine)
    assert not inspect.iscoroutinefunction(blocking)
    if inspect.iscoroutinefunction(coroutine) and hasattr(blocking, "coroutine"):
        assert inspect.signature(blocking) == inspect.signature(coroutine)
        assert blocking.__doc__ and blocking.__doc__ in coroutine.__doc__


def test_shared_options_are_keywords_in_every_query_call():
    calls = [
        sqlquarry.RoeClient.query,
        sqlquarry.RoeClient.query_all,
        sqlquarry.RoeClient.submit,
        sqlquarry.RoeClient.iter_batches,
        QueryJob.wait,
        QueryJob.wait_all,
        QueryJob.iter_batches,
        SlateoQueries.run,
        SlateoQueries.result,
        SlateoQueries.refresh,
        sqlquarry.AIForDatabaseClient.ask,
    ]
    for call in calls:
        params = inspect.signature(call).parameters
        assert params["timeout"].kind is inspect.Parameter.KEYWORD_ONLY, call
        assert "``timeout``" in call.__doc__, call


def test_an_unknown_keyword_is_a_type_error_in_both_twins():
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url="http://127.0.0.1:9")
    with pytest.raises(TypeError, match="timout"):
        roe.query("SELECT 1", timout=5)
    with pytest.raises(TypeError, match="timout"):
        asyncio.run(roe.query_async("SELECT 1", timout=5))
    with pytest.raises(TypeError, match="base_ur"):
        sqlquarry.SlateoClient("k", base_ur="http://x")


# --- async twins behave like coroutine functions -------------------------------------------


@pytest.fixture
def raw():
    with RawServer() as srv:
        yield srv


def test_asyncio_run_of_an_async_twin(raw):
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url=raw.url, organization_id="o")
    assert asyncio.run(roe.query_async("SELECT 1")).num_rows == 1
    job = asyncio.run(roe.submit_async("SELECT 1"))
    assert asyncio.run(job.wait_async(timeout=5)).num_rows == 1


def test_run_until_complete_create_task_and_gather(raw):
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url=raw.url, organization_id="o")
    loop = asyncio.new_event_loop()
    try:
        coroutine = roe.query_async("SELECT 1")  # made outside any running loop
        assert loop.run_until_complete(coroutine).num_rows == 1

        async def both():
            task = asyncio.create_task(roe.query_async("SELECT 1"))
            rest = await asyncio.gather(roe.query_async("SELECT 1"), roe.query_all_async("x"))
            return [await task, *rest]

        first, second, all_ = loop.run_until_complete(both())
        assert first.num_rows == second.num_rows == 1 and len(all_) == 1
    finally:
        loop.close()


def test_a_coroutine_never_awaited_sends_nothing(raw):
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url=raw.url, organization_id="o")
    coroutine = roe.query_async("SELECT 1")
    coroutine.close()
    assert raw.requests == []


def test_five_hundred_concurrent_async_queries(raw):
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url=raw.url, organization_id="o")

    async def many():
        return await asyncio.gather(*(roe.query_async("SELECT 1") for _ in range(500)))

    asyncio.run(many())  # warm: connections, runtime threads
    start = time.monotonic()
    results = asyncio.run(many())
    took = time.monotonic() - start
    print(f"500 concurrent query_async: {took:.3f} s")
    assert len(results) == 500 and all(r.num_rows == 1 for r in results)
    assert took < 5, took


# --- errors decided where they arise --------------------------------------------------------


def test_exception_classes_are_resolved_at_import(raw, monkeypatch):
    """Raising never imports: with sqlquarry.exceptions made unimportable, the user still
    gets the real error."""
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url=raw.url, max_retries=0)
    raw.then(lambda r: response(404, {"detail": "Not found."}), match="/status/")
    monkeypatch.setitem(sys.modules, "sqlquarry.exceptions", None)
    with pytest.raises(sqlquarry.NotFoundError):
        roe.job("nope").wait(timeout=5)


def test_timeouts_name_the_method_to_call_again(raw):
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url=raw.url, organization_id="o")
    raw.then(lambda r: response(200, {"status": "STARTED"}), times=1000, match="/status/")
    with pytest.raises(sqlquarry.TimeoutError, match=r"call wait\(\) on the job again"):
        roe.job("w-1").wait(timeout=0.3)
    raw.clear()
    slateo = sqlquarry.SlateoClient("sk-shape-test-123", base_url=raw.url)
    raw.then(lambda r: response(200, {"id": "run"}), match="/refresh")
    raw.then(lambda r: response(200, {"latestRun": {"status": "RUNNING"}}), times=1000)
    with pytest.raises(sqlquarry.TimeoutError, match=r"queries.run\(id, wait_if_running=True\)"):
        slateo.queries.run("q1", timeout=0.3)


def test_clients_and_jobs_say_what_they_are():
    roe = sqlquarry.RoeClient("sk-shape-test-123", base_url="http://127.0.0.1:9")
    assert "sk-shape" not in repr(roe)
    assert repr(roe.job("j1")) == "QueryJob(id='j1')"
    assert "queries" in sqlquarry.SlateoClient.__doc__
