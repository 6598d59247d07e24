"""`demo`, `undo`, `redo`, `history` and `whoami`: whole-database commands."""

from __future__ import annotations

import re

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import emit_json, say
from sprintboard.cli.params import DEMO_SIZE, POSITIVE
from sprintboard.errors import NotFound, UserError
from sprintboard.vocabulary import show_control


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
@click.option(
    "--any", "any_person", is_flag=True, help="Undo the last change of anyone, not yours."
)
@click.option(
    "--change",
    "change",
    type=POSITIVE,
    metavar="ID",
    help="Undo this change (its id is in 'sprintboard history KEY'), whoever made it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def undo(ctx: Context, any_person: bool, change: int | None, as_json: bool) -> None:
    """Undo your last change (refused when someone changed that record since)."""
    from sprintboard.store.activity import undo_message

    if any_person and change is not None:
        raise UserError("undo: give --any or --change, not both")
    done = ctx.store().activity.undo(any_person=any_person, change=change)
    if as_json:
        emit_json(done)
    else:
        say(undo_message(done))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def redo(ctx: Context, as_json: bool) -> None:
    """Put back what your last undo reverted."""
    from sprintboard.store.activity import undo_message

    done = ctx.store().activity.redo()
    if as_json:
        emit_json(done)
    else:
        say(undo_message(done, "redone"))


HISTORY_JSON = (
    "id",
    "at",
    "actor",
    "device",
    "action",
    "entity",
    "entity_key",
    "op",
    "field",
    "before",
    "after",
    "undone_by",
)


@click.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def history(ctx: Context, key: str, as_json: bool) -> None:
    """Show a card's or a feedback item's (FB-12) life: every change, who made it and when
    (ID: for 'undo --change')."""
    from sprintboard.cli.history import print_history

    store = ctx.store()
    # FB-12 is a feedback item, unless a team FB has a card of that key.
    try:
        if re.fullmatch(r"\s*fb-\d+\s*", key, re.IGNORECASE) and not store.cards.query(keys=[key]):
            rows = store.activity.for_feedback(key)
            if not rows:
                store.feedback.get(key)  # raises the one-line 'no feedback' error
        else:
            rows = store.activity.for_card(key)
            if not rows:
                store.cards.get(key)  # raises the one-line 'no card' error
    except NotFound as missing:
        raise NotFound(f"{missing}{store.activity.gone_with_replaced_plan(key.strip())}") from None
    if as_json:
        emit_json([{f: r[f] for f in HISTORY_JSON} for r in rows])
    else:
        print_history(store, rows)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def whoami(ctx: Context, as_json: bool) -> None:
    """Who sprintboard records your changes under, and why."""
    person = ctx.person()
    if person.source in ("git", "account"):
        # A `user` in the config file that was skipped for being no name: say so here,
        # where someone asks why their changes go under another name.
        from sprintboard.config import Settings

        _, problems = Settings.read()
        for problem in problems:
            if problem.startswith("config: user = "):
                click.echo(f"warning: {show_control(problem)}; skipped", err=True)
    store = ctx.store()
    name = store.person(person.name)
    member = next((m for m in store.members.list() if m["name"] == name), None)
    shown = {
        "name": name,
        "given": person.name,
        "source": person.source,
        "member": None
        if member is None
        else {"id": member["id"], "team": member["team"], "role": member["role"]},
        "device": store.device,
    }
    if as_json:
        emit_json(shown)
        return
    if member is None:
        where = "not a team member: 'sprintboard member add TEAM NAME' adds one"
    else:
        where = f"{member['team']} member" + (f", {member['role']}" if member["role"] else "")
    say(f"{name} ({where}); from {person.source}; device {store.device}")


COMMANDS = [demo, undo, redo, history, whoami]
