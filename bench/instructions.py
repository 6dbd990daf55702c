"""Instructions per row of the production in-memory decode, counted by callgrind.

    python bench/instructions.py [--rows 100000]      # `make bench-instructions`

Time on this shared 2-core machine moves by a third from run to run; instruction counts
do not. This runs the json_floor bench binary (release build, `cargo bench --no-run`)
under `valgrind --tool=callgrind` on the cached N-row body, three times: `--once read`
(read the file), `--once decode` (read it, then decode it with `decode_run_body`, the
reader `query()` uses) and `--once validate` (read it, then serde_json validates it).
callgrind counts the instructions of every thread, so (decode - read) / rows is what
decoding a row costs on all cores together, and (validate - read) / rows serde_json's.
100,000 rows by default: callgrind runs ~50x slower than the machine, and the count per
row does not depend on the size (the fixed costs, a runtime and threads, are ~0.1% here).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_body import ensure_elsewhere  # noqa: E402
from rust_floor import bench_binary  # noqa: E402

DEFAULT_ROWS = 100_000
# The target: fewer instructions per row than the decoder before the one reader.
TARGET_PER_ROW = 2_510


def callgrind(binary: Path, body: Path, mode: str) -> tuple[int, dict]:
    """(instructions, the binary's JSON line) of one `--once mode` run under callgrind."""
    with tempfile.TemporaryDirectory(prefix="sqlquarry-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                str(binary),
                str(body),
                "--once",
                mode,
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            raise RuntimeError(f"callgrind --once {mode} failed: {tail}")
        report = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("{")))
        # "summary: N" (or "totals: N") is the Ir of the whole run, every thread.
        for line in out.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]), report
    raise RuntimeError(f"no totals in callgrind's output for --once {mode}")


def measure(rows: int = DEFAULT_ROWS) -> dict:
    """{rows, bytes, decode_per_row, validate_per_row, instructions by mode}."""
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed")
    body = ensure_elsewhere(rows, quiet=True)
    binary = bench_binary()
    counts, report = {}, {}
    for mode in ("read", "decode", "validate"):
        counts[mode], rep = callgrind(binary, body, mode)
        report.update({k: v for k, v in rep.items() if v})
    if report.get("rows") != rows:
        raise RuntimeError(f"the decode gave {report.get('rows')} rows, not {rows}")
    return {
        "rows": rows,
        "bytes": report["bytes"],
        "decode_per_row": (counts["decode"] - counts["read"]) / rows,
        "validate_per_row": (counts["validate"] - counts["read"]) / rows,
        "instructions": counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--json", action="store_true", help="print the measurement as JSON")
    args = parser.parse_args(argv)
    try:
        m = measure(args.rows)
    except RuntimeError as exc:
        print(f"instructions per row: not measured: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(m))
        return 0
    ok = m["decode_per_row"] < TARGET_PER_ROW
    print(f"callgrind on the {m['rows']:,}-row body ({m['bytes']:,} bytes), every thread:")
    for mode, n in m["instructions"].items():
        print(f"  --once {mode:<8} {n:>15,} instructions")
    print(
        f"production decode: {m['decode_per_row']:,.0f} instructions/row "
        f"(target < {TARGET_PER_ROW:,}) {'PASS' if ok else 'FAIL'}"
    )
    print(f"serde_json validate: {m['validate_per_row']:,.0f} instructions/row (single thread)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
