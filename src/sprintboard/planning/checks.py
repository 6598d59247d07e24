"""Seam checks: warnings before a hand-off between teams breaks (`sprintboard check`).

`run_checks(store)` loads the plan with a few bulk reads and runs every rule over it; each
rule is a small function of a `Plan` that yields `Finding`s. The CLI and the TUI's findings
panel share them. Rule ids are stable: scripts and the README name them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.planning.findings import Finding as Finding
from sprintboard.planning.findings import Severity as Severity
from sprintboard.planning.findings import severity_counts
from sprintboard.planning.graph import (
    LATE,
    SAME_SPRINT,
    CardNode,
    DependencyGraph,
    gc_paused,
    sprint_order,
)
from sprintboard.planning.sprint_overlap import overlapping_pairs
from sprintboard.planning.stored_values import check_stored_range
from sprintboard.vocabulary import FIRST_DAY, TeamFormat, stored_day

if TYPE_CHECKING:
    from sprintboard.config import Settings
    from sprintboard.store import Store

WAREHOUSE = "WH"
"""The team whose daily throughput a promotion's expected orders are held against."""
CAPACITY_ERROR_PERCENT = 120
"""Planned points over this share of a team's capacity is an error, not a warning."""


@dataclass
class Plan:
    """Everything the rules read, loaded once (see `Plan.load`).

    `sprint` is the sprint being checked; None checks every sprint not yet closed, plus
    the feedback inbox and the goals, which belong to no sprint.
    """

    cards: list[dict[str, Any]]  # store.deps.plan_cards()
    pairs: list[tuple[str, str]]  # store.deps.pairs()
    sprints: list[dict[str, Any]]  # store.sprints.list()
    teams: dict[str, dict[str, Any]]  # code -> store.teams.list() row
    capacity: dict[tuple[str, str], int]  # (sprint, team) -> override
    stock: dict[str, dict[str, Any]]  # sku -> store.stock.list() row
    feedback: list[dict[str, Any]]  # untriaged: the inbox's `new` view (due snoozes too)
    goals: list[dict[str, Any]]  # store.goals.list()
    today: date
    urgent_feedback_days: int = 2
    sprint: str | None = None
    open_checklists: dict[str, list[str | None]] = field(default_factory=dict)
    """Done cards with open checklist items: key -> each open item's team (or None)."""

    @classmethod
    def load(
        cls, store: Store, *, today: date, urgent_feedback_days: int, sprint: str | None = None
    ) -> Plan:
        return cls(
            cards=store.deps.plan_cards(),
            pairs=store.deps.pairs(),
            sprints=store.sprints.list(),
            teams={t["code"]: t for t in store.teams.list(include_archived=True)},
            capacity=store.deps.capacity_overrides(),
            stock={s["sku"]: s for s in store.stock.list()},
            feedback=store.feedback.inbox("new", today=today),
            goals=store.goals.list(),
            today=today,
            urgent_feedback_days=urgent_feedback_days,
            sprint=sprint,
            open_checklists=store.checklists.open_on_done(),
        )

    @cached_property
    def by_key(self) -> dict[str, dict[str, Any]]:
        return {c["key"]: c for c in self.cards}

    @cached_property
    def order(self) -> dict[str, int]:
        return sprint_order(self.sprints)

    @cached_property
    def graph(self) -> DependencyGraph:
        return DependencyGraph.from_rows(self.cards, self.pairs, self.sprints)

    @cached_property
    def sprint_rows(self) -> dict[str, dict[str, Any]]:
        return {s["name"]: s for s in self.sprints}

    @cached_property
    def in_scope(self) -> frozenset[str]:
        """Names of the sprints being checked."""
        if self.sprint is not None:
            return frozenset({self.sprint})
        return frozenset(s["name"] for s in self.sprints if s["state"] != "closed")

    @cached_property
    def focus(self) -> str | None:
        """The sprint whose cards must be complete: the one checked, else the active one."""
        if self.sprint is not None:
            return self.sprint
        return next((s["name"] for s in self.sprints if s["state"] == "active"), None)

    @cached_property
    def promotions(self) -> list[dict[str, Any]]:
        """Promotion cards not yet done, in the sprint checked (any, without one)."""
        return [
            c
            for c in self.cards
            if c["status"] != "done" and is_promotion(c) and self.touches(c["sprint"])
        ]

    def touches(self, *sprints: str | None) -> bool:
        """Whether a finding about cards in these sprints belongs to this check."""
        return self.sprint is None or self.sprint in sprints


# -- the rules ---------------------------------------------------------------------------


def check_dep_order(plan: Plan) -> Iterator[Finding]:
    """A blocker planned after its dependent (or still in the backlog): error; both in the
    same sprint: info, one per waiting card (a usual way to plan a hand-off: worth knowing,
    not a warning)."""
    same: dict[CardNode, list[CardNode]] = {}
    for link in plan.graph.links():
        if link.style is not LATE and link.style is not SAME_SPRINT:
            continue
        b, d = link.blocker, link.dependent
        if not plan.touches(b.sprint, d.sprint):
            continue
        if link.style is SAME_SPRINT:
            same.setdefault(d, []).append(b)
            continue
        waits = f"{d.key} ({d.team}, {d.sprint}) waits on {b.key} ({b.team})"
        if b.sprint is None:
            yield Finding(
                Severity.ERROR,
                "dep-order",
                (b.key, d.key),
                f"{waits}, still in the backlog",
                fix=f"plan {b.key} in {d.sprint} or earlier, or move {d.key} out of {d.sprint}",
            )
        else:
            yield Finding(
                Severity.ERROR,
                "dep-order",
                (b.key, d.key),
                f"{waits}, planned later in {b.sprint}",
                fix=f"move {b.key} to {d.sprint} or earlier, or {d.key} to {b.sprint} or later",
            )
    for d, blockers in same.items():
        names = ", ".join(b.key for b in blockers)
        waits = ", ".join(f"{b.key} ({b.team})" for b in blockers)
        yield Finding(
            Severity.INFO,
            "dep-order",
            (*(b.key for b in blockers), d.key),
            f"{d.key} ({d.team}, {d.sprint}) waits on {waits} in the same sprint: it can "
            f"start only when {'it is' if len(blockers) == 1 else 'they are'} done",
            fix=f"finish {names} early in {d.sprint}, or plan "
            f"{'it' if len(blockers) == 1 else 'them'} in an earlier sprint",
        )


def check_dep_cycle(plan: Plan) -> Iterator[Finding]:
    """Dependencies that wait on each other in a circle: error. Adding one is refused, but
    plans merged by sync can close a circle that neither laptop made alone."""
    if plan.sprint is not None:
        return
    cycle = plan.graph.find_cycle()
    if cycle is None:
        return
    keys = tuple(dict.fromkeys(cycle))
    yield Finding(
        Severity.ERROR,
        "dep-cycle",
        keys,
        f"{' -> '.join(cycle)}: each waits on the next, so none can start",
        fix=f"remove one of these dependencies (sprintboard dep remove {cycle[0]} {cycle[1]})",
    )


def check_capacity(plan: Plan) -> Iterator[Finding]:
    """A team with more points planned in a sprint than its capacity (the sprint's override,
    else the team's default): warning; over 120%: error."""
    load: dict[tuple[str, str], list[Any]] = {}
    for card in plan.cards:
        sprint = card["sprint"]
        if sprint is None or sprint not in plan.in_scope:
            continue
        entry = load.setdefault((sprint, card["team"]), [0, []])
        entry[0] += card["points"] or 0
        entry[1].append(card["key"])
    for (sprint, team), (points, keys) in sorted(
        load.items(), key=lambda item: (plan.order.get(item[0][0], 0), item[0][1])
    ):
        capacity = plan.capacity.get((sprint, team), int(plan.teams[team]["capacity"]))
        if points <= capacity:
            continue
        # integers, so exactly 120% is never an error by a rounding error
        over = points * 100 > capacity * CAPACITY_ERROR_PERCENT
        severity = Severity.ERROR if over else Severity.WARNING
        share = f"{points / capacity:.0%}" if capacity else "it has none"
        yield Finding(
            severity,
            "capacity",
            tuple(keys),
            f"{team} has {points} points planned in {sprint}, over its capacity of "
            f"{capacity} ({share})",
            subject=f"{sprint}/{team}",
            fix=f"move {points - capacity} points of {team}'s cards out of {sprint}, "
            f"or raise {team}'s capacity there",
        )


def is_promotion(card: dict[str, Any]) -> bool:
    """Labelled `promotion`, or a Marketing card about SKUs."""
    return any(label.lower() == "promotion" for label in card["labels"]) or (
        card["team"] == "MKT" and bool(card["skus"])
    )


def _short(item: dict[str, Any]) -> bool:
    return bool(item["on_hand"] < item["threshold"] or item["on_hand"] == 0)


def check_promo_stock(plan: Plan) -> Iterator[Finding]:
    """A promotion for a SKU whose stock is under its reorder threshold (or gone): error."""
    for card in plan.promotions:
        for sku in card["skus"]:
            item = plan.stock.get(sku)
            if item is None or not _short(item):
                continue
            if item["on_hand"] >= item["threshold"]:
                why = f"SKU {sku} is out of stock"
            else:
                why = (
                    f"SKU {sku} has {item['on_hand']} on hand, under its threshold of "
                    f"{item['threshold']}"
                )
            yield Finding(
                Severity.ERROR,
                "promo-stock",
                (card["key"],),
                why,
                fix=f"wait for a restock of {sku}, pick another SKU, or ask {WAREHOUSE}",
            )


def _promotion_date(plan: Plan, card: dict[str, Any]) -> tuple[str, str] | None:
    """When the promotion runs and how to say it: its due date, else its sprint's end."""
    if card["due"]:
        return str(card["due"]), f"the promotion's due date {card['due']}"
    sprint = plan.sprint_rows.get(card["sprint"]) if card["sprint"] else None
    if sprint is not None:
        return str(sprint["end"]), f"the end of {sprint['name']} ({sprint['end']})"
    return None


def check_promo_restock(plan: Plan) -> Iterator[Finding]:
    """A promotion whose SKU is short (under threshold, or fewer on hand than the expected
    orders) and restocks only after the promotion: error. Plenty on hand is no risk."""
    for card in plan.promotions:
        when = _promotion_date(plan, card)
        if when is None:
            continue
        for sku in card["skus"]:
            item = plan.stock.get(sku)
            if item is None or not item["restock_date"] or str(item["restock_date"]) <= when[0]:
                continue
            orders = card["expected_orders"]
            if not (_short(item) or (orders is not None and orders > item["on_hand"])):
                continue
            yield Finding(
                Severity.ERROR,
                "promo-restock",
                (card["key"],),
                f"SKU {sku} ({item['on_hand']} on hand) restocks on {item['restock_date']}, "
                f"after {when[1]}",
                fix=f"move the promotion after the restock on {item['restock_date']}, "
                f"pick another SKU, or ask {WAREHOUSE}",
            )


def check_promo_throughput(plan: Plan) -> Iterator[Finding]:
    """A promotion expecting more orders than the Warehouse ships in a day: warning."""
    warehouse = plan.teams.get(WAREHOUSE)
    if warehouse is None or warehouse["throughput_per_day"] is None:
        return
    limit = int(warehouse["throughput_per_day"])
    for card in plan.promotions:
        orders = card["expected_orders"]
        if orders is not None and orders > limit:
            yield Finding(
                Severity.WARNING,
                "promo-throughput",
                (card["key"],),
                f"expects {orders} orders, more than the {warehouse['name']} team's "
                f"throughput of {limit} a day",
                fix=f"spread the promotion over more days, or plan the extra shipping with "
                f"{WAREHOUSE}",
            )


def check_feedback_untriaged(plan: Plan) -> Iterator[Finding]:
    """Urgent feedback (checkout, cart, payment) untriaged more than N days after it came in
    (config `urgent_feedback_days`): warning. Untriaged is the inbox's `new` view, so a
    snooze whose day has come counts again. Feedback belongs to no sprint: skipped with
    --sprint."""
    if plan.sprint is not None:
        return
    limit = plan.urgent_feedback_days
    for item in plan.feedback:
        if not item["urgent"]:
            continue
        received = stored_day(item["received_at"]) or FIRST_DAY  # unreadable: very old
        age = (plan.today - received).days
        if age <= limit:
            continue
        reports = f" ({item['reports']} reports)" if item["reports"] > 1 else ""
        yield Finding(
            Severity.WARNING,
            "feedback-untriaged",
            (item["card"],) if item["card"] else (),
            f"urgent {item['category']} feedback FB-{item['id']}{reports} has waited "
            f"{age} days untriaged, over the limit of {limit}",
            subject=f"FB-{item['id']}",
            fix=f"triage FB-{item['id']} in the inbox: accept, merge, decline or snooze it",
        )


def check_card_incomplete(plan: Plan) -> Iterator[Finding]:
    """A card in the active sprint (or the sprint checked) with no points, or owned by an
    archived team: warning."""
    sprint = plan.focus
    if sprint is None:
        return
    for card in plan.cards:
        if card["sprint"] != sprint:
            continue
        problems, fixes = [], []
        if card["points"] is None:
            problems.append("has no points")
            fixes.append("estimate its points")
        if card["team_archived"]:
            problems.append(f"belongs to archived team {card['team']}")
            fixes.append("give it to an active team")
        if problems:
            yield Finding(
                Severity.WARNING,
                "card-incomplete",
                (card["key"],),
                f"{card['key']} in {sprint} {' and '.join(problems)}",
                fix=" and ".join(fixes),
            )


def check_goal_empty(plan: Plan) -> Iterator[Finding]:
    """A goal no card rolls up to: info. Goals belong to no sprint: skipped with --sprint."""
    if plan.sprint is not None:
        return
    for goal in plan.goals:
        if not goal["cards"]:
            yield Finding(
                Severity.INFO,
                "goal-empty",
                (),
                f"goal {goal['id']} {goal['title']!r} has no cards",
                subject=f"goal {goal['id']}",
                fix="roll cards up to it (a card's goal), or remove the goal",
            )


def check_external_slack(plan: Plan) -> Iterator[Finding]:
    """A card waiting on an external provider's card planned in the same sprint or the one
    just before (less than a sprint of slack): warning. Later or unplanned blockers are
    dep-order errors already."""
    external = {code for code, t in plan.teams.items() if t["format"] == TeamFormat.EXTERNAL}
    if not external:
        return
    for link in plan.graph.links():
        b, d = link.blocker, link.dependent
        if b.team not in external or d.team == b.team or b.done or d.done:
            continue
        if b.sprint is None or d.sprint is None or not plan.touches(b.sprint, d.sprint):
            continue
        gap = plan.order[d.sprint] - plan.order[b.sprint]
        if gap not in (0, 1):
            continue
        where = "in the same sprint" if gap == 0 else f"in {b.sprint}, the sprint just before"
        yield Finding(
            Severity.WARNING,
            "external-slack",
            (b.key, d.key),
            f"{d.key} ({d.team}, {d.sprint}) waits on {b.key} from external provider "
            f"{b.team} {where}: leave a sprint of slack",
            fix=f"plan {b.key} at least two sprints before {d.sprint}, or move {d.key} later",
        )


def check_done_while_blocked(plan: Plan) -> Iterator[Finding]:
    """A card in Done while one of its blockers is still open: warning. Cards of closed
    sprints are history and left alone."""
    open_blockers: dict[str, list[str]] = {}
    for link in plan.graph.links():
        b, d = link.blocker, link.dependent
        if d.done and not b.done:
            open_blockers.setdefault(d.key, []).append(b.key)
    for key, blockers in open_blockers.items():
        card = plan.graph.nodes[key]
        if card.sprint is not None and card.sprint not in plan.in_scope:
            continue
        names = ", ".join(blockers)
        them = "it" if len(blockers) == 1 else "them"
        yield Finding(
            Severity.WARNING,
            "done-while-blocked",
            (key, *blockers),
            f"{key} is done while it waits on {names}, still open",
            fix=f"finish {names} (or remove the link if {key} no longer needs {them}), "
            f"or move {key} back out of Done",
        )


def check_done_open_checklist(plan: Plan) -> Iterator[Finding]:
    """A card that is done while items of its checklist are still open, in a sprint not yet
    closed (or the sprint checked) or the backlog: warning (a team's part may be undone)."""
    for key, teams in plan.open_checklists.items():
        card = plan.by_key.get(key)
        if card is None or card["status"] != "done":
            continue
        sprint = card["sprint"]
        if not (sprint in plan.in_scope or (sprint is None and plan.sprint is None)):
            continue
        n = len(teams)
        named = list(dict.fromkeys(t for t in teams if t is not None))
        whose = f" ({', '.join(named)})" if named else ""
        yield Finding(
            Severity.WARNING,
            "done-open-checklist",
            (key,),
            f"{key} is done with {n} checklist item{'s' if n != 1 else ''} still open{whose}",
            fix=f"tick the open items (or remove those no longer needed), or move {key} "
            "back out of Done",
        )


def check_sprint_overlap(plan: Plan) -> Iterator[Finding]:
    """Two planned or active sprints share days: a team cannot work in both at once."""
    for first, second in overlapping_pairs(plan.sprints):
        if plan.sprint is not None and plan.sprint not in (first["name"], second["name"]):
            continue
        yield Finding(
            Severity.WARNING,
            "sprint-overlap",
            (),
            f"{first['name']} ({first['start']} → {first['end']}) and {second['name']} "
            f"({second['start']} → {second['end']}) overlap: move one's dates",
            subject=f"{first['name']}/{second['name']}",
            fix=f"start {second['name']} after {first['end']}, or end {first['name']} before "
            f"{second['start']} ('sprint edit')",
        )


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    check: Callable[[Plan], Iterator[Finding]]

    @property
    def summary(self) -> str:
        """The first line of the rule's docstring."""
        doc = self.check.__doc__ or ""
        return " ".join(doc.split("\n\n")[0].split())


RULES: tuple[Rule, ...] = (
    Rule("dep-order", check_dep_order),
    Rule("dep-cycle", check_dep_cycle),
    Rule("capacity", check_capacity),
    Rule("promo-stock", check_promo_stock),
    Rule("promo-restock", check_promo_restock),
    Rule("promo-throughput", check_promo_throughput),
    Rule("feedback-untriaged", check_feedback_untriaged),
    Rule("card-incomplete", check_card_incomplete),
    Rule("goal-empty", check_goal_empty),
    Rule("external-slack", check_external_slack),
    Rule("done-open-checklist", check_done_open_checklist),
    Rule("done-while-blocked", check_done_while_blocked),
    Rule("stored-range", check_stored_range),
    Rule("sprint-overlap", check_sprint_overlap),
)
"""Every rule, in the order findings of one severity are listed."""


def check_plan(plan: Plan) -> list[Finding]:
    """Run every rule; errors first, then warnings, then info, each in rule order."""
    found: list[tuple[int, int, Finding]] = []
    for index, rule in enumerate(RULES):
        found.extend((f.severity.rank, index, f) for f in rule.check(plan))
    found.sort(key=lambda item: (item[0], item[1]))
    return [f for _, _, f in found]


def run_checks(
    store: Store,
    *,
    sprint: str | None = None,
    today: date | None = None,
    settings: Settings | None = None,
) -> list[Finding]:
    """Check the plan in `store`: every sprint not yet closed, or just `sprint` (a name or
    'current'). `today` defaults to the store's clock; `settings` to the config file."""
    if settings is None:
        from sprintboard.config import Settings

        settings = Settings.load()
    name: str | None = None
    if sprint is not None:
        found = store.sprints.resolve(sprint)
        if found is None:
            raise UserError("sprint: check a sprint by name or 'current' (not the backlog)")
        name = found["name"]
    with gc_paused():
        plan = Plan.load(
            store,
            today=today or date.fromisoformat(store.today()),
            urgent_feedback_days=settings.urgent_feedback_days,
            sprint=name,
        )
        return check_plan(plan)


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
