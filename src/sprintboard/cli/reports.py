"""`report`, and the planning read-outs: `sprint burndown|flow|velocity|capacity-report`,
`goal progress`. Each takes `--json` (keys as in the planning dataclasses' to_dict())."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.goals import goal
from sprintboard.cli.output import emit_json, field, say, table
from sprintboard.cli.params import POSITIVE, SPRINT, FilePath
from sprintboard.cli.sprints import sprint
from sprintboard.vocabulary import show_control

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}".removesuffix(".0")


@click.command()
@click.option(
    "--sprint", "sprint_name", type=SPRINT, help="Sprint name or 'current' (default: see below)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    help="Markdown or a standalone HTML page (default: from -o's extension, else md).",
)
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False),
    help="Write to FILE (never the database or another SQLite file).",
)
@pass_ctx
def report(ctx: Context, sprint_name: str | None, fmt: str | None, output: Path | None) -> None:
    """Write a planning-session summary: sprint goal, capacity, cards by team, open
    cross-team dependencies and warnings, goals' progress, burndown and velocity.

    Without --sprint: the active sprint, else the next planned one, else the last closed.
    """
    from sprintboard.io.report import planning_report

    if fmt is None:
        fmt = "html" if output is not None and output.suffix.lower() in (".html", ".htm") else "md"
    if output is None or str(output) == "-":
        click.echo(planning_report(ctx.store(), sprint_name, fmt=fmt), nl=False)
        return
    from sprintboard.io.output import check_target, write_output

    check_target(output, ctx.db_path)  # before any work: a refusal costs nothing
    text = planning_report(ctx.store(), sprint_name, fmt=fmt)
    write_output(output, ctx.db_path, text.encode("utf-8"))
    say(f"report written to {output}")


@sprint.command("burndown")
@click.argument("name", default="current")
@json_option
@pass_ctx
def sprint_burndown(ctx: Context, name: str, as_json: bool) -> None:
    """Remaining points per day of a sprint (default: the active one), from the log."""
    from sprintboard.planning.charts import sprint_burndown as compute

    b = compute(ctx.store(), name)
    if as_json:
        emit_json(b.to_dict())
        return
    say(
        f"{b.sprint} ({b.state}) {b.start} to {b.end}: committed {b.committed}, added "
        f"{b.scope_added}, removed {b.scope_removed}, done {b.completed}"
        + (f", carried over {b.carried_over}" if b.carried_over is not None else "")
    )
    table(
        [d.__dict__ for d in b.days],
        [
            ("DAY", lambda d: d["day"].isoformat()),
            ("IDEAL", lambda d: _num(d["ideal"])),
            ("REMAINING", lambda d: d["remaining"]),
            ("SCOPE", lambda d: d["scope"]),
            ("DONE", lambda d: d["done"]),
        ],
    )
    if b.changes:
        say("\nscope changes after the start:")
        table(
            [c.__dict__ for c in b.changes],
            [
                ("DAY", lambda c: c["day"].isoformat()),
                ("CARD", lambda c: c["key"]),
                ("CHANGE", lambda c: c["kind"]),
                ("SCOPE", lambda c: f"{c['scope']:+d}"),
                ("REMAINING", lambda c: f"{c['remaining']:+d}"),
            ],
        )


@sprint.command("flow")
@click.argument("name", default="current")
@json_option
@pass_ctx
def sprint_flow(ctx: Context, name: str, as_json: bool) -> None:
    """Cumulative flow: cards per column at the end of each day of a sprint."""
    from sprintboard.planning.charts import sprint_flow as compute
    from sprintboard.vocabulary import STATUS_LABELS, Status

    flow = compute(ctx.store(), name)
    if as_json:
        emit_json(flow.to_dict())
        return
    rows = [
        {"day": day.isoformat(), **{s: flow.cards[s][i] for s in flow.cards}}
        for i, day in enumerate(flow.days)
    ]
    table(
        rows,
        [("DAY", field("day"))]
        + [(STATUS_LABELS[Status(s)].upper(), field(s)) for s in flow.cards],
    )


@sprint.command("velocity")
@click.option("--team", help="One team's figures (default: every team's and the totals).")
@click.option("--last", type=POSITIVE, default=6, show_default=True, help="Closed sprints.")
@json_option
@pass_ctx
def sprint_velocity(ctx: Context, team: str | None, last: int, as_json: bool) -> None:
    """Commitment vs done per team over the last closed sprints, from the log."""
    from sprintboard.planning.velocity import team_velocity

    store = ctx.store()
    code = store.teams.get(team)["code"] if team else None
    v = team_velocity(store, last=last)
    if as_json:
        emit_json(v.to_dict(code))
        return
    if not v.sprints:
        say("no closed sprints yet")
        return
    teams = [code] if code else sorted(v.teams)
    rows: list[dict[str, Any]] = [
        {
            "sprint": r.sprint,
            "committed": r.committed.get(code, 0) if code else r.total_committed,
            "done": r.done.get(code, 0) if code else r.total_done,
            **{t: f"{r.done.get(t, 0)}/{r.committed.get(t, 0)}" for t in teams if not code},
        }
        for r in v.sprints
    ]
    table(
        rows,
        [("SPRINT", field("sprint")), ("COMMITTED", field("committed")), ("DONE", field("done"))]
        + [(t, field(t)) for t in teams if not code],
    )
    averages = ", ".join(f"{t} {_num(v.average_done(t))}" for t in teams)
    say(f"average done per sprint: {averages}")


@sprint.command("report")
@click.argument("name", default="current")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json"]), default="md", help="Markdown or JSON."
)
@pass_ctx
def sprint_report(ctx: Context, name: str, fmt: str) -> None:
    """The sprint report: committed, completed, added after the start, removed and carried
    over, in points and cards, per team (of an open sprint: so far)."""
    from sprintboard.planning.sprint_report import load_report

    found = load_report(ctx.store(), name)
    if fmt == "json":
        emit_json(found.as_json())
    else:
        click.echo(show_control(found.markdown()), nl=False)


@sprint.command("capacity-report")
@click.argument("name", default="current")
@json_option
@pass_ctx
def sprint_capacity_report(ctx: Context, name: str, as_json: bool) -> None:
    """Per team: points planned vs capacity and recent velocity, over-capacity, feedback
    share, and the cross-team cards that load other teams."""
    from sprintboard.planning.capacity import sprint_capacity

    cap = sprint_capacity(ctx.store(), name)
    if as_json:
        emit_json(cap.to_dict())
        return
    window = ", ".join(cap.velocity_sprints) or "no closed sprint yet"
    say(
        f"{cap.sprint} ({cap.state}): {cap.planned} points planned, capacity {cap.capacity}; "
        f"velocity over {window}"
    )
    table(
        [t.to_dict() for t in cap.teams],
        [
            ("TEAM", lambda t: t["team"]),
            ("PLANNED", lambda t: t["planned"]),
            (
                "CAPACITY",
                lambda t: f"{t['capacity']}{'*' if t['capacity_source'] == 'sprint' else ''}",
            ),
            ("VELOCITY", lambda t: _num(t["velocity"])),
            ("OVER", lambda t: f"+{t['over']}" if t["over"] else ""),
            ("UNPOINTED", lambda t: t["unpointed"] or ""),
            ("FEEDBACK", lambda t: f"{_num(t['feedback_share'])}% / {t['feedback_target']}%"),
            (
                "ALSO LOADS",
                lambda t: " ".join(
                    f"{c['key']}>{'+'.join(c['contributors'])}" for c in t["cross_team"]
                ),
            ),
        ],
        max_width=80,
    )
    if any(t.capacity_source == "sprint" for t in cap.teams):
        say("* this sprint's capacity override")


@goal.command("progress")
@click.argument("goal_id", required=False)
@json_option
@pass_ctx
def goal_progress(ctx: Context, goal_id: str | None, as_json: bool) -> None:
    """KPI progress, cards progress by team and a suggested status, per goal."""
    from sprintboard.planning.goals import goal_progress as compute

    goals = compute(ctx.store(), goal_id)
    if as_json:
        emit_json([g.to_dict() for g in goals])
        return
    table(
        [g.to_dict() for g in goals],
        [
            ("ID", lambda g: g["id"]),
            ("TITLE", lambda g: g["title"]),
            (
                "KPI",
                lambda g: f"{g['baseline']:g} -> {g['current']:g} -> {g['target']:g}{g['unit']}",
            ),
            (
                "PROGRESS",
                lambda g: "no target" if g["kpi_progress"] is None else f"{g['kpi_progress']:.0%}",
            ),
            ("CARDS", lambda g: f"{g['done_points']}/{g['points']}"),
            ("STATUS", lambda g: g["status"]),
            ("SUGGESTED", lambda g: g["suggestion"]["status"]),
            ("WHY", lambda g: g["suggestion"]["reason"]),
        ],
    )


COMMANDS = [report]
