"""`make demo`: the local Roe emulator with a generated million-row table, queried through
RoeClient exactly as a user would query the hosted service."""

from __future__ import annotations

import asyncio
import os
import time

import sqlquarry
from sqlquarry.testing import RoeServer

ROWS = int(os.environ.get("SQLQUARRY_DEMO_ROWS", "1000000"))


def timed(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return out


def main() -> None:
    print(f"Starting the local Roe emulator and generating {ROWS:,} rows with chDB ...")
    with RoeServer(demo_rows=ROWS) as server:
        roe = sqlquarry.RoeClient(
            api_key=server.api_key,
            base_url=server.url,
            organization_id="00000000-0000-4000-8000-000000000001",
        )
        print(f"{roe!r}\n")

        sql = """
            SELECT kind, count() AS events, sum(amount) AS revenue,
                   avg(score) AS avg_score, countIf(qty IS NULL) AS missing_qty,
                   min(created_at) AS first_seen, max(created_at) AS last_seen
            FROM events GROUP BY kind ORDER BY revenue DESC
        """
        print("-- aggregate (run-and-wait endpoint) " + "-" * 40)
        agg = timed("query + to_pandas", lambda: roe.query(sql).to_pandas())
        print(agg.to_string(index=False))
        print(agg.dtypes.to_string(), "\n")

        print("-- wide select of every row (submit, poll, fetch) " + "-" * 26)

        def wide():
            job = roe.submit("SELECT * FROM events")
            return job.wait(timeout=600)

        result = timed("submit + wait (wire -> Arrow)", wide)
        df = timed("to_pandas", result.to_pandas)
        print(df.head(10).to_string(index=False))
        print(f"\nrows: {len(df):,}   columns: {len(df.columns)}")
        print(df.dtypes.to_string())
        print(f"server summary: {result.summary}\n")

        print("-- async twin, polars " + "-" * 55)

        async def polars_demo():
            r = await roe.query_async("SELECT name, file, created_at FROM files")
            return r.to_polars()

        print(asyncio.run(polars_demo()))


if __name__ == "__main__":
    main()
