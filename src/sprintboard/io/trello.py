"""Trello board exports (Board menu -> Print, export and share -> Export as JSON).

Lists become columns by name, labels naming a team give the card its team, due dates are
kept, and archived cards (or cards in archived lists) are skipped and counted. A card's
source id is `trello:<card id>`.

Comments (`commentCard` actions, `copyCommentCard` on a copied card) become the card's
comments, with their author (the member's full name, else the username) and time; an
export holds the board's latest 1,000 actions only, which the summary says when the file
is at that limit. Checklists become the card's checklist, item by item in Trello's order
(checklists by `pos`, then their items by `pos`), ticked where the item is `complete`. A
card with one checklist gets its items as they are; a card with several gets each item
prefixed with its checklist's name ('Launch: Copy written'), so items that read alike
stay apart. The description is kept as written. Comment and item ids are kept
(`trello:action:<id>`, `trello:checkitem:<id>`), so a re-import updates them; an item
without an id is known by its checklist and its text. An empty item is skipped.

Story points come from a Custom Fields field (`customFields` / `customFieldItems` in the
export) named `Story Points`, `Story Point Estimate`, `Story Point` or `Points`, any case,
of type number, text or dropdown; else from a Scrum for Trello title, `(3) Title [1]`:
the estimate in brackets in front, what was spent in square brackets behind, both taken
out of the title. A value that is no number of 0 or more is left out and named in a note.
Power-Ups that keep their data in `pluginData` are not read (each has its own format).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.items import (
    Item,
    Parsed,
    Skip,
    SourceCheckItem,
    SourceComment,
    expect,
    load_json_counted,
    normalise_name,
    parse_date,
    parse_moment,
    parse_points,
)

COMMENT_ACTIONS = ("commentCard", "copyCommentCard")
ACTIONS_LIMIT = 1000
"""The most actions Trello puts in a board export (the newest ones)."""

POINTS_FIELDS = ("story points", "story point estimate", "story point", "points")
"""Custom field names (normalised) that hold story points, the preferred one first."""

# Scrum for Trello: '(3) Title', '(0.5) Title [2]' (estimate in front, spent behind).
_SCRUM_TITLE = re.compile(r"^\((\d+(?:\.\d+)?)\)\s*(\S.*?)(?:\s*\[\d+(?:\.\d+)?\])?\s*$", re.S)


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
    )
    parsed.repaired = replaced
    lists = _lists(board)
    members = _members(board)
    checklists = _checklists(board)
    comments, bad_times = _comments(board, members)
    board_labels = _board_labels(board)
    points_fields = _points_fields(board)
    cards = expect(board["cards"], list, "$.cards", "a list of cards")
    unnamed: set[str] = set()
    points_from: Counter[str] = Counter()
    bad_points: list[str] = []
    found: list[tuple[tuple[float, float, int], Item | Skip]] = []
    no_list: dict[str, Any] = {
        "name": "(a list not in the export)",
        "closed": False,
        "pos": float("inf"),
    }
    for index, card in enumerate(cards):
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
        column = lists.get(list_id, no_list) if isinstance(list_id, str) else no_list
        pos = card.get("pos") or 0
        if type(pos) not in (int, float):
            pos = _number(pos, f"{at}.pos")
        order = (float(column["pos"]), float(pos), index)
        if card.get("closed") is True:
            found.append((order, Skip(at, "archived on Trello", card_id)))
            continue
        if column["closed"]:
            found.append((order, Skip(at, f"in archived list {column['name']!r}", card_id)))
            continue
        desc = card.get("desc") or ""
        if not isinstance(desc, str):
            expect(desc, str, f"{at}.desc", "text")
        fields: dict[str, Any] = {
            "description": desc.strip("\n"),
            "labels": _labels(card, at, board_labels, unnamed),
            "due": None,
        }
        due = card.get("due")
        if due is not None:
            try:
                fields["due"] = parse_date(expect(due, str, f"{at}.due", "a date as text"))
            except ValueError as exc:
                found.append((order, Skip(f"{at}.due", str(exc), card_id)))
                continue
        people = card.get("idMembers")
        fields["assignee"] = (
            ", ".join(members[m] for m in people if isinstance(m, str) and m in members)
            if people
            else ""
        )
        title = _points(card, at, title, points_fields, fields, points_from, bad_points)
        found.append(
            (
                order,
                Item(
                    external_id=f"trello:{card_id}",
                    where=at,
                    title=title,
                    fields=fields,
                    refs=[card_id],
                    status_name=str(column["name"]),
                    comments=comments.get(card_id, []),
                    checklist=_card_checklist(card_id, checklists),
                ),
            )
        )
    # Board order: list by list, each list top to bottom, so positions follow Trello's.
    for _, entry in sorted(found, key=lambda pair: pair[0]):
        if isinstance(entry, Item):
            parsed.items.append(entry)
        else:
            parsed.skipped.append(entry)
    _thread_notes(board, parsed, comments, checklists, bad_times)
    if unnamed:
        parsed.notes.append(f"{len(unnamed)} label(s) with no name (only a colour) were left out")
    if points_from:
        parsed.notes.append(
            "story points from "
            + ", ".join(f"{source} ({n})" for source, n in sorted(points_from.items()))
        )
    if bad_points:
        parsed.notes.append(
            f"{len(bad_points)} story point value(s) left out (first: {bad_points[0]})"
        )
    return parsed


def _points_fields(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The board's story point custom fields by id: name, rank in POINTS_FIELDS, and the
    text of each dropdown option by option id."""
    found: dict[str, dict[str, Any]] = {}
    raw = expect(board.get("customFields") or [], list, "$.customFields", "a list")
    for index, entry in enumerate(raw):
        at = f"$.customFields[{index}]"
        expect(entry, dict, at, "a custom field object")
        name = entry.get("name")
        field_id = entry.get("id")
        if not isinstance(name, str) or not isinstance(field_id, str):
            continue
        rank = _rank(name)
        if rank is None:
            continue
        options: dict[str, Any] = {}
        for option in entry.get("options") or []:
            if isinstance(option, dict) and isinstance(option.get("id"), str):
                value = option.get("value")
                options[option["id"]] = value.get("text") if isinstance(value, dict) else None
        found[field_id] = {"name": name, "rank": rank, "options": options}
    return found


def _rank(name: str) -> int | None:
    normalised = normalise_name(name)
    return POINTS_FIELDS.index(normalised) if normalised in POINTS_FIELDS else None


def _points(
    card: dict[str, Any],
    at: str,
    title: str,
    points_fields: dict[str, dict[str, Any]],
    fields: dict[str, Any],
    points_from: Counter[str],
    bad_points: list[str],
) -> str:
    """Put the card's story points in `fields` (when the board or the title has them) and
    return the title without a Scrum for Trello estimate. A bad value is noted and left
    out, so a card imported before keeps its points."""
    estimate = _SCRUM_TITLE.match(title)
    if estimate is not None:
        title = estimate.group(2)
    found = _points_item(card, at, points_fields)
    bad = False
    if found is not None:
        where, name, text = found
        try:
            if text is None:
                raise ValueError("points: not a number (a date, a checkbox or no option)")
            fields["points"] = parse_points(text)
        except ValueError as exc:
            bad_points.append(f"{where}: {exc}")
            bad = True
        else:
            points_from[f"custom field {name!r}"] += 1
            return title
    if estimate is not None:
        fields["points"] = parse_points(estimate.group(1))
        points_from["'(n)' in front of the title"] += 1
    elif points_fields and not bad:
        fields["points"] = None  # the board estimates its cards; this one has no estimate
    return title


def _points_item(
    card: dict[str, Any], at: str, points_fields: dict[str, dict[str, Any]]
) -> tuple[str, str, str | None] | None:
    """The card's filled story point field, the preferred one if several: where it is, the
    field's name and its value as text (None: a value that cannot be a number)."""
    items = card.get("customFieldItems") if points_fields else None
    if items is None:
        return None
    expect(items, list, f"{at}.customFieldItems", "a list")
    best: tuple[int, str, str, str | None] | None = None
    for index, entry in enumerate(items):
        where = f"{at}.customFieldItems[{index}]"
        expect(entry, dict, where, "a custom field value object")
        field = points_fields.get(str(entry.get("idCustomField")))
        if field is None or (best is not None and best[0] <= field["rank"]):
            continue
        text = _field_text(entry, field)
        if text is None or text.strip():
            best = (field["rank"], where, field["name"], text)
    return None if best is None else best[1:]


def _field_text(entry: dict[str, Any], field: dict[str, Any]) -> str | None:
    """A custom field value as text: a number, a text, a dropdown option's text; None for
    a value that cannot be a number (a date, a checkbox, an option not on the board)."""
    option = entry.get("idValue")
    if isinstance(option, str):
        text = field["options"].get(option)
        return text if isinstance(text, str) else None
    value = entry.get("value")
    if isinstance(value, dict):
        for kind in ("number", "text"):
            found = value.get(kind)
            if isinstance(found, str):
                return found
            if type(found) in (int, float):
                return str(found)
    return None


def _number(value: Any, path: str) -> float:
    if value is None:
        return 0.0
    return float(expect(value, (int, float), path, "a number"))


def _lists(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(expect(board.get("lists", []), list, "$.lists", "a list")):
        at = f"$.lists[{index}]"
        expect(entry, dict, at, "a list object")
        list_id = expect(entry.get("id"), str, f"{at}.id", "the list's id as text")
        found[list_id] = {
            "name": expect(entry.get("name", ""), str, f"{at}.name", "the list's name as text"),
            "closed": entry.get("closed") is True,
            "pos": _number(entry.get("pos", index), f"{at}.pos"),
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


def _labels(
    card: dict[str, Any], at: str, board_labels: dict[str, dict[str, Any]], unnamed: set[str]
) -> list[str]:
    """The card's label names; labels with no name (only a colour) are left out."""
    if "labels" in card:
        entries = expect(card["labels"], list, f"{at}.labels", "a list of labels")
    else:
        ids = expect(card.get("idLabels", []), list, f"{at}.idLabels", "a list of label ids")
        entries = [board_labels[i] for i in ids if isinstance(i, str) and i in board_labels]
    if not entries:
        return []
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
            unnamed.add(str(label.get("id") or label.get("color") or index))
    return names


Checklist = tuple[float, int, str, list[SourceCheckItem]]
"""A checklist: its pos, its index in the file, its name, its items in order."""


def _checklists(board: dict[str, Any]) -> dict[str, list[Checklist]]:
    """Per card id, its checklists with their items, each in Trello's order. A checklist
    without `idCard` belongs to the card that lists it in `idChecklists`."""
    raw = expect(board.get("checklists", []), list, "$.checklists", "a list")
    owners: dict[str, str] = {}
    for card in board.get("cards") or []:
        if isinstance(card, dict) and isinstance(card.get("id"), str):
            for checklist_id in card.get("idChecklists") or []:
                if isinstance(checklist_id, str):
                    owners.setdefault(checklist_id, card["id"])
    by_card: dict[str, list[Checklist]] = {}
    for index, checklist in enumerate(raw):
        at = f"$.checklists[{index}]"
        expect(checklist, dict, at, "a checklist object")
        card_id = checklist.get("idCard")
        if not isinstance(card_id, str):
            card_id = owners.get(str(checklist.get("id")))
        if not isinstance(card_id, str):
            continue
        name = expect(checklist.get("name") or "", str, f"{at}.name", "text")
        items = expect(checklist.get("checkItems") or [], list, f"{at}.checkItems", "a list")
        ordered = sorted(
            (
                (_number(item.get("pos"), f"{at}.checkItems[{i}].pos"), i, item)
                for i, item in enumerate(items)
                if isinstance(item, dict)
            ),
            key=lambda entry: (entry[0], entry[1]),
        )
        found: list[SourceCheckItem] = []
        same_text: dict[str, int] = {}
        for _, i, item in ordered:
            where = f"{at}.checkItems[{i}]"
            text = expect(item.get("name") or "", str, f"{where}.name", "text")
            item_id = item.get("id")
            former: str | None = None
            if isinstance(item_id, str) and item_id:
                ident = f"trello:checkitem:{item_id}"
            else:
                ident = _unnamed_item(card_id, checklist.get("id") or f"name:{name}", text)
                same_text[ident] = same_text.get(ident, 0) + 1
                if same_text[ident] > 1:
                    ident += f":{same_text[ident]}"
                # Earlier imports knew such an item by its place in the file.
                former = f"trello:checklist:{card_id}:{checklist.get('id') or index}:"
            done = item.get("state") == "complete"
            found.append(SourceCheckItem(ident, where, text, done, former))
        pos = _number(checklist.get("pos"), f"{at}.pos")
        by_card.setdefault(card_id, []).append((pos, index, name, found))
    return by_card


def _unnamed_item(card_id: str, checklist: object, text: str) -> str:
    """The source id of a check item the file gives no id: its card, its checklist and its
    text (not its place: an item added at the top must not move texts and ticks onto
    other items). Items with the same text count up (':2', ':3')."""
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8", "surrogatepass")).hexdigest()
    return f"trello:checkitem-text:{card_id}:{checklist}:{digest[:20]}"


def _card_checklist(card_id: str, checklists: dict[str, list[Checklist]]) -> list[SourceCheckItem]:
    """The card's checklist items in order; with several checklists, each item's text
    starts with its checklist's name."""
    lists = sorted(checklists.get(card_id, []), key=lambda c: (c[0], c[1]))
    if len(lists) == 1:
        return list(lists[0][3])
    items: list[SourceCheckItem] = []
    for _, _, name, found in lists:
        for item in found:
            # An empty item stays empty (and is skipped), not 'QA:'.
            text = (
                f"{name.strip()}: {item.text}" if name.strip() and item.text.strip() else item.text
            )
            items.append(
                SourceCheckItem(item.external_id, item.where, text, item.done, item.former_prefix)
            )
    return items


def _comments(
    board: dict[str, Any], members: dict[str, str]
) -> tuple[dict[str, list[SourceComment]], list[str]]:
    """Per card id, its comments (`commentCard` actions) oldest first, and where a time
    could not be read (those comments get the import's time)."""
    raw = expect(board.get("actions") or [], list, "$.actions", "a list of actions")
    by_card: dict[str, list[tuple[str, int, SourceComment]]] = {}
    bad_times: list[str] = []
    for index, action in enumerate(raw):
        # copyCommentCard: a comment brought along when its card was copied.
        if not isinstance(action, dict) or action.get("type") not in COMMENT_ACTIONS:
            continue
        at = f"$.actions[{index}]"
        data = expect(action.get("data") or {}, dict, f"{at}.data", "an object")
        card = data.get("card")
        card_id = card.get("id") if isinstance(card, dict) else None
        if not isinstance(card_id, str):
            continue
        text = expect(data.get("text") or "", str, f"{at}.data.text", "the comment as text")
        action_id = action.get("id")
        ident = f"trello:action:{action_id}" if isinstance(action_id, str) and action_id else ""
        created: str | None = None
        given = action.get("date")
        if isinstance(given, str):
            try:
                created = parse_moment(given)
            except ValueError:
                bad_times.append(f"{at}.date")
        elif given is not None:
            bad_times.append(f"{at}.date")
        comment = SourceComment(
            ident or f"trello:comment:{card_id}:{index}",
            at,
            text,
            author=_author(action, members),
            created_at=created,
        )
        by_card.setdefault(card_id, []).append((created or "", index, comment))
    # Trello lists actions newest first; a thread reads oldest first.
    return {
        card_id: [c for _, _, c in sorted(found, key=lambda e: (e[0], -e[1]))]
        for card_id, found in by_card.items()
    }, bad_times


def _author(action: dict[str, Any], members: dict[str, str]) -> str | None:
    creator = action.get("memberCreator")
    if isinstance(creator, dict):
        for name in (creator.get("fullName"), creator.get("username")):
            if isinstance(name, str) and name.strip():
                return name
    member_id = action.get("idMemberCreator")
    return members.get(member_id) if isinstance(member_id, str) else None


def _thread_notes(
    board: dict[str, Any],
    parsed: Parsed,
    comments: dict[str, list[SourceComment]],
    checklists: dict[str, list[Checklist]],
    bad_times: list[str],
) -> None:
    """Notes on comments and checklist items the import does not take."""
    kept = {item.refs[0] for item in parsed.items}
    lost_comments = sum(len(c) for card, c in comments.items() if card not in kept)
    lost_items = sum(
        len(found) for card, lists in checklists.items() if card not in kept for *_, found in lists
    )
    if lost_comments or lost_items:
        parsed.notes.append(
            f"{lost_comments} comment(s) and {lost_items} checklist item(s) belong to cards "
            "not imported (archived, skipped or not in the file): not imported"
        )
    if bad_times:
        parsed.notes.append(
            f"{len(bad_times)} comment time(s) unreadable, the import's time used instead "
            f"(first: {bad_times[0]})"
        )
    actions = board.get("actions")
    if isinstance(actions, list) and len(actions) >= ACTIONS_LIMIT:
        parsed.notes.append(
            f"the file holds {len(actions):,} actions, as many as a Trello export keeps: "
            "comments older than those are not in it"
        )
