"""Slateo saved queries: list, get, result, refresh, run; and query references."""

from __future__ import annotations

import json
from typing import Any

from sqlquarry import _native
from sqlquarry._resources import Collection, CoreApi, check_id
from sqlquarry.models import QueryRef, SlateoQuery, SlateoRun

__all__ = ["QueryRefs", "SlateoClient", "SlateoQueries"]


class _SlateoApi(CoreApi):
    """Slateo's lists answer ``{items, nextCursor}``; everything else is the object itself."""

    def unwrap(self, answer: str) -> tuple[Any, str | None]:
        data = json.loads(answer)
        if isinstance(data, dict) and "items" in data:
            return data["items"], data.get("nextCursor")
        return data, None


class QueryRefs(Collection[QueryRef]):
    """``/api/queries/refs``: bookmarks of saved queries."""

    def create(self, query_id: str, name: str, **fields: Any) -> QueryRef:
        return self._send("POST", self._path, {"queryId": query_id, "name": name, **fields})

    async def create_async(self, query_id: str, name: str, **fields: Any) -> QueryRef:
        body = {"queryId": query_id, "name": name, **fields}
        return await self._send_async("POST", self._path, body)

    def update(self, ident: str, **fields: Any) -> QueryRef:
        return self._update(ident, fields)

    async def update_async(self, ident: str, **fields: Any) -> QueryRef:
        return await self._update_async(ident, fields)


class SlateoQueries(Collection[SlateoQuery]):
    """``/api/queries``: saved queries, their runs and cached results."""

    def __init__(self, api: _SlateoApi) -> None:
        super().__init__(api, "/api/queries", SlateoQuery)
        self._core = api.core
        self.refs = QueryRefs(api, "/api/queries/refs", QueryRef)

    def result(self, ident: str):
        """The latest completed run's rows as a QueryResult, typed by Slateo's fields."""
        return self._core.result(check_id(ident))

    async def result_async(self, ident: str):
        return await self._core.result_async(check_id(ident))

    def refresh(self, ident: str) -> SlateoRun:
        """Starts a new run. Raises ConflictError if the query is already running."""
        return SlateoRun.from_dict(json.loads(self._core.refresh(check_id(ident))))

    async def refresh_async(self, ident: str) -> SlateoRun:
        text = await self._core.refresh_async(check_id(ident))
        return SlateoRun.from_dict(json.loads(text))

    def run(self, ident: str, *, timeout: float | None = None, wait_if_running: bool = False):
        """Refreshes, waits for the run (polling with backoff) and returns its result.

        A query already running raises ConflictError, unless ``wait_if_running`` is true:
        then the running run is waited for instead. Raises TimeoutError after ``timeout``
        seconds and QueryError if the run fails."""
        return self._core.run(check_id(ident), timeout, wait_if_running)

    async def run_async(
        self, ident: str, *, timeout: float | None = None, wait_if_running: bool = False
    ):
        return await self._core.run_async(check_id(ident), timeout, wait_if_running)


class SlateoClient:
    """Slateo's API. Arguments default to ``SLATEO_API_KEY``, ``SLATEO_BASE_URL``
    (default ``https://api.slateo.ai``), ``SLATEO_TIMEOUT`` and ``SLATEO_MAX_RETRIES``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        core = _native._SlateoCore(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            allow_insecure_http=allow_insecure_http,
        )
        self.queries = SlateoQueries(_SlateoApi(core))
        self._core = core

    @property
    def base_url(self) -> str:
        return self._core.base_url

    def __repr__(self) -> str:
        return f"SlateoClient(base_url={self.base_url!r})"
