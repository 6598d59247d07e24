"""KPI values from a Data export: a CSV file with a header row and the columns

    goal,date,value

`goal` is a goal's id (`3` or `G3`) or its KPI name (`conversion rate`, any case; it must
name one goal); `kpi` is accepted as that column's name and `day` as `date`. Dates are
YYYY-MM-DD, values numbers with a dot (`2.75`). Columns may be separated by commas,
semicolons or tabs; other columns are ignored. One bad row refuses the whole file, naming
its line; nothing is recorded then.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.numbers import decimal_number
from sprintboard.vocabulary import stored_day

if TYPE_CHECKING:
    from sprintboard.store import Store

MAX_ROWS = 100_000
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GOAL = ("goal", "kpi")
_DAY = ("date", "day")


def read_measures(store: Store, path: Path) -> list[tuple[int, str, float]]:
    """(goal id, day, value) per row; UserError naming the first bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"csv: cannot read {path} ({exc.__class__.__name__})") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    columns = {
        name: next((header.index(c) for c in choices if c in header), None)
        for name, choices in (("goal", _GOAL), ("day", _DAY), ("value", ("value",)))
    }
    missing = [n if n != "day" else "date" for n, i in columns.items() if i is None]
    if missing:
        raise UserError(
            f"csv: {path.name} has no {', '.join(missing)} column (header: goal,date,value)"
        )
    goals = store.goals.list()
    by_kpi: dict[str, list[int]] = {}
    for goal in goals:
        by_kpi.setdefault(str(goal["kpi"]).strip().lower(), []).append(int(goal["id"]))
    ids = {int(g["id"]) for g in goals}
    rows: list[tuple[int, str, float]] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise UserError(f"csv: {path.name} has more than {MAX_ROWS:,} rows")
        cells: dict[str, Any] = {
            n: (row[i].strip() if i is not None and i < len(row) else "")
            for n, i in columns.items()
        }
        where = f"csv: {path.name} line {line}"
        goal_id = _goal(cells["goal"], ids, by_kpi, where)
        if not _ISO_DAY.fullmatch(cells["day"]) or stored_day(cells["day"]) is None:
            raise UserError(f"{where}: date must be YYYY-MM-DD, 1900-2200 (got {cells['day']!r})")
        try:
            value = decimal_number(cells["value"])
        except ValueError:
            raise UserError(
                f"{where}: value must be a number with a dot (got {cells['value']!r})"
            ) from None
        rows.append((goal_id, cells["day"], value))
    if not rows:
        raise UserError(f"csv: {path.name} holds no values")
    return rows


def _goal(text: str, ids: set[int], by_kpi: dict[str, list[int]], where: str) -> int:
    bare = text.upper().removeprefix("G")
    if bare.isascii() and bare.isdigit():
        if int(bare) in ids:
            return int(bare)
        raise UserError(f"{where}: no goal with id {bare}")
    found = by_kpi.get(text.lower(), [])
    if len(found) == 1:
        return found[0]
    if found:
        raise UserError(f"{where}: KPI {text!r} names goals {found}; use the goal id")
    raise UserError(f"{where}: goal must be a goal id or a goal's KPI name (got {text!r})")
