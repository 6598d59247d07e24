"""Cards as CSV: the spreadsheet export, and the generic import that reads it back.

One row per card under a header row. Files are UTF-8 and the export writes a BOM so
spreadsheet programs detect it. Export then import gives back every character:

- Lists (teams, labels, SKUs, dependencies) are joined with `;`; a `;` inside an item is
  written `\\;` and a backslash `\\\\`. The import splits on the other `;` and reads
  `\\;` and `\\\\` back (any other backslash is itself), dropping blank items.
- A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a
  formula in a spreadsheet, so the export puts a `'` in front of it; so it does for a cell
  starting with `'`. The import removes one leading `'` exactly when one of those
  characters (or another `'`) follows it, so it removes only what the export added.

Import columns (names are case-insensitive, only `title` is required): id, key, title,
description, team, teams, status, sprint, points, priority, assignee, due, labels, skus,
blockers (cards this one waits on), blocks, uuid, external_id. A row with a `uuid` naming
a card of this database updates that card (the export writes each card's UUID, so a file
exported from a database and imported back changes the same cards); else a card's source
id is its `external_id` cell, else `csv:<id>`, else `csv:<key>`, else `csv:<title>`, and
a new card keeps the row's UUID. Blockers and blocks name ids or keys of the same file
(the rows' own cards, whichever they matched), or keys of cards already in the database.

A file with other headers is read with `--map-column HEADER=FIELD` (`mapped`): column
HEADER (compared as headers are: case and spacing ignored) is read as FIELD, one of the
import columns. A mapping beats the built-in names: with `Onderwerp=title`, a `Name` or
`Title` column of the same file is not read as the title (the summary says so). A mapped
HEADER the file lacks is a note, not an error: mappings are remembered per source and
may come from another file.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.items import (
    Dropped,
    Item,
    Parsed,
    Skip,
    csv_delimiter,
    csv_problem,
    parse_date,
    parse_points,
    read_text,
)
from sprintboard.vocabulary import strip_control

EXPORT_COLUMNS = (
    "key",
    "title",
    "team",
    "teams",
    "status",
    "sprint",
    "points",
    "priority",
    "assignee",
    "due",
    "labels",
    "skus",
    "blockers",
    "blocks",
    "cross_team",
    "goal",
    "description",
    "created_at",
    "updated_at",
    "done_at",
    "uuid",
    "external_id",
    "comment_count",
    "checklist_done",
    "checklist_total",
)
"""The export's columns; the last three count each card's comments and checklist items
(numbers, for a spreadsheet; the import reads neither back, and says so)."""
IMPORT_COLUMNS = (
    "id",
    "key",
    "title",
    "description",
    "team",
    "teams",
    "status",
    "sprint",
    "points",
    "priority",
    "assignee",
    "due",
    "labels",
    "skus",
    "blockers",
    "blocks",
    "uuid",
    "external_id",
)
_ALIASES = {"blocked_by": "blockers", "waits_on": "blockers", "summary": "title", "name": "title"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"
LIST_SEPARATOR = ";"
_ESCAPE = "\\"


def protect(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (a cell that
    starts with the guard itself gets one more, so `unprotect` can tell them apart)."""
    return _GUARD + value if value.startswith((*_FORMULA_START, _GUARD)) else value


def unprotect(value: str) -> str:
    """The cell as it was before `protect`: one guard off, only where protect put one."""
    guarded = value.startswith(_GUARD) and value[1:].startswith((*_FORMULA_START, _GUARD))
    return value[1:] if guarded else value


def _joined(values: list[Any]) -> str:
    return LIST_SEPARATOR.join(
        str(v).replace(_ESCAPE, _ESCAPE * 2).replace(LIST_SEPARATOR, _ESCAPE + LIST_SEPARATOR)
        for v in values
    )


def _split(value: str) -> list[str]:
    """Items of a `;`-separated list; `\\;` is a `;` in an item, `\\\\` a backslash."""
    items: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == _ESCAPE:
            following = next(chars, "")
            if following in (LIST_SEPARATOR, _ESCAPE):
                current.append(following)
            else:
                current.append(char + following)
        elif char == LIST_SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


# -- export ---------------------------------------------------------------------------------


def cards_csv(cards: list[dict[str, Any]]) -> str:
    """Cards (as `store.cards.query()` returns them) as CSV text, without a BOM."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for card in cards:
        row: list[Any] = []
        for column in EXPORT_COLUMNS:
            value = card[column]
            if isinstance(value, list):
                value = _joined(value)
            elif isinstance(value, bool):
                value = "yes" if value else ""
            elif value is None:
                value = ""
            row.append(protect(value) if isinstance(value, str) else value)
        writer.writerow(row)
    return out.getvalue()


# -- import ---------------------------------------------------------------------------------


def parse_cards_csv(path: Path, mapped: Mapping[str, str] | None = None) -> Parsed:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=csv_delimiter(text))
    parsed = Parsed(source="csv", prefix="csv:", described=f"CSV ({path.name})")
    line = 1
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise UserError(f"{path}: line 1: the file is empty (expected a header row)")
        mapping = _mapping(mapped or {})
        headers = [_header(raw) for raw in header]
        targets: dict[str, str] = {}  # field -> the header mapped onto it, as the file has it
        for raw, name in zip(header, headers, strict=True):
            if name in mapping:
                field, _ = mapping[name]
                if field in targets and _header(targets[field]) == name:
                    raise UserError(f"{path}: line 1: column {raw.strip()!r} appears twice")
                if field in targets:
                    raise UserError(
                        f"{path}: line 1: --map-column reads both {targets[field]!r} and "
                        f"{raw.strip()!r} as {field}; map one of them"
                    )
                targets[field] = raw.strip()
        for name, (field, given) in mapping.items():
            if name not in headers:
                parsed.notes.append(f"--map-column {given}={field}: the file has no {given!r}")
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for index, (raw, name) in enumerate(zip(header, headers, strict=True)):
            if name in mapping:
                name = mapping[name][0]
            else:
                name = _ALIASES.get(name, name)
                if name in targets:  # the mapping beats the file's own column
                    parsed.notes.append(
                        f"column {raw.strip()!r} not imported: --map-column reads "
                        f"{targets[name]!r} as {name}"
                    )
                    continue
            if name in columns:
                raise UserError(f"{path}: line 1: column {raw.strip()!r} appears twice")
            if name in IMPORT_COLUMNS:
                columns[name] = index
            elif raw.strip():
                ignored.append(raw.strip())
        if "title" not in columns:
            raise UserError(
                f"{path}: line 1: no 'title' column (columns: {', '.join(IMPORT_COLUMNS)}; "
                "--map-column HEADER=title reads another column as the title)"
            )
        if ignored:
            parsed.notes.append(f"columns not imported: {', '.join(ignored)}")
        line = reader.line_num + 1
        for row in reader:
            where = f"line {line}"
            line = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise UserError(
                    f"{path}: {where}: {len(row)} fields, but the header has {len(header)}"
                )
            cells = {name: unprotect(row[i]) if i < len(row) else "" for name, i in columns.items()}
            item = _item(cells, where, parsed)
            if item is not None:
                parsed.items.append(item)
    except csv.Error as exc:
        raise UserError(f"{path}: line {line}: {csv_problem(exc)}") from None
    return parsed


def _header(name: str) -> str:
    """A header as the import compares them: case and spacing ignored ('External  ID' is
    'external_id')."""
    return "_".join(name.strip().casefold().split())


def _mapping(mapped: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """--map-column pairs, each header (as compared) -> (the field, the pair as given); a
    field that is no import column is one line naming them, as is a field two headers
    claim."""
    found: dict[str, tuple[str, str]] = {}
    for given, target in mapped.items():
        name = _header(target)
        if name not in IMPORT_COLUMNS:
            raise UserError(
                f"--map-column {given}={target}: {target!r:.40} is not a column of the "
                f"import (one of: {', '.join(IMPORT_COLUMNS)})"
            )
        found[_header(given)] = (name, given)
    return found


def _due(text: str) -> date | None:
    return parse_date(text) if text.strip() else None


def _item(cells: dict[str, str], where: str, parsed: Parsed) -> Item | None:
    ident = cells.get("id", "").strip() or cells.get("key", "").strip() or cells["title"].strip()
    if not ident:
        parsed.skipped.append(Skip(where, "no title"))
        return None
    card_uuid: str | None = None
    if cells.get("uuid", "").strip():
        try:
            card_uuid = str(uuid.UUID(cells["uuid"].strip()))
        except ValueError:
            why = f"uuid: not a UUID (got {cells['uuid'].strip()!r}); leave it empty for a new card"
            parsed.skipped.append(Skip(where, why, ident))
            return None
    stored = strip_control(cells.get("external_id", ""), one_line=True).strip()
    fields: dict[str, Any] = {}
    for name in ("description", "assignee"):
        if name in cells:
            fields[name] = cells[name]
    for name in ("labels", "skus"):
        if name in cells:
            fields[name] = _split(cells[name])
    # A value that cannot be read is left out with a note; the card still comes in (and
    # one imported before keeps what it had).
    for name, read in (("points", parse_points), ("due", _due)):
        if name not in cells:
            continue
        try:
            fields[name] = read(cells[name])
        except ValueError as exc:
            parsed.dropped.append(Dropped(where, ident, name, cells[name][:80], str(exc)))
    team_refs = [cells["team"].strip()] if cells.get("team", "").strip() else []
    team_refs += _split(cells.get("teams", ""))
    return Item(
        external_id=stored or f"csv:{ident}",
        where=where,
        title=cells["title"],
        fields=fields,
        refs=[r for r in (cells.get("id", "").strip(), cells.get("key", "").strip()) if r],
        status_name=cells["status"] if cells.get("status", "").strip() else None,
        priority_name=cells.get("priority"),
        team_refs=team_refs,
        sprint=cells.get("sprint") or None,
        blocks=_split(cells.get("blocks", "")),
        blocked_by=_split(cells.get("blockers", "")),
        uuid=card_uuid,
        own_ref=ident,
    )
