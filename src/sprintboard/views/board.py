"""What the board shows: columns of cards, filters, swimlanes and the selection.

Pure Python (no Textual), so a keypress changes this state at once and the screen draws
from it; the database write follows on the store's thread. Keys held down therefore act
on the state the previous key left, never on a half-finished write.
"""

from __future__ import annotations

import bisect
import functools
import shutil
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from sprintboard.store.board import BOARD_FIELDS, board_cards, column_totals
from sprintboard.store.people import initials, same_person
from sprintboard.views.text import printable
from sprintboard.vocabulary import STATUS_LABELS, Status, title_key

COLUMNS: list[str] = [s.value for s in Status]
LABELS: dict[str, str] = {s.value: label for s, label in STATUS_LABELS.items()}


@dataclass(slots=True, eq=False, repr=False)
class BoardCard:
    """One card as the board holds it: the fields of `BOARD_FIELDS` in slots (a 100,000-card
    sprint in ~40 MB rather than the ~280 MB of full rows), read like the dict rows of
    `Cards.query()` (`card["status"]`, `card.get("due")`), which the board's code and its
    tests also accept. Compared by identity: two reads of one card are two records."""

    key: str
    title: str
    team: str
    teams: tuple[str, ...]
    status: str
    points: int | None
    goal: int | None
    assignee: str | None
    due: str | None
    sprint_id: int | None
    blockers: tuple[str, ...]
    blocked_by: tuple[str, ...]
    cross_team: bool
    feedback: int
    reports: int
    comment_count: int
    checklist_done: int
    checklist_total: int

    # card["status"] is attribute access itself, without a Python call in between: the
    # board reads fields of every card on a load (filters, column totals). A field it does
    # not hold raises AttributeError.
    __getitem__ = object.__getattribute__
    __setitem__ = object.__setattr__

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in BOARD_FIELDS}

    def __repr__(self) -> str:
        return f"BoardCard({self.key!r}, {self.status!r})"


Card = Any
"""A card on the board: a `BoardCard` as `fetch_board` reads it, or a dict row as
`Cards.query()` gives it (the planning screen's lists, tests): both read as `card["key"]`."""

LaneRank = tuple[int, str]


def lane_rank(team_order: list[str]) -> Callable[[Card], LaneRank]:
    """A card's swimlane position, (its team's place in `team_order`, "") or, for a team
    not in it, (after all of those, its code)."""
    rank = {code: (i, "") for i, code in enumerate(team_order)}
    after = len(rank)
    return lambda card: rank.get(card["team"]) or (after, str(card["team"] or ""))


_STATUS, _POINTS = itemgetter("status"), itemgetter("points")
"""A card's fields read in C (BoardCard and dict rows alike)."""

FIRST_ROWS = 100
"""Cards per column the first frame reads at least (`first_rows`): what a tall terminal
shows of each column, even with one line per card."""


def first_rows() -> int:
    """Cards per column for the first frame: the terminal's height, at least `FIRST_ROWS`."""
    return max(FIRST_ROWS, shutil.get_terminal_size((80, FIRST_ROWS)).lines)


def fetch_board(
    store: Any,
    sprint: dict[str, Any] | None,
    chosen: bool,
    first: bool,
    rows: int | None = None,
    start: Callable[..., Future[Any]] | None = None,
) -> dict[str, Any]:
    """Everything the board shows, read in one go on the database thread.

    Until a sprint is chosen the board follows the active sprint (else the next planned).
    `rows`: only the first that many cards of each column, with every column's totals
    ("totals", None when that was all of them): a first frame, the rest read after it.
    `start` (Backend.start): the totals are read on the database thread, as a Future.
    """
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    if not chosen:
        sprint = store.sprints.active() or next(iter(store.sprints.list("planned")), None)
    elif sprint is not None:
        sprint = store.sprints.get_by_id(sprint["id"])
    sprint_id = sprint["id"] if sprint else None
    found: dict[str, Any] = {
        "sprint": sprint,
        "teams": store.teams.list(include_archived=True),
        "version": version,
        "empty": first and store.is_empty(),
        "today": store.today(),
        "totals": None,
    }
    if rows is None:
        found["cards"] = board_cards(store, sprint_id, BoardCard)
        return found
    found["cards"] = cards = board_cards(store, sprint_id, BoardCard, first=rows)
    # A column that gave fewer cards than asked for gave all it has. The totals come last:
    # read on the database thread, they hold the connection until they are done.
    if max(Counter(card.status for card in cards).values(), default=0) >= rows:
        found["totals"] = (
            start(column_totals, store, sprint_id) if start else column_totals(store, sprint_id)
        )
    return found


@dataclass(frozen=True)
class Face:
    """What a card's face shows besides its key, title and points: who has it (initials),
    its checklist's progress ("2/3") and how many comments it has ("" for none)."""

    initials: str
    checklist: str
    checklist_done: bool
    comments: str


@functools.lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    # Drawn for every visible card on every frame; a plan has few distinct assignees.
    return initials(name)


def card_face(card: Card) -> Face:
    """The card's face from the counts its row carries (never its threads)."""
    total = card.get("checklist_total") or 0
    done = card.get("checklist_done") or 0
    count = card.get("comment_count") or 0
    return Face(
        initials=_initials(card.get("assignee") or ""),
        checklist=f"{done}/{total}" if total else "",
        checklist_done=bool(total) and done >= total,
        comments=str(count) if count else "",
    )


@dataclass
class Filters:
    text: str = ""
    teams: frozenset[str] = frozenset()
    goal: int | None = None
    feedback_only: bool = False
    mine: str | None = None  # the person at the keyboard: their cards only

    def active(self) -> bool:
        return bool(
            self.text
            or self.teams
            or self.goal is not None
            or self.feedback_only
            or self.mine is not None
        )

    def describe(self) -> str:
        parts = []
        if self.mine is not None:
            parts.append(f"mine ({printable(self.mine)})")
        if self.text:
            parts.append(f"text “{self.text}”")
        if self.teams:
            parts.append("teams " + ",".join(sorted(self.teams)))
        if self.goal is not None:
            parts.append(f"goal {self.goal}")
        if self.feedback_only:
            parts.append("feedback-linked")
        return "; ".join(parts)

    def keep(self, card: Card) -> bool:
        if self.mine is not None and not same_person(card.get("assignee") or "", self.mine):
            return False
        if self.teams and not self.teams.intersection(card["teams"]):
            return False
        if self.goal is not None and card["goal"] != self.goal:
            return False
        if self.feedback_only and not card["feedback"]:
            return False
        if self.text:
            # Titles are stored as given: 'guide for' finds 'Guide  for' and 'guide\tfor'.
            needle = title_key(self.text)
            return needle in title_key(card["title"]) or needle in card["key"].casefold()
        return True


@dataclass
class Move:
    """A change the screen made locally and the store must now make too."""

    key: str
    status: str | None = None
    before: str | None = None  # place the card just above this key
    after: str | None = None  # ... or just below this one


@dataclass
class BoardModel:
    cards: list[Card] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    swimlanes: bool = False
    team_order: list[str] = field(default_factory=list)
    columns: dict[str, list[Card]] = field(default_factory=lambda: {c: [] for c in COLUMNS})
    col: int = 0
    selected: str | None = None
    totals: dict[str, tuple[int, int]] | None = None
    """(cards, points) per column while only the first cards of each are here (`partial`);
    None once the model holds every card of the sprint."""
    _summaries: dict[str, tuple[int, int]] = field(default_factory=dict)
    _shown: dict[str, Card] = field(default_factory=dict)
    _by_key: dict[str, Card] = field(default_factory=dict)
    """Card key -> the card, for every card here (filtered or not): a merge looks cards up
    by key without a pass over the board."""

    # -- loading and filtering ----------------------------------------------------------

    def load(
        self,
        cards: list[Card],
        team_order: list[str],
        totals: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        """Replace the cards (from the store), keeping the selection by key. `totals`: the
        cards are only the first of each column (in board order), these are all of them."""
        self.cards = cards
        self.team_order = team_order
        self.totals = None if totals is None else dict(totals)
        self.rebuild()

    @property
    def partial(self) -> bool:
        """Only the first cards of each column are here; the rest is being read."""
        return self.totals is not None

    def merge(self, changed: list[tuple[Card, str | None]], gone: Collection[str]) -> bool:
        """Put in cards read again, each (card, the key of the card above it in its column,
        None: the top), in board order, and drop the cards `gone`; keeps the selection.
        False (nothing changed) when a card above is not here: read the whole board.

        Unfiltered and without swimlanes only the columns of the cards concerned change, so
        following a change costs the same on a board of 100,000 cards as on one of 20."""
        if not changed and not gone:
            return True
        if self.partial:
            return False
        by_key = self._by_key
        above_ok = {card["key"] for card, _ in changed}
        if any(
            above is not None and above not in by_key and above not in above_ok
            for _, above in changed
        ):
            return False
        cards = self.cards
        removed: list[Card] = []
        for key in [*(card["key"] for card, _ in changed), *gone]:
            old = by_key.pop(key, None)
            if old is not None:
                cards.remove(old)
                removed.append(old)
        for card, above in changed:
            # A column's cards keep their order in `cards` (other columns' may interleave):
            # the top card goes first of all, any other right below the card above it.
            anchor = None if above is None else by_key.get(above)
            cards.insert(0 if anchor is None else cards.index(anchor) + 1, card)
            by_key[card["key"]] = card
        if self.filters.active() or self.swimlanes or not self._place(removed, changed):
            self.rebuild()
        return True

    def _place(self, removed: list[Card], changed: list[tuple[Card, str | None]]) -> bool:
        """Take `removed` out of their columns and put `changed` in below the card above
        each, as `rebuild` would have placed them (nothing filters, no swimlanes). False:
        the columns do not hold what the cards say (rebuild them)."""
        columns, shown, summaries = self.columns, self._shown, self._summaries
        try:
            for old in removed:
                columns[old["status"]].remove(old)
                del shown[old["key"]]
                if summaries:
                    count, points = summaries[old["status"]]
                    summaries[old["status"]] = (count - 1, points - (old["points"] or 0))
            for card, above in changed:
                column = columns[card["status"]]
                anchor = None if above is None else self._by_key.get(above)
                if anchor is not None and anchor["status"] != card["status"]:
                    return False
                column.insert(0 if anchor is None else column.index(anchor) + 1, card)
                shown[card["key"]] = card
                if summaries:
                    count, points = summaries[card["status"]]
                    summaries[card["status"]] = (count + 1, points + (card["points"] or 0))
        except (KeyError, ValueError):
            return False
        self._fix_selection()
        return True

    def rebuild(self) -> None:
        # The cards come column by column: a column is a few runs of one status, each
        # found and added in C (groupby, extend), not card by card.
        columns: dict[str, list[Card]] = {c: [] for c in COLUMNS}
        cards = self.cards
        self._by_key = {card["key"]: card for card in cards}
        filtered = self.filters.active()
        for status, run in groupby(
            filter(self.filters.keep, cards) if filtered else cards, _STATUS
        ):
            columns[status].extend(run)
        if self.swimlanes:
            rank = self._lane_rank()
            for column in columns.values():
                column.sort(key=rank)  # stable: within a lane the board's own order is kept
        self.columns = columns
        # Card key -> the card, for what the filters show: the status line looks up the
        # selected card on every frame. Moves and reorders keep the same card objects.
        if filtered:
            self._shown = {card["key"]: card for column in columns.values() for card in column}
        else:
            self._shown = dict(self._by_key)
        self._summaries = {}
        self._fix_selection()

    def _lane_rank(self) -> Callable[[Card], LaneRank]:
        """A card's swimlane position: its team's place in the team order (a team not in
        it after those, by code): each team's cards are one run of a sorted column."""
        return lane_rank(self.team_order)

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self.rebuild()

    def toggle_swimlanes(self) -> None:
        self.swimlanes = not self.swimlanes
        self.rebuild()

    # -- selection ----------------------------------------------------------------------

    def column_cards(self, col: int | None = None) -> list[Card]:
        return self.columns[COLUMNS[self.col if col is None else col]]

    @property
    def row(self) -> int:
        card = self.selected_card()
        if card is None:
            return 0
        try:  # list.index compares by identity first: a C loop, even down 68,000 cards
            return self.column_cards().index(card)
        except ValueError:
            return 0

    def selected_card(self) -> Card | None:
        card = self._shown.get(self.selected) if self.selected is not None else None
        return card if card is not None and card["status"] == COLUMNS[self.col] else None

    def _fix_selection(self) -> None:
        card = self._shown.get(self.selected) if self.selected is not None else None
        if card is not None:
            self.col = COLUMNS.index(card["status"])
            return
        cards = self.column_cards()
        if not cards:
            # Land on the first column that has cards, if the current one is empty.
            for i, status in enumerate(COLUMNS):
                if self.columns[status]:
                    self.col, cards = i, self.columns[status]
                    break
        self.selected = cards[0]["key"] if cards else None

    def select(self, key: str) -> bool:
        for i, status in enumerate(COLUMNS):
            if any(c["key"] == key for c in self.columns[status]):
                self.col, self.selected = i, key
                return True
        return False

    def select_at(self, col: int, row: int) -> None:
        self.col = max(0, min(len(COLUMNS) - 1, col))
        cards = self.column_cards()
        self.selected = cards[max(0, min(len(cards) - 1, row))]["key"] if cards else None

    def move_selection(self, d_col: int = 0, d_row: int = 0) -> None:
        if d_col:
            # Keep the row as near as the new column allows.
            self.select_at(self.col + d_col, self.row)
        if d_row:
            self.select_at(self.col, self.row + d_row)

    # -- changes ------------------------------------------------------------------------

    def move_card(self, delta: int) -> Move | None:
        """Send the selected card to the previous/next column (at its bottom, or the bottom
        of its team's lane). Only the two columns change: a keypress costs the same on a
        board of 20 cards as on one of 2,000."""
        card = self.selected_card()
        target = self.col + delta
        if card is None or not 0 <= target < len(COLUMNS):
            return None
        old, status = card["status"], COLUMNS[target]
        card["status"] = status
        if self.totals is not None:
            points = card["points"] or 0
            count, sum_old = self.totals[old]
            self.totals[old] = (count - 1, sum_old - points)
            count, sum_new = self.totals[status]
            self.totals[status] = (count + 1, sum_new + points)
        # Keep the underlying list in board order: the store appends to the column's end.
        self.cards.remove(card)
        self.cards.append(card)
        # The card stays visible (no filter looks at the status): last in the new column,
        # or last of its lane there.
        self.columns[old].remove(card)
        column = self.columns[status]
        if self.swimlanes:
            rank = self._lane_rank()
            column.insert(bisect.bisect_right(column, rank(card), key=rank), card)
        else:
            column.append(card)
        if self._summaries:  # whole-column counts: the card's points change columns
            points = card["points"] or 0
            count, sum_old = self._summaries[old]
            self._summaries[old] = (count - 1, sum_old - points)
            count, sum_new = self._summaries[status]
            self._summaries[status] = (count + 1, sum_new + points)
        self.col = target
        return Move(card["key"], status=status)

    def move_needs_asking(self, delta: int) -> list[str]:
        """The open blockers of the selected card when this move takes it into Done: a card
        done while it still waits is worth a question. Empty for every other move, at the
        cost of one comparison."""
        card = self.selected_card()
        target = self.col + delta
        if card is None or not 0 <= target < len(COLUMNS) or COLUMNS[target] != Status.DONE:
            return []
        return self.open_blockers(card)

    def open_blockers(self, card: Card) -> list[str]:
        """The card's blockers not done: as this board shows them (a move here counts at
        once), else as the store last said."""
        blockers = card.get("blockers") or []
        if not blockers:
            return []
        wanted = set(blockers)
        here = {k: self._by_key[k]["status"] for k in wanted if k in self._by_key}
        stored_open = set(card.get("blocked_by") or ())
        return [k for k in blockers if (here[k] != "done" if k in here else k in stored_open)]

    def reorder(self, delta: int) -> Move | None:
        """Swap the selected card with its visible neighbour above (-1) or below (+1)."""
        cards = self.column_cards()
        row = self.row
        other = row + delta
        card = self.selected_card()
        if card is None or not 0 <= other < len(cards):
            return None
        neighbour = cards[other]
        if self.swimlanes and neighbour["team"] != card["team"]:
            return None  # a card cannot leave its team's lane by reordering
        # As the store places it: right above (below) the neighbour. A filter or the lanes
        # may hide cards between the two, which a swap would reorder too.
        self.cards.remove(card)
        self.cards.insert(self.cards.index(neighbour) + (delta > 0), card)
        # Neighbours on screen: swapping them in the column is what a rebuild would do.
        cards[row], cards[other] = neighbour, card
        if delta < 0:
            return Move(card["key"], before=neighbour["key"])
        return Move(card["key"], after=neighbour["key"])

    def remove(self, key: str) -> None:
        if self.totals is not None:
            for card in self.cards:
                if card["key"] == key:
                    count, points = self.totals[card["status"]]
                    self.totals[card["status"]] = (count - 1, points - (card["points"] or 0))
        self.cards = [c for c in self.cards if c["key"] != key]
        self.rebuild()

    # -- summaries ----------------------------------------------------------------------

    def column_summary(self, status: str) -> tuple[int, int]:
        """(cards, points) of the whole column, whatever the filters hide: the WIP limit is
        about the work in the column, not about what is on screen. Cached until a card
        changes column (one pass over the cards then counts every column)."""
        if self.totals is not None:
            return self.totals[status]
        found = self._summaries.get(status)
        if found is None:
            counts = dict.fromkeys(COLUMNS, 0)
            points = dict.fromkeys(COLUMNS, 0)
            for each, run in groupby(self.cards, _STATUS):  # runs of a column, counted in C
                cards = list(run)
                counts[each] += len(cards)
                points[each] += sum(filter(None, map(_POINTS, cards)))
            self._summaries = {c: (counts[c], points[c]) for c in COLUMNS}
            found = self._summaries[status]
        return found

    def shown_count(self, status: str) -> int:
        """How many of the column's cards the filters leave on screen (all of them while
        only the first are here and nothing filters)."""
        if self.totals is not None and not self.filters.active():
            return self.totals[status][0]
        return len(self.columns[status])

    def shown_total(self) -> int:
        """How many cards the filters leave on the board."""
        return sum(self.shown_count(status) for status in COLUMNS)
