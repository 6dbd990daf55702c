"""Resource collections (list, get, create, update, delete) over a service's native core.

Every method has a blocking twin and an ``_async`` twin; both go through the core's one
Rust request function (GIL released, Ctrl-C honoured; retries, errors and auth in Rust).
Lists iterate every page lazily; ``list_page`` returns one page for callers who want to
hold the cursor themselves.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, Protocol, TypeVar

from sqlquarry import _native
from sqlquarry.models import Model

M = TypeVar("M", bound=Model)


@dataclasses.dataclass(frozen=True)
class Page(Generic[M]):
    """One page of a list: its items and the cursor of the next page (None on the last)."""

    items: list[M]
    next_cursor: str | None


class Api(Protocol):
    """A service's request function: (method, path, query, body) -> (data, next cursor)."""

    def call(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None, body: Any = None
    ) -> tuple[Any, str | None]: ...

    async def call_async(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None, body: Any = None
    ) -> tuple[Any, str | None]: ...


def body_json(body: Any) -> str | None:
    return None if body is None else json.dumps(body)


class CoreApi:
    """An `Api` over a native core's `request`/`request_async`; subclasses say how to read
    the service's answer into (data, next cursor)."""

    def __init__(self, core: Any) -> None:
        self.core = core

    def unwrap(self, answer: Any) -> tuple[Any, str | None]:
        raise NotImplementedError

    def call(self, method, path, query=None, body=None):
        return self.unwrap(self.core.request(method, path, query, body_json(body)))

    async def call_async(self, method, path, query=None, body=None):
        return self.unwrap(await self.core.request_async(method, path, query, body_json(body)))


def check_id(ident: str) -> str:
    """`ident` itself, once it is known to be a usable id (one URL path segment)."""
    segment(ident)
    return ident


def segment(ident: str) -> str:
    """An id as one path segment; ConfigurationError for '', ' ', '.' or '..'."""
    if not isinstance(ident, str):
        raise TypeError(f"an id must be a string, got {type(ident).__name__} {ident!r}")
    return _native._path_segment(ident)


def page_query(limit: int | None, cursor: str | None) -> list[tuple[str, str]]:
    query = []
    if limit is not None:
        if not 1 <= limit <= 100:
            raise ValueError(f"limit must be from 1 to 100, got {limit}")
        query.append(("limit", str(limit)))
    if cursor is not None:
        query.append(("cursor", cursor))
    return query


class Collection(Generic[M]):
    """The endpoints under one path, returning ``model`` objects."""

    def __init__(self, api: Api, path: str, model: type[M]) -> None:
        self._api = api
        self._path = path
        self._model = model

    def _item(self, ident: str, suffix: str = "") -> str:
        return f"{self._path}/{segment(ident)}{suffix}"

    def _page(self, data: Any, next_cursor: str | None) -> Page[M]:
        return Page([self._model.from_dict(x) for x in data or []], next_cursor)

    def list_page(self, *, limit: int | None = None, cursor: str | None = None) -> Page[M]:
        """One page (``limit`` up to 100; the service's default otherwise)."""
        return self._page(*self._api.call("GET", self._path, page_query(limit, cursor)))

    async def list_page_async(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[M]:
        return self._page(*await self._api.call_async("GET", self._path, page_query(limit, cursor)))

    def list(self, *, limit: int = 100) -> Iterator[M]:
        """Every item, fetching pages of ``limit`` as the iteration needs them."""
        cursor = None
        while True:
            page = self.list_page(limit=limit, cursor=cursor)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def list_async(self, *, limit: int = 100) -> AsyncIterator[M]:
        cursor = None
        while True:
            page = await self.list_page_async(limit=limit, cursor=cursor)
            for item in page.items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def get(self, ident: str) -> M:
        return self._model.from_dict(self._api.call("GET", self._item(ident))[0])

    async def get_async(self, ident: str) -> M:
        return self._model.from_dict((await self._api.call_async("GET", self._item(ident)))[0])

    def delete(self, ident: str) -> None:
        self._api.call("DELETE", self._item(ident))

    async def delete_async(self, ident: str) -> None:
        await self._api.call_async("DELETE", self._item(ident))

    def _update(self, ident: str, fields: dict[str, Any]) -> M:
        """PATCHes the named fields of one item."""
        return self._send("PATCH", self._item(ident), fields)

    async def _update_async(self, ident: str, fields: dict[str, Any]) -> M:
        return await self._send_async("PATCH", self._item(ident), fields)

    # Typed create/update signatures live in the subclasses, which call these.
    def _send(self, method: str, path: str, body: Any, model: type[Model] | None = None) -> Any:
        data = self._api.call(method, path, None, body)[0]
        return (model or self._model).from_dict(data)

    async def _send_async(
        self, method: str, path: str, body: Any, model: type[Model] | None = None
    ) -> Any:
        data = (await self._api.call_async(method, path, None, body))[0]
        return (model or self._model).from_dict(data)
