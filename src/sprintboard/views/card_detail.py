"""What the card detail shows, as plain Python: the card, its checklist, its comment thread
and its history with people named, read in one go on the database thread.

The screen (screens/card_detail.py) and its parts (widgets/detail_parts.py) turn this into
lines; nothing here imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sprintboard.store.activity import NOT_UNDOABLE, describe_change
from sprintboard.store.people import same_person
from sprintboard.views.sync_state import ConflictView, record_conflicts

if TYPE_CHECKING:
    from sprintboard.config import Settings
    from sprintboard.planning.findings import Finding
    from sprintboard.store import Store
    from sprintboard.views.card_findings import FindingsIndex

QUIET_FIELDS = frozenset({"updated_at", "position", "done_at", "edited_at"})
"""Book-keeping fields every change touches; the history shows what a person changed."""
HISTORY_LIMIT = 60
"""The newest entries of a card's history the detail shows."""
COMMENT_LIMIT = 100
"""The newest comments the detail shows (a line says how many earlier ones it leaves out
and how to read them all): a thread of 10,000 took seconds to open and to save in."""


def comments_title(detail: Detail) -> str:
    """The comments' title line: how many, and how many earlier ones are not shown."""
    total = detail.comments_total or len(detail.comments)
    if not total:
        return "Comments"
    hidden = detail.comments_hidden
    if not hidden:
        return f"Comments  {total}"
    return (
        f"Comments  {total}  (the newest {len(detail.comments)} shown; {hidden} earlier:"
        f" sprintboard comment list {detail.card['key']})"
    )


@dataclass
class People:
    """Who is who: team members by name, and the person at the keyboard."""

    members: dict[str, str] = field(default_factory=dict)
    """member name -> their team's code."""
    me: str = ""
    """The person at the keyboard, as the store records them."""

    def person(self, name: str) -> str:
        """'Sanne de Vries (MKT)' for a member, the name as given for anyone else."""
        team = self.members.get(name)
        return f"{name} ({team})" if team else name

    def mine(self, author: str) -> bool:
        return same_person(author, self.me)


def read_people(store: Store) -> People:
    return People({m["name"]: m["team"] for m in store.members.list()}, store.actor)


@dataclass
class Detail:
    """One card in full, as read at one moment."""

    card: dict[str, Any]
    deps: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    history: list[dict[str, Any]]
    teams: dict[int, str]
    """team id -> code, archived teams included (old history names them)."""
    people: People
    version: tuple[int, int] = (0, 0)
    """The store's version this was read at (store.version())."""
    comments_total: int = 0
    """How many comments the card has; `comments` holds the newest COMMENT_LIMIT of them."""
    findings: list[Finding] | None = None
    """The seam checks' findings naming this card, errors first (None: not checked)."""
    conflicts: list[ConflictView] = field(default_factory=list)
    """What syncs with other laptops overrode on this card and nobody settled yet."""

    @property
    def comments_hidden(self) -> int:
        """How many earlier comments are not in `comments`."""
        return max(0, self.comments_total - len(self.comments))

    def progress(self) -> tuple[int, int]:
        """(done, total) of the checklist."""
        return sum(1 for item in self.checklist if item["done"]), len(self.checklist)


def card_findings(
    store: Store, key: str, version: Any, settings: Settings, index: FindingsIndex | None
) -> list[Finding]:
    """The findings naming card `key`: the last count's if it read this `version`, else
    the seam checks run now (on the database thread)."""
    from sprintboard.planning.checks import run_checks
    from sprintboard.views.card_findings import concerning

    fresh = None if index is None else index.fresh_for(key, version)
    if fresh is not None:
        return fresh
    return concerning(run_checks(store, settings=settings), key)


def fetch_detail(
    store: Store,
    key: str,
    *,
    settings: Settings | None = None,
    index: FindingsIndex | None = None,
) -> Detail:
    """Everything the card detail shows (on the database thread); with `settings`, the
    card's findings too (from `index`, the last count, when it is fresh)."""
    version = store.version()
    card = store.cards.get(key)
    history = store.activity.for_card(
        key, newest=HISTORY_LIMIT, skip_fields=tuple(sorted(QUIET_FIELDS))
    )
    comments, comments_total = store.comments.for_card(key, newest=COMMENT_LIMIT)
    return Detail(
        card=card,
        deps=store.deps.list(card=key),
        feedback=store.feedback.list(card=key),
        checklist=store.checklists.for_card(key),
        comments=comments,
        history=history,
        teams={t["id"]: t["code"] for t in store.teams.list(include_archived=True)},
        people=read_people(store),
        version=version,
        comments_total=comments_total,
        findings=None if settings is None else card_findings(store, key, version, settings, index),
        conflicts=record_conflicts(store, card["uuid"]),
    )


MENTIONS_SHOWN = 200
"""The newest mentions the app lists; `comment mentions --limit N` reads further back."""


def fetch_mentions(store: Store) -> tuple[list[dict[str, Any]], People, int]:
    """The newest comments that name the person at the keyboard with @, newest first, each
    with its card's title (`card_title`), and how many older ones are not among them."""
    people = read_people(store)
    comments, more = store.comments.mentions_of(people.me, limit=MENTIONS_SHOWN)
    keys = sorted({c["card"] for c in comments})
    titles = {c["key"]: c["title"] for c in store.cards.query(keys=keys)} if keys else {}
    for comment in comments:
        comment["card_title"] = titles.get(comment["card"], "")
    return comments, people, more


def when(at: str | None) -> str:
    """'2026-03-11 10:30' from a stored UTC time."""
    return (at or "").replace("T", " ").rstrip("Z")[:16]


def history_words(entry: dict[str, Any], detail: Detail) -> str:
    """One history entry after its time and person: what changed, and what undo did to it."""
    words = describe_change(entry, detail.teams)
    if entry["action"] == "undo":
        words = "(undo) " + words
    elif entry["action"] == "redo":
        words = "(redo) " + words
    if entry.get("undone_by"):
        words += f"  [undone by {detail.people.person(entry['undone_by'])}]"
    return words


def undo_refusal(entry: dict[str, Any]) -> bool:
    """The store will refuse to undo this entry's change whatever the plan holds now: it is
    itself an undo, something sprintboard did on its own, or undone already."""
    return entry["action"] in NOT_UNDOABLE or bool(entry.get("undone_by"))
