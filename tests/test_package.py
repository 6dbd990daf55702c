"""The package as users get it: a light import, typed, and ImportErrors that name the extra
to install. (The native module's stubs are checked against it by `make lint`: stubtest.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sqlquarry


def test_import_loads_no_dataframe_library():
    code = (
        "import sys, sqlquarry, sqlquarry.testing; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'polars', 'numpy', 'chdb') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_package_is_typed():
    assert Path(sqlquarry.__file__).with_name("py.typed").exists()


def test_every_exported_name_exists():
    for name in sqlquarry.__all__:
        assert hasattr(sqlquarry, name), name
    assert issubclass(sqlquarry.TimeoutError, TimeoutError)
    assert issubclass(sqlquarry.ConfigurationError, ValueError)
    for cls in (sqlquarry.AuthenticationError, sqlquarry.QueryError, sqlquarry.DecodeError):
        assert issubclass(cls, sqlquarry.Error)


def test_missing_dataframe_library_names_the_extra(roe_client):
    """With polars hidden, to_polars() says which extra to install."""
    result = roe_client.query("SELECT 1 AS x")
    saved = sys.modules.get("polars")
    sys.modules["polars"] = None  # makes `import polars` raise ImportError
    try:
        with pytest.raises(ImportError, match=r"pip install 'sqlquarry\[polars\]'"):
            result.to_polars()
    finally:
        if saved is not None:
            sys.modules["polars"] = saved
        else:
            del sys.modules["polars"]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle in `graph` (module -> the modules it imports)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                found.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_module_imports_one_that_imports_it_back():
    """The Python layer (facades and native bindings) forms layers, never cycles."""
    import re

    root = Path(__file__).resolve().parents[1]
    python = {}
    for path in (root / "python" / "sqlquarry").glob("*.py"):
        text = path.read_text()
        deps = set(re.findall(r"^\s*from sqlquarry\.(\w+)", text, re.M))
        deps |= set(re.findall(r"^\s*from sqlquarry import (\w+)", text, re.M))
        python[path.stem] = deps - {path.stem}
    assert _cycles(python) == []
    rust = {}
    for path in (root / "src" / "python").glob("*.rs"):
        text = path.read_text().split("#[cfg(test)]")[0]
        deps = set(re.findall(r"use crate::python::(\w+)", text))
        deps |= set(re.findall(r"^mod (\w+);", text, re.M)) if path.stem != "mod" else set()
        rust[path.stem] = deps - {path.stem}
    assert _cycles(rust) == []
