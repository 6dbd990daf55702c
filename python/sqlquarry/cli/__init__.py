"""The `sqlquarry` command line: run SQL on Roe AI, Slateo and AI for Database and preview
the result, or stream it to Parquet, CSV, JSON lines or Arrow. See docs/cli.md.

`main` turns every failure into one line on stderr (`sqlquarry: error: ...`, the traceback
too with --debug) and an exit code by kind (`_errors.EXIT_CODES`), never printing an API
key; Ctrl-C exits 130 and SIGTERM 143, leaving no partial output file.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import warnings
from collections.abc import Sequence
from types import FrameType
from typing import Any

from sqlquarry.cli import _errors

__all__ = ["main"]


class Terminated(BaseException):
    """SIGTERM, raised where the program is (like KeyboardInterrupt) so cleanup runs."""


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line `argv` (default: the process's) and answers the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    redact = _errors.Redactor(_flag_values(argv, "--api-key"))
    debug = "--debug" in argv
    try:
        from sqlquarry import __version__
        from sqlquarry.cli._parser import build

        parser = build(redact, __version__)
        try:
            args = parser.parse_args(argv)
        except SystemExit as stop:  # --help, --version, or a usage error (already printed)
            return stop.code if isinstance(stop.code, int) else _errors.USAGE
        debug = bool(getattr(args, "debug", False))
        _log_to_stderr(redact, debug)
        _show_warnings_as_lines(redact)
        _stop_cleanly_on_sigterm()
        return int(args.handler(args))
    except KeyboardInterrupt:
        sys.stderr.write("\nsqlquarry: interrupted\n")
        return _errors.INTERRUPTED
    except Terminated:
        sys.stderr.write("sqlquarry: terminated\n")
        return _errors.TERMINATED
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and nothing to flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _errors.BROKEN_PIPE
    except Exception as exc:
        sys.stderr.write(_errors.describe(exc, redact, debug))
        return _errors.exit_code(exc)


def _flag_values(argv: list[str], flag: str) -> list[str]:
    """Every value given to `flag` (`--flag VALUE`, `--flag=VALUE`, or an abbreviation
    argparse accepts, `--api-k VALUE`), before parsing: the redactor must know a key even
    when the command line fails to parse."""
    values = []
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if len(name) < 5 or not flag.startswith(name):
            continue
        if eq:
            values.append(value)
        elif i + 1 < len(argv):
            values.append(argv[i + 1])
    return values


class _RedactingFormatter(logging.Formatter):
    def __init__(self, redact: _errors.Redactor) -> None:
        super().__init__("sqlquarry: %(message)s")
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


def _log_to_stderr(redact: _errors.Redactor, debug: bool) -> None:
    """The library's log records as `sqlquarry:` lines on stderr: retries (WARNING) always,
    so a slow command says why; every request too with --debug."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(redact))
    logger = logging.getLogger("sqlquarry")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False


def _show_warnings_as_lines(redact: _errors.Redactor) -> None:
    """A warning (a column type the decoder does not know) as one `sqlquarry: warning:`
    line, without Python's file and line."""

    def show(message: Any, category: type, *_: Any, **__: Any) -> None:
        sys.stderr.write(redact(f"sqlquarry: warning: {message}") + "\n")

    warnings.showwarning = show


def _stop_cleanly_on_sigterm() -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, stop)
