"""Serve cached benchmark bodies from the emulator over real HTTP on 127.0.0.1.

    python bench/serve.py --rows 1000000     # serves until Ctrl-C; prints URL, key and SQL

RoeServer answers `POST /v1/database/query/` for each body's SQL text with the body's
bytes as they are (`serve_canned`), through its normal auth and HTTP path. gzip is off,
so every contender downloads exactly the same bytes.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_body import bench_sql, ensure_body
from sqlquarry.testing import RoeServer

API_KEY = "bench-key"


def start_server(rows_list: list[int], paths: dict[int, Path] | None = None) -> RoeServer:
    """A running RoeServer (gzip off) answering bench_sql(rows) for each row count."""
    server = RoeServer(api_key=API_KEY, compression=None)
    for rows in rows_list:
        path = (paths or {}).get(rows) or ensure_body(rows)
        server.serve_canned(bench_sql(rows), path.read_bytes())
    return server.start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="repeatable; default 1M")
    args = parser.parse_args(argv)
    rows_list = args.rows or [1_000_000]
    server = start_server(rows_list)
    print(f"serving on {server.url} (API key {API_KEY!r}, gzip off); SQL:", flush=True)
    for rows in rows_list:
        print(f"  {bench_sql(rows)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
