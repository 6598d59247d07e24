"""`goal` commands (`goal progress`: cli/reports.py)."""

from __future__ import annotations

from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, say, table
from sprintboard.cli.params import NUMBER, NumberArguments, given, json_option
from sprintboard.io.json_shapes import GOAL_JSON, goal_json
from sprintboard.models import Goal, validate
from sprintboard.vocabulary import GoalStatus

GOAL_STATUSES = click.Choice([s.value for s in GoalStatus])


@click.group()
def goal() -> None:
    """Goals with KPIs, ROI and sign-off."""


GOAL_COLUMNS = [
    ("ID", field("id")),
    ("TITLE", field("title")),
    ("KPI", field("kpi")),
    ("BASELINE", field("baseline")),
    ("CURRENT", field("current")),
    # A target equal to the baseline (both 0 when never set) is no target at all.
    ("TARGET", lambda g: "no target" if g["target"] == g["baseline"] else g["target"]),
    ("STATUS", field("status")),
    ("CARDS", field("cards")),
    ("SIGNED OFF", field("signed_off_by")),
]


def _goal_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option("--kpi", help="KPI name, e.g. 'conversion rate'."),
            click.option("--unit", help="e.g. %, EUR, orders/day."),
            click.option("--baseline", type=NUMBER),
            click.option("--target", type=NUMBER),
            click.option("--current", type=NUMBER),
            click.option("--roi", "expected_roi", type=NUMBER, help="Expected ROI."),
            click.option("--sponsor", help="The C-level sponsor."),
            click.option("--status", type=GOAL_STATUSES),
        ]
    ):
        f = option(f)
    return f


@goal.command("add")
@click.argument("title")
@_goal_options
@json_option
@pass_ctx
def goal_add(ctx: Context, /, title: str, as_json: bool, **options: Any) -> None:
    """Add a goal with TITLE.

    Without --status it starts with the suggested status (as `goal show` explains it): at
    risk until cards are planned for it, on track when the KPI already meets its target or
    the goal has no target.
    """
    from sprintboard.planning.goals import add_goal

    row = add_goal(ctx.store(), validate(Goal, {"title": title, **given(**options)}))
    emit_json(goal_json(row)) if as_json else click.echo(row["id"])


@goal.command("list")
@json_option
@pass_ctx
def goal_list(ctx: Context, as_json: bool) -> None:
    """List goals with KPI progress."""
    rows = ctx.store().goals.list()
    if as_json:
        emit_json([goal_json(r) for r in rows])
    else:
        table(rows, GOAL_COLUMNS)


@goal.command("show", cls=NumberArguments)
@click.argument("goal_id")
@json_option
@pass_ctx
def goal_show(ctx: Context, goal_id: str, as_json: bool) -> None:
    """Show one goal."""
    row = ctx.store().goals.get(goal_id)
    if as_json:
        emit_json(goal_json(row))
        return
    details([(f.replace("_", " "), row[f]) for f in GOAL_JSON])


@goal.command("edit", cls=NumberArguments)
@click.argument("goal_id")
@click.option("--title")
@_goal_options
@json_option
@pass_ctx
def goal_edit(
    ctx: Context, /, goal_id: str, title: str | None, as_json: bool, **options: Any
) -> None:
    """Change a goal's fields."""
    changes = given(title=title, **options)
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    row = ctx.store().goals.edit(goal_id, changes)
    emit_json(goal_json(row)) if as_json else click.echo(f"goal {row['id']} updated")


@goal.command("signoff", cls=NumberArguments)
@click.argument("goal_id")
@click.option("--by", "who", required=True, help="Who signs off (a C-level member).")
@pass_ctx
def goal_signoff(ctx: Context, goal_id: str, who: str) -> None:
    """Record C-level sign-off (buy-in) for a goal."""
    row = ctx.store().goals.signoff(goal_id, who)
    say(f"goal {row['id']} signed off by {row['signed_off_by']} at {row['signed_off_at']}")


COMMANDS = [goal]
