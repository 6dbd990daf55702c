"""The command line's network flags reach the client: --ca-cert trusts the test CA,
--proxy routes through the counting proxy, and a refused certificate exits as a network
error (8) in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "sqlquarry"


def sqlquarry(*args: str, server) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROE_", "SQLQUARRY_"))}
    env.update(ROE_API_KEY=server.api_key, ROE_BASE_URL=server.url, COLUMNS="100")
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)


def test_ca_cert_and_proxy_flags(https_roe, ca_pem, http_proxy):
    done = sqlquarry(
        "roe",
        "query",
        "SELECT 6 * 7 AS answer",
        "--ca-cert",
        ca_pem,
        "--proxy",
        http_proxy.url,
        "--format",
        "jsonl",
        server=https_roe,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"answer": 42}
    assert http_proxy.seen


def test_an_untrusted_certificate_is_a_network_error(https_roe):
    done = sqlquarry("roe", "query", "SELECT 1", "--max-retries", "0", server=https_roe)
    assert done.returncode == 8, (done.returncode, done.stderr)
    assert "certificate" in done.stderr.lower() and "--ca-cert" not in done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_insecure_flag_warns_and_connects(https_roe):
    done = sqlquarry(
        "roe", "query", "SELECT 1 AS one", "--insecure", "--format", "jsonl", server=https_roe
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"one": 1}
    assert "verify=False" in done.stderr or "insecure" in done.stderr.lower()
