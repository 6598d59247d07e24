"""`sprint` commands (its charts and capacity report: cli/reports.py)."""

from __future__ import annotations

from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, say, table
from sprintboard.cli.params import CAPACITY, NumberArguments, given, json_option
from sprintboard.errors import UserError
from sprintboard.io.json_shapes import SPRINT_COUNTS, SPRINT_JSON, sprint_json
from sprintboard.models import Sprint, validate
from sprintboard.store.sprints import CARD_PLAN, CARRY_OVER
from sprintboard.vocabulary import show_control


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
    rows = store.sprints.list()
    row = next(r for r in rows if r["id"] == added["id"])
    emit_json(sprint_json(row)) if as_json else click.echo(row["name"])
    _warn_overlap(row, rows)


def _warn_overlap(row: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """One warning line on stderr when the sprint's dates overlap another open sprint's:
    the change is kept."""
    from sprintboard.planning.sprint_overlap import overlap_warning

    warning = overlap_warning(row, rows)
    if warning:
        click.echo(show_control(warning), err=True)


@sprint.command("list")
@click.option("--state", type=click.Choice(["planned", "active", "closed"]))
@json_option
@pass_ctx
def sprint_list(ctx: Context, state: str | None, as_json: bool) -> None:
    """List sprints."""
    rows = ctx.store().sprints.list(state)
    if as_json:
        emit_json([sprint_json(r) for r in rows])
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
        emit_json(sprint_json(row))
        return
    details([(f.replace("_", " "), row.get(f)) for f in (*SPRINT_JSON, *SPRINT_COUNTS)])


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
    store = ctx.store()
    row = store.sprints.edit(name, changes)
    say(f"{row['name']} updated")
    _warn_overlap(row, store.sprints.list())


@sprint.command("delete")
@click.argument("name")
@pass_ctx
def sprint_delete(ctx: Context, name: str) -> None:
    """Delete sprint NAME; only an empty sprint (no cards) is deleted."""
    ctx.store().sprints.delete(name)
    say(f"{name} deleted")


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
@click.option(
    "--shift/--no-shift",
    default=None,
    help="Starting on another day than planned: move its dates to start today, keeping "
    "its length (asked when interactive; default: no shift).",
)
@pass_ctx
def sprint_start(ctx: Context, name: str, shift: bool | None) -> None:
    """Start a planned sprint (one active sprint at a time)."""
    store = ctx.store()
    planned = store.sprints.get(name)
    if shift is None:
        shift = False
        if store.sprints.starts_off_plan(name) and planned["state"] == "planned" and _interactive():
            shift = click.confirm(
                f"{name} was planned to start {planned['start']}; move its dates to start "
                "today, keeping its length?",
                default=True,
            )
    row = store.sprints.start(name, shift=shift)
    moved = f" ({row['start']} → {row['end']})" if shift else ""
    say(f"{row['name']} started{moved} with {row['committed_points']} points committed")
    if shift:  # the new dates may now run into another sprint's
        _warn_overlap(row, store.sprints.list())


@sprint.command("close")
@click.argument("name", default="current")
@click.option(
    "--carry-over",
    type=click.Choice(CARRY_OVER),
    help="Where unfinished cards go: the backlog, or the next planned sprint.",
)
@click.option(
    "--card",
    "cards",
    multiple=True,
    metavar="KEY=next|backlog|leave",
    help="Where one unfinished card goes (leave: it stays in the closed sprint); repeat "
    "per card; the others follow --carry-over.",
)
@pass_ctx
def sprint_close(ctx: Context, name: str, carry_over: str | None, cards: tuple[str, ...]) -> None:
    """Close the active sprint; unfinished cards go to the backlog or the next sprint."""
    store = ctx.store()
    found = store.sprints.resolve(name)
    if found is None:
        raise click.UsageError("'backlog' is not a sprint")
    plan = _card_plan(cards)
    unfinished = [c for c in store.sprints.unfinished(found["name"]) if c["key"] not in plan]
    if unfinished and carry_over is None and _interactive():
        carry_over = click.prompt(
            f"{len(unfinished)} unfinished cards go to",
            type=click.Choice(CARRY_OVER),
            default="backlog",
        )
    row = store.sprints.close(found["name"], carry_over, plan)
    moved = f"; {len(unfinished)} cards carried to {carry_over}" if unfinished else ""
    words = {"next": "to the next sprint", "backlog": "to the backlog", "leave": "left in it"}
    moved += "".join(
        f"; {n} {words[w]}" for w in CARD_PLAN if (n := sum(1 for v in plan.values() if v == w))
    )
    say(
        f"{row['name']} closed: {row['completed_points']} of {row['committed_points']} "
        f"points done{moved}"
    )


def _card_plan(given: tuple[str, ...]) -> dict[str, str]:
    plan: dict[str, str] = {}
    for item in given:
        key, sep, where = item.partition("=")
        where = where.strip().lower()
        if not sep or not key.strip() or where not in CARD_PLAN:
            raise UserError(f"--card: give KEY=next, KEY=backlog or KEY=leave (got {item!r})")
        plan[key.strip().upper()] = where
    return plan


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


COMMANDS = [sprint]
