"""QueryResult -> pyarrow, pandas and polars.

Each library is imported only when its conversion is asked for, so ``import sqlquarry``
needs none of them, and a missing one raises an ImportError that names the extra to install.
All conversions read the result through the Arrow PyCapsule stream, without copying.
"""

from __future__ import annotations

import importlib
from typing import Any


def _require(module: str, extra: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"this conversion needs {module}: pip install 'sqlquarry[{extra}]'"
        ) from e


def to_arrow(result: Any) -> Any:
    pa = _require("pyarrow", "pyarrow")
    return pa.table(result)


def schema(result: Any) -> Any:
    pa = _require("pyarrow", "pyarrow")
    return pa.schema(result)


def _pandas_nullable_types(pa: Any, pd: Any) -> dict[Any, Any]:
    """Arrow -> pandas extension dtypes, so an integer column with NULLs stays integer."""
    return {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.string(): pd.StringDtype(),
    }


def to_pandas(result: Any, **kwargs: Any) -> Any:
    """Nullable pandas dtypes by default; ``dtype_backend="pyarrow"`` gives ArrowDtype
    columns (pandas' own parameter name). Other keywords go to ``pyarrow.Table.to_pandas``."""
    pd = _require("pandas", "pandas")
    pa = _require("pyarrow", "pandas")
    table = pa.table(result)
    backend = kwargs.pop("dtype_backend", "numpy_nullable")
    if "types_mapper" in kwargs:
        return table.to_pandas(**kwargs)
    if backend == "pyarrow":
        return table.to_pandas(types_mapper=pd.ArrowDtype, **kwargs)
    if backend != "numpy_nullable":
        raise ValueError(f"dtype_backend must be 'numpy_nullable' or 'pyarrow', got {backend!r}")
    kwargs["types_mapper"] = _pandas_nullable_types(pa, pd).get
    return _with_decimal_objects(table, pa, pd, kwargs)


def _with_decimal_objects(table: Any, pa: Any, pd: Any, kwargs: dict[str, Any]) -> Any:
    """``table.to_pandas(**kwargs)``, with its decimal128 columns made into
    ``decimal.Decimal`` objects by the Rust core (faster than pyarrow, same values)."""
    from sqlquarry._native import _decimal_objects

    decimals = [
        i
        for i, field in enumerate(table.schema)
        if pa.types.is_decimal128(field.type) and field.type.scale >= 0
    ]
    if not decimals:
        return table.to_pandas(**kwargs)
    others = [i for i in range(table.num_columns) if i not in decimals]
    if others:
        frame = table.select(others).to_pandas(**kwargs)
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for i in decimals:  # ascending, so each lands at its own position
        values = pd.Series(_decimal_objects(table.column(i)), index=frame.index, dtype=object)
        frame.insert(i, table.column_names[i], values, allow_duplicates=True)
    return frame


def to_polars(result: Any) -> Any:
    """Decimals wider than 38 digits (and 128-bit integers) arrive as exact text: polars
    decimals stop at 38 digits."""
    pl = _require("polars", "polars")
    return pl.DataFrame(result._polars_compatible())
