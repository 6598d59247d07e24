"""The seam checks' findings card by card: each card's worst severity (the badge on its
face, in the planning lists and the dependency lists), a card's own findings (its
detail), and which findings a change made new (one toast after a save).

Plain Python: the board's findings count fills a `FindingsIndex` once per count; the
screens read its map, one dictionary look-up per card drawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sprintboard.planning.findings import Finding, Severity
from sprintboard.planning.graph import LATE, CardNode, link_colour, sprint_order
from sprintboard.vocabulary import stored_day

BADGE_SEVERITIES = (Severity.ERROR, Severity.WARNING)
"""Severities a card's face shows; info findings are worth knowing but mark no card."""

UNBADGED_RULES = frozenset({"goal-budget"})
"""Rules about something else than the cards they name: a goal over its budget names its
first open cards (where to cut), but they are no more at fault than the rest: no badge."""

GLYPHS = {Severity.ERROR: "✗", Severity.WARNING: "⚠"}
"""The badge of each severity a card shows (colour is never the only signal)."""

FindingId = tuple[str, str, tuple[str, ...]]
"""What tells findings apart across counts: (rule, severity, cards)."""


def worst_by_card(findings: Iterable[Finding]) -> dict[str, Severity]:
    """Card key -> the worst severity of the findings naming it (errors and warnings
    only, UNBADGED_RULES aside: a card whose findings are all info gets no entry)."""
    tally = _Tally()
    tally.recount(tuple(findings))
    return tally.worst


def _badging(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in BADGE_SEVERITIES and f.rule not in UNBADGED_RULES]


def _more(findings: Iterable[Finding], more: Counter[int]) -> Iterator[Finding]:
    """The findings whose object stands `more[id]` times more here than in the other
    count: that many of their copies (consumes `more`)."""
    if not more:
        return
    for f in findings:
        times = more.get(id(f))
        if times:
            more[id(f)] = times - 1
            yield f


class _Tally:
    """How many error and how many warning findings name each card, kept across counts:
    a new count that shares most findings with the last (the same objects: an incremental
    count re-checks only what a change touched) updates the badges of the cards the other
    findings name, not of every card. On a 100,000-card sprint whose capacity findings
    name every card, that is 1 ms after a move instead of 45."""

    REDO = 20_000
    """More card mentions than this in the findings that differ: count from scratch."""

    def __init__(self) -> None:
        self.findings: tuple[Finding, ...] = ()
        self.errors: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.worst: dict[str, Severity] = {}

    def follow(self, found: tuple[Finding, ...]) -> dict[str, Severity]:
        """The worst severity of each card named in `found` (as `worst_by_card`): a new
        map, the last one untouched (a reader may still hold it)."""
        # Objects of the last count are alive (self.findings), so ids tell them apart; one
        # object may stand in a count twice, and each time counts (as in worst_by_card).
        before = Counter(map(id, self.findings))
        now = Counter(map(id, found))
        gone = _badging(_more(self.findings, before - now))
        came = _badging(_more(found, now - before))
        if sum(len(f.cards) for f in (*gone, *came)) > self.REDO or not self.findings:
            self.recount(found)
            return self.worst
        touched: set[str] = set()
        for findings, change in ((gone, Counter.subtract), (came, Counter.update)):
            for f in findings:
                change(self.errors if f.severity is Severity.ERROR else self.warnings, f.cards)
                touched.update(f.cards)
        worst = dict(self.worst)
        for key in touched:
            if self.errors[key] > 0:
                worst[key] = Severity.ERROR
            elif self.warnings[key] > 0:
                worst[key] = Severity.WARNING
            else:
                worst.pop(key, None)
            for tally in (self.errors, self.warnings):
                if key in tally and tally[key] <= 0:
                    del tally[key]
        self.findings, self.worst = found, worst
        return worst

    def recount(self, found: tuple[Finding, ...]) -> None:
        """Count `found` from scratch (dict updates and counters run in C, which matters
        when a capacity finding names every card of a team)."""
        self.errors, self.warnings = Counter(), Counter()
        for f in _badging(found):
            (self.errors if f.severity is Severity.ERROR else self.warnings).update(f.cards)
        worst = dict.fromkeys(self.warnings, Severity.WARNING)
        worst.update(dict.fromkeys(self.errors, Severity.ERROR))
        self.findings, self.worst = found, worst


def finding_id(finding: Finding) -> FindingId:
    return (finding.rule, finding.severity.value, finding.cards)


def concerning(findings: Iterable[Finding], key: str) -> list[Finding]:
    """The findings naming card `key`, in the order given (errors first from the checks)."""
    return [f for f in findings if key in f.cards]


def new_findings(
    before: Iterable[Finding], after: Iterable[Finding], keys: Iterable[str]
) -> list[Finding]:
    """The errors and warnings in `after` that concern one of `keys` and were not in
    `before` (the same rule, severity and cards): what a change to those cards made."""
    return _new(frozenset(finding_id(f) for f in before), after, frozenset(keys))


def _new(
    seen: frozenset[FindingId], after: Iterable[Finding], keys: frozenset[str]
) -> list[Finding]:
    return [
        f
        for f in after
        if f.severity in BADGE_SEVERITIES
        and keys.intersection(f.cards)
        and finding_id(f) not in seen
    ]


def toast_line(finding: Finding, key: str, more: int = 0) -> str:
    """'IT-5: IT-5 (IT, Sprint 42) waits on … (dep-order)', plus how many more came."""
    line = f"{key}: {finding.why} ({finding.rule})"
    if more:
        line += f"; and {more} more (! lists them)"
    return line


@dataclass(frozen=True)
class Counted:
    """One count of the findings: every finding, each card's worst severity, and the
    store's version the count read (or later)."""

    findings: tuple[Finding, ...] = ()
    worst: dict[str, Severity] = field(default_factory=dict)
    version: Any = None


class FindingsIndex:
    """The last findings count, shared by the screens (the board counts; the planning and
    dependency lists and the card detail read it), and the changed cards waiting for the
    next count to say whether they made a finding.

    `counted` is replaced whole by `update`, so a reader on another thread sees one count
    or the next, never half of one.
    """

    def __init__(self) -> None:
        self.counted: Counted | None = None
        self._watched: dict[str, frozenset[FindingId]] = {}
        self._tally = _Tally()

    def severity(self, key: str) -> Severity | None:
        """The card's badge severity (None: no badge), from the last count."""
        counted = self.counted
        return None if counted is None else counted.worst.get(key)

    @property
    def worst(self) -> dict[str, Severity]:
        counted = self.counted
        return {} if counted is None else counted.worst

    def watch(self, key: str, *, new_card: bool = False) -> None:
        """A change to card `key` is being saved: the next count says what it made new.
        Without a count yet (and not a new card) there is nothing to compare with."""
        if key in self._watched:
            return  # the first change since the last count holds the "before"
        if new_card:
            self._watched[key] = frozenset()
        elif self.counted is not None:
            ids = {finding_id(f) for f in concerning(self.counted.findings, key)}
            self._watched[key] = frozenset(ids)

    def unwatch(self, key: str) -> None:
        """The change was not made after all (a form cancelled)."""
        self._watched.pop(key, None)

    def update(
        self, findings: Iterable[Finding], version: Any = None, *, settle: bool = True
    ) -> list[tuple[str, Finding]]:
        """Take a new count; return (card key, finding) for each finding new on a watched
        card since its change began (those cards are then no longer watched). A count that
        may have read the plan before the changes were written (`settle` False) leaves them
        watched for the next one."""
        found = tuple(findings)
        self.counted = Counted(found, self._tally.follow(found), version)
        news: list[tuple[str, Finding]] = []
        if not settle:
            return news
        for key, before in self._watched.items():
            news.extend((key, finding) for finding in _new(before, found, frozenset((key,))))
        self._watched.clear()
        return news

    def fresh_for(self, key: str, version: Any) -> list[Finding] | None:
        """The card's findings from the last count if it read `version`; else None."""
        counted = self.counted
        if counted is None or counted.version is None or counted.version != version:
            return None
        return concerning(counted.findings, key)


def announce(news: list[tuple[str, Finding]]) -> str | None:
    """One toast for what a save made: the first new finding (worst first), and how many
    more; None when nothing is new."""
    if not news:
        return None
    news = sorted(news, key=lambda item: item[1].severity.rank)
    key, finding = news[0]
    return toast_line(finding, key, more=len({id(f) for _, f in news}) - 1)


def late_link(
    blocker: Mapping[str, Any],
    dependent: Mapping[str, Any],
    sprints: Iterable[Mapping[str, Any]],
    today: date,
) -> str | None:
    """What is late about a new link, in one line, or None: the blocker planned after its
    dependent's sprint (or still in the backlog), or the blocker overdue and not done."""
    if blocker["status"] == "done":
        return None
    b, d = blocker["key"], dependent["key"]
    node_b, node_d = CardNode.from_row(blocker), CardNode.from_row(dependent)
    if link_colour(node_b, node_d, sprint_order(sprints)) is LATE:
        if blocker["sprint"] is None:
            sprint = dependent["sprint"]
            return f"{d}: blocker {b} is still in the backlog, {d} in {sprint} (dep-order)"
        return (
            f"{d}: blocker {b} is in a later sprint ({blocker['sprint']}, {d} in "
            f"{dependent['sprint']}) (dep-order)"
        )
    due = stored_day(blocker.get("due"))
    if due is not None and due < today:
        return f"{d}: blocker {b} is overdue (due {due.isoformat()})"
    return None


def read_late_link(store: Any, blocker: str, dependent: str) -> str | None:
    """`late_link` for a link just added, read on the database thread."""
    return late_link(
        store.cards.get(blocker),
        store.cards.get(dependent),
        store.sprints.list(),
        date.fromisoformat(store.today()),
    )
