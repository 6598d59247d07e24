"""Printing command results: aligned plain-text tables, or JSON with stable keys.

Human-readable output shows control characters visibly (ESC as `\\x1b`): text stored
before the records removed them, or from a file, cannot move the cursor, set the window
title or write the clipboard. Titles are stored as given: a tab, U+2028, U+2029 or U+0085
in one is shown as a space, so it neither breaks a line nor shifts a table's columns.
JSON output stays exact (json escapes them itself).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import click

from sprintboard.vocabulary import on_one_line, show_control, without_separators

Column = tuple[str, Callable[[dict[str, Any]], Any]]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def say(text: str) -> None:
    """Print human-readable text, control characters shown visibly."""
    click.echo(show_control(text))


def _cell(value: Any) -> str:
    return show_control(without_separators(_plain(value)))


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def terminal_width() -> int:
    """The width human output is laid out for: the terminal's, or 80 when stdout is a pipe
    or a file (so what a script reads does not depend on who ran it)."""
    import shutil
    import sys

    if not sys.stdout.isatty():
        return 80
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def _wrapped(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` cells, at spaces where it can be."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if cell_len(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            pieces = chop_cells(word, width) if cell_len(word) > width else [word]
            lines.extend(pieces[:-1])
            line = pieces[-1]
        lines.append(line)
    return lines


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    max_width: int = 60,
    width: int | None = None,
) -> None:
    """Print rows under headers, each column as wide as its widest cell (in terminal cells).

    With `width`, lines fit in that many cells: the last column takes what the others leave
    (at least 20) and wraps onto lines of its own, under itself, instead of being cut."""
    from rich.cells import cell_len, set_cell_size

    if not rows:
        click.echo("(none)")
        return
    # One row is one line: a tab would jump to a tab stop and shift the columns after it.
    cells = [[on_one_line(_cell(get(row))) for _, get in columns] for row in rows]
    widths = [
        min(max_width, max(cell_len(header), *(cell_len(r[i]) for r in cells)))
        for i, (header, _) in enumerate(columns)
    ]
    if width is not None:
        widths[-1] = max(20, width - sum(w + 2 for w in widths[:-1]))

    def line(values: Sequence[str]) -> str:
        fitted = []
        for value, size in zip(values, widths, strict=True):
            if cell_len(value) > size:
                value = set_cell_size(value, size - 1) + "…"
            fitted.append(set_cell_size(value, size))
        return "  ".join(fitted).rstrip()

    click.echo(line([h for h, _ in columns]))
    for row_cells in cells:
        if width is None:
            click.echo(line(row_cells))
            continue
        first, *more = _wrapped(row_cells[-1], widths[-1])
        click.echo(line([*row_cells[:-1], first]))
        for rest in more:
            click.echo(line([""] * (len(columns) - 1) + [rest]))


def field(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row.get(name)


def details(pairs: Sequence[tuple[str, Any]]) -> None:
    """A record as 'label: value' lines."""
    width = max(len(label) for label, _ in pairs)
    for label, value in pairs:
        text = _cell(value)
        lines = text.splitlines() or [""]
        click.echo(f"{label + ':':<{width + 1}} {lines[0]}")
        for more in lines[1:]:
            click.echo(" " * (width + 2) + more)
