"""`-o FILE` and `--format`: every format, read back with pyarrow (and pandas), holds the
same values as `client.query(sql).to_arrow()` for the same SQL."""

from __future__ import annotations

import datetime
import decimal
import io
import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from clirun import SCRIPT, run

SQL = """
SELECT number AS id,
       concat('row ', toString(number), ' é,"q"') AS s,
       toDecimal64(number / 7, 3) AS d,
       toDateTime64('2024-03-01 12:00:00', 3, 'Europe/Paris') + toIntervalSecond(number) AS ts,
       toDate('2024-01-01') + number AS day,
       if(number % 3 = 0, NULL, number * 1.5) AS maybe,
       number % 2 = 0 AS flag,
       [number, number + 1] AS arr,
       map('k', number) AS m,
       tuple(number, 'x') AS t,
       CAST(if(number % 2 = 0, 'a', 'b'), 'Enum8(\\'a\\' = 1, \\'b\\' = 2)') AS e,
       toUInt64(18446744073709551615 - number) AS big,
       if(number = 1, nan, if(number = 2, -inf, number / 4)) AS f
FROM numbers(300)
"""
NESTED = ("arr", "m", "t")


@pytest.fixture
def expected(roe_client) -> pa.Table:
    return roe_client.query(SQL).to_arrow()


def _export(roe_env, path, *extra) -> dict:
    out = run(["roe", "query", SQL, "-o", str(path), "--json", *extra], roe_env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _same_table(got: pa.Table, expected: pa.Table) -> None:
    """Equal schemas (types and metadata) and values, NaN equal to NaN."""
    assert got.schema.equals(expected.schema, check_metadata=True)
    for name in expected.schema.names:
        assert _values(got.column(name)) == _values(expected.column(name)), name


def _values(column) -> list:
    """A column's values, NaN made comparable."""
    return ["NaN" if v != v else v for v in column.to_pylist()]


def _plain(value):
    """A nested value as JSON would carry it: maps as objects, tuples as objects."""
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("suffix", [".parquet", ".pq"])
def test_parquet_reads_back_equal(tmp_path, roe_env, expected, suffix):
    path = tmp_path / f"out{suffix}"
    summary = _export(roe_env, path)
    got = pq.read_table(path)
    assert summary["rows"] == expected.num_rows == got.num_rows
    assert summary["format"] == "parquet"
    assert got.schema.names == expected.schema.names
    for name in expected.schema.names:
        if not pa.types.is_dictionary(expected.schema.field(name).type):
            assert got.schema.field(name).type == expected.schema.field(name).type, name
        assert _values(got.column(name)) == _values(expected.column(name)), name
    # The declared ClickHouse types travel in the field metadata.
    assert got.schema.field("d").metadata == expected.schema.field("d").metadata


@pytest.mark.parametrize("suffix", [".arrow", ".feather", ".ipc"])
def test_arrow_ipc_file_reads_back_identical(tmp_path, roe_env, expected, suffix):
    path = tmp_path / f"out{suffix}"
    _export(roe_env, path)
    with pa.ipc.open_file(path) as reader:
        got = reader.read_all()
    _same_table(got, expected)


def test_arrows_suffix_writes_the_stream_format(tmp_path, roe_env, expected):
    path = tmp_path / "out.arrows"
    _export(roe_env, path)
    with pa.ipc.open_stream(path) as reader:
        _same_table(reader.read_all(), expected)


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_json_lines_hold_every_value(tmp_path, roe_env, expected, suffix):
    path = tmp_path / f"out{suffix}"
    _export(roe_env, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    want = expected.to_pylist()
    assert len(rows) == len(want)
    for got, exp in zip(rows, want, strict=True):
        assert list(got) == expected.schema.names
        assert got["id"] == exp["id"] and got["big"] == exp["big"]  # 64-bit, exact
        assert got["s"] == exp["s"] and got["e"] == exp["e"] and got["flag"] == exp["flag"]
        assert decimal.Decimal(got["d"]) == exp["d"] and got["d"] == str(exp["d"])
        ts = datetime.datetime.fromisoformat(got["ts"])
        assert ts == exp["ts"] and ts.utcoffset() == exp["ts"].utcoffset()
        assert datetime.date.fromisoformat(got["day"]) == exp["day"]
        assert got["maybe"] == exp["maybe"]
        for name in NESTED:
            assert got[name] == _plain(exp[name]), name
        f = exp["f"]
        if f != f:
            assert got["f"] == "NaN"
        elif f == float("-inf"):
            assert got["f"] == "-Infinity"
        else:
            assert got["f"] == f


def test_json_lines_read_by_pandas(tmp_path, roe_env, expected):
    pandas = pytest.importorskip("pandas")
    path = tmp_path / "out.jsonl"
    _export(roe_env, path)
    df = pandas.read_json(path, lines=True, dtype=False)
    assert list(df.columns) == expected.schema.names
    assert df["id"].tolist() == expected.column("id").to_pylist()
    assert df["s"].tolist() == expected.column("s").to_pylist()


def test_csv_reads_back_equal(tmp_path, roe_env, expected):
    path = tmp_path / "out.csv"
    _export(roe_env, path)
    scalar = {
        f.name: (f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
        for f in expected.schema
        if f.name not in (*NESTED, "f")
    }
    got = pcsv.read_csv(
        path,
        convert_options=pcsv.ConvertOptions(column_types={**scalar, "f": pa.string()}),
    )
    assert got.schema.names == expected.schema.names
    for name in scalar:
        want = expected.column(name)
        if pa.types.is_dictionary(want.type):
            want = want.cast(want.type.value_type)
        assert _values(got.column(name)) == _values(want), name
    # CSV has no nested values: they are JSON text.
    for name in NESTED:
        texts = got.column(name).to_pylist()
        assert [json.loads(t) for t in texts] == [
            _plain(v) for v in expected.column(name).to_pylist()
        ]


def test_csv_read_by_pandas(tmp_path, roe_env, expected):
    pandas = pytest.importorskip("pandas")
    path = tmp_path / "out.csv"
    _export(roe_env, path)
    df = pandas.read_csv(path, keep_default_na=False)
    assert list(df.columns) == expected.schema.names
    assert df["s"].tolist() == expected.column("s").to_pylist()
    assert df["big"].astype("uint64").tolist() == expected.column("big").to_pylist()


def test_format_flag_wins_over_the_suffix(tmp_path, roe_env, expected):
    path = tmp_path / "out.data"
    summary = _export(roe_env, path, "--format", "parquet")
    assert summary["format"] == "parquet"
    assert pq.read_table(path).column("id").to_pylist() == expected.column("id").to_pylist()


def test_an_unknown_suffix_is_a_usage_error_and_runs_nothing(tmp_path, roe_env, roe_server):
    out = run(["roe", "query", "SELECT 1", "-o", str(tmp_path / "out.xlsx")], roe_env)
    assert out.returncode == 2
    assert "--format" in out.stderr and "out.xlsx" in out.stderr
    assert roe_server.requests == []
    assert list(tmp_path.iterdir()) == []


def test_csv_and_jsonl_to_stdout_match_the_files(tmp_path, roe_env):
    for fmt, suffix in (("csv", ".csv"), ("jsonl", ".jsonl")):
        path = tmp_path / f"out{suffix}"
        _export(roe_env, path)
        out = run(["roe", "query", SQL, "--format", fmt], roe_env)
        assert out.returncode == 0, out.stderr
        assert out.stdout == path.read_text(encoding="utf-8")
        dash = run(["roe", "query", SQL, "-o", "-", "--format", fmt], roe_env)
        assert dash.stdout == out.stdout


def test_arrow_to_stdout_is_an_ipc_stream(roe_env, expected):
    out = subprocess.run(
        [sys.executable, "-m", "sqlquarry", "roe", "query", SQL, "--format", "arrow"],
        env=roe_env,
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    with pa.ipc.open_stream(io.BytesIO(out.stdout)) as reader:
        _same_table(reader.read_all(), expected)


def test_parquet_to_stdout(roe_env, expected):
    out = subprocess.run(
        [str(SCRIPT), "roe", "query", SQL, "--format", "parquet"],
        env=roe_env,
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    got = pq.read_table(io.BytesIO(out.stdout))
    assert got.column("ts").to_pylist() == expected.column("ts").to_pylist()


def test_an_empty_result_keeps_its_schema(tmp_path, roe_env, roe_client):
    sql = SQL.replace("numbers(300)", "numbers(0)")
    expected = roe_client.query(sql).to_arrow()
    for suffix in (".parquet", ".arrow"):
        path = tmp_path / f"empty{suffix}"
        out = run(["roe", "query", sql, "-o", str(path)], roe_env)
        assert out.returncode == 0, out.stderr
        got = pq.read_table(path) if suffix == ".parquet" else pa.ipc.open_file(path).read_all()
        assert got.num_rows == 0 and got.schema.names == expected.schema.names
    path = tmp_path / "empty.csv"
    assert run(["roe", "query", sql, "-o", str(path)], roe_env).returncode == 0
    assert path.read_text().splitlines() == [",".join(f'"{n}"' for n in expected.schema.names)]


def test_the_file_gets_the_usual_mode_and_replaces_an_older_one(tmp_path, roe_env):
    path = tmp_path / "out.parquet"
    path.write_bytes(b"old")
    _export(roe_env, path)
    assert pq.read_table(path).num_rows == 300
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask
