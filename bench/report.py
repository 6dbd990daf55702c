"""What the runs measured, summarised per contender and printed as the bench's tables:
every contender on the identity body (at each size, with the Rust floor's rows), and the
same contenders on the gzip body next to their identity times."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path


def log(msg: str = "") -> None:
    print(msg, flush=True)


def fmt(s: float | None) -> str:
    return "-" if s is None else f"{s:.3f}"


class Summary:
    """The runs of one contender at one size and encoding."""

    def __init__(self, name: str, reports: list[dict]) -> None:
        self.name = name
        ok = [r for r in reports if r.get("status") == "ok"]
        bad = [r for r in reports if r.get("status") != "ok"]
        self.ok = bool(ok) and not bad
        self.status = "ok" if self.ok else (bad[0].get("status", "error") if bad else "missing")
        self.note = bad[0].get("note", "") if bad else ""
        self.times = [r["seconds"] for r in ok]
        self.seconds = statistics.median(self.times) if self.ok else None
        # Peak RSS above the post-import baseline: the worst run.
        above = [r["peak_rss_bytes"] - r["baseline_rss_bytes"] for r in ok]
        self.rss_above = max(above) if above else None
        self.arrow_bytes = next((r["arrow_bytes"] for r in ok if "arrow_bytes" in r), None)


@dataclass
class Size:
    """Everything measured at one row count: the identity runs, and at the base size the
    gzip runs of the same body (`gz_body` is what the server sent them)."""

    rows: int
    body: Path
    summaries: dict[str, Summary]
    gzip: dict[str, Summary] = field(default_factory=dict)
    gz_body: Path | None = None

    def sec(self, name: str, gzip: bool = False) -> float | None:
        s = (self.gzip if gzip else self.summaries).get(name)
        return s.seconds if s is not None and s.ok else None


class _Table:
    def __init__(self, columns: list[tuple[str, int, str]]) -> None:
        self.columns = columns

    def row(self, cells) -> None:
        cols = self.columns
        log(
            "| "
            + " | ".join(f"{c:{a}{w}}" for c, (_, w, a) in zip(cells, cols, strict=True))
            + " |"
        )

    def head(self) -> None:
        self.row([c[0] for c in self.columns])
        rule = [("-" * (w + 1) + ":") if a == ">" else "-" * (w + 2) for _, w, a in self.columns]
        log("|" + "|".join(rule) + "|")


# sqlquarry's own contenders, in the order the tables print them.
SQLQUARRY = [
    "sqlquarry_arrow",
    "sqlquarry_pandas",
    "sqlquarry_pandas_arrow",
    "sqlquarry_polars",
    "sqlquarry_stream",
]

_IDENTITY = [
    ("contender", 22, "<"),
    ("rows", 10, ">"),
    ("seconds", 8, ">"),
    ("min..max", 13, ">"),
    ("MB/s", 6, ">"),
    ("peak RSS MB", 11, ">"),
]
_GZIP = [("contender (gzip body)", 22, "<"), *_IDENTITY[1:], ("x identity", 10, ">")]


def _cells(name: str, rows: int, size: int, s: Summary, notes: list[str]) -> list[str]:
    if not s.ok:
        notes.append(f"{name} at {rows:,} rows: {s.status}: {s.note}")
        return [name, f"{rows:,}", "n/a" if s.status in ("unavailable", "skipped") else "ERROR"]
    return [
        name,
        f"{rows:,}",
        f"{s.seconds:.3f}",
        f"{min(s.times):.2f}..{max(s.times):.2f}",
        f"{size / s.seconds / 1e6:.0f}",
        f"{s.rss_above / 1e6:.0f}",
    ]


def print_table(sizes: list[Size], rust: dict, rust_note: str | None) -> None:
    notes: list[str] = []
    table = _Table(_IDENTITY)
    table.head()
    for sz in sizes:
        size = sz.body.stat().st_size
        for name, s in sz.summaries.items():
            cells = _cells(name, sz.rows, size, s, notes)
            table.row(cells + [""] * (len(_IDENTITY) - len(cells)))
        res = rust.get(sz.body) or {}
        for label, key in (
            ("rust serde validate", "serde_validate_seconds"),
            ("rust decode_run_body", "decode_seconds"),
        ):
            if res.get(key):
                sec, runs = res[key], f"median of {res['runs']}"
                table.row(
                    [label, f"{sz.rows:,}", f"{sec:.3f}", runs, f"{size / sec / 1e6:.0f}", "-"]
                )
    log()
    bodies = ", ".join(f"{s.body.stat().st_size / 1e6:.1f} MB for {s.rows:,} rows" for s in sizes)
    log(
        f"Body: {bodies}. MB/s: body bytes / seconds. peak RSS: VmHWM minus VmRSS after "
        "imports, worst run. rust rows: `cargo bench --bench json_floor`, in one process."
    )
    if rust_note:
        notes.append(f"Rust floor: {rust_note}")
    for note in notes:
        log(f"- {note}")


def print_gzip_table(base: Size) -> None:
    if not base.gzip or base.gz_body is None:
        return
    notes: list[str] = []
    size, gz_size = base.body.stat().st_size, base.gz_body.stat().st_size
    table = _Table(_GZIP)
    table.head()
    for name, s in base.gzip.items():
        cells = _cells(name, base.rows, size, s, notes)
        ident = base.sec(name)
        ratio = f"{s.seconds / ident:.2f}x" if s.ok and ident else ""
        table.row(cells + [""] * (len(_GZIP) - len(cells) - 1) + [ratio])
    log()
    log(
        f"The same body gzip-encoded (level 6, {gz_size / 1e6:.1f} MB on the wire, sent "
        "pre-compressed): each contender asks for gzip and inflates on the clock (urllib + "
        "zlib, requests by itself, sqlquarry in its reader). MB/s: uncompressed body bytes "
        "/ seconds. x identity: this time / the same contender's identity time, this run."
    )
    for note in notes:
        log(f"- {note}")
