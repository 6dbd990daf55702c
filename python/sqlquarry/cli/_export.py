"""Writing a result to a file (or stdout) batch by batch, in Parquet, CSV, JSON lines or
Arrow IPC, so a result larger than memory can be exported.

A file is written under a temporary name in its own directory and renamed over the final
name only once complete: a failure, Ctrl-C or SIGTERM leaves no half-written file behind
(and never clobbers an older file of that name with a broken one).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from sqlquarry.cli._errors import OutputError, UsageError
from sqlquarry.cli._jsonvalues import column_values

FORMATS = ("parquet", "csv", "jsonl", "arrow")
SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".arrows": "arrow",
}
_BINARY = ("parquet", "arrow")
_COMPACT = (",", ":")


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a result goes: a file, or stdout when `path` is None."""

    path: Path | None
    format: str

    def describe(self) -> str:
        return "stdout" if self.path is None else str(self.path)


def target(output: str | None, fmt: str | None) -> Target | None:
    """The target `-o` and `--format` ask for; None for the preview on stdout."""
    if output is None and fmt is None:
        return None
    if output is None or output == "-":
        if fmt is None:
            raise UsageError(
                "-o - writes to stdout: say which --format (parquet, csv, jsonl, arrow)"
            )
        if fmt in _BINARY and sys.stdout.isatty():
            raise UsageError(f"not writing {fmt} (binary) to a terminal: use -o FILE or redirect")
        return Target(None, fmt)
    path = Path(output)
    # Checked before the query runs: finding out after a long wait would waste it.
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {output}: no directory {str(directory)!r}")
    if path.is_dir():
        raise OutputError(f"cannot write {output}: it is a directory")
    if fmt is None:
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise UsageError(
                f"cannot tell the format of {output!r} from its suffix: name it .parquet, "
                ".csv, .jsonl or .arrow, or add --format"
            )
    return Target(path, fmt)


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise OutputError(
            "writing a result needs pyarrow: pip install pyarrow (or 'sqlquarry[pyarrow]')"
        ) from None


class Writer(Protocol):
    def write(self, batch: Any) -> None: ...
    def close(self) -> None: ...


def export(schema: Any, batches: Iterable[Any], to: Target) -> int:
    """Writes `batches` (of `schema`) to `to`, one batch at a time; answers the row count."""
    require_pyarrow()
    if to.path is None:
        sys.stdout.flush()
        writer = open_writer(to.format, sys.stdout.buffer, schema, ipc_stream=True)
        return _write_all(writer, batches)
    with replacing(to.path) as part:
        ipc_stream = to.path.suffix.lower() == ".arrows"
        return _write_all(open_writer(to.format, str(part), schema, ipc_stream), batches)


def _write_all(writer: Writer, batches: Iterable[Any]) -> int:
    rows = 0
    try:
        for batch in batches:
            writer.write(batch)
            rows += batch.num_rows
    finally:
        writer.close()
    return rows


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed to `path` if the block succeeds and deleted
    if it fails in any way (KeyboardInterrupt included)."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    part = Path(name)
    try:
        yield part
        # mkstemp makes the file private (0600); the result gets the usual mode instead.
        os.chmod(part, 0o666 & ~_umask())
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def open_writer(fmt: str, sink: str | IO[bytes], schema: Any, ipc_stream: bool = False) -> Writer:
    """A writer of `fmt` into `sink` (a path, or a binary stream such as stdout);
    `ipc_stream` picks Arrow's stream format over its file format."""
    if fmt == "parquet":
        return _Parquet(sink, schema)
    if fmt == "csv":
        return _Csv(sink, schema)
    if fmt == "jsonl":
        return _JsonLines(sink, schema)
    if fmt == "arrow":
        return _ArrowIpc(sink, schema, ipc_stream)
    raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


class _Parquet:
    def __init__(self, sink: str | IO[bytes], schema: Any) -> None:
        import pyarrow.parquet as pq

        # Each batch becomes a row group as it arrives: only one batch is ever held.
        self._writer = pq.ParquetWriter(sink, schema)

    def write(self, batch: Any) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class _ArrowIpc:
    def __init__(self, sink: str | IO[bytes], schema: Any, stream: bool) -> None:
        import pyarrow as pa

        # A file (.arrow, .feather) has a footer for random access; a pipe gets the stream
        # format, which readers consume as it comes (and which .arrows names).
        open_ipc = pa.ipc.new_stream if stream else pa.ipc.new_file
        self._writer = open_ipc(sink, schema)

    def write(self, batch: Any) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


def _is_nested(arrow_type: Any) -> bool:
    import pyarrow.types as t

    return bool(
        t.is_list(arrow_type)
        or t.is_large_list(arrow_type)
        or t.is_fixed_size_list(arrow_type)
        or t.is_struct(arrow_type)
        or t.is_map(arrow_type)
        or t.is_union(arrow_type)
    )


class _Csv:
    """CSV has no nested values: arrays, maps and tuples are written as their JSON text."""

    def __init__(self, sink: str | IO[bytes], schema: Any) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        self._pa = pa
        self._nested = [i for i, f in enumerate(schema) if _is_nested(f.type)]
        for i in self._nested:
            schema = schema.set(i, schema.field(i).with_type(pa.string()))
        self._schema = schema
        self._writer = pcsv.CSVWriter(sink, schema)

    def write(self, batch: Any) -> None:
        if self._nested:
            columns = list(batch.columns)
            for i in self._nested:
                texts = [None if v is None else json.dumps(v) for v in column_values(columns[i])]
                columns[i] = self._pa.array(texts, self._pa.string())
            batch = self._pa.RecordBatch.from_arrays(columns, schema=self._schema)
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class _JsonLines:
    """One JSON object per row, keys in column order (see `_jsonvalues` for the values)."""

    def __init__(self, sink: str | IO[bytes], schema: Any) -> None:
        self._names = schema.names
        self._owned = isinstance(sink, str)
        self._out: IO[bytes] = open(sink, "wb") if isinstance(sink, str) else sink

    def write(self, batch: Any) -> None:
        columns = [column_values(c) for c in batch.columns]
        names = self._names
        lines = [
            json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, separators=_COMPACT)
            for row in zip(*columns, strict=True)
        ]
        if lines:
            self._out.write(("\n".join(lines) + "\n").encode())

    def close(self) -> None:
        if self._owned:
            self._out.close()
        else:
            self._out.flush()
