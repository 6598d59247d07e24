"""Trello board exports (Board menu -> Print, export and share -> Export as JSON).

Lists become columns by name (`--map-status` maps a name this tool does not know; the
mapping is remembered for the board, by its id), labels naming a team give the card its
team, a label naming a priority in any language items.py knows ('Haute', '緊急') its
priority, members its assignee, due dates are kept. A card's source id is
`trello:<card id>`.

An archived card (or a card in an archived list) is read as archived: a re-import closes
the card an earlier import made of it, a first import skips it, and both are counted.
A value that cannot be read (a due date that is no date, a label or member id the board
does not define, a custom field value: trello_fields.py) is dropped with its reason and
the card imported without it; no card is skipped for one bad value.

Custom fields (points, priority, team, sprint) are read by trello_fields.py, comments and
checklists by trello_threads.py. Power-Ups that keep their data in `pluginData` are not
read (each has its own format), nor attachments, stickers, votes or the `start` date.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.items import (
    Dropped,
    Item,
    Parsed,
    expect,
    load_json_counted,
    normalise_name,
    parse_date,
    priority_for,
)
from sprintboard.io.trello_fields import BoardFields
from sprintboard.io.trello_threads import (
    card_checklist,
    checklists_by_card,
    comments_by_card,
    number,
    thread_notes,
)
from sprintboard.vocabulary import FIRST_DAY, LAST_DAY

# 'Priority: High', 'prio-low', 'High priority': a label that says it is a priority.
_PRIORITY_WORD = re.compile(r"^(?:priority|prio)\s+|\s+(?:priority|prio)$")


def parse_trello(path: Path) -> Parsed:
    board, replaced = load_json_counted(path)
    if not isinstance(board, dict) or "cards" not in board:
        raise UserError(f"{path}: $: expected a Trello board export (an object with 'cards')")
    name = board.get("name")
    parsed = Parsed(
        source="trello",
        prefix="trello:",
        described=f"Trello board {name!r} ({path.name})"
        if isinstance(name, str)
        else f"Trello board ({path.name})",
        origin=_origin(board),
    )
    parsed.repaired = replaced
    reader = _Reader(board, parsed)
    cards = expect(board["cards"], list, "$.cards", "a list of cards")
    found: list[tuple[tuple[float, float, int], Item]] = []
    for index, card in enumerate(cards):
        found.append(reader.card(card, index))
    # Board order: list by list, each list top to bottom, so positions follow Trello's.
    for _, item in sorted(found, key=lambda pair: pair[0]):
        parsed.items.append(item)
    thread_notes(board, parsed, reader.comments, reader.checklists, reader.bad_times)
    if reader.unnamed:
        parsed.notes.append(
            f"{len(reader.unnamed)} label(s) with no name (only a colour) were left out"
        )
    if reader.fields.points_from:
        parsed.notes.append(
            "story points from "
            + ", ".join(
                f"{source} ({n})" for source, n in sorted(reader.fields.points_from.items())
            )
        )
    return parsed


def _origin(board: dict[str, Any]) -> str:
    """What names the board across exports, for remembering mappings: its id, else its
    short address, its address or its name."""
    for key in ("id", "shortUrl", "url", "name"):
        value = board.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


_NO_LIST: dict[str, Any] = {
    "name": "(a list not in the export)",
    "closed": False,
    "pos": float("inf"),
}


class _Reader:
    """What the board defines (lists, members, labels, fields, comments, checklists), and
    each card read against it."""

    def __init__(self, board: dict[str, Any], parsed: Parsed) -> None:
        self.parsed = parsed
        self.lists = _lists(board)
        self.members = _members(board)
        self.checklists = checklists_by_card(board)
        self.comments, self.bad_times = comments_by_card(board, self.members)
        self.labels = _board_labels(board)
        self.fields = BoardFields(board)
        self.unnamed: set[str] = set()

    def card(self, card: Any, index: int) -> tuple[tuple[float, float, int], Item]:
        # The checks are written out (not via expect()) on this path: it runs per card.
        at = f"$.cards[{index}]"
        if not isinstance(card, dict):
            expect(card, dict, at, "a card object")
        card_id = card.get("id")
        if not isinstance(card_id, str):
            expect(card_id, str, f"{at}.id", "the card's id as text")
        title = card.get("name", "")
        if not isinstance(title, str):
            expect(title, str, f"{at}.name", "the card's name as text")
        list_id = card.get("idList")
        column = self.lists.get(list_id, _NO_LIST) if isinstance(list_id, str) else _NO_LIST
        pos = card.get("pos") or 0
        if type(pos) not in (int, float):
            pos = number(pos, f"{at}.pos")
        order = (float(column["pos"]), float(pos), index)
        archived = None
        if card.get("closed") is True:
            archived = "archived on Trello"
        elif column["closed"]:
            archived = f"in archived list {column['name']!r}"
        if archived is not None:
            # Read no further: the card is closed here or skipped, not updated; a card
            # closed here still takes its new comments and checklist items.
            item = Item(
                f"trello:{card_id}",
                at,
                title,
                refs=[card_id],
                archived=archived,
                comments=self.comments.get(card_id, []),
                checklist=card_checklist(card_id, self.checklists),
            )
            return order, item
        desc = card.get("desc") or ""
        if not isinstance(desc, str):
            expect(desc, str, f"{at}.desc", "text")
        dropped = self.parsed.dropped
        labels = self._labels(card, at, card_id, dropped)
        fields: dict[str, Any] = {
            "description": desc.strip("\n"),
            "labels": labels,
            "assignee": self._assignee(card, at, card_id, dropped),
        }
        due = _due(card, at, card_id, dropped)
        if due is not _DROPPED:  # a due date that was dropped leaves the card's alone
            fields["due"] = due
        title, values = self.fields.read(card, at, card_id, title, fields)
        dropped += values.dropped
        priority = values.priority or next((n for n in labels if _is_priority(n)), None)
        item = Item(
            external_id=f"trello:{card_id}",
            where=at,
            title=title,
            fields=fields,
            refs=[card_id],
            status_name=str(column["name"]),
            priority_name=priority,
            team_refs=[values.team] if values.team else [],
            sprint=values.sprint,
            comments=self.comments.get(card_id, []),
            checklist=card_checklist(card_id, self.checklists),
        )
        return order, item

    def _assignee(self, card: dict[str, Any], at: str, card_id: str, dropped: list[Dropped]) -> str:
        """The card's members by name; an id the board does not list is dropped."""
        people = card.get("idMembers")
        if not people:
            return ""
        names: list[str] = []
        for index, member in enumerate(expect(people, list, f"{at}.idMembers", "a list")):
            name = self.members.get(member) if isinstance(member, str) else None
            if name is None:
                shown = str(member)[:80]
                reason = f"member {shown!r} is not one of the board's members"
                dropped.append(
                    Dropped(f"{at}.idMembers[{index}]", card_id, "assignee", shown, reason)
                )
            else:
                names.append(name)
        return ", ".join(names)

    def _labels(
        self, card: dict[str, Any], at: str, card_id: str, dropped: list[Dropped]
    ) -> list[str]:
        """The card's label names; labels with no name (only a colour) are left out, an id
        the board does not define is dropped."""
        ids = expect(card.get("idLabels") or [], list, f"{at}.idLabels", "a list of label ids")
        if "labels" in card:
            entries = expect(card["labels"], list, f"{at}.labels", "a list of labels")
        else:
            entries = [self.labels[i] for i in ids if isinstance(i, str) and i in self.labels]
        carried = {e.get("id") for e in entries if isinstance(e, dict)}
        for index, label_id in enumerate(ids):
            if label_id not in self.labels and label_id not in carried:
                shown = str(label_id)[:80]
                reason = f"label {shown!r} is not one of the board's labels"
                dropped.append(Dropped(f"{at}.idLabels[{index}]", card_id, "labels", shown, reason))
        names: list[str] = []
        for index, label in enumerate(entries):
            name = label.get("name") if type(label) is dict else None
            if type(name) is not str:
                expect(label, dict, f"{at}.labels[{index}]", "a label object")
                name = name or ""
                expect(name, str, f"{at}.labels[{index}].name", "the label's name as text")
            if name.strip():
                names.append(name)
            else:
                self.unnamed.add(str(label.get("id") or label.get("color") or index))
        return names


def _is_priority(name: str) -> bool:
    """A label naming a priority: 'Haute', '緊急', 'Priority: High', 'high priority'."""
    if priority_for(name) is not None:
        return True
    return priority_for(_PRIORITY_WORD.sub("", normalise_name(name))) is not None


_DROPPED = object()


def _due(card: dict[str, Any], at: str, card_id: str, dropped: list[Dropped]) -> Any:
    """The card's due day (UTC), None, or _DROPPED for a value that is no day in range."""
    due = card.get("due")
    if due is None:
        return None
    where = f"{at}.due"
    if not isinstance(due, str):
        reason = f"not a date (got {_kind(due)})"
        dropped.append(Dropped(where, card_id, "due", str(due)[:80], reason))
        return _DROPPED
    try:
        day = parse_date(due)
    except ValueError as exc:
        dropped.append(Dropped(where, card_id, "due", due[:80], str(exc)))
        return _DROPPED
    if not FIRST_DAY <= day <= LAST_DAY:
        reason = f"{day.isoformat()} is out of range ({FIRST_DAY} to {LAST_DAY})"
        dropped.append(Dropped(where, card_id, "due", due[:80], reason))
        return _DROPPED
    return day


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return "a number" if isinstance(value, int | float) else "an object or a list"


def _lists(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(expect(board.get("lists", []), list, "$.lists", "a list")):
        at = f"$.lists[{index}]"
        expect(entry, dict, at, "a list object")
        list_id = expect(entry.get("id"), str, f"{at}.id", "the list's id as text")
        found[list_id] = {
            "name": expect(entry.get("name", ""), str, f"{at}.name", "the list's name as text"),
            "closed": entry.get("closed") is True,
            "pos": number(entry.get("pos", index), f"{at}.pos"),
        }
    return found


def _members(board: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for index, entry in enumerate(expect(board.get("members", []), list, "$.members", "a list")):
        expect(entry, dict, f"$.members[{index}]", "a member object")
        member_id = entry.get("id")
        name = entry.get("fullName") or entry.get("username")
        if isinstance(member_id, str) and isinstance(name, str):
            found[member_id] = name
    return found


def _board_labels(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(expect(board.get("labels", []), list, "$.labels", "a list")):
        expect(entry, dict, f"$.labels[{index}]", "a label object")
        if isinstance(entry.get("id"), str):
            found[entry["id"]] = entry
    return found
