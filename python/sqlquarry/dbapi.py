"""DB-API 2.0 (PEP 249) over Roe, for tools that speak it: ``pandas.read_sql``, jupysql's
``%%sql``, Airflow hooks, dbt-style runners.

>>> import sqlquarry.dbapi
>>> conn = sqlquarry.dbapi.connect()        # the same settings and variables as RoeClient
>>> cur = conn.cursor()
>>> cur.execute("SELECT name FROM files WHERE name LIKE %(p)s", {"p": "report%"})
>>> cur.fetchmany(100)

Parameters use ``pyformat`` (``%(name)s`` with a mapping, ``%s`` with a sequence; ``%%``
for a percent sign outside quotes), bound on the client as exact ClickHouse literals of each
value's kind. Rows come from the Arrow result, built as Python objects per fetch; the ADBC
extensions ``fetch_arrow_table()``, ``fetch_record_batch()`` and ``fetch_df()`` skip Python
objects altogether. The service has no transactions: ``commit()`` does nothing and
``rollback()`` raises NotSupportedError.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlquarry import _native, exceptions
from sqlquarry.exceptions import (  # noqa: F401 - PEP 249 names, exported (__all__)
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
)
from sqlquarry.roe import RoeClient

if TYPE_CHECKING:
    import pandas
    import pyarrow

    from sqlquarry._native import QueryResult

__all__ = [
    *exceptions.PEP249,
    "BINARY",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "Connection",
    "Cursor",
    "Date",
    "DateFromTicks",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]

apilevel = "2.0"
# Threads may share the module and connections (the client is thread-safe), not cursors.
threadsafety = 2
paramstyle = "pyformat"


class Warning(Exception):  # noqa: A001 - the name PEP 249 gives it
    """Important warnings (PEP 249); sqlquarry raises none."""


# --- type objects and constructors (PEP 249) -------------------------------------------------


class _TypeObject:
    """Compares equal to the type codes (ClickHouse type names) of one family."""

    def __init__(self, name: str, pattern: str) -> None:
        self._name = name
        self._pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(self._pattern.match(_base_type(other)))

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f"sqlquarry.dbapi.{self._name}"


def _base_type(declared: str) -> str:
    """`Nullable(LowCardinality(String))` -> `String`."""
    while m := re.fullmatch(r"\s*(?:Nullable|LowCardinality)\((.*)\)\s*", declared):
        declared = m.group(1)
    return declared.strip()


STRING = _TypeObject("STRING", r"(String|FixedString|UUID|IPv[46]|Enum|JSON)")
BINARY = _TypeObject("BINARY", r"(AggregateFunction)")
NUMBER = _TypeObject("NUMBER", r"(U?Int\d+|Float\d+|BFloat16|Decimal|Bool)")
DATETIME = _TypeObject("DATETIME", r"(Date|DateTime|Time)")
ROWID = _TypeObject("ROWID", r"(?!)")  # ClickHouse has no row ids

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> _dt.date:
    return _dt.date.fromtimestamp(ticks)


def TimeFromTicks(ticks: float) -> _dt.time:
    return _dt.datetime.fromtimestamp(ticks).time()


def TimestampFromTicks(ticks: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(ticks, tz=_dt.timezone.utc)


# --- connections and cursors ---------------------------------------------------------------


def connect(api_key: str | None = None, **settings: Any) -> Connection:
    """A connection to Roe: the arguments are RoeClient's (``organization_id``,
    ``base_url``, ``timeout``, ...), and so are the environment variables (``ROE_API_KEY``,
    ``ROE_ORGANIZATION_ID``, ...)."""
    return Connection(RoeClient(api_key, **settings))


class Connection:
    """A DB-API connection over a :class:`sqlquarry.RoeClient` (``.client``)."""

    def __init__(self, client: RoeClient) -> None:
        self.client = client
        self._closed = False

    def cursor(self) -> Cursor:
        """A new cursor on this connection."""
        self._check_open()
        return Cursor(self)

    def close(self) -> None:
        """Closes the connection: its cursors cannot run statements any more."""
        self._closed = True

    def commit(self) -> None:
        """Does nothing: every statement takes effect as it runs."""
        self._check_open()

    def rollback(self) -> None:
        """Raises NotSupportedError: each statement takes effect as it runs."""
        raise NotSupportedError("Roe runs each statement on its own: there is nothing to roll back")

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<sqlquarry.dbapi.Connection {state} to {self.client.base_url}>"


_Description = tuple[str, str, None, None, int | None, int | None, bool]


class Cursor:
    """Runs statements and fetches their rows. ``description`` names the columns with their
    ClickHouse types as type codes (equal to ``STRING``, ``NUMBER``, ``DATETIME``, ...);
    ``rowcount`` is the result's row count (-1 before a statement)."""

    arraysize: int = 1

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.description: list[_Description] | None = None
        self.rowcount = -1
        self.query_id: str | None = None
        self._result: QueryResult | None = None
        self._table: pyarrow.Table | None = None
        self._position = 0
        self._closed = False

    # -- running ----------------------------------------------------------------------------

    def execute(
        self, operation: str, parameters: Mapping[str, Any] | Sequence[Any] | None = None
    ) -> Cursor:
        """Runs `operation` with its ``%(name)s``/``%s`` placeholders bound to
        `parameters`; the last statement's rows are then ready to fetch."""
        self._check_open()
        sql = _native._bind_pyformat(operation, parameters)
        result = self.connection.client.query(sql)
        self._result = result
        self._table = None
        self._position = 0
        self.query_id = result.query_id
        self.rowcount = self._count(result)
        self.description = self._describe(result)
        return self

    def executemany(
        self, operation: str, seq_of_parameters: Sequence[Mapping[str, Any] | Sequence[Any]]
    ) -> Cursor:
        """Runs `operation` once per set of parameters; ``rowcount`` is the total."""
        total = 0
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            total += max(self.rowcount, 0)
        self.rowcount = total
        return self

    @staticmethod
    def _count(result: QueryResult) -> int:
        if result.num_columns:
            return result.num_rows
        written = result.summary.get("written_rows")
        return int(written) if written is not None else -1

    @staticmethod
    def _describe(result: QueryResult) -> list[_Description] | None:
        if not result.num_columns:
            return None
        out = []
        for field, declared in zip(result.schema, result.column_types, strict=True):
            t = field.type
            precision = getattr(t, "precision", None)
            scale = getattr(t, "scale", None)
            out.append((field.name, declared, None, None, precision, scale, field.nullable))
        return out

    # -- fetching ---------------------------------------------------------------------------

    def _rows_table(self) -> pyarrow.Table:
        self._check_open()
        if self._result is None:
            raise ProgrammingError("no statement has been executed")
        if self._table is None:
            self._table = self._result.to_arrow()
        return self._table

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        """The next `size` rows (``arraysize`` by default) as tuples."""
        table = self._rows_table()
        n = self.arraysize if size is None else size
        piece = table.slice(self._position, max(n, 0))
        self._position += piece.num_rows
        columns = [c.to_pylist() for c in piece.columns]
        return list(zip(*columns, strict=True)) if columns else [()] * piece.num_rows

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row as a tuple, or None after the last."""
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every row not fetched yet, as tuples."""
        table = self._rows_table()
        return self.fetchmany(table.num_rows - self._position)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row

    def fetch_arrow_table(self) -> pyarrow.Table:
        """The rows not fetched yet, as a ``pyarrow.Table`` (ADBC's extension)."""
        table = self._rows_table()
        rest = table.slice(self._position)
        self._position = table.num_rows
        return rest

    def fetch_record_batch(self) -> pyarrow.RecordBatchReader:
        """The rows not fetched yet, as a ``pyarrow.RecordBatchReader`` (ADBC's extension)."""
        import pyarrow as pa

        rest = self.fetch_arrow_table()
        return pa.RecordBatchReader.from_batches(rest.schema, rest.to_batches())

    def fetch_df(self) -> pandas.DataFrame:
        """The rows not fetched yet, as a pandas DataFrame (as ``QueryResult.to_pandas``)."""
        import pyarrow as pa

        from sqlquarry import _convert

        return _convert.to_pandas(pa.table(self.fetch_arrow_table()))

    # -- the rest of PEP 249 ----------------------------------------------------------------

    def close(self) -> None:
        """Closes the cursor and lets go of its result."""
        self._closed = True
        self._result = self._table = None

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._check_open()

    def setinputsizes(self, sizes: Any) -> None:
        """Does nothing (PEP 249 allows it)."""

    def setoutputsize(self, size: int, column: int | None = None) -> None:
        """Does nothing (PEP 249 allows it)."""

    def callproc(self, procname: str, parameters: Any = None) -> Any:
        """Raises NotSupportedError: ClickHouse has no stored procedures."""
        raise NotSupportedError("ClickHouse has no stored procedures")

    def nextset(self) -> None:
        """None: a statement's result is one set (``client.query_all`` returns them all)."""
        return None

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<sqlquarry.dbapi.Cursor rowcount={self.rowcount}>"
