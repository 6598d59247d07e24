"""`sprint` commands (its charts and capacity report: cli/reports.py)."""

from __future__ import annotations

from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, say, table
from sprintboard.cli.params import CAPACITY, NumberArguments, given, json_option
from sprintboard.models import Sprint, validate
from sprintboard.store.sprints import CARRY_OVER


@click.group()
def sprint() -> None:
    """Sprints: plan, start, close."""


SPRINT_COLUMNS = [
    ("NAME", field("name")),
    ("STATE", field("state")),
    ("START", field("start")),
    ("END", field("end")),
    ("CARDS", field("cards")),
    ("POINTS", field("points")),
    ("DONE", field("done_points")),
    ("GOAL", field("goal")),
]
SPRINT_JSON = (
    "name",
    "goal",
    "start",
    "end",
    "state",
    "committed_points",
    "completed_points",
    "started_at",
    "closed_at",
)


def _sprint_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row.get(f) for f in (*SPRINT_JSON, "cards", "points", "done_points")}


@sprint.command("add")
@click.argument("name")
@click.option("--start", required=True, help="YYYY-MM-DD")
@click.option("--end", required=True, help="YYYY-MM-DD")
@click.option("--goal", "sprint_goal", default="", help="The sprint goal.")
@json_option
@pass_ctx
def sprint_add(
    ctx: Context, name: str, start: str, end: str, sprint_goal: str, as_json: bool
) -> None:
    """Plan a sprint NAME from --start to --end."""
    model = validate(Sprint, {"name": name, "start": start, "end": end, "goal": sprint_goal})
    store = ctx.store()
    added = store.sprints.add(model)
    # The listed row carries the card counts and points the JSON shape promises.
    row = next(r for r in store.sprints.list() if r["id"] == added["id"])
    emit_json(_sprint_json(row)) if as_json else click.echo(row["name"])


@sprint.command("list")
@click.option("--state", type=click.Choice(["planned", "active", "closed"]))
@json_option
@pass_ctx
def sprint_list(ctx: Context, state: str | None, as_json: bool) -> None:
    """List sprints."""
    rows = ctx.store().sprints.list(state)
    if as_json:
        emit_json([_sprint_json(r) for r in rows])
    else:
        table(rows, SPRINT_COLUMNS)


@sprint.command("show")
@click.argument("name", default="current")
@json_option
@pass_ctx
def sprint_show(ctx: Context, name: str, as_json: bool) -> None:
    """Show a sprint (default: the active one)."""
    store = ctx.store()
    found = store.sprints.resolve(name)
    if found is None:
        raise click.UsageError("'backlog' is not a sprint; use 'card list --sprint backlog'")
    row = next(r for r in store.sprints.list() if r["id"] == found["id"])
    if as_json:
        emit_json(_sprint_json(row))
        return
    details(
        [
            (f.replace("_", " "), row.get(f))
            for f in (*SPRINT_JSON, "cards", "points", "done_points")
        ]
    )


@sprint.command("edit")
@click.argument("name")
@click.option("--name", "new_name")
@click.option("--start")
@click.option("--end")
@click.option("--goal", "sprint_goal")
@pass_ctx
def sprint_edit(
    ctx: Context,
    name: str,
    new_name: str | None,
    start: str | None,
    end: str | None,
    sprint_goal: str | None,
) -> None:
    """Rename a sprint or change its dates or goal."""
    changes = given(name=new_name, start=start, end=end, goal=sprint_goal)
    if not changes:
        raise click.UsageError("nothing to change: give --name, --start, --end or --goal")
    row = ctx.store().sprints.edit(name, changes)
    say(f"{row['name']} updated")


@sprint.command("capacity", cls=NumberArguments)
@click.argument("name")
@click.argument("team")
@click.argument("points", type=CAPACITY)
@pass_ctx
def sprint_capacity(ctx: Context, name: str, team: str, points: int) -> None:
    """Set TEAM's capacity in sprint NAME to POINTS (0-10000), instead of its usual one."""
    ctx.store().sprints.set_capacity(name, team, points)
    say(f"{team.upper()} capacity in {name}: {points}")


@sprint.command("start")
@click.argument("name")
@pass_ctx
def sprint_start(ctx: Context, name: str) -> None:
    """Start a planned sprint (one active sprint at a time)."""
    row = ctx.store().sprints.start(name)
    say(f"{row['name']} started with {row['committed_points']} points committed")


@sprint.command("close")
@click.argument("name", default="current")
@click.option(
    "--carry-over",
    type=click.Choice(CARRY_OVER),
    help="Where unfinished cards go: the backlog, or the next planned sprint.",
)
@pass_ctx
def sprint_close(ctx: Context, name: str, carry_over: str | None) -> None:
    """Close the active sprint; unfinished cards go to the backlog or the next sprint."""
    store = ctx.store()
    found = store.sprints.resolve(name)
    if found is None:
        raise click.UsageError("'backlog' is not a sprint")
    unfinished = store.sprints.unfinished(found["name"])
    if unfinished and carry_over is None and _interactive():
        carry_over = click.prompt(
            f"{len(unfinished)} unfinished cards go to",
            type=click.Choice(CARRY_OVER),
            default="backlog",
        )
    row = store.sprints.close(found["name"], carry_over)
    moved = f"; {len(unfinished)} cards carried to {carry_over}" if unfinished else ""
    say(
        f"{row['name']} closed: {row['completed_points']} of {row['committed_points']} "
        f"points done{moved}"
    )


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


COMMANDS = [sprint]
