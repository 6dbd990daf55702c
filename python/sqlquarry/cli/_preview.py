"""What a result looks like on stdout without -o: its shape, columns, types and first and
last rows, then how long it took, all within the terminal's width.

The result's own repr is used when it fits (it is at most 100 characters wide); on a
narrower terminal the same layout is drawn here with fewer columns and shorter values.
"""

from __future__ import annotations

import json
from typing import Any

from sqlquarry.cli._table import fits, render, shorten, terminal_width

_EDGE_ROWS = 5


def preview(result: Any, elapsed: float, width: int | None = None, show_sql: bool = False) -> str:
    """The preview of `result`, fetched in `elapsed` seconds, at most `width` wide;
    `show_sql` adds the statement the service ran (AI for Database writes it)."""
    width = width or terminal_width()
    text = repr(result)
    if not fits(text, width):
        text = _narrow(result, width)
    lines = [text]
    if show_sql and result.sql:
        lines.insert(0, shorten(f"SQL: {result.sql}", width))
    lines.append(shorten(_timing(result, elapsed), width))
    return "\n".join(lines)


def _timing(result: Any, elapsed: float) -> str:
    parts = [f"{result.num_rows:,} {'row' if result.num_rows == 1 else 'rows'}"]
    parts.append(f"in {elapsed:.2f} s")
    service = result.elapsed
    if service is None and result.execution_time_ms is not None:
        service = result.execution_time_ms / 1000
    if service is not None:
        parts.append(f"(the service: {service:.3f} s)")
    return " ".join(parts)


def _narrow(result: Any, width: int) -> str:
    """The repr's layout, drawn to `width`: needs pyarrow for the values, else each line of
    the repr is cut."""
    head = shorten(repr(result).splitlines()[0], width)
    try:
        table = result.to_arrow()
    except ImportError:
        return "\n".join(shorten(line, width) for line in repr(result).splitlines())
    if table.num_columns == 0:
        return head
    n = table.num_rows
    if n <= 2 * _EDGE_ROWS:
        parts = [table]
    else:
        parts = [table.slice(0, _EDGE_ROWS), table.slice(n - _EDGE_ROWS, _EDGE_ROWS)]
    rows: list[list[str] | None] = []
    for i, part in enumerate(parts):
        if i:
            rows.append(None)
        columns = [_cells(part.column(c)) for c in range(part.num_columns)]
        rows.extend([list(r) for r in zip(*columns, strict=True)])
    header = [list(result.column_names), list(result.column_types)]
    max_cell = max(8, min(24, width // 3))
    return head + "\n" + render(header, rows, width, max_cell)


def _cells(column: Any) -> list[str]:
    from sqlquarry.cli._jsonvalues import column_values

    values = column_values(column)
    return [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values]
