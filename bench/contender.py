"""Run ONE benchmark contender in this (fresh) process and print one JSON line.

    python bench/contender.py NAME URL API_KEY SQL [--body-file PATH] [--dump PATH] [--gzip]

Every contender imports what it needs and builds its HTTP client first (not timed, the
same for all); the clock runs from "the request starts" to "the typed table is in hand".
Then it reports peak RSS (VmHWM) and the RSS after imports (VmRSS) from /proc/self/status.
With --dump, after all measurements, the table is brought to one common Arrow form and
written as an Arrow IPC file, together with the problems of its own types, so the driver
can check that every contender produced the same typed table (nobody wins by doing less;
see typed.py).

With --gzip the server at URL sends the body gzip-encoded to clients that accept it, and
each contender decompresses it as its library would, on the clock: urllib asks for gzip and
inflates with zlib; requests asks and inflates by itself (urllib3); sqlquarry asks for it
(and zstd, br, deflate) and inflates in its reader. A Python contender that was answered
without gzip fails rather than be timed on the identity body.

Contenders (see CONTENDERS): sqlquarry_arrow / _pandas / _pandas_arrow
(`dtype_backend="pyarrow"`) / _polars / _stream (iter_batches, batches dropped as they
come) / _arrow_logged (logging on, at DEBUG); what users write today (json_pandas,
requests_pandas, orjson_polars, orjson_pyarrow); and the floors (floor_download,
floor_download_native, floor_decode, floor_decimals).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from typed import common_form, type_problems

ORG = "bench"
RUN_PATH = "/v1/database/query/"


@dataclass(frozen=True)
class Target:
    """Where and what a contender asks: the server, the SQL, the cached body (for the
    floors that start from bytes in memory) and whether the server answers with gzip."""

    url: str
    api_key: str
    sql: str
    body_file: str | None = None
    gzip: bool = False


class Unavailable(Exception):
    """The contender cannot run with this build or environment (reported, not fatal)."""


# -- process measurements ---------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/self/status")


def rss_bytes() -> int:
    return _status_kib("VmRSS") * 1024


def peak_rss_bytes() -> int:
    return _status_kib("VmHWM") * 1024


# -- plain-Python HTTP, as users write it -----------------------------------------------


def _request_args(t: Target) -> tuple[str, bytes, dict]:
    payload = json.dumps({"query": t.sql, "organization_id": ORG}).encode()
    headers = {"Authorization": f"Bearer {t.api_key}", "Content-Type": "application/json"}
    return f"{t.url}{RUN_PATH}?organization_id={ORG}", payload, headers


def _check_gzipped(t: Target, content_encoding: str | None) -> None:
    if t.gzip and content_encoding != "gzip":
        raise RuntimeError(f"asked for gzip, answered with Content-Encoding {content_encoding}")


def _urllib_fetcher(t: Target):
    import urllib.request

    # No proxies: the emulator is on loopback whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    target, payload, headers = _request_args(t)
    if t.gzip:
        headers["Accept-Encoding"] = "gzip"  # urllib neither asks nor inflates by itself

    def fetch() -> bytes:
        req = urllib.request.Request(target, data=payload, headers=headers, method="POST")
        with opener.open(req, timeout=300) as resp:
            data = resp.read()
            encoding = resp.headers.get("Content-Encoding")
        _check_gzipped(t, encoding)
        # 16 + MAX_WBITS: the gzip wrapper, checked (CRC and length) as gzip.decompress does.
        return zlib.decompress(data, 16 + zlib.MAX_WBITS) if t.gzip else data

    return fetch


def _requests_fetcher(t: Target):
    try:
        import requests
    except ImportError:
        raise Unavailable("requests is not installed (pip install requests)") from None
    session = requests.Session()
    session.trust_env = False  # no proxies, as for urllib
    target, payload, headers = _request_args(t)

    def fetch() -> bytes:
        # requests sends Accept-Encoding: gzip, deflate (and more) on its own, and
        # resp.content is the inflated body.
        resp = session.post(target, data=payload, headers=headers, timeout=300)
        resp.raise_for_status()
        _check_gzipped(t, resp.headers.get("Content-Encoding"))
        return resp.content

    return fetch


def _import_pyarrow():
    """pyarrow, plus pandas when installed: pyarrow imports pandas lazily the first time
    it meets a tz-aware timestamp (~0.5 s), an import that must not land on the clock."""
    import pyarrow

    try:
        import pandas  # noqa: F401
    except ImportError:
        pass
    return pyarrow


def _roe_client(t: Target):
    import sqlquarry

    return sqlquarry.RoeClient(api_key=t.api_key, base_url=t.url, organization_id=ORG)


# -- the contenders ---------------------------------------------------------------------
# Each builder does its imports and setup (untimed) and returns `run`, the timed part.


def sqlquarry_arrow(t: Target):
    _import_pyarrow()  # imported before the clock, as for every contender

    client = _roe_client(t)
    return lambda: client.query(t.sql).to_arrow()


def sqlquarry_arrow_logged(t: Target):
    """sqlquarry_arrow with every sqlquarry logger at DEBUG, into a handler that drops the
    records: what logging costs when it is on (sqlquarry_arrow has it off, the default)."""
    import logging

    _import_pyarrow()
    logger = logging.getLogger("sqlquarry")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    client = _roe_client(t)
    return lambda: client.query(t.sql).to_arrow()


def sqlquarry_pandas(t: Target):
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    client = _roe_client(t)
    return lambda: client.query(t.sql).to_pandas()


def sqlquarry_pandas_arrow(t: Target):
    """to_pandas(dtype_backend="pyarrow"): ArrowDtype columns, decimals stay Arrow
    decimals (exact), no Python object per value: the pandas path for speed."""
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    client = _roe_client(t)
    return lambda: client.query(t.sql).to_pandas(dtype_backend="pyarrow")


def sqlquarry_polars(t: Target):
    import polars  # noqa: F401

    client = _roe_client(t)
    return lambda: client.query(t.sql).to_polars()


def sqlquarry_stream(t: Target):
    """iter_batches(): every batch decoded and then dropped, as a pipeline writing batches
    out would do; its peak RSS is what streaming holds. The table for the equality check
    is gathered afterwards, in a second pass off the clock."""
    pa = _import_pyarrow()
    client = _roe_client(t)

    def run():
        rows = 0
        for batch in client.iter_batches(t.sql):
            rows += batch.num_rows
        return rows

    run.table_for_check = lambda: pa.Table.from_batches(list(client.iter_batches(t.sql)))
    return run


def _json_pandas(fetch):
    """json + pandas, typed the way a careful user would. Exact decimals the cheapest
    way the standard library offers: json.loads(parse_float=decimal.Decimal) (exact for
    any precision), then the float column back to float64 (float(Decimal(text)) is the
    correctly rounded value of the text, as float(text) would be)."""
    import decimal
    import json as std_json

    import pandas as pd

    def run():
        result = std_json.loads(fetch(), parse_float=decimal.Decimal)[-1]
        df = pd.DataFrame(result["result_rows"], columns=result["column_names"])
        df["id"] = df["id"].astype("uint64")
        df["name"] = df["name"].astype("string")
        # The strings carry "+00:00"; ISO8601 was the fastest correct format here.
        df["created_at"] = pd.to_datetime(df["created_at"], utc=True, format="ISO8601")
        df["score"] = df["score"].astype("float64")
        df["qty"] = df["qty"].astype("Int32")
        # price stays an object column of exact decimal.Decimal values.
        df["flag"] = df["flag"].astype("bool")
        df["file"] = df["file"].astype("string")
        return df

    return run


def json_pandas(t: Target):
    return _json_pandas(_urllib_fetcher(t))


def requests_pandas(t: Target):
    return _json_pandas(_requests_fetcher(t))


def orjson_polars(t: Target):
    import orjson
    import polars as pl

    fetch = _urllib_fetcher(t)
    schema = {
        "id": pl.UInt64,
        "name": pl.String,
        "created_at": pl.String,  # parsed below: polars takes no text into a Datetime here
        "score": pl.Float64,
        "qty": pl.Int32,
        # orjson gives floats; polars rounds each to the declared scale (exact for these
        # values, which have <= 10 significant digits; orjson has no exact-decimal mode).
        "price": pl.Decimal(18, 2),
        "flag": pl.Boolean,
        "file": pl.String,
    }

    def run():
        result = orjson.loads(fetch())[-1]
        df = pl.DataFrame(result["result_rows"], schema=schema, orient="row")
        return df.with_columns(
            pl.col("created_at").str.to_datetime("%Y-%m-%d %H:%M:%S%:z", time_zone="UTC")
        )

    return run


def orjson_pyarrow(t: Target):
    import orjson

    pa = _import_pyarrow()

    fetch = _urllib_fetcher(t)

    def run():
        result = orjson.loads(fetch())[-1]
        rows = result["result_rows"]
        # Column by column (zip(*rows) over a million rows is several times slower).
        col = [[row[i] for row in rows] for i in range(len(result["column_names"]))]
        arrays = [
            pa.array(col[0], pa.uint64()),
            pa.array(col[1], pa.string()),
            # Arrow's ISO 8601 cast reads the "+00:00" offset (faster than strptime).
            pa.array(col[2], pa.string()).cast(pa.timestamp("s", tz="UTC")),
            pa.array(col[3], pa.float64()),
            pa.array(col[4], pa.int32()),
            # Floats from orjson, rounded to the scale by Arrow's cast (exact here, see
            # orjson_polars); Decimal(repr(x)) per value gives the same, 40x slower.
            pa.array(col[5], pa.float64()).cast(pa.decimal128(18, 2)),
            pa.array(col[6], pa.bool_()),
            pa.array(col[7], pa.string()),
        ]
        return pa.Table.from_arrays(arrays, names=result["column_names"])

    return run


def floor_download(t: Target):
    return _urllib_fetcher(t)


def floor_download_native(t: Target):
    client = _roe_client(t)
    if not hasattr(client, "_run_raw"):
        raise Unavailable("this build has no RoeClient._run_raw")
    return lambda: client._run_raw(t.sql)


def _body_decoder(t: Target, floor: str):
    """The in-memory decoder the floors time, and a body file for it to decode."""
    from sqlquarry import _native

    decode = getattr(_native, "_decode_roe_body", None)
    if decode is None:
        raise Unavailable("this build has no sqlquarry._native._decode_roe_body")
    if not t.body_file:
        raise Unavailable(f"{floor} needs --body-file")
    return decode


def floor_decode(t: Target):
    _import_pyarrow()
    decode = _body_decoder(t, "floor_decode")

    def prepare():
        # Read before the clock: this floor times decoding bytes already in memory.
        with open(t.body_file, "rb") as f:
            return f.read()

    def run(body):
        return decode(body)[-1].to_arrow()

    run.prepare = prepare
    return run


def floor_decimals(t: Target):
    """Constructing the price column's decimal.Decimal objects from their text in Python,
    the cheapest way there is (`map(Decimal, texts)`): the part of `to_pandas()` that no
    decoder can make faster (it builds the same objects). The texts are made before the
    clock, from the body decoded to Arrow (the same digits the body has, both of them)."""
    import decimal

    pa = _import_pyarrow()
    decode = _body_decoder(t, "floor_decimals")

    def prepare():
        with open(t.body_file, "rb") as f:
            price = decode(f.read())[-1].to_arrow()["price"]
        # One str per value, as sqlquarry hands Decimal one (no NULLs in this column).
        return price.cast(pa.string()).to_pylist()

    def run(texts):
        return list(map(decimal.Decimal, texts))

    run.prepare = prepare
    return run


CONTENDERS = {
    f.__name__: f
    for f in (
        sqlquarry_arrow,
        sqlquarry_arrow_logged,
        sqlquarry_pandas,
        sqlquarry_pandas_arrow,
        sqlquarry_polars,
        sqlquarry_stream,
        json_pandas,
        requests_pandas,
        orjson_polars,
        orjson_pyarrow,
        floor_download,
        floor_download_native,
        floor_decode,
        floor_decimals,
    )
}


# -- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(CONTENDERS))
    parser.add_argument("url")
    parser.add_argument("api_key")
    parser.add_argument("sql")
    parser.add_argument("--body-file", help="the cached body (floor_decode; digest checks)")
    parser.add_argument("--dump", help="write the common-form table here (Arrow IPC)")
    parser.add_argument("--gzip", action="store_true", help="the server answers with gzip")
    args = parser.parse_args(argv)

    report: dict = {"name": args.name, "status": "ok"}
    target = Target(args.url, args.api_key, args.sql, args.body_file, args.gzip)
    try:
        run = CONTENDERS[args.name](target)
    except Unavailable as exc:
        report.update(status="unavailable", note=str(exc))
        print(json.dumps(report), flush=True)
        return 0
    prepare = getattr(run, "prepare", None)

    baseline = rss_bytes()  # after imports and setup, before the request
    inputs = (prepare(),) if prepare else ()
    start = time.perf_counter()
    out = run(*inputs)
    seconds = time.perf_counter() - start
    peak = peak_rss_bytes()
    del inputs

    report.update(seconds=seconds, peak_rss_bytes=peak, baseline_rss_bytes=baseline)
    if isinstance(out, int):  # rows counted by a streaming contender
        report["rows"] = out
        if args.body_file:
            report["body_bytes"] = os.path.getsize(args.body_file)
    elif isinstance(out, bytes):
        digest = hashlib.sha256(out).hexdigest()
        report.update(rows=None, body_bytes=len(out), body_sha256=digest)
    else:
        report["rows"] = out.num_rows if hasattr(out, "num_rows") else len(out)
        if args.body_file:
            report["body_bytes"] = os.path.getsize(args.body_file)
        if type(out).__module__.startswith("pyarrow"):
            report["arrow_bytes"] = out.nbytes  # the buffers the table references
    if args.dump and not isinstance(out, bytes):
        import pyarrow as pa

        if isinstance(out, int):
            out = run.table_for_check()
        report["type_problems"] = type_problems(out)
        with pa.OSFile(args.dump, "wb") as sink:
            table = common_form(out)
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
