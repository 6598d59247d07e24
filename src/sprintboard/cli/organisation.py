"""`team`, `member`, `goal` and `sprint` commands."""

from __future__ import annotations

import re
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, say, table
from sprintboard.cli.params import WHOLE
from sprintboard.models import Goal, Member, Sprint, Team, validate
from sprintboard.store.sprints import CARRY_OVER
from sprintboard.vocabulary import GoalStatus, TeamFormat

FORMATS = click.Choice([f.value for f in TeamFormat])
GOAL_STATUSES = click.Choice([s.value for s in GoalStatus])
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _given(**options: Any) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


_DASH_DIGIT = re.compile(r"-\d")


class NumberArguments(click.Command):
    """A command whose number arguments may be negative: `sprint capacity S IT -2`.

    Click reads any word starting with '-' as an option and would refuse `-2` as "No such
    option". No option here is a digit, so such a word is read again as an argument and
    its value checked like any other; other unknown options are still refused.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, list(args))  # the parser consumes its list
        except click.NoSuchOption as exc:
            if not _DASH_DIGIT.fullmatch(exc.option_name):
                raise
        ctx.ignore_unknown_options = True
        return super().parse_args(ctx, args)


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
@click.option("--capacity", type=WHOLE, default=20, show_default=True, help="Points per sprint.")
@click.option("--throughput", type=WHOLE, help="Orders per day the team can handle (warehouse).")
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
@click.option("--capacity", type=WHOLE)
@click.option("--throughput", type=WHOLE)
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
    changes = _given(
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


# -- goal ------------------------------------------------------------------------------------


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
GOAL_JSON = (
    "id",
    "title",
    "kpi",
    "unit",
    "baseline",
    "current",
    "target",
    "expected_roi",
    "sponsor",
    "status",
    "signed_off_by",
    "signed_off_at",
    "cards",
    "points",
    "done_points",
)


def _goal_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option("--kpi", help="KPI name, e.g. 'conversion rate'."),
            click.option("--unit", help="e.g. %, EUR, orders/day."),
            click.option("--baseline", type=float),
            click.option("--target", type=float),
            click.option("--current", type=float),
            click.option("--roi", "expected_roi", type=float, help="Expected ROI."),
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
    """Add a goal with TITLE."""
    row = ctx.store().goals.add(validate(Goal, {"title": title, **_given(**options)}))
    emit_json({f: row[f] for f in GOAL_JSON}) if as_json else click.echo(row["id"])


@goal.command("list")
@json_option
@pass_ctx
def goal_list(ctx: Context, as_json: bool) -> None:
    """List goals with KPI progress."""
    rows = ctx.store().goals.list()
    if as_json:
        emit_json([{f: r[f] for f in GOAL_JSON} for r in rows])
    else:
        table(rows, GOAL_COLUMNS)


@goal.command("show")
@click.argument("goal_id")
@json_option
@pass_ctx
def goal_show(ctx: Context, goal_id: str, as_json: bool) -> None:
    """Show one goal."""
    row = ctx.store().goals.get(goal_id)
    if as_json:
        emit_json({f: row[f] for f in GOAL_JSON})
        return
    details([(f.replace("_", " "), row[f]) for f in GOAL_JSON])


@goal.command("edit")
@click.argument("goal_id")
@click.option("--title")
@_goal_options
@json_option
@pass_ctx
def goal_edit(
    ctx: Context, /, goal_id: str, title: str | None, as_json: bool, **options: Any
) -> None:
    """Change a goal's fields."""
    changes = _given(title=title, **options)
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    row = ctx.store().goals.edit(goal_id, changes)
    emit_json({f: row[f] for f in GOAL_JSON}) if as_json else click.echo(
        f"goal {row['id']} updated"
    )


@goal.command("signoff")
@click.argument("goal_id")
@click.option("--by", "who", required=True, help="Who signs off (a C-level member).")
@pass_ctx
def goal_signoff(ctx: Context, goal_id: str, who: str) -> None:
    """Record C-level sign-off (buy-in) for a goal."""
    row = ctx.store().goals.signoff(goal_id, who)
    say(f"goal {row['id']} signed off by {row['signed_off_by']} at {row['signed_off_at']}")


# -- sprint ----------------------------------------------------------------------------------


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
    changes = _given(name=new_name, start=start, end=end, goal=sprint_goal)
    if not changes:
        raise click.UsageError("nothing to change: give --name, --start, --end or --goal")
    row = ctx.store().sprints.edit(name, changes)
    say(f"{row['name']} updated")


@sprint.command("capacity", cls=NumberArguments)
@click.argument("name")
@click.argument("team")
@click.argument("points", type=WHOLE)
@pass_ctx
def sprint_capacity(ctx: Context, name: str, team: str, points: int) -> None:
    """Set TEAM's capacity in sprint NAME to POINTS (0 or more), instead of its usual one."""
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


COMMANDS = [team, member, goal, sprint]
