"""`feedback` and `stock` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.output import details, emit_json, field, table
from sprintboard.models import Feedback, FeedbackCategory, FeedbackSource, Triage, validate

CATEGORIES = click.Choice([c.value for c in FeedbackCategory])
SOURCES = click.Choice([s.value for s in FeedbackSource])
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

FEEDBACK_JSON = (
    "id",
    "text",
    "source",
    "customer",
    "category",
    "reported_by",
    "received_at",
    "reports",
    "urgent",
    "state",
    "snoozed_until",
    "decline_reason",
    "card",
    "card_status",
    "shipped",
)
FEEDBACK_COLUMNS = [
    ("ID", field("id")),
    ("URGENT", field("urgent")),
    ("CATEGORY", field("category")),
    ("STATE", field("state")),
    ("REPORTS", field("reports")),
    ("RECEIVED", lambda r: r["received_at"][:10]),
    ("CARD", field("card")),
    ("TEXT", lambda r: " ".join(r["text"].split())),
]


def _feedback_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in FEEDBACK_JSON}


@click.group()
def feedback() -> None:
    """Customer feedback from Customer Service."""


@feedback.command("add")
@click.argument("text")
@click.option("--category", type=CATEGORIES, default="other", show_default=True)
@click.option("--source", type=SOURCES, default="email", show_default=True)
@click.option("--customer", default="")
@click.option("--reported-by", default="", help="Who in Customer Service logged it.")
@click.option("--reports", type=int, default=1, show_default=True, help="How many reported it.")
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
    emit_json(_feedback_json(row)) if as_json else click.echo(row["id"])


@feedback.command("list")
@click.option("--state", type=click.Choice([t.value for t in Triage]))
@click.option("--category", type=CATEGORIES)
@click.option("--card", help="Feedback linked to this card.")
@json_option
@pass_ctx
def feedback_list(
    ctx: Context, state: str | None, category: str | None, card: str | None, as_json: bool
) -> None:
    """List feedback in triage order: urgent first, most reported, oldest."""
    rows = ctx.store().feedback.list(state=state, category=category, card=card)
    if as_json:
        emit_json([_feedback_json(r) for r in rows])
    else:
        table(rows, FEEDBACK_COLUMNS)


@feedback.command("show")
@click.argument("feedback_id")
@json_option
@pass_ctx
def feedback_show(ctx: Context, feedback_id: str, as_json: bool) -> None:
    """Show one feedback item."""
    row = ctx.store().feedback.get(feedback_id)
    if as_json:
        emit_json(_feedback_json(row))
    else:
        details([(f.replace("_", " "), row[f]) for f in FEEDBACK_JSON])


@click.group()
def stock() -> None:
    """Warehouse stock levels (for checking promotions)."""


@stock.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_ctx
def stock_import(ctx: Context, file: Path) -> None:
    """Import stock from a CSV with columns sku, on_hand[, name, threshold, restock_date].

    Good rows are kept; each bad row is reported with its line number (exit status 2).
    """
    from sprintboard.io.stock_csv import read_stock_csv

    items, errors = read_stock_csv(file)
    added, updated = ctx.store().stock.upsert(items) if items else (0, 0)
    click.echo(f"{added} added, {updated} updated, {len(errors)} rejected")
    for error in errors:
        click.echo(f"error: {file}: {error}", err=True)
    if errors:
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
