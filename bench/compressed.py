"""`query().to_arrow()` on the same body sent identity, gzip, zstd and br, beside the time
one thread takes just to decompress each: whether a compressed answer costs sqlquarry more
than its decompression must.

    python bench/compressed.py [--rows 1000000] [--runs 5]     # `make bench-encodings`

One process, one emulator per encoding, each serving the body compressed beforehand (the
server's compression is never on the clock); the encodings take turns, run after run, so
a noisy minute hits them alike. Decompression floors are Python's zlib (C zlib) and the
zstandard and brotli packages, each on one thread: a single compressed stream cannot be
inflated in parallel, so that time is the least any client pays on top of decoding.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_body import bench_sql, ensure_body, ensure_gzip  # noqa: E402

ZSTD_LEVEL = 3  # zstd's default, and what servers that send zstd commonly use
BROTLI_QUALITY = 4  # what web servers commonly use for dynamic answers


def compressed(body: bytes, gzip_file: Path) -> dict[str, tuple[bytes, object]]:
    """Each encoding's bytes, and a function that decompresses them (the floor)."""
    import brotli
    import zstandard

    zstd = zstandard.ZstdDecompressor()
    return {
        "gzip": (gzip_file.read_bytes(), lambda b: zlib.decompress(b, 16 + zlib.MAX_WBITS)),
        "zstd": (
            zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(body),
            lambda b: zstd.decompress(b, max_output_size=len(body)),
        ),
        "br": (brotli.compress(body, quality=BROTLI_QUALITY), brotli.decompress),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    import sqlquarry
    from sqlquarry.testing import RoeServer

    body = ensure_body(args.rows).read_bytes()
    encodings = compressed(body, ensure_gzip(args.rows))
    sql = bench_sql(args.rows)
    servers = {"identity": RoeServer(compression=None).start()}
    servers["identity"].serve_canned(sql, body)
    for name, (blob, _) in encodings.items():
        servers[name] = RoeServer(compression=name).start()
        servers[name].serve_canned(sql, body, encoded={name: blob})

    times: dict[str, list[float]] = {name: [] for name in servers}
    floors: dict[str, list[float]] = {name: [] for name in encodings}
    for _ in range(args.runs):
        for name, server in servers.items():
            client = sqlquarry.RoeClient(server.api_key, base_url=server.url)
            started = time.perf_counter()
            table = client.query(sql).to_arrow()
            times[name].append(time.perf_counter() - started)
            assert table.num_rows == args.rows, (name, table.num_rows)
        for name, (blob, decompress) in encodings.items():
            started = time.perf_counter()
            assert len(decompress(blob)) == len(body), name
            floors[name].append(time.perf_counter() - started)
    for server in servers.values():
        server.stop()

    identity = statistics.median(times["identity"])
    print(f"{args.rows:,} rows, {len(body) / 1e6:.1f} MB, median of {args.runs}")
    print("| encoding | MB on the wire | query().to_arrow() s | x identity | decompress alone s |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in times.items():
        wire = len(body) if name == "identity" else len(encodings[name][0])
        floor = f"{statistics.median(floors[name]):.3f}" if name in floors else "-"
        median = statistics.median(runs)
        print(f"| {name} | {wire / 1e6:.1f} | {median:.3f} | {median / identity:.2f}x | {floor} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
