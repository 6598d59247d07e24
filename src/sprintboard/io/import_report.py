"""`import --report FILE`: every item of an import with what became of it and why, as CSV
or JSON (by the file's extension), so no skipped card or dropped value is only counted."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.cards_csv import protect
from sprintboard.io.import_plan import Plan

COLUMNS = ("outcome", "where", "source_id", "key", "title", "field", "value", "reason")
REPORT_FORMATS = {".csv": "csv", ".json": "json"}


def report_format(path: Path) -> str:
    """'csv' or 'json', from the report file's extension; one line for any other."""
    found = REPORT_FORMATS.get(path.suffix.casefold())
    if found is None:
        raise UserError(f"report: {path.name!r} must end in .csv or .json (the report's format)")
    return found


def report_rows(plan: Plan, *, dry_run: bool) -> list[dict[str, Any]]:
    """One row per card created, updated, closed or skipped, per value dropped and per
    comment or checklist item skipped; a dry run says what would be done."""
    would = "would be " if dry_run else ""
    prefix = plan.parsed.prefix
    rows: list[dict[str, Any]] = []

    def add(outcome: str, where: str, source_id: str, **rest: Any) -> None:
        rows.append(
            {c: "" for c in COLUMNS}
            | {"outcome": outcome, "where": where, "source_id": source_id}
            | {k: v for k, v in rest.items() if v is not None}
        )

    for new in plan.creates:
        add(
            would + "created",
            new.item.where,
            new.item.external_id,
            key=plan.created_keys.get(new.item.identity, ""),
            title=new.card.title,
            reason=new.item.why,
        )
    for update in plan.updates:
        fields = sorted(update.changes)
        if update.sprint_changed:
            fields.append("sprint")
        if update.contributing is not None:
            fields.append("teams")
        if update.goal is not None:
            fields.append("goal")
        add(
            would + "updated",
            update.item.where,
            update.item.external_id,
            key=update.row["key"],
            title=update.row["title"],
            field=", ".join(dict.fromkeys(f.removesuffix("_id") for f in fields)),
            reason=update.item.why,
        )
    for close in plan.closes:
        add(
            would + "closed",
            close.item.where,
            close.item.external_id,
            key=close.row["key"],
            title=close.row["title"],
            reason=close.reason,
        )
    for skip in plan.skipped:
        add(
            "skipped",
            skip.where,
            prefix + skip.ref if skip.ref else "",
            title=skip.title or "",
            reason=skip.reason,
        )
    for item in plan.no_team:
        add(
            "skipped",
            item.where,
            item.external_id,
            title=item.title,
            reason="the source names no team; give --team CODE",
        )
    # A dropped value names its card by title too: a source id alone says little.
    titles = {item.external_id: item.title for item in plan.parsed.items}
    for drop in plan.parsed.dropped:
        add(
            "dropped value",
            drop.where,
            prefix + drop.ref,
            title=titles.get(prefix + drop.ref),
            field=drop.field,
            value=drop.value,
            reason=drop.reason,
        )
    for entity, skip in plan.threads.skipped:
        add(
            f"{entity.replace('_', ' ')} skipped",
            skip.where,
            prefix + skip.ref if skip.ref else "",
            reason=skip.reason,
        )
    return rows


def report_bytes(plan: Plan, fmt: str, *, dry_run: bool) -> bytes:
    """The report as the file holds it: CSV with a header row, or a JSON object."""
    rows = report_rows(plan, dry_run=dry_run)
    if fmt == "json":
        document = {
            "source": plan.parsed.described,
            "dry_run": dry_run,
            "items": rows,
        }
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    # Titles and values come from the file: none may run as a spreadsheet formula.
    writer.writerows({k: protect(str(v)) for k, v in row.items()} for row in rows)
    return out.getvalue().encode("utf-8-sig")
