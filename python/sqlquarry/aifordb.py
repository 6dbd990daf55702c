"""AI for Database: ask questions in plain language, and manage saved queries, dashboards,
workflows, connections and team members."""

from __future__ import annotations

import json
from typing import Any

from sqlquarry import _native
from sqlquarry._resources import Collection, CoreApi, Page, page_query
from sqlquarry.models import (
    Connection,
    ConnectionTest,
    Dashboard,
    SavedQuery,
    TeamMember,
    Workflow,
    WorkflowRun,
)

__all__ = [
    "AIForDatabaseClient",
    "Connections",
    "Dashboards",
    "SavedQueries",
    "TeamMembers",
    "Workflows",
]


class _EnvelopeApi(CoreApi):
    """The core has unwrapped ``{data, meta}``: (data as JSON text, next_cursor, request id)."""

    def unwrap(self, answer: tuple[str, str | None, str | None]) -> tuple[Any, str | None]:
        data, next_cursor, _ = answer
        return json.loads(data), next_cursor


class SavedQueries(Collection[SavedQuery]):
    """``/queries``: questions asked earlier (list, get, delete)."""


class Dashboards(Collection[Dashboard]):
    """``/dashboards``. A widget is ``{type, query_id, position: {x, y, w, h}}``."""

    def create(
        self, name: str, *, description: str | None = None, widgets: list[dict] | None = None,
        **fields: Any,
    ) -> Dashboard:  # fmt: skip
        body = {"name": name, "description": description, "widgets": widgets or [], **fields}
        return self._send("POST", self._path, body)

    async def create_async(
        self, name: str, *, description: str | None = None, widgets: list[dict] | None = None,
        **fields: Any,
    ) -> Dashboard:  # fmt: skip
        body = {"name": name, "description": description, "widgets": widgets or [], **fields}
        return await self._send_async("POST", self._path, body)

    def update(self, ident: str, **fields: Any) -> Dashboard:
        """Changes the named fields (``widgets`` is replaced as a whole)."""
        return self._update(ident, fields)

    async def update_async(self, ident: str, **fields: Any) -> Dashboard:
        return await self._update_async(ident, fields)


class Workflows(Collection[Workflow]):
    """``/workflows``: create, trigger and read run history."""

    def create(self, name: str, **fields: Any) -> Workflow:
        return self._send("POST", self._path, {"name": name, **fields})

    async def create_async(self, name: str, **fields: Any) -> Workflow:
        return await self._send_async("POST", self._path, {"name": name, **fields})

    def run(self, ident: str, **params: Any) -> WorkflowRun:
        """Triggers the workflow manually."""
        return self._send("POST", self._item(ident, "/run"), params, WorkflowRun)

    async def run_async(self, ident: str, **params: Any) -> WorkflowRun:
        return await self._send_async("POST", self._item(ident, "/run"), params, WorkflowRun)

    def runs(self, ident: str, *, limit: int = 100):
        """Every run of the workflow, newest pages fetched as needed."""
        runs = Collection(self._api, self._item(ident, "/runs"), WorkflowRun)
        return runs.list(limit=limit)

    def runs_async(self, ident: str, *, limit: int = 100):
        runs = Collection(self._api, self._item(ident, "/runs"), WorkflowRun)
        return runs.list_async(limit=limit)

    def runs_page(
        self, ident: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WorkflowRun]:
        data, next_cursor = self._api.call(
            "GET", self._item(ident, "/runs"), page_query(limit, cursor)
        )
        return Page([WorkflowRun.from_dict(x) for x in data or []], next_cursor)


class Connections(Collection[Connection]):
    """``/connections``: the databases questions run on. Passwords are never returned."""

    @staticmethod
    def _body(
        type: str,
        name: str,
        host: str,
        port: int,
        database: str,
        username: str,
        password: str | None,
        ssl_mode: str | None,
        fields: dict,
    ) -> dict:
        body = {"type": type, "name": name, "host": host, "port": port,
                "database": database, "username": username, **fields}  # fmt: skip
        if password is not None:
            body["password"] = password
        if ssl_mode is not None:
            body["ssl_mode"] = ssl_mode
        return body

    def create(
        self, type: str, name: str, host: str, port: int, database: str, username: str,
        password: str | None = None, ssl_mode: str | None = None, **fields: Any,
    ) -> Connection:  # fmt: skip
        body = self._body(type, name, host, port, database, username, password, ssl_mode, fields)
        return self._send("POST", self._path, body)

    async def create_async(
        self, type: str, name: str, host: str, port: int, database: str, username: str,
        password: str | None = None, ssl_mode: str | None = None, **fields: Any,
    ) -> Connection:  # fmt: skip
        body = self._body(type, name, host, port, database, username, password, ssl_mode, fields)
        return await self._send_async("POST", self._path, body)

    def test(self, ident: str) -> ConnectionTest:
        return self._send("POST", self._item(ident, "/test"), {}, ConnectionTest)

    async def test_async(self, ident: str) -> ConnectionTest:
        return await self._send_async("POST", self._item(ident, "/test"), {}, ConnectionTest)


class TeamMembers(Collection[TeamMember]):
    """``/team/members``: invite, change roles, remove."""

    def invite(self, email: str, role: str) -> TeamMember:
        return self._send("POST", self._path, {"email": email, "role": role})

    async def invite_async(self, email: str, role: str) -> TeamMember:
        return await self._send_async("POST", self._path, {"email": email, "role": role})

    def update_role(self, ident: str, role: str) -> TeamMember:
        return self._send("PATCH", self._item(ident), {"role": role})

    async def update_role_async(self, ident: str, role: str) -> TeamMember:
        return await self._send_async("PATCH", self._item(ident), {"role": role})

    def remove(self, ident: str) -> None:
        self.delete(ident)

    async def remove_async(self, ident: str) -> None:
        await self.delete_async(ident)


class AIForDatabaseClient:
    """AI for Database's API. Arguments default to ``AIFORDATABASE_API_KEY``,
    ``AIFORDATABASE_BASE_URL`` (default ``https://api.aifordatabase.com/v1``; a self-hosted
    ``https://host/api/v1`` works), ``AIFORDATABASE_TIMEOUT`` and
    ``AIFORDATABASE_MAX_RETRIES``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        self._core = _native._AIForDatabaseCore(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            allow_insecure_http=allow_insecure_http,
        )
        api = _EnvelopeApi(self._core)
        self.queries = SavedQueries(api, "/queries", SavedQuery)
        self.dashboards = Dashboards(api, "/dashboards", Dashboard)
        self.workflows = Workflows(api, "/workflows", Workflow)
        self.connections = Connections(api, "/connections", Connection)
        self.team = TeamMembers(api, "/team/members", TeamMember)

    def ask(self, question: str, connection_id: str, format: str = "table"):
        """Asks in plain language; returns a QueryResult whose columns' types are inferred
        from the values, carrying the generated ``sql``, ``query_id`` and
        ``execution_time_ms``."""
        return self._core.ask(question, connection_id, format)

    async def ask_async(self, question: str, connection_id: str, format: str = "table"):
        return await self._core.ask_async(question, connection_id, format)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def rate_limit(self) -> dict[str, int | None] | None:
        """The last response's ``X-RateLimit-*`` headers: ``limit``, ``remaining``, ``reset``."""
        return self._core.rate_limit

    @property
    def last_request_id(self) -> str | None:
        """``meta.request_id`` of the last response."""
        return self._core.last_request_id

    def __repr__(self) -> str:
        return f"AIForDatabaseClient(base_url={self.base_url!r})"
