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
        # When the client first hears of each state (its progress callback), on the same
        # clock as the emulator's own timestamps for the job: that splits the wait into the
        # emulator's part and the client's.
        heard: dict[str, float] = {}

        def wide():
            job = roe.submit("SELECT * FROM events")
            return job.wait(timeout=600, progress=lambda p: heard.setdefault(p.state, time.time()))

        submitted = time.time()
        result = timed("submit + wait (wire -> Arrow)", wide)
        where_the_time_went(submitted, heard, result, time.time())
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


def where_the_time_went(submitted: float, heard: dict, result, done: float) -> None:
    """The wait, split at the job's start and end (the emulator's timestamps), the moment
    the client hears SUCCESS (so asks for the result) and the result's first byte. Most of
    it is the emulator, in Python: a hosted service renders far faster."""
    first_byte = heard.get("downloading")
    success = heard.get("SUCCESS")
    start, end = result.start_timestamp, result.end_timestamp
    if None in (first_byte, success, start, end):
        return  # a state went unheard (the job was done before the first poll): no split
    size = result.summary.get("result_bytes") or 0
    parts = [
        ("emulator: queue and start the job", start - submitted),
        ("emulator: run the query in chDB", end - start),
        ("client: poll until it hears SUCCESS", success - end),
        (
            f"emulator: render and gzip the {size / 1e6:.0f} MB result (Python)",
            first_byte - success,
        ),
        ("client: first byte -> Arrow (download, gunzip, decode)", done - first_byte),
    ]
    for label, seconds in parts:
        print(f"  {label:<60} {seconds:6.2f} s")


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
