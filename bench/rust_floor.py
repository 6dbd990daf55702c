"""The Rust floor (`benches/json_floor.rs`): serde_json validating a body single-threaded,
and the production reader decoding it, timed in one warm process; built before anything
else is timed."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def progress(msg: str) -> None:
    print(f"[rust] {msg}", file=sys.stderr, flush=True)


def cargo_env() -> dict:
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


@functools.cache  # run.py builds it first, then instructions.py asks for it again
def bench_binary() -> Path:
    """The json_floor bench executable, built (release profile) if needed."""
    build = subprocess.run(
        ["cargo", "bench", "--bench", "json_floor", "--no-run", "--message-format=json"],
        cwd=ROOT,
        env=cargo_env(),
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        tail = " | ".join(build.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"cargo bench build failed: {tail}")
    for line in build.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == (
            "json_floor"
        ):
            if msg.get("executable"):
                return Path(msg["executable"])
    raise RuntimeError("cargo did not name the json_floor executable")


def build_rust_floor() -> str | None:
    """Compiles the json_floor bench (release profile) before anything is timed; None
    when it built, else why not."""
    progress("building the Rust floor (cargo bench --bench json_floor --no-run) ...")
    try:
        bench_binary()
    except RuntimeError as e:
        return str(e)
    return None


def run_rust_floor(paths: list[Path], runs: int) -> tuple[dict[Path, dict], str | None]:
    """serde_json validate / Rust decode timings per body, or an error note."""
    out = {}
    for path in paths:
        progress(f"Rust floor on {path.name} ({runs} runs)")
        proc = subprocess.run(
            ["cargo", "bench", "--bench", "json_floor", "--", str(path), "--runs", str(runs)],
            cwd=ROOT,
            env=cargo_env(),
            capture_output=True,
            text=True,
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            return out, f"cargo bench failed: {tail}"
        out[path] = json.loads(lines[-1])
    return out, None
