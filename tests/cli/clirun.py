"""Helpers for the command-line tests, which run the installed `sqlquarry` script (the real
entry point) in a subprocess against the local emulators, over HTTP on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "sqlquarry"
SERVICE_PREFIXES = ("ROE_", "SLATEO_", "AIFORDATABASE_", "SQLQUARRY_")


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any service setting, plus `extra`; stdout is
    not a terminal, so COLUMNS fixes the preview's width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    env.setdefault("COLUMNS", "100")
    env.update(extra)
    return env


def run(
    args: list[str], env: dict[str, str], timeout: float = 60, **kw
) -> subprocess.CompletedProcess:
    """`sqlquarry ARGS`, its output captured as text."""
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout, **kw
    )


def peak_rss(proc: subprocess.Popen) -> int:
    """The child's peak resident memory in bytes, polled from /proc until it exits.

    VmHWM belongs to the process's own memory since exec; `ru_maxrss` of a child would
    also count the (large) test process it was forked from."""
    peak = 0
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.02)
    return peak
