"""Everything asked of ClickHouse (chDB, through the emulator's one shared session): random
rows materialised once into a Memory table, the three JSON renderings of those rows, and
ClickHouse's own answer for them in Arrow."""

from __future__ import annotations

import json

import pyarrow as pa

from sqlquarry.testing._encoding import encode_rows
from sqlquarry.testing._engine import ChEngine, StatementResult

from . import types as ty
from .compare import Obj, server_zone

DATABASE = "typefuzz"
# Types ClickHouse only creates when asked (numbers in LowCardinality, Time, Time64),
# and Nested kept as one column.
TYPE_SETTINGS = (
    "allow_suspicious_low_cardinality_types = 1, enable_time_time64_type = 1, flatten_nested = 0"
)
# ClickHouse's defaults, as a service that passes ClickHouse's JSON through sends it: wall
# times without an offset, 64-bit integers quoted, NaN and infinities as null. Only
# validate_utf8 differs from the default, or a String of random bytes would make the whole
# body invalid JSON (which sqlquarry refuses as a whole, tests/test_roe_bad_data.py).
SIMPLE_SETTINGS = (
    "date_time_output_format = 'simple', output_format_json_quote_64bit_integers = 1, "
    "output_format_json_quote_denormals = 0, output_format_json_quote_decimals = 0, "
    "output_format_json_validate_utf8 = 1"
)
# Raw bytes for strings (so bytes that are not UTF-8 stay visible) and no dictionaries.
ARROW_SETTINGS = (
    "output_format_arrow_string_as_string = 0, output_format_arrow_low_cardinality_as_dictionary"
    f" = 0, output_format_arrow_fixed_string_as_fixed_byte_array = 1, {TYPE_SETTINGS}"
)
# "simple_tz": ClickHouse's default JSON from a server in another zone (compare.SERVER_ZONES).
RENDERINGS = ("native", "string", "simple", "simple_tz")


class ClickHouse:
    def __init__(self, engine: ChEngine) -> None:
        self.engine = engine

    def run(self, sql: str) -> StatementResult:
        return self.engine.run(sql)

    def arrow(self, sql: str) -> pa.Table:
        """ClickHouse's own Arrow output."""
        data = self.engine.output(f"{sql} SETTINGS {ARROW_SETTINGS}", "Arrow")
        return pa.ipc.open_file(pa.BufferReader(data)).read_all()

    # -- tables ---------------------------------------------------------------------------

    def create_random(
        self,
        table: str,
        columns: list[tuple[str, ty.T]],
        seed: int,
        rows: int,
        max_string: int,
        max_array: int,
    ) -> None:
        """Materialise `rows` random rows once, so every rendering and the truth read the
        same values. generateRandom cannot make BFloat16 or Time values: those leaves are
        generated as types.generated() and CAST."""
        structure = ", ".join(f"g{i} {ty.generated(t)}" for i, (_, t) in enumerate(columns))
        select = ", ".join(
            f"CAST(g{i}, {_sql_str(str(t))}) AS {name}" for i, (name, t) in enumerate(columns)
        )
        self.replace(
            table,
            f"SELECT rowNumberInAllBlocks() AS _rn, {select} FROM generateRandom("
            f"{_sql_str(structure)}, {seed}, {max_string}, {max_array}) LIMIT {rows}",
        )

    def replace(self, table: str, select: str) -> None:
        self.run(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
        self.run(f"DROP TABLE IF EXISTS {DATABASE}.{table}")
        self.run(
            f"CREATE TABLE {DATABASE}.{table} ENGINE = Memory AS {select} SETTINGS {TYPE_SETTINGS}"
        )

    def declared(self, table: str) -> tuple[list[str], list[str]]:
        """Column names and ClickHouse's own spelling of their types."""
        r = self.run(f"SELECT * EXCEPT _rn FROM {DATABASE}.{table} LIMIT 0")
        return r.names, r.types

    # -- the renderings and the truth -----------------------------------------------------

    @staticmethod
    def select(table: str, names: list[str]) -> str:
        return f"SELECT {', '.join(names)} FROM {DATABASE}.{table} ORDER BY _rn"

    def rows(self, sql: str, rendering: str) -> bytes:
        """The `result_rows` JSON text of `sql` as the rendering sends it."""
        if rendering.startswith("simple"):
            return self._simple(sql, rendering).rows_text
        return encode_rows(self.run(sql), rendering)

    def _simple(self, sql: str, rendering: str) -> StatementResult:
        zone = server_zone(rendering)
        return self.run(f"{sql} SETTINGS {SIMPLE_SETTINGS}, session_timezone = '{zone}'")

    def simple_body(self, sql: str, rendering: str = "simple") -> bytes:
        """A whole Roe response body with ClickHouse's default JSON rows."""
        r = self._simple(sql, rendering)
        head = json.dumps(
            {"query_id": "typefuzz", "column_names": r.names, "column_types": r.types}
        )
        return b"[" + head[:-1].encode() + b', "result_rows": ' + r.rows_text + b"}]"

    def truth(self, table: str, columns: list[tuple[str, ty.T]]) -> pa.Table:
        exprs = [
            f"CAST({n}, {_sql_str(str(ty.truth(t)))}) AS {n}" if ty.truth(t) != t else n
            for n, t in columns
        ]
        return self.arrow(f"SELECT {', '.join(exprs)} FROM {DATABASE}.{table} ORDER BY _rn")


def parse_rows(text: bytes) -> list:
    return json.loads(text, object_pairs_hook=Obj)


def _sql_str(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
