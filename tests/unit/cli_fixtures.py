"""What the command-line tests share: the demo loaded through the CLI, reading JSON,
success and refusal checks."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"

# The documented JSON shapes (README, "JSON output"); test_readme_documents_these_keys
# keeps this list and the README in step, the other tests keep the code in step with it.
JSON_KEYS: dict[str, list[str]] = {
    "card": [
        "key",
        "uuid",
        "title",
        "description",
        "team",
        "teams",
        "status",
        "sprint",
        "points",
        "priority",
        "assignee",
        "due",
        "goal",
        "labels",
        "skus",
        "expected_orders",
        "blocked_by",
        "blockers",
        "blocks",
        "cross_team",
        "feedback",
        "reports",
        "comment_count",
        "checklist_done",
        "checklist_total",
        "position",
        "created_at",
        "updated_at",
        "done_at",
    ],
    "sprint": [
        "name",
        "goal",
        "start",
        "end",
        "state",
        "committed_points",
        "completed_points",
        "started_at",
        "closed_at",
        "cards",
        "points",
        "done_points",
    ],
    "goal": [
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
    ],
    "team": ["code", "name", "format", "colour", "capacity", "throughput_per_day", "archived"],
    "member": ["id", "team", "name", "role", "onboarding"],
    "dependency": [
        "blocker",
        "blocker_team",
        "blocker_status",
        "dependent",
        "dependent_team",
        "dependent_status",
        "cross_team",
        "open",
        "created_at",
    ],
    "feedback": [
        "key",
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
        "informed_by",
        "informed_at",
    ],
    "stock": ["sku", "name", "on_hand", "threshold", "restock_date", "low"],
    "comment": ["id", "uuid", "card", "author", "body", "created_at", "edited_at", "mentions"],
    "checklist": [
        "id",
        "uuid",
        "card",
        "text",
        "done",
        "team",
        "position",
        "created_at",
        "done_at",
    ],
    "history": [
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
    ],
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def demo(cli: Any) -> Any:
    """The `cli` runner on a database holding the demo organisation."""
    result = cli("demo")
    assert result.code == 0, result.err
    return cli


def ok(cli: Any, *args: str) -> str:
    result = cli(*args)
    assert result.code == 0, f"{args}: {result.err}"
    assert result.err == ""
    return str(result.out)


def js(cli: Any, *args: str) -> Any:
    return json.loads(ok(cli, *args, "--json"))


def refused(cli: Any, *args: str) -> str:
    """Run a command that must fail cleanly: exit 2, one 'error:' line, no traceback."""
    result = cli(*args)
    assert result.code == 2, f"{args}: exit {result.code}, {result.out!r} {result.err!r}"
    assert result.err.count("\n") == 1 and result.err.endswith("\n"), result.err
    assert result.err.startswith("error: "), result.err
    assert "Traceback" not in result.err
    return str(result.err)


def keys_of(kind: str, record: dict[str, Any]) -> None:
    assert list(record) == JSON_KEYS[kind], kind


def run_in_process(*args: str) -> tuple[int, str, str]:
    """`sprintboard ARGS...` in this process, outside any fixture: exit status, stdout,
    stderr (for property tests, which run many commands in one test)."""
    from sprintboard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def all_rows(db: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every table's rows (the activity log included), to compare before and after."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")
        ]
        return [(n, conn.execute(f"SELECT * FROM [{n}] ORDER BY rowid").fetchall()) for n in names]
    finally:
        conn.close()
