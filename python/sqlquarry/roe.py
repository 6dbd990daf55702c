"""Roe AI database queries: run-and-wait, submit and wait, and streams of record batches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlquarry import _native
from sqlquarry._client import ServiceClient, native_settings
from sqlquarry._options import CallOptions, ClientSettings, document
from sqlquarry._twins import spelled_out, twins

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sqlquarry._native import BatchStream, QueryResult, _Pending

__all__ = ["QueryJob", "RoeCallOptions", "RoeClient"]


class RoeCallOptions(CallOptions, total=False):
    parameters: Mapping[str, Any] | None
    worksheet_id: str | None
    use_admin: bool


document(
    RoeCallOptions,
    {
        "parameters": "values for the SQL's {name:Type} placeholders, bound on the client: "
        "each is checked against its declared type and rendered as an exact, escaped "
        "ClickHouse literal (see the README, Parameters)",
        "worksheet_id": "the worksheet to run in (default: the client's)",
        "use_admin": "run with the organization's admin connection",
    },
    defaults={"use_admin": False},
    base=CallOptions,
)


class QueryJob:
    """A query submitted with :meth:`RoeClient.submit`, running on the service."""

    worksheet_query_id: str | None
    """The worksheet query id the service gave, if any."""
    task_id: str | None
    """The task id the service gave, if any."""

    def __init__(self, native: _native._RoeJob) -> None:
        self._job = native
        self.worksheet_query_id = native.worksheet_query_id
        self.task_id = native.task_id

    @property
    def id(self) -> str:
        """The id used for status and result requests (the worksheet query id when the
        service gave one, else the task id; the other is tried after a 404)."""
        return self._job.id

    def __repr__(self) -> str:
        return f"QueryJob(id={self.id!r})"

    def __reduce__(self) -> Any:
        raise TypeError(
            "a QueryJob cannot be pickled (it holds its client and key): send job.id to the "
            "worker and call client.job(id) there"
        )

    @twins
    def status(self) -> _Pending[str]:
        """The service's status word now: PENDING, STARTED, SUCCESS, FAILURE, ..."""
        return self._job.status()

    status_async = status.coroutine

    @twins
    def wait(self, **options: Unpack[CallOptions]) -> _Pending[QueryResult]:
        """Polls (from 50 ms, backing off to 2 s) until the query finishes and returns the
        last statement's result. Raises TimeoutError after ``timeout`` (the query keeps
        running: call again) and QueryError if it failed."""
        return self._job.wait(options)

    wait_async = wait.coroutine

    @twins
    def wait_all(self, **options: Unpack[CallOptions]) -> _Pending[list[QueryResult]]:
        """Like :meth:`wait`, returning every statement's result."""
        return self._job.wait_all(options)

    wait_all_async = wait_all.coroutine

    @twins
    def iter_batches(
        self, *, batch_rows: int | None = None, **options: Unpack[CallOptions]
    ) -> _Pending[BatchStream]:
        """Waits like :meth:`wait`, then streams the last statement's rows as they arrive
        (see :class:`BatchStream`); the timeout bounds the wait and the stream's opening.
        ``batch_rows``: every batch but the last has exactly this many rows (default: as
        decoded, up to 65,536)."""
        return self._job.iter_batches(options, batch_rows)

    iter_batches_async = iter_batches.coroutine


def _job(_client: RoeClient, native: _native._RoeJob) -> QueryJob:
    return QueryJob(native)


class RoeClient(ServiceClient):
    """Roe AI's database queries.

    Arguments default to the environment variables the official Roe SDKs read:
    ``ROE_API_KEY``, ``ROE_ORGANIZATION_ID``, ``ROE_BASE_URL`` (default
    ``https://api.roe-ai.com``), ``ROE_TIMEOUT`` and ``ROE_MAX_RETRIES``.
    ``server_timezone`` is the zone of DateTime columns that declare none (default UTC).

    Every network method has an ``_async`` twin (``query_async``, ...) running the same
    Rust code: ``asyncio.run(roe.query_async(sql))`` works. Blocking calls release the GIL,
    answer Ctrl-C promptly and never start an event loop (they work inside Jupyter).
    """

    @spelled_out
    def __init__(
        self,
        api_key: str | None = None,
        *,
        organization_id: str | None = None,
        worksheet_id: str | None = None,
        server_timezone: str | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self._core = _native._RoeCore(
            api_key, native_settings(settings), organization_id, worksheet_id, server_timezone
        )

    _repr_extra = ("organization_id",)

    @property
    def organization_id(self) -> str | None:
        """The organization the client acts for (``ROE_ORGANIZATION_ID``), if any."""
        return self._core.organization_id

    @twins
    def query(self, sql: str, **options: Unpack[RoeCallOptions]) -> _Pending[QueryResult]:
        """Runs `sql` (one or more statements) and returns the last statement's result,
        decoded while the response arrives."""
        return self._core.query(sql, options)

    query_async = query.coroutine

    @twins
    def query_all(self, sql: str, **options: Unpack[RoeCallOptions]) -> _Pending[list[QueryResult]]:
        """Runs `sql` and returns every statement's result, in order."""
        return self._core.query_all(sql, options)

    query_all_async = query_all.coroutine

    @twins(then=_job)
    def submit(self, sql: str, **options: Unpack[RoeCallOptions]) -> _Pending[_native._RoeJob]:
        """Submits `sql` to run in the background and returns its :class:`QueryJob` at once
        (``POST /v1/database/query/async/``); needs an organization or worksheet id."""
        return self._core.submit(sql, options)

    submit_async = submit.coroutine

    @twins
    def iter_batches(
        self, sql: str, *, batch_rows: int | None = None, **options: Unpack[RoeCallOptions]
    ) -> _Pending[BatchStream]:
        """Runs `sql` and streams the last statement's rows as ``pyarrow.RecordBatch``
        objects, decoded as they arrive: memory stays at a few batches however large the
        result. Use it in a ``with`` block (or ``close()`` it) to stop the download early.
        The timeout bounds the call until the stream opens. ``batch_rows``: every batch
        but the last has exactly this many rows (default: as decoded, up to 65,536)."""
        return self._core.iter_batches(sql, options, batch_rows)

    iter_batches_async = iter_batches.coroutine

    def job(self, id: str) -> QueryJob:
        """A handle on an already-submitted query, by its id. Sends nothing."""
        return QueryJob(self._core.job(id))

    def _run_raw(self, sql: str) -> bytes:
        """The run endpoint's raw body, undecoded (the benchmarks' download floor)."""
        return self._core.run_raw(sql).wait()
