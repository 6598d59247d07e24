"""`team` and `member` commands."""

from __future__ import annotations

from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import emit_json, field, say, table
from sprintboard.cli.params import CAPACITY, COUNT, WHOLE, NumberArguments, given, json_option
from sprintboard.models import Member, Team, validate
from sprintboard.vocabulary import TeamFormat

FORMATS = click.Choice([f.value for f in TeamFormat])


# -- team ------------------------------------------------------------------------------------


@click.group()
def team() -> None:
    """Teams: code, name, format, colour, capacity."""


TEAM_COLUMNS = [
    ("CODE", field("code")),
    ("NAME", field("name")),
    ("FORMAT", field("format")),
    ("CAPACITY", field("capacity")),
    ("COLOUR", field("colour")),
    ("ARCHIVED", field("archived")),
]


def _team_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        f: row[f]
        for f in ("code", "name", "format", "colour", "capacity", "throughput_per_day", "archived")
    }


@team.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived teams.")
@json_option
@pass_ctx
def team_list(ctx: Context, include_archived: bool, as_json: bool) -> None:
    """List teams."""
    rows = ctx.store().teams.list(include_archived=include_archived)
    if as_json:
        emit_json([_team_json(r) for r in rows])
    else:
        table(rows, TEAM_COLUMNS)


@team.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--format", "format_", type=FORMATS, default="co-located", show_default=True)
@click.option(
    "--colour", default="#888888", show_default=True, help="#rgb, #rrggbb or a name (red, teal…)."
)
@click.option("--capacity", type=CAPACITY, default=20, show_default=True, help="Points per sprint.")
@click.option("--throughput", type=COUNT, help="Orders per day the team can handle (warehouse).")
@json_option
@pass_ctx
def team_add(
    ctx: Context,
    code: str,
    name: str,
    format_: str,
    colour: str,
    capacity: int,
    throughput: int | None,
    as_json: bool,
) -> None:
    """Add a team with CODE (e.g. SEC) and NAME."""
    model = validate(
        Team,
        {
            "code": code,
            "name": name,
            "format": format_,
            "colour": colour,
            "capacity": capacity,
            "throughput_per_day": throughput,
        },
    )
    row = ctx.store().teams.add(model)
    emit_json(_team_json(row)) if as_json else click.echo(row["code"])


@team.command("edit")
@click.argument("code")
@click.option("--name")
@click.option("--format", "format_", type=FORMATS)
@click.option("--colour")
@click.option("--capacity", type=CAPACITY)
@click.option("--throughput", type=COUNT)
@json_option
@pass_ctx
def team_edit(
    ctx: Context,
    code: str,
    name: str | None,
    format_: str | None,
    colour: str | None,
    capacity: int | None,
    throughput: int | None,
    as_json: bool,
) -> None:
    """Change a team's name, format, colour or capacity."""
    changes = given(
        name=name, format=format_, colour=colour, capacity=capacity, throughput_per_day=throughput
    )
    if not changes:
        raise click.UsageError("nothing to change: give --name, --format, --colour or --capacity")
    row = ctx.store().teams.edit(code, changes)
    emit_json(_team_json(row)) if as_json else click.echo(f"{row['code']} updated")


@team.command("archive")
@click.argument("code")
@click.option("--move-cards-to", metavar="TEAM", help="Team that takes over the open cards.")
@pass_ctx
def team_archive(ctx: Context, code: str, move_cards_to: str | None) -> None:
    """Archive a team; its open cards move to another team, never deleted."""
    row = ctx.store().teams.archive(code, move_cards_to=move_cards_to)
    say(f"{row['code']} archived")


# -- member ----------------------------------------------------------------------------------


@click.group()
def member() -> None:
    """Team members, their roles and onboarding."""


MEMBER_COLUMNS = [
    ("ID", field("id")),
    ("TEAM", field("team")),
    ("NAME", field("name")),
    ("ROLE", field("role")),
    ("ONBOARDED", field("onboarded")),
]


def _member_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in ("id", "team", "name", "role", "onboarding")}


@member.command("add")
@click.argument("team")
@click.argument("name")
@click.option("--role", default="", help="e.g. 'front-end developer'.")
@json_option
@pass_ctx
def member_add(ctx: Context, team: str, name: str, role: str, as_json: bool) -> None:
    """Add NAME to TEAM."""
    row = ctx.store().members.add(validate(Member, {"team": team, "name": name, "role": role}))
    emit_json(_member_json(row)) if as_json else click.echo(row["id"])


@member.command("list")
@click.option("--team")
@json_option
@pass_ctx
def member_list(ctx: Context, team: str | None, as_json: bool) -> None:
    """List members, with onboarding progress."""
    rows = ctx.store().members.list(team)
    if as_json:
        emit_json([_member_json(r) for r in rows])
    else:
        table(rows, MEMBER_COLUMNS)


@member.command("onboard", cls=NumberArguments)
@click.argument("member_id", type=WHOLE)
@click.argument("step")
@click.option("--undo", "undone", is_flag=True, help="Mark the step as not done.")
@json_option
@pass_ctx
def member_onboard(ctx: Context, member_id: int, step: str, undone: bool, as_json: bool) -> None:
    """Tick onboarding STEP (e.g. 'accounts', 'tools') for a member."""
    row = ctx.store().members.onboard(member_id, step, done=not undone)
    emit_json(_member_json(row)) if as_json else click.echo(f"{row['name']}: {row['onboarded']}")


COMMANDS = [team, member]
