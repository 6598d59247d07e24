"""Customer feedback from CSV, one item per row.

Columns (header names are case-insensitive; `reported by` and `reported-by` also work):
text (required), category, source, customer, reported_by, received_at, reports. An empty
cell takes the default (category `other`, source `email`, received now, 1 report). Each row
is read whole or not at all; a bad row is reported with the line it starts on.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import ValidationError

from sprintboard.errors import UserError
from sprintboard.io.items import MAX_IMPORT_ITEMS, not_utf8, open_text
from sprintboard.models import Feedback, describe_validation_error
from sprintboard.vocabulary import needs_cleaning

REQUIRED = ("text",)
OPTIONAL = ("category", "source", "customer", "reported_by", "received_at", "reports")
COLUMNS = REQUIRED + OPTIONAL
LOWERCASE = ("category", "source")
"""Columns holding a fixed word: `Cart` is read as `cart`."""


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _header(path: Path, record: list[str] | None) -> list[str]:
    header = [_column(h) for h in record or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UserError(
            f"{path}: line 1: missing column(s) {', '.join(missing)} (columns: "
            f"{', '.join(COLUMNS)})"
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise UserError(
            f"{path}: line 1: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})"
        )
    twice = [h for i, h in enumerate(header) if h in header[:i]]
    if twice:
        raise UserError(f"{path}: line 1: column {twice[0]!r} appears twice")
    return header


def read_feedback_csv(
    path: Path, *, cleaned: list[int] | None = None
) -> tuple[list[Feedback], list[str]]:
    """Parse a feedback CSV; returns the good rows and one message per bad row (with its line).

    A file that cannot be read, or whose header lacks `text` or names an unknown column,
    raises UserError: nothing of it is imported.
    """
    try:
        with open_text(path, newline="") as handle:
            reader = csv.reader(handle)
            header = _header(path, next(reader, None))
            items: list[Feedback] = []
            errors: list[str] = []
            end = reader.line_num
            for record in reader:
                if len(items) + len(errors) >= MAX_IMPORT_ITEMS:
                    raise UserError(f"{path}: more than {MAX_IMPORT_ITEMS:,} rows; split the file")
                # A quoted cell may span lines: report the line the row starts on.
                start, end = end + 1, reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) > len(header):
                    errors.append(
                        f"line {start}: {len(record)} values for {len(header)} columns "
                        f"({', '.join(header)})"
                    )
                    continue
                data: dict[str, str] = {}
                for name, cell in zip(header, record, strict=False):
                    if not cell.strip():
                        continue  # empty: the default
                    data[name] = cell.strip().lower() if name in LOWERCASE else cell
                    if name != "text":
                        data[name] = data[name].strip()
                try:
                    items.append(Feedback.model_validate(data))
                    if cleaned is not None and any(needs_cleaning(v) for v in data.values()):
                        cleaned.append(len(items))  # control characters removed
                except ValidationError as exc:
                    errors.append(f"line {start}: {describe_validation_error(exc)}")
            return items, errors
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except csv.Error as exc:
        raise UserError(f"{path}: not a readable CSV file ({exc})") from None
