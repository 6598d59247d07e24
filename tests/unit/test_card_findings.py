"""Findings card by card: each card's worst severity (its badge), which findings a change
made new (the toast after a save), and a new link's late blocker."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sprintboard.planning.findings import Finding, Severity
from sprintboard.views.card_findings import (
    FindingsIndex,
    announce,
    concerning,
    late_link,
    new_findings,
    worst_by_card,
)

E = Severity.ERROR
W = Severity.WARNING
I = Severity.INFO  # noqa: E741

LATE = Finding(E, "dep-order", ("IT-4", "IT-5"), "IT-5 (IT, S1) waits on IT-4 (IT), planned later")
SAME = Finding(I, "dep-order", ("IT-4", "DATA-2"), "DATA-2 waits on IT-4 in the same sprint")
CHECK = Finding(W, "done-open-checklist", ("CS-2",), "CS-2 is done with 1 item open")
SLACK = Finding(W, "external-slack", ("IT-5",), "IT-5 has no slack")
FEEDBACK = Finding(W, "feedback-untriaged", (), "FB-4 waited", subject="FB-4")


def test_worst_severity_per_card() -> None:
    worst = worst_by_card([SLACK, LATE, SAME, CHECK, FEEDBACK])
    # An error beats a warning whatever the order; info marks no card; a finding about
    # feedback names no card.
    assert worst == {"IT-5": E, "IT-4": E, "CS-2": W}
    assert worst_by_card([SAME]) == {}
    assert worst_by_card([]) == {}


def test_a_goal_over_budget_badges_none_of_the_cards_it_names() -> None:
    over = Finding(W, "goal-budget", ("IT-5", "CS-3"), "goal 1 planned cost is over its budget")
    assert worst_by_card([over, CHECK]) == {"CS-2": W}
    assert concerning([over, CHECK], "CS-3") == [over]  # the card's detail still says it


def test_new_findings_are_those_a_change_made_on_the_changed_cards() -> None:
    before = [SAME, CHECK]
    after = [LATE, SAME, CHECK, SLACK]
    assert new_findings(before, after, ["IT-5"]) == [LATE, SLACK]
    assert new_findings(before, after, ["IT-4"]) == [LATE]
    # Not about the changed card, or there already, or info: not new.
    assert new_findings(before, after, ["CS-2"]) == []
    assert new_findings([], [SAME], ["DATA-2"]) == []
    # The same rule on other cards is another finding.
    moved = Finding(E, "dep-order", ("IT-4", "IT-6"), "IT-6 waits on IT-4")
    assert new_findings([LATE], [moved], ["IT-4"]) == [moved]


def test_the_index_compares_a_change_with_the_count_before_it() -> None:
    index = FindingsIndex()
    index.watch("IT-5")  # no count yet: nothing to compare with, nothing said
    assert index.update([SAME], version=(1, 1)) == []
    assert index.severity("IT-5") is None

    index.watch("IT-5")
    index.watch("IT-5")  # a second change before the count keeps the first "before"
    # A count that read the plan before the change was written says nothing yet...
    assert index.update([SAME], version=(1, 2), settle=False) == []
    # ...the next one does, once; the card is then no longer watched.
    assert index.update([LATE, SAME], version=(1, 3)) == [("IT-5", LATE)]
    assert index.severity("IT-5") is E and index.severity("IT-4") is E
    assert index.update([LATE, SAME], version=(1, 3)) == []

    # A finding there before the change is not news; a cancelled edit says nothing.
    index.watch("IT-5")
    assert index.update([LATE, SLACK], version=(1, 4)) == [("IT-5", SLACK)]
    index.watch("CS-2")
    index.unwatch("CS-2")
    assert index.update([LATE, SLACK, CHECK]) == []
    # A new card had no findings before it.
    index.watch("CS-9", new_card=True)
    made = Finding(W, "card-incomplete", ("CS-9",), "CS-9 has no points")
    assert index.update([made]) == [("CS-9", made)]


def test_fresh_findings_only_for_the_version_counted() -> None:
    index = FindingsIndex()
    assert index.fresh_for("IT-5", (1, 1)) is None
    index.update([LATE, SAME, SLACK], version=(1, 1))
    assert index.fresh_for("IT-5", (1, 1)) == [LATE, SLACK]
    assert index.fresh_for("CS-2", (1, 1)) == []
    assert index.fresh_for("IT-5", (1, 2)) is None


def test_one_toast_worst_first() -> None:
    assert announce([]) is None
    line = announce([("IT-5", SLACK), ("IT-5", LATE)])
    assert line == (
        "IT-5: IT-5 (IT, S1) waits on IT-4 (IT), planned later (dep-order); "
        "and 1 more (! lists them)"
    )
    assert (
        announce([("CS-2", CHECK)]) == "CS-2: CS-2 is done with 1 item open (done-open-checklist)"
    )


SPRINTS = [
    {"id": 1, "name": "S1", "start": "2026-03-02"},
    {"id": 2, "name": "S2", "start": "2026-03-16"},
]


def card(
    key: str, sprint: str | None, status: str = "todo", due: str | None = None
) -> dict[str, Any]:
    return {
        "key": key,
        "team": key.split("-")[0],
        "status": status,
        "points": 3,
        "sprint": sprint,
        "title": "t",
        "due": due,
    }


def test_a_new_links_late_blocker() -> None:
    today = date(2026, 3, 10)
    dependent = card("IT-5", "S1")
    assert late_link(card("IT-4", "S2"), dependent, SPRINTS, today) == (
        "IT-5: blocker IT-4 is in a later sprint (S2, IT-5 in S1) (dep-order)"
    )
    assert late_link(card("IT-4", None), dependent, SPRINTS, today) == (
        "IT-5: blocker IT-4 is still in the backlog, IT-5 in S1 (dep-order)"
    )
    assert late_link(card("IT-4", "S1", due="2026-03-09"), dependent, SPRINTS, today) == (
        "IT-5: blocker IT-4 is overdue (due 2026-03-09)"
    )
    # In time, due today, or done: nothing to say.
    assert late_link(card("IT-4", "S1"), dependent, SPRINTS, today) is None
    assert late_link(card("IT-4", "S1", due="2026-03-10"), dependent, SPRINTS, today) is None
    assert late_link(card("IT-4", "S2", status="done"), dependent, SPRINTS, today) is None


def test_badges_followed_count_after_count_equal_a_count_from_scratch() -> None:
    """The index keeps how many findings name each card and updates only the cards of the
    findings that differ from the last count (kept ones are the same objects, as an
    incremental count gives them); after each count its badges must be worst_by_card's."""
    rng = random.Random(3)
    keys = [f"IT-{n}" for n in range(40)]
    rules = ["dep-order", "capacity", "goal-budget", "external-slack"]

    def finding() -> Finding:
        cards = tuple(rng.sample(keys, rng.randint(0, 6)))
        severity = rng.choice([E, W, I])
        return Finding(severity, rng.choice(rules), cards * rng.randint(1, 2), "why")

    index = FindingsIndex()
    found = [finding() for _ in range(12)]
    held = []
    for _ in range(300):
        kept = [f for f in found if rng.random() < 0.8]
        found = kept + [finding() for _ in range(rng.randint(0, 4))]
        rng.shuffle(found)
        index.update(found)
        held.append((index.worst, dict(index.worst)))
        assert index.worst == worst_by_card(found)
    # Each count's map is its own: a later count never changes one handed out before.
    assert all(worst == copy for worst, copy in held)


def test_one_finding_object_listed_twice_counts_twice() -> None:
    """A count may hold one object twice (two scopes sharing it); dropping one copy must
    leave the badge the other findings give, as a count from scratch says."""
    twice = Finding(E, "dep-order", ("IT-1",), "why")
    other = Finding(E, "dep-cycle", ("IT-1",), "why")
    warned = Finding(W, "capacity", ("IT-1", "IT-2"), "why")
    index = FindingsIndex()
    for found in ([twice, other, warned], [twice, twice, other, warned], [other, warned]):
        index.update(found)
        assert index.worst == worst_by_card(found)
    assert index.worst["IT-1"] is E
    for found in ([twice, twice, warned], [twice, warned], [warned], [twice, twice], []):
        index.update(found)
        assert index.worst == worst_by_card(found)
