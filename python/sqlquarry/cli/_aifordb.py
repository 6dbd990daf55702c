"""`sqlquarry aifordb ask`: questions in plain language to AI for Database.

The service has no streaming endpoint: the answer is held in memory and then written to -o.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlquarry.cli import _clients
from sqlquarry.cli._parser import Parents
from sqlquarry.cli._results import deliver


def register(services: Any, parents: Parents) -> None:
    aifordb = services.add_parser(
        "aifordb",
        help="AI for Database: ask in plain language",
        description="AI for Database: questions in plain language, answered with SQL.",
    )
    commands = aifordb.commands("command")
    ask = commands.add_parser(
        "ask",
        help="ask a question; show or export the answer",
        description="Asks a question about a connected database; shows the SQL the "
        "service wrote and the answer, or exports the answer.",
        parents=[parents.general, parents.connection, parents.timeout, parents.results],
    )
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument(
        "--connection", required=True, metavar="ID", help="the database connection to ask"
    )
    ask.set_defaults(handler=run_ask)


def run_ask(args: argparse.Namespace) -> int:
    ai = _clients.aifordb(args)
    return deliver(
        args,
        fetch=lambda options: ai.ask(args.question, args.connection, **options),
        show_sql=True,
    )
