"""Fails unless the sdist can build the same extension as the checkout: every Rust and
Python source, Cargo.lock (the same dependency versions), and .cargo/config.toml (the
jemalloc setting baked in at build time, JEMALLOC_SYS_WITH_MALLOC_CONF).

    python tests/wheel/check_sdist.py dist/sqlquarry-*.tar.gz
"""

from __future__ import annotations

import argparse
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUST_CONTAIN = ("Cargo.toml", "Cargo.lock", "pyproject.toml", ".cargo/config.toml", "README.md")
# Built or cached files: in the sdist they would shadow what the build produces.
MUST_NOT = (".so", ".pyc")


def sources() -> list[str]:
    """The checkout's sources the build reads, relative to the root."""
    found = [*ROOT.glob("src/**/*.rs"), *ROOT.glob("python/**/*.py"), *ROOT.glob("python/**/*.pyi")]
    found.append(ROOT / "python/sqlquarry/py.typed")
    return sorted(str(p.relative_to(ROOT)) for p in found if "__pycache__" not in p.parts)


def check(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as tar:
        # Every member sits under one top directory, sqlquarry-<version>/.
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
        config = members.get(".cargo/config.toml")
        config_text = tar.extractfile(config).read().decode() if config else ""
    problems = [f"missing {n}" for n in (*MUST_CONTAIN, *sources()) if n not in members]
    problems += [f"should not ship {n}" for n in members if n.endswith(MUST_NOT)]
    if config and "JEMALLOC_SYS_WITH_MALLOC_CONF" not in config_text:
        problems.append(".cargo/config.toml lacks JEMALLOC_SYS_WITH_MALLOC_CONF")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sdist", type=Path)
    problems = check(parser.parse_args().sdist)
    for problem in problems:
        print(f"check_sdist: {problem}", file=sys.stderr)
    print(f"check_sdist: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
