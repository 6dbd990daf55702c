"""Resource collections (list, get, create, update, delete) over a service's native core.

Every method is written once and has a blocking and an ``_async`` twin (`sqlquarry._twins`);
both run the core's one request call (GIL released, Ctrl-C honoured; retries, errors and
auth in Rust). Lists iterate every page lazily; ``list_page`` returns one page for callers
who want to hold the cursor themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlquarry import _native
from sqlquarry._twins import twins
from sqlquarry.models import Model

if TYPE_CHECKING:
    from sqlquarry._native import _Pending

M = TypeVar("M", bound=Model)


@dataclasses.dataclass(frozen=True)
class Page(Generic[M]):
    """One page of a list: its items and the cursor of the next page (None on the last)."""

    items: list[M]
    next_cursor: str | None


class Api(Protocol):
    """A service's request call and how to read its answers as (data, next cursor)."""

    def request(
        self, method: str, path: str, query: list[tuple[str, str]] | None = None, body: Any = None
    ) -> _Pending[Any]: ...

    def unwrap(self, answer: Any) -> tuple[Any, str | None]: ...


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

    def _one(self, answer: Any) -> M:
        return self._model.from_dict(self._api.unwrap(answer)[0])

    def _page(self, answer: Any) -> Page[M]:
        data, next_cursor = self._api.unwrap(answer)
        return Page([self._model.from_dict(x) for x in data or []], next_cursor)

    @twins(then=_page)
    def list_page(self, *, limit: int | None = None, cursor: str | None = None) -> _Pending[Any]:
        """One page (``limit`` up to 100; the service's default otherwise)."""
        return self._api.request("GET", self._path, page_query(limit, cursor))

    list_page_async = list_page.coroutine

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
        """Every item, as an async iterator (``async for``)."""
        cursor = None
        while True:
            page = await self.list_page_async(limit=limit, cursor=cursor)
            for item in page.items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    @twins(then=_one)
    def get(self, ident: str) -> _Pending[Any]:
        """One item, by id."""
        return self._api.request("GET", self._item(ident))

    get_async = get.coroutine

    @twins(then=lambda self, answer: None)
    def delete(self, ident: str) -> _Pending[Any]:
        """Deletes one item, by id."""
        return self._api.request("DELETE", self._item(ident))

    delete_async = delete.coroutine

    # Typed create/update signatures live in the subclasses, which send through this.
    def _send(self, method: str, path: str, body: Any) -> _Pending[Any]:
        return self._api.request(method, path, None, body)


class Updatable(Collection[M]):
    """A collection whose items change with a PATCH of the named fields."""

    @twins(then=Collection._one)
    def update(self, ident: str, **fields: Any) -> _Pending[Any]:
        """Changes the named fields of one item (a list field is replaced as a whole)."""
        return self._send("PATCH", self._item(ident), fields)

    update_async = update.coroutine
