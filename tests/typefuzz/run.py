"""A whole run: random tables from a seed, each checked in every rendering, and a report."""

from __future__ import annotations

import random
import re
from collections import Counter

from sqlquarry.testing._engine import EngineError

from . import grammar
from .clickhouse import DATABASE, RENDERINGS, ClickHouse
from .compare import Mismatch
from .edges import create_edge_tables
from .harness import Harness, Summary

ROWS = 12
MAX_STRING = 12
MAX_ARRAY = 4


def random_tables(ch: ClickHouse, seed: int, columns: int, per_table: int = 30, rows: int = ROWS):
    """Create the tables of a run; yields each table's name. The same seed gives the same
    types and the same rows (ClickHouse's refusals are deterministic too)."""
    rng = random.Random(seed)
    for k in range(0, columns, per_table):
        table = f"t{seed}_{k // per_table}"
        cols = grammar.schema(rng, min(per_table, columns - k))
        table_seed = rng.randrange(2**31)
        try:
            ch.create_random(table, cols, table_seed, rows, MAX_STRING, MAX_ARRAY)
        except EngineError:
            cols = [_accepted(ch, rng, name, t) for name, t in cols]
            ch.create_random(table, cols, table_seed, rows, MAX_STRING, MAX_ARRAY)
        yield table


def _accepted(ch: ClickHouse, rng: random.Random, name: str, t):
    """`t`, or a new draw if ClickHouse refuses it (tried alone in a throwaway table)."""
    for _ in range(50):
        try:
            ch.create_random("probe", [(name, t)], 1, 1, 1, 1)
            return name, t
        except EngineError:
            t = grammar.column(rng)
    raise RuntimeError(f"ClickHouse refused 50 random types in a row, the last {t}")


def run(
    ch: ClickHouse,
    server,
    client,
    seed: int,
    columns: int,
    renderings=RENDERINGS,
    vias=("query",),
    per_table: int = 30,
    rows: int = ROWS,
    progress=None,
) -> Summary:
    """Check `columns` random columns; each table is dropped once checked."""
    total = Summary(seed)
    for table in random_tables(ch, seed, columns, per_table, rows):
        for via in vias:
            total.add(Harness(ch, server, client, seed, renderings, via).check_table(table))
        ch.run(f"DROP TABLE {DATABASE}.{table}")
        if progress:
            progress(total)
    return total


def check_edges(ch: ClickHouse, server, client, renderings=RENDERINGS, vias=("query",)):
    total = Summary(0)
    for table in create_edge_tables(ch):
        for via in vias:
            total.add(Harness(ch, server, client, 0, renderings, via).check_table(table))
    return total


# --- reporting ---------------------------------------------------------------------------


def known_bug(m: Mismatch) -> str:
    """Which known problem a failure looks like, from its shape; "other" if none."""
    d, note = m.declared, m.note
    if m.kind == "value" and m.rendering.startswith("simple") and "DateTime" in d and m.truth:
        if m.truth[:4].isdigit() and int(m.truth[:4]) >= 2100:
            return "(a) wall time from 2100 on, an hour off in a DST zone"
    if m.kind == "decode" and "NULL where a tuple" in note:
        return "(b) NULL in a Nullable(Tuple)"
    if (
        m.kind == "decode"
        and re.search(r"Float|Point|Ring|LineString|Polygon", d)
        and ("not Nullable" in note)
    ):
        return "(c) null (NaN/Inf) in a non-Nullable float"
    if m.kind == "polars":
        return "(d) to_polars() fails"
    if m.kind == "metadata" and re.search(r"`[^`]+` ", note):
        return "(e) nested declared_type loses backquotes"
    if m.kind == "decode" and re.search(r"\d:\d\d(\.\d+)?[+-]\d\d:\d\d:\d\d", note):
        return "offset with seconds (-00:44:30) not read"
    if m.kind == "metadata" and re.search(r"Ring|LineString|Polygon", note):
        return "metadata: geometry items named by structure (Array(Point), not Ring)"
    if m.kind == "decode" and re.search(r'key "[\[(]', note):
        return "Map with Array/Tuple keys: ClickHouse writes them as text, ['a'] or (1,'a')"
    if m.kind == "value" and m.rendering == "string" and "the JSON has" in note:
        return "emulator: the string encoding drops repeated Map keys (a Python dict)"
    return "other"


def describe(m: Mismatch, seed: int) -> str:
    where = f"[{m.rendering} via {m.via}] seed={seed} column {m.column} {m.declared}"
    if m.row is not None:
        where += f" row {m.row}{' at ' + m.path if m.path else ''}"
        text = f"{where}: ours {m.ours} != ClickHouse {m.truth}; JSON cell {m.cell}"
    else:
        text = f"{where}: {m.kind}"
    return text + (f" ({m.note})" if m.note else "")


def report(s: Summary, examples: int = 3) -> str:
    lines = [
        f"seed {s.seed}: {s.columns} columns, {s.values} values compared",
        "columns containing each family: "
        + ", ".join(f"{k} {v}" for k, v in sorted(s.families.items())),
        "lossy columns by rendering: "
        + (", ".join(f"{k} {v}" for k, v in sorted(s.lossy_columns.items())) or "none")
        + "; lossy values: "
        + (", ".join(f"{k} {v}" for k, v in sorted(s.lossy_reasons.items())) or "none"),
    ]
    groups: dict[str, list[Mismatch]] = {}
    for m in s.mismatches:
        groups.setdefault(known_bug(m), []).append(m)
    lines.append(f"{len(s.mismatches)} failures")
    for label, ms in sorted(groups.items()):
        cols = Counter((m.column, m.rendering) for m in ms)
        lines.append(f"  {label}: {len(ms)} failures in {len(cols)} column-renderings")
        lines += [f"    {describe(m, s.seed)}" for m in ms[:examples]]
    return "\n".join(lines)
