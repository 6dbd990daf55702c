"""Ctrl-C (SIGINT) and SIGTERM stop a command promptly with 130 / 143, and leave neither
the output file nor its temporary file behind."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from clirun import SCRIPT, run


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(SCRIPT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_ctrl_c_during_roe_wait_exits_130_and_leaves_no_file(tmp_path, roe_env, roe_server):
    roe_server.running_seconds = 600  # the job never finishes during the test
    job = run(["roe", "submit", "SELECT 1"], roe_env).stdout.strip()
    output = tmp_path / "never.parquet"
    child = _start(["roe", "wait", job, "-o", str(output)], roe_env)
    # Interrupt once the child is polling the job's status.
    _until(lambda: any(job in r.path and "status" in r.path for r in roe_server.requests))
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=20)
    assert child.returncode == 130
    assert time.monotonic() - sent < 5
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_download_deletes_the_partial_file(
    tmp_path, roe_env, roe_server, signum, code
):
    released = threading.Event()

    def body():
        yield b'[{"query_id": "slow", "column_names": ["n"], "column_types": ["UInt64"], '
        yield b'"result_rows": [' + b",".join(b"[%d]" % i for i in range(200_000))
        released.wait(60)  # the rest never comes while the test runs
        yield b"]}]"

    roe_server.serve_canned("slow", body)
    output = tmp_path / "slow.csv"
    child = _start(["roe", "query", "slow", "-o", str(output)], roe_env)
    try:
        # The temporary file exists (and has rows in it) once the stream is open.
        def partial() -> list[Path]:
            return [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

        _until(lambda: bool(partial()) and partial()[0].stat().st_size > 0)
        assert not output.exists()
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=20)
    finally:
        released.set()
        if child.poll() is None:
            child.kill()
    assert child.returncode == code, stderr
    assert list(tmp_path.iterdir()) == []
