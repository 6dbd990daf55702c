"""The issue's targets, checked on one run's figures: one PASS/FAIL line each (ratios of
contenders measured in the same run), with `info:` lines for context. A target that could
not be measured fails: it is not met until it is shown to be."""

from __future__ import annotations

from instructions import TARGET_PER_ROW as INSTRUCTIONS_PER_ROW
from report import SQLQUARRY, Size, fmt, log

PANDAS_ARROW_SPEEDUP = 25.0  # to_pandas(dtype_backend="pyarrow") vs json + pandas
PANDAS_DECIMAL_FACTOR = 1.15  # to_pandas() vs to_arrow() + constructing the Decimals
POLARS_SPEEDUP = 15.0  # to_polars() vs orjson + polars
POLARS_DOWNLOAD_FACTOR = 2.5  # to_polars() vs downloading the body (urllib)
GZIP_FACTOR = 1.3  # sqlquarry on the gzip body vs the identity body
END_TO_END_FACTOR = 1.5  # query().to_arrow() vs download + in-memory decode
GROWTH_SLACK = 1.1  # 10x rows -> at most 11x time
STREAM_GROWTH = 1.5  # iter_batches() peak RSS at the second size vs at the base size


class Targets:
    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []

    def add(self, label: str, value, target_text: str, ok, detail: str) -> None:
        """A target's line; value None means it was not measured (FAIL)."""
        if value is None:
            self.lines.append(
                (f"{label}: not measured (target {target_text}) FAIL  [{detail}]", False)
            )
        else:
            verdict = "PASS" if ok else "FAIL"
            self.lines.append(
                (f"{label}: {value} (target {target_text}) {verdict}  [{detail}]", bool(ok))
            )

    def info(self, text: str) -> None:
        self.lines.append((f"  info: {text}", True))

    def ratio(self, label, num, den, target_text, ok, detail, fmt_value="{:.2f}x") -> None:
        value = num / den if num and den else None
        shown = None if value is None else fmt_value.format(value)
        self.add(label, shown, target_text, value is not None and ok(value), detail)


def print_targets(sizes: list[Size], rust: dict, instructions, quick: bool) -> bool:
    """One line per target; True when all pass. `instructions` is bench/instructions.py's
    measurement, or a string saying why there is none."""
    base, big = sizes[0], (sizes[1] if len(sizes) > 1 else None)
    t = Targets()
    _speed_targets(t, base)
    _gzip_targets(t, base)
    _decode_targets(t, base, rust, instructions)
    _size_targets(t, base, big, quick)
    log("Targets (ratios measured in this run):")
    for text, _ in t.lines:
        log(f"  {text}")
    return all(ok for _, ok in t.lines)


def _speed_targets(t: Targets, base: Size) -> None:
    sec = base.sec
    fast, slow = sec("sqlquarry_pandas_arrow"), sec("json_pandas")
    t.ratio(
        'to_pandas(dtype_backend="pyarrow") vs json+pandas',
        slow,
        fast,
        f">= {PANDAS_ARROW_SPEEDUP:g}x",
        lambda v: v >= PANDAS_ARROW_SPEEDUP,
        f"sqlquarry_pandas_arrow {fmt(fast)} s, json_pandas {fmt(slow)} s",
        "{:.1f}x",
    )
    pandas, arrow, decimals = sec("sqlquarry_pandas"), sec("sqlquarry_arrow"), sec("floor_decimals")
    floor = arrow + decimals if arrow and decimals else None
    t.ratio(
        "to_pandas() / (to_arrow() + Decimal floor)",
        pandas,
        floor,
        f"<= {PANDAS_DECIMAL_FACTOR:g}x",
        lambda v: v <= PANDAS_DECIMAL_FACTOR,
        f"sqlquarry_pandas {fmt(pandas)} s; sqlquarry_arrow {fmt(arrow)} s + floor_decimals "
        f"{fmt(decimals)} s (map(Decimal, texts) of the price column) = {fmt(floor)} s",
    )
    for other in ("json_pandas", "requests_pandas"):
        if pandas and sec(other):
            t.info(f"to_pandas() vs {other}: {sec(other) / pandas:.1f}x")
    polars, orjson, download = sec("sqlquarry_polars"), sec("orjson_polars"), sec("floor_download")
    t.ratio(
        "to_polars() vs orjson+polars",
        orjson,
        polars,
        f">= {POLARS_SPEEDUP:g}x",
        lambda v: v >= POLARS_SPEEDUP,
        f"sqlquarry_polars {fmt(polars)} s, orjson_polars {fmt(orjson)} s",
        "{:.1f}x",
    )
    t.ratio(
        "to_polars() / raw download floor",
        polars,
        download,
        f"<= {POLARS_DOWNLOAD_FACTOR:g}x",
        lambda v: v <= POLARS_DOWNLOAD_FACTOR,
        f"sqlquarry_polars {fmt(polars)} s, floor_download (urllib) {fmt(download)} s",
    )
    off, on = sec("sqlquarry_arrow"), sec("sqlquarry_arrow_logged")
    if off and on:
        t.info(
            f"query().to_arrow() with logging at DEBUG {fmt(on)} s, off (the default) "
            f"{fmt(off)} s: {on / off:.2f}x"
        )


def _gzip_targets(t: Targets, base: Size) -> None:
    ident, gz = base.sec("sqlquarry_arrow"), base.sec("sqlquarry_arrow", gzip=True)
    t.ratio(
        "gzip: query().to_arrow() on the gzip body / on the identity body",
        gz,
        ident,
        f"<= {GZIP_FACTOR:g}x",
        lambda v: v <= GZIP_FACTOR,
        f"sqlquarry_arrow {fmt(gz)} s gzip, {fmt(ident)} s identity",
    )
    for name in base.gzip:
        a, b = base.sec(name), base.sec(name, gzip=True)
        if name != "sqlquarry_arrow" and a and b:
            t.info(f"gzip / identity, {name}: {b / a:.2f}x ({fmt(b)} s / {fmt(a)} s)")


def _decode_targets(t: Targets, base: Size, rust: dict, instructions) -> None:
    # The production reader (decode_run_body, both cores, to Arrow) vs serde_json
    # validating the same bytes (one thread), alternating in one warm Rust process: the
    # same harness for both. The fresh Python process (floor_decode) also pays for first
    # touching ~100 MB of new Arrow memory, which validation never allocates: info only.
    res = rust.get(base.body) or {}
    serde, rust_dec = res.get("serde_validate_seconds"), res.get("decode_seconds")
    t.ratio(
        "in-memory decode speed / serde_json validate speed",
        serde,
        rust_dec,
        ">= 1x",
        lambda v: v >= 1.0,
        f"decode_run_body {fmt(rust_dec)} s (warm process, to Arrow); serde_json IgnoredAny "
        f"{fmt(serde)} s",
    )
    dec = base.sec("floor_decode")
    if serde and dec:
        t.info(
            f"floor_decode (fresh Python process, to Arrow) {dec:.3f} s: "
            f"{serde / dec:.2f}x serde_json's validation speed"
        )
    target = f"< {INSTRUCTIONS_PER_ROW:,}"
    if isinstance(instructions, dict):
        per_row = instructions["decode_per_row"]
        t.add(
            "instructions per row of the production decode (callgrind, every thread)",
            f"{per_row:,.0f}",
            target,
            per_row < INSTRUCTIONS_PER_ROW,
            f"{instructions['rows']:,}-row body; serde_json validate "
            f"{instructions['validate_per_row']:,.0f}/row",
        )
    else:
        label = "instructions per row of the production decode"
        t.add(label, None, target, False, f"{instructions}; `make bench-instructions`")


def _size_targets(t: Targets, base: Size, big: Size | None, quick: bool) -> None:
    both = [s for s in (base, big) if s]
    for sz in both:
        downloads = [
            (sz.sec(n), n) for n in ("floor_download", "floor_download_native") if sz.sec(n)
        ]
        e2e, dec = sz.sec("sqlquarry_arrow"), sz.sec("floor_decode")
        value, detail = None, "needs sqlquarry_arrow, floor_decode and a download floor"
        if downloads and e2e and dec:
            down, down_name = min(downloads)
            value = e2e / (down + dec)
            detail = (
                f"query().to_arrow() {e2e:.3f} s; {down_name} {down:.3f} s + floor_decode "
                f"{dec:.3f} s = {down + dec:.3f} s"
            )
        t.add(
            f"end to end / (download + decode), {sz.rows:,} rows",
            value and f"{value:.2f}x",
            f"<= {END_TO_END_FACTOR:g}x",
            value is not None and value <= END_TO_END_FACTOR,
            detail,
        )
    for sz in both:
        s = sz.summaries.get("sqlquarry_arrow")
        label = f"peak RSS of query().to_arrow(), {sz.rows:,} rows"
        if s is None or not s.ok or s.arrow_bytes is None:
            t.add(label, None, "<= body + 2 x Arrow", False, "sqlquarry_arrow not measured")
            continue
        size = sz.body.stat().st_size
        limit = size + 2 * s.arrow_bytes
        t.add(
            label,
            f"{s.rss_above / 1e6:.0f} MB",
            f"<= {limit / 1e6:.0f} MB",
            s.rss_above <= limit,
            f"above the post-import baseline; body {size / 1e6:.0f} MB + 2 x Arrow "
            f"{s.arrow_bytes / 1e6:.0f} MB",
        )

    # Streaming: what iter_batches() holds while a whole result passes through, which
    # must not grow with the result.
    streams = {sz.rows: sz.summaries.get("sqlquarry_stream") for sz in both}
    for sz in both:
        s = streams[sz.rows]
        if s is not None and s.ok:
            t.info(
                f"peak RSS of iter_batches() (batches dropped), {sz.rows:,} rows: "
                f"{s.rss_above / 1e6:.0f} MB above baseline for a "
                f"{sz.body.stat().st_size / 1e6:.0f} MB body"
            )
    small, large = streams.get(base.rows), streams.get(big.rows) if big else None
    label = "iter_batches() memory bounded (peak RSS, second size / base size)"
    if big is None or not (small and small.ok and large and large.ok):
        why = "--quick" if quick else "no second size, or sqlquarry_stream not measured"
        t.add(label, None, f"<= {STREAM_GROWTH:g}x", False, why)
    else:
        t.ratio(
            label,
            large.rss_above,
            small.rss_above,
            f"<= {STREAM_GROWTH:g}x",
            lambda v: v <= STREAM_GROWTH,
            f"{small.rss_above / 1e6:.0f} MB at {base.rows:,} rows, "
            f"{large.rss_above / 1e6:.0f} MB at {big.rows:,}",
        )

    # Growth with size.
    if big is None:
        why = "--quick" if quick else "no second size"
        t.add("time growth of query().to_arrow() with rows", None, "linear", False, why)
        return
    factor = big.rows / base.rows
    limit = factor * GROWTH_SLACK
    for name in [*SQLQUARRY, "floor_decode"]:
        a, b = base.sec(name), big.sec(name)
        label = f"time growth of {name}, {factor:g}x rows"
        if name != "sqlquarry_arrow":
            if a and b:
                t.info(f"{label}: {b / a:.2f}x ({'ok' if b / a <= limit else 'over'})")
            continue
        t.ratio(label, b, a, f"<= {limit:.3g}x", lambda v: v <= limit, f"{fmt(a)} s -> {fmt(b)} s")
