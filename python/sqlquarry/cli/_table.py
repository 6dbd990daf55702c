"""Text tables that fit the terminal: the columns that fit, from both ends, with "…" for
the ones left out, as the result's own repr draws them."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

ELLIPSIS = "…"
_SEP = " │ "


def terminal_width() -> int:
    """The terminal's width (COLUMNS when set, 80 when stdout is not a terminal)."""
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def shorten(text: str, width: int) -> str:
    """`text` on one line and at most `width` characters, ending in "…" when cut."""
    text = " ".join(text.split()) if ("\n" in text or "\t" in text) else text
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + ELLIPSIS


def fits(text: str, width: int) -> bool:
    return all(len(line) <= width for line in text.splitlines())


def render(
    header: Sequence[Sequence[str]],
    rows: Sequence[Sequence[str] | None],
    width: int,
    max_cell: int = 24,
    fill_last: bool = False,
) -> str:
    """`header` lines (names, types...) over a rule and `rows` (None: a row of "…" where
    rows are elided), each cell cut to `max_cell`, as many columns as fit `width`.
    `fill_last`: the last column (free text, say) takes the room the others leave, cut to
    it, rather than being left out."""
    lines = [*header, *(r for r in rows if r is not None)]
    count = len(lines[0]) if lines else 0
    cut = [[shorten(c, max_cell) for c in line] for line in lines]
    widths = [max([1, *(len(line[i]) for line in cut)]) for i in range(count)]
    limits = [max_cell] * count
    if fill_last and count > 1:
        room = width - sum(w + len(_SEP) for w in widths[:-1])
        limits[-1] = widths[-1] = max(8, min(widths[-1], room))
    shown = _fitting(widths, width)

    def line(cells: Sequence[str] | None) -> str:
        parts = []
        for i in shown:
            if i is None or cells is None:
                parts.append(ELLIPSIS.ljust(1 if i is None else widths[i]))
            else:
                parts.append(shorten(cells[i], limits[i]).ljust(widths[i]))
        return shorten(_SEP.join(parts).rstrip(), width)

    out = [line(h) for h in header]
    rule = sum((1 if i is None else widths[i]) + len(_SEP) for i in shown) - len(_SEP)
    out.append("─" * min(max(rule, 1), width))
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def _fitting(widths: list[int], width: int) -> list[int | None]:
    """Which columns fit (None: the elided middle), taking from both ends in turn."""
    if sum(w + len(_SEP) for w in widths) <= width + len(_SEP):
        return list(range(len(widths)))
    left: list[int | None] = []
    right: list[int | None] = []
    used = 1 + len(_SEP)  # the "…" column and its separator
    lo, hi = 0, len(widths)
    while lo < hi:
        take_left = len(left) <= len(right)
        i = lo if take_left else hi - 1
        if used + widths[i] + len(_SEP) > width:
            break
        used += widths[i] + len(_SEP)
        if take_left:
            left.append(i)
            lo += 1
        else:
            right.append(i)
            hi -= 1
    if not left and widths:
        left.append(0)  # at least one column, cut to the width by `line`
    return [*left, None, *reversed(right)]
