"""What an import would do, as data: the options, the planned new cards and updates, and
the `Plan` that io/importing.py makes (a dry run) and io/import_apply.py writes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sprintboard.io.items import (
    Item,
    Parsed,
    Skip,
    SourceCheckItem,
    SourceComment,
    SourceGoal,
)
from sprintboard.models import Card, Goal, Sprint
from sprintboard.vocabulary import Status


@dataclass
class ImportOptions:
    team: str | None = None
    """Owning team for new cards whose source names none."""
    sprint: str | None = None
    """Sprint for cards whose source names none: a name, 'current' or 'backlog'. Not
    given: new cards go to the backlog and cards imported before stay where they are."""
    unknown_column: Status = Status.BACKLOG
    """Where a column or status name that means nothing here goes."""
    map_status: dict[str, Status] = field(default_factory=dict)
    """Source status or list name (normalised: `items.normalise_name`) -> the column it
    means here; beats the built-in names (`--map-status NAME=STATUS`)."""


@dataclass
class NewCard:
    item: Item
    card: Card
    sprint: str | None
    team_id: int
    contributing: list[int]
    goal: int | str | None = None
    """The goal here (id) or a new one (its source id, in `Plan.new_goals`)."""


@dataclass
class CardUpdate:
    item: Item
    row: dict[str, Any]
    changes: dict[str, Any]
    """Column -> new value, as stored (sprint and contributing teams separately)."""
    sprint: str | None
    sprint_changed: bool
    contributing: list[int] | None
    goal: int | str | None = None
    """A goal the card moves to (as `NewCard.goal`); None: it stays in its own."""


@dataclass
class CardClose:
    """A card imported before that the source has archived since: closed here."""

    item: Item
    row: dict[str, Any]
    reason: str
    """What the source says ('archived on Trello')."""
    leaves_sprint: bool
    """Its sprint is planned or active: the card leaves it (a closed sprint keeps it)."""


@dataclass
class NewGoal:
    source: SourceGoal
    goal: Goal


Node = int | str
"""A card in the dependency graph: an existing card's id, or a new card's `Item.identity`."""


@dataclass
class NewComment:
    card: Node
    source: SourceComment
    body: str
    """The text as it is stored (validated, cleaned)."""
    author: str


@dataclass
class NewCheckItem:
    card: Node
    source: SourceCheckItem
    text: str


@dataclass
class ThreadUpdate:
    """A comment or checklist item imported before whose source has changed."""

    entity: str
    """'comment' or 'checklist_item'."""
    row: dict[str, Any]
    changes: dict[str, Any]
    quiet: bool = False
    """Only the source id it is known by changes (not counted as an update)."""


@dataclass
class Threads:
    """What an import does with the comments and checklist items of its cards."""

    comments: list[NewComment] = field(default_factory=list)
    items: list[NewCheckItem] = field(default_factory=list)
    updates: list[ThreadUpdate] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)
    """'comment' / 'checklist_item' -> imported before and the same now."""
    kept_here: Counter[str] = field(default_factory=Counter)
    """'comment' / 'checklist_item' -> changed in the file, but also changed here since it
    was imported: the local version stays."""
    skipped: list[tuple[str, Skip]] = field(default_factory=list)
    """(entity, why) for each one not imported."""
    on_skipped_cards: Counter[str] = field(default_factory=Counter)
    """Entity -> how many belong to cards this import skips."""
    not_in_file: int = 0
    """Comments the source counts but the file does not hold (GitHub REST dumps)."""
    removed: list[dict[str, Any]] = field(default_factory=list)
    """Checklist items (rows) an earlier import made that a card of the file replaces (a
    Jira sub-task that now holds points of its own): deleted, undone with the import."""
    counted_here: int = 0
    """Of the cards with comments counted only, comments imported before (kept)."""

    def count(self, entity: str) -> tuple[int, int, int, int]:
        """(to add, to update, unchanged, skipped) of 'comment' or 'checklist_item'."""
        new = len(self.comments) if entity == "comment" else len(self.items)
        return (
            new,
            sum(1 for u in self.updates if u.entity == entity and not u.quiet),
            self.unchanged[entity],
            sum(1 for e, _ in self.skipped if e == entity) + self.on_skipped_cards[entity],
        )


@dataclass
class Plan:
    parsed: Parsed
    new_sprints: list[Sprint] = field(default_factory=list)
    creates: list[NewCard] = field(default_factory=list)
    updates: list[CardUpdate] = field(default_factory=list)
    unchanged: int = 0
    dependencies: list[tuple[Node, Node, str]] = field(default_factory=list)
    """(blocker, dependent, 'BLOCKER>DEPENDENT' as the summary shows it) to add."""
    known_dependencies: int = 0
    skipped: list[Skip] = field(default_factory=list)
    no_team: list[Item] = field(default_factory=list)
    columns: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    mappings_used: set[str] = field(default_factory=set)
    """The `--map-status` names (normalised) that some status or list name of the file met."""
    """(source name, column, unknown?) -> cards."""
    teams: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(source name or '', team code) -> cards; '' is the --team default."""
    not_teams: Counter[str] = field(default_factory=Counter)
    """Team names from the source that name no team here (kept as labels)."""
    sprints: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(sprint name or '' for the backlog, 'existing'/'new'/'default') -> cards."""
    priorities: Counter[tuple[str, str]] = field(default_factory=Counter)
    threads: Threads = field(default_factory=Threads)
    """Comments and checklist items (io/import_threads.py)."""
    closes: list[CardClose] = field(default_factory=list)
    new_goals: list[NewGoal] = field(default_factory=list)
    goal_of: dict[str, int | str] = field(default_factory=dict)
    """A source goal's external id -> the goal here (its id) or a new one (its external
    id, in `new_goals`)."""
    created_keys: dict[str, str] = field(default_factory=dict)
    """Item.identity -> the key a created card got (filled when the plan is written)."""
    goals_found: int = 0
    """Source goals that are goals here already (made by an earlier import, or same title)."""
