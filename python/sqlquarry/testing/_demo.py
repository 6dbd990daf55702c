"""A deterministic demo dataset: a large `events` table and the small `files` table."""

from __future__ import annotations

from ._engine import ChEngine

# Every value derives from cityHash64(number, <salt>), so the data is the same
# on every run and is generated entirely inside ClickHouse (1M rows in ~1 s).
_EVENTS_DDL = """
CREATE OR REPLACE TABLE events
(
    id UInt64,
    user_id UInt32,
    name String,
    kind LowCardinality(String),
    created_at DateTime('UTC'),
    amount Decimal(18, 2),
    score Float64,
    qty Nullable(Int32),
    flag Bool,
    file String
)
ENGINE = MergeTree
ORDER BY id
"""

_EVENTS_FILL = """
INSERT INTO events
SELECT
    number + 1 AS id,
    toUInt32(cityHash64(number, 1) % 10000 + 1) AS user_id,
    concat('event_', toString(number + 1)) AS name,
    ['click', 'view', 'purchase', 'signup', 'refund'][cityHash64(number, 2) % 5 + 1] AS kind,
    toDateTime('2024-01-01 00:00:00', 'UTC') + toIntervalSecond(cityHash64(number, 3) % 31536000)
        AS created_at,
    toDecimal64(cityHash64(number, 4) % 10000000, 2) / 100 AS amount,
    (cityHash64(number, 5) % 1000000) / 1000.0 AS score,
    if(cityHash64(number, 6) % 5 = 0, NULL, toInt32(cityHash64(number, 6) % 100)) AS qty,
    cityHash64(number, 7) % 2 = 0 AS flag,
    toString(reinterpretAsUUID(concat(
        reinterpretAsString(cityHash64(number, 8)), reinterpretAsString(cityHash64(number, 9))
    ))) AS file
FROM numbers({rows})
"""

_FILES_DDL = """
CREATE OR REPLACE TABLE files
(
    name String,
    file String,
    created_at DateTime
)
ENGINE = MergeTree
ORDER BY name
"""

# The rows of the Roe seed example.
_FILES_FILL = """
INSERT INTO files VALUES
    ('example1.pdf', 'file_123e4567-e89b-12d3-a456-426614174001', '2024-04-29 21:11:17'),
    ('example2.pdf', 'file_123e4567-e89b-12d3-a456-426614174002', '2024-04-29 21:12:05'),
    ('example3.pdf', 'file_123e4567-e89b-12d3-a456-426614174003', '2024-04-29 21:13:42')
"""


# Questions the AI for Database emulator answers over the demo dataset (it answers SQL, and
# questions registered with register_question).
DEMO_QUESTIONS = {
    "How many events of each kind are there?": (
        "SELECT kind, count() AS events FROM events GROUP BY kind ORDER BY kind"
    ),
    "Which files were added?": "SELECT name, created_at FROM files ORDER BY created_at",
}


def load_demo_dataset(engine: ChEngine, rows: int = 1_000_000) -> None:
    """(Re)create `events` with `rows` rows and the three-row `files` table."""
    engine.run(_EVENTS_DDL)
    if rows > 0:
        engine.run(_EVENTS_FILL.format(rows=int(rows)))
    engine.run(_FILES_DDL)
    engine.run(_FILES_FILL)
