"""AIForDatabaseServer: a local emulator of the AI for Database HTTP API on chDB.

Routes, under `base_path` ("/v1"; "/api/v1" emulates a self-hosted instance;
`server.base_url` is `server.url + base_path`; a trailing slash is optional):

    POST   /queries {question, connection_id, format}     200  ask (the query is saved)
    GET    /queries, /queries/:id;  DELETE /queries/:id
    GET    /dashboards, /dashboards/:id;  POST /dashboards  201;  PATCH, DELETE /dashboards/:id
    GET    /workflows, /workflows/:id;  POST /workflows  201
    POST   /workflows/:id/run  201;  GET /workflows/:id/runs
    GET    /connections, /connections/:id;  POST /connections  201
    POST   /connections/:id/test  200;  DELETE /connections/:id
    GET    /team/members;  POST /team/members  201;  PATCH, DELETE /team/members/:id

Choices where the documentation is silent:

* Success: `{data, meta: {request_id, timestamp}}`.  Lists:
  **`{data: [items], next_cursor, meta}`**: `next_cursor` is a top-level
  sibling of `data` and `meta`, null on the last page.  `limit` is 1..100
  (default 20), items run in creation order; a bad limit or cursor is 422.
  Creation is 201, deletion 200 `{data: {id, deleted: true}}`.
* Errors: `{error: {code, message, details}, meta: {request_id}}` with the
  documented code table; `details` is null or an object: validation_error
  `{field, reason}`, not_found `{resource, id}`, authorization_error
  `{required_scope}`, rate_limit_exceeded `{limit, window_seconds,
  retry_after}`, query_error `{sql, error}` (error is ClickHouse's message),
  connection_error `{connection_id, host, port}`.  Outside the table: 405
  method_not_allowed (with Allow), other 5xx internal_error (an emulator bug,
  an injected fault without a body), other 4xx invalid_request.  A body that
  is not JSON is 422 validation_error; an unknown path 404 not_found.
* Every response (injected faults too) carries `X-Request-Id` (= meta's
  request_id, "req_..."; a client's own X-Request-Id is ignored) and
  `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (unix
  seconds, when the fixed window ends).  `rate_limit` is requests per 60 s
  window or `(limit, window_seconds)`; auth is checked first, so only
  authenticated requests count; a refused request does not count; a 429
  carries `Retry-After` (whole seconds until the window ends).  With
  `rate_limit=None` nothing is enforced and the headers show 1000 of 1000.
* Scopes: `queries`, `dashboards`, `workflows`, `connections`, `team`, each
  with `:read` (GET) and `:write` (other methods, running queries and
  workflows and testing connections included).  `scopes` (None = every scope)
  or `set_scopes(...)`: a request needing a missing scope is 403
  authorization_error, checked after auth, the rate limit and the JSON syntax
  of the body, before any validation of its content or lookup of an id.
* Asking: a question registered with `register_question` (matched after
  trimming, collapsing blanks and case-folding) runs its SQL; else a question
  starting with SELECT, WITH, SHOW or DESCRIBE runs as is; else 422 "cannot
  answer that question".  Several `;`-separated statements run in order and
  the last one's rows are returned.  Unknown connection_id: 404; an
  unreachable connection: 502; a SQL error: 500 query_error (nothing is
  saved).  `format` (default "table") must be a string; it is recorded, and
  results always have the table shape.  Query ids are "q_...".
* Rows are JSON natives: numbers as numbers with every digit, date-times as
  ISO 8601 UTC ("2024-01-15T10:00:00Z"), dates "YYYY-MM-DD", booleans,
  arrays/objects for nested types, NaN and infinities as "nan"/"inf"/"-inf".
* A saved query is `{id, query_id (the same), question, connection_id,
  format, sql, results: {columns, rows, row_count}, execution_time_ms,
  created_at}`; list items leave out `results` and carry `row_count`.
* A dashboard is `{id, name, description, widgets, created_at, updated_at}`;
  a widget `{id, type, query_id, position: {x, y, w, h}, ...other keys kept}`.
  Get, create and update return each widget with `data`: its query's saved
  results (as in GET /queries/:id), null without a query or once the query is
  deleted; list items have no `data`.  PATCH replaces the fields it names
  (`widgets` as a whole list).  Widget query_ids must exist (422).
* A workflow is the created JSON object (a non-empty `name` required) plus
  `id` ("wf_..."), `description` (null by default), `created_at`,
  `updated_at`.  A run `{id, workflow_id, status, started_at, finished_at}` is
  "running" for `workflow_run_seconds`, then "completed" (at once when 0).
* Connections: `type`, `name`, `host`, `database`, `username` non-empty
  strings, `port` 1..65535, optional `password`, `ssl_mode` one of
  disable/allow/prefer/require/verify-ca/verify-full (default prefer).  The
  password is stored but never sent.  Every connection queries the emulator's
  chDB; `conn_local` (type clickhouse) exists from the start.  Testing an
  unreachable connection is 200 with `success: false`.
* Team members `{id, email, role, status, created_at, updated_at}`; status is
  "invited" for invites; `mem_owner` (owner@example.com, admin, active)
  exists from the start; a duplicate email is 422.
* Timestamps are ISO 8601 UTC to the millisecond ("2024-01-15T10:30:00.123Z").
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterable

from ._aifordb_queries import QueriesMixin
from ._aifordb_workspace import (
    LOCAL_CONNECTION_ID,
    ApiError,
    WorkspaceMixin,
    invalid,
)
from ._engine import ChEngine, shared_engine
from ._http import JsonApp, Reply, RequestRecord, json_reply
from ._rest import PageError, RawJson, Store, iso_millis, new_id

AREAS = ("queries", "dashboards", "workflows", "connections", "team")
ALL_SCOPES = frozenset(f"{area}:{access}" for area in AREAS for access in ("read", "write"))
UNLIMITED_NOMINAL = 1000
DEFAULT_WINDOW_SECONDS = 60.0

_RESETTABLE = (
    "api_key",
    "base_path",
    "rate_limit",
    "compression",
    "scopes",
    "workflow_run_seconds",
)
_CODES = {
    401: "authentication_error",
    403: "authorization_error",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
    429: "rate_limit_exceeded",
    502: "connection_error",
}


class AIForDatabaseServer(QueriesMixin, WorkspaceMixin, JsonApp):
    """Emulates the AI for Database REST API (/v1/...) backed by chDB.

    Every constructor argument is a plain attribute that may be changed while
    the server runs; reset() puts them back and restores the initial workspace.
    """

    missing_key_message = "Missing API key"
    invalid_key_message = "Invalid API key"
    bad_json_status = 422

    def __init__(
        self,
        api_key: str = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        base_path: str = "/v1",
        rate_limit: int | tuple[int, float] | None = None,
        compression: str | None = "gzip",
        engine: ChEngine | None = None,
        scopes: Iterable[str] | None = None,
        workflow_run_seconds: float = 0.0,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port, compression=compression)
        self.base_path = base_path
        self.rate_limit = rate_limit
        self.scopes = None if scopes is None else frozenset(scopes)
        self.workflow_run_seconds = workflow_run_seconds
        self.engine = engine if engine is not None else shared_engine()
        self._initial = {name: getattr(self, name) for name in _RESETTABLE}
        self._lock = threading.Lock()
        self._window: tuple[float, int] | None = None  # (start, requests counted)
        self._questions: dict[str, str] = {}
        self._queries = Store()
        self._init_workspace()
        self._routes = self._route_table()

    @property
    def base_url(self) -> str:
        return self.url + self._base()

    # -- public helpers -----------------------------------------------------

    def set_scopes(self, scopes: Iterable[str] | None) -> None:
        """Grant only these scopes (e.g. {"queries:read"}); None grants every scope."""
        self.scopes = None if scopes is None else frozenset(scopes)

    def execute(self, sql: str) -> None:
        """Run setup SQL (several statements allowed) on the backing engine."""
        self.engine.execute(sql)

    def reset(self) -> None:
        """Restore settings; drop faults, the request log, questions, saved queries,
        the rate-limit window and every workspace object but the initial ones."""
        for name, value in self._initial.items():
            setattr(self, name, value)
        self.clear_faults()
        self.clear_requests()
        with self._lock:
            self._window = None
            self._questions.clear()
            self._queries.clear()
        self._clear_workspace()

    # -- protocol hooks -----------------------------------------------------

    def new_request_id(self) -> str:
        return new_id("req_")

    def error_reply(self, request, status, message, headers=None) -> Reply:
        code = _CODES.get(status) or ("internal_error" if status >= 500 else "invalid_request")
        return self._error(request, ApiError(status, code, message, None, headers))

    def handle(self, request, authorization, body_error) -> Reply:
        denied = self._authenticate(authorization, request)
        if denied is not None:
            return denied
        allowed, headers = self._rate(consume=True)
        if not allowed:
            limit, window = self._limits()
            retry = int(headers["Retry-After"])
            details = {"limit": limit, "window_seconds": window, "retry_after": retry}
            err = ApiError(429, "rate_limit_exceeded", "Too many requests", details, headers)
            return self._error(request, err)
        reply = super().handle(request, authorization, body_error)
        return Reply(reply.status, reply.body, {**headers, **reply.headers})

    def finalize(self, request, reply) -> Reply:
        headers = dict(reply.headers)
        if "X-RateLimit-Limit" not in headers:
            headers.update(self._rate(consume=False)[1])
        headers["X-Request-Id"] = request.request_id
        return Reply(reply.status, reply.body, headers)

    # -- envelopes ----------------------------------------------------------

    def _ok(self, request: RequestRecord, status: int, data, raw: RawJson, **top) -> Reply:
        meta = {"request_id": request.request_id, "timestamp": iso_millis(time.time())}
        return Reply(status, raw.dumps({"data": data, **top, "meta": meta}))

    def _error(self, request: RequestRecord | None, err: ApiError) -> Reply:
        body = {
            "error": {"code": err.code, "message": err.message, "details": err.details},
            "meta": {"request_id": request.request_id if request else None},
        }
        return json_reply(err.status, body, err.headers)

    # -- rate limiting ------------------------------------------------------

    def _limits(self) -> tuple[int, float] | None:
        setting = self.rate_limit
        if setting is None:
            return None
        if isinstance(setting, (tuple, list)):
            return int(setting[0]), float(setting[1])
        return int(setting), DEFAULT_WINDOW_SECONDS

    def _rate(self, consume: bool) -> tuple[bool, dict]:
        limits = self._limits()
        limit, window = limits or (UNLIMITED_NOMINAL, DEFAULT_WINDOW_SECONDS)
        now = time.time()
        with self._lock:
            if self._window is None or now >= self._window[0] + window:
                self._window = (now, 0)
            start, used = self._window
            allowed = limits is None or not consume or used < limit
            if limits is not None and consume and allowed:
                used += 1
                self._window = (start, used)
        remaining = limit if limits is None else max(limit - used, 0)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(start + window)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(start + window - now)))
        return allowed, headers

    # -- routing ------------------------------------------------------------

    def _base(self) -> str:
        return "/" + self.base_path.strip("/") if self.base_path.strip("/") else ""

    def _route_table(self) -> list:
        page = self._page
        routes = {
            "queries": {
                "GET": lambda r, i, x: page(self._queries, r, lambda q: q.public(None)),
                "POST": lambda r, i, x: self._ask(r, x),
            },
            "queries/{id}": {
                "GET": lambda r, i, x: (200, self._get_query(i).public(x)),
                "DELETE": lambda r, i, x: self._delete(self._queries, "query", i),
            },
            "dashboards": {
                "GET": lambda r, i, x: page(self._dashboards, r, lambda d: d),
                "POST": lambda r, i, x: self._create_dashboard(r, x),
            },
            "dashboards/{id}": {
                "GET": lambda r, i, x: (200, self._dashboard_json(self._get_dashboard(i), x)),
                "PATCH": lambda r, i, x: self._update_dashboard(i, r, x),
                "DELETE": lambda r, i, x: self._delete(self._dashboards, "dashboard", i),
            },
            "workflows": {
                "GET": lambda r, i, x: page(self._workflows, r, lambda w: w),
                "POST": lambda r, i, x: self._create_workflow(r),
            },
            "workflows/{id}": {"GET": lambda r, i, x: (200, self._get_workflow(i))},
            "workflows/{id}/run": {"POST": lambda r, i, x: self._run_workflow(i)},
            "workflows/{id}/runs": {"GET": lambda r, i, x: self._workflow_runs(i, r)},
            "connections": {
                "GET": lambda r, i, x: page(self._connections, r, lambda c: c.public()),
                "POST": lambda r, i, x: self._create_connection(r),
            },
            "connections/{id}": {
                "GET": lambda r, i, x: (200, self._get_connection(i).public()),
                "DELETE": lambda r, i, x: self._delete(self._connections, "connection", i),
            },
            "connections/{id}/test": {"POST": lambda r, i, x: self._test_connection(i)},
            "team/members": {
                "GET": lambda r, i, x: page(self._members, r, lambda m: m),
                "POST": lambda r, i, x: self._invite(r),
            },
            "team/members/{id}": {
                "PATCH": lambda r, i, x: self._update_member(i, r),
                "DELETE": lambda r, i, x: self._delete(self._members, "member", i),
            },
        }
        return [
            (re.compile(p.replace("{id}", "(?P<id>[^/]+)")), p.split("/")[0], handlers)
            for p, handlers in routes.items()
        ]

    def route(self, request: RequestRecord) -> Reply:
        try:
            return self._route(request)
        except ApiError as err:
            return self._error(request, err)
        except PageError as err:
            field = "cursor" if "cursor" in str(err) else "limit"
            return self._error(request, invalid(field, str(err)))

    def _route(self, request: RequestRecord) -> Reply:
        base, path = self._base(), request.path
        if not path.startswith(base + "/"):
            raise ApiError(404, "not_found", f"No route for {path}", None)
        relative = path[len(base) :].strip("/")
        found = next(
            ((m, area, handlers) for pattern, area, handlers in self._routes
             if (m := pattern.fullmatch(relative))),
            None,
        )  # fmt: skip
        if found is None:
            raise ApiError(404, "not_found", f"No route for {path}", None)
        m, area, handlers = found
        handler = handlers.get(request.method)
        if handler is None:
            allow = {"Allow": ", ".join(handlers)}
            message = f"Method {request.method} not allowed"
            raise ApiError(405, "method_not_allowed", message, None, allow)
        scope = f"{area}:{'read' if request.method == 'GET' else 'write'}"
        if self.scopes is not None and scope not in self.scopes:
            message = f"The API key lacks the {scope} scope"
            raise ApiError(403, "authorization_error", message, {"required_scope": scope})
        raw = RawJson()
        status, data, *rest = handler(request, m.groupdict().get("id"), raw)
        top = {"next_cursor": rest[0]} if rest else {}
        return self._ok(request, status, data, raw, **top)

    def _page(self, store: Store, request: RequestRecord, to_json, where=None):
        with self._lock:
            items, next_cursor = store.page(request.query, where)
            data = [to_json(item) for item in items]
        return 200, data, next_cursor

    def _workflow_runs(self, ident: str, request: RequestRecord):
        self._get_workflow(ident)
        return self._page(
            self._runs, request, lambda r: r.public(), lambda r: r.workflow_id == ident
        )


__all__ = ["ALL_SCOPES", "LOCAL_CONNECTION_ID", "AIForDatabaseServer"]
