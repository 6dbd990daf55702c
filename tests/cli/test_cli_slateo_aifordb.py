"""`sqlquarry slateo list|get|run|result` and `sqlquarry aifordb ask` against their
emulators."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
from clirun import run

SQL = "SELECT number AS n, toDecimal64(number / 4, 2) AS d FROM numbers(12)"


def test_slateo_list_and_get(slateo_env, slateo_server, slateo_client):
    first = slateo_server.add_query(SQL)
    second = slateo_server.add_query("SELECT 'two' AS word")
    slateo_client.queries.run(second, timeout=30)
    listed = run(["slateo", "list", "--json"], slateo_env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [q.to_dict() for q in slateo_client.queries.list()]
    table = run(["slateo", "list"], slateo_env).stdout.splitlines()
    assert table[0].split(" │ ")[0].strip() == "id"
    assert any(first in line and "never run" in line for line in table)
    assert any(second in line and "completed" in line for line in table)
    assert table[-1] == "2 saved queries"

    got = run(["slateo", "get", second, "--json"], slateo_env)
    assert json.loads(got.stdout) == slateo_client.queries.get(second).to_dict()
    text = run(["slateo", "get", second], slateo_env).stdout
    assert f"id:           {second}" in text and "latest run:   completed" in text


def test_slateo_run_and_result_export(tmp_path, slateo_env, slateo_server, slateo_client):
    ident = slateo_server.add_query(SQL)
    path = tmp_path / "run.arrow"
    out = run(["slateo", "run", ident, "-o", str(path)], slateo_env)
    assert out.returncode == 0, out.stderr
    expected = slateo_client.queries.result(ident).to_arrow()
    got = pa.ipc.open_file(path).read_all()
    assert got.equals(expected)
    again = run(["slateo", "result", ident, "-o", str(tmp_path / "r.parquet")], slateo_env)
    assert again.returncode == 0, again.stderr
    assert pq.read_table(tmp_path / "r.parquet").to_pylist() == expected.to_pylist()
    preview = run(["slateo", "run", ident], slateo_env)
    assert "12 rows × 2 columns" in preview.stdout


def test_slateo_run_of_a_running_query_exits_9_unless_asked_to_wait(slateo_env, slateo_server):
    slateo_server.run_seconds = 1.0
    ident = slateo_server.add_query(SQL)
    import sqlquarry

    client = sqlquarry.SlateoClient(api_key=slateo_server.api_key, base_url=slateo_server.url)
    client.queries.refresh(ident)
    busy = run(["slateo", "run", ident], slateo_env)
    assert busy.returncode == 9, busy.stderr
    assert "409" in busy.stderr
    waited = run(["slateo", "run", ident, "--wait-if-running", "--json"], slateo_env)
    assert waited.returncode == 0, waited.stderr
    assert json.loads(waited.stdout)["rows"] == 12


def test_slateo_unknown_query_exits_5(slateo_env):
    out = run(["slateo", "get", "no-such-query"], slateo_env)
    assert out.returncode == 5
    assert out.stderr.startswith("sqlquarry: error: ")


def test_aifordb_ask_shows_the_sql_and_the_answer(aifordb_env, aifordb_server, aifordb_client):
    aifordb_server.register_question("How big are the numbers?", SQL)
    out = run(
        ["aifordb", "ask", "How big are the numbers?", "--connection", "conn_local"], aifordb_env
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"SQL: {SQL}"
    assert "12 rows × 2 columns" in lines[1]
    assert lines[-1].startswith("12 rows in ")


def test_aifordb_ask_export(tmp_path, aifordb_env, aifordb_client):
    path = tmp_path / "answer.jsonl"
    out = run(
        ["aifordb", "ask", SQL, "--connection", "conn_local", "-o", str(path), "--json"],
        aifordb_env,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["sql"] == SQL and summary["rows"] == 12
    expected = aifordb_client.ask(SQL, connection_id="conn_local").to_arrow()
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["n"] for r in rows] == expected.column("n").to_pylist()
    assert [r["d"] for r in rows] == [_text(v) for v in expected.column("d").to_pylist()]


def _text(value):
    """How JSON lines write a value inferred as a decimal (text) or a float (a number)."""
    return format(value, "f") if hasattr(value, "as_tuple") else value


def test_aifordb_unknown_connection_exits_5(aifordb_env):
    out = run(["aifordb", "ask", SQL, "--connection", "conn_nope"], aifordb_env)
    assert out.returncode == 5, out.stderr
