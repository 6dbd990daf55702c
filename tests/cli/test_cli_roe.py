"""`sqlquarry roe query|submit|status|wait` against the Roe emulator."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import time

import pyarrow.parquet as pq
from clirun import run

SQL = "SELECT number AS n, toString(number * 7) AS s FROM numbers(25)"


def _without_id(text: str) -> list[str]:
    """A preview's lines, the first one cut before the query id (it differs per run)."""
    lines = text.splitlines()
    return [lines[0].split(", query id")[0], *lines[1:]]


def test_query_previews_the_result_as_its_repr(roe_env, roe_client):
    out = run(["roe", "query", SQL], roe_env)
    assert out.returncode == 0, out.stderr
    want = _without_id(repr(roe_client.query(SQL)))
    got = _without_id(out.stdout)
    assert got[: len(want)] == want
    assert got[len(want)].startswith("25 rows in ")
    assert "the service:" in got[len(want)]
    assert out.stderr == ""


def test_query_json_summary(roe_env, roe_client):
    out = run(["roe", "query", SQL, "--json"], roe_env)
    summary = json.loads(out.stdout)
    result = roe_client.query(SQL)
    assert summary["rows"] == result.num_rows
    assert summary["columns"] == [
        {"name": n, "type": t}
        for n, t in zip(result.column_names, result.column_types, strict=True)
    ]
    assert summary["query_id"]


def test_python_dash_m_runs_the_same_command_line(roe_env, roe_client):
    out = subprocess.run(
        [sys.executable, "-m", "sqlquarry", "roe", "query", SQL],
        env=roe_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert _without_id(out.stdout)[:3] == _without_id(repr(roe_client.query(SQL)))[:3]


def test_params_are_converted_for_their_declared_types(roe_env, roe_client):
    sql = (
        "SELECT {n:UInt32} + 1 AS n, {s:String} AS s, {f:Float64} AS f, {b:Bool} AS b, "
        "{d:Decimal(9, 2)} AS d, {day:Date} AS day, {t:DateTime('UTC')} AS t, "
        "{t2:DateTime64(3)} AS t2, {a:Array(Nullable(Int32))} AS a, "
        "{m:Map(String, Array(Date))} AS m, {tu:Tuple(x Int8, y String)} AS tu, "
        "{z:Nullable(Int64)} AS z"
    )
    texts = {
        "n": "41",
        "s": "o'brien = x",
        "f": "1.5",
        "b": "true",
        "d": "3.25",
        "day": "2024-04-29",
        "t": "2024-04-29 21:11:17",
        "t2": "2024-04-29T21:11:17.250+02:00",
        "a": "[1, null, 3]",
        "m": '{"k": ["2024-01-01"]}',
        "tu": '{"x": 5, "y": "why"}',
        "z": "NULL",
    }
    args = [arg for name, text in texts.items() for arg in ("-p", f"{name}={text}")]
    out = run(["roe", "query", sql, *args, "--format", "jsonl"], roe_env)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    utc = datetime.timezone.utc
    want = roe_client.query(
        sql,
        parameters={
            "n": 41,
            "s": "o'brien = x",
            "f": 1.5,
            "b": True,
            "d": "3.25",
            "day": datetime.date(2024, 4, 29),
            "t": datetime.datetime(2024, 4, 29, 21, 11, 17, tzinfo=utc),
            "t2": datetime.datetime(2024, 4, 29, 19, 11, 17, 250000, tzinfo=utc),
            "a": [1, None, 3],
            "m": {"k": [datetime.date(2024, 1, 1)]},
            "tu": {"x": 5, "y": "why"},
            "z": None,
        },
    ).to_arrow()
    row = want.to_pylist()[0]
    assert got["n"] == row["n"] == 42
    assert got["s"] == row["s"] and got["b"] is row["b"] is True
    assert got["f"] == row["f"] and got["d"] == str(row["d"]) and got["z"] is None
    assert datetime.datetime.fromisoformat(got["t"]) == row["t"]
    assert datetime.datetime.fromisoformat(got["t2"]) == row["t2"]
    assert got["a"] == row["a"] and got["tu"] == row["tu"]
    assert got["m"] == {"k": ["2024-01-01"]}


def test_a_param_that_does_not_fit_is_a_configuration_error(roe_env, roe_server):
    out = run(["roe", "query", "SELECT {n:UInt8} AS n", "-p", "n=300"], roe_env)
    assert out.returncode == 3
    assert out.stderr.startswith("sqlquarry: error: ") and "UInt8" in out.stderr
    assert roe_server.requests == []
    bad = run(["roe", "query", "SELECT {n:UInt8} AS n", "-p", "n=x"], roe_env)
    assert bad.returncode == 3 and "--param n='x'" in bad.stderr


def test_submit_status_wait(tmp_path, roe_env, roe_server, roe_client):
    roe_server.pending_seconds = 0.3
    submitted = run(["roe", "submit", SQL], roe_env)
    assert submitted.returncode == 0, submitted.stderr
    job_id = submitted.stdout.strip()
    assert job_id and "\n" not in job_id
    status = run(["roe", "status", job_id], roe_env)
    assert status.stdout.strip() in ("PENDING", "STARTED", "SUCCESS")
    path = tmp_path / "job.parquet"
    waited = run(["roe", "wait", job_id, "-o", str(path)], roe_env)
    assert waited.returncode == 0, waited.stderr
    assert pq.read_table(path).to_pylist() == roe_client.query(SQL).to_arrow().to_pylist()
    done = run(["roe", "status", job_id, "--json"], roe_env)
    assert json.loads(done.stdout) == {"id": job_id, "status": "SUCCESS"}
    preview = run(["roe", "wait", job_id], roe_env)
    assert preview.returncode == 0 and "25 rows × 2 columns" in preview.stdout


def test_submit_json_names_both_ids(roe_env, roe_server):
    out = run(["roe", "submit", SQL, "--json"], roe_env)
    ids = json.loads(out.stdout)
    assert set(ids) == {"id", "worksheet_query_id", "task_id"}
    assert ids["id"] == ids["worksheet_query_id"] and ids["task_id"]
    # The job is the one the service knows: its status is answered by id.
    time.sleep(0.1)
    assert run(["roe", "status", ids["task_id"]], roe_env).returncode == 0


def test_flags_override_the_environment(roe_env, roe_server):
    env = dict(roe_env, ROE_BASE_URL="http://127.0.0.1:9", ROE_API_KEY="wrong-key-123")
    out = run(
        ["roe", "query", "SELECT 1 AS x", "--json", "--base-url", roe_server.url,
         "--api-key", roe_server.api_key, "--organization-id", "org-from-flag"],
        env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rows"] == 1
    assert roe_server.requests[-1].query.get("organization_id") == "org-from-flag"


def test_progress_line_on_stderr_when_asked(tmp_path, roe_env, roe_server):
    roe_server.pending_seconds = 0.4
    job_id = run(["roe", "submit", SQL], roe_env).stdout.strip()
    out = run(["roe", "wait", job_id, "-o", str(tmp_path / "p.csv"), "--progress"], roe_env)
    assert out.returncode == 0, out.stderr
    assert "PENDING" in out.stderr or "done" in out.stderr
    quiet = run(["roe", "wait", job_id, "-o", str(tmp_path / "q.csv")], roe_env)
    assert quiet.stderr == ""
