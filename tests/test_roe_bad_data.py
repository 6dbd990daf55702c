"""Bad data over real HTTP: malformed JSON, rows of the wrong length, values that do not fit
their declared type, unknown and nested types. Each is a specific exception (or a warning)
that says where, never a crash."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import sqlquarry

QUERY = "/v1/database/query/"


def serve(server, results, *, status=200, path=QUERY):
    """The next request to `path` gets `results` (a list of result objects, or raw text
    or bytes)."""
    body = results if isinstance(results, (str, bytes)) else json.dumps(results)
    server.inject_fault(status=status, count=1, path_contains=path, body=body)


def result(names, types, rows, query_id="q-bad-1"):
    return {
        "query_id": query_id,
        "query": "SELECT ...",
        "column_names": names,
        "column_types": types,
        "result_rows": rows,
    }


def test_malformed_json(roe_server, roe_client):
    serve(roe_server, '[{"column_names": ["a"], "column_types": ["Int32"], "result_rows": [[1], [2')
    with pytest.raises(sqlquarry.DecodeError, match="malformed response to POST /v1/database"):
        roe_client.query("SELECT 1")


async def test_malformed_json_async(roe_server, roe_client):
    serve(roe_server, "<html>502 Bad Gateway</html>")
    with pytest.raises(sqlquarry.DecodeError, match="malformed"):
        await roe_client.query_async("SELECT 1")


def test_bytes_that_are_not_utf8(roe_server, roe_client):
    good = json.dumps([result(["a"], ["String"], [["x"], ["y"]])]).encode()
    in_rows = good.replace(b'"y"', b'"\xff"')
    serve(roe_server, in_rows)
    with pytest.raises(sqlquarry.DecodeError, match="not valid UTF-8") as info:
        roe_client.query("SELECT 1")
    assert info.value.query_id == "q-bad-1"
    # The same bytes held in memory go through the same reader: the same error.
    with pytest.raises(sqlquarry.DecodeError, match="not valid UTF-8") as info:
        sqlquarry._native._decode_roe_body(in_rows)
    assert info.value.row == 1
    in_envelope = good.replace(b"SELECT ...", b"SELECT \xfe")
    serve(roe_server, in_envelope)
    with pytest.raises(sqlquarry.DecodeError, match="malformed response"):
        roe_client.query("SELECT 1")


def test_row_of_the_wrong_length(roe_server, roe_client):
    serve(roe_server, [result(["a", "b"], ["Int32", "String"], [[1, "x"], [2]])])
    with pytest.raises(sqlquarry.DecodeError) as info:
        roe_client.query("SELECT 1")
    e = info.value
    assert e.row == 1 and e.query_id == "q-bad-1"
    assert "row has 1 values but the result declares 2 columns" in str(e)


@pytest.mark.parametrize(
    "declared,value,why",
    [
        ("Int32", "abc", "not an integer"),
        ("UInt8", 300, "out of range"),
        ("UInt64", -1, "out of range"),
        ("Date", "2024-02-30", "not a valid date"),
        ("DateTime", "yesterday", "not a valid date-time"),
        ("Decimal(18, 2)", "1.234", "more than 2 decimal places"),
        ("Decimal(4, 2)", 123.45, "does not fit Decimal(4, 2)"),
        ("Bool", "maybe", "not a boolean"),
        ("Int32", None, "not Nullable"),
        ("Enum8('a' = 1)", "b", "not a label"),
    ],
)
def test_value_that_does_not_fit_its_type(roe_server, roe_client, declared, value, why):
    serve(roe_server, [result(["id", "v"], ["UInt32", declared], [[2, value]])])
    with pytest.raises(sqlquarry.DecodeError) as info:
        roe_client.query("SELECT 1")
    e = info.value
    assert (e.row, e.column, e.column_type) == (0, "v", declared)
    assert why in str(e)
    assert e.query_id == "q-bad-1" and "q-bad-1" in str(e)
    if value is not None:
        assert json.dumps(value).strip('"') in e.value


def test_names_and_types_disagree(roe_server, roe_client):
    serve(roe_server, [result(["a", "b"], ["Int32"], [])])
    with pytest.raises(sqlquarry.DecodeError, match="2 column names but 1 column types"):
        roe_client.query("SELECT 1")


def test_unknown_type_becomes_text_with_a_warning(roe_server, roe_client):
    serve(roe_server, [result(["a", "b"], ["Frobnicate(3)", "Int8"], [[{"x": 1}, 1], ["y", 2]])])
    with pytest.warns(sqlquarry.TypeWarning, match=r"column 'a'.*Frobnicate\(3\)"):
        r = roe_client.query("SELECT 1")
    assert pa.table(r).to_pylist() == [{"a": '{"x": 1}', "b": 1}, {"a": "y", "b": 2}]
    assert r.warnings and "Frobnicate" in r.warnings[0]


def test_semi_structured_types_come_back_as_json_text(roe_client):
    r = roe_client.query(
        "SELECT '{\"a\": [1, 2]}'::JSON AS j, 'x'::Dynamic AS d, "
        "CAST(NULL AS Nullable(Nothing)) AS n"
    )
    row = pa.table(r).to_pylist()[0]
    assert json.loads(row["j"]) == {"a": [1, 2]}
    assert row["d"] == "x" and row["n"] is None
    assert not r.warnings


def test_failed_result_object_raises_query_error(roe_server, roe_client):
    bad = result(["a"], ["Int32"], [])
    bad["error"] = "Code: 241. DB::Exception: Memory limit exceeded"
    serve(roe_server, [bad])
    with pytest.raises(sqlquarry.QueryError, match="Memory limit exceeded") as info:
        roe_client.query("SELECT 1")
    assert info.value.query_id == "q-bad-1"


def test_error_list_body_is_readable(roe_server, roe_client):
    serve(roe_server, '["Worksheet query has been cancelled and cannot be executed"]', status=400)
    with pytest.raises(sqlquarry.QueryError, match="has been cancelled"):
        roe_client.query("SELECT 1")
