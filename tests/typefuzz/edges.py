"""Handwritten values generateRandom does not produce: non-ASCII text, BFloat16, Time and
Time64, the edges of every type's range, float extremes, DST folds and summer time past
2100 in zones north and south. One column per (type, values); checked like random ones."""

from __future__ import annotations

from .clickhouse import ClickHouse


def utc(text: str, p: int) -> str:
    """An instant written in UTC, so the value does not depend on the column's zone."""
    return f"toDateTime64('{text}', {p}, 'UTC')"


def fold(unix: int) -> str:
    return f"toDateTime({unix}, 'UTC')"


TEXT = [
    "'héllo wörld'",
    "'😀🎉👍🏽'",
    "'中文字符 日本語'",
    "'e\u0301 combining'",
    "'nul \\0 byte'",
    "'tab\\there\\nnewline'",
    "'\"q\" \\\\ b'",
    "''",
    "'\u2028\u2029'",
    "'עברית RTL'",
    "'bad \\xFF\\xFE bytes'",
]
F32 = """3.4028235e38 -3.4028235e38 1.401298464324817e-45 1.1754942e-38 -0. nan inf -inf 0.1
    16777217 1e-40""".split()
F64 = """1.7976931348623157e308 -1.7976931348623157e308 5e-324 2.2250738585072011e-308 -0.
    nan inf -inf 0.1 9007199254740993 1e23""".split()
BF16 = """0 -0. 1.5 0.1 3.3895313892515355e38 -3.3895313892515355e38 1.1754943508222875e-38
    9.183549615799121e-41 nan inf -inf 65504""".split()
I256 = "57896044618658097711785492504343953926634992332820282019728792003956564819967"
U256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
I128, U128 = "170141183460469231731687303715884105727", "340282366920938463463374607431768211455"
NINES = "9" * 76
NY_FOLD = [fold(1730611800), fold(1730615400)]  # 01:30 EDT, then 01:30 EST (2024-11-03)

EDGES: list[tuple[str, list[str]]] = [
    ("String", TEXT),
    ("FixedString(24)", TEXT[:8]),
    ("LowCardinality(Nullable(String))", [*TEXT[:4], "NULL"]),
    ("Array(String)", [f"[{', '.join(TEXT)}]", "[]"]),
    ("Map(String, String)", [f"map({TEXT[1]}, {TEXT[2]}, {TEXT[3]}, '')"]),
    (
        "Enum8('😀' = 1, 'é' = -128, 'a b' = 127, 'it\\'s' = 0)",
        ["'😀'", "'é'", "'a b'", "'it\\'s'"],
    ),
    ("Enum16('lo' = -32768, 'hi' = 32767)", ["'lo'", "'hi'"]),
    ("Tuple(`名前` String, `a b` Array(String), `select` Int8)", [f"({TEXT[2]}, [{TEXT[0]}], 1)"]),
    ("Float32", [f"toFloat32({v})" for v in F32]),
    ("Float64", F64),
    ("BFloat16", [f"toBFloat16({v})" for v in BF16]),
    ("Nullable(Float64)", ["nan", "inf", "NULL", "1.5"]),
    ("Array(Float32)", [f"[{', '.join(f'toFloat32({v})' for v in F32)}]"]),
    ("Array(BFloat16)", [f"[{', '.join(f'toBFloat16({v})' for v in BF16)}]"]),
    (
        "Time",
        ["'-999:59:59'", "'999:59:59'", "'0:00:00'", "'-0:00:01'", "'24:00:00'", "'100:00:00'"],
    ),
    ("Time64(3)", ["'-999:59:59.999'", "'999:59:59.999'", "'-0:00:00.001'", "'12:34:56.789'"]),
    ("Time64(6)", ["'-999:59:59.999999'", "'0:00:00.000001'"]),
    ("Time64(9)", ["'999:59:59.999999999'", "'-0:00:00.000000001'"]),
    ("Array(Nullable(Time64(3)))", ["['-1:00:00.5', NULL, '999:00:00']"]),
    ("Date", ["'1970-01-01'", "'2149-06-06'", "'2000-02-29'"]),
    ("Date32", ["'1900-01-01'", "'2299-12-31'", "'1969-12-31'", "'1970-01-01'"]),
    (
        "DateTime('UTC')",
        ["'1970-01-01 00:00:00'", "'2106-02-07 06:28:15'", "'2038-01-19 03:14:08'"],
    ),
    # No zone: UTC, or New York's wall time in the simple_tz rendering (a fold, summer 2105).
    (
        "DateTime",
        [
            "'1970-01-01 00:00:00'",
            "'2106-02-07 06:28:15'",
            "toDateTime(1730611800)",
            "toDateTime(1730615400)",
            "toDateTime(4275892800)",
        ],
    ),
    ("Array(DateTime64(3))", ["[toDateTime64(4275892800.5, 3), toDateTime64(1730615400, 3)]"]),
    (
        "DateTime('America/New_York')",
        [*NY_FOLD, "toDateTime(4294967295, 'UTC')", utc("2100-07-01 16:00:00", 0)],
    ),
    ("DateTime('Europe/Amsterdam')", [utc("2105-07-01 10:00:00", 0), "toDateTime(4294967295)"]),
    (
        "DateTime('Australia/Sydney')",
        [utc("2106-01-01 01:00:00", 0), utc("2105-07-01 02:00:00", 0)],
    ),
    ("DateTime('Pacific/Chatham')", [utc("2100-01-01 00:00:00", 0), utc("2101-04-06 12:00:00", 0)]),
    (
        # Text, not toDateTime64(.., 'UTC'): CAST would keep that zone in the column's type.
        "DateTime64(9)",
        [
            "'1900-01-01 00:00:00'",
            "'2262-04-11 23:47:16.854775807'",
            "'1969-12-31 23:59:59.999999999'",
            "'1970-01-01 00:00:00.000000001'",
        ],
    ),
    (
        "DateTime64(9, 'Asia/Tokyo')",
        [utc("1900-01-01 00:00:00", 9), utc("2262-04-11 23:47:16.854775807", 9)],
    ),
    (
        "DateTime64(3, 'Australia/Sydney')",
        [
            utc("1900-01-01 00:00:00", 3),
            utc("2299-12-31 12:59:59.999", 3),
            utc("2250-01-15 00:00:00", 3),
        ],
    ),
    (
        "DateTime64(3, 'Europe/Amsterdam')",
        [utc("2100-07-01 10:00:00", 3), utc("2299-06-30 12:00:00.5", 3)],
    ),
    (
        "DateTime64(6, 'America/Santiago')",
        [utc("2150-01-15 12:00:00.000001", 6), utc("2150-07-15 12:00:00", 6)],
    ),
    (
        "DateTime64(0, 'Africa/Monrovia')",
        [
            utc("1960-06-01 00:00:00", 0),
            utc("1972-01-06 23:59:59", 0),
            utc("1972-01-07 00:44:30", 0),
        ],
    ),
    (
        "DateTime64(3, 'Asia/Kolkata')",
        [utc("1900-01-01 00:00:00", 3), utc("1942-09-01 00:00:00", 3)],
    ),
    (
        "DateTime64(3, 'Europe/Dublin')",
        [
            utc("2024-10-27 00:30:00", 3),
            utc("2024-10-27 01:30:00", 3),
            utc("2150-07-01 00:00:00", 3),
        ],
    ),
    (
        "DateTime64(3, 'Australia/Lord_Howe')",
        [utc("2024-04-06 14:45:00", 3), utc("2200-01-01 00:00:00", 3)],
    ),
    (
        "Array(DateTime64(3, 'America/New_York'))",
        [f"[{utc('2150-07-04 16:00:00.25', 3)}, {NY_FOLD[1]}]"],
    ),
    (
        "Map(DateTime('Europe/Amsterdam'), String)",
        [f"map({utc('2100-07-01 10:00:00', 0)}, 'summer')"],
    ),
    (
        "Tuple(`a b` DateTime64(3, 'Australia/Sydney'), n Nullable(DateTime('America/Santiago')))",
        [
            f"({utc('2200-01-01 00:00:00', 3)}, {utc('2200-01-01 00:00:00', 0)})",
            f"({utc('1950-01-01 00:00:00', 3)}, NULL)",
        ],
    ),
    ("Int8", ["-128", "127"]),
    ("Int16", ["-32768", "32767"]),
    ("Int32", ["-2147483648", "2147483647"]),
    ("UInt32", ["4294967295", "0"]),
    ("Int64", ["-9223372036854775808", "9223372036854775807"]),
    ("UInt64", ["18446744073709551615"]),
    ("Int128", [f"toInt128('-{int(I128) + 1}')", f"toInt128('{I128}')"]),
    ("UInt128", [f"toUInt128('{U128}')", "0"]),
    ("Int256", [f"toInt256('-{int(I256) + 1}')", f"toInt256('{I256}')", "0"]),
    ("UInt256", [f"toUInt256('{U256}')", "0"]),
    ("Array(Int256)", [f"[toInt256('-{int(I256) + 1}'), toInt256('{I256}')]"]),
    ("Map(String, UInt256)", [f"map('max', toUInt256('{U256}'))"]),
    (
        "Tuple(Int128, Nullable(Int256), UInt128)",
        [f"(toInt128('{I128}'), NULL, toUInt128('{U128}'))"],
    ),
    ("Decimal(76, 0)", [f"toDecimal256('{NINES}', 0)", f"toDecimal256('-{NINES}', 0)"]),
    ("Decimal(76, 76)", [f"toDecimal256('0.{NINES}', 76)", f"toDecimal256('-0.{NINES}', 76)"]),
    ("Decimal(38, 38)", [f"toDecimal128('-0.{NINES[:38]}', 38)", "0"]),
    ("Decimal(39, 0)", [f"toDecimal256('{NINES[:39]}', 0)"]),
    ("Decimal(9, 9)", ["toDecimal32('-0.999999999', 9)", "toDecimal32('0.000000001', 9)"]),
    ("Decimal(1, 0)", ["-9", "9", "0"]),
    ("Array(Decimal(76, 38))", [f"[toDecimal256('{NINES[:38]}.{NINES[:38]}', 38), 0]"]),
    ("Map(String, Nullable(Decimal(50, 25)))", ["map('a', toDecimal256('-1.5', 25), 'b', NULL)"]),
    (
        "UUID",
        [
            "'00000000-0000-0000-0000-000000000000'",
            "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
            "'123e4567-e89b-12d3-a456-426614174000'",
        ],
    ),
    ("IPv4", ["'0.0.0.0'", "'255.255.255.255'"]),
    (
        "IPv6",
        [
            "'::'",
            "'::1'",
            "'::ffff:1.2.3.4'",
            "'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'",
            "'64:ff9b::1.2.3.4'",
        ],
    ),
    ("Bool", ["true", "false"]),
    ("Nullable(Tuple(a Int8, `b c` String))", ["NULL", "(1, 'x')"]),
    ("Array(Nullable(Tuple(Int8, Nullable(String))))", ["[NULL, (1, NULL), (2, 'y')]"]),
    (
        "Map(LowCardinality(String), Array(Nullable(Tuple(`a b` Int8))))",
        ["map('k', [NULL, tuple(1)])"],
    ),
    # Keys ClickHouse's JSON writes as their text: "[1,2]", "(1,'a')".
    ("Map(Array(Int8), UInt8)", ["map([1, 2], 1, [], 2)"]),
    ("Map(Tuple(Int8, String), UInt8)", ["map((1, 'a'), 1, (-2, 'it\\'s'), 2)"]),
    ("Nested(a Int8, `b c` String)", ["[(1, 'x'), (2, 'y')]", "[]"]),
    (
        "Array(Nested(`select` DateTime64(3, 'Europe/Amsterdam')))",
        [f"[[tuple({utc('2101-07-01 00:00:00', 3)})]]"],
    ),
    ("Point", ["(1.5, -2.5)", "(nan, -0.)"]),
    ("Ring", ["[(0, 0), (1, 1)]", "[]"]),
    ("LineString", ["[(0, 0), (1e308, -1e-308)]"]),
    ("MultiLineString", ["[[(0, 0)], [(1, 1), (2, 2)]]"]),
    ("Polygon", ["[[(0, 0), (1, 1)], []]"]),
    ("MultiPolygon", ["[[[(0, 0)]], [[(2, 2)]]]"]),
    ("IntervalSecond", ["toIntervalSecond(-5)", "toIntervalSecond(9223372036854775807)"]),
    (
        "IntervalNanosecond",
        ["toIntervalNanosecond(-9223372036854775808)", "toIntervalNanosecond(1)"],
    ),
    ("IntervalMillisecond", ["toIntervalMillisecond(1500)"]),
    ("IntervalHour", ["toIntervalHour(-3)"]),
    ("IntervalWeek", ["toIntervalWeek(2)"]),
    ("IntervalMonth", ["toIntervalMonth(-7)", "toIntervalMonth(9223372036854775807)"]),
    ("IntervalQuarter", ["toIntervalQuarter(3)"]),
    ("IntervalYear", ["toIntervalYear(-9223372036854775808)"]),
    ("Array(IntervalDay)", ["[toIntervalDay(1), toIntervalDay(-1)]"]),
    ("SimpleAggregateFunction(sum, UInt64)", ["18446744073709551615", "0"]),
    (
        "SimpleAggregateFunction(any, Nullable(DateTime('Australia/Sydney')))",
        [utc("2104-01-01 00:00:00", 0), "NULL"],
    ),
]


def create_edge_tables(ch: ClickHouse, per_table: int = 16) -> list[str]:
    """The edge values in tables of a few columns each: a value that fails a whole query
    then costs only its own table a column-by-column retry."""
    tables = []
    for k in range(0, len(EDGES), per_table):
        tables.append(_create(ch, f"edges{k // per_table}", EDGES[k : k + per_table], k))
    return tables


def _create(ch: ClickHouse, table: str, edges: list, first: int) -> str:
    rows = max(len(values) for _, values in EDGES)  # every table as long: a clean cycle
    columns = []
    for i, (t, values) in enumerate(edges, first):
        quoted = t.replace("\\", "\\\\").replace("'", "\\'")
        cast = ", ".join(f"CAST({v}, '{quoted}')" for v in values)
        columns.append(f"CAST([{cast}][number % {len(values)} + 1], '{quoted}') AS e{i}")
    ch.replace(table, f"SELECT number AS _rn, {', '.join(columns)} FROM numbers({rows})")
    return table
