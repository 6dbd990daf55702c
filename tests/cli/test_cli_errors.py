"""Exit codes by kind of failure, one `sqlquarry: error:` line (a traceback only with
--debug), and the API key never printed."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from clirun import clean_env, run

from sqlquarry.cli import _errors

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("sqlquarry: error: ")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [[], ["roe"], ["roe", "query"], ["nosuch"], ["roe", "query", "SELECT 1", "--bogus"],
     ["roe", "query", "SELECT 1", "--timeout", "-1"],
     ["roe", "query", "SELECT 1", "--format", "xls"], ["aifordb", "ask", "how many?"],
     ["roe", "query", "SELECT 1", "--format", "csv", "-p", "x"]],
)  # fmt: skip
def test_usage_errors_exit_2(roe_env, roe_server, args):
    out = run(args, roe_env)
    assert out.returncode == _errors.USAGE == 2
    assert "sqlquarry: error: " in out.stderr
    assert roe_server.requests == []


def test_help_and_version_exit_0(roe_env):
    assert run(["--help"], roe_env).returncode == 0
    out = run(["--version"], roe_env)
    assert out.returncode == 0 and out.stdout.startswith("sqlquarry ")
    for service in ("roe", "slateo", "aifordb"):
        assert run([service, "--help"], roe_env).returncode == 0


def test_missing_key_is_a_configuration_error_in_command_line_terms():
    for service, variable in [
        ("roe", "ROE_API_KEY"),
        ("slateo", "SLATEO_API_KEY"),
        ("aifordb", "AIFORDATABASE_API_KEY"),
    ]:
        argv = {
            "roe": ["query", "SELECT 1"],
            "slateo": ["list"],
            "aifordb": ["ask", "why", "--connection", "c1"],
        }
        out = run([service, *argv[service]], clean_env())
        assert out.returncode == _errors.CONFIGURATION == 3
        line = _one_error_line(out.stderr)
        assert f"set {variable} (or pass --api-key)" in line and "api_key=" not in line, line


def test_wrong_key_exits_4(roe_env):
    out = run(["roe", "query", "SELECT 1"], dict(roe_env, ROE_API_KEY="not-the-key-at-all"))
    assert out.returncode == _errors.AUTH == 4
    assert "401" in _one_error_line(out.stderr)


def test_permission_denied_exits_4(roe_env, roe_server):
    roe_server.organization_id = "the-only-org"
    out = run(["roe", "query", "SELECT 1"], roe_env)
    assert out.returncode == 4
    assert "403" in _one_error_line(out.stderr)


def test_unknown_job_exits_5(roe_env):
    out = run(["roe", "status", "no-such-job"], roe_env)
    assert out.returncode == _errors.NOT_FOUND == 5
    assert "404" in _one_error_line(out.stderr)


def test_bad_sql_exits_6(roe_env):
    out = run(["roe", "query", "SELEC 1"], roe_env)
    assert out.returncode == _errors.QUERY_FAILED == 6
    assert "SYNTAX_ERROR" in _one_error_line(out.stderr)


def test_a_failed_job_exits_6(roe_env):
    job = run(["roe", "submit", "SELECT throwIf(1, 'boom')"], roe_env).stdout.strip()
    out = run(["roe", "wait", job], roe_env)
    assert out.returncode == 6
    assert "boom" in _one_error_line(out.stderr)


def test_timeout_exits_7(roe_env, roe_server):
    roe_server.running_seconds = 60
    job = run(["roe", "submit", "SELECT 1"], roe_env).stdout.strip()
    out = run(["roe", "wait", job, "--timeout", "0.5"], roe_env)
    assert out.returncode == _errors.TIMEOUT == 7
    assert job in _one_error_line(out.stderr)


def test_connection_refused_exits_8(roe_env):
    url = f"http://127.0.0.1:{_closed_port()}"
    out = run(["roe", "query", "SELECT 1", "--base-url", url, "--max-retries", "0"], roe_env)
    assert out.returncode == _errors.NETWORK == 8
    assert "refused" in _one_error_line(out.stderr).lower()


def test_rate_limited_exits_9(roe_env, roe_server):
    roe_server.inject_fault(status=429, retry_after=3600)
    out = run(["roe", "query", "SELECT 1"], roe_env)
    assert out.returncode == _errors.BUSY == 9
    assert "429" in _one_error_line(out.stderr)


def test_server_error_exits_10(roe_env, roe_server):
    roe_server.inject_fault(status=500)
    out = run(["roe", "query", "SELECT 1", "--max-retries", "0"], roe_env)
    assert out.returncode == _errors.SERVICE == 10
    assert "500" in _one_error_line(out.stderr)


def test_a_value_that_does_not_fit_exits_11(tmp_path, roe_env, roe_server):
    body = b'[{"query_id": "q", "column_names": ["x"], "column_types": ["UInt8"], '
    body += b'"result_rows": [[1], [300]]}]'
    roe_server.serve_canned("bad rows", body)
    out = run(["roe", "query", "bad rows", "-o", str(tmp_path / "x.parquet")], roe_env)
    assert out.returncode == _errors.BAD_DATA == 11
    assert "300" in _one_error_line(out.stderr)
    assert list(tmp_path.iterdir()) == []  # no partial file


def test_an_unwritable_output_exits_12_before_the_query_runs(tmp_path, roe_env, roe_server):
    out = run(["roe", "query", "SELECT 1", "-o", str(tmp_path / "no" / "x.csv")], roe_env)
    assert out.returncode == _errors.OUTPUT == 12
    assert "no directory" in _one_error_line(out.stderr)
    assert roe_server.requests == []


def test_debug_adds_the_traceback(roe_env):
    out = run(["roe", "query", "SELEC 1", "--debug"], roe_env)
    assert out.returncode == 6
    assert "Traceback" in out.stderr and "QueryError" in out.stderr
    assert out.stderr.rstrip().splitlines()[-1].startswith("sqlquarry: error: ")


SECRET = "sk-cli-4f9c2d7e8a1b-secret"


@pytest.mark.parametrize(
    "args",
    [
        ["roe", "query", "SELEC 1", "--debug"],
        ["roe", "query", "SELECT 1", "--debug", "--organization-id", "other"],
        ["roe", "status", "nope", "--debug"],
        ["roe", "query", "SELECT 1", "--debug", "--base-url", "http://127.0.0.1:1",
         "--max-retries", "1"],
        ["roe", "query", "SELECT 1", "--api-key", SECRET, "--bogus"],
        ["roe", "query", "SELECT 1", f"--api-k={SECRET}", "--nope", SECRET],
        ["roe", "query", "SELECT 1", "--api-key", SECRET, "--debug"],
        ["roe", "query", f"SELECT throwIf(1, '{SECRET}')", "--debug"],
    ],
)  # fmt: skip
def test_the_key_is_never_printed(roe_env, roe_server, args):
    roe_server.api_key = SECRET
    roe_server.organization_id = "org" if "other" in args else None
    env = dict(roe_env, ROE_API_KEY=SECRET)
    out = run(args, env)
    assert SECRET not in out.stdout and SECRET not in out.stderr
    assert out.stderr  # each fails, or (--debug) logs its requests: there was text to leak into


def test_the_exit_code_table_in_the_docs_matches_the_code():
    text = DOCS.read_text(encoding="utf-8")
    documented = [
        (int(code), meaning.strip(), source.strip())
        for code, meaning, source in re.findall(
            r"^\|\s*(\d+)\s*\|([^|]*)\|([^|]*)\|\s*$", text, re.M
        )
    ]
    assert documented == _errors.EXIT_CODES
