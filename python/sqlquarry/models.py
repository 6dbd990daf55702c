"""Typed objects for the resources the services return (saved queries, runs, dashboards,
workflows, connections, team members, ...).

Each is a frozen dataclass built from the service's JSON: documented fields are typed
attributes (snake_case, whatever the service's spelling), any other field is still
reachable as an attribute or in ``to_dict()``, which returns the JSON as the service sent
it. Timestamps stay the service's ISO 8601 strings.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any, ClassVar, TypeVar

__all__ = [
    "Connection",
    "ConnectionTest",
    "Dashboard",
    "Model",
    "QueryRef",
    "SavedQuery",
    "SlateoQuery",
    "SlateoRun",
    "TeamMember",
    "Workflow",
    "WorkflowRun",
]

M = TypeVar("M", bound="Model")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclasses.dataclass(frozen=True)
class Model:
    """Base of every resource object."""

    _raw: dict[str, Any] = dataclasses.field(repr=False, compare=False)
    #: Fields holding nested models: field name -> model class.
    _nested: ClassVar[dict[str, type[Model]]] = {}

    @classmethod
    def from_dict(cls: type[M], data: dict[str, Any]) -> M:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name == "_raw":
                continue
            value = data.get(f.name, data.get(_camel(f.name)))
            nested = cls._nested.get(f.name)
            if nested is not None and isinstance(value, dict):
                value = nested.from_dict(value)
            values[f.name] = value
        return cls(_raw=data, **values)

    def to_dict(self) -> dict[str, Any]:
        """The object as the service sent it (a deep copy)."""
        return copy.deepcopy(self._raw)

    def __getattr__(self, name: str) -> Any:
        # Fields the service sends beyond the documented ones.
        raw = self.__dict__.get("_raw", {})
        for key in (name, _camel(name)):
            if key in raw:
                return raw[key]
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {_snake(k) for k in self._raw})


@dataclasses.dataclass(frozen=True)
class _Stored(Model):
    """What every stored object has: its id, and when it was created and last changed."""

    id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclasses.dataclass(frozen=True)
class _Named(_Stored):
    name: str | None = None
    description: str | None = None


# --- Slateo -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SlateoRun(Model):
    """One execution of a saved query: ``status`` is pending, running, completed or failed."""

    id: str | None = None
    status: str | None = None
    run_at: str | None = None
    completed_at: str | None = None
    query_id: str | None = None
    trigger_id: str | None = None
    parameter_values: dict[str, Any] | None = None
    rendered_sql: str | None = None


@dataclasses.dataclass(frozen=True)
class SlateoQuery(_Stored):
    """A saved query with its latest run."""

    sql: str | None = None
    analytical_database_config_id: str | None = None
    created_by: str | None = None
    latest_run: SlateoRun | None = None
    latest_run_metadata: dict[str, Any] | None = None
    _nested: ClassVar[dict[str, type[Model]]] = {"latest_run": SlateoRun}


@dataclasses.dataclass(frozen=True)
class QueryRef(_Stored):
    """A bookmark of a saved query, with its permalink."""

    query_id: str | None = None
    name: str | None = None
    permalink: str | None = None


# --- AI for Database ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SavedQuery(_Stored):
    """A question asked earlier, its SQL and (from ``get``) its saved results."""

    query_id: str | None = None
    question: str | None = None
    connection_id: str | None = None
    sql: str | None = None
    row_count: int | None = None
    results: dict[str, Any] | None = None
    execution_time_ms: float | None = None


@dataclasses.dataclass(frozen=True)
class Dashboard(_Named):
    """A dashboard; ``widgets`` are dicts with type, query_id, position and current data."""

    widgets: list[dict[str, Any]] | None = None


@dataclasses.dataclass(frozen=True)
class Workflow(_Named):
    """A workflow: steps the service runs on a schedule or when triggered."""


@dataclasses.dataclass(frozen=True)
class WorkflowRun(Model):
    """One run of a workflow."""

    id: str | None = None
    workflow_id: str | None = None
    status: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


@dataclasses.dataclass(frozen=True)
class Connection(_Named):
    """A database connection (its password is never returned)."""

    type: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    username: str | None = None
    ssl_mode: str | None = None


@dataclasses.dataclass(frozen=True)
class ConnectionTest(Model):
    """Whether the service reached a connection's database, and how fast."""

    success: bool | None = None
    latency_ms: float | None = None
    message: str | None = None


@dataclasses.dataclass(frozen=True)
class TeamMember(_Stored):
    """A member of the team, with their role."""

    email: str | None = None
    role: str | None = None
    status: str | None = None
