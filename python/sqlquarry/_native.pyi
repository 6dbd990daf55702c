"""Typed stubs for the native module (Rust, via pyo3); checked against the built module by
``make lint`` (``mypy.stubtest``).

The public API lives in the Python facades (``sqlquarry.roe``, ``sqlquarry.slateo``,
``sqlquarry.aifordb``), which run these cores' calls: every operation returns a `_Pending`
call that the facade runs with ``wait()`` (blocking) or ``await`` (its ``_async`` twin).
``QueryResult`` and ``BatchStream`` are public as they are.
"""

import datetime
from collections.abc import AsyncIterator, Awaitable, Generator, Iterator, Mapping
from typing import Any, Generic, Literal, TypeVar

# The dataframe libraries are optional extras: without them, these types are Any.
import pandas  # type: ignore[import-not-found, import-untyped, unused-ignore]
import polars  # type: ignore[import-not-found, import-untyped, unused-ignore]
import pyarrow  # type: ignore[import-not-found, import-untyped, unused-ignore]
from typing_extensions import final

_T = TypeVar("_T")

__version__: str
__all__ = [
    "__version__",
    "QueryResult",
    "BatchStream",
    "_Pending",
    "_JsonEndpoints",
    "_RoeCore",
    "_RoeJob",
    "_SlateoCore",
    "_AIForDatabaseCore",
    "_decode_roe_body",
    "_path_segment",
    "_bind_pyformat",
    "_result_from_ipc",
    "_decimal_objects",
    "_settle_before_exit",
]

@final
class QueryResult:
    """The answer to one SQL statement, held as Arrow record batches.

    Implements the Arrow PyCapsule interface, so ``pyarrow.table(result)``,
    ``polars.DataFrame(result)`` and DuckDB read it without a copy. Column types come from
    the service's declared types (ClickHouse's for Roe), never from guessing. ``repr()``
    shows the shape and the first and last rows; notebooks show an HTML table."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The batches as an Arrow C stream (the PyCapsule interface), without a copy."""
    def __arrow_c_schema__(self) -> object:
        """The schema as an Arrow C schema (the PyCapsule interface)."""
    def to_arrow(self) -> pyarrow.Table:
        """A ``pyarrow.Table``. Needs ``pip install 'sqlquarry[pyarrow]'``."""
    def to_pandas(
        self,
        *,
        dtype_backend: Literal["numpy_nullable", "pyarrow"] = "numpy_nullable",
        **kwargs: Any,
    ) -> pandas.DataFrame:
        """A ``pandas.DataFrame`` with nullable dtypes (an integer column with NULLs stays
        integer), tz-aware datetimes and exact decimals (``decimal.Decimal`` objects);
        ``dtype_backend="pyarrow"`` gives ArrowDtype columns instead, decimals included, and
        is the faster one. Other keywords go to ``pyarrow.Table.to_pandas``.
        Needs ``pip install 'sqlquarry[pandas]'``."""
    def to_polars(self) -> polars.DataFrame:
        """A ``polars.DataFrame``; decimals wider than 38 digits and 128-bit integers arrive
        as exact text, at any depth. Needs ``pip install 'sqlquarry[polars]'``."""
    @property
    def schema(self) -> pyarrow.Schema:
        """The Arrow schema (needs pyarrow). Each field's metadata keeps the declared type
        under ``sqlquarry.declared_type``."""
    @property
    def num_rows(self) -> int:
        """The number of rows."""
    def __len__(self) -> int:
        """Return len(self)."""
    @property
    def num_columns(self) -> int:
        """The number of columns."""
    @property
    def column_names(self) -> list[str]:
        """The columns' names, in order."""
    @property
    def column_types(self) -> list[str]:
        """The service's own type names (ClickHouse types for Roe), verbatim."""
    @property
    def query_id(self) -> str | None:
        """The statement's id at the service, when it gave one."""
    @property
    def sql(self) -> str | None:
        """The statement as the service reports it."""
    @property
    def summary(self) -> dict[str, Any]:
        """The service's statistics for the statement as a dict (Roe: ClickHouse's read_rows,
        elapsed_ns, ...; empty when it sent none)."""
    @property
    def start_timestamp(self) -> float | None:
        """Unix seconds when the service started the statement."""
    @property
    def end_timestamp(self) -> float | None:
        """Unix seconds when the service finished the statement."""
    @property
    def start_time(self) -> datetime.datetime | None:
        """When the service started the statement, as a timezone-aware (UTC) datetime."""
    @property
    def end_time(self) -> datetime.datetime | None:
        """When the service finished the statement, as a timezone-aware (UTC) datetime."""
    @property
    def elapsed(self) -> float | None:
        """Seconds the service spent on the statement, when it said."""
    @property
    def execution_time_ms(self) -> float | None:
        """The service's own execution time in milliseconds (AI for Database), when it said."""
    @property
    def warnings(self) -> list[str]:
        """Columns whose type was not understood (returned as text); each was also issued
        as a :class:`sqlquarry.TypeWarning`."""
    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        """Pickles as one Arrow IPC stream (schema, values, types, summary, ids, timings), so a
        result crosses process boundaries (multiprocessing, concurrent.futures)."""
    def _polars_compatible(self) -> QueryResult:
        """The same data with what polars cannot import cast to what it can, at any depth
        (decimal256 as exact text: polars' Arrow import panics on it)."""
    def _repr_html_(self) -> str:
        """The same as an HTML table, for notebooks."""

@final
class BatchStream:
    """A result's rows as ``pyarrow.RecordBatch`` objects, decoded while the response
    arrives; memory stays at a few batches (of up to 65,536 rows) however large the result.
    Iterate with ``for`` or ``async for``; ``close()`` (or leaving a ``with`` block) stops
    the download. Errors in the data raise :class:`sqlquarry.DecodeError` at the batch
    they are in; a response that carries rows for several statements raises
    ConfigurationError (use ``query_all()``)."""

    @property
    def schema(self) -> pyarrow.Schema:
        """The batches' ``pyarrow.Schema``, known before the first batch (to open a
        ``ParquetWriter`` with, say); each field's metadata keeps its declared type."""
    def __iter__(self) -> Iterator[pyarrow.RecordBatch]:
        """Implement iter(self)."""
    def __next__(self) -> pyarrow.RecordBatch:
        """Implement next(self)."""
    def __aiter__(self) -> AsyncIterator[pyarrow.RecordBatch]:
        """Return an awaitable, that resolves in asynchronous iterator."""
    def __anext__(self) -> Awaitable[pyarrow.RecordBatch]:
        """Return a value or raise StopAsyncIteration."""
    def close(self) -> None:
        """Stops the download; iterating afterwards yields nothing."""
    def __enter__(self) -> BatchStream:
        """The stream itself; leaving the block closes it."""
    def __reduce__(self) -> tuple[Any, ...]:
        """Raises TypeError: a stream is a download under way and cannot be pickled."""
    def __exit__(self, _exc_type: object, _exc: object, _tb: object) -> bool:
        """Closes the stream."""

@final
class _Pending(Generic[_T]):
    """One network call, not yet run."""

    def wait(self) -> _T:
        """Runs the call to its end, blocking: the GIL is released meanwhile, and Ctrl-C
        interrupts it (cancelling the request)."""
    def __await__(self) -> Generator[Any, None, _T]:
        """Runs the call on the shared runtime while the event loop waits; cancelling the
        awaiting task cancels the request."""

@final
class _JsonEndpoints:
    def request(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
    ) -> _Pending[Any]:
        """Any JSON endpoint; answers the response body as Python objects."""

# Options and settings are the dicts of sqlquarry._options (CallOptions, ClientSettings).
_Options = Mapping[str, object] | None

@final
class _RoeCore:
    def __new__(
        cls,
        api_key: str | None,
        settings: _Options,
        organization_id: str | None,
        worksheet_id: str | None,
        server_timezone: str | None,
    ) -> _RoeCore: ...
    @property
    def base_url(self) -> str: ...
    @property
    def organization_id(self) -> str | None: ...
    def query(self, sql: str, options: _Options = None) -> _Pending[QueryResult]:
        """Runs `sql`; answers the last statement's result."""
    def query_all(self, sql: str, options: _Options = None) -> _Pending[list[QueryResult]]:
        """Runs `sql`; answers every statement's result."""
    def submit(self, sql: str, options: _Options = None) -> _Pending[_RoeJob]:
        """Submits `sql`; answers its job."""
    def iter_batches(
        self, sql: str, options: _Options = None, batch_rows: int | None = None
    ) -> _Pending[BatchStream]:
        """Runs `sql`; answers a stream of the last statement's record batches."""
    def run_raw(self, sql: str, options: _Options = None) -> _Pending[bytes]:
        """The run endpoint's raw body, undecoded (benchmarks' download floor)."""
    def job(self, id: str) -> _RoeJob:
        """A handle on an already-submitted query, by its id. Sends nothing."""

@final
class _RoeJob:
    @property
    def id(self) -> str: ...
    @property
    def worksheet_query_id(self) -> str | None: ...
    @property
    def task_id(self) -> str | None: ...
    def status(self) -> _Pending[str]:
        """Answers the service's status word now."""
    def wait(self, options: _Options = None) -> _Pending[QueryResult]:
        """Waits for the job; answers the last statement's result."""
    def wait_all(self, options: _Options = None) -> _Pending[list[QueryResult]]:
        """Waits for the job; answers every statement's result."""
    def iter_batches(
        self, options: _Options = None, batch_rows: int | None = None
    ) -> _Pending[BatchStream]:
        """Waits for the job; answers a stream of the last statement's record batches."""

@final
class _SlateoCore:
    def __new__(cls, api_key: str | None, settings: _Options) -> _SlateoCore: ...
    @property
    def base_url(self) -> str: ...
    @property
    def endpoints(self) -> _JsonEndpoints:
        """Lists, gets and bookmarks: any JSON endpoint."""
    def result(self, id: str, options: _Options = None) -> _Pending[QueryResult]:
        """Answers the latest completed run's rows."""
    def refresh(
        self,
        id: str,
        parameter_values: Mapping[str, Any] | None = None,
        options: _Options = None,
    ) -> _Pending[dict[str, Any]]:
        """Starts a run (with `parameter_values` for the query's parameters); answers the run."""
    def run(
        self,
        id: str,
        wait_if_running: bool,
        parameter_values: Mapping[str, Any] | None = None,
        options: _Options = None,
    ) -> _Pending[QueryResult]:
        """Refreshes, waits for the run and answers its result."""

@final
class _AIForDatabaseCore:
    def __new__(cls, api_key: str | None, settings: _Options) -> _AIForDatabaseCore: ...
    @property
    def rate_limit(self) -> dict[str, int | None] | None:
        """The last response's `X-RateLimit-*` headers."""
    @property
    def last_request_id(self) -> str | None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def endpoints(self) -> _JsonEndpoints:
        """Saved queries, dashboards, workflows, connections and team: any JSON endpoint
        (answers keep their `{data, meta}` envelope)."""
    def ask(
        self, question: str, connection_id: str, format: str, options: _Options = None
    ) -> _Pending[QueryResult]:
        """Asks in plain language; answers the rows with inferred types."""

def _decode_roe_body(body: bytes, server_timezone: str = "UTC") -> list[QueryResult]:
    """Decodes a Roe run-response body already in memory, without the GIL, through the same
    reader as a response arriving."""

def _decimal_objects(column: object) -> list[object]:
    """A decimal128 column (scale >= 0) as a list of `decimal.Decimal`, None for NULL: the
    same values, scale and all, as pyarrow's `to_pandas` gives."""

def _settle_before_exit() -> None:
    """Registered with `atexit`: lets the runtime's threads leave Python before the
    interpreter finalizes (see src/python/runtime.rs)."""

def _bind_pyformat(sql: str, params: Any = None) -> str:
    """DB-API's `sql % params` done safely (`paramstyle = "pyformat"`): a mapping fills
    `%(name)s`, a sequence `%s`; None leaves the SQL as it is."""

def _result_from_ipc(data: bytes) -> QueryResult:
    """A pickled result, back (`QueryResult.__reduce__`)."""

def _path_segment(id: str) -> str:
    """An id as one URL path segment (`transport::path::segment`); ValueError when it cannot be."""
