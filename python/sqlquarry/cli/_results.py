"""What every query command does with its answer: stream it to -o (or stdout in a
--format), or show a preview, or with --json a summary; and the call options they share
(--timeout for the whole call, a progress line on stderr)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlquarry.cli._errors import OK
from sqlquarry.cli._export import Target, export, require_pyarrow, target
from sqlquarry.cli._preview import preview

Fetch = Callable[[dict[str, Any]], Any]


def emit_json(value: Any) -> None:
    """`value` as JSON on stdout (what --json prints)."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def call_options(args: argparse.Namespace) -> dict[str, Any]:
    """`timeout` (--timeout: the whole call) and `progress` (a line on stderr while waiting
    and downloading: by default when stderr is a terminal)."""
    options: dict[str, Any] = {}
    if getattr(args, "timeout", None) is not None:
        options["timeout"] = args.timeout
    progress = getattr(args, "progress", None)
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        options["progress"] = True
    return options


def deliver(
    args: argparse.Namespace,
    fetch: Fetch,
    stream: Fetch | None = None,
    show_sql: bool = False,
) -> int:
    """Runs the command's call and delivers its result as the flags ask.

    `fetch(options)` answers a QueryResult (held in memory); `stream(options)`, when the
    service can stream, a BatchStream, used for -o so that rows go to the file as they are
    decoded. Without `stream` an export writes the in-memory result's batches."""
    started = time.monotonic()
    to = target(getattr(args, "output", None), getattr(args, "format", None))
    options = call_options(args)
    if to is None:
        result = fetch(options)
        elapsed = time.monotonic() - started
        if getattr(args, "json", False):
            emit_json(_summary(result, elapsed))
        else:
            print(preview(result, elapsed, show_sql=show_sql))
        return OK
    require_pyarrow()  # before the query runs: a long wait then no way to write is cruel
    result = None
    if stream is not None:
        with stream(options) as batches:
            rows = export(batches.schema, batches, to)
            names = batches.schema.names
    else:
        result = fetch(options)
        table = result.to_arrow()
        rows = export(table.schema, table.to_batches(), to)
        names = table.schema.names
    _report(args, to, rows, names, time.monotonic() - started, result)
    return OK


def _summary(result: Any, elapsed: float) -> dict[str, Any]:
    return {
        "rows": result.num_rows,
        "columns": [
            {"name": name, "type": ch_type}
            for name, ch_type in zip(result.column_names, result.column_types, strict=True)
        ],
        "query_id": result.query_id,
        "sql": result.sql,
        "elapsed": round(elapsed, 3),
        "service_elapsed": result.elapsed,
    }


def _report(
    args: argparse.Namespace,
    to: Target,
    rows: int,
    names: list[str],
    elapsed: float,
    result: Any,
) -> None:
    """After an export: a JSON summary with --json (unless the data itself went to stdout),
    else a line on stderr when a person is watching it."""
    if getattr(args, "json", False) and to.path is not None:
        summary = {"output": str(to.path), "format": to.format, "rows": rows, "columns": names}
        if result is not None:
            summary.update(query_id=result.query_id, sql=result.sql)
        summary["elapsed"] = round(elapsed, 3)
        emit_json(summary)
    elif sys.stderr.isatty():
        noun = "row" if rows == 1 else "rows"
        sys.stderr.write(
            f"sqlquarry: wrote {rows:,} {noun} to {to.describe()} ({to.format}) "
            f"in {elapsed:.2f} s\n"
        )
