"""iter_batches: a result's rows as record batches decoded while the body arrives, over
real HTTP from the emulator, sync and async; errors mid-stream; bounded memory."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap

import pyarrow as pa
import pytest
from tests.twins import MODES

import sqlquarry

QUERY = "/v1/database/query/"
# About 12 MB of JSON: several 4 MiB chunks, so several batches decode in parallel.
BIG = (
    "SELECT number AS id, toString(number * 7) AS name, toDecimal64(number / 100, 2) AS price, "
    "if(number % 5 = 0, NULL, toInt32(number)) AS qty "
    "FROM system.numbers LIMIT 300000"
)


def stream(mode: str, obj, *args, **kwargs) -> list[pa.RecordBatch]:
    if mode == "sync":
        with obj.iter_batches(*args, **kwargs) as batches:
            return list(batches)

    async def gather() -> list[pa.RecordBatch]:
        batches = await obj.iter_batches_async(*args, **kwargs)
        return [b async for b in batches]

    return asyncio.run(gather())


@pytest.mark.parametrize("mode", MODES)
def test_batches_equal_the_whole_result(roe_client, mode):
    batches = stream(mode, roe_client, BIG)
    assert len(batches) >= 3
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    streamed = pa.Table.from_batches(batches)
    whole = roe_client.query(BIG).to_arrow()
    assert streamed.schema == whole.schema
    assert streamed.equals(whole)
    assert streamed.column("qty").null_count == 60000


@pytest.mark.parametrize("mode", MODES)
def test_job_streams_once_finished(roe_server, roe_client, mode):
    roe_server.running_seconds = 0.3
    job = roe_client.submit(BIG)
    batches = stream(mode, job, timeout=60)
    assert pa.Table.from_batches(batches).num_rows == 300000
    polled = [r for r in roe_server.requests if r.path.endswith("/status/")]
    assert len(polled) >= 2  # it waited for the job before fetching the result


def test_an_empty_result_yields_no_batches(roe_client):
    assert stream("sync", roe_client, "SELECT 1 AS x WHERE 0") == []


def test_rows_of_the_last_statement_after_empty_ones(roe_client):
    batches = stream("sync", roe_client, "SELECT 1 AS x WHERE 0; SELECT 2 AS y")
    assert pa.Table.from_batches(batches).to_pylist() == [{"y": 2}]


def test_rows_for_two_statements_are_refused(roe_client):
    with pytest.raises(sqlquarry.ConfigurationError, match="more than one statement"):
        stream("sync", roe_client, "SELECT 1 AS x; SELECT 2 AS y")


def canned(roe_server, sql: str, pieces: list[bytes]) -> None:
    roe_server.serve_canned(sql, lambda: iter(pieces))


def rows_body(rows: list[str], types=("UInt64", "String"), query_id="q-stream") -> list[bytes]:
    head = {
        "query_id": query_id,
        "column_names": [f"c{i}" for i in range(len(types))],
        "column_types": list(types),
    }
    return [
        json.dumps([head])[:-2].encode() + b', "result_rows": [',
        ",".join(rows).encode(),
        b"]}]",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_bad_value_mid_stream_names_row_column_and_query(roe_server, roe_client, mode):
    good = [f'[{i}, "{"x" * 60}"]' for i in range(150000)]  # about 10 MB: several chunks
    good[123456] = '[-1, "negative"]'
    canned(roe_server, "bad", rows_body(good))
    with pytest.raises(sqlquarry.DecodeError) as info:
        stream(mode, roe_client, "bad")
    e = info.value
    assert (e.row, e.column, e.column_type, e.query_id) == (123456, "c0", "UInt64", "q-stream")
    assert "-1" in str(e)


def test_query_decodes_while_the_body_arrives_and_names_the_bad_row(roe_server, roe_client):
    # query() decodes chunks as they arrive too: errors still carry the global row.
    good = [f'[{i}, "{"x" * 60}"]' for i in range(150000)]
    good[140001] = '[1.5, "x"]'
    canned(roe_server, "bad late", rows_body(good))
    with pytest.raises(sqlquarry.DecodeError) as info:
        roe_client.query("bad late")
    assert (info.value.row, info.value.column, info.value.query_id) == (140001, "c0", "q-stream")
    good[140001] = '[140001, "fine"]'
    canned(roe_server, "good", rows_body(good))
    table = roe_client.query("good").to_arrow()
    assert table.num_rows == 150000
    assert table.column("c0").to_pylist()[::50000] == [0, 50000, 100000]


def test_batches_before_the_bad_one_arrive_first(roe_server, roe_client):
    good = [f'[{i}, "{"x" * 60}"]' for i in range(150000)]
    good[-1] = "[1, 2, 3]"
    canned(roe_server, "late", rows_body(good))
    seen = 0
    with pytest.raises(sqlquarry.DecodeError, match="3 values"):
        for batch in roe_client.iter_batches("late"):
            seen += batch.num_rows
    assert 0 < seen < 150000


def test_a_body_cut_short_is_a_transport_error(roe_server, roe_client):
    canned(roe_server, "cut", rows_body([f'[{i}, "a"]' for i in range(1000)]))
    roe_server.inject_fault(status=None, truncate_body=True, count=1, path_contains=QUERY)
    with pytest.raises(sqlquarry.TransportError):
        stream("sync", roe_client, "cut")


def test_types_after_the_rows_cannot_stream(roe_server, roe_client):
    body = b'[{"result_rows": [[1]], "column_names": ["a"], "column_types": ["UInt8"]}]'
    # However the body is cut into pieces on the wire, the answer is the same.
    canned(roe_server, "late types", [body[i : i + 8] for i in range(0, len(body), 8)])
    with pytest.raises(sqlquarry.ConfigurationError, match=r"after the rows.*query\(\)"):
        stream("sync", roe_client, "late types")
    # query() reads the whole body first, so it copes.
    assert roe_client.query("late types").to_arrow().to_pylist() == [{"a": 1}]


def test_a_failed_result_is_a_query_error(roe_server, roe_client):
    body = json.dumps([{"query_id": "q-f", "error": "Code: 60. Table x does not exist"}])
    canned(roe_server, "failed", [body.encode()])
    with pytest.raises(sqlquarry.QueryError, match="does not exist"):
        stream("sync", roe_client, "failed")


def test_malformed_json_after_the_rows_is_a_decode_error(roe_server, roe_client):
    pieces = rows_body(['[1, "a"]'])
    pieces[-1] = b"]}, oops]"
    canned(roe_server, "broken tail", pieces)
    with pytest.raises(sqlquarry.DecodeError, match="malformed"):
        stream("sync", roe_client, "broken tail")


def test_closing_early_stops_and_later_iteration_is_empty(roe_client):
    s = roe_client.iter_batches(BIG)
    first = next(s)
    assert first.num_rows > 0
    s.close()
    assert list(s) == []
    assert "closed" in repr(s)


MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    import sqlquarry
    from sqlquarry.testing import RoeServer

    REPEAT, KIND = int(sys.argv[1]), sys.argv[2]
    if KIND == "mixed":
        ROW = b'[%d, "2024-11-04 11:09:11+00:00", 98.39539523030898, 770947.78, "'
        ROW += b"u" * 90 + b'"]'
        BLOCK = b",".join(ROW % i for i in range(10000))   # about 1.3 MB
        NAMES = b'"id", "t", "f", "d", "s"'
        TYPES = b'"UInt64", "DateTime(\\'UTC\\')", "Float64", "Decimal(18, 2)", "String"'
    else:  # "growing": 4 bytes of text a row, 32 bytes of Arrow
        BLOCK = b",".join([b"[1]"] * 1_000_000)   # 4 MB
        NAMES, TYPES = b'"d"', b'"Decimal(76, 0)"'

    def body():
        yield (b'[{"query_id": "big", "column_names": [' + NAMES + b'], '
               b'"column_types": [' + TYPES + b'], "result_rows": [')
        for i in range(REPEAT):
            yield BLOCK if i == 0 else b"," + BLOCK
        yield b"]}]"

    with RoeServer(compression=None) as server:
        server.serve_canned("big", body)
        client = sqlquarry.RoeClient(api_key=server.api_key, base_url=server.url,
                                     organization_id="o")
        client.query("SELECT 1")  # warm: runtime, pools, chDB
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows = 0
        for batch in client.iter_batches("big"):
            rows += batch.num_rows
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(rows, len(BLOCK) * REPEAT, (peak - base) * 1024)
    """
)


def streamed_memory(blocks: int, kind: str) -> tuple[int, int, int]:
    """Streams `blocks` blocks of `kind` rows in a fresh process: rows, body bytes and how
    much its peak RSS grew. jemalloc is told to return freed pages at once: with its
    defaults (10 s decay, huge pages) the peak also counts pages it keeps for reuse,
    120-180 MB depending on how busy the machine is, which measures its cache rather than
    what the reader holds."""
    env = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(blocks), kind],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env=env,
    ).stdout.split()
    rows, body_bytes, grew = (int(x) for x in out)
    return rows, body_bytes, grew


def test_memory_stays_bounded_for_a_body_larger_than_what_it_holds():
    # 150 blocks: 240 MB of JSON streamed through. What may be held at once: the pieces in
    # flight (cores + 2, 4 MiB each), their decoded arrays and the queued batches (~60 MB).
    rows, body_bytes, grew = streamed_memory(150, "mixed")
    assert rows == 1_500_000
    assert body_bytes > 190_000_000
    assert grew < 128_000_000, f"peak RSS grew {grew / 1e6:.0f} MB for {body_bytes / 1e6:.0f} MB"


def test_memory_stays_bounded_when_values_grow_eightfold_when_decoded():
    # 48 million one-digit Decimal(76, 0) values: 4 bytes of text a row, 32 of Arrow. Pieces
    # bounded by their text alone held ~250 MB here; bounded by their Arrow size, ~90 MB.
    rows, body_bytes, grew = streamed_memory(48, "growing")
    assert rows == 48_000_000
    assert body_bytes > 190_000_000
    assert grew < 128_000_000, f"peak RSS grew {grew / 1e6:.0f} MB for {body_bytes / 1e6:.0f} MB"
