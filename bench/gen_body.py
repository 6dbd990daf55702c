"""Build (once) and cache the Roe run-and-wait response body the benchmark serves.

    python bench/gen_body.py --rows 1000000 [--gzip]   # prints the cached file's path(s)

The body is exactly what `POST /v1/database/query/` answers: a JSON array holding one
result object, whose `result_rows` are ClickHouse's own JSONCompactEachRow lines (chDB,
through the emulator's engine) spliced in as bytes, never parsed or re-serialised in
Python. The data is a pure function of the row number, so a body is identical however it
is generated (it is built in chunks of CHUNK_ROWS to bound memory) and cached under
bench/.cache/, keyed by the row count and FORMAT_VERSION; next to it, the same body
gzip-compressed at level 6 (`gzip_path`), which the emulator sends as is to clients that
accept gzip, so the server's compression time is never on a contender's clock.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
# Bump when the generated data or the body's shape changes: old cache files are ignored.
FORMAT_VERSION = 1
CHUNK_ROWS = 1_000_000
# zlib's default, and what servers that gzip their answers commonly use.
GZIP_LEVEL = 6

COLUMN_NAMES = ["id", "name", "created_at", "score", "qty", "price", "flag", "file"]
COLUMN_TYPES = [
    "UInt64",
    "String",
    "DateTime('UTC')",
    "Float64",
    "Nullable(Int32)",
    "Decimal(18, 2)",
    "Bool",
    "String",
]

# One row per number: full-precision floats, 20% NULL qty, a decimal with both of its
# digits always written (trailing zeros kept), the date-time as the text a Python backend
# sends ("2024-04-29 21:11:17+00:00") and a UUID-shaped file name, all from sipHash64.
_ROWS_SQL = """
SELECT
    number AS id,
    concat(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'][number % 8 + 1],
           '_', toString(sipHash64(number, 1) % 100000)) AS name,
    concat(formatDateTime(toDateTime(1704067200 + sipHash64(number, 2) % 31536000, 'UTC'),
                          '%Y-%m-%d %H:%i:%S', 'UTC'), '+00:00') AS created_at,
    sipHash64(number, 3) / 184467440737095516.16 AS score,
    if(sipHash64(number, 4) % 5 = 0, NULL,
       toInt32(toInt64(sipHash64(number, 5) % 2000001) - 1000000)) AS qty,
    CAST(toDecimal64(sipHash64(number, 6) % 100000000, 2) / 100 AS Decimal(18, 2)) AS price,
    toBool(sipHash64(number, 7) % 2) AS flag,
    toString(toUUID(concat(substring(h1, 1, 8), '-', substring(h1, 9, 4), '-4',
                           substring(h1, 14, 3), '-8', substring(h2, 2, 3), '-',
                           substring(h2, 5, 12)))) AS file
FROM (
    SELECT number,
           leftPad(lower(hex(sipHash64(number, 8))), 16, '0') AS h1,
           leftPad(lower(hex(sipHash64(number, 9))), 16, '0') AS h2
    FROM numbers({start}, {count})
)
ORDER BY id
SETTINGS output_format_decimal_trailing_zeros = 1
"""


def bench_sql(rows: int) -> str:
    """The SQL text the contenders send; the emulator answers it with the cached body."""
    return f"SELECT {', '.join(COLUMN_NAMES)} FROM bench.events ORDER BY id LIMIT {rows}"


def body_path(rows: int) -> Path:
    return CACHE_DIR / f"roe_body_v{FORMAT_VERSION}_{rows}.json"


def gzip_path(rows: int) -> Path:
    return CACHE_DIR / f"roe_body_v{FORMAT_VERSION}_{rows}.json.gz{GZIP_LEVEL}"


def ensure_gzip(rows: int, quiet: bool = False) -> Path:
    """The cached gzip (level GZIP_LEVEL) of the body for `rows` rows, made if needed."""
    path = gzip_path(rows)
    if path.exists():
        return path
    source = ensure_body(rows, quiet)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        # 16 + MAX_WBITS: the gzip wrapper (header and CRC), as Content-Encoding: gzip has it.
        squeeze = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        with open(source, "rb") as src, open(tmp, "wb") as out:
            while piece := src.read(1 << 22):
                out.write(squeeze.compress(piece))
            out.write(squeeze.flush())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if not quiet:
        print(f"  gzip level {GZIP_LEVEL}: {path}", file=sys.stderr, flush=True)
    return path


def ensure_elsewhere(rows: int, gzip: bool = False, quiet: bool = False) -> Path:
    """The cached body (`gzip`: its gzip), generated if needed by this script in a process
    of its own: chDB never loads into the caller, a process that times or counts."""
    path = gzip_path(rows) if gzip else body_path(rows)
    if not path.exists():
        cmd = [sys.executable, __file__, "--rows", str(rows)]
        cmd += ["--gzip"] * gzip + ["--quiet"] * quiet
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def ensure_body(rows: int, quiet: bool = False) -> Path:
    """The cached body for `rows` rows, generating it first if needed."""
    path = body_path(rows)
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as out:
            _write_body(out, rows, quiet)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _write_body(out, rows: int, quiet: bool) -> None:
    from sqlquarry.testing._engine import shared_engine

    engine = shared_engine()
    query_id = f"00000000-0000-4000-8000-{rows:012d}"
    head = {
        "query_id": query_id,
        "query": bench_sql(rows),
        "summary": {
            "read_rows": rows,
            "read_bytes": rows * 8,
            "written_rows": 0,
            "written_bytes": 0,
            "total_rows_to_read": rows,
            "result_rows": rows,
            "result_bytes": 0,  # ClickHouse's in-memory size: unknown here, unused by clients
            "elapsed_ns": 123_456_789,
            "query_id": query_id,
        },
        "row_count": rows,
        "column_names": COLUMN_NAMES,
        "column_types": COLUMN_TYPES,
    }
    tail = {"start_timestamp": 1714425077.25, "end_timestamp": 1714425079.5}
    out.write(b"[" + json.dumps(head)[:-1].encode() + b', "result_rows": [')
    done = 0
    while done < rows:
        count = min(CHUNK_ROWS, rows - done)
        result = engine.run(_ROWS_SQL.format(start=done, count=count))
        if result.rows != count or result.names != COLUMN_NAMES:
            raise RuntimeError(f"chDB returned {result.rows} rows of {result.names}")
        # rows_text is "[row,row,...]": drop the brackets and chain the chunks with ','.
        text = memoryview(result.rows_text)[1:-1]
        if done:
            out.write(b",")
        out.write(text)
        done += count
        if not quiet:
            print(f"  generated {done:,} / {rows:,} rows", file=sys.stderr, flush=True)
    out.write(b"], " + json.dumps(tail)[1:].encode() + b"]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--gzip", action="store_true", help="also the gzip copy (its path)")
    args = parser.parse_args(argv)
    path = ensure_body(args.rows, quiet=args.quiet)
    print(path)
    if args.gzip:
        print(ensure_gzip(args.rows, quiet=args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
