"""The seam checks' findings as data a change updates: the full check and the incremental one.

Findings are kept by scope, the records they follow from:

- `("card", key)`: the card rules (promo-stock, promo-restock, promo-throughput,
  card-incomplete, its due date's stored-range, done-open-checklist);
- `("dep", key)`: the links into that card (dep-order, external-slack, done-while-blocked);
- `("cap", sprint id, team id)`: a team's load in a sprint (capacity);
- `("fb", id)`: an untriaged feedback item (feedback-untriaged, its stored-range);
- `("cycle",)`, `("goals",)`, `("sprints",)`: dep-cycle, goal-empty, and the sprints'
  stored-range and sprint-overlap;
- `("goal-budget", goal id)`, `("sprint-budget", sprint id)`: a budgeted goal's or sprint's
  planned cost, kept card by card (planning/budget_checks.py);
- `("provider-cost", team id)`: an external provider's cost trend over closed sprints.

`check_store` builds every scope (what `sprintboard check` runs); `IncrementalFindings`
keeps them and, after a change, reads the activity log since its last look and rebuilds
only the scopes the changed records belong to, falling back to the full build when the
change is large or unknown (an import, a sync, a sprint or team edited, a write that left
no activity; a team's rate and a sprint's budget are such edits). Each finding carries its
place in the full check's order, so both list the same findings in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.planning import budget_checks as money
from sprintboard.planning.costs import Pricer
from sprintboard.planning.findings import Finding, Severity
from sprintboard.planning.graph import LATE, SAME_SPRINT, CardNode, gc_paused, link_colour
from sprintboard.planning.sprint_overlap import overlapping_pairs
from sprintboard.store import seam_reads as reads
from sprintboard.store.links import find_cycle
from sprintboard.vocabulary import FIRST_DAY, LAST_DAY, TeamFormat, sprint_span, stored_day

if TYPE_CHECKING:
    from sprintboard.store.database import StoreCore

RULE_IDS = (
    "dep-order",
    "dep-cycle",
    "capacity",
    "promo-stock",
    "promo-restock",
    "promo-throughput",
    "feedback-untriaged",
    "card-incomplete",
    "goal-empty",
    "external-slack",
    "done-open-checklist",
    "done-while-blocked",
    "stored-range",
    "sprint-overlap",
    "goal-budget",
    "sprint-budget",
    "provider-cost",
)
"""Every rule, in the order findings of one severity are listed (checks.RULES documents them)."""
_RULE_INDEX = {rule: i for i, rule in enumerate(RULE_IDS)}

WAREHOUSE = "WH"
"""The team whose daily throughput a promotion's expected orders are held against."""
PROMOTER = "MKT"
"""A card of this team about SKUs is a promotion, labelled or not."""
CAPACITY_ERROR_PERCENT = 120
"""Planned points over this share of a team's capacity is an error, not a warning."""
MAX_CHANGES = 2_000
"""More activity entries than this since the last look: check everything again."""

Scope = tuple[Any, ...]
Entry = tuple[tuple[Any, ...], Finding]
"""A finding with its place in the full check's order: (severity, rule, rule's own order)."""


def _entry(finding: Finding, *order: Any) -> Entry:
    return (finding.severity.rank, _RULE_INDEX[finding.rule], *order), finding


@dataclass
class Context:
    """What every scope reads besides its own records: sprints, teams, stock (small)."""

    today: date
    urgent_feedback_days: int
    sprint: str | None  # the sprint checked; None: every sprint not closed, feedback, goals
    sprints: list[dict[str, Any]]  # seam_reads.sprints(), in time order
    teams: dict[int, tuple[Any, ...]]  # id -> seam_reads.teams() row
    capacity: dict[tuple[int, int], int]
    stock: dict[str, tuple[Any, Any, Any]]

    @classmethod
    def load(
        cls, core: StoreCore, *, today: date, urgent_feedback_days: int, sprint: str | None
    ) -> Context:
        return cls(
            today=today,
            urgent_feedback_days=urgent_feedback_days,
            sprint=sprint,
            sprints=reads.sprints(core),
            teams={row[0]: row for row in reads.teams(core)},
            capacity=reads.capacity_overrides(core),
            stock=reads.stock(core),
        )

    @cached_property
    def sprint_names(self) -> dict[int, str]:
        return {s["id"]: s["name"] for s in self.sprints}

    @cached_property
    def sprint_rows(self) -> dict[str, dict[str, Any]]:
        return {s["name"]: s for s in self.sprints}

    @cached_property
    def order(self) -> dict[str, int]:
        """Sprint name -> its place in time (graph.sprint_order: start, then id)."""
        return {s["name"]: i for i, s in enumerate(self.sprints)}

    @cached_property
    def in_scope(self) -> frozenset[str]:
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
    def codes(self) -> dict[int, str]:
        return {i: row[1] for i, row in self.teams.items()}

    @cached_property
    def team_ids(self) -> dict[str, int]:
        return {row[1]: i for i, row in self.teams.items()}

    @cached_property
    def external(self) -> frozenset[str]:
        return frozenset(row[1] for row in self.teams.values() if row[3] == TeamFormat.EXTERNAL)

    @cached_property
    def archived(self) -> frozenset[int]:
        return frozenset(i for i, row in self.teams.items() if row[6])

    @cached_property
    def pricer(self) -> Pricer:
        rates = {
            i: {"rate_cents": row[7], "rate_unit": row[8], "capacity": row[4]}
            for i, row in self.teams.items()
        }
        return Pricer(rates, {s["id"]: s for s in self.sprints})

    @cached_property
    def budgeted_sprints(self) -> dict[int, int]:
        """Sprint id -> budget, of the sprints in scope that have one."""
        return {
            s["id"]: int(s["budget_cents"])
            for s in self.sprints
            if s["budget_cents"] is not None and s["name"] in self.in_scope
        }

    @cached_property
    def closed(self) -> list[dict[str, Any]]:
        """The closed sprints, in time order."""
        return [s for s in self.sprints if s["state"] == "closed"]

    @cached_property
    def providers(self) -> frozenset[int]:
        """External-provider teams with a rate, not archived (the provider-cost rule's)."""
        return frozenset(
            i
            for i, row in self.teams.items()
            if row[3] == TeamFormat.EXTERNAL and not row[6] and row[7] is not None
        )

    def sprint_id(self, name: str | None) -> int | None:
        for s in self.sprints:
            if s["name"] == name:
                return int(s["id"])
        return None

    def touches(self, *sprints: str | None) -> bool:
        """Whether a finding about cards in these sprints belongs to this check."""
        return self.sprint is None or self.sprint in sprints


# -- the card rules ----------------------------------------------------------------------


def is_promotion(labels: Iterable[str], team: str, skus: list[str]) -> bool:
    """Labelled `promotion`, or a Marketing card about SKUs."""
    return any(label.lower() == "promotion" for label in labels) or (
        team == PROMOTER and bool(skus)
    )


def _short(on_hand: Any, threshold: Any) -> bool:
    return bool(on_hand < threshold or on_hand == 0)


def card_entries(
    ctx: Context, row: tuple[Any, ...], open_teams: list[int | None] | None
) -> list[Entry]:
    """The card rules' findings about one card (a seam_reads.card_rows() row)."""
    card_id, key, team_id, status, sprint_id, points, due, labels, skus, orders = row
    team = ctx.codes[team_id]
    sprint = ctx.sprint_names.get(sprint_id) if sprint_id is not None else None
    found: list[Entry] = []
    if status != "done" and is_promotion(labels, team, skus) and ctx.touches(sprint):
        found += _promotion(ctx, card_id, key, sprint, due, skus, orders)
    if sprint is not None and sprint == ctx.focus:
        problems, fixes = [], []
        if points is None:
            problems.append("has no points")
            fixes.append("estimate its points")
        if team_id in ctx.archived:
            problems.append(f"belongs to archived team {team}")
            fixes.append("give it to an active team")
        if problems:
            found.append(
                _entry(
                    Finding(
                        Severity.WARNING,
                        "card-incomplete",
                        (key,),
                        f"{key} in {sprint} {' and '.join(problems)}",
                        fix=" and ".join(fixes),
                    ),
                    card_id,
                )
            )
    if due and stored_day(due) is None:
        found.append(
            _entry(
                Finding(
                    Severity.WARNING,
                    "stored-range",
                    (str(key),),
                    f"due date {due} is out of range ({_ALLOWED}); fix with 'card edit'",
                    fix="set a due date in range, or clear it, with 'card edit'",
                ),
                1,
                card_id,
            )
        )
    scoped = sprint in ctx.in_scope or (sprint is None and ctx.sprint is None)
    if open_teams and status == "done" and scoped:
        n = len(open_teams)
        named = list(dict.fromkeys(ctx.codes[t] for t in open_teams if t is not None))
        whose = f" ({', '.join(named)})" if named else ""
        found.append(
            _entry(
                Finding(
                    Severity.WARNING,
                    "done-open-checklist",
                    (key,),
                    f"{key} is done with {n} checklist item{'s' if n != 1 else ''} still "
                    f"open{whose}",
                    fix=f"tick the open items (or remove those no longer needed), or move "
                    f"{key} back out of Done",
                ),
                card_id,
            )
        )
    return found


def _promotion(
    ctx: Context,
    card_id: int,
    key: str,
    sprint: str | None,
    due: Any,
    skus: list[str],
    orders: int | None,
) -> list[Entry]:
    found: list[Entry] = []
    for n, sku in enumerate(skus):  # promo-stock
        item = ctx.stock.get(sku)
        if item is None or not _short(item[0], item[1]):
            continue
        if item[0] >= item[1]:
            why = f"SKU {sku} is out of stock"
        else:
            why = f"SKU {sku} has {item[0]} on hand, under its threshold of {item[1]}"
        found.append(
            _entry(
                Finding(
                    Severity.ERROR,
                    "promo-stock",
                    (key,),
                    why,
                    fix=f"wait for a restock of {sku}, pick another SKU, or ask {WAREHOUSE}",
                ),
                card_id,
                n,
            )
        )
    when: tuple[str, str] | None = None  # promo-restock: its due date, else its sprint's end
    if due:
        when = str(due), f"the promotion's due date {due}"
    elif sprint is not None:
        row = ctx.sprint_rows.get(sprint)
        if row is not None:
            when = str(row["end"]), f"the end of {row['name']} ({row['end']})"
    for n, sku in enumerate(skus if when is not None else ()):
        item = ctx.stock.get(sku)
        assert when is not None
        if item is None or not item[2] or str(item[2]) <= when[0]:
            continue
        if not (_short(item[0], item[1]) or (orders is not None and orders > item[0])):
            continue
        found.append(
            _entry(
                Finding(
                    Severity.ERROR,
                    "promo-restock",
                    (key,),
                    f"SKU {sku} ({item[0]} on hand) restocks on {item[2]}, after {when[1]}",
                    fix=f"move the promotion after the restock on {item[2]}, pick another "
                    f"SKU, or ask {WAREHOUSE}",
                ),
                card_id,
                n,
            )
        )
    warehouse = ctx.teams.get(ctx.team_ids.get(WAREHOUSE, -1))
    if warehouse is not None and warehouse[5] is not None and orders is not None:
        limit = int(warehouse[5])
        if orders > limit:
            found.append(
                _entry(
                    Finding(
                        Severity.WARNING,
                        "promo-throughput",
                        (key,),
                        f"expects {orders} orders, more than the {warehouse[2]} team's "
                        f"throughput of {limit} a day",
                        fix=f"spread the promotion over more days, or plan the extra shipping "
                        f"with {WAREHOUSE}",
                    ),
                    card_id,
                )
            )
    return found


# -- the link rules ----------------------------------------------------------------------


def dep_entries(ctx: Context, d: CardNode, into: list[tuple[int, CardNode]]) -> list[Entry]:
    """The findings about the links into card `d`: (link id, blocker) in link order."""
    found: list[Entry] = []
    same: list[tuple[int, CardNode]] = []
    open_blockers: list[tuple[int, CardNode]] = []
    for link_id, b in into:
        style = link_colour(b, d, ctx.order)
        if d.done and not b.done:
            open_blockers.append((link_id, b))
        if (style is LATE or style is SAME_SPRINT) and ctx.touches(b.sprint, d.sprint):
            if style is SAME_SPRINT:
                same.append((link_id, b))
            else:
                waits = f"{d.key} ({d.team}, {d.sprint}) waits on {b.key} ({b.team})"
                if b.sprint is None:
                    why = f"{waits}, still in the backlog"
                    fix = (
                        f"plan {b.key} in {d.sprint} or earlier, or move {d.key} out of {d.sprint}"
                    )
                else:
                    why = f"{waits}, planned later in {b.sprint}"
                    fix = (
                        f"move {b.key} to {d.sprint} or earlier, or {d.key} to {b.sprint} or later"
                    )
                found.append(
                    _entry(
                        Finding(Severity.ERROR, "dep-order", (b.key, d.key), why, fix=fix), link_id
                    )
                )
        found += _external_slack(ctx, link_id, b, d)
    if same:
        blockers = [b for _, b in same]
        names = ", ".join(b.key for b in blockers)
        waits = ", ".join(f"{b.key} ({b.team})" for b in blockers)
        one = len(blockers) == 1
        found.append(
            _entry(
                Finding(
                    Severity.INFO,
                    "dep-order",
                    (*(b.key for b in blockers), d.key),
                    f"{d.key} ({d.team}, {d.sprint}) waits on {waits} in the same sprint: it "
                    f"can start only when {'it is' if one else 'they are'} done",
                    fix=f"finish {names} early in {d.sprint}, or plan "
                    f"{'it' if one else 'them'} in an earlier sprint",
                ),
                same[0][0],
            )
        )
    if open_blockers and (d.sprint is None or d.sprint in ctx.in_scope):
        names = ", ".join(b.key for _, b in open_blockers)
        them = "it" if len(open_blockers) == 1 else "them"
        found.append(
            _entry(
                Finding(
                    Severity.WARNING,
                    "done-while-blocked",
                    (d.key, *(b.key for _, b in open_blockers)),
                    f"{d.key} is done while it waits on {names}, still open",
                    fix=f"finish {names} (or remove the link if {d.key} no longer needs {them}), "
                    f"or move {d.key} back out of Done",
                ),
                open_blockers[0][0],
            )
        )
    return found


def _late(b: CardNode, d: CardNode) -> Finding:
    """dep-order: blocker `b` planned after its dependent `d`, or still in the backlog."""
    waits = f"{d.key} ({d.team}, {d.sprint}) waits on {b.key} ({b.team})"
    if b.sprint is None:
        why = f"{waits}, still in the backlog"
        fix = f"plan {b.key} in {d.sprint} or earlier, or move {d.key} out of {d.sprint}"
    else:
        why = f"{waits}, planned later in {b.sprint}"
        fix = f"move {b.key} to {d.sprint} or earlier, or {d.key} to {b.sprint} or later"
    return Finding(Severity.ERROR, "dep-order", (b.key, d.key), why, fix=fix)


def _external_slack(ctx: Context, link_id: int, b: CardNode, d: CardNode) -> list[Entry]:
    """A card waiting on an external provider's card planned in the same sprint or the one
    just before."""
    if b.team not in ctx.external or d.team == b.team or b.done or d.done:
        return []
    if b.sprint is None or d.sprint is None or not ctx.touches(b.sprint, d.sprint):
        return []
    gap = ctx.order[d.sprint] - ctx.order[b.sprint]
    if gap not in (0, 1):
        return []
    where = "in the same sprint" if gap == 0 else f"in {b.sprint}, the sprint just before"
    finding = Finding(
        Severity.WARNING,
        "external-slack",
        (b.key, d.key),
        f"{d.key} ({d.team}, {d.sprint}) waits on {b.key} from external provider "
        f"{b.team} {where}: leave a sprint of slack",
        fix=f"plan {b.key} at least two sprints before {d.sprint}, or move {d.key} later",
    )
    return [_entry(finding, link_id)]


def cycle_entries(
    ctx: Context, links: list[tuple[int, int, int]], key_of: Callable[[int], str]
) -> list[Entry]:
    """dep-cycle: the first circle of links met (in link order), named by card keys."""
    if ctx.sprint is not None:
        return []
    successors: dict[int, list[int]] = {}
    for _, b, d in links:
        successors.setdefault(b, []).append(d)
    found = find_cycle(successors)
    if found is None:
        return []
    cycle = [key_of(i) for i in found]
    finding = Finding(
        Severity.ERROR,
        "dep-cycle",
        tuple(dict.fromkeys(cycle)),
        f"{' -> '.join(cycle)}: each waits on the next, so none can start",
        fix=f"remove one of these dependencies (sprintboard dep remove {cycle[0]} {cycle[1]})",
    )
    return [_entry(finding)]


# -- sprints, capacity, feedback, goals --------------------------------------------------


def capacity_entries(
    ctx: Context, sprint_id: int, team_id: int, points: int, keys: Callable[[], list[str]]
) -> list[Entry]:
    """A team with more points planned in a sprint than its capacity: warning; over 120%:
    error. `keys` reads the cards' keys, only when the load is over."""
    sprint = ctx.sprint_names.get(sprint_id)
    if sprint is None or sprint not in ctx.in_scope:
        return []
    team = ctx.codes[team_id]
    capacity = ctx.capacity.get((sprint_id, team_id), int(ctx.teams[team_id][4]))
    if points <= capacity:
        return []
    # integers, so exactly 120% is never an error by a rounding error
    over = points * 100 > capacity * CAPACITY_ERROR_PERCENT
    share = f"{points / capacity:.0%}" if capacity else "it has none"
    finding = Finding(
        Severity.ERROR if over else Severity.WARNING,
        "capacity",
        tuple(keys()),
        f"{team} has {points} points planned in {sprint}, over its capacity of "
        f"{capacity} ({share})",
        subject=f"{sprint}/{team}",
        fix=f"move {points - capacity} points of {team}'s cards out of {sprint}, "
        f"or raise {team}'s capacity there",
    )
    return [_entry(finding, ctx.order.get(sprint, 0), team)]


_ALLOWED = f"dates go from {FIRST_DAY} to {LAST_DAY}"


def feedback_entries(ctx: Context, row: tuple[Any, ...]) -> list[Entry]:
    """An untriaged item (seam_reads.untriaged() row): urgent and waiting too long, or a
    received date out of range. Feedback belongs to no sprint: none with --sprint."""
    if ctx.sprint is not None:
        return []
    fb_id, urgent, reports, received_at, category, card = row
    # the inbox's triage order (SQL puts numbers before text)
    place = (-int(bool(urgent)), -reports, isinstance(received_at, str), str(received_at), fb_id)
    found: list[Entry] = []
    day = stored_day(received_at)
    if urgent:
        age = (ctx.today - (day or FIRST_DAY)).days  # unreadable: very old
        limit = ctx.urgent_feedback_days
        if age > limit:
            many = f" ({reports} reports)" if reports > 1 else ""
            finding = Finding(
                Severity.WARNING,
                "feedback-untriaged",
                (card,) if card else (),
                f"urgent {category} feedback FB-{fb_id}{many} has waited {age} days "
                f"untriaged, over the limit of {limit}",
                subject=f"FB-{fb_id}",
                fix=f"triage FB-{fb_id} in the inbox: accept, merge, decline or snooze it",
            )
            found.append(_entry(finding, *place))
    if day is None:
        finding = Finding(
            Severity.WARNING,
            "stored-range",
            (),
            f"received {received_at}, out of range ({_ALLOWED}); shown as oldest",
            subject=f"FB-{fb_id}",
        )
        found.append(_entry(finding, 2, *place))
    return found


def goal_entries(ctx: Context, goals: list[tuple[int, str]]) -> list[Entry]:
    """Goals no card rolls up to: info. Goals belong to no sprint: none with --sprint."""
    if ctx.sprint is not None:
        return []
    return [
        _entry(
            Finding(
                Severity.INFO,
                "goal-empty",
                (),
                f"goal {goal_id} {title!r} has no cards",
                subject=f"goal {goal_id}",
                fix="roll cards up to it (a card's goal), or remove the goal",
            ),
            goal_id,
        )
        for goal_id, title in goals
    ]


def sprint_entries(ctx: Context) -> list[Entry]:
    """Sprints holding dates out of range (stored-range), and open sprints sharing days."""
    found: list[Entry] = []
    for n, sprint in enumerate(ctx.sprints):
        if ctx.sprint is not None and sprint["name"] != ctx.sprint:
            continue
        try:
            sprint_span(sprint)
        except UserError:  # it names the dates: the finding says it its own way
            finding = Finding(
                Severity.ERROR,
                "stored-range",
                (),
                f"stored dates {sprint['start']} to {sprint['end']} are not a sprint "
                f"({_ALLOWED}, at most a year); fix with 'sprint edit'",
                subject=str(sprint["name"]),
                fix=f"set dates from {FIRST_DAY} to {LAST_DAY} with 'sprint edit'",
            )
            found.append(_entry(finding, 0, n))
    for n, (first, second) in enumerate(overlapping_pairs(ctx.sprints)):
        if ctx.sprint is not None and ctx.sprint not in (first["name"], second["name"]):
            continue
        finding = Finding(
            Severity.WARNING,
            "sprint-overlap",
            (),
            f"{first['name']} ({first['start']} → {first['end']}) and {second['name']} "
            f"({second['start']} → {second['end']}) overlap: move one's dates",
            subject=f"{first['name']}/{second['name']}",
            fix=f"start {second['name']} after {first['end']}, or end {first['name']} before "
            f"{second['start']} ('sprint edit')",
        )
        found.append(_entry(finding, n))
    return found


# -- building scopes ---------------------------------------------------------------------


class Scopes:
    """Findings by scope, and the full check's order over them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_scope: dict[Scope, list[Entry]] = {}
        self._sorted: list[Finding] | None = None
        self.goal_budgets: dict[int, int] = {}  # goal id -> budget, of the goals with one
        self.tallies = money.Tallies(ctx.pricer)

    def put(self, scope: Scope, entries: list[Entry]) -> None:
        if entries:
            self.by_scope[scope] = entries
        else:
            self.by_scope.pop(scope, None)
        self._sorted = None

    def findings(self) -> list[Finding]:
        """Every finding: errors first, then warnings, then info, each in rule order."""
        if self._sorted is None:
            entries = [e for scoped in self.by_scope.values() for e in scoped]
            entries.sort(key=lambda e: e[0])
            self._sorted = [f for _, f in entries]
        return self._sorted

    # Each `fill_*` (re)builds some scopes; None: all of them.

    def fill_cards(self, core: StoreCore, keys: Collection[str] | None) -> None:
        ctx = self.ctx
        if keys is None:
            rows = reads.card_rows(
                core,
                focus=ctx.sprint_id(ctx.focus),
                archived=ctx.archived,
                mkt=ctx.team_ids.get(PROMOTER),
            )
            checklists = reads.open_checklists(core)
            missing = set(checklists) - {r[1] for r in rows}
            if missing:
                rows = sorted([*rows, *reads.card_rows(core, keys=missing)])
        else:
            rows = reads.card_rows(core, keys=keys)
            checklists = reads.open_checklists(core, keys)
            for key in keys:
                self.by_scope.pop(("card", key), None)
        for row in rows:
            self.put(("card", row[1]), card_entries(ctx, row, checklists.get(row[1])))

    def fill_links(self, core: StoreCore, keys: Collection[str] | None) -> None:
        """The scopes of the links into these cards and into the cards waiting on them."""
        ctx = self.ctx
        if keys is None:
            links = reads.links(core)
            nodes = reads.link_nodes(core)
            dependents: Collection[int] = {d for _, _, d in links}
        else:
            ids = reads.card_ids(core, keys)
            for key in keys:
                self.by_scope.pop(("dep", key), None)
            dependents = set(ids.values()) | reads.dependents_of(core, ids.values())
            links = reads.links(core, dependents)
            nodes = reads.link_nodes(core, {*dependents, *(b for _, b, _ in links)})
        cards: dict[int, CardNode] = {}

        def node(card_id: int) -> CardNode:
            found = cards.get(card_id)
            if found is None:
                key, team_id, status, sprint_id = nodes[card_id]
                sprint = ctx.sprint_names.get(sprint_id) if sprint_id is not None else None
                found = cards[card_id] = CardNode(key, ctx.codes[team_id], status, None, sprint)
            return found

        into: dict[int, list[tuple[int, CardNode]]] = {}
        for link_id, b, d in links:
            into.setdefault(d, []).append((link_id, node(b)))
        for d in dependents:
            if d in nodes:
                self.by_scope.pop(("dep", nodes[d][0]), None)
        for d, blockers in into.items():
            dependent = node(d)
            self.put(("dep", dependent.key), dep_entries(ctx, dependent, blockers))
        self._sorted = None

    def fill_cycle(self, core: StoreCore) -> None:
        links = reads.links(core)
        keys: dict[int, str] = {}

        def key_of(card_id: int) -> str:
            if not keys:
                keys.update((i, row[0]) for i, row in reads.link_nodes(core).items())
            return keys[card_id]

        self.put(("cycle",), cycle_entries(self.ctx, links, key_of))

    def fill_capacity(self, core: StoreCore, groups: Collection[tuple[int, int]] | None) -> None:
        ctx = self.ctx
        if groups is None:
            ids = [ctx.sprint_id(name) for name in ctx.in_scope]
            loads = reads.team_loads(core, [i for i in ids if i is not None])
        else:
            for group in groups:
                self.by_scope.pop(("cap", *group), None)
            wanted = [g for g in groups if ctx.sprint_names.get(g[0]) in ctx.in_scope]
            loads = reads.team_loads(core, (), wanted)
        over = [
            g
            for g, points in loads.items()
            if points > ctx.capacity.get(g, int(ctx.teams[g[1]][4]))
            and ctx.sprint_names.get(g[0]) in ctx.in_scope
        ]
        keys = reads.group_keys(core, over)
        for group in over:
            entries = capacity_entries(ctx, *group, loads[group], keys[group].copy)
            self.put(("cap", *group), entries)

    def fill_feedback(self, core: StoreCore, ids: Collection[int] | None) -> None:
        day = self.ctx.today.isoformat()
        if ids is None:
            for scope in [s for s in self.by_scope if s[0] == "fb"]:
                del self.by_scope[scope]
            rows = reads.untriaged(core, day)
        else:
            for fb_id in ids:
                self.by_scope.pop(("fb", fb_id), None)
            rows = reads.untriaged(core, day, ids)
        for row in rows:
            self.put(("fb", row[0]), feedback_entries(self.ctx, row))
        self._sorted = None

    def fill_goals(self, core: StoreCore) -> None:
        self.put(("goals",), goal_entries(self.ctx, reads.empty_goals(core)))

    def fill_budgets(self, core: StoreCore, keys: Collection[str] | None) -> list[tuple[Any, ...]]:
        """goal-budget and sprint-budget: the budgeted goals' and sprints' planned costs; with
        `keys`, those cards priced again where they are now. Returns the cards read."""
        ctx, tallies = self.ctx, self.tallies
        if keys is None:
            self.goal_budgets = reads.goal_budgets(core)
            tallies.goals = {g: money.Tally() for g in self.goal_budgets}
            tallies.sprints = {s: money.Tally() for s in ctx.budgeted_sprints}
            rows = reads.cost_rows(core, goals=tallies.goals, sprints=tallies.sprints)
            tallies.add(rows)
            goals, sprints = set(tallies.goals), set(tallies.sprints)
        else:
            goals, sprints = tallies.drop(keys)
            rows = reads.cost_rows(core, keys=keys)
            joined_goals, joined_sprints = tallies.add(rows)
            goals |= joined_goals
            sprints |= joined_sprints
        self.fill_goal_budgets(core, goals)
        for sprint_id in sprints:
            planned = tallies.sprints[sprint_id].total
            name = ctx.sprint_names[sprint_id]
            found = money.sprint_budget(name, ctx.budgeted_sprints[sprint_id], planned)
            entries = [_entry(found, ctx.order[name])] if found else []
            self.put(("sprint-budget", sprint_id), entries)
        return rows

    def fill_goal_budgets(self, core: StoreCore, goals: Iterable[int]) -> None:
        """The goal-budget findings of these goals, from their tallies. With --sprint, only
        goals with a card in that sprint."""
        ctx = self.ctx
        focus = ctx.sprint_id(ctx.sprint)
        for goal_id in goals:
            tally = self.tallies.goals.get(goal_id)
            found = None
            if (
                tally is not None
                and tally.cents
                and (ctx.sprint is None or reads.has_cards(core, focus, goal=goal_id))
            ):
                found = money.goal_budget(
                    goal_id,
                    self.goal_budgets[goal_id],
                    tally.total,
                    partial(reads.open_goal_keys, core, goal_id, money.SHOWN_CARDS),
                )
            self.put(("goal-budget", goal_id), [_entry(found, goal_id)] if found else [])

    def budgets_changed(self, core: StoreCore) -> None:
        """After goals changed: their budgets read again, a goal given one tallied (its cards
        read), a goal without one any more dropped, and every budgeted goal checked again."""
        budgets = reads.goal_budgets(core)
        tallies = self.tallies
        for goal_id in set(tallies.goals) - set(budgets):
            del tallies.goals[goal_id]
            self.put(("goal-budget", goal_id), [])
        new = [g for g in budgets if g not in tallies.goals]
        for goal_id in new:
            tallies.goals[goal_id] = money.Tally()
        if new:
            tallies.add(reads.cost_rows(core, goals=new), goals=new)
        self.goal_budgets = budgets
        self.fill_goal_budgets(core, budgets)

    def fill_providers(self, core: StoreCore, team_ids: Collection[int] | None) -> None:
        """provider-cost: these external providers' cost trends (None: every provider). With
        --sprint, only providers with a card in that sprint."""
        ctx = self.ctx
        closed = ctx.closed
        focus = ctx.sprint_id(ctx.sprint)
        for team_id in ctx.providers if team_ids is None else team_ids:
            row = ctx.teams.get(team_id)
            found = None
            if (
                row is not None
                and team_id in ctx.providers
                and (ctx.sprint is None or reads.has_cards(core, focus, team=team_id))
            ):
                done = reads.delivered(core, team_id, [s["id"] for s in closed])
                sprints = [(s, *done[s["id"]]) for s in closed if s["id"] in done]
                found = money.provider_cost(row[1], money.provider_trend(row[7], row[8], sprints))
            entries = [_entry(found, row[9], row[1])] if found and row else []
            self.put(("provider-cost", team_id), entries)

    def fill_all(self, core: StoreCore) -> None:
        self.fill_cards(core, None)
        self.fill_links(core, None)
        self.fill_cycle(core)
        self.fill_capacity(core, None)
        self.fill_feedback(core, None)
        self.fill_goals(core)
        self.put(("sprints",), sprint_entries(self.ctx))
        self.fill_budgets(core, None)
        self.fill_providers(core, None)


def check_store(
    core: StoreCore, *, today: date, urgent_feedback_days: int, sprint: str | None = None
) -> list[Finding]:
    """The full check: every finding, as `sprintboard check` lists them (`sprint`: a sprint's
    name, to check only it)."""
    with gc_paused():
        ctx = Context.load(
            core, today=today, urgent_feedback_days=urgent_feedback_days, sprint=sprint
        )
        scopes = Scopes(ctx)
        scopes.fill_all(core)
        return scopes.findings()


# -- what a change touched ---------------------------------------------------------------


@dataclass
class Touched:
    """The records a change wrote, as far as the checks care (see `touched_by`).

    `groups`: per card whose load may have moved, the sprint and team ids it was or is in
    (its current ones are read too). `cards`: every card changed, whose costs are priced
    again. `budgets`: a goal changed (its budget, say). `everything`: check the whole plan
    again.
    """

    cards: set[str] = field(default_factory=set)
    groups: dict[str, tuple[set[Any], set[Any]]] = field(default_factory=dict)
    feedback: set[int] = field(default_factory=set)
    all_feedback: bool = False
    goals: bool = False
    budgets: bool = False
    stock: bool = False
    links_added: bool = False
    links_changed: bool = False
    everything: bool = False

    def load_moved(self, key: str, sprint: Any = None, team: Any = None) -> None:
        sprints, teams = self.groups.setdefault(key, (set(), set()))
        if sprint is not None:
            sprints.add(sprint)
        if team is not None:
            teams.add(team)


IGNORED = frozenset({"comment", "member", "card_team", "measure", "plan_setting"})
"""Records no rule reads (the currency is not in a finding's words)."""
LOAD_FIELDS = frozenset({"sprint_id", "team_id", "points"})


def _value(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def touched_by(entries: Iterable[tuple[Any, ...]]) -> Touched:
    """What activity entries (seam_reads.activity_since rows) touched."""
    touched = Touched()
    for _, entity, key, op, column, before, after in entries:
        if entity in IGNORED:
            continue
        if entity in ("card", "checklist_item", "dependency", "feedback") and not key:
            touched.everything = True
        elif entity == "card":
            if column == "key":
                touched.everything = True
            touched.cards.add(key)
            if op != "update":
                for text in (before, after):
                    row = _value(text)
                    if isinstance(row, dict):
                        touched.load_moved(key, row.get("sprint_id"), row.get("team_id"))
                touched.goals = True
                touched.all_feedback |= op == "delete"  # its feedback lost its card
            elif column in LOAD_FIELDS:
                touched.load_moved(key)
                for text in (before, after):
                    value = _value(text)
                    if column == "sprint_id":
                        touched.load_moved(key, sprint=value)
                    elif column == "team_id":
                        touched.load_moved(key, team=value)
            elif column == "goal_id":
                touched.goals = True
        elif entity == "checklist_item":
            touched.cards.add(key)
        elif entity == "dependency":
            touched.cards.update(part for part in key.split(">") if part)
            touched.links_changed = True
            touched.links_added |= op == "create"
        elif entity == "feedback":
            number = key.removeprefix("FB-")
            if number.isdigit():
                touched.feedback.add(int(number))
            else:
                touched.all_feedback = True
        elif entity == "goal":
            touched.goals = True
            touched.budgets = True
        elif entity == "stock":
            touched.stock = True
        else:  # teams, sprints, capacity overrides, anything new: it may change every finding
            touched.everything = True
    return touched


class IncrementalFindings:
    """The findings, kept up to date change by change (on the database thread).

    `refresh(store)` brings them up to the store's present: the first time, and when the
    change is unknown or large, with the full check; else by the activity log since the
    last look, rebuilding only the scopes the changed records belong to.
    """

    def __init__(self, urgent_feedback_days: int) -> None:
        self.urgent_feedback_days = urgent_feedback_days
        self.scopes: Scopes | None = None
        self.seen = 0  # the newest activity entry the findings follow
        self.data_version: int | None = None
        self.last = "none"  # how the last refresh went: full, changes or none (tests, benchmarks)

    def findings(self) -> list[Finding]:
        return [] if self.scopes is None else self.scopes.findings()

    def rebuild(self, store: StoreCore) -> list[Finding]:
        with gc_paused():
            self.data_version = store.data_version()
            self.seen = reads.newest_activity(store)
            ctx = Context.load(
                store,
                today=date.fromisoformat(store.today()),
                urgent_feedback_days=self.urgent_feedback_days,
                sprint=None,
            )
            scopes = Scopes(ctx)
            scopes.fill_all(store)
            self.scopes = scopes
            self.last = "full"
            return scopes.findings()

    def refresh(self, store: StoreCore) -> list[Finding]:
        """Up to date with the store; the findings in the full check's order."""
        scopes = self.scopes
        if scopes is None or scopes.ctx.today.isoformat() != store.today():
            return self.rebuild(store)
        data_version = store.data_version()
        newest = reads.newest_activity(store)
        if newest < self.seen:  # the log went back (a restore): nothing to follow
            return self.rebuild(store)
        if newest == self.seen:
            if data_version != self.data_version:  # written elsewhere, and not logged
                return self.rebuild(store)
            self.last = "none"
            return scopes.findings()
        entries = reads.activity_since(store, self.seen, MAX_CHANGES + 1)
        if len(entries) > MAX_CHANGES:
            return self.rebuild(store)
        touched = touched_by(entries)
        if touched.everything:
            return self.rebuild(store)
        self.update(store, touched)
        self.seen = int(entries[-1][0])
        self.data_version = data_version
        return scopes.findings()

    def update(self, store: StoreCore, touched: Touched) -> None:
        """Rebuild the scopes the touched records belong to."""
        scopes = self.scopes
        assert scopes is not None
        ctx = scopes.ctx
        with gc_paused():
            cards = set(touched.cards)
            if touched.stock:
                ctx.stock = reads.stock(store)
                cards.update(reads.promotion_keys(store, ctx.team_ids.get(PROMOTER)))
            if cards:
                scopes.fill_cards(store, cards)
                scopes.fill_links(store, touched.cards)
            if touched.groups:
                groups = self._groups(store, touched)
                if groups:
                    scopes.fill_capacity(store, groups)
            cycle = scopes.by_scope.get(("cycle",))
            if touched.links_added or (touched.links_changed and cycle):
                scopes.fill_cycle(store)
            if touched.all_feedback:
                scopes.fill_feedback(store, None)
            elif touched.feedback:
                scopes.fill_feedback(store, touched.feedback)
            if touched.goals:
                scopes.fill_goals(store)
            if touched.budgets:
                scopes.budgets_changed(store)
            if touched.cards:
                rows = scopes.fill_budgets(store, touched.cards)
                providers = self._providers(ctx, touched, rows)
                if providers:
                    scopes.fill_providers(store, providers)
            self.last = "changes"

    @staticmethod
    def _providers(ctx: Context, touched: Touched, rows: list[tuple[Any, ...]]) -> set[int]:
        """Providers whose closed sprints held or hold a touched card (`rows`: the touched
        cards as they are now, seam_reads.cost_rows() rows)."""
        if not ctx.providers:
            return set()
        closed = {s["id"] for s in ctx.closed}
        now = {row[0]: (row[3], row[1]) for row in rows}
        found: set[int] = set()
        for key in touched.cards:
            sprints, teams = touched.groups.get(key, (set(), set()))
            sprint_now, team_now = now.get(key, (None, None))
            if closed & {*sprints, sprint_now}:
                found |= ctx.providers & {*teams, team_now}
        return found

    @staticmethod
    def _groups(store: StoreCore, touched: Touched) -> set[tuple[int, int]]:
        """(sprint id, team id) loads the touched cards were or are in."""
        now = {row[1]: (row[4], row[2]) for row in reads.card_rows(store, keys=set(touched.groups))}
        groups: set[tuple[int, int]] = set()
        for key, (sprints, teams) in touched.groups.items():
            sprint_now, team_now = now.get(key, (None, None))
            all_sprints = {*sprints, sprint_now} - {None}
            all_teams = {*teams, team_now} - {None}
            groups.update((s, t) for s in all_sprints for t in all_teams)
        return groups
