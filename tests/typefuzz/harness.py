"""One table of columns, decoded by sqlquarry in each rendering and compared with
ClickHouse's own answer for the same rows."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

import sqlquarry

from . import types as ty
from .clickhouse import RENDERINGS, ClickHouse, parse_rows
from .compare import (
    Checked,
    Mismatch,
    canonical,
    compare,
    ours_leaf,
    server_zone,
    show,
    truth_leaf,
)

QUERY_PATH = "/v1/database/query/"
META = b"sqlquarry.declared_type"


def to_arrow(result) -> pa.Table:
    """How a decoded result becomes the table compared (a test may swap this to show the
    harness catches a broken decoder)."""
    return result.to_arrow()


@dataclass
class Summary:
    """What a run checked and found, over all tables and renderings."""

    seed: int
    columns: int = 0
    values: int = 0
    families: Counter = field(default_factory=Counter)  # columns containing each family
    lossy_columns: Counter = field(default_factory=Counter)  # by rendering
    lossy_reasons: Counter = field(default_factory=Counter)
    mismatches: list[Mismatch] = field(default_factory=list)

    def add(self, other: Summary) -> None:
        self.columns += other.columns
        self.values += other.values
        self.families.update(other.families)
        self.lossy_columns.update(other.lossy_columns)
        self.lossy_reasons.update(other.lossy_reasons)
        self.mismatches += other.mismatches


# How the decoded table is obtained: query() (decoded while the body arrives, in 4 MiB
# chunks), iter_batches() (the streaming path) or _decode_roe_body() on the whole body in
# memory (cut at guessed row starts and decoded in parallel pieces).
VIAS = ("query", "stream", "memory")


class Streamed:
    """iter_batches()' batches as one table; conversions belong to QueryResult, not here."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def to_arrow(self) -> pa.Table:
        return self.table


class Harness:
    def __init__(
        self, ch: ClickHouse, server, client, seed: int, renderings=RENDERINGS, via: str = "query"
    ):
        self.ch, self.server, self.client = ch, server, client
        self.seed, self.renderings, self.via = seed, renderings, via
        self.clients = {"UTC": client}

    def fetch(self, rendering: str, sql: str):
        """sqlquarry's result for `sql`, over HTTP from the emulator."""
        client = self._client(server_zone(rendering))
        if rendering.startswith("simple"):
            body = self.ch.simple_body(sql, rendering)
            self.server.inject_fault(status=200, path_contains=QUERY_PATH, body=body)
            sql = "SELECT 1"
        else:
            self.server.encoding = rendering
        if self.via == "stream":
            with client.iter_batches(sql) as batches:
                return Streamed(pa.Table.from_batches(list(batches)))
        if self.via == "memory":
            zone = server_zone(rendering)
            return sqlquarry._native._decode_roe_body(client._run_raw(sql), zone)[-1]
        return client.query(sql)

    def _client(self, zone: str):
        """A client told the server's zone, as a user of that server would be."""
        if zone not in self.clients:
            self.clients[zone] = sqlquarry.RoeClient(
                api_key=self.server.api_key,
                base_url=self.server.url,
                organization_id="typefuzz",
                server_timezone=zone,
            )
        return self.clients[zone]

    def check_table(self, table: str) -> Summary:
        names, declared = self.ch.declared(table)
        nodes = [ty.parse(d) for d in declared]
        for d, t in zip(declared, nodes, strict=True):
            assert str(t) == d, f"typefuzz cannot spell {d!r} back (got {t}): fix types.py"
        columns = list(zip(names, declared, nodes, strict=True))
        truth_table = self.ch.truth(table, [(n, t) for n, _, t in columns])
        truth = {n: canonical(truth_table.column(n), t, truth_leaf) for n, _, t in columns}
        summary = Summary(self.seed, columns=len(columns))
        for _, _, t in columns:
            summary.families.update(ty.families(t))
        for rendering in self.renderings:
            self._check_rendering(table, rendering, columns, truth, summary)
        return summary

    def _check_rendering(self, table, rendering, columns, truth, summary: Summary) -> None:
        before = len(summary.mismatches)
        sql = self.ch.select(table, [n for n, _, _ in columns])
        cells = parse_rows(self.ch.rows(sql, rendering))
        alone: dict = {}  # column -> its own QueryResult (or why it failed), fetched once
        try:
            result = self.fetch(rendering, sql)
            decoded = to_arrow(result)
        except BaseException as exc:
            failure(exc)
            # One bad column fails the whole query: each column is then decoded alone,
            # to name the bad one and still check all the others.
            result = decoded = None
        for j, (name, declared, t) in enumerate(columns):
            try:
                if decoded is not None:
                    one, k = decoded, j
                else:
                    one, k = to_arrow(self._alone(rendering, table, name, alone)), 0
            except BaseException as exc:
                note = failure(exc)
                summary.mismatches.append(Mismatch("decode", rendering, name, declared, note=note))
                continue
            found = self.check_column(
                rendering,
                name,
                declared,
                t,
                one.schema.field(k),
                one.column(k),
                truth[name],
                [row[j] for row in cells],
            )
            summary.values += found.values
            summary.mismatches += found.mismatches
            if found.lossy:
                summary.lossy_columns[rendering] += 1
                summary.lossy_reasons.update(f"{rendering}: {_kind(r)}" for r in found.lossy)
        summary.mismatches += self._conversions(table, rendering, columns, result, alone)
        for m in summary.mismatches[before:]:
            m.via = self.via

    def _alone(self, rendering: str, table: str, name: str, cache: dict):
        """The QueryResult of one column by itself; raises what decoding it raised."""
        if name not in cache:
            try:
                cache[name] = self.fetch(rendering, self.ch.select(table, [name]))
            except BaseException as exc:
                failure(exc)
                cache[name] = exc
        if isinstance(cache[name], BaseException):
            raise cache[name]
        return cache[name]

    def check_column(self, rendering, name, declared, t, fld, arr, truth, cells) -> Checked:
        found = Checked()

        def add(kind, note="", **kw):
            found.mismatches.append(Mismatch(kind, rendering, name, declared, note=note, **kw))

        want = ty.expected_arrow(t, server_zone(rendering))
        if not fld.type.equals(want) or fld.nullable != t.nullable:
            add(
                "type",
                f"Arrow type {fld.type} (nullable={fld.nullable}), docs/types.md says "
                f"{want} (nullable={t.nullable})",
            )
            return found
        for path, got, expected in metadata(fld, t, declared):
            add("metadata", f"{path}: sqlquarry.declared_type {got!r}, expected {expected!r}")
        ours = canonical(arr, t, ours_leaf)
        for row, (o, w, c) in enumerate(zip(ours, truth, cells, strict=True)):

            def report(path, ours_v, truth_v, cell, note, row=row):
                leaf = leaf_type(t, path)
                add(
                    "value",
                    note,
                    row=row,
                    path=path,
                    ours=show(leaf, ours_v),
                    truth=show(leaf, truth_v),
                    cell=json.dumps(cell, ensure_ascii=False),
                )

            compare(t, o, w, c, "", rendering, found, report)
        return found

    def _conversions(self, table, rendering, columns, result, alone) -> list[Mismatch]:
        """to_polars() and to_pandas() must work for every column that decodes."""
        out = []
        if self.via == "stream":
            return out
        for kind in ("polars", "pandas"):
            if result is not None and _raises(kind, result) is None:
                continue
            for name, declared, _ in columns:
                try:
                    one = self._alone(rendering, table, name, alone)
                except BaseException:
                    continue  # a decode failure, already reported
                if why := _raises(kind, one):
                    out.append(Mismatch(kind, rendering, name, declared, note=why))
        return out


def _kind(lossy_reason: str) -> str:
    if lossy_reason.startswith("wall"):
        return "skipped wall time" if "not exist" in lossy_reason else "DST fold"
    return "non-finite as null" if lossy_reason.endswith("null") else "not UTF-8"


def _raises(kind: str, result) -> str | None:
    try:
        getattr(result, f"to_{kind}")()
    except BaseException as exc:
        return f"to_{kind}() raised {failure(exc)[:200]}"
    return None


def failure(exc: BaseException) -> str:
    """The text of a failure. A Rust panic arrives as pyo3's PanicException, which is a
    BaseException, so everything but an interrupt counts as a failure of the decoder."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        raise exc
    return f"{type(exc).__name__}: {exc}"


def metadata(fld: pa.Field, t: ty.T, declared: str, path: str = "") -> list[tuple]:
    """(path, found, expected) for each field whose declared type is not `declared`."""
    got = (fld.metadata or {}).get(META, b"").decode()
    out = [] if got == declared else [(path or fld.name, got, declared)]
    s = t.strip()
    kids: list[tuple[pa.Field, ty.T]] = []
    if s.name == "Array":
        kids = [(fld.type.value_field, s.args[0])]
    elif s.name == "Map":
        kids = [(fld.type.key_field, s.args[0]), (fld.type.item_field, s.args[1])]
    elif s.name == "Tuple":
        kids = [(fld.type.field(i), c) for i, c in enumerate(s.args)]
    for child, ct in kids:
        out += metadata(child, ct, str(ct), f"{path or fld.name}.{child.name}")
    return out


def leaf_type(t: ty.T, path: str) -> ty.T:
    """The type at `path` ("[2]{0}.key.1") inside `t`, for showing a value."""
    for step in re.findall(r"\[\d+\]|\{\d+\}(?:\.key)?|\.\d+", path):
        s = t.strip()
        if step.startswith("["):
            t = s.args[0]
        elif step.startswith("{"):
            t = s.args[0] if step.endswith("key") else s.args[1]
        else:
            t = s.args[int(step[1:]) - 1]
    return t
