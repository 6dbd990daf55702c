"""Slateo emulator: query references (bookmarks with permalinks) and the error shape.

A mixin of `SlateoServer`; see `_slateo` for the routes and documented choices.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from ._http import Reply, RequestRecord, json_reply
from ._rest import Store, iso_seconds

DOCUMENTATION_URL = "https://docs.slateo.ai/api-reference/errors"
PERMALINK_BASE = "https://app.slateo.ai/refs/"


class SlateoError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class _Ref:
    id: str
    query_id: str
    name: str
    created_at: float
    updated_at: float


class RefsMixin:
    """GET/POST /api/queries/refs and GET/PATCH/DELETE /api/queries/refs/{id}."""

    _lock: threading.Lock
    _queries: Store
    _refs: Store

    def _find_ref(self, ident: str) -> _Ref:
        with self._lock:
            ref = self._refs.get(ident)
        if ref is None:
            raise SlateoError(404, f"Query reference {ident} not found")
        return ref

    def _ref_json(self, ref: _Ref) -> dict:
        return {
            "id": ref.id,
            "queryId": ref.query_id,
            "name": ref.name,
            "permalink": PERMALINK_BASE + ref.id,
            "createdAt": iso_seconds(ref.created_at),
            "updatedAt": iso_seconds(ref.updated_at),
        }

    def _list_refs(self, request: RequestRecord) -> Reply:
        with self._lock:
            items, next_cursor = self._refs.page(request.query)
        return json_reply(
            200, {"items": [self._ref_json(r) for r in items], "nextCursor": next_cursor}
        )

    def _create_ref(self, request: RequestRecord) -> Reply:
        body = object_body(request)
        query_id = _query_id(body.get("queryId"))
        name = _name(body.get("name"))
        now = time.time()
        ref = _Ref(str(uuid.uuid4()), query_id, name, now, now)
        with self._lock:
            if query_id not in self._queries:
                raise SlateoError(400, f"queryId: query {query_id} does not exist")
            self._refs.add(ref.id, ref)
        return json_reply(201, self._ref_json(ref))

    def _update_ref(self, ident: str, request: RequestRecord) -> Reply:
        body = object_body(request)
        ref = self._find_ref(ident)
        query_id = _query_id(body["queryId"]) if "queryId" in body else ref.query_id
        name = _name(body["name"]) if "name" in body else ref.name
        with self._lock:
            if query_id not in self._queries:
                raise SlateoError(400, f"queryId: query {query_id} does not exist")
            ref.query_id, ref.name, ref.updated_at = query_id, name, time.time()
        return json_reply(200, self._ref_json(ref))

    def _delete_ref(self, ident: str) -> Reply:
        with self._lock:
            ref = self._refs.pop(ident)
        if ref is None:
            raise SlateoError(404, f"Query reference {ident} not found")
        return Reply(204, b"")


def error_body(status: int, message: str) -> dict:
    return {
        "type": "api_error" if status >= 500 else "invalid_request",
        "message": message,
        "documentation_url": DOCUMENTATION_URL,
    }


def allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise SlateoError(405, f"Method {method} not allowed", {"Allow": ", ".join(allowed)})


def object_body(request: RequestRecord) -> dict:
    if not isinstance(request.body, dict):
        raise SlateoError(400, "Request body must be a JSON object")
    return request.body


def _query_id(value) -> str:
    if not isinstance(value, str) or not value:
        raise SlateoError(400, "queryId: must be a non-empty string")
    return value


def _name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SlateoError(400, "name: must be a non-empty string")
    return value
