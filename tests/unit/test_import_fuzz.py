"""Every importer fed bad values: it never ends in a traceback; a refusal is one line per
problem with exit 2 and leaves the database as it was; whatever it does store passes the
records' checks (dates in range, numbers bounded, no control characters or surrogates)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cli_fixtures import all_rows, run_in_process
from hypothesis import given, settings
from hypothesis import strategies as st

from sprintboard.store import Store
from sprintboard.vocabulary import needs_cleaning

EXAMPLES = settings(max_examples=25, derandomize=True, deadline=None)

# Values no field should let through unchecked, mixed with a few good ones.
HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x1b]0;owned\x07",
        "\x1b[2J\x1b[H",
        "a\ud800b",
        "\udcff",
        "x" * 501,
        "# heading",
        "red;}body{x:y}",
        "\u202eevil",
        "ok",
    ]
)
HOSTILE_NUMBER = st.sampled_from(
    ["-1", "1001", "1e20", "nan", "inf", str(2**63), str(2**64), "12abc", "", "3", "0.5"]
)
HOSTILE_DATE = st.sampled_from(
    [
        "0",
        "0999-12-31",
        "9999-12-31",
        "0001-01-01T00:00:00Z",
        "2026-02-30",
        "1773273600",
        "31/Dec/99",
        "2026-03-20",
        "",
    ]
)


def assert_stored_values_valid(db: Path) -> None:
    """What an import stored is what the records allow."""
    conn = sqlite3.connect(db)
    try:
        for title, description, points, due in conn.execute(
            "SELECT title, description, points, due FROM cards"
        ):
            assert title.strip() and len(title) <= 500 and not needs_cleaning(title)
            assert not needs_cleaning(description)
            assert points is None or 0 <= points <= 1000
            assert due is None or date(1900, 1, 1) <= date.fromisoformat(due) <= date(2200, 12, 31)
        for name, start, end in conn.execute("SELECT name, start, end FROM sprints"):
            assert not needs_cleaning(name)
            days = (date.fromisoformat(end) - date.fromisoformat(start)).days
            assert 0 <= days < 366 and date.fromisoformat(start).year >= 1900
        for text, received, reports in conn.execute(
            "SELECT text, received_at, reports FROM feedback"
        ):
            assert not needs_cleaning(text) and 1 <= reports <= 1_000_000
            assert 1900 <= int(received[:4]) <= 2200
        for sku, on_hand, restock in conn.execute("SELECT sku, on_hand, restock_date FROM stock"):
            assert not needs_cleaning(sku) and 0 <= on_hand <= 1_000_000_000
            assert restock is None or 1900 <= int(restock[:4]) <= 2200
    finally:
        conn.close()


def check_import(content: str | bytes, args: Callable[[Path], list[str]], name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "plan.db"
        Store(db).close()
        before = all_rows(db)
        file = Path(folder) / name
        if isinstance(content, str):
            # surrogatepass: the file holds what a broken exporter would write.
            file.write_bytes(content.encode("utf-8", "surrogatepass"))
        else:
            file.write_bytes(content)
        code, out, err = run_in_process("--db", str(db), *args(file))
        assert code in (0, 2), err
        assert "Traceback" not in err
        assert "\x1b" not in out + err and "\x07" not in out + err
        assert all(line.startswith("error: ") for line in err.splitlines()), err
        if code == 2 and args(file)[0] not in ("feedback", "stock"):
            assert err.count("\n") == 1, err
            assert all_rows(db) == before
        assert_stored_values_valid(db)


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


@EXAMPLES
@given(title=HOSTILE_TEXT, desc=HOSTILE_TEXT, due=HOSTILE_DATE, label=HOSTILE_TEXT)
def test_trello(title: str, desc: str, due: str, label: str) -> None:
    board = {
        "name": "Board",
        "lists": [{"id": "l1", "name": "To do"}],
        "labels": [{"id": "b1", "name": label}],
        "cards": [
            {
                "id": "c1",
                "name": title,
                "desc": desc,
                "idList": "l1",
                "due": due or None,
                "labels": [{"id": "b1", "name": label}],
            }
        ],
    }
    text = json.dumps(board)  # lone surrogates travel as \ud800 escapes
    check_import(text, lambda f: ["import", str(f), "--from", "trello", "--team", "IT"], "t.json")


@EXAMPLES
@given(title=HOSTILE_TEXT, body=HOSTILE_TEXT, milestone=HOSTILE_TEXT, due=HOSTILE_DATE)
def test_github(title: str, body: str, milestone: str, due: str) -> None:
    issues = [
        {
            "number": 1,
            "title": title,
            "body": body,
            "state": "OPEN",
            "labels": [],
            "milestone": {"title": milestone, "dueOn": due or None},
        }
    ]
    check_import(
        json.dumps(issues),
        lambda f: ["import", str(f), "--from", "github", "--repo", "a/b", "--team", "IT"],
        "g.json",
    )


@EXAMPLES
@given(summary=HOSTILE_TEXT, points=HOSTILE_NUMBER, due=HOSTILE_DATE, sprint=HOSTILE_TEXT)
def test_jira(summary: str, points: str, due: str, sprint: str) -> None:
    rows = [
        ["Summary", "Issue key", "Status", "Due date", "Sprint", "Custom field (Story Points)"],
        [summary, "SHOP-1", "To Do", due, sprint, points],
    ]
    check_import(
        _csv(rows), lambda f: ["import", str(f), "--from", "jira", "--team", "IT"], "j.csv"
    )


@EXAMPLES
@given(title=HOSTILE_TEXT, points=HOSTILE_NUMBER, due=HOSTILE_DATE, sprint=HOSTILE_TEXT)
def test_cards_csv(title: str, points: str, due: str, sprint: str) -> None:
    rows = [["title", "team", "points", "due", "sprint"], [title, "IT", points, due, sprint]]
    check_import(_csv(rows), lambda f: ["import", str(f), "--from", "csv"], "c.csv")


@EXAMPLES
@given(text=HOSTILE_TEXT, reports=HOSTILE_NUMBER, received=HOSTILE_DATE, customer=HOSTILE_TEXT)
def test_feedback_csv(text: str, reports: str, received: str, customer: str) -> None:
    rows = [["text", "reports", "received_at", "customer"], [text, reports, received, customer]]
    check_import(_csv(rows), lambda f: ["feedback", "import", str(f)], "f.csv")


@EXAMPLES
@given(sku=HOSTILE_TEXT, on_hand=HOSTILE_NUMBER, restock=HOSTILE_DATE, name=HOSTILE_TEXT)
def test_stock_csv(sku: str, on_hand: str, restock: str, name: str) -> None:
    rows = [["sku", "on_hand", "restock_date", "name"], [sku, on_hand, restock, name]]
    check_import(_csv(rows), lambda f: ["stock", "import", str(f)], "s.csv")


def test_importers_count_the_values_they_clean(cli: Any, tmp_path: Path) -> None:
    feedback = tmp_path / "f.csv"
    feedback.write_text('text,customer\n"Cart \x1b[2J broken",Ann\nok,Bob\n', encoding="utf-8")
    assert cli("feedback", "import", str(feedback)).out == (
        "2 imported, 0 rejected, 1 cleaned (control characters removed)\n"
    )
    stock = tmp_path / "s.csv"
    stock.write_text("sku,on_hand\nA\x07,3\n", encoding="utf-8")
    assert "1 cleaned" in cli("stock", "import", str(stock)).out
    board = tmp_path / "t.json"
    board.write_text(
        json.dumps(
            {
                "lists": [{"id": "l1", "name": "To do"}],
                "cards": [{"id": "c1", "name": "Pay\x1b]0;x\x07 now\ud800", "idList": "l1"}],
            }
        ),
        encoding="utf-8",
    )
    result = cli("import", str(board), "--from", "trello", "--team", "IT")
    assert result.code == 0, result.err
    assert "cleaned: 1 text value(s)" in result.out
    shown = json.loads(cli("card", "show", "IT-1", "--json").out)
    assert shown["title"] == "Pay]0;x now\ufffd"
