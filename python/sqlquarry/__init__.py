"""Run SQL on hosted query services and get the answer as Arrow tables.

>>> import sqlquarry
>>> roe = sqlquarry.RoeClient()          # ROE_API_KEY etc. from the environment
>>> df = roe.query("SELECT 1 AS x").to_pandas()
"""

from sqlquarry._native import QueryJob, QueryResult, RoeClient, __version__
from sqlquarry.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    Error,
    NotFoundError,
    PermissionDeniedError,
    QueryError,
    RateLimitError,
    ServerError,
    TimeoutError,  # noqa: A004 - deliberate: also a builtins.TimeoutError subclass
    TransportError,
    TypeWarning,
)

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "Error",
    "NotFoundError",
    "PermissionDeniedError",
    "QueryError",
    "QueryJob",
    "QueryResult",
    "RateLimitError",
    "RoeClient",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "TypeWarning",
    "__version__",
]
