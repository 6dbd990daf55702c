"""help() answers: every public class, method and property has its docstring at run time
(the async twins too), and the native classes' docstrings are the ones the stubs show."""

from __future__ import annotations

import ast
import inspect
import pydoc
from pathlib import Path

import pytest

import sqlquarry
import sqlquarry.dbapi
from sqlquarry import _native
from sqlquarry.aifordb import Connections, Dashboards, SavedQueries, TeamMembers, Workflows
from sqlquarry.slateo import QueryRefs, SlateoQueries

PUBLIC = [
    sqlquarry.RoeClient,
    sqlquarry.QueryJob,
    sqlquarry.QueryResult,
    sqlquarry.BatchStream,
    sqlquarry.SlateoClient,
    SlateoQueries,
    QueryRefs,
    sqlquarry.AIForDatabaseClient,
    SavedQueries,
    Dashboards,
    Workflows,
    Connections,
    TeamMembers,
    sqlquarry.Page,
    sqlquarry.Progress,
    sqlquarry.dbapi.Connection,
    sqlquarry.dbapi.Cursor,
]


def public_members(cls):
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or name in ("arraysize",):
            continue
        if (
            inspect.isfunction(member)
            or inspect.ismethoddescriptor(member)
            or isinstance(member, (property, type(sqlquarry.QueryResult.num_rows)))
        ):
            yield name, member


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda c: c.__name__)
def test_every_public_member_has_a_docstring(cls):
    assert inspect.getdoc(cls), cls
    missing = [name for name, member in public_members(cls) if not inspect.getdoc(member)]
    assert not missing, f"{cls.__name__}: no docstring for {missing}"


def test_help_of_a_client_shows_its_resources_and_twins():
    text = pydoc.render_doc(sqlquarry.SlateoClient, renderer=pydoc.plaintext)
    assert "queries" in text and "refs" in text
    text = pydoc.render_doc(sqlquarry.RoeClient, renderer=pydoc.plaintext)
    assert "query_async" in text and "The coroutine twin of ``query()``" in text
    assert "timeout" in text and "parameters" in text


def stub_docstrings() -> dict[str, str | None]:
    stub = Path(sqlquarry.__file__).with_name("_native.pyi")
    out = {}
    for node in ast.parse(stub.read_text()).body:
        if isinstance(node, ast.ClassDef) and node.name in ("QueryResult", "BatchStream"):
            out[node.name] = ast.get_docstring(node)
            for n in node.body:
                if isinstance(n, ast.FunctionDef):
                    out[f"{node.name}.{n.name}"] = ast.get_docstring(n)
        elif isinstance(node, ast.FunctionDef):
            out[node.name] = ast.get_docstring(node)
    return out


def test_native_docstrings_are_the_stubs():
    for name, stubbed in stub_docstrings().items():
        obj = _native
        for part in name.split("."):
            obj = getattr(obj, part)
        runtime = inspect.getdoc(obj)
        if runtime:
            assert stubbed == runtime, f"{name}: the stub says {stubbed!r}, the module {runtime!r}"
