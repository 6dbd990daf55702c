"""Every ```python block of README.md and docs/*.md runs as written, as a script in a fresh
interpreter, against the emulators: the environment variables point the clients at them
and the demo dataset, a saved query and the demo questions are there, but no block is
edited. A block that breaks fails here, named by its file and line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sqlquarry.testing._demo import DEMO_QUESTIONS, load_demo_dataset

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^( *)```python\n(.*?)^\1```$", re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    """(file:line, code) of every python block, dedented as a script needs it."""
    found = []
    for path in DOCS:
        text = path.read_text()
        for m in FENCE.finditer(text):
            indent = len(m.group(1))
            code = "\n".join(line[indent:] for line in m.group(2).splitlines())
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{path.name}:{line}", code))
    return found


BLOCKS = blocks()


def test_there_are_blocks_to_run():
    assert len(BLOCKS) >= 8, [name for name, _ in BLOCKS]


@pytest.fixture
def environment(roe_server, slateo_server, aifordb_server, tmp_path):
    """What a reader of the README has: keys and addresses in the environment, data there."""
    load_demo_dataset(roe_server.engine, rows=1000)
    slateo_server.add_query("SELECT kind, count() AS n FROM events GROUP BY kind")
    for question, sql in DEMO_QUESTIONS.items():
        aifordb_server.register_question(question, sql)
    env = {
        **os.environ,
        "ROE_API_KEY": roe_server.api_key,
        "ROE_BASE_URL": roe_server.url,
        "ROE_ORGANIZATION_ID": "demo",
        "SLATEO_API_KEY": slateo_server.api_key,
        "SLATEO_BASE_URL": slateo_server.url,
        "AIFORDATABASE_API_KEY": aifordb_server.api_key,
        "AIFORDATABASE_BASE_URL": aifordb_server.url,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    return env, tmp_path


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_the_block_runs_as_written(environment, where, code):
    env, cwd = environment
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, f"{where} failed:\n{proc.stderr[-3000:]}"


def test_a_broken_block_fails(environment):
    """The harness itself: a block with a typo does not pass."""
    env, cwd = environment
    code = BLOCKS[0][1].replace("roe.query(", "roe.qeury(", 1)
    assert code != BLOCKS[0][1]
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True)
    assert proc.returncode != 0
