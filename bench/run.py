"""`make bench`: a million rows from the wire into Arrow, pandas and polars, measured.

    python bench/run.py [--quick] [--rows N] [--big N] [--runs K] [--only a,b] [--no-gzip]
                        [--no-rust] [--no-instructions] [--strict]

1. Builds (once, cached in bench/.cache/) a Roe run-and-wait response body of N rows
   (default 1,000,000) with chDB, its gzip (level 6), and a second, larger size for
   sqlquarry and the floors (10x, or the largest of 10x/5x/2x that fits in memory and time).
2. Serves the bodies from two emulators (RoeServer, real HTTP on 127.0.0.1): one with gzip
   off, one that sends the pre-compressed gzip to clients that ask for it.
3. Runs every contender in a fresh process, --runs times (default 3), interleaved (each
   contender's identity run next to its gzip run), and takes the median; the first run of
   each also dumps its table, and all tables (gzip runs too) are checked to be the same
   typed table (types and every value).
4. Runs the Rust floor (`cargo bench --bench json_floor`): serde_json validating the same
   bytes, single-threaded, and the production reader decoding them; then counts the
   decode's instructions per row under callgrind (bench/instructions.py, 100,000 rows).
5. Prints the tables and one PASS/FAIL line per target of the issue (bench/targets.py).
   Exit status 1 if a contender produced a different table (or, with --strict, if any
   target fails).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import instructions  # noqa: E402
from gen_body import bench_sql, body_path, ensure_elsewhere, gzip_path  # noqa: E402
from report import (  # noqa: E402
    SQLQUARRY,
    Size,
    Summary,
    log,
    print_gzip_table,
    print_table,
)
from rust_floor import build_rust_floor, run_rust_floor  # noqa: E402
from serve import API_KEY, add_body, gzip_served, start_server  # noqa: E402
from targets import print_targets  # noqa: E402

# Logging on at DEBUG (sqlquarry_arrow runs with it off, the default); at the first size only.
LOGGED = ["sqlquarry_arrow_logged"]
USERS = ["json_pandas", "requests_pandas", "orjson_polars", "orjson_pyarrow"]
FLOORS = ["floor_download", "floor_download_native", "floor_decode", "floor_decimals"]
# Only these run at the second size (the others take minutes there).
BIG_SIZE = [*SQLQUARRY, "floor_download", "floor_download_native", "floor_decode"]
# Start from bytes in memory, so they have no gzip run.
IDENTITY_ONLY = {"floor_decode", "floor_decimals"}
GZIP = " (gzip)"  # the suffix of a gzip run's label

# Budget for the second size: estimated seconds for all its runs.
BIG_TIME_BUDGET = 300.0
# Memory the second size may need, as a multiple of its body (server copy, client body,
# Arrow, pandas objects, transient copies), against what is available.
BIG_MEMORY_FACTOR = 8.0

CONTENDER_TIMEOUT = 900

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


# -- bodies and contenders ---------------------------------------------------------------


def ensure_body(rows: int, gzip: bool = False) -> Path:
    path = gzip_path(rows) if gzip else body_path(rows)
    if not path.exists():
        what = "gzip of the body" if gzip else "body with chDB"
        progress(f"generating the {rows:,}-row {what} (cached in {path.parent}) ...")
    return ensure_elsewhere(rows, gzip)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def run_contender(name: str, url: str, rows: int, dump: Path | None, gzip=False) -> dict:
    cmd = [sys.executable, str(HERE / "contender.py"), name, url, API_KEY, bench_sql(rows)]
    cmd += ["--body-file", str(body_path(rows))]
    if gzip:
        cmd.append("--gzip")
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
            part = "" if table.num_columns == reference.num_columns else f" of {table.column_names}"
            results.append((name, f"types, row count, every value{part} equals {ref_name}'s", True))
    return results


# -- main -------------------------------------------------------------------------------


def rotated(plan: list, round_index: int, rounds: int) -> list:
    """`plan` started at a different place each round, spread evenly over the rounds: run
    in one fixed order, the contender that always came first was measured ~2x slower than
    others doing the same work (a slow first request after the long Python contenders)."""
    shift = (round_index * len(plan)) // max(rounds, 1)
    return plan[shift:] + plan[:shift]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="base size (default 1M)")
    parser.add_argument("--big", type=int, help="second size (default: auto; 0: none)")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (median)")
    parser.add_argument("--quick", action="store_true", help="1 run each, base size only")
    parser.add_argument("--only", help="comma-separated contenders to run")
    parser.add_argument("--no-gzip", action="store_true", help="skip the gzip-body runs")
    parser.add_argument("--no-rust", action="store_true", help="skip the cargo floor bench")
    parser.add_argument(
        "--no-instructions", action="store_true", help="skip counting instructions (callgrind)"
    )
    parser.add_argument(
        "--instructions-rows",
        type=int,
        default=instructions.DEFAULT_ROWS,
        help=f"body size for callgrind (default {instructions.DEFAULT_ROWS:,})",
    )
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
    gzipped = [] if args.no_gzip else [n for n in selected if n not in IDENTITY_ONLY]
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
    gz_body = ensure_body(base_rows, gzip=True) if gzipped else None
    server = start_server([base_rows], {base_rows: base_body})
    gz_server = start_server([base_rows], {base_rows: base_body}, gzip=True) if gzipped else None
    big, big_why = None, "none (--quick)" if args.quick else ""
    try:
        url = server.url
        log(
            f"- served by the emulator (RoeServer) at {url}, HTTP/1.1, gzip off: every "
            f"contender downloads the same {base_body.stat().st_size:,} bytes"
        )
        if gz_body is not None:
            log(
                f"- and gzip-encoded (level 6, {gz_body.stat().st_size:,} bytes, compressed "
                "once beforehand) by a second emulator to every contender but the in-memory "
                "floors; each inflates it on the clock"
            )
        log(
            f"- each contender in a fresh process, {runs} run(s), median; timed from the "
            "request to the typed table in hand (imports and client setup untimed for all)"
        )
        log()

        # ---- the base size: every contender, identity and gzip, in interleaved rounds ----
        plan = [(n, False) for n in selected] + [(n, True) for n in gzipped]
        plan.sort(key=lambda p: selected.index(p[0]))  # a contender's gzip run next to it
        tmp = Path(tempfile.mkdtemp(prefix="sqlquarry-bench-"))
        try:
            reports: dict[str, list[dict]] = {n + (GZIP if g else ""): [] for n, g in plan}
            dumps = {label: tmp / f"{label.replace(' ', '_')}.arrow" for label in reports}
            for r in range(runs):
                for name, gz in rotated(plan, r, runs):
                    label = name + (GZIP if gz else "")
                    progress(f"[{base_rows:,} rows] run {r + 1}/{runs}: {label}")
                    where = gz_server.url if gz else url
                    dump = dumps[label] if r == 0 else None
                    rep = run_contender(name, where, base_rows, dump, gzip=gz)
                    reports[label].append(rep)
                    if rep.get("status") != "ok" and r == 0:
                        progress(f"    {rep.get('status')}: {rep.get('note')}")
            first = {label: reps[0] for label, reps in reports.items()}
            checks = verify(dumps, first, base_rows, base_body)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if gz_server is not None:
            asked, seen = gzip_served(gz_server)
            what = f"{asked} of the {seen} requests asked for gzip (and were sent it)"
            checks.append(("gzip server", what, asked == seen))
        base = Size(
            base_rows,
            base_body,
            {n: Summary(n, reports[n]) for n in selected},
            {n: Summary(n, reports[n + GZIP]) for n in gzipped},
            gz_body,
        )

        # ---- the second size: sqlquarry and the floors ----
        big_names = [n for n in selected if n in BIG_SIZE]
        big_rows = 0
        if not args.quick and big_names:
            big_rows, big_why = choose_big(args.big, base_rows, base.summaries, big_names, runs)
        if big_rows:
            big_body = ensure_body(big_rows)
            add_body(server, big_rows, big_body)
            big_reports: dict[str, list[dict]] = {n: [] for n in big_names}
            for r in range(runs):
                for name in rotated(big_names, r, runs):
                    progress(f"[{big_rows:,} rows] run {r + 1}/{runs}: {name}")
                    big_reports[name].append(run_contender(name, url, big_rows, None))
            big = Size(big_rows, big_body, {n: Summary(n, v) for n, v in big_reports.items()})
    finally:
        server.stop()
        if gz_server is not None:
            gz_server.stop()
    sizes = [base] + ([big] if big else [])

    # ---- the Rust floor and the instruction count ----
    rust: dict[Path, dict] = {}
    if rust_note is None:
        rust, rust_note = run_rust_floor([s.body for s in sizes], 1 if args.quick else 5)
    counted: dict | str = "skipped (--no-instructions)"
    if not args.no_instructions:
        progress(f"counting instructions with callgrind ({args.instructions_rows:,} rows) ...")
        try:
            counted = instructions.measure(args.instructions_rows)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            counted = f"not measured: {exc}"

    # ---- the report ----
    print_table(sizes, rust, rust_note)
    log()
    print_gzip_table(base)
    log()
    log("Same typed table (first run of each, base size):")
    failed_checks = False
    for name, what, ok in checks:
        log(f"  {'ok  ' if ok else 'FAIL'} {name}: {what}")
        failed_checks |= not ok
    log()
    log(f"Second size: {big_why}")
    log()
    all_pass = print_targets(sizes, rust, counted, args.quick)
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


if __name__ == "__main__":
    sys.exit(main())
