"""`make fuzz-types`: the differential type test for as many random columns as you like.

    make fuzz-types SEED=7 COLUMNS=5000    # or: PYTHONPATH=tests python -m typefuzz -h

Prints the columns checked per type family, the lossy ones and every failure, grouped;
exits 1 if anything failed."""

from __future__ import annotations

import argparse
import random
import sys
import time

import sqlquarry
from sqlquarry.testing import RoeServer

from .clickhouse import RENDERINGS, ClickHouse
from .harness import VIAS
from .run import ROWS, check_edges, report, run


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m typefuzz", description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=random.randrange(10**6), help="default: random")
    p.add_argument("--columns", type=int, default=3000)
    p.add_argument("--renderings", default=",".join(RENDERINGS), help="comma-separated")
    p.add_argument("--via", default="query", help=f"comma-separated, of {', '.join(VIAS)}")
    p.add_argument("--rows", type=int, default=ROWS, help="rows per random table")
    p.add_argument("--per-table", type=int, default=30, help="columns per random table")
    p.add_argument("--examples", type=int, default=5, help="failures shown per group")
    args = p.parse_args()
    renderings = tuple(args.renderings.split(","))
    vias = tuple(args.via.split(","))
    start = time.monotonic()
    with RoeServer() as server:
        client = sqlquarry.RoeClient(
            api_key=server.api_key, base_url=server.url, organization_id="typefuzz"
        )
        ch = ClickHouse(server.engine)
        summary = run(
            ch,
            server,
            client,
            args.seed,
            args.columns,
            renderings,
            vias,
            args.per_table,
            args.rows,
            _progress,
        )
        summary.add(check_edges(ch, server, client, renderings, vias))
    print(report(summary, args.examples))
    print(
        f"renderings {', '.join(renderings)}; {time.monotonic() - start:.1f} s; "
        f"rerun with SEED={args.seed} COLUMNS={args.columns} make fuzz-types"
    )
    return 1 if summary.mismatches else 0


def _progress(s) -> None:
    print(
        f"  {s.columns} columns, {s.values} values, {len(s.mismatches)} failures so far",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
