"""One process-wide chDB (embedded ClickHouse) session that runs SQL for the emulator.

chDB refuses a second session on a different path in the same process, and a
session must not run two queries at once, so everything goes through one
`ChEngine` guarded by a lock.  chDB is imported only when the first statement
runs, which keeps `import sqlquarry.testing` cheap.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass

# Names line, types line, then one JSON array per row: the row lines can be
# spliced into a JSON array without parsing them in Python.
_FORMAT = "JSONCompactEachRowWithNamesAndTypes"

# Applied once per session with SET (they persist in a chDB session), rather
# than as a SETTINGS clause, which would not parse after DDL or INSERT.
_SESSION_SETTINGS = (
    # 64-bit integers and decimals as JSON numbers with every digit.
    "SET output_format_json_quote_64bit_integers = 0",
    "SET output_format_json_quote_decimals = 0",
    # nan/inf as the strings "nan"/"inf"/"-inf" (otherwise they become null).
    "SET output_format_json_quote_denormals = 1",
    # Invalid UTF-8 in String columns would otherwise make the body invalid JSON.
    "SET output_format_json_validate_utf8 = 1",
    # The real service runs in UTC; DateTime without a zone must not depend
    # on the zone of the machine running the tests.
    "SET session_timezone = 'UTC'",
    # Date-times as exact ISO 8601 UTC instants ("2024-11-03T05:30:00Z"), as a
    # Django backend's JSON encoder sends them. ClickHouse's default text is wall
    # time without an offset, ambiguous for an hour each autumn in zones with
    # DST; the string encoding needs the true instant to write the true offset.
    "SET date_time_output_format = 'iso'",
    # chDB (like clickhouse-local) treats a bare expression as a SELECT, so a
    # typo such as `SELEC x` would "succeed"; a ClickHouse server rejects it.
    "SET implicit_select = 0",
)

SERVER_TIMEZONE = "UTC"


class EngineError(Exception):
    """A statement failed; the message is ClickHouse's error text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StatementResult:
    """The outcome of one statement.

    `rows_text` is the JSON array of all rows exactly as ClickHouse wrote them;
    `rows` is the number of rows (counted, never parsed).
    """

    names: list[str]
    types: list[str]
    rows_text: bytes
    rows: int
    elapsed_ns: int
    read_rows: int
    read_bytes: int
    query_id: str


class ChEngine:
    """A lazily started chDB session with serialised access."""

    def __init__(self, path: str | None = None) -> None:
        # None: a private temporary directory removed by close().
        self._path = path
        self._tmpdir: str | None = None
        self._session = None
        self._lock = threading.Lock()

    @property
    def server_timezone(self) -> str:
        return SERVER_TIMEZONE

    def execute(self, sql: str) -> None:
        """Run setup statements (several may be separated by `;`), ignoring output."""
        for statement in split_statements(sql):
            self.run(statement)

    def output(self, sql: str, fmt: str) -> bytes:
        """One statement's whole output in any ClickHouse format (``Arrow``, ``CSV``...),
        for tests that compare against ClickHouse's own rendering."""
        with self._lock:
            return self._query(sql, fmt).bytes()

    def _query(self, sql: str, fmt: str):
        # Called with the lock held.
        session = self._ensure_session()
        try:
            return session.query(sql, fmt)
        # chdb raises ChdbError (a RuntimeError) and documents ValueError too.
        except Exception as exc:
            self._drain(session)
            raise EngineError(str(exc)) from None

    def run(self, sql: str) -> StatementResult:
        """Run one statement and return its result as spliceable JSON text."""
        query_id = str(uuid.uuid4())
        with self._lock:
            res = self._query(sql, _FORMAT)
            data = res.bytes()
            elapsed_ns = int(res.elapsed() * 1e9)
            read_rows = int(res.rows_read())
            read_bytes = int(res.bytes_read())
        names, types, rows_text, rows = _split_output(data)
        return StatementResult(
            names=names,
            types=types,
            rows_text=rows_text,
            rows=rows,
            elapsed_ns=elapsed_ns,
            read_rows=read_rows,
            read_bytes=read_bytes,
            query_id=query_id,
        )

    @staticmethod
    def _drain(session) -> None:
        # chDB hands the header of a statement that failed while running to the next
        # statement as its own output; a throwaway statement takes it.
        try:
            session.query("SELECT 1", _FORMAT)
        except Exception:
            pass

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
                self._tmpdir = None

    def _ensure_session(self):
        # Called with the lock held.
        if self._session is None:
            from chdb import session as chdb_session

            path = self._path
            if path is None:
                self._tmpdir = tempfile.mkdtemp(prefix="sqlquarry-chdb-")
                path = self._tmpdir
            sess = chdb_session.Session(path)
            for statement in _SESSION_SETTINGS:
                sess.query(statement, "CSV")
            self._session = sess
        return self._session


def _split_output(data: bytes) -> tuple[list[str], list[str], bytes, int]:
    if not data:
        # DDL, INSERT, SET...: ClickHouse writes nothing at all.
        return [], [], b"[]", 0
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1)
    try:
        if first < 0 or second < 0:
            raise ValueError("missing header lines")
        names = json.loads(data[:first])
        types = json.loads(data[first + 1 : second])
    except ValueError:
        # e.g. the statement carried its own FORMAT clause.
        raise EngineError(
            "emulator: statement output is not JSONCompactEachRowWithNamesAndTypes "
            "(remove any FORMAT clause)"
        ) from None
    # JSON strings never contain a raw newline, so every newline after the
    # header ends one row: one replace turns the lines into array elements.
    rows = data.count(b"\n", second + 1)
    body = data.replace(b"\n", b",")
    end = len(body) - 1 if body.endswith(b",") else len(body)
    rows_text = b"".join((b"[", memoryview(body)[second + 1 : end], b"]"))
    return names, types, rows_text, rows


def split_statements(sql: str) -> list[str]:
    """Split on `;` outside quotes and comments; drop empty or comment-only parts."""
    statements: list[str] = []
    start = 0
    has_code = False  # does the current part contain anything but comments?
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            i = _skip_quoted(sql, i)
            has_code = True
            continue
        if sql.startswith("--", i) or sql.startswith(("# ", "#!"), i):
            nl = sql.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
            continue
        if ch == ";":
            if has_code:
                statements.append(sql[start:i].strip())
            start, has_code = i + 1, False
        elif not ch.isspace():
            has_code = True
        i += 1
    if has_code:
        statements.append(sql[start:].strip())
    return statements


def _skip_quoted(sql: str, i: int) -> int:
    # ClickHouse accepts both backslash escapes and doubled quotes; a doubled
    # quote simply closes and reopens, which this loop handles naturally.
    quote, i, n = sql[i], i + 1, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "\\":
            i += 2
        elif ch == quote:
            return i + 1
        else:
            i += 1
    return n


def _skip_block_comment(sql: str, i: int) -> int:
    # ClickHouse block comments nest: /* a /* b */ c */ is one comment.
    depth, i, n = 1, i + 2, len(sql)
    while i < n and depth:
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
        else:
            i += 1
    return i


_shared: ChEngine | None = None
_shared_lock = threading.Lock()


def shared_engine() -> ChEngine:
    """The process-wide engine (chDB allows only one database path per process)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ChEngine()
            atexit.register(_shared.close)
        return _shared
