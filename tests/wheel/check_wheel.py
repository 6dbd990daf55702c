"""Fails unless a built wheel is what we publish: abi3 for CPython >= 3.10, a manylinux tag
no newer than glibc 2.17 that auditwheel agrees with, and the package's files inside.

    python tests/wheel/check_wheel.py dist/sqlquarry-*.whl

maturin tags the wheel from the target it was asked for; auditwheel reads the symbols the
extension actually needs, so a dependency that pulled in a newer glibc symbol (or an
unbundled shared library) fails here, not on a user's older machine."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLDEST_GLIBC = 17  # manylinux2014 = manylinux_2_17
LEGACY = {"manylinux1": 5, "manylinux2010": 12, "manylinux2014": 17}
MUST_CONTAIN = (
    "sqlquarry/__init__.py",
    "sqlquarry/_native.abi3.so",
    "sqlquarry/_native.pyi",
    "sqlquarry/py.typed",
    "sqlquarry/testing/__main__.py",
)


def glibc_minor(tag: str) -> int:
    """17 for manylinux_2_17_x86_64 or manylinux2014_x86_64."""
    if m := re.fullmatch(r"manylinux_2_(\d+)_\w+", tag):
        return int(m[1])
    if m := re.fullmatch(r"(manylinux\d+)_\w+", tag):
        return LEGACY[m[1]]
    raise SystemExit(f"check_wheel: {tag} is not a manylinux tag")


def jemalloc_conf() -> bytes:
    """The malloc conf .cargo/config.toml bakes into jemalloc (x86-64 Linux builds)."""
    config = (ROOT / ".cargo/config.toml").read_text()
    m = re.search(r'^JEMALLOC_SYS_WITH_MALLOC_CONF\s*=\s*"([^"]+)"', config, re.MULTILINE)
    if m is None:
        raise SystemExit("check_wheel: .cargo/config.toml sets no JEMALLOC_SYS_WITH_MALLOC_CONF")
    return m[1].encode()


def check(wheel: Path) -> list[str]:
    problems = []
    # name-version-python-abi-platform.whl; platform may be several tags joined by dots.
    _name, _version, python, abi, platforms = wheel.name.removesuffix(".whl").split("-")
    if (python, abi) != ("cp310", "abi3"):
        problems.append(f"tagged {python}-{abi}, not cp310-abi3")
    # The oldest glibc any of its tags promises to run on.
    claimed = min(glibc_minor(tag) for tag in platforms.split("."))
    if not platforms.endswith("x86_64"):
        problems.append(f"platform {platforms} is not x86_64")

    subprocess.run(["auditwheel", "show", str(wheel)], check=True)  # for the log, in words
    shown = subprocess.run(
        ["auditwheel", "show", "--json", str(wheel)], check=True, capture_output=True, text=True
    )
    report = json.loads(shown.stdout)
    needs = report["overall_tag"]
    if not needs.startswith("manylinux"):
        problems.append(f"auditwheel: not manylinux ({needs}); symbols need {report['sym_tag']}")
    elif glibc_minor(needs) > OLDEST_GLIBC:
        problems.append(f"auditwheel: needs {needs}, newer than glibc 2.{OLDEST_GLIBC}")
    elif glibc_minor(needs) > claimed:
        problems.append(f"claims glibc 2.{claimed} but auditwheel says {needs}")
    if report["external_libs"]:
        problems.append(f"needs libraries outside the policy: {sorted(report['external_libs'])}")

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        problems += [f"missing {name}" for name in MUST_CONTAIN if name not in names]
        # A build that skipped .cargo/config.toml (say, from an sdist without it) still
        # works, only slower: this string is the one trace it leaves in the binary.
        if "sqlquarry/_native.abi3.so" in names:
            if jemalloc_conf() not in zf.read("sqlquarry/_native.abi3.so"):
                problems.append(f"jemalloc built without {jemalloc_conf().decode()!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    problems = check(parser.parse_args().wheel)
    for problem in problems:
        print(f"check_wheel: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
