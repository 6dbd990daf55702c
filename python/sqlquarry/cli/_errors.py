"""Exit codes, one per kind of failure, and the one-line error message users see.

The codes follow the exception tree of `sqlquarry.exceptions`, grouped by what the user does
next (fix the command, fix the key, retry later...), so scripts can branch on them. The
table is repeated in docs/cli.md; a test checks they agree.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterable

from sqlquarry import exceptions as errors

OK = 0
OTHER = 1
USAGE = 2
CONFIGURATION = 3
AUTH = 4
NOT_FOUND = 5
QUERY_FAILED = 6
TIMEOUT = 7
NETWORK = 8
BUSY = 9
SERVICE = 10
BAD_DATA = 11
OUTPUT = 12
BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipe closed under a writer
TERMINATED = 143  # 128 + SIGTERM
INTERRUPTED = 130  # 128 + SIGINT

#: (exit code, what it means, where it comes from): docs/cli.md's table, row for row.
EXIT_CODES: list[tuple[int, str, str]] = [
    (OK, "success", ""),
    (OTHER, "any other error (run again with `--debug` for the traceback)", ""),
    (USAGE, "usage: a bad command line, an unknown suffix, `--param` without `=`", "argparse"),
    (
        CONFIGURATION,
        "configuration: a missing key, a bad setting or parameter",
        "`ConfigurationError`",
    ),
    (
        AUTH,
        "authentication or permission: the key is wrong, revoked or not allowed",
        "`AuthenticationError` (401), `PermissionDeniedError` (403)",
    ),
    (NOT_FOUND, "not found: no such job, query or connection", "`NotFoundError` (404)"),
    (
        QUERY_FAILED,
        "query failed or was rejected (bad SQL, a failed job or run)",
        "`QueryError`, `BadRequestError` (400, 422)",
    ),
    (TIMEOUT, "timeout: `--timeout` passed (the query may still be running)", "`TimeoutError`"),
    (NETWORK, "network: connection refused, DNS, TLS, a dropped response", "`TransportError`"),
    (
        BUSY,
        "busy: rate limited, or the query is already running; retry later",
        "`RateLimitError` (429), `ConflictError` (409)",
    ),
    (SERVICE, "service error (5xx, or an answer it should not give)", "`ServerError`, `APIError`"),
    (BAD_DATA, "bad data: a value in the result did not fit its type", "`DecodeError`"),
    (OUTPUT, "output: the file cannot be written (directory, disk, pyarrow missing)", "`OSError`"),
    (INTERRUPTED, "interrupted (Ctrl-C); no partial file is left", "`KeyboardInterrupt`"),
    (BROKEN_PIPE, "broken pipe: stdout was closed early (say, by `head`)", "`BrokenPipeError`"),
    (TERMINATED, "terminated (SIGTERM); no partial file is left", ""),
]

# Most specific first: BadRequestError is an APIError and a ProgrammingError.
_BY_CLASS: list[tuple[type[BaseException], int]] = [
    (errors.ConfigurationError, CONFIGURATION),
    (errors.BadRequestError, QUERY_FAILED),
    (errors.AuthenticationError, AUTH),
    (errors.PermissionDeniedError, AUTH),
    (errors.NotFoundError, NOT_FOUND),
    (errors.RateLimitError, BUSY),
    (errors.ConflictError, BUSY),
    (errors.QueryError, QUERY_FAILED),
    (errors.TimeoutError, TIMEOUT),
    (errors.TransportError, NETWORK),
    (errors.DecodeError, BAD_DATA),
    (errors.APIError, SERVICE),
]


class UsageError(Exception):
    """A command line that parsed but cannot run (say, a binary format to a terminal)."""


class OutputError(Exception):
    """The result cannot be written where it was asked to go."""


def exit_code(exc: BaseException) -> int:
    """The exit code for `exc` (see EXIT_CODES)."""
    if isinstance(exc, UsageError):
        return USAGE
    # Before OSError: sqlquarry.TimeoutError is also the builtin TimeoutError, an OSError.
    for cls, code in _BY_CLASS:
        if isinstance(exc, cls):
            return code
    if isinstance(exc, (OutputError, OSError)):
        return OUTPUT
    return OTHER


# The library redacts keys of six characters or more (shorter ones cannot be told apart
# from ordinary words); the CLI does the same for what it prints itself.
_MIN_SECRET = 6
KEY_VARIABLES = ("ROE_API_KEY", "SLATEO_API_KEY", "AIFORDATABASE_API_KEY")


class Redactor:
    """Removes every API key the process knows of (flags and environment) from a text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        found = [os.environ.get(name) for name in KEY_VARIABLES] + list(secrets)
        keys = {k.strip().removeprefix("Bearer ").strip() for k in found if k}
        self._secrets = sorted((k for k in keys if len(k) >= _MIN_SECRET), key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret.strip()) >= _MIN_SECRET:
            self._secrets = sorted({*self._secrets, secret.strip()}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text


def one_line(exc: BaseException) -> str:
    """The message of `exc` on one line: server texts may carry newlines."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and not isinstance(exc, errors.Error) and exc.filename:
        text = f"cannot write {exc.filename}: {exc.strerror or exc}"
    elif isinstance(exc, ImportError) and "pyarrow" in text:
        text = f"{text} (pip install pyarrow)" if "pip install" not in text else text
    return re.sub(r"\s*\n\s*", " ", text).strip()


def describe(exc: BaseException, redact: Redactor, debug: bool) -> str:
    """What stderr shows for `exc`: the traceback when debugging, then the one line."""
    lines = []
    if debug:
        lines.append("".join(traceback.format_exception(exc)).rstrip())
    lines.append(f"sqlquarry: error: {one_line(exc)}")
    return redact("\n".join(lines)) + "\n"
