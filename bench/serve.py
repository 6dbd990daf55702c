"""Serve cached benchmark bodies from the emulator over real HTTP on 127.0.0.1.

    python bench/serve.py --rows 1000000 [--gzip]   # serves until Ctrl-C; prints URL, key, SQL

RoeServer answers `POST /v1/database/query/` for each body's SQL text with the body's
bytes as they are (`serve_canned`), through its normal auth and HTTP path. The identity
server has compression off, so every contender downloads exactly the same bytes; the gzip
server sends the cached level-6 gzip of the same body to clients that accept gzip (made
once, off the clock: a contender never waits for the server to compress).
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_body import bench_sql, ensure_body, ensure_gzip
from sqlquarry.testing import RoeServer

API_KEY = "bench-key"


def start_server(
    rows_list: list[int], paths: dict[int, Path] | None = None, gzip: bool = False
) -> RoeServer:
    """A running RoeServer answering bench_sql(rows) for each row count: the identity
    body, or with gzip=True the cached gzip to clients that accept it."""
    server = RoeServer(api_key=API_KEY, compression="gzip" if gzip else None)
    for rows in rows_list:
        path = (paths or {}).get(rows) or ensure_body(rows)
        add_body(server, rows, path, gzip)
    return server.start()


def add_body(server: RoeServer, rows: int, path: Path, gzip: bool = False) -> None:
    encoded = {"gzip": ensure_gzip(rows).read_bytes()} if gzip else None
    server.serve_canned(bench_sql(rows), path.read_bytes(), encoded=encoded)


def gzip_served(server: RoeServer) -> tuple[int, int]:
    """(requests that accepted gzip, requests) the gzip server saw: it compresses only for
    clients that ask, so a contender that did not ask was timed on the identity body."""
    seen = [r for r in server.requests if r.method == "POST"]
    accepted = 0
    for r in seen:
        value = next((v for k, v in r.headers.items() if k.lower() == "accept-encoding"), "")
        accepted += "gzip" in value.lower()
    return accepted, len(seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="repeatable; default 1M")
    parser.add_argument("--gzip", action="store_true", help="serve the level-6 gzip copies")
    args = parser.parse_args(argv)
    rows_list = args.rows or [1_000_000]
    server = start_server(rows_list, gzip=args.gzip)
    what = "gzip level 6 to clients that accept it" if args.gzip else "gzip off"
    print(f"serving on {server.url} (API key {API_KEY!r}, {what}); SQL:", flush=True)
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
