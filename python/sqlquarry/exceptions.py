"""The exceptions sqlquarry raises: one tree under :class:`Error`, split by what to do next.

Every exception carries the context needed to act on it as attributes (``status``,
``query_id``, ``request_id``, ``path``; ``row``, ``column``, ``column_type`` for data
errors). None of them ever contains an API key.

The tree is also DB-API 2.0's (PEP 249): ``Error`` is its ``Error``, and each class derives
from the PEP 249 class that fits it, so ``except sqlquarry.QueryError`` and
``except sqlquarry.dbapi.ProgrammingError`` both catch bad SQL:

- ``ProgrammingError``: ``QueryError`` (bad SQL, a failed query), ``ConfigurationError``
  (a missing setting, a parameter that does not fit), ``BadRequestError``;
- ``OperationalError``: ``APIError`` (auth, not found, rate limits, server errors),
  ``TimeoutError``, ``TransportError``;
- ``DataError``: ``DecodeError``;
- ``NotSupportedError``: what the service cannot do (transactions).
"""

from __future__ import annotations

import builtins
from typing import Any

# PEP 249's names, which sqlquarry.dbapi exports too.
PEP249 = [
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
]
__all__ = [
    *PEP249,
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "InsufficientCreditsError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueryError",
    "RateLimitError",
    "SecurityWarning",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "TypeWarning",
]


class Error(Exception):
    """Base class of every sqlquarry error."""

    service: str | None = None
    method: str | None = None
    path: str | None = None
    request_id: str | None = None
    query_id: str | None = None

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        for key, value in context.items():
            setattr(self, key, value)


# --- PEP 249's classes, the trunk of the tree ----------------------------------------------


class InterfaceError(Error):
    """An error in how the library is used rather than in the database (PEP 249)."""


class DatabaseError(Error):
    """An error from the database or the service (PEP 249)."""


class DataError(DatabaseError):
    """A value that does not fit, or malformed data (PEP 249)."""


class OperationalError(DatabaseError):
    """The service's operation failed, not necessarily the caller's fault (PEP 249)."""


class IntegrityError(DatabaseError):
    """A relational integrity violation (PEP 249; ClickHouse enforces none)."""


class InternalError(DatabaseError):
    """The database's internal error (PEP 249)."""


class ProgrammingError(DatabaseError):
    """Bad SQL, a failed query, or a wrong call or parameter (PEP 249)."""


class NotSupportedError(DatabaseError):
    """A method or feature the service does not have, such as transactions (PEP 249)."""


# --- sqlquarry's classes ----------------------------------------------------------------------


class ConfigurationError(ProgrammingError, ValueError):
    """The client is missing a setting (such as the API key) or got an invalid one, or a
    call got an argument or a parameter that does not fit."""


class APIError(OperationalError):
    """The service answered with an HTTP error status.

    ``status`` is the HTTP status, ``server_message`` the service's own message, ``code``
    its machine-readable error code or type, ``details`` its structured details and
    ``documentation_url`` its documentation link, when it sends them. ``rate_limit`` holds
    the response's ``X-RateLimit-*`` headers (``limit``, ``remaining``, ``reset``).
    """

    status: int | None = None
    code: str | None = None
    server_message: str | None = None
    details: Any = None
    documentation_url: str | None = None
    rate_limit: dict[str, int | None] | None = None


class AuthenticationError(APIError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIError):
    """403: the key may not do this (wrong organization, missing scope)."""


class NotFoundError(APIError):
    """404: no such query, job or resource."""


class ConflictError(APIError):
    """409: the resource is busy, for example a query that is already running."""


class BadRequestError(APIError, ProgrammingError):
    """400/422: the service rejected the request's parameters."""


class RateLimitError(APIError):
    """429 after the retries ran out; ``retry_after`` is the wait the service asked for."""

    retry_after: float | None = None


class ServerError(APIError):
    """5xx after the retries ran out."""


class InsufficientCreditsError(APIError):
    """402: the account has no credits left (Roe's "insufficient credits"): add credits or
    check the plan, then run the query again. Not retried."""


class QueryError(ProgrammingError):
    """The query ran and failed: bad SQL, a failed task or run, an error in the result.

    ``server_message`` is the database's own message and ``query_id`` names the query;
    services that send them also fill ``code`` and ``details``.
    """

    status: int | None = None
    server_message: str | None = None
    code: str | None = None
    details: Any = None


class TimeoutError(OperationalError, builtins.TimeoutError):  # noqa: A001 - deliberate, like asyncio's
    """A wait reached its deadline; the query may still be running (see ``query_id``)."""

    waited: float | None = None


class DecodeError(DataError):
    """A value did not fit its declared type, or the result was malformed.

    ``row`` (0-based), ``column``, ``column_type`` and ``value`` (an excerpt) say where.
    """

    row: int | None = None
    column: str | None = None
    column_type: str | None = None
    value: str | None = None


class TransportError(OperationalError):
    """The network failed, timed out, or the response broke the protocol."""


class SecurityWarning(UserWarning):
    """A setting turns off a protection: ``verify=False`` accepts any certificate, so anyone
    on the path can read the key and the rows."""


class TypeWarning(UserWarning):
    """A column's declared type is not understood; its values were returned as text."""
