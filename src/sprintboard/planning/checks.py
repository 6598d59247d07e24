"""Seam checks: warnings before a hand-off between teams breaks (`sprintboard check`).

`run_checks(store)` reads what each rule needs (planning/findings_index.py: only the
columns a rule reads, sums in SQL) and lists every finding; the board keeps the same
findings up to date change by change (`IncrementalFindings`). The CLI and the TUI's
findings panel share them. Rule ids are stable: scripts and the README name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sprintboard.errors import UserError
from sprintboard.planning.findings import Finding as Finding
from sprintboard.planning.findings import Severity as Severity
from sprintboard.planning.findings import severity_counts
from sprintboard.planning.findings_index import RULE_IDS, check_store

if TYPE_CHECKING:
    from sprintboard.config import Settings
    from sprintboard.store import Store


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    doc: str

    @property
    def summary(self) -> str:
        """The first paragraph of the rule's description, on one line."""
        return " ".join(self.doc.split("\n\n")[0].split())


RULES: tuple[Rule, ...] = (
    Rule(
        "dep-order",
        """A blocker planned after its dependent (or still in the backlog): error; both in
        the same sprint: info, one per waiting card (a usual way to plan a hand-off: worth
        knowing, not a warning).""",
    ),
    Rule(
        "dep-cycle",
        """Dependencies that wait on each other in a circle: error. Adding one is refused,
        but plans merged by sync can close a circle that neither laptop made alone.""",
    ),
    Rule(
        "capacity",
        """A team with more points planned in a sprint than its capacity (the sprint's
        override, else the team's default): warning; over 120%: error.""",
    ),
    Rule(
        "promo-stock",
        """A promotion for a SKU whose stock is under its reorder threshold (or gone):
        error.""",
    ),
    Rule(
        "promo-restock",
        """A promotion whose SKU is short (under threshold, or fewer on hand than the
        expected orders) and restocks only after the promotion: error. Plenty on hand is
        no risk.""",
    ),
    Rule(
        "promo-throughput",
        """A promotion expecting more orders than the Warehouse ships in a day: warning.""",
    ),
    Rule(
        "feedback-untriaged",
        """Urgent feedback (checkout, cart, payment) untriaged more than N days after it
        came in (config `urgent_feedback_days`): warning. Untriaged is the inbox's `new`
        view, so a snooze whose day has come counts again. Feedback belongs to no sprint:
        skipped with --sprint.""",
    ),
    Rule(
        "card-incomplete",
        """A card in the active sprint (or the sprint checked) with no points, or owned by
        an archived team: warning.""",
    ),
    Rule(
        "goal-empty",
        """A goal no card rolls up to: info. Goals belong to no sprint: skipped with
        --sprint.""",
    ),
    Rule(
        "external-slack",
        """A card waiting on an external provider's card planned in the same sprint or the
        one just before (less than a sprint of slack): warning. Later or unplanned blockers
        are dep-order errors already.""",
    ),
    Rule(
        "done-open-checklist",
        """A card that is done while items of its checklist are still open, in a sprint not
        yet closed (or the sprint checked) or the backlog: warning (a team's part may be
        undone).""",
    ),
    Rule(
        "done-while-blocked",
        """A card in Done while one of its blockers is still open: warning. Cards of closed
        sprints are history and left alone.""",
    ),
    Rule(
        "stored-range",
        """A sprint, a card's due date or a feedback item holds a date out of range (stored
        before dates were checked); charts and calendars skip it until it is fixed.""",
    ),
    Rule(
        "sprint-overlap",
        """Two planned or active sprints share days: a team cannot work in both at once.""",
    ),
    Rule(
        "goal-budget",
        """A goal whose cards' planned cost (their teams' rates plus the cards' own costs)
        exceeds the goal's budget: warning. With --sprint, only goals with a card in it.""",
    ),
    Rule(
        "sprint-budget",
        """A sprint not yet closed (or the sprint checked) whose cards' planned cost exceeds
        the sprint's budget: warning.""",
    ),
    Rule(
        "provider-cost",
        """An external provider whose cost per delivered point rose more than 10% over its
        last (up to 3) closed sprints: warning. With --sprint, only providers with a card in
        it.""",
    ),
)
"""Every rule, in the order findings of one severity are listed."""
assert tuple(r.id for r in RULES) == RULE_IDS


def run_checks(
    store: Store,
    *,
    sprint: str | None = None,
    today: date | None = None,
    settings: Settings | None = None,
) -> list[Finding]:
    """Check the plan in `store`: every sprint not yet closed, or just `sprint` (a name or
    'current'). `today` defaults to the store's clock; `settings` to the config file.
    Errors first, then warnings, then info, each in rule order."""
    if settings is None:
        from sprintboard.config import Settings

        settings = Settings.load()
    name: str | None = None
    if sprint is not None:
        found = store.sprints.resolve(sprint)
        if found is None:
            raise UserError("sprint: check a sprint by name or 'current' (not the backlog)")
        name = found["name"]
    return check_store(
        store,
        today=today or date.fromisoformat(store.today()),
        urgent_feedback_days=settings.urgent_feedback_days,
        sprint=name,
    )


def summary(findings: list[Finding]) -> str:
    """'1 error, 3 warnings, 1 info', or that there is nothing to report."""
    if not findings:
        return "no findings: every seam holds"
    parts = []
    for severity, n in severity_counts(findings).items():
        if severity is Severity.INFO:
            parts.append(f"{n} info")
        else:
            parts.append(f"{n} {severity.value}{'' if n == 1 else 's'}")
    return ", ".join(parts)
