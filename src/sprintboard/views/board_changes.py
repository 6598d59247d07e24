"""What changed on the board since it was read: only the cards a change touched.

A 100,000-card sprint takes about a second to read whole. A write (this board's own move,
another screen's edit, another process's) adds entries to the activity log; the board
reads the entries since the newest it has seen, re-reads only the cards they name (and
the cards linked to them, whose badges follow their blockers), and merges those in
(`BoardModel.merge`). Its own moves are already on screen: their entries are skipped.
Whatever the log cannot say precisely (a write that logged nothing, a team or a sprint
changed, too many cards) reads the whole board again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sprintboard.store import seam_reads as reads
from sprintboard.store.board import board_cards_by_key, linked_keys
from sprintboard.views.board import BoardCard

MAX_ENTRIES = 2_000
"""More activity entries than this since the last look: read the whole board again."""
MAX_CARDS = 300
"""More cards to read again than this: read the whole board (each placed card costs a
pass over the board's list)."""

Span = tuple[int, int]
"""Activity ids (after, up to) that one of the board's own writes logged."""
FOLLOWED = frozenset({"checklist_item", "comment", "card_team"})
"""Records the board counts or shows, logged under their card's key."""
UNSHOWN = frozenset({"member", "goal", "stock", "measure", "sprint_capacity"})
"""Records the board shows nothing of (a card's goal is its id, on the card)."""
RIPPLE_FIELDS = frozenset({"status", "team_id", "sprint_id"})
"""A card's fields its linked cards' badges depend on (open blockers, cross-team)."""


class ReadAll(Exception):
    """The change cannot be followed card by card."""


def own_write(
    store: Any, spans: list[Span], fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """Run the store write `fn` (on the database thread) and note in `spans` the activity
    ids it logged: a change the board shows already, not to be read again."""
    before = reads.newest_activity(store)
    try:
        return fn(*args, **kwargs)
    finally:
        spans.append((before, reads.newest_activity(store)))


def touched_cards(
    entries: Iterable[tuple[Any, ...]], own: Collection[Span] = ()
) -> tuple[set[str], set[str]]:
    """(cards to read again, cards whose links' badges may have changed) after activity
    entries (seam_reads.activity_since rows). Entries inside the `own` spans (the board's
    own moves, on screen already) are skipped. Raises ReadAll."""
    touched: set[str] = set()
    ripples: set[str] = set()
    for ident, entity, key, op, field, _before, _after in entries:
        if any(lo < ident <= hi for lo, hi in own):
            if entity == "card" and field == "status" and key:
                ripples.add(key)  # its dependents' open blockers changed
            continue
        if entity in UNSHOWN:
            continue
        if entity == "dependency":
            ends = {part for part in (key or "").split(">") if part}
            if len(ends) != 2:
                raise ReadAll
            touched |= ends
            continue
        if entity not in FOLLOWED and entity != "card":
            raise ReadAll  # a team, a sprint, feedback, settings: anything on every card
        if not key:
            raise ReadAll
        if entity == "card":
            if field == "key":
                raise ReadAll
            if op != "update" or field in RIPPLE_FIELDS:
                ripples.add(key)
        touched.add(key)
    return touched, ripples


def fetch_changes(
    store: Any,
    sprint: dict[str, Any] | None,
    seen: tuple[int, int],
    own: Collection[Span],
    today: str,
) -> dict[str, Any] | None:
    """What was written since the board read version `seen` (on the database thread):
    {"version", "cards": [(card, key above it)], "gone": keys read again that are not (or
    no longer) in the sprint}; None: read it all again.

    `own`: what this board's own moves logged since then (`own_write`). Trusted only when
    no other connection wrote meanwhile (SQLite's data_version, the version's first half):
    then every entry is this connection's, and those spans hold nothing else.
    """
    version = store.version()
    if version == seen:
        return {"version": version, "cards": [], "gone": set()}
    data_version, newest = version
    if newest <= seen[1] or store.today() != today:
        return None  # a write that logged nothing, a restore, or a new day (due badges)
    entries = [e for e in reads.activity_since(store, seen[1], MAX_ENTRIES + 1) if e[0] <= newest]
    if len(entries) > MAX_ENTRIES:
        return None
    try:
        touched, ripples = touched_cards(entries, own if data_version == seen[0] else ())
    except ReadAll:
        return None
    again = touched | (linked_keys(store, ripples) if ripples else set())
    if len(again) > MAX_CARDS:
        return None
    sprint_id = sprint["id"] if sprint else None
    cards = board_cards_by_key(store, sprint_id, again, BoardCard) if again else []
    return {
        "version": version,
        "cards": cards,
        "gone": again - {card.key for card, _ in cards},
    }
