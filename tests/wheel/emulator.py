"""The Roe emulator as a separate process (`python -m sqlquarry.testing`), for tests that
must not import chDB themselves."""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

# The line __main__ prints once it accepts connections; the URL follows it.
READY = "sqlquarry emulator listening on "


@contextlib.contextmanager
def running_emulator(python: str, *, pythonpath: Path, timeout: float = 120) -> Iterator[str]:
    """Yields the base URL of a Roe emulator run by `python`, stopped (SIGTERM) on exit."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    proc = subprocess.Popen(
        [python, "-m", "sqlquarry.testing", "--port", "0", "--api-key", "test-key"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield _wait_for_url(proc, timeout)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_url(proc: subprocess.Popen, timeout: float) -> str:
    # chDB takes seconds to load; a dead or silent server must fail the test, not hang it.
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not sel.select(left):
                break
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"emulator exited ({proc.wait()}) before listening")
            if line.startswith(READY):
                return line[len(READY) :].strip()
    raise TimeoutError(f"emulator not listening after {timeout} s")
