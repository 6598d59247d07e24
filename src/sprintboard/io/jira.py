"""Jira CSV exports (Filters -> Export -> CSV, all fields or current fields).

Jira repeats a column once per value (Sprint, Labels, Component/s, issue links), so the
file is read with `csv.reader` and every repeated column is kept. A card's source id is
`jira:<issue key>`.

- Sprint: an issue carried over sits in several sprints; the last one named wins.
- Team / Components: a value naming a team gives the card its team (the first one owns
  it, the others contribute); values that name no team are kept as labels.
- Story points: the first filled one of the usual custom-field columns; fractions round up.
- `Outward issue link (Blocks)`: this issue blocks that one; `Inward issue link (Blocks)`:
  this issue is blocked by that one. Links name issues by key or by issue id.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.items import (
    Item,
    Parsed,
    Skip,
    csv_problem,
    parse_date,
    parse_points,
    read_text,
)

POINTS_COLUMNS = (
    "story points",
    "story point estimate",
    "custom field (story points)",
    "custom field (story point estimate)",
    "custom field (story point)",
    "story point",
    "points",
)
TEAM_COLUMNS = ("team", "custom field (team)", "component/s", "components", "component")
DUE_COLUMNS = ("due date", "due", "duedate")


def parse_jira(path: Path) -> Parsed:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise UserError(f"{path}: line 1: the file is empty (expected Jira's CSV header)")
        columns: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            columns.setdefault(" ".join(name.split()).casefold(), []).append(index)
        for needed in ("issue key", "summary"):
            if needed not in columns:
                raise UserError(
                    f"{path}: line 1: no {needed.title()!r} column; is this a Jira CSV export? "
                    "(expected Issue key, Summary, Status, ...)"
                )
        parsed = Parsed(source="jira", prefix="jira:", described=f"Jira CSV ({path.name})")
        several_sprints = 0
        line = reader.line_num + 1
        for row in reader:
            where = f"line {line}"
            line = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise UserError(
                    f"{path}: {where}: {len(row)} fields, but the header has {len(header)} "
                    "(a cut-off file, or a quote not closed?)"
                )
            item = _item(row, columns, where, parsed)
            if item is not None:
                parsed.items.append(item)
                several_sprints += len(set(_cells(row, columns, "sprint"))) > 1
    except csv.Error as exc:
        raise UserError(f"{path}: line {line}: {csv_problem(exc)}") from None
    if several_sprints:
        parsed.notes.append(
            f"{several_sprints} issue(s) were in more than one sprint; each goes to the last"
        )
    return parsed


def _cells(row: list[str], columns: dict[str, list[int]], *names: str) -> list[str]:
    """Every non-blank value of the named columns, repeated columns in file order."""
    return [row[i].strip() for n in names for i in columns.get(n, []) if row[i].strip()]


def _first(row: list[str], columns: dict[str, list[int]], name: str) -> str | None:
    """The column's value (blank -> ''), or None when the file has no such column."""
    found = columns.get(name)
    return None if not found else row[found[0]]


def _item(row: list[str], columns: dict[str, list[int]], where: str, parsed: Parsed) -> Item | None:
    key = (_first(row, columns, "issue key") or "").strip()
    if not key:
        parsed.skipped.append(Skip(where, "no Issue key"))
        return None
    fields: dict[str, Any] = {}
    description = _first(row, columns, "description")
    if description is not None:
        fields["description"] = description
    assignee = _first(row, columns, "assignee")
    if assignee is not None:
        fields["assignee"] = assignee
    try:
        if any(c in columns for c in POINTS_COLUMNS):
            values = _cells(row, columns, *POINTS_COLUMNS)
            fields["points"] = parse_points(values[0]) if values else None
        if any(c in columns for c in DUE_COLUMNS):
            values = _cells(row, columns, *DUE_COLUMNS)
            fields["due"] = parse_date(values[0]) if values else None
    except ValueError as exc:
        parsed.skipped.append(Skip(where, f"{key}: {exc}", key))
        return None
    if "labels" in columns:
        fields["labels"] = _cells(row, columns, "labels")
    sprints = _cells(row, columns, "sprint")
    issue_id = (_first(row, columns, "issue id") or "").strip()
    return Item(
        external_id=f"jira:{key}",
        where=where,
        title=_first(row, columns, "summary") or "",
        fields=fields,
        refs=[key, *([issue_id] if issue_id else [])],
        status_name=_first(row, columns, "status"),
        priority_name=_first(row, columns, "priority"),
        team_refs=_cells(row, columns, *TEAM_COLUMNS),
        sprint=sprints[-1] if sprints else None,
        blocks=_links(row, columns, "outward issue link (blocks)"),
        blocked_by=_links(row, columns, "inward issue link (blocks)"),
    )


def _links(row: list[str], columns: dict[str, list[int]], name: str) -> list[str]:
    refs: list[str] = []
    for cell in _cells(row, columns, name):
        refs += [ref.strip() for ref in cell.split(",") if ref.strip()]
    return refs
