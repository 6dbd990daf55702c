"""AI for Database emulator: natural-language queries and saved queries.

A mixin of `AIForDatabaseServer`; see `_aifordb` for the documented choices.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._aifordb_workspace import ApiError, Connection, invalid, not_found, object_body
from ._engine import ChEngine, EngineError, split_statements
from ._http import RequestRecord
from ._rest import RawJson, Store, iso_millis, new_id, result_rows

_SQL_LIKE = re.compile(r"\s*(?:SELECT|WITH|SHOW|DESCRIBE)\b", re.IGNORECASE)


@dataclass
class SavedQuery:
    id: str
    question: str
    connection_id: str
    format: str
    sql: str
    columns: list[str]
    rows: bytes  # the JSON array text, spliced in unparsed
    row_count: int
    execution_time_ms: int
    created_at: float

    def results(self, raw: RawJson) -> dict:
        return {"columns": self.columns, "rows": raw(self.rows), "row_count": self.row_count}

    def public(self, raw: RawJson | None) -> dict:
        out = {
            "id": self.id,
            "query_id": self.id,
            "question": self.question,
            "connection_id": self.connection_id,
            "format": self.format,
            "sql": self.sql,
        }
        if raw is None:
            out["row_count"] = self.row_count
        else:
            out["results"] = self.results(raw)
        out["execution_time_ms"] = self.execution_time_ms
        out["created_at"] = iso_millis(self.created_at)
        return out


class QueriesMixin:
    """POST/GET /queries, GET/DELETE /queries/:id, and the questions it can answer."""

    _lock: threading.Lock
    _questions: dict[str, str]
    _queries: Store
    engine: ChEngine
    _get_connection: Callable[[str], Connection]  # from WorkspaceMixin

    def register_question(self, question: str, sql: str) -> None:
        """Answer `question` (trimmed, blanks collapsed, case-folded) with `sql`."""
        if not isinstance(sql, str) or not split_statements(sql):
            raise ValueError("sql must contain a statement")
        with self._lock:
            self._questions[_normalise(question)] = sql

    def _get_query(self, ident: str) -> SavedQuery:
        with self._lock:
            saved = self._queries.get(ident)
        if saved is None:
            raise not_found("query", ident)
        return saved

    def _ask(self, request: RequestRecord, raw: RawJson):
        body = object_body(request)
        question = body.get("question")
        if not isinstance(question, str) or not question.strip():
            raise invalid("question", "must be a non-empty string")
        connection_id = body.get("connection_id")
        if not isinstance(connection_id, str) or not connection_id:
            raise invalid("connection_id", "must be a non-empty string")
        fmt = body.get("format", "table")
        if not isinstance(fmt, str):
            raise invalid("format", "must be a string")
        conn = self._get_connection(connection_id)
        if not conn.reachable:
            details = {"connection_id": conn.id, "host": conn.host, "port": conn.port}
            message = f"Could not reach the database at {conn.host}:{conn.port}"
            raise ApiError(502, "connection_error", message, details)
        with self._lock:
            sql = self._questions.get(_normalise(question))
        if sql is None and _SQL_LIKE.match(question):
            sql = question.strip()
        statements = split_statements(sql) if sql is not None else []
        if not statements:
            raise ApiError(422, "validation_error", "cannot answer that question", None)
        start = time.monotonic()
        try:
            results = [self.engine.run(text) for text in statements]
        except EngineError as exc:
            details = {"sql": sql, "error": exc.message}
            message = "The generated SQL failed to execute"
            raise ApiError(500, "query_error", message, details) from None
        elapsed_ms = round((time.monotonic() - start) * 1000)
        last = results[-1]
        saved = SavedQuery(
            new_id("q_"), question, connection_id, fmt, sql, last.names,
            result_rows(last), last.rows, elapsed_ms, time.time(),
        )  # fmt: skip
        with self._lock:
            self._queries.add(saved.id, saved)
        data = {
            "query_id": saved.id,
            "sql": sql,
            "results": saved.results(raw),
            "execution_time_ms": elapsed_ms,
        }
        return 200, data


def _normalise(question: str) -> str:
    return " ".join(question.split()).casefold()
