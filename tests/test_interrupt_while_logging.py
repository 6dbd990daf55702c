"""Ctrl-C during a wait raises KeyboardInterrupt even when it lands while Python's logging
runs a handler for one of sqlquarry's records: the logging bridge runs that Python code on
the waiting thread, and a KeyboardInterrupt raised there used to be left set on the thread
and lost, so the wait went on. A handler that sleeps puts nearly every signal there."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

CHILD = textwrap.dedent(
    """
    import logging, sys, time
    import sqlquarry

    class Slow(logging.Handler):
        def emit(self, record):
            time.sleep(0.05)

    logger = logging.getLogger("sqlquarry")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Slow())
    roe = sqlquarry.RoeClient(sys.argv[1], base_url=sys.argv[2], organization_id="o")
    job = roe.submit("SELECT 1")
    print("ready", flush=True)
    try:
        job.wait()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


def test_ctrl_c_while_a_log_handler_runs_interrupts_the_wait(roe_server):
    roe_server.running_seconds = 600  # never finishes while the test runs
    for _ in range(3):
        roe_server.clear_requests()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, roe_server.api_key, roe_server.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while not any("status" in r.path for r in roe_server.requests):
            assert time.monotonic() < deadline, "the child never polled"
            time.sleep(0.005)
        child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise AssertionError("Ctrl-C was lost: the wait went on") from None
        assert "interrupted" in out, err
