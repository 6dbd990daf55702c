"""AI for Database: ask questions in plain language, and manage saved queries, dashboards,
workflows, connections and team members."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from sqlquarry import _native
from sqlquarry._client import ServiceClient, native_settings
from sqlquarry._options import CallOptions, ClientSettings
from sqlquarry._resources import Collection, Page, Updatable
from sqlquarry._twins import spelled_out, twins
from sqlquarry.models import (
    Connection,
    ConnectionTest,
    Dashboard,
    SavedQuery,
    TeamMember,
    Workflow,
    WorkflowRun,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from sqlquarry._native import QueryResult, _Pending

__all__ = [
    "AIForDatabaseClient",
    "Connections",
    "Dashboards",
    "SavedQueries",
    "TeamMembers",
    "Workflows",
]


class _EnvelopeApi:
    """Every answer is a ``{data, meta}`` envelope; lists add ``next_cursor`` (beside
    ``data`` or inside it)."""

    def __init__(self, core: _native._AIForDatabaseCore) -> None:
        self.request = core.endpoints.request

    @staticmethod
    def unwrap(answer: Any) -> tuple[Any, str | None]:
        if not isinstance(answer, dict):
            return answer, None
        data = answer.get("data")
        cursor = answer.get("next_cursor")
        if cursor is None and isinstance(data, dict):
            cursor = data.get("next_cursor")
        return data, cursor


class SavedQueries(Collection[SavedQuery]):
    """``/queries``: questions asked earlier (list, get, delete)."""


class Dashboards(Updatable[Dashboard]):
    """``/dashboards``. A widget is ``{type, query_id, position: {x, y, w, h}}``."""

    @twins(then=Collection._one)
    def create(
        self, name: str, *, description: str | None = None, widgets: list[dict] | None = None,
        **fields: Any,
    ) -> _Pending[Any]:  # fmt: skip
        """Creates a dashboard."""
        body = {"name": name, "description": description, "widgets": widgets or [], **fields}
        return self._send("POST", self._path, body)

    create_async = create.coroutine


class Workflows(Collection[Workflow]):
    """``/workflows``: create, trigger and read run history."""

    @twins(then=Collection._one)
    def create(self, name: str, **fields: Any) -> _Pending[Any]:
        """Creates a workflow."""
        return self._send("POST", self._path, {"name": name, **fields})

    create_async = create.coroutine

    @twins(then=lambda self, answer: WorkflowRun.from_dict(self._api.unwrap(answer)[0]))
    def run(self, ident: str, **params: Any) -> _Pending[Any]:
        """Triggers the workflow manually."""
        return self._send("POST", self._item(ident, "/run"), params)

    run_async = run.coroutine

    def _runs(self, ident: str) -> Collection[WorkflowRun]:
        return Collection(self._api, self._item(ident, "/runs"), WorkflowRun)

    def runs(self, ident: str, *, limit: int = 100) -> Iterator[WorkflowRun]:
        """Every run of the workflow, pages fetched as the iteration needs them."""
        return self._runs(ident).list(limit=limit)

    async def runs_async(self, ident: str, *, limit: int = 100) -> AsyncIterator[WorkflowRun]:
        """Every run of the workflow, as an async iterator (``async for``)."""
        async for run in self._runs(ident).list_async(limit=limit):
            yield run

    def runs_page(
        self, ident: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WorkflowRun]:
        """One page of the workflow's runs."""
        return self._runs(ident).list_page(limit=limit, cursor=cursor)

    async def runs_page_async(
        self, ident: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WorkflowRun]:
        """One page of the workflow's runs, awaited."""
        return await self._runs(ident).list_page_async(limit=limit, cursor=cursor)


class Connections(Collection[Connection]):
    """``/connections``: the databases questions run on. Passwords are never returned."""

    @twins(then=Collection._one)
    def create(
        self, type: str, name: str, host: str, port: int, database: str, username: str,
        password: str | None = None, ssl_mode: str | None = None, **fields: Any,
    ) -> _Pending[Any]:  # fmt: skip
        """Adds a database connection."""
        body = {"type": type, "name": name, "host": host, "port": port,
                "database": database, "username": username, **fields}  # fmt: skip
        if password is not None:
            body["password"] = password
        if ssl_mode is not None:
            body["ssl_mode"] = ssl_mode
        return self._send("POST", self._path, body)

    create_async = create.coroutine

    @twins(then=lambda self, answer: ConnectionTest.from_dict(self._api.unwrap(answer)[0]))
    def test(self, ident: str) -> _Pending[Any]:
        """Checks that the service can reach the database."""
        return self._send("POST", self._item(ident, "/test"), {})

    test_async = test.coroutine


class TeamMembers(Collection[TeamMember]):
    """``/team/members``: invite, change roles, remove."""

    @twins(then=Collection._one)
    def invite(self, email: str, role: str) -> _Pending[Any]:
        """Invites `email` with `role`."""
        return self._send("POST", self._path, {"email": email, "role": role})

    invite_async = invite.coroutine

    @twins(then=Collection._one)
    def update_role(self, ident: str, role: str) -> _Pending[Any]:
        """Changes a member's role."""
        return self._send("PATCH", self._item(ident), {"role": role})

    update_role_async = update_role.coroutine

    def remove(self, ident: str) -> None:
        """Removes a member."""
        self.delete(ident)

    async def remove_async(self, ident: str) -> None:
        """Removes a member, awaited."""
        await self.delete_async(ident)


class AIForDatabaseClient(ServiceClient):
    """AI for Database's API: :meth:`ask` questions, and manage :attr:`queries`,
    :attr:`dashboards`, :attr:`workflows`, :attr:`connections` and :attr:`team`.

    Arguments default to ``AIFORDATABASE_API_KEY``, ``AIFORDATABASE_BASE_URL`` (default
    ``https://api.aifordatabase.com/v1``; a self-hosted ``https://host/api/v1`` works),
    ``AIFORDATABASE_TIMEOUT`` and ``AIFORDATABASE_MAX_RETRIES``. Every network method has an
    ``_async`` twin."""

    queries: SavedQueries
    """Questions asked earlier: ``list()``, ``get()``, ``delete()``."""
    dashboards: Dashboards
    """Dashboards: ``list()``, ``get()``, ``create()``, ``update()``, ``delete()``."""
    workflows: Workflows
    """Workflows: ``list()``, ``get()``, ``create()``, ``run()``, ``runs()``."""
    connections: Connections
    """Database connections: ``list()``, ``get()``, ``create()``, ``test()``."""
    team: TeamMembers
    """Team members: ``list()``, ``invite()``, ``update_role()``, ``remove()``."""

    @spelled_out
    def __init__(self, api_key: str | None = None, **settings: Unpack[ClientSettings]) -> None:
        self._core = _native._AIForDatabaseCore(api_key, native_settings(settings))
        api = _EnvelopeApi(self._core)
        self.queries = SavedQueries(api, "/queries", SavedQuery)
        self.dashboards = Dashboards(api, "/dashboards", Dashboard)
        self.workflows = Workflows(api, "/workflows", Workflow)
        self.connections = Connections(api, "/connections", Connection)
        self.team = TeamMembers(api, "/team/members", TeamMember)

    @twins
    def ask(
        self,
        question: str,
        connection_id: str,
        format: str = "table",
        **options: Unpack[CallOptions],
    ) -> _Pending[QueryResult]:
        """Asks in plain language; returns a QueryResult whose columns' types are inferred
        from the values, carrying the generated ``sql``, ``query_id`` and
        ``execution_time_ms``."""
        return self._core.ask(question, connection_id, format, options)

    ask_async = ask.coroutine

    @property
    def rate_limit(self) -> dict[str, int | None] | None:
        """The last response's ``X-RateLimit-*`` headers: ``limit``, ``remaining``, ``reset``."""
        return self._core.rate_limit

    @property
    def last_request_id(self) -> str | None:
        """``meta.request_id`` of the last response."""
        return self._core.last_request_id
