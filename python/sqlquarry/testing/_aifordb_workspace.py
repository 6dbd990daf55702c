"""AI for Database emulator: dashboards, workflows, connections and team members.

A mixin of `AIForDatabaseServer` (see `_aifordb` for the documented choices);
handlers return `(status, data)` or raise `ApiError`.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from ._http import RequestRecord
from ._rest import RawJson, Store, iso_millis, new_id

ROLES = ("admin", "editor", "viewer")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
LOCAL_CONNECTION_ID = "conn_local"
OWNER_MEMBER_ID = "mem_owner"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DEFAULT_POSITION = {"x": 0, "y": 0, "w": 6, "h": 4}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details=None, headers: dict | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or {}


def invalid(field: str, reason: str) -> ApiError:
    return ApiError(
        422, "validation_error", f"{field}: {reason}", {"field": field, "reason": reason}
    )


def not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, "not_found", f"{kind} {ident} not found", {"resource": kind, "id": ident})


def object_body(request: RequestRecord) -> dict:
    if not isinstance(request.body, dict):
        raise ApiError(422, "validation_error", "The request body must be a JSON object", None)
    return request.body


def text(body: dict, name: str, required: bool = True, default=None, prefix: str = ""):
    value = body.get(name, default)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(prefix + name, "must be a non-empty string")
    return value


@dataclass
class Connection:
    id: str
    type: str
    name: str
    host: str
    port: int
    database: str
    username: str
    ssl_mode: str
    created_at: float
    password: str | None = None  # kept, never sent
    reachable: bool = True

    def public(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "username": self.username,
            "ssl_mode": self.ssl_mode,
            "created_at": iso_millis(self.created_at),
        }


@dataclass
class WorkflowRun:
    id: str
    workflow_id: str
    started_at: float
    started_mono: float
    seconds: float

    def public(self) -> dict:
        done = time.monotonic() - self.started_mono >= self.seconds
        return {
            "id": self.id,
            "workflow_id": self.workflow_id,
            "status": "completed" if done else "running",
            "started_at": iso_millis(self.started_at),
            "finished_at": iso_millis(self.started_at + self.seconds) if done else None,
        }


class WorkspaceMixin:
    """State and handlers for everything but natural-language queries."""

    _lock: threading.Lock
    workflow_run_seconds: float

    def _init_workspace(self) -> None:
        self._dashboards = Store()
        self._workflows = Store()
        self._runs = Store()
        self._connections = Store()
        self._members = Store()
        self._seed_workspace()

    def _seed_workspace(self) -> None:
        local = Connection(
            LOCAL_CONNECTION_ID, "clickhouse", "Local chDB", "localhost", 9000,
            "default", "default", "disable", time.time(),
        )  # fmt: skip
        self._connections.add(local.id, local)
        now = iso_millis(time.time())
        owner = {
            "id": OWNER_MEMBER_ID, "email": "owner@example.com", "role": "admin",
            "status": "active", "created_at": now, "updated_at": now,
        }  # fmt: skip
        self._members.add(owner["id"], owner)

    def _clear_workspace(self) -> None:
        with self._lock:
            for store in (self._dashboards, self._workflows, self._runs):
                store.clear()
            self._connections.clear()
            self._members.clear()
            self._seed_workspace()

    # -- connections: helpers ----------------------------------------------

    def add_connection(
        self,
        name: str = "Emulated DB",
        type: str = "postgresql",  # noqa: A002
        host: str = "db.example.com",
        port: int = 5432,
        database: str = "production",
        username: str = "reader",
        password: str | None = "secret",
        ssl_mode: str = "require",
        reachable: bool = True,
        id: str | None = None,  # noqa: A002
    ) -> str:
        """Create a connection (every one queries the emulator's chDB); return its id."""
        conn = Connection(
            id or new_id("conn_"), type, name, host, int(port), database, username,
            ssl_mode, time.time(), password, reachable,
        )  # fmt: skip
        with self._lock:
            self._connections.add(conn.id, conn)
        return conn.id

    def break_connection(self, connection_id: str, reachable: bool = False) -> None:
        """Make a connection unreachable (502 connection_error), or reachable again."""
        with self._lock:
            conn = self._connections.get(connection_id)
            if conn is None:
                raise KeyError(connection_id)
            conn.reachable = reachable

    def restore_connection(self, connection_id: str) -> None:
        self.break_connection(connection_id, reachable=True)

    # -- connections: endpoints ----------------------------------------------

    def _get_connection(self, ident: str) -> Connection:
        with self._lock:
            conn = self._connections.get(ident)
        if conn is None:
            raise not_found("connection", ident)
        return conn

    def _create_connection(self, request: RequestRecord):
        body = object_body(request)
        fields = {n: text(body, n) for n in ("type", "name", "host", "database", "username")}
        port = body.get("port")
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise invalid("port", "must be an integer between 1 and 65535")
        password = body.get("password")
        if password is not None and not isinstance(password, str):
            raise invalid("password", "must be a string")
        ssl_mode = body.get("ssl_mode", "prefer")
        if ssl_mode not in SSL_MODES:
            raise invalid("ssl_mode", f"must be one of {', '.join(SSL_MODES)}")
        conn = Connection(
            new_id("conn_"), port=port, ssl_mode=ssl_mode, created_at=time.time(),
            password=password, **fields,
        )  # fmt: skip
        with self._lock:
            self._connections.add(conn.id, conn)
        return 201, conn.public()

    def _test_connection(self, ident: str):
        conn = self._get_connection(ident)
        if not conn.reachable:
            message = f"Could not connect to {conn.host}:{conn.port}: connection refused"
            return 200, {"success": False, "latency_ms": None, "message": message}
        start = time.monotonic()
        self.engine.run("SELECT 1")
        latency = max(1, round((time.monotonic() - start) * 1000))
        return 200, {"success": True, "latency_ms": latency, "message": "Connection successful"}

    # -- dashboards --------------------------------------------------------

    def _dashboard_fields(self, body: dict, partial: bool) -> dict:
        out = {}
        if not partial or "name" in body:
            out["name"] = text(body, "name")
        if "description" in body or not partial:
            description = body.get("description")
            if description is not None and not isinstance(description, str):
                raise invalid("description", "must be a string or null")
            out["description"] = description
        if "widgets" in body or not partial:
            out["widgets"] = self._widgets(body.get("widgets", []))
        return out

    def _widgets(self, widgets) -> list[dict]:
        if not isinstance(widgets, list):
            raise invalid("widgets", "must be an array")
        out = []
        for i, widget in enumerate(widgets):
            where = f"widgets[{i}]"
            if not isinstance(widget, dict):
                raise invalid(where, "must be an object")
            text(widget, "type", prefix=where + ".")
            query_id = widget.get("query_id")
            if query_id is not None:
                if not isinstance(query_id, str):
                    raise invalid(where + ".query_id", "must be a string")
                with self._lock:
                    if query_id not in self._queries:
                        raise invalid(where + ".query_id", f"query {query_id} does not exist")
            position = widget.get("position", _DEFAULT_POSITION)
            if not isinstance(position, dict) or any(
                isinstance(position.get(k), bool) or not isinstance(position.get(k), int)
                or position[k] < (1 if k in "wh" else 0)
                for k in "xywh"
            ):  # fmt: skip
                raise invalid(where + ".position", "needs integers x, y >= 0 and w, h >= 1")
            position = {k: position[k] for k in "xywh"}
            kept = {k: v for k, v in widget.items() if k != "data"}  # data is served, not stored
            out.append({**kept, "id": new_id("wgt_"), "query_id": query_id, "position": position})
        return out

    def _dashboard_json(self, dashboard: dict, raw: RawJson | None):
        """The dashboard; with `raw`, each widget carries its query's current results."""
        if raw is None:
            return dashboard
        widgets = []
        for widget in dashboard["widgets"]:
            with self._lock:
                saved = self._queries.get(widget["query_id"]) if widget["query_id"] else None
            data = None if saved is None else saved.results(raw)
            widgets.append({**widget, "data": data})
        return {**dashboard, "widgets": widgets}

    def _get_dashboard(self, ident: str) -> dict:
        with self._lock:
            dashboard = self._dashboards.get(ident)
        if dashboard is None:
            raise not_found("dashboard", ident)
        return dashboard

    def _create_dashboard(self, request: RequestRecord, raw: RawJson):
        now = iso_millis(time.time())
        fields = self._dashboard_fields(object_body(request), partial=False)
        dashboard = {"id": new_id("dash_"), **fields, "created_at": now, "updated_at": now}
        with self._lock:
            self._dashboards.add(dashboard["id"], dashboard)
        return 201, self._dashboard_json(dashboard, raw)

    def _update_dashboard(self, ident: str, request: RequestRecord, raw: RawJson):
        fields = self._dashboard_fields(object_body(request), partial=True)
        dashboard = self._get_dashboard(ident)
        with self._lock:
            dashboard.update(fields, updated_at=iso_millis(time.time()))
        return 200, self._dashboard_json(dashboard, raw)

    # -- workflows ---------------------------------------------------------

    def _get_workflow(self, ident: str) -> dict:
        with self._lock:
            workflow = self._workflows.get(ident)
        if workflow is None:
            raise not_found("workflow", ident)
        return workflow

    def _create_workflow(self, request: RequestRecord):
        body = object_body(request)
        text(body, "name")
        now = iso_millis(time.time())
        workflow = {"description": None, **body, "id": new_id("wf_")}
        workflow.update(created_at=now, updated_at=now)
        with self._lock:
            self._workflows.add(workflow["id"], workflow)
        return 201, workflow

    def _run_workflow(self, ident: str):
        workflow = self._get_workflow(ident)
        seconds = max(float(self.workflow_run_seconds), 0.0)
        run = WorkflowRun(new_id("run_"), workflow["id"], time.time(), time.monotonic(), seconds)
        with self._lock:
            self._runs.add(run.id, run)
        return 201, run.public()

    # -- team --------------------------------------------------------------

    def _role(self, body: dict) -> str:
        role = body.get("role")
        if role not in ROLES:
            raise invalid("role", f"must be one of {', '.join(ROLES)}")
        return role

    def _invite(self, request: RequestRecord):
        body = object_body(request)
        email = body.get("email")
        if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
            raise invalid("email", "must be an email address")
        email, role = email.strip(), self._role(body)
        now = iso_millis(time.time())
        member = {
            "id": new_id("mem_"), "email": email, "role": role, "status": "invited",
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        with self._lock:
            if any(m["email"].lower() == email.lower() for m in self._members.values()):
                raise invalid("email", "is already a member of the team")
            self._members.add(member["id"], member)
        return 201, member

    def _update_member(self, ident: str, request: RequestRecord):
        role = self._role(object_body(request))
        with self._lock:
            member = self._members.get(ident)
            if member is None:
                raise not_found("member", ident)
            member.update(role=role, updated_at=iso_millis(time.time()))
        return 200, member

    # -- shared ------------------------------------------------------------

    def _delete(self, store: Store, kind: str, ident: str):
        with self._lock:
            if store.pop(ident) is None:
                raise not_found(kind, ident)
        return 200, {"id": ident, "deleted": True}
