"""The typed table every contender must produce, and how a contender's own table is
checked against it: its column types (`type_problems`) and one common Arrow form
(`common_form`) in which the driver compares every value."""

from __future__ import annotations

# The columns of the typed table, in order: the body's.
from gen_body import COLUMN_NAMES as COLUMNS


def _expected_arrow_types():
    import pyarrow as pa

    strings = [pa.string(), pa.large_string(), pa.string_view()]
    return {
        "id": [pa.uint64()],
        "name": strings,
        "created_at": [pa.timestamp(u, tz="UTC") for u in ("s", "ms", "us", "ns")],
        "score": [pa.float64()],
        "qty": [pa.int32()],
        "price": [pa.decimal128(18, 2)],
        "flag": [pa.bool_()],
        "file": strings,
    }


def type_problems(out) -> list[str]:
    """How the contender's own table differs from the typed table asked for."""
    kind = type(out).__module__.split(".")[0]
    if kind == "pyarrow":
        expected = _expected_arrow_types()
        types = {name: out.schema.field(name).type for name in COLUMNS}
        return [f"{name}: {t}" for name, t in types.items() if t not in expected[name]]
    if kind == "pandas":
        return _pandas_problems(out)
    if kind == "polars":
        return _polars_problems(out)
    if isinstance(out, list):  # floor_decimals: the price column's values alone
        import decimal

        if all(isinstance(v, decimal.Decimal) for v in out):
            return []
        return ["price: not all decimal.Decimal"]
    return [f"not a table: {type(out).__name__}"]


def _pandas_problems(out) -> list[str]:
    """Nullable numpy-backed dtypes with exact Decimal objects (`to_pandas()`, the typed
    json+pandas), or ArrowDtype columns holding the Arrow types themselves
    (`to_pandas(dtype_backend="pyarrow")`); either form counts as the typed table."""
    import decimal

    import pandas as pd

    expected_arrow = _expected_arrow_types()
    numpy_backed = {
        "id": lambda t: str(t) in ("uint64", "UInt64"),
        "name": lambda t: isinstance(t, pd.StringDtype),
        "created_at": lambda t: str(getattr(t, "tz", None)) == "UTC",
        "score": lambda t: str(t) in ("float64", "Float64"),
        "qty": lambda t: str(t) == "Int32",
        "flag": lambda t: str(t) in ("bool", "boolean"),
        "file": lambda t: isinstance(t, pd.StringDtype),
    }
    dt = out.dtypes
    problems = []
    for name in COLUMNS:
        if isinstance(dt[name], pd.ArrowDtype):
            ok = dt[name].pyarrow_dtype in expected_arrow[name]
        elif name == "price":
            ok = str(dt[name]) == "object" and all(
                isinstance(v, decimal.Decimal) for v in out[name].head(1000)
            )
        else:
            ok = numpy_backed[name](dt[name])
        if not ok:
            problems.append(f"{name}: {dt[name]}")
    return problems


def _polars_problems(out) -> list[str]:
    import polars as pl

    expected = {
        "id": pl.UInt64,
        "name": pl.String,
        "created_at": pl.Datetime(time_zone="UTC"),
        "score": pl.Float64,
        "qty": pl.Int32,
        "price": pl.Decimal(18, 2),
        "flag": pl.Boolean,
        "file": pl.String,
    }
    problems = []
    for name, want in expected.items():
        got = out.schema[name]
        ok = got == want
        if name == "created_at":
            ok = isinstance(got, pl.Datetime) and got.time_zone == "UTC"
        if not ok:
            problems.append(f"{name}: {got}")
    return problems


def common_form(out):
    """The table as Arrow with one type per column (timestamps in microseconds). A list
    (floor_decimals) becomes the one column it is, `price`."""
    import pyarrow as pa

    target = {
        "id": pa.uint64(),
        "name": pa.string(),
        "created_at": pa.timestamp("us", tz="UTC"),
        "score": pa.float64(),
        "qty": pa.int32(),
        "price": pa.decimal128(18, 2),
        "flag": pa.bool_(),
        "file": pa.string(),
    }
    kind = type(out).__module__.split(".")[0]
    if isinstance(out, list):
        # pa.array refuses a Decimal it would have to round (ArrowInvalid), so this is exact.
        table = pa.table({"price": pa.array(out, target["price"])})
    elif kind == "pandas":
        table = pa.Table.from_pandas(out, preserve_index=False)
    elif kind == "polars":
        table = out.to_arrow()
    else:
        table = out
    names = [n for n in COLUMNS if n in table.column_names] if isinstance(out, list) else COLUMNS
    table = table.select(names)
    schema = pa.schema([(n, target[n]) for n in names])
    # safe=True: a cast that would change a value (truncation, overflow) raises.
    return table.cast(schema, safe=True).combine_chunks()
