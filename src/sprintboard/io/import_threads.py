"""The comments and checklist items of imported cards, planned (a dry run) and written.

Each comment and item keeps the source's own id (`comments.external_id`,
`checklist_items.external_id`): a re-import finds it again and updates what the source
changed (an edited text, a ticked item, a comment's author or time) instead of adding it
twice. A comment or item someone changed here since it was imported (an entry in the
activity log that no import made) keeps the local version: the summary counts it as kept.
What the source no longer has is left alone: an import adds and updates, it never
deletes a conversation. New items go at the end of the card's checklist, in the source's
order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from sprintboard.config import MAX_PERSON, person_name
from sprintboard.io.import_plan import NewCheckItem, NewComment, Node, Plan, ThreadUpdate
from sprintboard.io.items import UNKNOWN_AUTHOR, Item, Skip
from sprintboard.models import (
    MAX_CHECKLIST_ITEMS,
    ChecklistItem,
    Comment,
    describe_validation_error,
)
from sprintboard.store import Store
from sprintboard.store.database import Tx
from sprintboard.store.people import Members
from sprintboard.vocabulary import needs_cleaning, replace_surrogates, strip_control, title_key

_CHUNK = 500


def _rows_by_external_id(store: Store, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for row in store.rows(f"SELECT * FROM [{table}] WHERE external_id IN ({marks})", chunk):
            found[str(row["external_id"])] = row
    return found


def _rows_by_prefix(store: Store, prefixes: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Checklist items whose source id begins with each prefix, in their checklist order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for prefix in sorted(prefixes):
        found[prefix] = store.rows(
            "SELECT * FROM checklist_items WHERE substr(external_id, 1, ?) = ? "
            "ORDER BY position, id",
            [len(prefix), prefix],
        )
    return found


def changed_here(store: Store, uuids: list[str]) -> set[str]:
    """Of the records with these UUIDs, those changed by something other than an import
    (an edit, a tick, an undo) since they came in."""
    found: set[str] = set()
    for start in range(0, len(uuids), _CHUNK):
        chunk = uuids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for row in store.rows(
            f"SELECT DISTINCT entity_uuid FROM activity WHERE entity_uuid IN ({marks}) "
            "AND substr(action, 1, 7) != 'import.'",
            chunk,
        ):
            found.add(str(row["entity_uuid"]))
    return found


def plan_threads(
    store: Store,
    plan: Plan,
    kept: dict[str, Item],
    matched: dict[str, dict[str, Any]],
) -> None:
    """Plan the comments and checklist items of the cards the import keeps (`kept`, by
    identity; `matched`: those that are cards here already, by identity)."""
    threads = plan.threads
    for item in plan.parsed.items:
        threads.not_in_file += item.comments_not_in_file
        row = matched.get(item.identity)
        if item.comments_not_in_file and row is not None:
            threads.counted_here += int(
                store.scalar(
                    "SELECT COUNT(*) FROM comments WHERE card_id = ? AND external_id IS NOT NULL",
                    [row["id"]],
                )
            )
        if item.identity not in kept:
            threads.on_skipped_cards["comment"] += len(item.comments)
            threads.on_skipped_cards["checklist_item"] += len(item.checklist)
    cards = [(item, matched.get(item.identity)) for item in kept.values()]
    comments = _rows_by_external_id(
        store, "comments", [c.external_id for item, _ in cards for c in item.comments]
    )
    items = _rows_by_external_id(
        store, "checklist_items", [c.external_id for item, _ in cards for c in item.checklist]
    )
    items_before = _rows_by_prefix(
        store, {c.former_prefix for item, _ in cards for c in item.checklist if c.former_prefix}
    )
    existing_ids = [int(row["id"]) for _, row in cards if row is not None]
    sizes = {card: total for card, (_, total) in store.checklists.progress(existing_ids).items()}
    members = Members(r["name"] for r in store.rows("SELECT name FROM members ORDER BY id"))
    earlier = [r for rows in items_before.values() for r in rows]
    local = changed_here(
        store, [str(r["uuid"]) for r in (*comments.values(), *items.values(), *earlier)]
    )
    replaced = _rows_by_external_id(
        store, "checklist_items", [ident for item, _ in cards for ident in item.replaces]
    )
    threads.removed = list(replaced.values())
    seen: dict[str, str] = {}
    for item, row in cards:
        node: Node = item.identity if row is None else int(row["id"])
        _plan_comments(plan, item, node, comments, seen, members, local)
        size = sizes.get(int(row["id"]), 0) if row is not None else 0
        _plan_items(plan, item, node, (items, items_before), seen, size, local)


def _twice(plan: Plan, entity: str, ident: str, where: str, seen: dict[str, str]) -> bool:
    if ident in seen:
        what = "comment" if entity == "comment" else "checklist item"
        plan.threads.skipped.append(
            (entity, Skip(where, f"the same {what} as {seen[ident]} (skipped)"))
        )
        return True
    seen[ident] = where
    return False


def _plan_comments(
    plan: Plan,
    item: Item,
    node: Node,
    stored: dict[str, dict[str, Any]],
    seen: dict[str, str],
    members: Members,
    local: set[str],
) -> None:
    threads = plan.threads
    for source in item.comments:
        if _twice(plan, "comment", source.external_id, source.where, seen):
            continue
        try:
            body = Comment.model_validate({"body": source.body}).body
        except ValidationError as exc:
            reason = "comment " + describe_validation_error(exc)
            threads.skipped.append(("comment", Skip(source.where, reason)))
            continue
        plan.parsed.cleaned += needs_cleaning(source.body)
        author = members.canonical(imported_person(source.author))
        row = stored.get(source.external_id)
        if row is None:
            threads.comments.append(NewComment(node, source, body, author))
            continue
        changes = _changed(
            row,
            {"body": body, "author": author, "created_at": source.created_at},
        )
        if not changes:
            threads.unchanged["comment"] += 1
        elif str(row["uuid"]) in local:
            threads.kept_here["comment"] += 1
        else:
            threads.updates.append(ThreadUpdate("comment", row, changes))


def imported_person(name: str | None) -> str:
    """A source's person as a person's name here: one line, without control characters or
    invisible direction marks, at most MAX_PERSON characters (a longer name is cut); a name
    nothing is left of, or none given: UNKNOWN_AUTHOR."""
    import unicodedata

    line = strip_control(replace_surrogates(name or ""), one_line=True)
    if any(unicodedata.category(char) in ("Cf", "Cs") for char in line):
        # Keep what a person's name may hold (person_name decides), drop the rest.
        line = "".join(
            char
            for char in line
            if unicodedata.category(char) not in ("Cf", "Cs") or person_name(f"a{char}b")
        )
    line = " ".join(line.split())[:MAX_PERSON].strip()
    return person_name(line) or UNKNOWN_AUTHOR


def _plan_items(
    plan: Plan,
    item: Item,
    node: Node,
    stored_by: tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]],
    seen: dict[str, str],
    size: int,
    local: set[str],
) -> None:
    """`stored_by`: the items stored before, by their source id, and by how their former
    source id begins."""
    stored, before = stored_by
    threads = plan.threads
    for source in item.checklist:
        if _twice(plan, "checklist_item", source.external_id, source.where, seen):
            continue
        if not strip_control(replace_surrogates(source.text), one_line=True):
            reason = "checklist item: an empty text (skipped)"
            threads.skipped.append(("checklist_item", Skip(source.where, reason)))
            continue
        try:
            text = ChecklistItem.model_validate({"text": source.text}).text
        except ValidationError as exc:
            reason = "checklist item " + describe_validation_error(exc)
            threads.skipped.append(("checklist_item", Skip(source.where, reason)))
            continue
        plan.parsed.cleaned += needs_cleaning(source.text)
        row = stored.get(source.external_id)
        renamed: dict[str, Any] = {}
        if row is None and source.former_prefix is not None:
            earlier = before.get(source.former_prefix, [])
            key = title_key(text)
            same = next((r for r in earlier if title_key(str(r["text"])) == key), None)
            if same is not None:
                row, renamed = same, {"external_id": source.external_id}
                earlier.remove(same)
        if row is not None:
            changes = _changed(row, {"text": text, "done": int(source.done)})
            if renamed and (not changes or str(row["uuid"]) in local):
                # Only the source id changes: not a change anyone sees.
                threads.updates.append(ThreadUpdate("checklist_item", row, renamed, quiet=True))
                if changes:
                    threads.kept_here["checklist_item"] += 1
                else:
                    threads.unchanged["checklist_item"] += 1
                continue
            changes = {**changes, **renamed}
            if not changes:
                threads.unchanged["checklist_item"] += 1
            elif str(row["uuid"]) in local:
                threads.kept_here["checklist_item"] += 1
            else:
                threads.updates.append(ThreadUpdate("checklist_item", row, changes))
            continue
        if size >= MAX_CHECKLIST_ITEMS:
            reason = f"the card's checklist is full ({MAX_CHECKLIST_ITEMS} items at most)"
            threads.skipped.append(("checklist_item", Skip(source.where, reason)))
            continue
        size += 1
        threads.items.append(NewCheckItem(node, source, text))


def _changed(row: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The columns whose stored value differs from the source's (None: not given)."""
    return {k: v for k, v in wanted.items() if v is not None and row[k] != v}


def apply_threads(
    store: Store, tx: Tx, plan: Plan, ids: dict[Node, int], keys: dict[int, str]
) -> dict[str, int]:
    """Write the planned comments and checklist items inside the open transaction; `ids`
    gives new cards' ids by identity and `keys` the keys known so far, by card id."""
    threads = plan.threads

    def card(node: Node) -> dict[str, Any]:
        card_id = ids.get(node, node)
        assert isinstance(card_id, int)
        if card_id not in keys:
            keys[card_id] = str(store.scalar("SELECT key FROM cards WHERE id = ?", [card_id]))
        return {"id": card_id, "key": keys[card_id]}

    for comment in threads.comments:
        store.comments.insert(
            tx,
            card(comment.card),
            comment.body,
            author=comment.author,
            created_at=comment.source.created_at,
            external_id=comment.source.external_id,
        )
    for new in threads.items:
        store.checklists.insert(
            tx,
            card(new.card),
            new.text,
            done=new.source.done,
            external_id=new.source.external_id,
        )
    for row in threads.removed:
        tx.delete("checklist_item", row, key=card(int(row["card_id"]))["key"])
    for update in threads.updates:
        changes = dict(update.changes)
        if update.entity == "comment" and "body" in changes:
            changes["edited_at"] = tx.now
        if update.entity == "checklist_item" and "done" in changes:
            changes["done_at"] = tx.now if changes["done"] else None
        key = card(int(update.row["card_id"]))["key"]
        tx.update(update.entity, update.row, changes, key=key)
    return {
        "comments": len(threads.comments) + _updated(threads.updates, "comment"),
        "checklist items": len(threads.items) + _updated(threads.updates, "checklist_item"),
    }


def _updated(updates: Iterable[ThreadUpdate], entity: str) -> int:
    return sum(1 for u in updates if u.entity == entity and not u.quiet)
