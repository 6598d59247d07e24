"""Trello custom fields (`customFields` on the board, `customFieldItems` on each card).

A field's name says what it holds, in any case and in the languages items.py knows:
story points (`Story Points`, `Points`, `ストーリーポイント`, …), the priority (`Priority`,
`Priorité`, `優先度`, …), the team (`Team`, `Équipe`, `チーム`, …) or the sprint (`Sprint`,
`スプリント`, …). A dropdown (`list`) field whose options are all priority names
(`Haute`, `Moyenne`, `Basse`) gives the priority too, whatever it is called. Number, text
and dropdown fields are read; a checkbox or a date in such a field, an option the board
does not define, or points that are no number of 0 or more are dropped (`Dropped`, with the
field's name and the value), and the card is imported without that value. Other fields
are not imported.

Story points come from the field, else from a Scrum for Trello title, `(3) Title [1]`: the
estimate in brackets in front, what was spent in square brackets behind, both taken out of
the title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sprintboard.io.items import (
    Dropped,
    expect,
    normalise_name,
    parse_points,
    priority_for,
)
from sprintboard.vocabulary import MAX_POINTS

POINTS_FIELDS = (
    "story points",
    "story point estimate",
    "story point",
    "points",
    "storypoints",
    "points d effort",
    "story punkte",
    "puntos de historia",
    "pontos de história",
    "punti storia",
    "ストーリーポイント",
    "ポイント",
    "故事点",
    "故事點",
)
"""Custom field names (normalised) that hold story points, the preferred one first."""

PRIORITY_FIELDS = (
    "priority",
    "prio",
    "priorité",
    "priorität",
    "prioridad",
    "prioridade",
    "priorità",
    "prioriteit",
    "優先度",
    "優先順位",
    "优先级",
    "優先級",
)
TEAM_FIELDS = (
    "team",
    "équipe",
    "equipe",
    "equipo",
    "squadra",
    "チーム",
    "担当チーム",
    "团队",
    "團隊",
)
SPRINT_FIELDS = ("sprint", "itération", "iteration", "iteración", "スプリント", "冲刺")

ROLES = {
    "points": POINTS_FIELDS,
    "priority": PRIORITY_FIELDS,
    "team": TEAM_FIELDS,
    "sprint": SPRINT_FIELDS,
}
_WHAT = {
    "points": "a number of story points",
    "priority": "a priority",
    "team": "a team",
    "sprint": "a sprint",
}

# Scrum for Trello: '(3) Title', '(0.5) Title [2]' (estimate in front, spent behind).
_SCRUM_TITLE = re.compile(r"^\((\d+(?:\.\d+)?)\)\s*(\S.*?)(?:\s*\[\d+(?:\.\d+)?\])?\s*$", re.S)


@dataclass
class BoardField:
    """One custom field the board defines and the import reads."""

    name: str
    kind: str
    """Trello's type: 'number', 'text', 'list', 'checkbox' or 'date'."""
    role: str
    rank: int
    """Its place among the fields of the same role: a lower one is preferred."""
    options: dict[str, str | None]
    """A dropdown's options: option id -> its text."""


@dataclass
class CardValues:
    """What a card's custom fields say, beyond its points."""

    priority: str | None = None
    team: str | None = None
    sprint: str | None = None
    dropped: list[Dropped] = field(default_factory=list)


def _role(name: str) -> tuple[str, int] | None:
    normalised = normalise_name(name)
    for role, names in ROLES.items():
        for rank, known in enumerate(names):
            if normalise_name(known) == normalised:
                return role, rank
    return None


class BoardFields:
    """The board's custom fields the import reads, and what it found in them."""

    def __init__(self, board: dict[str, Any]) -> None:
        self.fields: dict[str, BoardField] = {}
        self.points_from: Counter[str] = Counter()
        raw = expect(board.get("customFields") or [], list, "$.customFields", "a list")
        for index, entry in enumerate(raw):
            expect(entry, dict, f"$.customFields[{index}]", "a custom field object")
            name, field_id = entry.get("name"), entry.get("id")
            if not isinstance(name, str) or not isinstance(field_id, str):
                continue
            options: dict[str, str | None] = {}
            for option in entry.get("options") or []:
                if isinstance(option, dict) and isinstance(option.get("id"), str):
                    value = option.get("value")
                    text = value.get("text") if isinstance(value, dict) else None
                    options[option["id"]] = text if isinstance(text, str) else None
            kind = entry.get("type") if isinstance(entry.get("type"), str) else ""
            found = _role(name)
            if found is None and kind == "list" and _all_priorities(options):
                found = ("priority", len(PRIORITY_FIELDS))  # after the fields named so
            if found is not None:
                self.fields[field_id] = BoardField(name, str(kind), *found, options)
        self.estimates = any(f.role == "points" for f in self.fields.values())
        """The board has a story point field: a card without a value has no estimate."""

    def read(
        self, card: dict[str, Any], at: str, card_id: str, title: str, fields: dict[str, Any]
    ) -> tuple[str, CardValues]:
        """Put the card's story points in `fields` (when the board or the title has them);
        return the title without a Scrum for Trello estimate, and the card's other values.
        A bad value is dropped, so a card imported before keeps what it had."""
        values = CardValues()
        chosen = self._chosen(card, at, card_id, values.dropped)
        estimate = _SCRUM_TITLE.match(title)
        if estimate is not None:
            title = estimate.group(2)
        bad = False
        points = chosen.get("points")
        if points is not None and points[2] is None:
            bad = True  # dropped already, with its reason
        elif points is not None:
            where, board_field, text = points
            try:
                fields["points"] = _points(str(text))
            except ValueError as exc:
                reason = _in_field(board_field, str(exc))
                values.dropped.append(Dropped(where, card_id, "points", str(text), reason))
                bad = True
            else:
                self.points_from[f"custom field {board_field.name!r}"] += 1
                estimate = None  # the field wins over the title
        if estimate is not None:
            try:
                fields["points"] = _points(estimate.group(1))
            except ValueError as exc:
                given = estimate.group(1)
                reason = f"the estimate in the title: {exc}"
                values.dropped.append(Dropped(f"{at}.name", card_id, "points", given, reason))
            else:
                self.points_from["'(n)' in front of the title"] += 1
        elif self.estimates and not bad and "points" not in fields:
            fields["points"] = None  # the board estimates its cards; this one has no estimate
        for role in ("priority", "team", "sprint"):
            found = chosen.get(role)
            if found is not None and found[2] is not None:
                setattr(values, role, found[2].strip())
        return title, values

    def _chosen(
        self, card: dict[str, Any], at: str, card_id: str, dropped: list[Dropped]
    ) -> dict[str, tuple[str, BoardField, str | None]]:
        """Per role, the card's preferred filled field: where it is, the field and its value
        as text (None: a value that was dropped)."""
        items = card.get("customFieldItems") if self.fields else None
        if items is None:
            return {}
        expect(items, list, f"{at}.customFieldItems", "a list")
        best: dict[str, tuple[int, str, BoardField, str | None, Dropped | None]] = {}
        for index, entry in enumerate(items):
            where = f"{at}.customFieldItems[{index}]"
            expect(entry, dict, where, "a custom field value object")
            board_field = self.fields.get(str(entry.get("idCustomField")))
            if board_field is None:
                continue
            known = best.get(board_field.role)
            if known is not None and known[0] <= board_field.rank:
                continue
            text, problem = _text(entry, board_field)
            if text is not None and not text.strip():
                continue  # an empty value: not filled in
            drop = (
                None
                if problem is None
                else Dropped(where, card_id, board_field.role, problem[0], problem[1])
            )
            best[board_field.role] = (board_field.rank, where, board_field, text, drop)
        chosen: dict[str, tuple[str, BoardField, str | None]] = {}
        for role, (_, where, board_field, text, drop) in best.items():
            if drop is not None:
                dropped.append(drop)
            chosen[role] = (where, board_field, text)
        return chosen


def _all_priorities(options: dict[str, str | None]) -> bool:
    texts = [t for t in options.values() if t and t.strip()]
    return bool(texts) and all(priority_for(t) is not None for t in texts)


def _in_field(board_field: BoardField, problem: str) -> str:
    return f"custom field {board_field.name!r}: {problem.removeprefix('points: ')}"


def _points(text: str) -> int | None:
    points = parse_points(text)
    if points is not None and points > MAX_POINTS:
        raise ValueError(f"more than {MAX_POINTS} (got {text.strip()!r})")
    return points


def _text(
    entry: dict[str, Any], board_field: BoardField
) -> tuple[str | None, tuple[str, str] | None]:
    """A custom field value as text, or (None, (the value, why it is dropped))."""
    what = _WHAT[board_field.role]
    option = entry.get("idValue")
    if option is not None:
        text = board_field.options.get(option) if isinstance(option, str) else None
        if text is None:
            shown = str(option)[:80]
            return None, (
                shown,
                _in_field(board_field, f"option {shown!r} is not one of the field's options"),
            )
        return text, None
    value = entry.get("value")
    if isinstance(value, dict):
        for kind in ("number", "text"):
            found = value.get(kind)
            if isinstance(found, str):
                return found, None
            if type(found) in (int, float):
                return str(found), None
        for kind, shown in (("checked", "a checkbox"), ("date", "a date")):
            if kind in value:
                given = str(value[kind])[:80]
                return None, (given, _in_field(board_field, f"holds {shown}, not {what}"))
    given = str(value)[:80]
    return None, (given, _in_field(board_field, f"no value that can be read as {what}"))
