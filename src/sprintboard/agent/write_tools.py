"""The tools that change the plan. Each is one store call: validated by the records, one
transaction, one entry in the activity log under `agent:<client name>`, undone by `undo`
(or by a person with `sprintboard undo --any`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from sprintboard.agent.outputs import CardJson, DependencyJson, FeedbackJson, PlanResult, UndoResult
from sprintboard.agent.plan import (
    PRIORITIES,
    STATUSES,
    AgentPlan,
    FeedbackArg,
    KeyArg,
    OptPriorityArg,
    OptStatusArg,
    SprintArg,
    StatusArg,
    TeamArg,
    choice,
    goal_ref,
    refusals_as_errors,
    sprint_ref,
)
from sprintboard.errors import UserError
from sprintboard.io.json_shapes import card_json, dep_json, feedback_json
from sprintboard.store import ALL

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

WRITING = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)
WRITE_TOOLS = (
    "add_card",
    "edit_card",
    "move_card",
    "reorder_card",
    "plan_card",
    "add_dependency",
    "remove_dependency",
    "accept_feedback",
    "duplicate_feedback",
    "decline_feedback",
    "snooze_feedback",
    "undo",
)
"""Left out by `sprintboard mcp --read-only`."""

Points = Annotated[int | None, Field(ge=0, le=1000, description="Story points.")]
Orders = Annotated[int | None, Field(ge=0, description="Expected orders (promotions).")]
Texts = Annotated[list[str] | None, Field(description="Replaces the list when given.")]
Due = Annotated[str | None, Field(description="Due date YYYY-MM-DD ('none' clears it).")]
GoalRef = Annotated[int | str | None, Field(description="Goal id ('none' clears it).")]


def register_write_tools(server: MCPServer[Any], plan: AgentPlan) -> None:
    """Add the tools that change the plan to `server`."""
    tool = server.tool

    @tool(annotations=WRITING)
    @refusals_as_errors
    def add_card(
        ctx: Context,
        title: str,
        team: TeamArg,
        with_teams: Annotated[list[str], Field(description="Contributing teams.")] = [],  # noqa: B006
        sprint: SprintArg = None,
        points: Points = None,
        goal: GoalRef = None,
        status: StatusArg = "backlog",
        priority: Annotated[str, Field(json_schema_extra={"enum": PRIORITIES})] = "medium",
        skus: list[str] = [],  # noqa: B006
        labels: list[str] = [],  # noqa: B006
        due: Due = None,
        assignee: str = "",
        description: str = "",
        expected_orders: Orders = None,
    ) -> CardJson:
        """Add a card (as `sprintboard card add`); returns it with its new key."""
        from sprintboard.models import Card, validate

        model = validate(
            Card,
            {
                "title": title,
                "team": team,
                "teams": list(with_teams),
                "points": points,
                "status": status,
                "priority": priority,
                "skus": list(skus),
                "labels": list(labels),
                "due": due,
                "assignee": assignee,
                "description": description,
                "expected_orders": expected_orders,
            },
        )
        store = plan.store(ctx)
        found = sprint_ref(store, sprint)
        row = store.cards.add(
            model, sprint_id=None if found is ALL else found, goal_id=goal_ref(store, goal)
        )
        return card_json(row)  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def edit_card(
        ctx: Context,
        key: KeyArg,
        title: str | None = None,
        team: Annotated[str | None, Field(description="New owning team (the key stays).")] = None,
        with_teams: Texts = None,
        sprint: SprintArg = None,
        points: Points = None,
        goal: GoalRef = None,
        status: OptStatusArg = None,
        priority: OptPriorityArg = None,
        skus: Texts = None,
        labels: Texts = None,
        due: Due = None,
        assignee: str | None = None,
        description: str | None = None,
        expected_orders: Orders = None,
    ) -> CardJson:
        """Change the fields given (as `sprintboard card edit`); the others stay."""
        store = plan.store(ctx)
        changes: dict[str, Any] = {
            name: value
            for name, value in {
                "title": title,
                "team": team,
                "points": points,
                "status": choice("status", status, STATUSES),
                "priority": choice("priority", priority, PRIORITIES),
                "skus": skus,
                "labels": labels,
                "due": due,
                "assignee": assignee,
                "description": description,
                "expected_orders": expected_orders,
            }.items()
            if value is not None
        }
        if with_teams is not None:
            changes["teams"] = with_teams
        if sprint is not None:
            changes["sprint_id"] = sprint_ref(store, sprint)
        if goal is not None:
            changes["goal_id"] = goal_ref(store, goal)
        if isinstance(due, str) and due.strip().lower() == "none":
            changes["due"] = None
        if not changes:
            raise UserError("nothing to change: give at least one field")
        return card_json(store.cards.edit(key, changes))  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def move_card(
        ctx: Context,
        key: KeyArg,
        status: StatusArg,
        sprint: SprintArg = None,
        position: Annotated[int | None, Field(ge=1, description="1 = top of the column.")] = None,
    ) -> CardJson:
        """Move a card to a column (at the bottom, or at `position`), and to another sprint
        when `sprint` is given."""
        store = plan.store(ctx)
        row = store.cards.move(
            key,
            status=choice("status", status, STATUSES),
            sprint_id=ALL if sprint is None else sprint_ref(store, sprint),
            index=None if position is None else position - 1,
        )
        return card_json(row)  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def reorder_card(
        ctx: Context,
        key: KeyArg,
        delta: Annotated[
            int | None, Field(description="Places up (negative) or down (positive).")
        ] = None,
        before: Annotated[str | None, Field(description="Just above this card.")] = None,
        after: Annotated[str | None, Field(description="Just below this card.")] = None,
    ) -> CardJson:
        """Move a card within its column: by `delta` places, or next to a card of the same
        column (`before` or `after`); give one of the three."""
        if sum(x is not None for x in (delta, before, after)) != 1:
            raise UserError("reorder: give one of delta, before or after")
        cards = plan.store(ctx).cards
        if delta is not None:
            row = cards.reorder(key, delta)
        else:
            neighbour = before if before is not None else after
            assert neighbour is not None
            row = cards.place_next_to(key, neighbour, after=after is not None)
        return card_json(row)  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def plan_card(
        ctx: Context,
        key: KeyArg,
        sprint: Annotated[
            str, Field(description="Sprint name, 'current' or 'backlog' (out of any sprint).")
        ] = "current",
    ) -> PlanResult:
        """Plan a card into a sprint as the planning screen does (a backlog card becomes To
        do; 'backlog' takes it out of its sprint) and report its team's capacity against
        its load in that sprint, the card included."""
        from sprintboard.planning.capacity import sprint_capacity

        store = plan.store(ctx)
        target = sprint_ref(store, sprint)
        current = store.cards.get(key)
        if target is None:
            status = "backlog"
        else:
            status = "todo" if current["status"] == "backlog" else current["status"]
        row = store.cards.move(key, status=status, sprint_id=target)
        card = cast(CardJson, card_json(row))
        if target is None:
            return {"card": card, "sprint": None, "team_capacity": None, "over_capacity": False}
        team = sprint_capacity(store, row["sprint"]).team(row["team"])
        return {
            "card": card,
            "sprint": row["sprint"],
            "team_capacity": team.to_dict(),
            "over_capacity": team.over_capacity,
        }

    @tool(annotations=WRITING)
    @refusals_as_errors
    def add_dependency(
        ctx: Context,
        blocker: Annotated[str, Field(description="The card that must be done first.")],
        dependent: Annotated[str, Field(description="The card that waits on it.")],
    ) -> DependencyJson:
        """Make `dependent` wait on `blocker` (a cycle is refused)."""
        return dep_json(plan.store(ctx).deps.add(blocker, dependent))  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def remove_dependency(ctx: Context, blocker: str, dependent: str) -> DependencyJson:
        """Remove the link blocker -> dependent; returns the link removed."""
        return dep_json(plan.store(ctx).deps.remove(blocker, dependent))  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def accept_feedback(
        ctx: Context,
        feedback: FeedbackArg,
        team: TeamArg,
        sprint: SprintArg = None,
        title: Annotated[
            str | None, Field(description="Card title (default: the feedback's first line).")
        ] = None,
    ) -> FeedbackJson:
        """Accept feedback: make a card for `team` linked to it (in the backlog, or in
        `sprint`); the item's `card` names the new card."""
        store = plan.store(ctx)
        found = sprint_ref(store, sprint)
        row = store.feedback.accept(
            feedback, team, sprint_id=None if found is ALL else found, title=title
        )
        return feedback_json(row)  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def duplicate_feedback(
        ctx: Context,
        feedback: FeedbackArg,
        card: Annotated[str | None, Field(description="The card it duplicates.")] = None,
        of: Annotated[str | None, Field(description="The feedback item it duplicates.")] = None,
    ) -> FeedbackJson:
        """Merge feedback as a duplicate of a card or of another item (give one); its
        reports count adds up there."""
        if (card is None) == (of is None):
            raise UserError("duplicate: give --card KEY or --of ID (one of them)")
        row = plan.store(ctx).feedback.duplicate(feedback, card=card, of_feedback=of)
        return feedback_json(row)  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def decline_feedback(
        ctx: Context,
        feedback: FeedbackArg,
        reason: Annotated[str, Field(description="Why (one line; kept with the item).")],
    ) -> FeedbackJson:
        """Decline feedback, with a reason."""
        return feedback_json(plan.store(ctx).feedback.decline(feedback, reason))  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def snooze_feedback(
        ctx: Context,
        feedback: FeedbackArg,
        until: Annotated[str, Field(description="The day it comes back, YYYY-MM-DD.")],
    ) -> FeedbackJson:
        """Snooze feedback until a day after today; it is back in the inbox on that day."""
        return feedback_json(plan.store(ctx).feedback.snooze(feedback, until))  # type: ignore[return-value]

    @tool(annotations=WRITING)
    @refusals_as_errors
    def undo(ctx: Context) -> UndoResult:
        """Undo this assistant's own last change (refused when someone changed that
        record since); people see it in the history and can undo it too."""
        from sprintboard.store.activity import undo_message

        done = plan.store(ctx).activity.undo()
        return {"undone": done, "message": undo_message(done)}
