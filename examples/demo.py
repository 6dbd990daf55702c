"""`make demo`: the local Roe emulator with a generated million-row table, queried through
RoeClient exactly as a user would query the hosted service."""

from __future__ import annotations

import asyncio
import os
import time

import sqlquarry
from sqlquarry.testing import AIForDatabaseServer, RoeServer, SlateoServer

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

    slateo_demo()
    aifordb_demo()


def slateo_demo() -> None:
    print("\n-- Slateo: refresh a saved query, wait for the run, fetch the result " + "-" * 9)
    with SlateoServer(run_seconds=0.5) as server:
        qid = server.add_query(
            "SELECT kind, count() AS events, sum(amount) AS revenue FROM events GROUP BY kind"
        )
        slateo = sqlquarry.SlateoClient(api_key=server.api_key, base_url=server.url)
        query = slateo.queries.get(qid)
        print(f"saved query {query.id}: {query.sql}")
        result = timed("queries.run (refresh + poll + result)", lambda: slateo.queries.run(qid))
        print(result.to_pandas().to_string(index=False))
        print(f"latest run: {slateo.queries.get(qid).latest_run}")


def aifordb_demo() -> None:
    print("\n-- AI for Database: a question in plain language " + "-" * 28)
    with AIForDatabaseServer() as server:
        server.register_question(
            "Which user bought the most?",
            "SELECT user_id, sum(amount) AS spent FROM events WHERE kind = 'purchase' "
            "GROUP BY user_id ORDER BY spent DESC LIMIT 3",
        )
        ai = sqlquarry.AIForDatabaseClient(api_key=server.api_key, base_url=server.base_url)
        answer = ai.ask("Which user bought the most?", connection_id="conn_local")
        print(f"generated SQL: {answer.sql}")
        print(answer.to_pandas().to_string(index=False))
        print(f"inferred types: {answer.column_types}; rate limit: {ai.rate_limit}")


if __name__ == "__main__":
    main()
