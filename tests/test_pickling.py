"""Results cross process boundaries through Arrow IPC, whole; clients refuse to be pickled
(a pickled client would carry its key) and say what to do instead."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle

import pytest

import sqlquarry

SQL = (
    "SELECT number AS n, toDecimal128(number / 3, 10) AS d, "
    "toDateTime64(number, 3, 'Asia/Tokyo') AS t, [toString(number), NULL] AS a, "
    "CAST(if(number = 1, NULL, tuple(number, 'x')) AS Nullable(Tuple(i UInt64, s String))) AS u, "
    "map('k', number) AS m FROM numbers(3)"
)


def rows_in_worker(result):
    """Runs in another process: the result arrived whole."""
    return result.to_arrow().to_pylist(), result.column_types, result.query_id, result.summary


def query_in_worker(api_key, base_url):
    """Runs in another process: the client is built there, the result sent back."""
    client = sqlquarry.RoeClient(api_key, base_url=base_url, organization_id="o")
    return client.query("SELECT 42 AS answer")


def test_a_result_pickles_whole(roe_client):
    r = roe_client.query(SQL)
    back = pickle.loads(pickle.dumps(r))
    assert back.to_arrow() == r.to_arrow()
    assert back.schema == r.schema  # field metadata (declared types) included
    kept = ["column_names", "column_types", "summary", "query_id", "sql", "start_timestamp"]
    kept += ["end_timestamp", "elapsed", "num_rows", "warnings"]
    for attr in kept:
        assert getattr(back, attr) == getattr(r, attr), attr


def test_results_cross_to_worker_processes_and_back(roe_server, roe_client):
    r = roe_client.query(SQL)
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        rows, types, query_id, summary = pool.submit(rows_in_worker, r).result(timeout=120)
        assert rows == r.to_arrow().to_pylist()
        assert (types, query_id, summary) == (r.column_types, r.query_id, r.summary)
        back = pool.submit(query_in_worker, roe_server.api_key, roe_server.url).result(120)
    assert back.to_arrow().to_pylist() == [{"answer": 42}]


def test_clients_jobs_and_streams_refuse_to_pickle(roe_client, slateo_client, aifordb_client):
    for thing in (roe_client, slateo_client, aifordb_client):
        with pytest.raises(TypeError, match="build the client in the worker"):
            pickle.dumps(thing)
    with pytest.raises(TypeError, match=r"client.job\(id\)"):
        pickle.dumps(roe_client.job("j1"))
    with roe_client.iter_batches("SELECT 1") as stream, pytest.raises(TypeError, match="download"):
        pickle.dumps(stream)


def test_a_pickle_of_something_else_is_refused():
    from sqlquarry import _native

    with pytest.raises(sqlquarry.DecodeError, match="IPC"):
        _native._result_from_ipc(b"not a result")
