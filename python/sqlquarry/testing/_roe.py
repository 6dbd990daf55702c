"""RoeServer: a local emulator of the Roe AI database-query HTTP API on chDB."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ._demo import load_demo_dataset
from ._encoding import encode_rows
from ._engine import (
    ChEngine,
    EngineError,
    StatementResult,
    shared_engine,
    split_statements,
)
from ._http import (
    JsonApp,
    Reply,
    RequestRecord,
    iso_utc,
    json_reply,
    json_splice,
    method_not_allowed,
)

DEFAULT_ORGANIZATION_ID = "00000000-0000-4000-8000-000000000001"
_EPOCH_CREATED = "2024-01-01T00:00:00.000000Z"

_QUERY = re.compile(r"/v1/database/query/?")
_ASYNC = re.compile(r"/v1/database/query/async/?")
_TASK = re.compile(r"/v1/database/query/(?P<id>[^/]+)/(?P<what>status|result)/?")

# The settings reset() puts back to their constructor values.
_RESETTABLE = (
    "api_key",
    "organization_id",
    "encoding",
    "submit_response",
    "accept_ids",
    "pending_seconds",
    "running_seconds",
    "running_status",
    "compression",
)

_BLANK = {"message": "query: This field may not be blank."}
_NOT_FOUND = {"message": "Query not found"}
_FORBIDDEN = {"detail": "You do not have permission to perform this action."}


@dataclass
class _Statement:
    text: str
    result: StatementResult
    start: float
    end: float
    encoded: dict = field(default_factory=dict)  # encoding -> result_rows text


@dataclass
class _Task:
    worksheet_query_id: str
    task_id: str
    query: str
    worksheet_id: str | None
    created: float  # unix time, for the timestamps shown to clients
    created_mono: float  # for status progression, immune to clock changes
    # Timing is fixed at submit so a task's status never goes backwards when a
    # test changes the server's settings afterwards.
    pending: float
    running: float
    running_status: str
    # A string-form submit hands out only the task id, so such a task is
    # reachable by task id whatever accept_ids says.
    task_id_only: bool
    done: threading.Event = field(default_factory=threading.Event)
    statements: list = field(default_factory=list)
    error: str | None = None
    finished_mono: float = 0.0


class RoeServer(JsonApp):
    """Emulates /v1/database/query/ (sync and async) backed by chDB.

    Every constructor argument is a plain attribute that may be changed while
    the server runs; reset() puts them back to their constructor values.
    """

    def __init__(
        self,
        api_key: str = "test-key",
        organization_id: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        encoding: str = "native",
        submit_response: str = "object",
        accept_ids: str = "both",
        pending_seconds: float = 0.0,
        running_seconds: float = 0.0,
        running_status: str = "STARTED",
        compression: str | None = "gzip",
        demo_rows: int = 0,
        engine: ChEngine | None = None,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port, compression=compression)
        self.organization_id = organization_id
        self.encoding = encoding
        self.submit_response = submit_response
        self.accept_ids = accept_ids
        self.pending_seconds = pending_seconds
        self.running_seconds = running_seconds
        self.running_status = running_status
        self.demo_rows = demo_rows
        self.engine = engine if engine is not None else shared_engine()
        self._initial = {name: getattr(self, name) for name in _RESETTABLE}
        self._tasks_lock = threading.Lock()
        self._by_task: dict[str, _Task] = {}
        self._by_worksheet_query: dict[str, _Task] = {}
        self._canned: dict[str, tuple] = {}

    # -- public helpers -----------------------------------------------------

    def start(self) -> RoeServer:
        if self.demo_rows > 0 and self._server is None:
            load_demo_dataset(self.engine, self.demo_rows)
        return super().start()

    def execute(self, sql: str) -> None:
        """Run setup SQL (several statements allowed) on the backing engine."""
        self.engine.execute(sql)

    def serve_canned(
        self,
        sql: str,
        body: bytes | Callable[[], Iterable[bytes]],
        encoded: dict[str, bytes] | None = None,
    ) -> None:
        """Answer `POST /v1/database/query/` for exactly this SQL text with `body` as is
        (status 200; auth, faults and compression still apply), without running anything.
        For benchmarks: a pre-built result body of any size, with `encoded` holding it
        already compressed by encoding name (sent instead of compressing it per request).
        `body` may also be a callable giving the body's pieces, streamed as produced
        (chunked): a body larger than memory. reset() forgets them."""
        self._canned[sql] = (body if callable(body) else bytes(body), dict(encoded or {}))

    def reset(self) -> None:
        """Restore constructor settings; drop faults, the request log and tasks."""
        for name, value in self._initial.items():
            setattr(self, name, value)
        self.clear_faults()
        self.clear_requests()
        with self._tasks_lock:
            self._by_task.clear()
            self._by_worksheet_query.clear()
        self._canned.clear()

    # -- routing ------------------------------------------------------------

    def route(self, request: RequestRecord) -> Reply:
        path, method = request.path, request.method
        if _ASYNC.fullmatch(path):
            return self._submit(request) if method == "POST" else method_not_allowed(method)
        if _QUERY.fullmatch(path):
            return self._query_now(request) if method == "POST" else method_not_allowed(method)
        if m := _TASK.fullmatch(path):
            if method != "GET":
                return method_not_allowed(method)
            return self._task_info(request, m.group("id"), m.group("what"))
        return json_reply(404, {"detail": "Not found."})

    def _forbidden(self, org_id) -> Reply | None:
        if self.organization_id is None or org_id is None:
            return None
        if str(org_id).strip().lower() != str(self.organization_id).strip().lower():
            return json_reply(403, _FORBIDDEN)
        return None

    # -- POST /v1/database/query/ -------------------------------------------

    def _query_now(self, request: RequestRecord) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        denied = self._forbidden(
            request.query.get("organization_id") or body.get("organization_id")
        )
        if denied:
            return denied
        sql = body.get("query")
        canned = self._canned.get(sql) if isinstance(sql, str) else None
        if canned is not None:
            return Reply(200, canned[0], encoded=canned[1])
        statements = _statements_of(body)
        if statements is None:
            return json_reply(400, _BLANK)
        try:
            done = self._run(statements)
        except EngineError as exc:
            return json_reply(400, {"message": exc.message})
        return Reply(200, b"[" + b",".join(self._result_json(s) for s in done) + b"]")

    # -- POST /v1/database/query/async/ -------------------------------------

    def _submit(self, request: RequestRecord) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        org_id = request.query.get("organization_id") or body.get("organization_id")
        if not (org_id or request.query.get("worksheet_id")):
            return json_reply(400, {"message": "organization_id or worksheet_id is required"})
        denied = self._forbidden(org_id)
        if denied:
            return denied
        statements = _statements_of(body)
        if statements is None:
            return json_reply(400, _BLANK)
        string_form = self.submit_response == "string"
        task = _Task(
            worksheet_query_id=str(uuid.uuid4()),
            task_id=str(uuid.uuid4()),
            query=body["query"],
            worksheet_id=request.query.get("worksheet_id") or body.get("worksheet_id"),
            created=time.time(),
            created_mono=time.monotonic(),
            pending=float(self.pending_seconds),
            running=float(self.running_seconds),
            running_status=self.running_status,
            task_id_only=string_form,
        )
        with self._tasks_lock:
            self._by_task[task.task_id] = task
            self._by_worksheet_query[task.worksheet_query_id] = task
        worker = threading.Thread(target=self._execute_task, args=(task, statements))
        worker.daemon = True
        worker.start()
        if string_form:
            return json_reply(200, task.task_id)
        return json_reply(200, self._worksheet_query(task, org_id))

    def _execute_task(self, task: _Task, statements: list[str]) -> None:
        try:
            task.statements = self._run(statements)
        except EngineError as exc:
            task.error = exc.message
        except Exception as exc:  # the task must reach a terminal state regardless
            task.error = f"emulator error: {exc!r}"
        finally:
            task.finished_mono = time.monotonic()
            task.done.set()

    def _worksheet_query(self, task: _Task, org_id) -> dict:
        created = iso_utc(task.created)
        worksheet = None
        if task.worksheet_id:
            worksheet = {
                "id": task.worksheet_id,
                "name": "Worksheet",
                "created_at": _EPOCH_CREATED,
                "updated_at": _EPOCH_CREATED,
            }
        organization = {
            "id": org_id or self.organization_id or DEFAULT_ORGANIZATION_ID,
            "name": "Emulated Organization",
            "created_at": _EPOCH_CREATED,
        }
        return {
            "id": task.worksheet_query_id,
            "query": task.query,
            "query_task_id": task.task_id,
            "query_task_status": "PENDING",
            "error": None,
            "finished_at": None,
            "ai_summary": None,
            "created_at": created,
            "updated_at": created,
            "worksheet": worksheet,
            "organization": organization,
            "creator": None,
        }

    # -- GET /v1/database/query/{id}/status|result/ ------------------------

    def _task_info(self, request: RequestRecord, ident: str, what: str) -> Reply:
        denied = self._forbidden(request.query.get("organization_id"))
        if denied:
            return denied
        task = self._find(ident)
        if task is None:
            return json_reply(404, _NOT_FOUND)
        status, finished = self._status(task)
        error = task.error if status == "FAILURE" else None
        if what == "status":
            return json_reply(
                200,
                {
                    "worksheet_query_id": task.worksheet_query_id,
                    "status": status,
                    "error": error,
                    "created_at": iso_utc(task.created),
                    "finished_at": finished,
                },
            )
        results = b"[]"
        if status == "SUCCESS":
            results = b"[" + b",".join(self._result_json(s) for s in task.statements) + b"]"
        head = {
            "query_task_id": task.task_id,
            "worksheet_query_id": task.worksheet_query_id,
            "status": status,
        }
        return Reply(200, json_splice(head, "results", results, {"error": error}))

    def _find(self, ident: str) -> _Task | None:
        mode = self.accept_ids
        if mode not in ("both", "worksheet", "task"):
            raise ValueError(f"accept_ids must be 'both', 'worksheet' or 'task', not {mode!r}")
        with self._tasks_lock:
            task = self._by_task.get(ident)
            if task is not None and (mode in ("both", "task") or task.task_id_only):
                return task
            task = self._by_worksheet_query.get(ident)
        if task is not None and mode in ("both", "worksheet") and not task.task_id_only:
            return task
        return None

    def _status(self, task: _Task) -> tuple[str, str | None]:
        """(status, finished_at) as seen now, from the time since submit."""
        elapsed = time.monotonic() - task.created_mono
        if elapsed < task.pending:
            return "PENDING", None
        scripted = task.pending + task.running
        if elapsed < scripted or not task.done.is_set():
            return task.running_status, None
        took = max(scripted, task.finished_mono - task.created_mono)
        finished = iso_utc(task.created + took)
        return ("FAILURE" if task.error is not None else "SUCCESS"), finished

    # -- execution and result objects ---------------------------------------

    def _run(self, statements: list[str]) -> list[_Statement]:
        done = []
        for text in statements:
            start = time.time()
            result = self.engine.run(text)
            done.append(_Statement(text, result, start, time.time()))
        return done

    def _result_json(self, statement: _Statement) -> bytes:
        """One result object; the rows are spliced in as bytes, never re-serialised."""
        encoding = self.encoding
        rows = statement.encoded.get(encoding)
        if rows is None:
            rows = statement.encoded[encoding] = encode_rows(statement.result, encoding)
        r = statement.result
        head = {
            "query_id": r.query_id,
            "query": statement.text,
            "summary": {
                "read_rows": r.read_rows,
                "read_bytes": r.read_bytes,
                "written_rows": 0,
                "written_bytes": 0,
                "total_rows_to_read": r.read_rows,
                "result_rows": r.rows,
                "result_bytes": len(r.rows_text),
                "elapsed_ns": r.elapsed_ns,
                "query_id": r.query_id,
            },
            "row_count": r.rows,
            "column_names": r.names,
            "column_types": r.types,
        }
        tail = {"start_timestamp": statement.start, "end_timestamp": statement.end}
        return json_splice(head, "result_rows", rows, tail)


def _statements_of(body: dict) -> list[str] | None:
    """The statements of body["query"], or None when it is missing or blank."""
    sql = body.get("query")
    if not isinstance(sql, str):
        return None
    return split_statements(sql) or None
