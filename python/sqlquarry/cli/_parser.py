"""The command line's grammar: `sqlquarry SERVICE COMMAND [ARGS] [OPTIONS]`.

Options are accepted anywhere after the command (and --debug also before the service):
each command's parser gets the option groups it needs as argparse parents, with defaults
left unset so a value given earlier on the line is not overwritten.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import textwrap
from collections.abc import Callable
from typing import Any, NoReturn

from sqlquarry.cli._errors import EXIT_CODES, USAGE
from sqlquarry.cli._export import FORMATS


def _epilog() -> str:
    """The exit codes in brief (each meaning up to its colon or parenthesis)."""
    labels = [
        f"{code} {re.split(r'[:(;]', meaning)[0].strip().replace('`', '')}"
        for code, meaning, _ in EXIT_CODES
    ]
    return textwrap.fill("exit codes: " + ", ".join(labels) + ". Documentation: docs/cli.md.", 88)


class Parser(argparse.ArgumentParser):
    """argparse, with its error line redacted (it may echo an argument that is a key).
    `redacting(redact)` makes the class for one command line; its sub-parsers share it."""

    redact: Callable[[str], str] = staticmethod(str)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    @classmethod
    def redacting(cls, redact: Callable[[str], str]) -> type[Parser]:
        return type("Parser", (cls,), {"redact": staticmethod(redact)})

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE, self.redact(f"sqlquarry: error: {message}\n"))

    def commands(self, title: str) -> Any:
        """Sub-commands of this parser, themselves Parsers with the same redaction."""
        return self.add_subparsers(
            title=title,
            dest=title,
            metavar=title.upper(),
            required=True,
            parser_class=type(self),
        )


@dataclasses.dataclass(frozen=True)
class Parents:
    """The option groups commands take as argparse parents."""

    general: argparse.ArgumentParser
    connection: argparse.ArgumentParser
    results: argparse.ArgumentParser
    json: argparse.ArgumentParser
    timeout: argparse.ArgumentParser


def _group(title: str) -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    return parser, parser.add_argument_group(title)


def general_options() -> argparse.ArgumentParser:
    parser, g = _group("general")
    g.add_argument("--debug", action="store_true", help="print tracebacks of errors")
    return parser


def connection_options(prefix: str, extra: Callable[[Any], None] | None = None) -> Any:
    """The client settings, each defaulting to the environment variable the client reads."""
    parser, g = _group("connection (each flag overrides its environment variable)")
    g.add_argument(
        "--base-url", metavar="URL", help=f"the service's address (default: ${prefix}_BASE_URL)"
    )
    g.add_argument(
        "--api-key",
        metavar="KEY",
        help=f"the API key; prefer ${prefix}_API_KEY (a flag shows in ps and shell history)",
    )
    g.add_argument(
        "--read-timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"longest silence while waiting for response bytes (${prefix}_TIMEOUT, else 60)",
    )
    g.add_argument(
        "--max-retries",
        type=_count,
        metavar="N",
        help=f"retries of requests safe to repeat (${prefix}_MAX_RETRIES, else 3)",
    )
    g.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow plain http:// to another host (the key travels in clear text)",
    )
    if extra is not None:
        extra(g)
    n = parser.add_argument_group("network")
    n.add_argument("--proxy", metavar="URL", help="send requests through this proxy")
    n.add_argument("--ca-cert", metavar="PATH", help="trust this CA bundle (PEM)")
    n.add_argument("--insecure", action="store_true", help="do not verify the server's certificate")
    n.add_argument("--client-cert", metavar="PATH", help="client certificate (PEM), for mTLS")
    n.add_argument("--client-key", metavar="PATH", help="the client certificate's key (PEM)")
    return parser


def timeout_options() -> argparse.ArgumentParser:
    parser, g = _group("waiting")
    g.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="bound the whole call, waiting and downloading included (exit 7 after it)",
    )
    return parser


def result_options() -> argparse.ArgumentParser:
    parser, g = _group("output")
    g.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="stream the rows to FILE as they are decoded ('-': stdout); the suffix picks "
        "the format: .parquet, .csv, .jsonl/.ndjson, .arrow/.feather/.ipc (.arrows: stream)",
    )
    g.add_argument(
        "--format",
        choices=FORMATS,
        help="the output format, whatever the suffix; without -o, writes to stdout",
    )
    g.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="a progress line on stderr while waiting and downloading (default: when "
        "stderr is a terminal)",
    )
    g.add_argument(
        "--json",
        action="store_true",
        help="print a JSON summary (rows, columns, types, ids, time) instead of a preview",
    )
    return parser


def json_options() -> argparse.ArgumentParser:
    parser, g = _group("output")
    g.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    return parser


def param_option(parser: Any, help: str) -> None:  # noqa: A002 - argparse's own name
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=help,
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def build(redact: Callable[[str], str], version: str) -> Parser:
    """The whole command line."""
    from sqlquarry.cli import _aifordb, _roe, _slateo

    top = Parser.redacting(redact)(
        prog="sqlquarry",
        description="Run SQL on Roe AI, Slateo and AI for Database; preview the result or\n"
        "stream it to Parquet, CSV, JSON lines or Arrow.",
        epilog=_epilog(),
        parents=[general_options()],
    )
    top.add_argument("--version", action="version", version=f"sqlquarry {version}")
    services = top.commands("service")
    common = dict(general=general_options(), json=json_options(), timeout=timeout_options())
    results = result_options()
    for module, prefix in ((_roe, "ROE"), (_slateo, "SLATEO"), (_aifordb, "AIFORDATABASE")):
        extra = getattr(module, "connection_extra", None)
        parents = Parents(connection=connection_options(prefix, extra), results=results, **common)
        module.register(services, parents)
    return top
