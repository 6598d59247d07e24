"""A database holding values stored before they were checked (a year-999 date, a sprint to
9999, an escape sequence in a title, CSS in a team colour) is read without a traceback:
such values are skipped with a finding, or shown harmlessly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sprintboard.io.markdown import escape
from sprintboard.store import Store


@pytest.fixture
def tainted(demo_store: Store, db_path: Path) -> Path:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE feedback SET received_at = '999-12-31T00:00:00Z' WHERE id = 1")
        conn.execute(
            "UPDATE cards SET due = '0999-12-31', title = 'Pay' || char(27) || ']0;owned'"
            " || char(7) || ' now' WHERE key = 'IT-1'"
        )
        conn.execute("UPDATE sprints SET end = '9999-12-31' WHERE state = 'active'")
        conn.execute("UPDATE teams SET colour = 'red;}body{display:none}' WHERE code = 'IT'")
    conn.close()
    return db_path


def no_traceback(result: Any) -> None:
    assert "Traceback" not in result.err and "Error:" not in result.err, result.err


def test_readers_do_not_crash(cli: Any, tainted: Path) -> None:
    for args in [
        ("feedback", "list"),
        ("feedback", "show", "1"),
        ("card", "list"),
        ("card", "show", "IT-1"),
        ("export", "--format", "md", "-o", str(tainted.parent / "a.md")),
        ("export", "--format", "ics", "-o", str(tainted.parent / "a.ics")),
        ("report",),
        ("sprint", "velocity"),
    ]:
        result = cli(*args)
        no_traceback(result)
        assert result.code == 0, (args, result.err)


def test_check_names_each_stored_value_out_of_range(cli: Any, tainted: Path) -> None:
    result = cli("check", "--json")
    no_traceback(result)
    stored = [f for f in json.loads(result.out) if f["rule"] == "stored-range"]
    assert {(f["severity"], f["subject"] or f["cards"][0]) for f in stored} >= {
        ("error", "Sprint 42"),
        ("warning", "IT-1"),
    }


@pytest.mark.parametrize("chart", ["burndown", "flow"])
def test_charts_refuse_a_stored_sprint_out_of_range_in_one_line(
    cli: Any, tainted: Path, chart: str
) -> None:
    result = cli("sprint", chart, "current")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "9999-12-31" in result.err and "sprint edit" in result.err


def test_the_calendar_leaves_out_what_is_out_of_range(cli: Any, tainted: Path) -> None:
    out = tainted.parent / "plan.ics"
    assert cli("export", "--format", "ics", "-o", str(out)).code == 0
    # Only the dates: a UID is random hex, which may hold "9999" by chance.
    dates = [
        line
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.startswith(("DTSTART", "DTEND", "DUE"))
    ]
    assert dates
    assert not [line for line in dates if "9999" in line or "0999" in line], dates


def test_human_output_shows_control_characters_visibly(cli: Any, tainted: Path) -> None:
    for args in [("card", "list"), ("card", "show", "IT-1")]:
        out = cli(*args).out
        assert "\x1b" not in out and "\x07" not in out
        assert "Pay\\x1b]0;owned\\x07 now" in out
    # JSON output stays exact.
    assert json.loads(cli("card", "show", "IT-1", "--json").out)["title"] == (
        "Pay\x1b]0;owned\x07 now"
    )


def test_markdown_export_shows_control_characters_visibly(cli: Any, tainted: Path) -> None:
    out = tainted.parent / "board.md"
    assert cli("export", "--format", "md", "--sprint", "Sprint 41", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text


def test_html_report_never_writes_a_stored_colour_that_is_not_a_colour(
    cli: Any, tainted: Path
) -> None:
    out = tainted.parent / "report.html"
    assert cli("report", "-o", str(out)).code == 0
    html = out.read_text(encoding="utf-8")
    assert "display:none" not in html
    assert "background:#888888" in html


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# Launch", "\\# Launch"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("1. not a list", "1\\. not a list"),
        ("a | b *c* [d](e)", "a \\| b \\*c\\* \\[d\\](e)"),
        ("Fix IT-42 in 2026", "Fix IT-42 in 2026"),
        ("bell\x07", "bell\\\\x07"),
        ("![x](http://e/)", "!\\[x\\](http://e/)"),
    ],
)
def test_one_markdown_escaper(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_a_hash_in_a_sprint_goal_is_no_heading_in_the_report(cli: Any, demo_store: Store) -> None:
    assert cli("sprint", "edit", "Sprint 42", "--goal", "# Checkout first").code == 0
    report = cli("report").out
    assert "> \\# Checkout first" in report
    assert "\n# Checkout" not in report and "> # Checkout" not in report


def test_velocity_leaves_out_a_closed_sprint_stored_out_of_range(
    cli: Any, demo_store: Store, db_path: Path
) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE sprints SET start = '0001-01-01' WHERE state = 'closed'")
    conn.close()
    for args in [("sprint", "velocity"), ("sprint", "capacity-report"), ("report",)]:
        result = cli(*args)
        no_traceback(result)
        assert result.code == 0, (args, result.err)
