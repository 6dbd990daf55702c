"""SlateoServer: a local emulator of Slateo's saved-queries HTTP API on chDB.

Routes (base URL `server.url`, paths under `/api`, a trailing slash is optional):

    GET    /api/queries?limit=&cursor=     {items: [query], nextCursor}
    GET    /api/queries/{id}               query with latestRun and latestRunMetadata
    POST   /api/queries/{id}/refresh       200, a run with status "pending"
    GET    /api/queries/{id}/result        {fields: [{name, type}], rows, rowCount}
    GET    /api/queries/refs               {items: [ref], nextCursor}
    POST   /api/queries/refs               201, a ref {id, queryId, name, permalink, ...}
    GET    /api/queries/refs/{id}          the ref
    PATCH  /api/queries/refs/{id}          200, the updated ref (name and/or queryId)
    DELETE /api/queries/refs/{id}          204, no body

Queries cannot be created over HTTP (the docs show no such endpoint): tests
register them with `add_query()`.  `refs` is reserved, never a query id.

Choices where Slateo's documentation is silent:

* Errors are `{type, message, documentation_url}` with type "invalid_request"
  for every 4xx (401 included) and "api_error" for 5xx.  Refreshing a query
  whose latest run is pending or running answers **409** "Query is already
  running"; a bad `limit` (not an integer, < 1 or > 100) or cursor is 400; an
  unknown id in the path is 404, an unknown `queryId` in a ref body is 400;
  a method a route does not have is 405 (with an Allow header).
* Lists run in creation order (oldest first); `nextCursor` is the base64 of
  `{"id": <last id on the page>}`, null on the last page.
* Timestamps are ISO 8601 UTC to the second ("2024-01-15T10:30:00Z").
* Refs: ids are UUIDs; `permalink` is "https://app.slateo.ai/refs/<ref id>";
  create needs a non-empty `name` and an existing `queryId`, PATCH changes
  either, other body fields are ignored; `documentation_url` is always
  DOCUMENTATION_URL ("https://docs.slateo.ai/api-reference/errors", unverified).
* Ids: query ids are UUIDs unless given to add_query; runs "run_<hex>",
  triggers "trigger_<hex>" (a new trigger per refresh).
* A run is "pending" for the first half of `run_seconds` after the refresh and
  "running" for the second half (the SQL runs at once in a background thread;
  the run stays "running" until it has finished, however long that takes),
  then "completed" or "failed".  In list items `latestRun` is
  `{id, status, runAt}` as in the documented example; the retrieve endpoint
  adds `completedAt` (null until the run ends).  `latestRun` and
  `latestRunMetadata` are null for a query never refreshed.
  `latestRunMetadata.rowsRead` is ClickHouse's read_rows (0 until the run
  ends), `rowsWritten` is always 0, and the emulator adds
  `latestRunMetadata.error`: ClickHouse's message for a failed run, else null.
* A saved query may hold several `;`-separated statements: all run in order
  and the result is the last statement's.
* `/result` serves the latest completed run; a later failed or unfinished run
  does not hide it; 404 "Query has no completed run" before any completes.
  Results never expire (the live service caches them 24 h).
* Result field types map ClickHouse types (Nullable and LowCardinality
  unwrapped) to Slateo's names: Int*/UInt* -> "integer", Float*/BFloat16 ->
  "float", Decimal* -> "decimal", String, FixedString, UUID, Enum*, IPv4, IPv6
  -> "string", DateTime, DateTime64 -> "timestamp", Date, Date32 -> "date",
  Bool -> "boolean", Array, Map, Tuple, Nested, JSON, Object -> "json";
  anything else is its ClickHouse name without parameters, lower-cased
  (e.g. "nothing" for a bare NULL, "intervalday", "time64", "variant").
* Values are JSON natives: numbers as numbers with every digit (64-bit and
  wider integers, decimals); timestamps as "2024-01-15T10:00:00Z" (with the
  column's fractional digits, always in UTC); dates as "YYYY-MM-DD"; booleans
  as true/false; json values as native arrays/objects (a named tuple as an
  object); NaN and infinities as the strings "nan", "inf", "-inf"; null for NULL.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from ._engine import ChEngine, EngineError, StatementResult, shared_engine, split_statements
from ._http import JsonApp, Reply, RequestRecord, json_reply, json_splice
from ._rest import PageError, Store, iso_seconds, new_id, result_rows
from ._slateo_refs import DOCUMENTATION_URL, RefsMixin, SlateoError, allow, error_body

_RESETTABLE = ("api_key", "run_seconds", "compression")

_QUERIES = re.compile(r"/api/queries/?")
_QUERY = re.compile(r"/api/queries/(?P<id>[^/]+)/?")
_ACTION = re.compile(r"/api/queries/(?P<id>[^/]+)/(?P<action>result|refresh)/?")
_REFS = re.compile(r"/api/queries/refs/?")
_REF = re.compile(r"/api/queries/refs/(?P<id>[^/]+)/?")

_WRAPPERS = re.compile(r"(?:Nullable|LowCardinality)\((.*)\)")
_TYPE_NAMES = {
    "integer": re.compile(r"U?Int\d+"),
    "float": re.compile(r"Float\d+|BFloat16"),
    "decimal": re.compile(r"Decimal\d*"),
    "string": re.compile(r"String|FixedString|UUID|Enum\d*|IPv4|IPv6"),
    "timestamp": re.compile(r"DateTime(?:64)?"),
    "date": re.compile(r"Date(?:32)?"),
    "boolean": re.compile(r"Bool"),
    "json": re.compile(r"Array|Map|Tuple|Nested|JSON|Object"),
}


def slateo_type(clickhouse_type: str) -> str:
    """Slateo's field type name for a ClickHouse column type."""
    inner = clickhouse_type.strip()
    while m := _WRAPPERS.fullmatch(inner):
        inner = m.group(1).strip()
    base = inner.split("(", 1)[0].strip()
    for name, pattern in _TYPE_NAMES.items():
        if pattern.fullmatch(base):
            return name
    return base.lower()


@dataclass
class _Run:
    id: str
    query_id: str
    trigger_id: str
    sql: str
    run_at: float  # unix time
    start_mono: float
    pending: float
    running: float
    done: threading.Event = field(default_factory=threading.Event)
    result: StatementResult | None = None
    rows_read: int = 0
    error: str | None = None
    finished_mono: float = 0.0
    result_json: bytes | None = None  # the /result body, built once


@dataclass
class _Query:
    id: str
    sql: str
    config_id: str
    created_by: str
    created_at: float
    updated_at: float
    runs: list[_Run] = field(default_factory=list)


class SlateoServer(RefsMixin, JsonApp):
    """Emulates Slateo's /api/queries (saved queries, runs, results, refs) on chDB.

    Every constructor argument is a plain attribute that may be changed while
    the server runs; reset() puts them back and forgets queries, runs and refs.
    """

    missing_key_message = "Missing API key"
    invalid_key_message = "Invalid API key"

    def __init__(
        self,
        api_key: str = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        run_seconds: float = 0.0,
        compression: str | None = "gzip",
        engine: ChEngine | None = None,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port, compression=compression)
        self.run_seconds = run_seconds
        self.engine = engine if engine is not None else shared_engine()
        self._initial = {name: getattr(self, name) for name in _RESETTABLE}
        self._lock = threading.Lock()
        self._queries = Store()
        self._refs = Store()

    @property
    def base_url(self) -> str:
        """What a client takes as its base URL (paths start with /api)."""
        return self.url

    # -- public helpers -----------------------------------------------------

    def add_query(
        self,
        sql: str,
        id: str | None = None,  # noqa: A002
        analytical_database_config_id: str = "db_config_1",
        created_by: str = "user_1",
    ) -> str:
        """Register a saved query (never run yet) and return its id."""
        if not isinstance(sql, str) or not sql.strip():
            raise ValueError("sql must be a non-empty string")
        ident = str(uuid.uuid4()) if id is None else str(id)
        if ident in ("", "refs") or "/" in ident:
            raise ValueError(f"{ident!r} cannot be a query id")
        now = time.time()
        query = _Query(ident, sql, analytical_database_config_id, created_by, now, now)
        with self._lock:
            if ident in self._queries:
                raise ValueError(f"a query with id {ident!r} already exists")
            self._queries.add(ident, query)
        return ident

    def execute(self, sql: str) -> None:
        """Run setup SQL (several statements allowed) on the backing engine."""
        self.engine.execute(sql)

    def reset(self) -> None:
        """Restore constructor settings; drop faults, the request log, queries and refs."""
        for name, value in self._initial.items():
            setattr(self, name, value)
        self.clear_faults()
        self.clear_requests()
        with self._lock:
            self._queries.clear()
            self._refs.clear()

    # -- hooks --------------------------------------------------------------

    def error_reply(self, request, status, message, headers=None) -> Reply:
        return json_reply(status, error_body(status, message), headers)

    # -- routing ------------------------------------------------------------

    def route(self, request: RequestRecord) -> Reply:
        try:
            return self._route(request)
        except SlateoError as err:
            return json_reply(err.status, error_body(err.status, err.message), err.headers)
        except PageError as err:
            return json_reply(400, error_body(400, str(err)))

    def _route(self, request: RequestRecord) -> Reply:
        path, method = request.path, request.method
        if _REFS.fullmatch(path):
            allow(method, "GET", "POST")
            return self._list_refs(request) if method == "GET" else self._create_ref(request)
        if m := _REF.fullmatch(path):
            allow(method, "GET", "PATCH", "DELETE")
            if method == "GET":
                return json_reply(200, self._ref_json(self._find_ref(m["id"])))
            if method == "PATCH":
                return self._update_ref(m["id"], request)
            return self._delete_ref(m["id"])
        if _QUERIES.fullmatch(path):
            allow(method, "GET")
            return self._list_queries(request)
        if m := _ACTION.fullmatch(path):
            if m["action"] == "refresh":
                allow(method, "POST")
                values = (request.body or {}).get("parameterValues") or {}
                return self._refresh(m["id"], values)
            allow(method, "GET")
            return self._result(m["id"])
        if m := _QUERY.fullmatch(path):
            allow(method, "GET")
            return json_reply(200, self._query_json(self._find_query(m["id"]), detail=True))
        raise SlateoError(404, "Not found")

    # -- queries ------------------------------------------------------------

    def _find_query(self, ident: str) -> _Query:
        with self._lock:
            query = self._queries.get(ident)
        if query is None:
            raise SlateoError(404, f"Query {ident} not found")
        return query

    def _list_queries(self, request: RequestRecord) -> Reply:
        with self._lock:
            items, next_cursor = self._queries.page(request.query)
        items = [self._query_json(q, detail=False) for q in items]
        return json_reply(200, {"items": items, "nextCursor": next_cursor})

    def _query_json(self, query: _Query, detail: bool) -> dict:
        out = {
            "id": query.id,
            "sql": query.sql,
            "analyticalDatabaseConfigId": query.config_id,
            "createdBy": query.created_by,
            "createdAt": iso_seconds(query.created_at),
            "updatedAt": iso_seconds(query.updated_at),
        }
        run = query.runs[-1] if query.runs else None
        if run is None:
            out["latestRun"] = None
            if detail:
                out["latestRunMetadata"] = None
            return out
        status, completed_at = _status(run)
        latest = {"id": run.id, "status": status, "runAt": iso_seconds(run.run_at)}
        if detail:
            latest["completedAt"] = completed_at
        out["latestRun"] = latest
        if detail:
            ended = status in ("completed", "failed")
            out["latestRunMetadata"] = {
                "status": status,
                "rowsRead": run.rows_read if ended else 0,
                "rowsWritten": 0,
                "error": run.error if status == "failed" else None,
            }
        return out

    def _refresh(self, ident: str, parameter_values: dict) -> Reply:
        with self._lock:
            query = self._queries.get(ident)
            if query is None:
                raise SlateoError(404, f"Query {ident} not found")
            if query.runs and _status(query.runs[-1])[0] in ("pending", "running"):
                raise SlateoError(409, "Query is already running")
            half = max(float(self.run_seconds), 0.0) / 2
            run = _Run(
                id=new_id("run_"),
                query_id=query.id,
                trigger_id=new_id("trigger_"),
                sql=query.sql,
                run_at=time.time(),
                start_mono=time.monotonic(),
                pending=half,
                running=half,
            )
            query.runs.append(run)
        worker = threading.Thread(target=self._execute, args=(run,), daemon=True)
        worker.start()
        return json_reply(
            200,
            {
                "id": run.id,
                "queryId": run.query_id,
                "status": "pending",
                "runAt": iso_seconds(run.run_at),
                "triggerId": run.trigger_id,
                "parameterValues": parameter_values,
                "renderedSql": run.sql,
            },
        )

    def _execute(self, run: _Run) -> None:
        try:
            statements = split_statements(run.sql)
            if not statements:
                raise EngineError("Empty query")
            results = [self.engine.run(text) for text in statements]
            run.rows_read = sum(r.read_rows for r in results)
            run.result = results[-1]
        except EngineError as exc:
            run.error = exc.message
        except Exception as exc:  # the run must reach a terminal state regardless
            run.error = f"emulator error: {exc!r}"
        finally:
            run.finished_mono = time.monotonic()
            run.done.set()

    def _result(self, ident: str) -> Reply:
        query = self._find_query(ident)
        with self._lock:
            runs = list(query.runs)
        for run in reversed(runs):
            if _status(run)[0] == "completed" and run.result is not None:
                if run.result_json is None:
                    run.result_json = _result_json(run.result)
                return Reply(200, run.result_json)
        raise SlateoError(404, "Query has no completed run")


def _status(run: _Run) -> tuple[str, str | None]:
    """(status, completedAt) as seen now, from the time since the refresh."""
    elapsed = time.monotonic() - run.start_mono
    if elapsed < run.pending:
        return "pending", None
    scripted = run.pending + run.running
    if elapsed < scripted or not run.done.is_set():
        return "running", None
    took = max(scripted, run.finished_mono - run.start_mono)
    return ("failed" if run.error is not None else "completed"), iso_seconds(run.run_at + took)


def _result_json(result: StatementResult) -> bytes:
    fields = [
        {"name": n, "type": slateo_type(t)} for n, t in zip(result.names, result.types, strict=True)
    ]
    return json_splice({"fields": fields}, "rows", result_rows(result), {"rowCount": result.rows})


__all__ = ["DOCUMENTATION_URL", "SlateoServer", "slateo_type"]
