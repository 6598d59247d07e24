"""`checklist` commands: what is still to do on a card, each item optionally a team's part."""

from __future__ import annotations

from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.card_parts import item_json, print_checklist, progress
from sprintboard.cli.output import emit_json, say
from sprintboard.cli.params import NumberArguments, Whole, json_option
from sprintboard.store import Store
from sprintboard.vocabulary import INT64_MAX

ITEM_ID = Whole(1, INT64_MAX, "checklist item id")


@click.group()
def checklist() -> None:
    """A card's checklist: list, add, done, undone, edit, remove."""


def _report(store: Store, row: dict[str, Any], what: str, as_json: bool) -> None:
    """One line on what happened to the item, with the card's progress after it."""
    if as_json:
        emit_json(item_json(row))
        return
    items = store.checklists.for_card(row["card"])
    say(f"{row['card']}: {what} #{row['id']} {row['text']} ({progress(items)} done)")


@checklist.command("list")
@click.argument("key")
@json_option
@pass_ctx
def checklist_list(ctx: Context, key: str, as_json: bool) -> None:
    """A card's checklist in order, with its progress ('2/3 done')."""
    store = ctx.store()
    items = store.checklists.for_card(key)
    if as_json:
        emit_json([item_json(i) for i in items])
        return
    shown = store.cards.get(key)["key"]
    if not items:
        say(f"{shown}: no checklist")
        return
    say(f"{shown}: {progress(items)} done")
    print_checklist(items)


@checklist.command("add")
@click.argument("key")
@click.argument("text")
@click.option("--team", metavar="CODE", help="The team whose part this is, e.g. WH.")
@json_option
@pass_ctx
def checklist_add(ctx: Context, key: str, text: str, team: str | None, as_json: bool) -> None:
    """Add an item at the end of a card's checklist."""
    store = ctx.store()
    row = store.checklists.add(key, text, team=team)
    _report(store, row, "added", as_json)


@checklist.command("done", cls=NumberArguments)
@click.argument("item_id", metavar="ID", type=ITEM_ID)
@json_option
@pass_ctx
def checklist_done(ctx: Context, item_id: int, as_json: bool) -> None:
    """Tick an item: done."""
    store = ctx.store()
    _report(store, store.checklists.tick(item_id, True), "ticked", as_json)


@checklist.command("undone", cls=NumberArguments)
@click.argument("item_id", metavar="ID", type=ITEM_ID)
@json_option
@pass_ctx
def checklist_undone(ctx: Context, item_id: int, as_json: bool) -> None:
    """Untick an item: not done after all."""
    store = ctx.store()
    _report(store, store.checklists.tick(item_id, False), "unticked", as_json)


@checklist.command("edit", cls=NumberArguments)
@click.argument("item_id", metavar="ID", type=ITEM_ID)
@click.argument("text")
@json_option
@pass_ctx
def checklist_edit(ctx: Context, item_id: int, text: str, as_json: bool) -> None:
    """Reword an item."""
    store = ctx.store()
    _report(store, store.checklists.edit(item_id, text), "reworded", as_json)


@checklist.command("remove", cls=NumberArguments)
@click.argument("item_id", metavar="ID", type=ITEM_ID)
@json_option
@pass_ctx
def checklist_remove(ctx: Context, item_id: int, as_json: bool) -> None:
    """Remove an item (undo with 'sprintboard undo')."""
    store = ctx.store()
    _report(store, store.checklists.remove(item_id), "removed", as_json)


COMMANDS = [checklist]
