"""What a user sees of a result: repr() like polars' and pyarrow's (shape, names and types,
first and last rows, the middle of wide and long results elided, NULL apart from "None"),
an HTML table for notebooks, and timestamps as datetimes. Snapshots in tests/snapshots/
(SNAPSHOT_UPDATE=1 rewrites them)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from sqlquarry import _native

SNAPSHOTS = Path(__file__).with_name("snapshots")


def result(names, types, rows, **extra):
    body = [{"query_id": "q-display", "column_names": names, "column_types": types,
             "result_rows": rows, **extra}]  # fmt: skip
    return _native._decode_roe_body(json.dumps(body).encode())[-1]


def with_nulls():
    rows = [
        [i, None if i % 3 == 0 else "None", "x" * (i * 7), f"2024-04-29 21:11:{i:02d}", i / 8]
        for i in range(12)
    ]
    types = ["UInt32", "Nullable(String)", "String", "DateTime('Asia/Tokyo')", "Float64"]
    return result(["n", "maybe", "long", "when", "f"], types, rows)


def sixty_columns():
    names = [f"c{i}" for i in range(60)]
    return result(names, ["Int32"] * 60, [[r * 100 + c for c in range(60)] for r in range(3)])


def one_row():
    return result(["x"], ["UInt8"], [[1]])


CASES = {"nulls": with_nulls, "sixty_columns": sixty_columns, "one_row": one_row}


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("SNAPSHOT_UPDATE"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; SNAPSHOT_UPDATE=1 to accept"


@pytest.mark.parametrize("case", CASES)
def test_repr_snapshot(case):
    text = repr(CASES[case]())
    check_snapshot(f"repr_{case}.txt", text + "\n")
    assert all(len(line) <= 100 for line in text.splitlines())


@pytest.mark.parametrize("case", CASES)
def test_html_snapshot(case):
    check_snapshot(f"html_{case}.html", CASES[case]()._repr_html_() + "\n")


def test_null_is_not_the_text_none():
    r = with_nulls()
    text, html = repr(r), r._repr_html_()
    assert "null" in text and "None" in text
    assert '<td class="null">NULL</td>' in html and "<td>None</td>" in html


def test_long_and_wide_results_are_elided_in_the_middle():
    r = with_nulls()
    lines = repr(r).splitlines()
    assert lines[0] == "QueryResult: 12 rows × 5 columns, query id q-display"
    assert any(line.startswith("…") for line in lines)
    html = sixty_columns()._repr_html_()
    assert html.count('<th class="gap">…</th>') == 2 and "c0" in html and "c59" in html
    assert "c30<" not in html


def test_singular_and_plural():
    assert repr(one_row()).startswith("QueryResult: 1 row × 1 column")
    assert "1 row × 1 column" in one_row()._repr_html_()


def test_long_values_are_shortened_with_the_whole_value_in_a_title():
    html = with_nulls()._repr_html_()
    assert "x" * 77 in html and "x" * 47 + "…" in html


def test_timestamps_as_datetimes():
    r = result(["x"], ["UInt8"], [[1]], start_timestamp=1719852303.5, end_timestamp=1719852304.25)
    assert r.start_time == dt.datetime(2024, 7, 1, 16, 45, 3, 500000, tzinfo=dt.timezone.utc)
    assert r.end_time - r.start_time == dt.timedelta(seconds=0.75)
    assert r.elapsed == 0.75
    assert one_row().start_time is None
