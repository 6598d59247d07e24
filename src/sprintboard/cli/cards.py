"""`card` and `dep` commands."""

from __future__ import annotations

from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, table
from sprintboard.cli.params import COUNT, POINTS, POSITIVE, SPRINT
from sprintboard.io.json_shapes import card_detail_json, dep_json
from sprintboard.store import ALL, Store
from sprintboard.store.cards import public
from sprintboard.vocabulary import Priority, Status

STATUSES = click.Choice([s.value for s in Status])
PRIORITIES = click.Choice([p.value for p in Priority])
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _goal_id(store: Store, ref: str | None) -> int | None:
    if ref is None or ref.lower() in ("none", ""):
        return None
    return int(store.goals.get(ref)["id"])


def _sprint_id(store: Store, ref: str) -> int | None:
    found = store.sprints.resolve(ref)
    return None if found is None else int(found["id"])


@click.group()
def card() -> None:
    """Cards: add, list, show, edit, move, delete, comment."""


CARD_COLUMNS = [
    ("KEY", field("key")),
    ("TEAM", lambda c: ",".join(c["teams"])),
    ("STATUS", field("status")),
    ("PTS", field("points")),
    ("SPRINT", field("sprint")),
    ("BLOCKED BY", field("blocked_by")),
    ("TITLE", field("title")),
]


@card.command("add")
@click.argument("title")
@click.option("--team", required=True, help="Owning team code, e.g. IT.")
@click.option(
    "--with", "with_teams", multiple=True, metavar="TEAM", help="A contributing team (repeatable)."
)
@click.option(
    "--sprint", type=SPRINT, help="Sprint name, 'current' or 'backlog' (default: backlog)."
)
@click.option("--points", type=POINTS)
@click.option("--goal", help="Goal id.")
@click.option("--status", type=STATUSES, default="backlog", show_default=True)
@click.option("--priority", type=PRIORITIES, default="medium", show_default=True)
@click.option("--sku", "skus", multiple=True, help="A SKU the card concerns (repeatable).")
@click.option("--label", "labels", multiple=True, help="A label, e.g. promotion (repeatable).")
@click.option("--due", help="Due date, YYYY-MM-DD.")
@click.option("--assignee", default="")
@click.option("--description", default="")
@click.option("--orders", "expected_orders", type=COUNT, help="Expected orders (promotions).")
@json_option
@pass_ctx
def card_add(
    ctx: Context,
    title: str,
    team: str,
    with_teams: tuple[str, ...],
    sprint: str | None,
    points: int | None,
    goal: str | None,
    status: str,
    priority: str,
    skus: tuple[str, ...],
    labels: tuple[str, ...],
    due: str | None,
    assignee: str,
    description: str,
    expected_orders: int | None,
    as_json: bool,
) -> None:
    """Add a card; prints its new key (e.g. IT-42)."""
    from sprintboard.models import Card, validate  # pydantic: only when writing

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
    store = ctx.store()
    row = store.cards.add(
        model,
        sprint_id=_sprint_id(store, sprint) if sprint else None,
        goal_id=_goal_id(store, goal),
    )
    emit_json(public(row)) if as_json else click.echo(row["key"])


@card.command("list")
@click.option("--team", help="Cards owned by or involving this team.")
@click.option("--sprint", type=SPRINT, help="Sprint name, 'current' or 'backlog'.")
@click.option("--status", type=STATUSES)
@click.option("--goal", help="Goal id.")
@click.option("--text", help="Cards whose key or title contains this.")
@click.option("--label", help="Cards with this label (any case).")
@click.option("--priority", type=PRIORITIES)
@json_option
@pass_ctx
def card_list(
    ctx: Context,
    team: str | None,
    sprint: str | None,
    status: str | None,
    goal: str | None,
    text: str | None,
    label: str | None,
    priority: str | None,
    as_json: bool,
) -> None:
    """List cards in board order."""
    store = ctx.store()
    rows = store.cards.query(
        sprint=_sprint_id(store, sprint) if sprint else ALL,
        team=team,
        status=status,
        goal=_goal_id(store, goal),
        text=text,
        label=label,
        priority=priority,
    )
    if as_json:
        emit_json([public(r) for r in rows])
    else:
        table(rows, CARD_COLUMNS)


@card.command("show")
@click.argument("key")
@json_option
@pass_ctx
def card_show(ctx: Context, key: str, as_json: bool) -> None:
    """Show one card with its dependencies both ways, its checklist and its comments."""
    from sprintboard.cli.card_parts import print_card_parts

    store = ctx.store()
    if as_json:
        emit_json(card_detail_json(store, key))
        return
    row = store.cards.get(key)
    details(
        [
            ("key", row["key"]),
            ("title", row["title"]),
            ("team", row["team"]),
            ("with", row["teams"][1:]),
            ("status", row["status"]),
            ("sprint", row["sprint"]),
            ("points", row["points"]),
            ("priority", row["priority"]),
            ("goal", row["goal"]),
            ("assignee", row["assignee"] or None),
            ("due", row["due"]),
            ("labels", row["labels"]),
            ("skus", row["skus"]),
            ("blocked by", row["blocked_by"]),
            ("waits on", row["blockers"]),
            ("blocks", row["blocks"]),
            (
                "feedback",
                f"{row['feedback']} items, {row['reports']} reports" if row["feedback"] else None,
            ),
            ("created", row["created_at"]),
            ("updated", row["updated_at"]),
            ("done", row["done_at"]),
            ("description", row["description"] or None),
        ]
    )
    print_card_parts(store, row["key"])


@card.command("edit")
@click.argument("key")
@click.option("--title")
@click.option("--team", help="New owning team (the key stays).")
@click.option(
    "--with",
    "with_teams",
    multiple=True,
    metavar="TEAM",
    help="Contributing teams (replaces the list; repeatable).",
)
@click.option("--sprint", type=SPRINT, help="Sprint name, 'current' or 'backlog'.")
@click.option("--points", type=POINTS)
@click.option("--goal", help="Goal id, or 'none'.")
@click.option("--status", type=STATUSES)
@click.option("--priority", type=PRIORITIES)
@click.option("--sku", "skus", multiple=True, help="SKUs (replaces the list; repeatable).")
@click.option("--label", "labels", multiple=True, help="Labels (replaces the list; repeatable).")
@click.option("--due", help="Due date, YYYY-MM-DD, or 'none'.")
@click.option("--assignee")
@click.option("--description")
@click.option("--orders", "expected_orders", type=COUNT)
@json_option
@pass_ctx
def card_edit(ctx: Context, /, key: str, as_json: bool, **options: Any) -> None:
    """Change a card's fields."""
    store = ctx.store()
    changes: dict[str, Any] = {}
    for name, value in options.items():
        if value is None or value == ():
            continue
        if name == "with_teams":
            changes["teams"] = list(value)
        elif name == "sprint":
            changes["sprint_id"] = _sprint_id(store, value)
        elif name == "goal":
            changes["goal_id"] = _goal_id(store, value)
        elif name == "due" and value.lower() == "none":
            changes["due"] = None
        elif name in ("skus", "labels"):
            changes[name] = list(value)
        else:
            changes[name] = value
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    row = store.cards.edit(key, changes)
    emit_json(public(row)) if as_json else click.echo(f"{row['key']} updated")


@card.command("move")
@click.argument("key")
@click.argument("status", type=STATUSES, metavar="STATUS")
@click.option(
    "--sprint", type=SPRINT, help="Also move to this sprint ('current', a name or 'backlog')."
)
@click.option("--position", type=POSITIVE, help="1 = top of the column.")
@json_option
@pass_ctx
def card_move(
    ctx: Context, key: str, status: str, sprint: str | None, position: int | None, as_json: bool
) -> None:
    """Move a card to column STATUS (at the bottom, or at --position)."""
    store = ctx.store()
    row = store.cards.move(
        key,
        status=status,
        sprint_id=_sprint_id(store, sprint) if sprint else ALL,
        index=position - 1 if position else None,
    )
    emit_json(public(row)) if as_json else click.echo(f"{row['key']} -> {row['status']}")


@card.command("delete")
@click.argument("key")
@pass_ctx
def card_delete(ctx: Context, key: str) -> None:
    """Delete a card and its links (undo with 'sprintboard undo')."""
    row = ctx.store().cards.delete(key)
    click.echo(f"{row['key']} deleted (undo with 'sprintboard undo')")


@click.group()
def dep() -> None:
    """Dependencies: BLOCKER must be done before DEPENDENT."""


DEP_COLUMNS = [
    ("BLOCKER", field("blocker")),
    ("TEAM", field("blocker_team")),
    ("STATUS", field("blocker_status")),
    ("DEPENDENT", field("dependent")),
    ("TEAM ", field("dependent_team")),
    ("CROSS-TEAM", field("cross_team")),
]


@dep.command("add")
@click.argument("blocker")
@click.argument("dependent")
@pass_ctx
def dep_add(ctx: Context, blocker: str, dependent: str) -> None:
    """Make DEPENDENT wait on BLOCKER (a cycle is refused)."""
    row = ctx.store().deps.add(blocker, dependent)
    kind = " (cross-team)" if row["cross_team"] else ""
    click.echo(f"{row['dependent']} now waits on {row['blocker']}{kind}")


@dep.command("list")
@click.option("--card", help="Links to or from this card.")
@click.option("--team", help="Links touching this team.")
@click.option("--cross-team", is_flag=True, help="Only links between different teams.")
@json_option
@pass_ctx
def dep_list(
    ctx: Context, card: str | None, team: str | None, cross_team: bool, as_json: bool
) -> None:
    """List dependencies."""
    rows = ctx.store().deps.list(card=card, team=team)
    if cross_team:
        rows = [r for r in rows if r["cross_team"]]
    if as_json:
        emit_json([dep_json(r) for r in rows])
    else:
        table(rows, DEP_COLUMNS)


@dep.command("remove")
@click.argument("blocker")
@click.argument("dependent")
@pass_ctx
def dep_remove(ctx: Context, blocker: str, dependent: str) -> None:
    """Remove the link BLOCKER -> DEPENDENT."""
    row = ctx.store().deps.remove(blocker, dependent)
    click.echo(f"{row['dependent']} no longer waits on {row['blocker']}")


COMMANDS = [card, dep]
