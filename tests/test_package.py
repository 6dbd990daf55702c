"""The package as users get it: a light import, typed stubs that match the runtime, and
ImportErrors that name the extra to install."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sqlquarry
from sqlquarry import _native

STUBS = Path(sqlquarry.__file__).with_name("_native.pyi")


def test_import_loads_no_dataframe_library():
    code = (
        "import sys, sqlquarry, sqlquarry.testing; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'polars', 'numpy', 'chdb') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def stub_members() -> dict[str, set[str]]:
    tree = ast.parse(STUBS.read_text())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return classes


@pytest.mark.parametrize("name", ["QueryResult", "QueryJob", "RoeClient"])
def test_stubs_match_the_runtime(name):
    stubbed = stub_members()[name]
    runtime = {m for m in dir(getattr(_native, name)) if not m.startswith("__")}
    stubbed_public = {m for m in stubbed if not m.startswith("__") or m.startswith("__arrow")}
    assert stubbed_public - {"__arrow_c_stream__", "__arrow_c_schema__"} <= runtime
    missing = {m for m in runtime if not m.startswith("_")} - stubbed
    assert not missing, f"{name} has public members without stubs: {missing}"


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
