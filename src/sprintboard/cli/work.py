"""`demo`, `undo` and `history`: whole-database commands."""

from __future__ import annotations

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import emit_json, say, table
from sprintboard.cli.params import DEMO_SIZE


@click.command()
@click.option(
    "--cards", type=DEMO_SIZE, help="Scale the organisation to N cards (at most 1,000,000)."
)
@click.option(
    "--per-sprint",
    type=DEMO_SIZE,
    default=2000,
    show_default=True,
    help="With --cards: about how many cards each sprint holds.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace what the database already holds (copied to <name>.before-demo-<time>.bak).",
)
@pass_ctx
def demo(ctx: Context, cards: int | None, per_sprint: int, force: bool) -> None:
    """Fill the database with a realistic e-commerce organisation."""
    from sprintboard.demo import load_demo

    store = ctx.store()
    before = store.activity.plan_replaced()
    counts = load_demo(store, cards=cards, per_sprint=per_sprint, force=force)
    replaced = store.activity.plan_replaced()
    if replaced is not None and replaced != before:
        say(
            f"the plan it replaced is kept in {replaced['backup']} "
            f"(sprintboard restore {replaced['backup']} puts it back)"
        )
    say(
        f"demo organisation loaded into {ctx.db_path}: {counts['cards']} cards, "
        f"{counts['sprints']} sprints, {counts['goals']} goals, {counts['dependencies']} "
        f"dependencies, {counts['feedback']} feedback items"
    )


@click.command()
@pass_ctx
def undo(ctx: Context) -> None:
    """Undo the last change (from any sprintboard on this database)."""
    done = ctx.store().activity.undo()
    what = f" {done['key']}" if done["key"] else ""
    say(f"undone: {done['action']}{what} by {done['actor']} at {done['at']}")


@click.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def history(ctx: Context, key: str, as_json: bool) -> None:
    """Show a card's life: every change, who made it and when."""
    store = ctx.store()
    rows = store.activity.for_card(key)
    if not rows:
        store.cards.get(key)  # raises the one-line 'no card' error
    if as_json:
        emit_json(
            [
                {
                    f: r[f]
                    for f in (
                        "at",
                        "actor",
                        "action",
                        "entity",
                        "entity_key",
                        "op",
                        "field",
                        "before",
                        "after",
                    )
                }
                for r in rows
            ]
        )
        return
    from sprintboard.store.activity import describe_change

    teams = {t["id"]: t["code"] for t in store.teams.list(include_archived=True)}
    table(
        rows,
        [
            ("AT", lambda r: r["at"]),
            ("WHO", lambda r: r["actor"]),
            ("ACTION", lambda r: r["action"]),
            ("CHANGE", lambda r: describe_change(r, teams, arrow="->")),
        ],
        max_width=80,
    )


COMMANDS = [demo, undo, history]
