"""Blocking calls release the GIL and stay interruptible; async calls run concurrently."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pytest

import sqlquarry

QUERY = "/v1/database/query/"


def child(server, body: str) -> subprocess.Popen:
    """A Python process with a client for `server`, running `body`."""
    script = textwrap.dedent(
        f"""
        import os, sys, time
        import sqlquarry
        client = sqlquarry.RoeClient(api_key={server.api_key!r}, base_url={server.url!r},
                                     organization_id="org-1")
        """
    ) + textwrap.dedent(body)
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def interrupt_after_ready(proc: subprocess.Popen) -> float:
    """Waits for the child to say it is blocking, sends SIGINT, returns seconds to exit."""
    assert proc.stdout.readline().strip() == "blocking"
    time.sleep(0.3)  # let it get well inside the blocking call
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    return time.monotonic() - start


INTERRUPTIBLE = """
print("blocking", flush=True)
try:
    {call}
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(42)
sys.exit(1)
"""


def test_ctrl_c_interrupts_a_blocking_wait(roe_server):
    roe_server.pending_seconds = 60
    proc = child(
        roe_server, INTERRUPTIBLE.format(call='client.submit("SELECT 1").wait(timeout=120)')
    )
    took = interrupt_after_ready(proc)
    _, err = proc.communicate()
    assert proc.returncode == 42, err
    assert took < 1.0, took


def test_ctrl_c_interrupts_a_blocking_query(roe_server):
    roe_server.inject_fault(status=None, delay=20, count=1, path_contains=QUERY)
    proc = child(roe_server, INTERRUPTIBLE.format(call='client.query("SELECT 1")'))
    took = interrupt_after_ready(proc)
    _, err = proc.communicate()
    assert proc.returncode == 42, err
    assert took < 1.0, took


def test_other_threads_run_while_query_blocks(roe_server, roe_client):
    roe_server.inject_fault(status=None, delay=1.0, count=1, path_contains=QUERY)
    ticks = 0
    stop = threading.Event()

    def spin():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=spin)
    t.start()
    try:
        start = time.monotonic()
        roe_client.query("SELECT 1")
        assert time.monotonic() - start >= 1.0
    finally:
        stop.set()
        t.join()
    # With the GIL held for the whole second this would be close to zero.
    assert ticks > 100, ticks


async def test_fifty_concurrent_async_queries(roe_server, roe_client):
    # Each request is held 0.5 s by the server: sequential would take 25 s.
    roe_server.inject_fault(status=None, delay=0.5, count=50, path_contains=QUERY)
    start = time.monotonic()
    results = await asyncio.gather(
        *(roe_client.query_async(f"SELECT {i} AS i, toString({i}) AS s") for i in range(50))
    )
    took = time.monotonic() - start
    assert [pa.table(r).to_pylist() for r in results] == [
        [{"i": i, "s": str(i)}] for i in range(50)
    ]
    assert took < 10, took


def test_concurrent_blocking_queries_from_threads(roe_server, roe_client):
    roe_server.inject_fault(status=None, delay=0.5, count=16, path_contains=QUERY)
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: roe_client.query(f"SELECT {i} AS i"), range(16)))
    assert [pa.table(r).column("i")[0].as_py() for r in results] == list(range(16))
    assert time.monotonic() - start < 5


async def test_cancelling_an_awaited_query(roe_server, roe_client):
    roe_server.pending_seconds = 60
    job = await roe_client.submit_async("SELECT 1")
    task = asyncio.ensure_future(job.wait_async())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_use_after_fork_is_a_clear_error(roe_server):
    proc = child(
        roe_server,
        """
        client.query("SELECT 1")
        pid = os.fork()
        if pid == 0:
            try:
                client.query("SELECT 1")
            except RuntimeError as e:
                print("child:", e, flush=True)
                os._exit(7)
            os._exit(1)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """,
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 7, err
    assert "os.fork()" in out


def test_results_are_usable_from_other_threads(roe_client):
    r = roe_client.query("SELECT number AS n FROM numbers(10)")
    with ThreadPoolExecutor(4) as pool:
        sums = list(pool.map(lambda _: sum(pa.table(r).column("n").to_pylist()), range(4)))
    assert sums == [45] * 4
    assert isinstance(r, sqlquarry.QueryResult)
