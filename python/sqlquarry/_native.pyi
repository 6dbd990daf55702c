"""Typed stubs and public documentation for the native module (Rust, via pyo3).

Every network operation comes in two twins: ``name()`` blocks (releasing the GIL, and
interruptible with Ctrl-C) and ``name_async()`` returns an awaitable. Both run the same
Rust code on one shared tokio runtime. Blocking calls never start an event loop, so they
also work inside Jupyter.
"""

from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Literal

import pandas
import polars
import pyarrow

__version__: str

class QueryResult:
    """The answer to one SQL statement, held as Arrow record batches.

    Implements the Arrow PyCapsule interface, so ``pyarrow.table(result)``,
    ``polars.DataFrame(result)`` and DuckDB read it without a copy. Column types come from
    the service's declared types (ClickHouse's for Roe), never from guessing.
    """

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __arrow_c_schema__(self) -> object: ...
    def to_arrow(self) -> pyarrow.Table:
        """A ``pyarrow.Table``. Needs ``pip install 'sqlquarry[pyarrow]'``."""
    def to_pandas(
        self,
        *,
        dtype_backend: Literal["numpy_nullable", "pyarrow"] = "numpy_nullable",
        **kwargs: Any,
    ) -> pandas.DataFrame:
        """A ``pandas.DataFrame`` with nullable dtypes (an integer column with NULLs stays
        integer), tz-aware datetimes and exact decimals; ``dtype_backend="pyarrow"`` gives
        ArrowDtype columns. Other keywords go to ``pyarrow.Table.to_pandas``.
        Needs ``pip install 'sqlquarry[pandas]'``."""
    def to_polars(self) -> polars.DataFrame:
        """A ``polars.DataFrame``; decimals wider than 38 digits and 128-bit integers arrive
        as exact text. Needs ``pip install 'sqlquarry[polars]'``."""
    @property
    def schema(self) -> pyarrow.Schema:
        """The Arrow schema (needs pyarrow). Each field's metadata keeps the declared type
        under ``sqlquarry.declared_type``."""
    @property
    def num_rows(self) -> int: ...
    def __len__(self) -> int: ...
    @property
    def num_columns(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    @property
    def column_types(self) -> list[str]:
        """The service's own type names, verbatim (for Roe, ClickHouse types)."""
    @property
    def query_id(self) -> str | None: ...
    @property
    def sql(self) -> str | None:
        """The statement as the service reports it."""
    @property
    def summary(self) -> dict[str, Any]:
        """The service's statistics (Roe: ClickHouse's read_rows, elapsed_ns, ...)."""
    @property
    def start_timestamp(self) -> float | None:
        """Unix seconds when the service started the statement."""
    @property
    def end_timestamp(self) -> float | None: ...
    @property
    def elapsed(self) -> float | None:
        """Seconds the service spent on the statement, when it said."""
    @property
    def execution_time_ms(self) -> float | None:
        """The service's own execution time in milliseconds (AI for Database)."""
    @property
    def warnings(self) -> list[str]:
        """Columns whose type was not understood (returned as text); each was also issued
        as a :class:`sqlquarry.TypeWarning`."""
    def _polars_compatible(self) -> object: ...
    def _repr_html_(self) -> str: ...

class QueryJob:
    """A query submitted with :meth:`RoeClient.submit`, running on the service."""

    @property
    def id(self) -> str:
        """The id used for status and result requests (the worksheet query id when the
        service gave one, else the task id; the other is tried after a 404)."""
    @property
    def worksheet_query_id(self) -> str | None: ...
    @property
    def task_id(self) -> str | None: ...
    def status(self) -> str:
        """The service's status word now: PENDING, STARTED, SUCCESS, FAILURE, ..."""
    def status_async(self) -> Awaitable[str]: ...
    def wait(self, timeout: float | None = None) -> QueryResult:
        """Polls (from 50 ms, backing off to 2 s) until the query finishes; returns the
        last statement's result. Raises :class:`sqlquarry.TimeoutError` after ``timeout``
        seconds (the query keeps running: call again), :class:`sqlquarry.QueryError` if
        it failed."""
    def wait_async(self, timeout: float | None = None) -> Awaitable[QueryResult]: ...
    def wait_all(self, timeout: float | None = None) -> list[QueryResult]:
        """Like :meth:`wait`, returning every statement's result."""
    def wait_all_async(self, timeout: float | None = None) -> Awaitable[list[QueryResult]]: ...
    def iter_batches(self, timeout: float | None = None) -> BatchStream:
        """Waits like :meth:`wait`, then streams the last statement's rows as they arrive
        (see :class:`BatchStream`)."""
    def iter_batches_async(self, timeout: float | None = None) -> Awaitable[BatchStream]: ...

class BatchStream:
    """A result's rows as ``pyarrow.RecordBatch`` objects, decoded while the response
    arrives; memory stays at a few batches (of up to 65,536 rows) however large the result.
    Iterate with ``for`` or ``async for``; ``close()`` (or leaving a ``with`` block) stops
    the download. Errors in the data raise :class:`sqlquarry.DecodeError` at the batch
    they are in; a response that carries rows for several statements raises too."""

    def __iter__(self) -> Iterator[pyarrow.RecordBatch]: ...
    def __next__(self) -> pyarrow.RecordBatch: ...
    def __aiter__(self) -> AsyncIterator[pyarrow.RecordBatch]: ...
    def __anext__(self) -> Awaitable[pyarrow.RecordBatch]: ...
    def close(self) -> None: ...
    def __enter__(self) -> BatchStream: ...
    def __exit__(self, *exc: object) -> bool: ...

class RoeClient:
    """Roe AI database queries.

    Arguments default to the environment variables of the official Roe SDKs:
    ``ROE_API_KEY`` (a leading "Bearer " is accepted), ``ROE_ORGANIZATION_ID``,
    ``ROE_BASE_URL`` (default ``https://api.roe-ai.com``), ``ROE_TIMEOUT`` (seconds of
    silence allowed on a request, default 60) and ``ROE_MAX_RETRIES`` (default 3).
    ``server_timezone`` is the zone of DateTime columns that declare none (default UTC).
    The API key never appears in a repr, a log line or an exception.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        organization_id: str | None = None,
        base_url: str | None = None,
        worksheet_id: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        server_timezone: str | None = None,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def organization_id(self) -> str | None: ...
    def query(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> QueryResult:
        """Runs ``sql`` (``POST /v1/database/query/``) and returns the last statement's
        result. For queries longer than the request timeout, use :meth:`submit`."""
    def query_async(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> Awaitable[QueryResult]: ...
    def query_all(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> list[QueryResult]:
        """Runs ``sql`` and returns every statement's result, in order."""
    def query_all_async(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> Awaitable[list[QueryResult]]: ...
    def submit(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> QueryJob:
        """Submits ``sql`` (``POST /v1/database/query/async/``) and returns at once.
        Needs an organization id or a worksheet id. Never re-sent after the service may
        have received it (except after a 429), so a query is not run twice."""
    def submit_async(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> Awaitable[QueryJob]: ...
    def iter_batches(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> BatchStream:
        """Runs ``sql`` like :meth:`query` and streams the last statement's rows as they
        arrive (see :class:`BatchStream`): for results larger than memory."""
    def iter_batches_async(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> Awaitable[BatchStream]: ...
    def _run_raw(
        self, sql: str, *, worksheet_id: str | None = None, use_admin: bool = False
    ) -> bytes:
        """The run endpoint's raw body, undecoded (the benchmarks' download floor)."""
    def job(self, id: str) -> QueryJob:
        """A handle on an already-submitted query, from its id. Sends nothing."""

def _decode_roe_body(body: bytes, server_timezone: str = "UTC") -> list[QueryResult]:
    """Decodes a Roe run-response body held in memory (the benchmarks' decode floor)."""

def _decimal_objects(column: object) -> list[object]:
    """A decimal128 column (any Arrow C stream) as decimal.Decimal objects, None for NULL."""

class _SlateoCore:
    """Native core of :class:`sqlquarry.SlateoClient` (use that instead)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    def request(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None,
        body: str | None = None,
    ) -> str: ...  # fmt: skip
    def request_async(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None,
        body: str | None = None,
    ) -> Awaitable[str]: ...  # fmt: skip
    def result(self, id: str) -> QueryResult: ...
    def result_async(self, id: str) -> Awaitable[QueryResult]: ...
    def refresh(self, id: str) -> str: ...
    def refresh_async(self, id: str) -> Awaitable[str]: ...
    def run(
        self,
        id: str,
        timeout: float | None = None,
        wait_if_running: bool = False,
    ) -> QueryResult: ...
    def run_async(
        self,
        id: str,
        timeout: float | None = None,
        wait_if_running: bool = False,
    ) -> Awaitable[QueryResult]: ...

class _AIForDatabaseCore:
    """Native core of :class:`sqlquarry.AIForDatabaseClient` (use that instead)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def rate_limit(self) -> dict[str, int | None] | None: ...
    @property
    def last_request_id(self) -> str | None: ...
    def request(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None,
        body: str | None = None,
    ) -> tuple[str, str | None, str | None]: ...  # fmt: skip
    def request_async(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None,
        body: str | None = None,
    ) -> Awaitable[tuple[str, str | None, str | None]]: ...  # fmt: skip
    def ask(self, question: str, connection_id: str, format: str = "table") -> QueryResult: ...
    def ask_async(
        self,
        question: str,
        connection_id: str,
        format: str = "table",
    ) -> Awaitable[QueryResult]: ...
