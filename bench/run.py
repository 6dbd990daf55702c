"""`make bench`: a million rows from the wire into Arrow, pandas and polars, measured.

    python bench/run.py [--quick] [--rows N] [--big N] [--runs K] [--only a,b] [--strict]

1. Builds (once, cached in bench/.cache/) a Roe run-and-wait response body of N rows
   (default 1,000,000) with chDB, and a second, larger size for sqlquarry and the floors
   (10x, or the largest of 10x/5x/2x that fits in memory and time comfortably).
2. Serves the bodies from the emulator (RoeServer, real HTTP on 127.0.0.1, gzip off).
3. Runs every contender in a fresh process, --runs times (default 3), interleaved, and
   takes the median; the first run of each also dumps its table, and all tables are
   checked to be the same typed table (types and every value).
4. Runs the Rust floor (`cargo bench --bench json_floor`): serde_json validating the same
   bytes, single-threaded, and the Rust decoder alone.
5. Prints a table and one PASS/FAIL line per target of the issue. Exit status 1 if a
   contender produced a different table (or, with --strict, if any target fails).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_body import bench_sql, body_path  # noqa: E402
from serve import API_KEY, start_server  # noqa: E402

SQLQUARRY = ["sqlquarry_arrow", "sqlquarry_pandas", "sqlquarry_polars", "sqlquarry_stream"]
# Logging on at DEBUG (sqlquarry_arrow runs with it off, the default); at the first size only.
LOGGED = ["sqlquarry_arrow_logged"]
USERS = ["json_pandas", "requests_pandas", "orjson_polars", "orjson_pyarrow"]
FLOORS = ["floor_download", "floor_download_native", "floor_decode"]
# Only these run at the second size (the others take minutes there).
BIG_SIZE = SQLQUARRY + FLOORS

# Targets of the issue.
PANDAS_SPEEDUP = 25.0
POLARS_SPEEDUP = 15.0
END_TO_END_FACTOR = 1.5
GROWTH_SLACK = 1.1  # 10x rows -> at most 11x time
# Budget for the second size: estimated seconds for all its runs.
BIG_TIME_BUDGET = 300.0
# Memory the second size may need, as a multiple of its body (server copy, client body,
# Arrow, pandas objects, transient copies), against what is available.
BIG_MEMORY_FACTOR = 8.0

CONTENDER_TIMEOUT = 900


def log(msg: str = "") -> None:
    print(msg, flush=True)


_T0 = time.monotonic()


def progress(msg: str) -> None:
    print(f"[{time.monotonic() - _T0:5.0f} s] {msg}", file=sys.stderr, flush=True)


# -- the machine ------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def meminfo_bytes(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def elf_section_names(path: Path) -> set[str]:
    """Section names of a 64-bit little-endian ELF file (empty set if not one)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            return set()
        shoff = struct.unpack_from("<Q", head, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3A)
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        headers = [struct.unpack_from("<IIQQQQ", table, i * shentsize) for i in range(shnum)]
        _, _, _, _, str_off, str_size = headers[shstrndx]
        f.seek(str_off)
        strings = f.read(str_size)
    names = set()
    for name_off, *_ in headers:
        end = strings.find(b"\0", name_off)
        names.add(strings[name_off:end].decode(errors="replace"))
    return names


def native_build() -> tuple[str, str]:
    """(path of sqlquarry's extension, "release" or a warning)."""
    out = subprocess.run(
        [sys.executable, "-c", "import sqlquarry._native as n; print(n.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = Path(out.stdout.strip())
    size_mb = path.stat().st_size / 1e6
    kind = "release build"
    if ".debug_info" in elf_section_names(path):
        kind = f"DEBUG BUILD? has .debug_info, {size_mb:.0f} MB: run `make develop-release`"
    return str(path), kind


def versions() -> str:
    code = (
        "import importlib.metadata as m\n"
        "out = []\n"
        "for name in ('pandas', 'polars', 'pyarrow', 'orjson', 'requests', 'chdb'):\n"
        "    try: out.append(f'{name} {m.version(name)}')\n"
        "    except m.PackageNotFoundError: out.append(f'{name} -')\n"
        "print(', '.join(out))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return out.stdout.strip()


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# -- bodies, contenders and the Rust floor ----------------------------------------------


def ensure_body(rows: int) -> Path:
    path = body_path(rows)
    if not path.exists():
        progress(f"generating the {rows:,}-row body with chDB (cached in {path.parent}) ...")
        cmd = [sys.executable, str(HERE / "gen_body.py"), "--rows", str(rows)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def run_contender(name: str, url: str, rows: int, dump: Path | None) -> dict:
    cmd = [sys.executable, str(HERE / "contender.py"), name, url, API_KEY, bench_sql(rows)]
    cmd += ["--body-file", str(body_path(rows))]
    if dump is not None:
        cmd += ["--dump", str(dump)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CONTENDER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"name": name, "status": "error", "note": f"timed out ({CONTENDER_TIMEOUT} s)"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"name": name, "status": "error", "note": f"exit {proc.returncode}: {tail}"}
    return json.loads(lines[-1])


def _cargo_env() -> dict:
    # The venv's python first, as `make` has it (pyo3's build script looks for python).
    # A target directory of its own: maturin builds the same crates with other features,
    # so in a shared one each build throws the other's away (~3 min again every run).
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "CARGO_TARGET_DIR": os.environ.get(
            "CARGO_TARGET_DIR", str(ROOT / "target" / "bench-floor")
        ),
    }


def build_rust_floor() -> str | None:
    """Compiles the json_floor bench (release profile) before anything is timed; None
    when it built, else why not."""
    progress("building the Rust floor (cargo bench --bench json_floor --no-run) ...")
    build = subprocess.run(
        ["cargo", "bench", "--bench", "json_floor", "--no-run"],
        cwd=ROOT,
        env=_cargo_env(),
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        tail = " | ".join(build.stderr.strip().splitlines()[-3:])
        return f"cargo bench build failed: {tail}"
    return None


def run_rust_floor(paths: list[Path], runs: int) -> tuple[dict[Path, dict], str | None]:
    """serde_json validate / Rust decode timings per body, or an error note."""
    out = {}
    for path in paths:
        progress(f"Rust floor on {path.name} ({runs} runs)")
        proc = subprocess.run(
            ["cargo", "bench", "--bench", "json_floor", "--", str(path), "--runs", str(runs)],
            cwd=ROOT,
            env=_cargo_env(),
            capture_output=True,
            text=True,
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            return out, f"cargo bench failed: {tail}"
        out[path] = json.loads(lines[-1])
    return out, None


# -- statistics -------------------------------------------------------------------------


class Summary:
    """The runs of one contender at one size."""

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


# -- verification -----------------------------------------------------------------------


def verify(dumps: dict[str, Path], first: dict[str, dict], rows: int, body: Path) -> list:
    """[(contender, what was checked or what differs, ok)] from the first run of each."""
    import pyarrow as pa
    import pyarrow.compute as pc

    digest, size = sha256_of(body), body.stat().st_size
    tables = {}
    for name, path in dumps.items():
        if path.exists():
            with pa.memory_map(str(path)) as source:
                tables[name] = pa.ipc.open_file(source).read_all()
    order = [*SQLQUARRY, "floor_decode", *USERS]
    ref_name = next((n for n in order if n in tables), None)
    reference = tables.get(ref_name)
    results = []
    for name, report in first.items():
        if report.get("status") != "ok":
            continue
        if "body_sha256" in report:
            ok = report["body_sha256"] == digest and report["body_bytes"] == size
            results.append((name, f"the {size:,} body bytes, byte for byte", ok))
            continue
        table = tables.get(name)
        if table is None:
            results.append((name, "no table dumped", False))
            continue
        problems = [f"type of {p}" for p in report.get("type_problems") or []]
        if table.num_rows != rows:
            problems.append(f"{table.num_rows:,} rows, not {rows:,}")
        elif reference is not None and name != ref_name:
            for col in table.column_names:
                a, b = table[col], reference[col]
                if not a.equals(b):
                    same = pc.fill_null(pc.equal(a, b), False)
                    at = pc.index(pc.invert(same), True).as_py()
                    problems.append(f"{col}[{at}] = {a[at].as_py()!r}, {ref_name} has {b[at]!r}")
        if problems:
            results.append((name, "; ".join(problems), False))
        elif name == ref_name:
            results.append((name, "types and row count (the reference for the others)", True))
        elif reference is None:
            results.append((name, "types and row count (no reference for values)", True))
        else:
            results.append((name, f"types, row count, every value equals {ref_name}'s", True))
    return results


# -- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="base size (default 1M)")
    parser.add_argument("--big", type=int, help="second size (default: auto; 0: none)")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (median)")
    parser.add_argument("--quick", action="store_true", help="1 run each, base size only")
    parser.add_argument("--only", help="comma-separated contenders to run")
    parser.add_argument("--no-rust", action="store_true", help="skip the cargo floor bench")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any target fails")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    base_rows = args.rows
    selected = SQLQUARRY + LOGGED + USERS + FLOORS
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in selected]
        if unknown:
            parser.error(f"unknown contenders {unknown}; choose from {selected}")
        selected = [n for n in selected if n in wanted]
    started = time.monotonic()

    rust_note = "skipped (--no-rust)" if args.no_rust else build_rust_floor()
    built = time.monotonic()
    so_path, so_kind = native_build()
    cpus = len(os.sched_getaffinity(0))
    ram = meminfo_bytes("MemTotal") / 2**30
    log("## sqlquarry benchmark")
    log()
    log(f"- machine: {cpus} cores (nproc), {cpu_model()}, {ram:.0f} GiB RAM, {platform.system()}")
    log(f"- Python {platform.python_version()}; {versions()}")
    log(f"- sqlquarry {git_revision()}; extension {so_path} ({so_kind})")

    base_body = ensure_body(base_rows)
    server = start_server([base_rows], {base_rows: base_body})
    big_rows, big_body, big, big_why = 0, None, {}, "none (--quick)" if args.quick else ""
    try:
        url = server.url
        log(
            f"- served by the emulator (RoeServer) at {url}, HTTP/1.1, gzip off: every "
            f"contender downloads the same {base_body.stat().st_size:,} bytes"
        )
        log(
            f"- each contender in a fresh process, {runs} run(s), median; timed from the "
            "request to the typed table in hand (imports and client setup untimed for all)"
        )
        log()

        # ---- the base size: every contender, in interleaved rounds ----
        tmp = Path(tempfile.mkdtemp(prefix="sqlquarry-bench-"))
        try:
            reports: dict[str, list[dict]] = {n: [] for n in selected}
            dumps = {n: tmp / f"{n}.arrow" for n in selected}
            for r in range(runs):
                for name in selected:
                    progress(f"[{base_rows:,} rows] run {r + 1}/{runs}: {name}")
                    rep = run_contender(name, url, base_rows, dumps[name] if r == 0 else None)
                    reports[name].append(rep)
                    if rep.get("status") != "ok" and r == 0:
                        progress(f"    {rep.get('status')}: {rep.get('note')}")
            first = {n: reps[0] for n, reps in reports.items()}
            checks = verify(dumps, first, base_rows, base_body)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        base = {n: Summary(n, reps) for n, reps in reports.items()}

        # ---- the second size: sqlquarry and the floors ----
        big_names = [n for n in selected if n in BIG_SIZE]
        if not args.quick and big_names:
            big_rows, big_why = choose_big(args.big, base_rows, base, big_names, runs)
        if big_rows:
            big_body = ensure_body(big_rows)
            server.serve_canned(bench_sql(big_rows), big_body.read_bytes())
            big_reports: dict[str, list[dict]] = {n: [] for n in big_names}
            for r in range(runs):
                for name in big_names:
                    progress(f"[{big_rows:,} rows] run {r + 1}/{runs}: {name}")
                    big_reports[name].append(run_contender(name, url, big_rows, None))
            big = {n: Summary(n, reps) for n, reps in big_reports.items()}
    finally:
        server.stop()

    # ---- the Rust floor ----
    rust: dict[Path, dict] = {}
    if rust_note is None:
        bodies = [base_body] + ([big_body] if big_body else [])
        rust, rust_note = run_rust_floor(bodies, 1 if args.quick else 5)

    # ---- the report ----
    sizes = [(base_rows, base_body, base)]
    if big_body is not None:
        sizes.append((big_rows, big_body, big))
    print_table(sizes, rust, rust_note)
    log()
    log("Same typed table (first run of each, base size):")
    failed_checks = False
    for name, what, ok in checks:
        log(f"  {'ok  ' if ok else 'FAIL'} {name}: {what}")
        failed_checks |= not ok
    log()
    log(f"Second size: {big_why}")
    log()
    all_pass = print_targets(sizes, rust, args.quick)
    log()
    cmd = " ".join(argv if argv is not None else sys.argv[1:])
    log(
        f"Took {time.monotonic() - built:.0f} s (+ {built - started:.0f} s building the Rust "
        "floor). Reproduce: `make bench` "
        f"(`.venv/bin/python bench/run.py{' ' + cmd if cmd else ''}`)."
    )
    if failed_checks:
        return 1
    return 1 if args.strict and not all_pass else 0


def choose_big(requested, base_rows: int, base: dict, names: list[str], runs: int):
    """(rows, why) of the second size: as asked, else 10x, 5x or 2x, whichever first fits
    in memory, on disk and in BIG_TIME_BUDGET (estimated from the base size's medians)."""
    if requested is not None:
        return requested, f"{requested:,} rows (--big)" if requested else "none (--big 0)"
    base_size = body_path(base_rows).stat().st_size
    available = meminfo_bytes("MemAvailable")
    disk_free = shutil.disk_usage(body_path(base_rows).parent).free
    # Time scales with rows; each run also starts a process and imports (~2 s, fixed).
    timed = sum(base[n].seconds or 0.0 for n in names if n in base)
    why = []
    for factor in (10, 5, 2):
        rows, size = base_rows * factor, base_size * factor
        exists = body_path(rows).exists()
        need = size * BIG_MEMORY_FACTOR
        est = (timed * factor + 2.0 * len(names)) * runs * 1.1
        est += 0 if exists else 4.0 * rows / 1e6  # generating the body
        if need > available:
            why.append(f"{rows:,}: needs ~{need / 1e9:.1f} GB, {available / 1e9:.1f} available")
        elif not exists and size * 1.5 > disk_free:
            why.append(f"{rows:,}: needs {size / 1e9:.1f} GB of disk")
        elif est > BIG_TIME_BUDGET:
            why.append(f"{rows:,}: estimated {est:.0f} s > {BIG_TIME_BUDGET:.0f} s budget")
        else:
            why.append(
                f"{rows:,} rows for sqlquarry and the floors (needs ~{need / 1e9:.1f} GB of "
                f"{available / 1e9:.1f} GB available, estimated {est:.0f} s)"
            )
            return rows, "; ".join(why)
    return 0, "none: " + "; ".join(why)


_COLUMNS = [
    ("contender", 22, "<"),
    ("rows", 10, ">"),
    ("seconds", 8, ">"),
    ("min..max", 13, ">"),
    ("MB/s", 6, ">"),
    ("peak RSS MB", 11, ">"),
]


def _row(cells) -> str:
    return (
        "| "
        + " | ".join(f"{c:{a}{w}}" for c, (_, w, a) in zip(cells, _COLUMNS, strict=True))
        + " |"
    )


def print_table(sizes, rust, rust_note) -> None:
    notes = []
    log(_row([c[0] for c in _COLUMNS]))
    log(
        "|"
        + "|".join(("-" * (w + 1) + ":") if a == ">" else "-" * (w + 2) for _, w, a in _COLUMNS)
        + "|"
    )
    for rows, body, summaries in sizes:
        size = body.stat().st_size
        for name, s in summaries.items():
            if not s.ok:
                short = "n/a" if s.status in ("unavailable", "skipped") else "ERROR"
                log(_row([name, f"{rows:,}", short, "", "", ""]))
                notes.append(f"{name} at {rows:,} rows: {s.status}: {s.note}")
                continue
            spread = f"{min(s.times):.2f}..{max(s.times):.2f}"
            mbps = f"{size / s.seconds / 1e6:.0f}"
            log(
                _row(
                    [
                        name,
                        f"{rows:,}",
                        f"{s.seconds:.3f}",
                        spread,
                        mbps,
                        f"{s.rss_above / 1e6:.0f}",
                    ]
                )
            )
        res = rust.get(body) or {}
        for label, key in (
            ("rust serde validate", "serde_validate_seconds"),
            ("rust decode_run_body", "decode_seconds"),
        ):
            if res.get(key):
                sec = res[key]
                runs = f"median of {res['runs']}"
                log(_row([label, f"{rows:,}", f"{sec:.3f}", runs, f"{size / sec / 1e6:.0f}", "-"]))
    log()
    bodies = ", ".join(f"{b.stat().st_size / 1e6:.1f} MB for {r:,} rows" for r, b, _ in sizes)
    log(
        f"Body: {bodies}. MB/s: body bytes / seconds. peak RSS: VmHWM minus VmRSS after "
        "imports, worst run. rust rows: `cargo bench --bench json_floor`, in one process."
    )
    if rust_note:
        notes.append(f"Rust floor: {rust_note}")
    for note in notes:
        log(f"- {note}")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_targets(sizes, rust, quick: bool) -> bool:
    """One line per target; True when all pass. A target that could not be measured
    fails (it is not met until it is shown to be)."""
    (base_rows, base_body, base), big = sizes[0], (sizes[1] if len(sizes) > 1 else None)
    lines: list[tuple[str, bool]] = []

    def sec(summaries, name):
        s = summaries.get(name)
        return s.seconds if s is not None and s.ok else None

    def add(label, value, target_text, ok, detail):
        if value is None:
            lines.append((f"{label}: not measured (target {target_text}) FAIL  [{detail}]", False))
        else:
            lines.append(
                (f"{label}: {value} (target {target_text}) {_verdict(ok)}  [{detail}]", ok)
            )

    for fast, slow, target, label in (
        ("sqlquarry_pandas", "json_pandas", PANDAS_SPEEDUP, "to_pandas vs json+pandas"),
        ("sqlquarry_polars", "orjson_polars", POLARS_SPEEDUP, "to_polars vs orjson+polars"),
    ):
        f, s = sec(base, fast), sec(base, slow)
        value = s / f if f and s else None
        detail = f"{fast} {fmt(f)} s, {slow} {fmt(s)} s"
        add(label, value and f"{value:.1f}x", f">= {target:g}x", value and value >= target, detail)
    f, s = sec(base, "sqlquarry_pandas"), sec(base, "requests_pandas")
    if f and s:
        lines.append((f"  info: to_pandas vs requests+json+pandas: {s / f:.1f}x", True))
    off, on = sec(base, "sqlquarry_arrow"), sec(base, "sqlquarry_arrow_logged")
    if off and on:
        lines.append(
            (
                f"  info: query().to_arrow() with logging at DEBUG {fmt(on)} s, off (the "
                f"default) {fmt(off)} s: {on / off:.2f}x",
                True,
            )
        )

    # Decoding bytes in memory vs serde_json validating them (single-threaded, Rust).
    res = rust.get(base_body) or {}
    serde, dec = res.get("serde_validate_seconds"), sec(base, "floor_decode")
    value = serde / dec if serde and dec else None
    add(
        "in-memory decode speed / serde_json validate speed",
        value and f"{value:.2f}x",
        ">= 1x",
        value and value >= 1.0,
        f"floor_decode {fmt(dec)} s (fresh process, to Arrow); "
        f"serde_json IgnoredAny {fmt(serde)} s",
    )
    if serde and res.get("decode_seconds"):
        rust_dec = res["decode_seconds"]
        lines.append(
            (
                f"  info: Rust decode_run_body alone (warm process) {rust_dec:.3f} s: "
                f"{serde / rust_dec:.2f}x serde_json's validation speed",
                True,
            )
        )

    # End to end vs the floors; peak RSS; at each size.
    for rows, _, summaries in [s for s in (sizes[0], big) if s]:
        downloads = [
            (sec(summaries, n), n)
            for n in ("floor_download", "floor_download_native")
            if sec(summaries, n)
        ]
        e2e, dec = sec(summaries, "sqlquarry_arrow"), sec(summaries, "floor_decode")
        value, detail = None, "needs sqlquarry_arrow, floor_decode and a download floor"
        if downloads and e2e and dec:
            down, down_name = min(downloads)
            value = e2e / (down + dec)
            detail = (
                f"query().to_arrow() {e2e:.3f} s; {down_name} {down:.3f} s + floor_decode "
                f"{dec:.3f} s = {down + dec:.3f} s"
            )
        add(
            f"end to end / (download + decode), {rows:,} rows",
            value and f"{value:.2f}x",
            f"<= {END_TO_END_FACTOR:g}x",
            value is not None and value <= END_TO_END_FACTOR,
            detail,
        )
    for rows, body, summaries in [s for s in (sizes[0], big) if s]:
        s = summaries.get("sqlquarry_arrow")
        label = f"peak RSS of query().to_arrow(), {rows:,} rows"
        if s is None or not s.ok or s.arrow_bytes is None:
            add(label, None, "<= body + 2 x Arrow", False, "sqlquarry_arrow not measured")
            continue
        size = body.stat().st_size
        limit = size + 2 * s.arrow_bytes
        add(
            label,
            f"{s.rss_above / 1e6:.0f} MB",
            f"<= {limit / 1e6:.0f} MB",
            s.rss_above <= limit,
            f"above the post-import baseline; body {size / 1e6:.0f} MB + 2 x Arrow "
            f"{s.arrow_bytes / 1e6:.0f} MB",
        )

    # Streaming: what iter_batches() holds while a whole result passes through.
    for rows, body, summaries in [s for s in (sizes[0], big) if s]:
        s = summaries.get("sqlquarry_stream")
        if s is not None and s.ok and s.rss_above is not None:
            size = body.stat().st_size
            lines.append(
                (
                    f"  info: peak RSS of iter_batches() (batches dropped), {rows:,} rows: "
                    f"{s.rss_above / 1e6:.0f} MB above baseline for a {size / 1e6:.0f} MB body",
                    True,
                )
            )

    # Growth with size.
    if big is None:
        why = "--quick" if quick else "no second size"
        add("time growth of query().to_arrow() with rows", None, "linear", False, why)
    else:
        big_rows, _, big_summaries = big
        factor = big_rows / base_rows
        limit = factor * GROWTH_SLACK
        for name in [*SQLQUARRY, "floor_decode"]:
            a, b = sec(base, name), sec(big_summaries, name)
            label = f"time growth of {name}, {factor:g}x rows"
            if name != "sqlquarry_arrow":
                if a and b:
                    state = "ok" if b / a <= limit else "over"
                    lines.append((f"  info: {label}: {b / a:.2f}x ({state})", True))
                continue
            value = b / a if a and b else None
            detail = f"{fmt(a)} s -> {fmt(b)} s"
            add(
                label,
                value and f"{value:.2f}x",
                f"<= {limit:.3g}x",
                value and value <= limit,
                detail,
            )

    log("Targets (ratios measured in this run):")
    for text, _ in lines:
        log(f"  {text}")
    return all(ok for _, ok in lines)


def fmt(s: float | None) -> str:
    return "-" if s is None else f"{s:.3f}"


if __name__ == "__main__":
    sys.exit(main())
