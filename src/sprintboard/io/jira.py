"""Jira CSV exports (Filters -> Export -> CSV, all fields or current fields).

Jira repeats a column once per value (Sprint, Labels, Component/s, issue links), so the
file is read with `csv.reader` and every repeated column is kept. A card's source id is
`jira:<issue key>`.

- Sprint: an issue carried over sits in several sprints; the last one named wins.
- Team / Components: a value naming a team gives the card its team (the first one owns
  it, the others contribute); values that name no team are kept as labels.
- Columns are found by the names real exports give them, localised ones too, and by
  --map-column (jira_columns.py); epics, parents and sub-tasks: jira_hierarchy.py.
- Story points: the first filled one of the usual custom-field columns; fractions round up.
- A value that cannot be read (Story Points holding text, a date that is none, a priority
  with no meaning here) is dropped with a note naming the issue, column and value; the
  issue is imported without it, and a card imported before keeps its own.
- The file's origin (mappings are remembered by it) is its project key(s): the Project
  key column, else each issue key's part before the dash.
- `Outward issue link (Blocks)`: this issue blocks that one; `Inward issue link (Blocks)`:
  this issue is blocked by that one. Links name issues by key or by issue id.
- Comment (one column per comment): `time;author;text`, the author an account id (Cloud,
  shown as the person's name where the file's Assignee/Reporter/Creator Id columns pair
  that id with a name) or a user name (Server). Times read are `02/Dec/25 10:15 AM`,
  `02/Dec/25 10:15`, `2025-12-02 10:15` and month names in German, French, Dutch,
  Spanish, Italian and Portuguese (`02/déc./25 10:15`); they are taken as UTC (the file
  does not say its zone). A `;` in the text is kept. A comment whose time cannot be read
  is kept whole, by an unknown author, at the import's time: no comment is lost. A
  comment's source id is the issue key and a hash of its time and author (of its whole
  text when those cannot be read), so a re-import updates an edited text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.importing import source_priority
from sprintboard.io.items import (
    Dropped,
    Item,
    Parsed,
    Skip,
    SourceComment,
    csv_delimiter,
    csv_problem,
    in_range,
    parse_date,
    parse_points,
    read_text,
)
from sprintboard.io.jira_columns import Columns, builtin_field, read_header
from sprintboard.io.jira_hierarchy import EPIC, Issue, arrange, issue_kind


def parse_jira(path: Path, mapped: Mapping[str, str] | None = None) -> Parsed:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=csv_delimiter(text))
    parsed = Parsed(source="jira", prefix="jira:", described=f"Jira CSV ({path.name})")
    line = 1
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise UserError(f"{path}: line 1: the file is empty (expected Jira's CSV header)")
        columns = read_header(header, mapped or {}, parsed.notes)
        for needed, shown in (("key", "Issue key"), ("title", "Summary")):
            if not columns.has(needed):
                away = [h for h, f in (mapped or {}).items() if builtin_field(h) == needed]
                if away:
                    raise UserError(
                        f"{path}: line 1: no {needed} column: --map-column "
                        f"{away[0]!r}={(mapped or {})[away[0]]} reads the {shown} column as "
                        f"another field; map a column to {needed} too"
                    )
                raise UserError(
                    f"{path}: line 1: no {shown!r} column; is this a Jira CSV export? "
                    f"(expected Issue key, Summary, Status, ...; --map-column HEADER={needed} "
                    "reads another column as it)"
                )
        several_sprints = 0
        people: dict[str, str] = {}
        issues: list[Issue] = []
        projects: set[str] = set()
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
            issue = _issue(row, columns, where, parsed)
            _people(row, columns, people)
            if issue is not None:
                issues.append(issue)
                projects.add(_project(row, columns, issue.key))
                several_sprints += len(set(columns.values(row, "sprint"))) > 1
    except csv.Error as exc:
        raise UserError(f"{path}: line {line}: {csv_problem(exc)}") from None
    arrange(issues, parsed)
    parsed.origin = ",".join(sorted(p for p in projects if p))
    _name_authors(parsed, people)
    unread = sum(1 for item in parsed.items for c in item.comments if c.created_at is None)
    if unread:
        parsed.notes.append(
            f"{unread} comment(s) without a readable time and author: kept whole, by an "
            "unknown author, at the import's time"
        )
    if several_sprints:
        parsed.notes.append(
            f"{several_sprints} issue(s) were in more than one sprint; each goes to the last"
        )
    return parsed


def _project(row: list[str], columns: Columns, key: str) -> str:
    """The issue's project key: its Project key cell, else its key's part before '-'."""
    given = (columns.first(row, "project") or "").strip()
    if given:
        return given.upper()
    head, dash, _ = key.rpartition("-")
    return head.upper() if dash else ""


def _issue(row: list[str], columns: Columns, where: str, parsed: Parsed) -> Issue | None:
    key = (columns.first(row, "key") or "").strip()
    if not key:
        parsed.skipped.append(Skip(where, "no Issue key"))
        return None
    fields: dict[str, Any] = {}
    own: list[str] = []
    description = columns.first(row, "description")
    if description is not None:
        fields["description"] = description
        if description.strip():
            own.append("description")
    assignee = columns.first(row, "assignee")
    if assignee is not None:
        fields["assignee"] = assignee
        if assignee.strip():
            own.append("assignee")

    def drop(column: str, value: str, reason: str) -> None:
        parsed.dropped.append(Dropped(where, key, column, value, reason))

    if columns.has("points"):
        fields["points"] = None
        for column, value in columns.cells(row, "points")[:1]:
            try:
                fields["points"] = parse_points(value)
            except ValueError as exc:
                del fields["points"]  # the card keeps the points it has
                drop(column, value, _GOT.sub("", str(exc)).removeprefix("points: "))
        if fields.get("points") is not None:
            own.append("points")
    if columns.has("due"):
        fields["due"] = None
        for column, value in columns.cells(row, "due")[:1]:
            try:
                fields["due"] = jira_day(value)
            except ValueError:
                del fields["due"]
                drop(column, value, "not a date")
        if fields.get("due") is not None:
            own.append("due date")
    priority = columns.first(row, "priority")
    if priority is not None and priority.strip() and source_priority(priority) is None:
        drop(columns.named("priority"), priority.strip(), "not a priority here")
        priority = None
    issue_type = (columns.first(row, "type") or "").strip()
    kind = issue_kind(issue_type) if issue_type else ""
    labels = columns.values(row, "labels")
    if labels:
        own.append("labels")
    if columns.has("labels") or kind:
        if kind and kind != EPIC and all(label.casefold() != kind for label in labels):
            labels.append(kind)
        fields["labels"] = labels
    comments = _comments(row, columns, key, where)
    if comments:
        own.append("comments")
    sprints = columns.values(row, "sprint")
    issue_id = (columns.first(row, "id") or "").strip()
    item = Item(
        external_id=f"jira:{key}",
        where=where,
        title=columns.first(row, "title") or "",
        fields=fields,
        refs=[key, *([issue_id] if issue_id else [])],
        status_name=columns.first(row, "status"),
        priority_name=priority,
        team_refs=columns.values(row, "team"),
        sprint=sprints[-1] if sprints else None,
        blocks=_links(row, columns, "blocks"),
        blocked_by=_links(row, columns, "blocked by"),
        comments=comments,
    )
    return Issue(
        item,
        key,
        kind,
        parents=columns.cells(row, "parent", "epic link"),
        epic_name=(columns.first(row, "epic name") or "").strip(),
        parent_summary=(columns.first(row, "parent summary") or "").strip(),
        own=own,
    )


def _links(row: list[str], columns: Columns, name: str) -> list[str]:
    refs: list[str] = []
    for cell in columns.values(row, name):
        refs += [ref.strip() for ref in cell.split(",") if ref.strip()]
    return refs


# -- comments ---------------------------------------------------------------------------

_MONTH_NAMES = {
    1: "jan january janv janvier januar januari enero ene gennaio gen janeiro",
    2: "feb february fév févr février februar februari febrero febbraio fev fevereiro",
    3: "mar march mär märz mars maart mrt marzo março",
    4: "apr april avr avril abril aprile abr",
    5: "may mai mei mayo maggio mag maio",
    6: "jun june juin juni junio giugno giu junho",
    7: "jul july juil juillet juli julio luglio lug julho",
    8: "aug august août augustus agosto ago",
    9: "sep sept september septembre septiembre settembre set setembro",
    10: "oct october okt oktober octobre octubre ottobre ott out outubro",
    11: "nov november novembre noviembre novembro",
    12: "dec december déc décembre dez dezember diciembre dic dicembre dezembro",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
"""Month names (and Jira's short forms) in the languages Jira exports, casefolded."""

# Day, month name, year, time: 02/Dec/25 10:15 AM, 2/déc./2025 22:15, 02/Dez/25 10:15.
_DAY_MONTH_YEAR = re.compile(
    r"^(\d{1,2})/([^\W\d_]+)\.?/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\s*([AaPp])\.?\s*[Mm]\.?)?)?$"
)
_NUMERIC_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
)
_GOT = re.compile(r" \(got .*?\)")
"""The value in a message: the dropped value's own column shows it."""
_NUMERIC_DAYS = ("%d.%m.%Y", "%d.%m.%y")


def jira_day(text: str) -> date:
    """A due date as Jira exports it: ISO, `12/Feb/26`, `12/févr./26 10:15 AM`,
    `12.02.26` (a time is ignored); raises ValueError otherwise."""
    try:
        return parse_date(text)
    except ValueError:
        pass
    given = " ".join(text.split())
    moment = comment_time(given)
    if moment is not None:
        return date.fromisoformat(moment[:10])
    for fmt in _NUMERIC_DAYS:
        try:
            return datetime.strptime(given, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def comment_time(text: str) -> str | None:
    """A Jira comment's time as the store keeps times (UTC assumed), or None."""
    given = " ".join(text.split())
    found = _DAY_MONTH_YEAR.match(given)
    try:
        if found is not None:
            day, month_name, year, hour, minute, second, half = found.groups()
            month = MONTHS.get(month_name.casefold())
            if month is None:
                return None
            hours = int(hour or 0)
            if half is not None:
                if not 1 <= hours <= 12:
                    return None
                hours = hours % 12 + (12 if half in "Pp" else 0)
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            moment = datetime(full_year, month, int(day), hours, int(minute or 0), int(second or 0))
            return in_range(moment, text)
        for fmt in _NUMERIC_FORMATS:
            try:
                return in_range(datetime.strptime(given, fmt), text)
            except ValueError:
                continue
    except ValueError:
        return None
    return None


def _comments(row: list[str], columns: Columns, key: str, where: str) -> list[SourceComment]:
    """The issue's comments, in column order; each kept, read or whole."""
    found: list[SourceComment] = []
    seen: dict[str, int] = {}
    for number, index in enumerate(columns.by_field.get("comment", []), start=1):
        cell = row[index]
        if not cell.strip():
            continue
        parts = cell.split(";", 2)
        moment = comment_time(parts[0]) if len(parts) == 3 else None
        if moment is not None:  # an empty author: by an unknown author, at its time
            author: str | None = parts[1].strip() or None
            body = parts[2]
            identity = f"{moment};{parts[1].strip()}"
        else:
            author, moment, body, identity = None, None, cell, cell
        digest = hashlib.sha1(identity.encode("utf-8", "replace")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
        found.append(
            SourceComment(
                f"jira:{key}:comment:{digest}{suffix}",
                f"{where}, comment {number}",
                body,
                author=author,
                created_at=moment,
            )
        )
    return found


_PEOPLE_COLUMNS = (
    ("assignee", "assignee id"),
    ("reporter", "reporter id"),
    ("creator", "creator id"),
)


def _people(row: list[str], columns: Columns, people: dict[str, str]) -> None:
    """Account ids the row pairs with a person's name (Jira Cloud: 'Assignee Id')."""
    for name_column, id_column in _PEOPLE_COLUMNS:
        name, account = columns.first(row, name_column), columns.first(row, id_column)
        if name and account and name.strip() and account.strip():
            people.setdefault(account.strip(), name.strip())


def _name_authors(parsed: Parsed, people: dict[str, str]) -> None:
    """Comment authors given as account ids, named where the file names them."""
    if not people:
        return
    for item in parsed.items:
        for comment in item.comments:
            if comment.author is not None and comment.author in people:
                comment.author = people[comment.author]
