"""`sqlquarry slateo list|get|run|result`: Slateo's saved queries.

Slateo has no streaming endpoint: `run` and `result` hold the result in memory and then
write its batches to -o.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlquarry.cli import _clients
from sqlquarry.cli._errors import OK
from sqlquarry.cli._params import json_or_text
from sqlquarry.cli._parser import Parents, param_option
from sqlquarry.cli._results import deliver, emit_json
from sqlquarry.cli._table import render, terminal_width


def register(services: Any, parents: Parents) -> None:
    slateo = services.add_parser(
        "slateo", help="Slateo: saved queries", description="Slateo's saved queries."
    )
    commands = slateo.commands("command")
    base = [parents.general, parents.connection]

    listing = commands.add_parser(
        "list",
        help="list the saved queries",
        description="Lists every saved query (all pages) with its latest run.",
        parents=[*base, parents.json],
    )
    listing.set_defaults(handler=run_list)

    get = commands.add_parser(
        "get",
        help="show one saved query",
        description="Shows a saved query, its latest run and the run's metadata.",
        parents=[*base, parents.json],
    )
    get.add_argument("query_id", metavar="ID")
    get.set_defaults(handler=run_get)

    run = commands.add_parser(
        "run",
        help="refresh a saved query, wait, and show or export the result",
        description="Starts a new run of the saved query, waits for it and shows or exports "
        "its result (held in memory: Slateo has no streaming endpoint).",
        parents=[*base, parents.timeout, parents.results],
    )
    run.add_argument("query_id", metavar="ID")
    param_option(run, "a value for the query's parameter NAME (repeatable); JSON when it "
                 "parses as JSON (5, true, [1, 2]), else text")  # fmt: skip
    run.add_argument(
        "--wait-if-running",
        action="store_true",
        help="if the query is already running, wait for that run (else exit 9)",
    )
    run.set_defaults(handler=run_run)

    result = commands.add_parser(
        "result",
        help="show or export the latest completed run's result",
        description="Shows or exports the rows of the query's latest completed run, "
        "without running it.",
        parents=[*base, parents.timeout, parents.results],
    )
    result.add_argument("query_id", metavar="ID")
    result.set_defaults(handler=run_result)


def run_list(args: argparse.Namespace) -> int:
    queries = list(_clients.slateo(args).queries.list())
    if getattr(args, "json", False):
        emit_json([q.to_dict() for q in queries])
        return OK
    rows: list[list[str] | None] = []
    for q in queries:
        run = q.latest_run
        rows.append(
            [
                str(q.id),
                (run and run.status) or "never run",
                (run and run.run_at) or "",
                " ".join(str(q.sql or "").split()),
            ]
        )
    width = terminal_width()
    header = [["id", "latest run", "run at", "sql"]]
    print(render(header, rows, width, max_cell=40, fill_last=True))
    print(f"{len(queries):,} saved {'query' if len(queries) == 1 else 'queries'}")
    return OK


def run_get(args: argparse.Namespace) -> int:
    query = _clients.slateo(args).queries.get(args.query_id)
    if getattr(args, "json", False):
        emit_json(query.to_dict())
        return OK
    run = query.latest_run
    metadata = query.latest_run_metadata or {}
    fields = [
        ("id", query.id),
        ("sql", query.sql),
        ("created at", query.created_at),
        ("updated at", query.updated_at),
        ("created by", query.created_by),
        ("latest run", run and f"{run.status} ({run.id})"),
        ("run at", run and run.run_at),
        ("completed at", run and run.completed_at),
        ("rows read", metadata.get("rowsRead")),
    ]
    for name, value in fields:
        if value is not None:
            print(f"{name + ':':<14}{value}")
    return OK


def run_run(args: argparse.Namespace) -> int:
    queries = _clients.slateo(args).queries
    given: dict[str, Any] = {"wait_if_running": args.wait_if_running}
    if args.param:
        given["parameter_values"] = json_or_text(args.param)
    return deliver(args, fetch=lambda options: queries.run(args.query_id, **given, **options))


def run_result(args: argparse.Namespace) -> int:
    queries = _clients.slateo(args).queries
    return deliver(args, fetch=lambda options: queries.result(args.query_id, **options))
