"""The tools that read the plan: cards, dependencies, findings, sprints and capacity,
feedback, goals and reports. Each returns the command line's `--json` shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from sprintboard.agent.outputs import (
    CardDetail,
    CardList,
    CheckResult,
    DependencyList,
    FeedbackJson,
    FeedbackList,
    GoalList,
    SprintList,
    SprintReport,
    SprintStatus,
)
from sprintboard.agent.plan import (
    CATEGORIES,
    PRIORITIES,
    STATUSES,
    TRIAGE_STATES,
    AgentPlan,
    FeedbackArg,
    KeyArg,
    LimitArg,
    OptCategoryArg,
    OptPriorityArg,
    OptStatusArg,
    OptTeamArg,
    OptTriageArg,
    SprintArg,
    choice,
    goal_ref,
    refusals_as_errors,
    sprint_ref,
)
from sprintboard.errors import UserError
from sprintboard.io.json_shapes import (
    card_detail_json,
    card_json,
    dep_json,
    feedback_json,
    sprint_json,
)
from sprintboard.planning.findings import Severity

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from sprintboard.store import Store

READING = ToolAnnotations(read_only_hint=True, open_world_hint=False)
SEVERITIES = [s.value for s in Severity]
SPRINT_STATES = ["planned", "active", "closed"]
VIEWS_HELP = "An inbox view: new (snoozes whose day has come included), snoozed, shipped, ..."

GoalArg = Annotated[int | None, Field(description="Goal id.")]
TextArg = Annotated[str | None, Field(description="Cards whose key or title contains this.")]
LabelArg = Annotated[str | None, Field(description="Cards with this label (any case).")]
CurrentSprint = Annotated[str, Field(description="Sprint name, or 'current' (the active one).")]


def card_list(
    store: Store,
    *,
    team: str | None,
    sprint: str | None,
    status: str | None,
    label: str | None,
    priority: str | None,
    text: str | None,
    goal: int | None,
    limit: int,
) -> CardList:
    """The board's filters, as `card list` applies them."""
    searchable("text", text)
    filters = {
        "sprint": sprint_ref(store, sprint),
        "team": team,
        "status": choice("status", status, STATUSES),
        "goal": goal_ref(store, goal),
        "text": text,
        "label": label,
        "priority": choice("priority", priority, PRIORITIES),
    }
    rows = store.cards.query(**filters, limit=limit)
    total = len(rows) if len(rows) < limit else store.cards.count(**filters)
    return {"cards": [card_json(r) for r in rows], "total": total}  # type: ignore[misc]


def searchable(field: str, text: str | None) -> None:
    """Refuse a search longer than a title: it matches nothing, and past SQLite's LIKE limit
    the query fails."""
    from sprintboard.models import MAX_TITLE

    if text is not None and len(text) > MAX_TITLE:
        raise UserError(f"{field}: is {len(text):,} characters long; at most {MAX_TITLE}")


def sprint_status_json(store: Store, sprint: str) -> SprintStatus:
    """`sprint show --json` and `sprint capacity-report --json` of one sprint."""
    from sprintboard.planning.capacity import sprint_capacity

    found = store.sprints.resolve(sprint)
    if found is None:
        raise UserError("sprint: 'backlog' is not a sprint; name a sprint or 'current'")
    row = next(r for r in store.sprints.list() if r["id"] == found["id"])
    cap = sprint_capacity(store, found["name"])
    return {"sprint": sprint_json(row), "capacity": cap.to_dict()}  # type: ignore[typeddict-item]


def check_plan(
    plan: AgentPlan,
    store: Store,
    *,
    sprint: str | None = None,
    team: str | None = None,
    severity: str | None = None,
    card: str | None = None,
    limit: int | None = None,
) -> CheckResult:
    """`check --json`, narrowed to a team's or a card's findings and a severity and worse."""
    from sprintboard.planning.checks import summary
    from sprintboard.planning.findings import finding_teams

    worst = Severity(choice("severity", severity, SEVERITIES) or "info").rank
    code = store.teams.get(team)["code"] if team else None
    key = store.cards.get(card)["key"] if card else None
    every = plan.findings(store, sprint)
    found = [f for f in every if f.severity.rank <= worst]
    if key is not None:
        found = [f for f in found if key in f.cards]
    if code is not None:
        from sprintboard.store.seam_reads import card_teams

        # Only the cards the findings name, not the plan.
        teams_of = card_teams(store, {k for f in found for k in f.cards})
        found = [f for f in found if code in finding_teams(f, teams_of)]
    return {
        "findings": [f.as_json() for f in found[:limit]],  # type: ignore[misc]
        "matching": len(found),
        "total": len(every),
        "summary": summary(every),
    }


def register_read_tools(server: MCPServer[Any], plan: AgentPlan) -> None:
    """Add the reading tools to `server`."""
    tool = server.tool

    @tool(annotations=READING)
    @refusals_as_errors
    def list_cards(
        ctx: Context,
        team: OptTeamArg = None,
        sprint: SprintArg = None,
        status: OptStatusArg = None,
        label: LabelArg = None,
        priority: OptPriorityArg = None,
        text: TextArg = None,
        goal: GoalArg = None,
        limit: LimitArg = 100,
    ) -> CardList:
        """Cards matching every filter given, in board order (column, then position), as
        `sprintboard card list --json` prints them; `total` counts every match."""
        return card_list(
            plan.store(ctx),
            team=team,
            sprint=sprint,
            status=status,
            label=label,
            priority=priority,
            text=text,
            goal=goal,
            limit=limit,
        )

    @tool(annotations=READING)
    @refusals_as_errors
    def search_cards(
        ctx: Context,
        query: Annotated[str, Field(description="Text in the card's key or title.")],
        team: OptTeamArg = None,
        sprint: SprintArg = None,
        status: OptStatusArg = None,
        label: LabelArg = None,
        priority: OptPriorityArg = None,
        limit: LimitArg = 50,
    ) -> CardList:
        """Cards whose key or title contains `query` (any case), with the board's filters."""
        if not query.strip():
            raise UserError("query: must not be empty (got '')")
        searchable("query", query)
        return card_list(
            plan.store(ctx),
            team=team,
            sprint=sprint,
            status=status,
            label=label,
            priority=priority,
            text=query,
            goal=None,
            limit=limit,
        )

    @tool(annotations=READING)
    @refusals_as_errors
    def show_card(ctx: Context, key: KeyArg) -> CardDetail:
        """One card with its dependencies both ways, its comments and its checklist."""
        return card_detail_json(plan.store(ctx), key)  # type: ignore[return-value]

    @tool(annotations=READING)
    @refusals_as_errors
    def list_dependencies(
        ctx: Context,
        card: Annotated[str | None, Field(description="Links to or from this card.")] = None,
        team: OptTeamArg = None,
        cross_team: Annotated[bool, Field(description="Only links between teams.")] = False,
        limit: LimitArg = 200,
    ) -> DependencyList:
        """Dependencies (blocker must be done before dependent), as `dep list --json`;
        `total` counts every match."""
        rows = plan.store(ctx).deps.list(card=card, team=team)
        if cross_team:
            rows = [r for r in rows if r["cross_team"]]
        return {"dependencies": [dep_json(r) for r in rows[:limit]], "total": len(rows)}  # type: ignore[misc]

    @tool(annotations=READING)
    @refusals_as_errors
    def check(
        ctx: Context,
        team: Annotated[str | None, Field(description="Only findings about this team.")] = None,
        severity: Annotated[
            str | None,
            Field(
                description="This severity and worse (warning: errors and warnings).",
                json_schema_extra={"enum": SEVERITIES},
            ),
        ] = None,
        card: Annotated[str | None, Field(description="Only findings naming this card.")] = None,
        sprint: Annotated[
            str | None, Field(description="Check one sprint (default: every open sprint).")
        ] = None,
        limit: LimitArg = 200,
    ) -> CheckResult:
        """The seam checks (`sprintboard check --json`): each finding's severity, rule,
        cards, why and fix, errors first; `matching` counts the findings these filters
        keep, `total` every finding, `summary` counts them by severity."""
        store = plan.store(ctx)
        return check_plan(
            plan, store, sprint=sprint, team=team, severity=severity, card=card, limit=limit
        )

    @tool(annotations=READING)
    @refusals_as_errors
    def list_sprints(
        ctx: Context,
        state: Annotated[
            str | None,
            Field(description="Sprint state.", json_schema_extra={"enum": SPRINT_STATES}),
        ] = None,
    ) -> SprintList:
        """Sprints with their cards and points, as `sprint list --json`."""
        rows = plan.store(ctx).sprints.list(choice("state", state, SPRINT_STATES))
        return {"sprints": [sprint_json(r) for r in rows]}  # type: ignore[misc]

    @tool(annotations=READING)
    @refusals_as_errors
    def sprint_status(ctx: Context, sprint: CurrentSprint = "current") -> SprintStatus:
        """A sprint's state, points and per-team capacity against load (planned points,
        capacity, velocity, over-capacity, the cross-team cards that load other teams)."""
        return sprint_status_json(plan.store(ctx), sprint)

    @tool(annotations=READING)
    @refusals_as_errors
    def list_feedback(
        ctx: Context,
        view: Annotated[str | None, Field(description=VIEWS_HELP)] = None,
        state: OptTriageArg = None,
        category: OptCategoryArg = None,
        card: Annotated[str | None, Field(description="Feedback linked to this card.")] = None,
        limit: LimitArg = 50,
    ) -> FeedbackList:
        """Customer feedback in triage order (urgent first, most reported, oldest), as
        `feedback list --json`; the triage inbox is view 'new'."""
        store = plan.store(ctx)
        rows = store.feedback.listing(
            view=view,
            state=choice("state", state, TRIAGE_STATES),
            category=choice("category", category, CATEGORIES),
            card=card,
            limit=limit,
            wake=not plan.read_only,
        )
        return {"feedback": [feedback_json(r) for r in rows]}  # type: ignore[misc]

    @tool(annotations=READING)
    @refusals_as_errors
    def show_feedback(ctx: Context, feedback: FeedbackArg) -> FeedbackJson:
        """One feedback item."""
        return feedback_json(plan.store(ctx).feedback.get(feedback))  # type: ignore[return-value]

    @tool(annotations=READING)
    @refusals_as_errors
    def goals(
        ctx: Context, goal: Annotated[int | None, Field(description="One goal's id.")] = None
    ) -> GoalList:
        """Goals with KPI progress, cards progress by team, ROI, status and the suggested
        status, as `goal progress --json`."""
        from sprintboard.planning.goals import goal_progress

        found = goal_progress(plan.store(ctx), None if goal is None else str(goal))
        return {"goals": [g.to_dict() for g in found]}

    @tool(annotations=READING)
    @refusals_as_errors
    def sprint_report(ctx: Context, sprint: CurrentSprint = "current") -> SprintReport:
        """The sprint report as markdown: committed, completed, added, removed and carried
        over, per team (of an open sprint: so far)."""
        from sprintboard.planning.sprint_report import load_report

        report = load_report(plan.store(ctx), sprint)
        return {"sprint": report.sprint, "markdown": report.markdown()}

    @tool(annotations=READING)
    @refusals_as_errors
    def planning_summary(
        ctx: Context,
        sprint: Annotated[
            str | None,
            Field(description="Sprint name or 'current' (default: active, next, last closed)."),
        ] = None,
    ) -> SprintReport:
        """The planning-session summary as markdown (`sprintboard report`): sprint goal,
        capacity, cards by team, open cross-team dependencies and warnings, goals' progress,
        burndown and velocity; for the C-level summary."""
        from sprintboard.io.report import planning_report

        store = plan.store(ctx)
        text = planning_report(store, sprint, fmt="md")
        found = store.sprints.resolve(sprint) if sprint else None
        return {"sprint": found["name"] if found else (sprint or ""), "markdown": text}
