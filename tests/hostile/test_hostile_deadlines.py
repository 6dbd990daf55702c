"""Numbers of seconds from anywhere, and deadlines against servers that trickle: a timeout
is checked (never a panic), and a deadline the user gives bounds the whole call. Ctrl-C and
cancellation stop a trickling download as promptly as a wait."""

from __future__ import annotations

import asyncio
import datetime
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import sqlquarry
from rawserver import KEY, Answers, drip, response

BAD_SECONDS = [0, -1, -0.0, float("nan"), float("inf"), float("-inf"), -(10**400)]
HUGE_SECONDS = [1e20, 1e300, 10**400, datetime.timedelta(days=999_999_999)]


def make_clients(raw, **kw):
    return [
        sqlquarry.RoeClient(KEY, base_url=raw.url, organization_id="org", **kw),
        sqlquarry.SlateoClient(KEY, base_url=raw.url, **kw),
        sqlquarry.AIForDatabaseClient(KEY, base_url=raw.url + "/v1", **kw),
    ]


@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
def test_a_timeout_that_is_not_a_positive_number_is_a_configuration_error(raw, value):
    with pytest.raises(sqlquarry.ConfigurationError, match="timeout must be a positive number"):
        make_clients(raw, timeout=value)


@pytest.mark.parametrize("value", ["30s", True, [1], object()], ids=repr)
def test_a_timeout_of_the_wrong_type_names_the_argument(raw, value):
    with pytest.raises(TypeError, match="timeout must be a number"):
        make_clients(raw, timeout=value)


@pytest.mark.parametrize("value", HUGE_SECONDS, ids=lambda v: repr(v)[:20])
def test_a_huge_timeout_counts_as_a_year_and_works(raw, roe, value, capfd):
    for client in make_clients(raw, timeout=value):
        assert client is not None
    client = sqlquarry.RoeClient(KEY, base_url=raw.url, organization_id="org", timeout=value)
    assert client.query("SELECT 1").num_rows == 1
    job = roe.submit("SELECT 1")
    assert job.wait(timeout=value).num_rows == 1
    assert len(job.wait_all(timeout=value)) == 1
    with job.iter_batches(timeout=value) as batches:
        assert sum(b.num_rows for b in batches) == 1


@pytest.mark.parametrize("value", HUGE_SECONDS[:2], ids=repr)
async def test_huge_timeouts_in_the_async_twins(roe, value):
    job = await roe.submit_async("SELECT 1")
    assert (await job.wait_async(timeout=value)).num_rows == 1
    assert len(await job.wait_all_async(timeout=value)) == 1


@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
def test_wait_refuses_a_bad_timeout_before_sending(raw, roe, value):
    job = roe.job("w-1")
    for call in (job.wait, job.wait_all, job.iter_batches):
        with pytest.raises(sqlquarry.ConfigurationError):
            call(timeout=value)
    assert raw.requests == []


@pytest.mark.parametrize("prefix", ["ROE", "SLATEO", "AIFORDATABASE"])
def test_timeouts_from_the_environment(raw, monkeypatch, prefix):
    for bad in ["0", "-1", "nan", "inf", "soon", "1e"]:
        monkeypatch.setenv(f"{prefix}_TIMEOUT", bad)
        with pytest.raises(sqlquarry.ConfigurationError, match=f"{prefix}_TIMEOUT"):
            make_clients(raw)
        monkeypatch.delenv(f"{prefix}_TIMEOUT")
    monkeypatch.setenv(f"{prefix}_TIMEOUT", "1e20")
    make_clients(raw)


# --- deadlines against a trickle ----------------------------------------------------------


def trickling_result(seconds: float) -> bytes:
    """A result body that takes about `seconds` to arrive at 20 pieces a second."""
    return Answers(["s"], ["String"]).result_body('[["' + "z" * int(seconds * 20) + '"]]')


def test_wait_deadline_bounds_a_result_that_trickles_in(raw, roe):
    raw.then(lambda r: drip(trickling_result(10), 1, 0.05), match="/result/")
    start = time.monotonic()
    with pytest.raises(sqlquarry.TimeoutError) as info:
        roe.job("w-1").wait(timeout=1.0)
    took = time.monotonic() - start
    assert 1.0 <= took < 1.8, took
    assert info.value.query_id == "w-1"


async def test_wait_async_deadline_bounds_a_result_that_trickles_in(raw, roe):
    raw.then(lambda r: drip(trickling_result(10), 1, 0.05), match="/result/")
    start = time.monotonic()
    with pytest.raises(sqlquarry.TimeoutError):
        await roe.job("w-1").wait_async(timeout=1.0)
    assert time.monotonic() - start < 1.8


def test_wait_deadline_bounds_a_status_answer_that_trickles_in(raw, roe):
    status = b'{"status": "STARTED", "pad": "' + b"p" * 400 + b'"}'
    raw.then(lambda r: drip(status, 1, 0.05), match="/status/")
    start = time.monotonic()
    with pytest.raises(sqlquarry.TimeoutError):
        roe.job("w-1").wait(timeout=0.8)
    assert time.monotonic() - start < 1.6


def test_a_stream_opening_under_a_deadline(raw, roe):
    raw.then(lambda r: drip(trickling_result(10), 1, 0.05), match="/result/")
    start = time.monotonic()
    with pytest.raises(sqlquarry.TimeoutError):
        roe.job("w-1").iter_batches(timeout=1.0)
    assert time.monotonic() - start < 1.8


def test_slateo_run_deadline_bounds_the_whole_call(raw, slateo):
    raw.then(lambda r: response(200, {"id": "run-1", "status": "RUNNING"}), match="/refresh")
    raw.then(lambda r: response(200, {"id": "q1", "latestRun": {"status": "SUCCESS"}}), match="/q1")
    fields = b'{"fields": [{"name": "s", "type": "string"}], "rows": [["' + b"z" * 400 + b'"]]}'
    raw.then(lambda r: drip(fields, 1, 0.05), match="/result")
    start = time.monotonic()
    with pytest.raises(sqlquarry.TimeoutError):
        slateo.queries.run("q1", timeout=1.0)
    assert time.monotonic() - start < 1.8


def test_a_trickle_without_a_deadline_completes(raw, roe):
    raw.then(lambda r: drip(trickling_result(1), 8, 0.05), match="/result/")
    assert roe.job("w-1").wait().num_rows == 1


# --- Ctrl-C and cancellation during a trickle ---------------------------------------------


def test_ctrl_c_stops_a_trickling_download(raw):
    raw.then(lambda r: drip(trickling_result(60), 1, 0.05), match="/query/?")
    script = textwrap.dedent(
        f"""
        import sys, sqlquarry
        c = sqlquarry.RoeClient({KEY!r}, base_url={raw.url!r}, organization_id="org")
        print("blocking", flush=True)
        try:
            c.query("SELECT 1")
        except KeyboardInterrupt:
            sys.exit(42)
        sys.exit(1)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "blocking"
    time.sleep(0.5)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 42, err
    assert time.monotonic() - start < 1.0
    assert "panicked at" not in err


async def test_cancelling_a_trickling_download(raw, roe):
    raw.then(lambda r: drip(trickling_result(60), 1, 0.05), match="/query/?")
    task = asyncio.ensure_future(roe.query_async("SELECT 1"))
    await asyncio.sleep(0.5)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 0.5
    assert (await roe.query_async("SELECT 1")).num_rows == 1


def test_closing_a_stream_mid_trickle(raw, roe):
    rows = ", ".join(f"[{i}]" for i in range(200_000))
    body = Answers(["n"], ["UInt32"]).run_body(f"[{rows}]")
    raw.then(lambda r: drip(body, 64 * 1024, 0.05), match="/query/?")
    start = time.monotonic()
    with roe.iter_batches("SELECT 1") as batches:
        first = next(iter(batches))
        assert first.num_rows > 0
    assert time.monotonic() - start < 5, "closing the stream waited for the whole body"
