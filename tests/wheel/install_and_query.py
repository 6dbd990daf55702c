"""Installs a built wheel into a fresh venv with no Rust toolchain on PATH, then runs
client.py there against an emulator served by the dev venv over loopback HTTP.

    python tests/wheel/install_and_query.py dist/sqlquarry-*.whl --work target/wheel-test

Run with the dev venv's python: it serves the emulator (chDB lives there, not in the fresh
venv). The emulator imports sqlquarry from the wheel itself (unpacked onto PYTHONPATH), so
this does not depend on what `maturin develop` last left in the dev venv."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from emulator import running_emulator

HERE = Path(__file__).resolve().parent


def path_without_rust() -> str:
    """PATH minus every directory that holds cargo or rustc (~/.cargo/bin, rustup, distro),
    and minus the dev venv's bin (its tools are not the fresh venv's)."""
    dev_bin = Path(sys.prefix) / "bin"
    keep = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d
        and Path(d) != dev_bin
        and not any(shutil.which(tool, path=d) for tool in ("cargo", "rustc"))
    ]
    return os.pathsep.join(keep)


def fresh_venv(work: Path) -> Path:
    venv = work / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    # sys._base_executable: the interpreter the dev venv was made from, not the dev venv.
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    return venv


def pyarrow_wheelhouse(work: Path) -> Path:
    """The dev venv's pyarrow version as a wheel, downloaded once and kept under `work`."""
    house = work / "wheelhouse"
    pin = f"pyarrow=={importlib.metadata.version('pyarrow')}"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary", ":all:",
         "--dest", str(house), pin],
        check=True,
    )  # fmt: skip
    return house


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--work", type=Path, default=Path("target/wheel-test"))
    args = parser.parse_args()
    wheel, work = args.wheel.resolve(), args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    house = pyarrow_wheelhouse(work)
    venv = fresh_venv(work)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), path_without_rust()])
    assert shutil.which("cargo", path=env["PATH"]) is None
    # Binaries only and no index: if pip wanted to compile anything, this would fail.
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-index",
         "--only-binary", ":all:", "--find-links", str(house), str(wheel), "pyarrow"],
        env=env, check=True,
    )  # fmt: skip

    unpacked = work / "emulator-site"
    shutil.rmtree(unpacked, ignore_errors=True)
    zipfile.ZipFile(wheel).extractall(unpacked)
    with running_emulator(sys.executable, pythonpath=unpacked) as url:
        env |= {"ROE_BASE_URL": url, "ROE_API_KEY": "test-key", "ROE_ORGANIZATION_ID": "wheel"}
        # From an empty directory, so `import sqlquarry` cannot find the checkout.
        cwd = work / "empty"
        cwd.mkdir(exist_ok=True)
        client = [venv / "bin" / "python", "-I", str(HERE / "client.py")]
        return subprocess.run(client, env=env, cwd=cwd, timeout=300).returncode


if __name__ == "__main__":
    sys.exit(main())
