"""Differential type test: random ClickHouse schemas and values (chDB's generateRandom) and
handwritten edge values, served by the emulator in each rendering, decoded by sqlquarry and
compared value by value with ClickHouse's own Arrow answer for the same rows.

`make fuzz-types SEED=... COLUMNS=...` runs the same harness for longer; tests/typefuzz/
README.md explains the renderings, the truth and what counts as lossy."""

from __future__ import annotations

import decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import sqlquarry
from typefuzz import harness
from typefuzz.clickhouse import DATABASE, RENDERINGS, ClickHouse
from typefuzz.edges import create_edge_tables
from typefuzz.harness import Harness, Summary
from typefuzz.run import random_tables, report

SEED = 20261201
# About 15 s for the four renderings with the edge tables on two cores, most of it the
# emulator's ~45 ms a request where a failing column has each column fetched alone.
COLUMNS = 300


@pytest.fixture(scope="module")
def tables(sqlquarry_roe_server):
    """The random tables and the edge tables, created once for every rendering."""
    ch = ClickHouse(sqlquarry_roe_server.engine)
    yield ch, list(random_tables(ch, SEED, COLUMNS)), create_edge_tables(ch)
    ch.run(f"DROP DATABASE IF EXISTS {DATABASE}")


def check(ch, roe_server, roe_client, names, rendering) -> Summary:
    total = Summary(SEED)
    h = Harness(ch, roe_server, roe_client, SEED, (rendering,))
    for table in names:
        total.add(h.check_table(table))
    return total


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_random_and_edge_values_decode_as_clickhouse_has_them(
    tables, roe_server, roe_client, rendering
):
    ch, random, edges = tables
    summary = check(ch, roe_server, roe_client, random + edges, rendering)
    assert summary.columns > COLUMNS and summary.values > 10 * COLUMNS
    if summary.mismatches:
        pytest.fail(report(summary, examples=5), pytrace=False)


# --- what the harness must notice --------------------------------------------------------


def shift_instants(result) -> pa.Table:
    """A decoder that reads every top-level instant one second late."""
    table = result.to_arrow()
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            later = pc.add(table.column(i).cast(pa.int64()), pa.scalar(1, pa.int64())).cast(f.type)
            table = table.set_column(i, f, later)
    return table


def test_the_harness_fails_a_decoder_one_second_off(tables, roe_server, roe_client, monkeypatch):
    ch, _, edges = tables
    monkeypatch.setattr(harness, "to_arrow", shift_instants)
    summary = check(ch, roe_server, roe_client, edges, "native")
    shifted = {m.declared for m in summary.mismatches if m.kind == "value"}
    assert "DateTime64(9)" in shifted and "DateTime('America/New_York')" in shifted
    assert "Date32" not in shifted and "Array(DateTime64(3, 'America/New_York'))" not in shifted


def test_the_harness_fails_a_rendering_that_writes_the_wrong_offset(
    tables, roe_server, roe_client, monkeypatch
):
    """The emulator's string encoding writing +00:00 for every zone: every instant off UTC
    must be caught, the rendering being checked against ClickHouse, not against itself."""
    from sqlquarry.testing import _encoding

    monkeypatch.setattr(_encoding, "_offset_text", lambda offset: "+00:00")
    _encoding._in_zone.cache_clear()
    ch, _, edges = tables
    summary = check(ch, roe_server, roe_client, edges, "string")
    wrong = {m.declared for m in summary.mismatches}
    assert "DateTime('Europe/Amsterdam')" in wrong and "DateTime('UTC')" not in wrong


# --- decimals as no ClickHouse writes them, but services do ------------------------------

# (declared type, the cell's JSON text, the value or None for a DecodeError). Python's
# str(Decimal) writes exponents ("1.5E+3", "0E-10"); JSON numbers may have them too.
EXPONENTS = [
    ("Decimal(9, 2)", "1.5e3", "1500.00"),
    ("Decimal(9, 2)", '"1.5e3"', "1500.00"),
    ("Decimal(9, 2)", '"1.5E+3"', "1500.00"),
    ("Decimal(9, 2)", "-2.5e-1", "-0.25"),
    ("Decimal(9, 2)", '"1234567e-2"', "12345.67"),
    ("Decimal(9, 2)", '"0E-10"', "0.00"),
    ("Decimal(9, 2)", "9.99999999e6", "9999999.99"),
    ("Decimal(9, 2)", "1e7", None),  # ten digits do not fit Decimal(9, 2)
    ("Decimal(9, 2)", '"1.2345e1"', None),  # 12.345: three decimal places, never rounded
    ("Decimal(38, 2)", "1E35", "1" + "0" * 35 + ".00"),
    ("Decimal(38, 2)", "1e36", None),
    ("Decimal(76, 10)", '"-1.5E+65"', "-15" + "0" * 64 + ".0000000000"),
    ("Decimal(76, 10)", "12345678901234567890e-30", None),  # 1.2e-11: eleven places
]


@pytest.mark.parametrize(("declared", "cell", "want"), EXPONENTS, ids=[c for _, c, _ in EXPONENTS])
def test_decimals_written_with_exponents(declared, cell, want):
    body = (
        f'[{{"column_names": ["d"], "column_types": ["{declared}"], "result_rows": [[{cell}]]}}]'
    ).encode()
    if want is None:
        with pytest.raises(sqlquarry.DecodeError):
            sqlquarry._native._decode_roe_body(body)
        return
    got = pa.table(sqlquarry._native._decode_roe_body(body)[0]).column("d")[0].as_py()
    scale = int(declared.split(",")[1].strip(" )"))
    assert got == decimal.Decimal(want) and got.as_tuple().exponent == -scale


def test_an_interval_beyond_what_a_duration_holds_is_refused(roe_client):
    """IntervalWeek is duration[s]: 2**63 - 1 weeks does not fit, and must not wrap."""
    with pytest.raises(sqlquarry.DecodeError, match="out of range"):
        roe_client.query("SELECT toIntervalWeek(9223372036854775807) AS w")
