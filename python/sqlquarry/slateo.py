"""Slateo saved queries: list, get, result, refresh, run; and query references."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlquarry import _native
from sqlquarry._client import ServiceClient, native_settings
from sqlquarry._options import CallOptions, ClientSettings
from sqlquarry._resources import Collection, Updatable, check_id
from sqlquarry._twins import spelled_out, twins
from sqlquarry.models import QueryRef, SlateoQuery, SlateoRun

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sqlquarry._native import QueryResult, _Pending

__all__ = ["QueryRefs", "SlateoClient", "SlateoQueries"]


class _SlateoApi:
    """Slateo's lists answer ``{items, nextCursor}``; everything else is the object itself."""

    def __init__(self, core: _native._SlateoCore) -> None:
        self.request = core.endpoints.request

    @staticmethod
    def unwrap(answer: Any) -> tuple[Any, str | None]:
        if isinstance(answer, dict) and "items" in answer:
            return answer["items"], answer.get("nextCursor")
        return answer, None


def _run(_queries: Any, answer: dict[str, Any]) -> SlateoRun:
    return SlateoRun.from_dict(answer)


class QueryRefs(Updatable[QueryRef]):
    """``/api/queries/refs``: bookmarks of saved queries."""

    @twins(then=Collection._one)
    def create(self, query_id: str, name: str, **fields: Any) -> _Pending[Any]:
        """Bookmarks query `query_id` as `name`."""
        return self._send("POST", self._path, {"queryId": query_id, "name": name, **fields})

    create_async = create.coroutine


class SlateoQueries(Collection[SlateoQuery]):
    """``/api/queries``: saved queries, their runs and cached results."""

    def __init__(self, core: _native._SlateoCore) -> None:
        api = _SlateoApi(core)
        super().__init__(api, "/api/queries", SlateoQuery)
        self._core = core
        self.refs = QueryRefs(api, "/api/queries/refs", QueryRef)

    @twins
    def result(self, ident: str, **options: Unpack[CallOptions]) -> _Pending[QueryResult]:
        """The latest completed run's rows as a QueryResult, typed by Slateo's fields."""
        return self._core.result(check_id(ident), options)

    result_async = result.coroutine

    @twins(then=_run)
    def refresh(
        self,
        ident: str,
        *,
        parameter_values: Mapping[str, Any] | None = None,
        **options: Unpack[CallOptions],
    ) -> _Pending[Any]:
        """Starts a new run and returns it, with ``parameter_values`` for the query's
        parameters (sent as ``parameterValues``). Raises ConflictError if the query is
        already running."""
        return self._core.refresh(check_id(ident), parameter_values, options)

    refresh_async = refresh.coroutine

    @twins
    def run(
        self,
        ident: str,
        *,
        wait_if_running: bool = False,
        parameter_values: Mapping[str, Any] | None = None,
        **options: Unpack[CallOptions],
    ) -> _Pending[QueryResult]:
        """Refreshes (with ``parameter_values`` for the query's parameters), waits for the
        run (polling with backoff) and returns its result.

        A query already running raises ConflictError, unless ``wait_if_running`` is true:
        then the running run is waited for instead. Raises TimeoutError after ``timeout``
        and QueryError if the run fails."""
        return self._core.run(check_id(ident), wait_if_running, parameter_values, options)

    run_async = run.coroutine


class SlateoClient(ServiceClient):
    """Slateo's API: saved queries under :attr:`queries` (list, get, result, refresh, run,
    and bookmarks under ``queries.refs``).

    Arguments default to ``SLATEO_API_KEY``, ``SLATEO_BASE_URL`` (default
    ``https://api.slateo.ai``), ``SLATEO_TIMEOUT`` and ``SLATEO_MAX_RETRIES``. Every
    network method has an ``_async`` twin."""

    queries: SlateoQueries
    """Saved queries: ``list()``, ``get()``, ``result()``, ``refresh()``, ``run()``, and
    ``refs`` (bookmarks)."""

    @spelled_out
    def __init__(self, api_key: str | None = None, **settings: Unpack[ClientSettings]) -> None:
        self._core = _native._SlateoCore(api_key, native_settings(settings))
        self.queries = SlateoQueries(self._core)
