"""`feedback` and `stock` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, table
from sprintboard.cli.params import POSITIVE, REPORTS, SPRINT, FilePath
from sprintboard.errors import UserError
from sprintboard.io.json_shapes import FEEDBACK_JSON, feedback_json
from sprintboard.models import Feedback, validate
from sprintboard.planning.triage import VIEWS, AgeLimits, age_days, age_level, view_of
from sprintboard.store.feedback_triage import fb_key
from sprintboard.vocabulary import FeedbackCategory, FeedbackSource, Triage

CATEGORIES = click.Choice([c.value for c in FeedbackCategory])
SOURCES = click.Choice([s.value for s in FeedbackSource])
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

FEEDBACK_COLUMNS = [
    ("ID", lambda r: fb_key(r["id"])),
    ("URGENT", field("urgent")),
    ("CATEGORY", field("category")),
    ("STATE", field("state")),
    ("REPORTS", field("reports")),
    ("RECEIVED", lambda r: r["received_at"][:10]),
    ("AGE", field("age")),
    ("CARD", field("card")),
    ("TEXT", lambda r: " ".join(r["text"].split())),
]


@click.group()
def feedback() -> None:
    """Customer feedback from Customer Service."""


@feedback.command("add")
@click.argument("text")
@click.option("--category", type=CATEGORIES, default="other", show_default=True)
@click.option("--source", type=SOURCES, default="email", show_default=True)
@click.option("--customer", default="")
@click.option("--reported-by", default="", help="Who in Customer Service logged it.")
@click.option("--reports", type=REPORTS, default=1, show_default=True, help="How many reported it.")
@click.option("--received", help="When it came in (YYYY-MM-DD or ISO time; default now).")
@json_option
@pass_ctx
def feedback_add(
    ctx: Context,
    text: str,
    category: str,
    source: str,
    customer: str,
    reported_by: str,
    reports: int,
    received: str | None,
    as_json: bool,
) -> None:
    """Log customer feedback TEXT; checkout, cart and payment are urgent."""
    model = validate(
        Feedback,
        {
            "text": text,
            "category": category,
            "source": source,
            "customer": customer,
            "reported_by": reported_by,
            "reports": reports,
            "received_at": received,
        },
    )
    row = ctx.store().feedback.add(model)
    emit_json(feedback_json(row)) if as_json else click.echo(fb_key(row["id"]))


def _with_age(store: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the AGE cell: days since received, flagged amber/red while waiting for triage."""
    from sprintboard.config import Settings

    settings = Settings.load()
    limits = AgeLimits(settings.feedback_amber_days, settings.feedback_red_days)
    today = store.today()
    for row in rows:
        days = age_days(row["received_at"], today)
        level = age_level(days, limits) if view_of(row, today) == "new" else "ok"
        row["age"] = f"{days}d" + ("" if level == "ok" else f" {level}")
    return rows


@feedback.command("list")
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    help="An inbox view (new includes snoozes whose day has come; shipped: card done).",
)
@click.option("--state", type=click.Choice([t.value for t in Triage]))
@click.option("--category", type=CATEGORIES)
@click.option("--card", help="Feedback linked to this card.")
@click.option("--limit", type=POSITIVE, help="At most this many items.")
@json_option
@pass_ctx
def feedback_list(
    ctx: Context,
    view: str | None,
    state: str | None,
    category: str | None,
    card: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List feedback in triage order: urgent first, most reported, oldest.

    Snoozed items whose day has come are woken (back to new) first.
    """
    store = ctx.store()
    rows = store.feedback.listing(view=view, state=state, category=category, card=card, limit=limit)
    if as_json:
        emit_json([feedback_json(r) for r in rows])
    else:
        table(_with_age(store, rows), FEEDBACK_COLUMNS)


@feedback.command("show")
@click.argument("feedback_id", metavar="FB-ID")
@json_option
@pass_ctx
def feedback_show(ctx: Context, feedback_id: str, as_json: bool) -> None:
    """Show one feedback item."""
    row = ctx.store().feedback.get(feedback_id)
    if as_json:
        emit_json(feedback_json(row))
    else:
        shown = feedback_json(row)
        details([(f.replace("_", " "), shown[f]) for f in FEEDBACK_JSON if f != "id"])


def _report(row: dict[str, Any], as_json: bool, line: str) -> None:
    emit_json(feedback_json(row)) if as_json else click.echo(line)


@feedback.command("accept")
@click.argument("feedback_id", metavar="FB-ID")
@click.option("--team", required=True, help="Team whose card it becomes, e.g. IT.")
@click.option(
    "--sprint", type=SPRINT, help="Sprint name, 'current' or 'backlog' (default: backlog)."
)
@click.option("--title", help="Card title (default: the feedback's first line).")
@json_option
@pass_ctx
def feedback_accept(
    ctx: Context,
    feedback_id: str,
    team: str,
    sprint: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    """Accept feedback: make a card for TEAM, linked to it; prints the card's key."""
    store = ctx.store()
    found = store.sprints.resolve(sprint) if sprint else None
    row = store.feedback.accept(
        feedback_id, team, sprint_id=None if found is None else int(found["id"]), title=title
    )
    _report(row, as_json, f"{fb_key(row['id'])} accepted as {row['card']}")


@feedback.command("duplicate")
@click.argument("feedback_id", metavar="FB-ID")
@click.option("--card", "card", help="The card it duplicates, e.g. IT-42.")
@click.option("--of", "of_feedback", help="The feedback item it duplicates, e.g. FB-12.")
@json_option
@pass_ctx
def feedback_duplicate(
    ctx: Context, feedback_id: str, card: str | None, of_feedback: str | None, as_json: bool
) -> None:
    """Merge feedback as a duplicate of a card (--card) or another item (--of).

    Its reports count adds up on the card, or on the item it duplicates.
    """
    if (card is None) == (of_feedback is None):
        raise UserError("duplicate: give --card KEY or --of ID (one of them)")
    row = ctx.store().feedback.duplicate(feedback_id, card=card, of_feedback=of_feedback)
    target = fb_key(row["duplicate_of"]) if of_feedback is not None else row["card"]
    _report(row, as_json, f"{fb_key(row['id'])} merged into {target}")


@feedback.command("decline")
@click.argument("feedback_id", metavar="FB-ID")
@click.option("--reason", required=True, help="Why (one line; kept with the item).")
@json_option
@pass_ctx
def feedback_decline(ctx: Context, feedback_id: str, reason: str, as_json: bool) -> None:
    """Decline feedback, with a reason."""
    row = ctx.store().feedback.decline(feedback_id, reason)
    _report(row, as_json, f"{fb_key(row['id'])} declined")


@feedback.command("snooze")
@click.argument("feedback_id", metavar="FB-ID")
@click.option("--until", required=True, help="The day it comes back, YYYY-MM-DD (after today).")
@json_option
@pass_ctx
def feedback_snooze(ctx: Context, feedback_id: str, until: str, as_json: bool) -> None:
    """Snooze feedback until a day; it is back in the inbox (new) on that day."""
    row = ctx.store().feedback.snooze(feedback_id, until)
    _report(row, as_json, f"{fb_key(row['id'])} snoozed until {row['snoozed_until']}")


@feedback.command("reopen")
@click.argument("feedback_id", metavar="FB-ID")
@json_option
@pass_ctx
def feedback_reopen(ctx: Context, feedback_id: str, as_json: bool) -> None:
    """Put triaged feedback back to new (an accepted item's card is kept)."""
    store = ctx.store()
    before = store.feedback.get(feedback_id)
    row = store.feedback.reopen(feedback_id)
    kept = ""
    if before["state"] == "accepted" and before["card"]:
        kept = (
            f" (card {before['card']} kept; 'sprintboard card delete {before['card']}' removes it)"
        )
    _report(row, as_json, f"{fb_key(row['id'])} reopened{kept}")


@feedback.command("inform")
@click.argument("feedback_id", metavar="FB-ID")
@json_option
@pass_ctx
def feedback_inform(ctx: Context, feedback_id: str, as_json: bool) -> None:
    """Mark the customer told that their fix shipped (the item's card is done).

    Records who (the person at the keyboard, see --as) and when; undo reverts it. The item
    leaves the shipped view for the informed one.
    """
    row = ctx.store().feedback.inform(feedback_id)
    _report(
        row,
        as_json,
        f"{fb_key(row['id'])}: customer marked informed by {row['informed_by']}"
        f" at {row['informed_at']}",
    )


@feedback.command("import")
@click.argument("file", type=FilePath())
@pass_ctx
def feedback_import(ctx: Context, file: Path) -> None:
    """Import feedback from a CSV with columns text[, category, source, customer,
    reported_by, received_at, reports].

    Good rows are kept; each bad row is reported with its line number (exit status 2).
    """
    from sprintboard.io.feedback_csv import read_feedback_csv

    cleaned: list[int] = []
    items, errors = read_feedback_csv(file, cleaned=cleaned)
    added = ctx.store().feedback.add_many(items) if items else 0  # nothing to keep: no new file
    click.echo(f"{added} imported, {len(errors)} rejected{_cleaned(cleaned)}")
    for error in errors:
        click.echo(f"error: {file}: {error}", err=True)
    if errors:
        raise SystemExit(2)


def _cleaned(rows: list[int]) -> str:
    return f", {len(rows)} cleaned (control characters removed)" if rows else ""


@click.group()
def stock() -> None:
    """Warehouse stock levels (for checking promotions)."""


@stock.command("import")
@click.argument("file", type=FilePath())
@pass_ctx
def stock_import(ctx: Context, file: Path) -> None:
    """Import stock from a CSV with columns sku, on_hand[, name, threshold, restock_date].

    Good rows are kept; each bad row is reported with its line number (exit status 2).
    """
    from sprintboard.io.stock_csv import import_stock_csv

    done = import_stock_csv(ctx.store, file)
    click.echo(done.summary())
    for error in done.errors:
        click.echo(f"error: {file}: {error}", err=True)
    if done.errors:
        raise SystemExit(2)


@stock.command("list")
@json_option
@pass_ctx
def stock_list(ctx: Context, as_json: bool) -> None:
    """List stock, flagging SKUs under their threshold."""
    rows = ctx.store().stock.list()
    if as_json:
        emit_json(
            [
                {f: r[f] for f in ("sku", "name", "on_hand", "threshold", "restock_date", "low")}
                for r in rows
            ]
        )
    else:
        table(
            rows,
            [
                ("SKU", field("sku")),
                ("ON HAND", field("on_hand")),
                ("THRESHOLD", field("threshold")),
                ("LOW", field("low")),
                ("RESTOCK", field("restock_date")),
                ("NAME", field("name")),
            ],
        )


COMMANDS = [feedback, stock]
