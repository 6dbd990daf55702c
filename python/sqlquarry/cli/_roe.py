"""`sqlquarry roe query|submit|status|wait`: Roe AI's database queries.

`query` and `wait` stream the rows to -o as they are decoded (`iter_batches`), so a result
larger than memory can be exported; without -o they fetch the result and preview it.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlquarry.cli import _clients
from sqlquarry.cli._errors import OK
from sqlquarry.cli._params import roe_parameters
from sqlquarry.cli._parser import Parents, param_option
from sqlquarry.cli._results import deliver, emit_json

_PARAM_HELP = (
    "a value for the SQL's {NAME:Type} placeholder, converted for its declared type and "
    "bound on the client (repeatable); arrays, maps and tuples as JSON"
)


def connection_extra(group: Any) -> None:
    group.add_argument(
        "--organization-id", metavar="ID", help="the organization ($ROE_ORGANIZATION_ID)"
    )
    group.add_argument("--worksheet-id", metavar="ID", help="the worksheet to run in")
    group.add_argument(
        "--server-timezone",
        metavar="ZONE",
        help="zone of DateTime columns that declare none (default UTC)",
    )


def register(services: Any, parents: Parents) -> None:
    roe = services.add_parser(
        "roe", help="Roe AI: run SQL", description="Roe AI's database queries."
    )
    commands = roe.commands("command")
    base = [parents.general, parents.connection]

    query = commands.add_parser(
        "query",
        help="run SQL and wait for the result",
        description="Runs SQL (one or more statements) and shows or exports the last "
        "statement's result.",
        parents=[*base, parents.timeout, parents.results],
    )
    query.add_argument("sql", metavar="SQL")
    param_option(query, _PARAM_HELP)
    query.set_defaults(handler=run_query)

    submit = commands.add_parser(
        "submit",
        help="submit SQL to run in the background; print the job id",
        description="Submits SQL to run in the background and prints the job's id at once "
        "(for `roe status` and `roe wait`). Needs an organization or worksheet id.",
        parents=[*base, parents.timeout, parents.json],
    )
    submit.add_argument("sql", metavar="SQL")
    param_option(submit, _PARAM_HELP)
    submit.set_defaults(handler=run_submit)

    status = commands.add_parser(
        "status",
        help="print a submitted job's status",
        description="Prints the job's status word now (PENDING, STARTED, SUCCESS, FAILURE).",
        parents=[*base, parents.json],
    )
    status.add_argument("job_id", metavar="ID")
    status.set_defaults(handler=run_status)

    wait = commands.add_parser(
        "wait",
        help="wait for a submitted job and show or export its result",
        description="Waits for the job to finish (polling with backoff) and shows or exports "
        "its last statement's result.",
        parents=[*base, parents.timeout, parents.results],
    )
    wait.add_argument("job_id", metavar="ID")
    wait.set_defaults(handler=run_wait)


def _query_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.param:
        options["parameters"] = roe_parameters(args.sql, args.param)
    return options


def run_query(args: argparse.Namespace) -> int:
    roe = _clients.roe(args)
    given = _query_options(args)
    return deliver(
        args,
        fetch=lambda options: roe.query(args.sql, **given, **options),
        stream=lambda options: roe.iter_batches(args.sql, **given, **options),
    )


def run_submit(args: argparse.Namespace) -> int:
    roe = _clients.roe(args)
    options = _query_options(args)
    if getattr(args, "timeout", None) is not None:
        options["timeout"] = args.timeout
    job = roe.submit(args.sql, **options)
    if getattr(args, "json", False):
        emit_json(
            {"id": job.id, "worksheet_query_id": job.worksheet_query_id, "task_id": job.task_id}
        )
    else:
        print(job.id)
    return OK


def run_status(args: argparse.Namespace) -> int:
    status = _clients.roe(args).job(args.job_id).status()
    if getattr(args, "json", False):
        emit_json({"id": args.job_id, "status": status})
    else:
        print(status)
    return OK


def run_wait(args: argparse.Namespace) -> int:
    job = _clients.roe(args).job(args.job_id)
    return deliver(
        args,
        fetch=lambda options: job.wait(**options),
        stream=lambda options: job.iter_batches(**options),
    )
