"""Trello comments and checklists: `commentCard` actions (and `copyCommentCard`, a comment
brought along when its card was copied) with their author and time, oldest first; each
card's checklists in Trello's order, item by item, ticked where the item is `complete`.

A card with several checklists gets each item prefixed with its checklist's name
('Launch: Copy written'). Comment and item ids are kept (`trello:action:<id>`,
`trello:checkitem:<id>`), so a re-import updates them; an item without an id is known by
its card, its checklist and its text.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sprintboard.io.items import (
    Parsed,
    SourceCheckItem,
    SourceComment,
    expect,
    parse_moment,
)

COMMENT_ACTIONS = ("commentCard", "copyCommentCard")
ACTIONS_LIMIT = 1000
"""The most actions Trello puts in a board export (the newest ones)."""


def number(value: Any, path: str) -> float:
    """A position or other number of the export; missing is 0."""
    if value is None:
        return 0.0
    return float(expect(value, (int, float), path, "a number"))


Checklist = tuple[float, int, str, list[SourceCheckItem]]
"""A checklist: its pos, its index in the file, its name, its items in order."""


def checklists_by_card(board: dict[str, Any]) -> dict[str, list[Checklist]]:
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
                (number(item.get("pos"), f"{at}.checkItems[{i}].pos"), i, item)
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
        pos = number(checklist.get("pos"), f"{at}.pos")
        by_card.setdefault(card_id, []).append((pos, index, name, found))
    return by_card


def _unnamed_item(card_id: str, checklist: object, text: str) -> str:
    """The source id of a check item the file gives no id: its card, its checklist and its
    text (not its place: an item added at the top must not move texts and ticks onto
    other items). Items with the same text count up (':2', ':3')."""
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8", "surrogatepass")).hexdigest()
    return f"trello:checkitem-text:{card_id}:{checklist}:{digest[:20]}"


def card_checklist(card_id: str, checklists: dict[str, list[Checklist]]) -> list[SourceCheckItem]:
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


def comments_by_card(
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


def thread_notes(
    board: dict[str, Any],
    parsed: Parsed,
    comments: dict[str, list[SourceComment]],
    checklists: dict[str, list[Checklist]],
    bad_times: list[str],
) -> None:
    """Notes on comments and checklist items the import does not take."""
    # Every card of the file is an item (an archived one too): the planner counts what
    # belongs to the cards it skips; these belong to no card of the file.
    kept = {item.refs[0] for item in parsed.items}
    lost_comments = sum(len(c) for card, c in comments.items() if card not in kept)
    lost_items = sum(
        len(found) for card, lists in checklists.items() if card not in kept for *_, found in lists
    )
    if lost_comments or lost_items:
        parsed.notes.append(
            f"{lost_comments} comment(s) and {lost_items} checklist item(s) belong to cards "
            "not in the file: not imported"
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
