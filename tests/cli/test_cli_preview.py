"""Without -o: a preview that fits the terminal (the result's repr when it fits), and a
progress line on stderr when stderr is a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios

from clirun import SCRIPT, run

WIDE = (
    "SELECT number AS id, repeat('x', 40) AS long_text, toDecimal64(number, 2) AS amount, "
    "toDateTime('2024-01-01 00:00:00', 'UTC') + number AS created_at, "
    "[number, number] AS pair, number % 2 = 0 AS even, toString(number) AS label, "
    "number * 3 AS triple FROM numbers(40)"
)


def test_the_repr_is_shown_when_it_fits(roe_env, roe_client):
    out = run(["roe", "query", WIDE], dict(roe_env, COLUMNS="200"))
    assert out.returncode == 0, out.stderr
    want = repr(roe_client.query(WIDE)).splitlines()
    got = out.stdout.splitlines()
    assert got[1 : len(want)] == want[1:]  # all but the first line, which names the query id
    assert got[len(want)].startswith("40 rows in ")


def test_a_narrow_terminal_gets_a_narrower_table(roe_env, roe_client):
    result = roe_client.query(WIDE)
    assert max(len(line) for line in repr(result).splitlines()) > 60
    for width in (60, 40):
        out = run(["roe", "query", WIDE], dict(roe_env, COLUMNS=str(width)))
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert all(len(line) <= width for line in lines), "\n".join(lines)
        assert lines[0].startswith("QueryResult: 40 rows × 8 columns")
        assert lines[1].startswith("id ") and lines[1].rstrip().endswith("triple")
        assert lines[2].startswith("UInt64 ")
        # The first and last rows, the middle elided, the first column's values exact.
        body = lines[4:-1]
        assert [row.split(" ")[0] for row in body] == [
            *map(str, range(5)),
            "…",
            *map(str, range(35, 40)),
        ]
        assert lines[-1].startswith("40 rows in ")


def test_progress_shows_when_stderr_is_a_terminal(tmp_path, roe_env, roe_server):
    roe_server.pending_seconds = 0.5
    job = run(["roe", "submit", "SELECT 1"], roe_env).stdout.strip()
    leader, follower = pty.openpty()
    # A terminal 100 columns wide (a fresh pty has none, and a bar would have no room).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        child = subprocess.Popen(
            [str(SCRIPT), "roe", "wait", job, "-o", str(tmp_path / "x.csv")],
            env=roe_env,
            stdout=subprocess.DEVNULL,
            stderr=follower,
        )
        assert child.wait(timeout=60) == 0
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    text = seen.decode(errors="replace")
    assert "done" in text  # the progress display's last state
    assert "wrote 1 row to" in text  # and the line saying where the rows went
