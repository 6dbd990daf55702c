"""Bodies no honest server sends: cut short, malformed, oversized, not a result at all.

Each answer must raise one specific exception (never a wrong or empty table, never a hang
or a panic), and the client must work normally afterwards (the fixtures check both).
"""

from __future__ import annotations

import pyarrow as pa
import pytest

import sqlquarry
from rawserver import Answers, cut, response

# Strings full of the characters framing and decoding must get right.
TRICKY = Answers(
    ["n", "s", "a", "t"],
    ["Int64", "String", "Array(Nullable(String))", "DateTime('UTC')"],
)
TRICKY_ROWS = (
    r'[[-1, "a,\"]}b", ["x", null], "2024-04-29 21:11:17"], '
    r'[2, "\u00e9\n[", [], "2024-04-30 00:00:00"]]'
)


def structural_cuts(body: bytes) -> list[int]:
    """Every position just after a structural byte, inside strings and numbers too."""
    return [i for i in range(1, len(body)) if body[i - 1 : i] in b'[]{},:"\\ -0123456789nul']


def read_all(client, how: str):
    """Reads a result the way `how` names: query(), wait() or iter_batches()."""
    if how == "query":
        return client.query("SELECT 1")
    if how == "wait":
        return client.job("w-1").wait(timeout=10)
    with client.iter_batches("SELECT 1") as batches:
        return list(batches)


def body_for(how: str, rows: str | bytes, answers: Answers = TRICKY) -> bytes:
    return answers.result_body(rows) if how == "wait" else answers.run_body(rows)


WAYS = ["query", "wait", "stream"]


def answer_path(how: str) -> str:
    """The path of the answer `how` reads (status requests stay good)."""
    return "/result/" if how == "wait" else "/query/?"


@pytest.mark.parametrize("how", WAYS)
def test_the_tricky_body_itself_decodes(raw, roe, how):
    raw.then(lambda r: response(200, body_for(how, TRICKY_ROWS)), match=answer_path(how))
    got = read_all(roe, how)
    table = got.to_arrow() if how != "stream" else pa.Table.from_batches(got)
    assert table.column("s").to_pylist() == ['a,"]}b', "é\n["]
    assert table.column("a").to_pylist() == [["x", None], []]


@pytest.mark.parametrize("how", WAYS)
def test_a_body_cut_anywhere_with_an_honest_length_is_a_decode_error(raw, roe, how):
    body = body_for(how, TRICKY_ROWS)
    cuts = structural_cuts(body)
    assert len(cuts) > 60
    for at in cuts:
        raw.then(lambda r, at=at: response(200, body[:at]), match=answer_path(how))
        with pytest.raises(sqlquarry.DecodeError):
            read_all(roe, how)
            pytest.fail(f"a body cut at {at} was accepted: {body[:at]!r}")


@pytest.mark.parametrize("how", WAYS)
def test_a_body_cut_short_by_a_hang_up_is_a_transport_error(raw, roe, how):
    body = body_for(how, TRICKY_ROWS)
    for at in structural_cuts(body)[::3]:
        raw.then(lambda r, at=at: cut(body, at), match=answer_path(how))
        with pytest.raises(sqlquarry.TransportError):
            read_all(roe, how)
            pytest.fail(f"a body cut at {at} was accepted")


@pytest.mark.parametrize("how", WAYS)
def test_a_row_of_the_wrong_length_names_its_row(raw, roe, how):
    rows = '[[1, "a", [], "2024-04-29 00:00:00"], [2, "b", []]]'
    raw.then(lambda r: response(200, body_for(how, rows)), match=answer_path(how))
    with pytest.raises(sqlquarry.DecodeError) as info:
        read_all(roe, how)
    assert info.value.row == 1


@pytest.mark.parametrize(
    ("declared", "good", "bad"),
    [
        ("UInt8", "255", "300"),
        ("Int32", "-5", '"abc"'),
        ("Date", '"2024-12-31"', '"2024-13-01"'),
        ("Decimal(9, 2)", '"1.23"', '"1.234"'),
        ("UUID", '"123e4567-e89b-12d3-a456-426614174000"', '"not-a-uuid"'),
        ("Bool", "true", "2"),
        ("Array(UInt8)", "[1]", "5"),
    ],
)
@pytest.mark.parametrize("how", WAYS)
def test_a_value_that_does_not_fit_its_type_names_row_column_and_type(
    raw, roe, how, declared, good, bad
):
    answers = Answers(["ok", "v"], ["UInt8", declared])
    body = body_for(how, f"[[1, {good}], [2, {bad}]]", answers)
    raw.then(lambda r: response(200, body), match=answer_path(how))
    with pytest.raises(sqlquarry.DecodeError) as info:
        read_all(roe, how)
    e = info.value
    assert (e.row, e.column, e.column_type) == (1, "v", declared)


DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    ("declared", "rows"),
    [
        ("String", f'[["a"], [{DEEP}]]'),
        ("Array(Array(UInt8))", f"[[{DEEP}]]"),
        ("JSON", f"[[{DEEP}]]"),
        ("JSON", '[[{"a": ' + DEEP + "}]]"),
    ],
)
@pytest.mark.parametrize("how", WAYS)
def test_nesting_ten_thousand_deep_in_a_row_is_a_decode_error(raw, roe, how, declared, rows):
    raw.then(
        lambda r: response(200, body_for(how, rows, Answers(["v"], [declared]))),
        match=answer_path(how),
    )
    with pytest.raises(sqlquarry.DecodeError, match="nested too deeply"):
        read_all(roe, how)


@pytest.mark.parametrize("how", WAYS)
def test_nesting_ten_thousand_deep_in_the_envelope_is_a_decode_error(raw, roe, how):
    body = body_for(how, '[[1, "a", [], "2024-04-29 00:00:00"]]')
    deep = body[:-1] + b', "extra": ' + DEEP.encode() + body[-1:]
    raw.then(lambda r: response(200, deep), match=answer_path(how))
    with pytest.raises(sqlquarry.DecodeError, match="nested too deeply"):
        read_all(roe, how)


@pytest.mark.parametrize("how", WAYS)
def test_a_fifty_megabyte_value_arrives_whole(raw, roe, how):
    big = "y" * 49_999_999 + "z"
    answers = Answers(["v"], ["String"])
    raw.then(
        lambda r: response(200, body_for(how, f'[["a"], ["{big}"]]', answers)),
        match=answer_path(how),
    )
    got = read_all(roe, how)
    table = got.to_arrow() if how != "stream" else pa.Table.from_batches(got)
    value = table.column("v")[1].as_py()
    assert len(value) == 50_000_000 and value.endswith("yz")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "nan"])
@pytest.mark.parametrize("how", WAYS)
def test_bare_nan_and_infinity_are_not_json(raw, roe, how, token):
    answers = Answers(["f"], ["Float64"])
    raw.then(
        lambda r: response(200, body_for(how, f"[[1.5], [{token}]]", answers)),
        match=answer_path(how),
    )
    with pytest.raises(sqlquarry.DecodeError) as info:
        read_all(roe, how)
    assert info.value.row == 1


@pytest.mark.parametrize("how", WAYS)
def test_quoted_nan_and_infinity_decode(raw, roe, how):
    answers = Answers(["f"], ["Float64"])
    raw.then(
        lambda r: response(200, body_for(how, '[["nan"], ["inf"], ["-inf"], [1.5]]', answers)),
        match=answer_path(how),
    )
    got = read_all(roe, how)
    table = got.to_arrow() if how != "stream" else pa.Table.from_batches(got)
    values = table.column("f").to_pylist()
    assert values[0] != values[0] and values[1:] == [float("inf"), float("-inf"), 1.5]


@pytest.mark.parametrize("how", WAYS)
def test_a_byte_order_mark_before_the_body_is_skipped(raw, roe, how):
    body = b"\xef\xbb\xbf" + body_for(how, TRICKY_ROWS)
    raw.then(lambda r: response(200, body), match=answer_path(how))
    got = read_all(roe, how)
    rows = got.num_rows if how != "stream" else sum(b.num_rows for b in got)
    assert rows == 2


@pytest.mark.parametrize("how", WAYS)
def test_invalid_utf8_names_the_row_it_is_in(raw, roe, how):
    answers = Answers(["v"], ["String"])
    body = body_for(how, b'[["a"], ["b\xff"], ["c"]]', answers)
    raw.then(lambda r: response(200, body), match=answer_path(how))
    with pytest.raises(sqlquarry.DecodeError) as info:
        read_all(roe, how)
    assert info.value.row == 1


NOT_RESULTS = [
    {"detail": "Down for maintenance"},
    {"query_task_id": "t-1"},
    {"status": "SUCCESS"},
    {"status": "SUCCESS", "results": [{"detail": "x"}]},
    [{"detail": "x"}],
    {},
]


@pytest.mark.parametrize("payload", NOT_RESULTS, ids=lambda p: str(p)[:40])
@pytest.mark.parametrize("how", WAYS)
def test_a_json_object_that_is_not_a_result_is_a_decode_error_quoting_it(raw, roe, how, payload):
    raw.then(lambda r: response(200, payload), match=answer_path(how))
    with pytest.raises(sqlquarry.DecodeError, match="not a query result"):
        read_all(roe, how)


@pytest.mark.parametrize("how", WAYS)
def test_result_rows_that_are_not_an_array_are_a_decode_error(raw, roe, how):
    answers = Answers(["x"], ["UInt8"])
    for rows in ["5", '"rows"', '{"a": 1}', "0"]:
        raw.then(
            lambda r, rows=rows: response(200, body_for(how, rows, answers)), match=answer_path(how)
        )
        with pytest.raises(sqlquarry.DecodeError, match="not an array"):
            read_all(roe, how)


def test_an_error_page_with_a_success_status_is_a_decode_error(raw, roe):
    raw.then(lambda r: response(200, "<html><body>Bad gateway</body></html>"), match="/query/?")
    with pytest.raises(sqlquarry.DecodeError):
        roe.query("SELECT 1")


def test_a_row_far_longer_than_declared_fails_fast(raw, roe):
    row = "[" + ", ".join(["1"] * 200_000) + "]"
    raw.then(lambda r: response(200, Answers().run_body(f"[{row}]")), match="/query/?")
    with pytest.raises(sqlquarry.DecodeError) as info:
        roe.query("SELECT 1")
    assert info.value.row == 0
