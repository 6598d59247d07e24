"""Feedback from CSV (io/feedback_csv.py) and `sprintboard feedback import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sprintboard.errors import UserError
from sprintboard.io.feedback_csv import read_feedback_csv

GOOD_AND_BAD = (
    "Text,Category,Source,Customer,Reported By,Received_At,Reports\n"  # line 1
    '"Cart total wrong\nwhen a coupon is applied",Cart,chat,Ann,Fatima,2026-03-09,3\n'  # 2-3
    "Search is slow,,,,,,\n"  # 4
    ",cart,email,Bob,,,\n"  # 5: no text
    "Bad count,cart,email,Bob,,,many\n"  # 6
    "\n"  # 7: blank, skipped
    "Bad category,shoes,email,,,,\n"  # 8
    "Too,many,cells,a,b,c,d,e\n"  # 9
    "Zero reports,site,email,,,,0\n"  # 10
    "Paid twice,PAYMENT,Phone,Z,,2026-03-10T10:00:00+01:00,2\n"  # 11
)


def write(tmp_path: Path, text: str, name: str = "feedback.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_are_kept_and_bad_rows_named_by_line(tmp_path: Path) -> None:
    items, errors = read_feedback_csv(write(tmp_path, GOOD_AND_BAD))
    assert [i.text for i in items] == [
        "Cart total wrong\nwhen a coupon is applied",
        "Search is slow",
        "Paid twice",
    ]
    first, plain, paid = items
    assert (first.category, first.source, first.customer, first.reported_by, first.reports) == (
        "cart",
        "chat",
        "Ann",
        "Fatima",
        3,
    )
    assert first.received_at is not None and first.received_at.isoformat() == "2026-03-09T00:00:00"
    assert (plain.category, plain.source, plain.reports, plain.received_at) == (
        "other",
        "email",
        1,
        None,
    )
    assert (paid.category, paid.source) == ("payment", "phone")
    assert [e.split(":")[0] for e in errors] == ["line 5", "line 6", "line 8", "line 9", "line 10"]
    assert errors[0] == "line 5: text: Field required"
    assert errors[1].startswith("line 6: reports: ") and "'many'" in errors[1]
    assert errors[2].startswith("line 8: category: must be one of") and "'shoes'" in errors[2]
    assert errors[3].startswith("line 9: 8 values for 7 columns")
    assert errors[4].startswith("line 10: reports: ")


def test_only_text_is_required_and_columns_may_come_in_any_order(tmp_path: Path) -> None:
    items, errors = read_feedback_csv(write(tmp_path, "reports,TEXT\n2,Hello\n,World\n"))
    assert errors == []
    assert [(i.text, i.reports) for i in items] == [("Hello", 2), ("World", 1)]


def test_text_is_kept_as_typed_minus_control_characters(tmp_path: Path) -> None:
    items, _ = read_feedback_csv(write(tmp_path, 'text\n"  [b]x[/b] \x1b[2J ok  "\n'))
    assert items[0].text == "  [b]x[/b] [2J ok  "


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "line 1: missing column(s) text"),
        ("category,source\ncart,email\n", "line 1: missing column(s) text (columns: text,"),
        ("text,catgory\nx,cart\n", "line 1: unknown column 'catgory'"),
        ("text,Text\nx,y\n", "line 1: column 'text' appears twice"),
    ],
)
def test_a_bad_header_refuses_the_whole_file(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_feedback_csv(write(tmp_path, content))


def test_unreadable_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        read_feedback_csv(tmp_path / "missing.csv")
    with pytest.raises(UserError, match="is a directory"):
        read_feedback_csv(tmp_path)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\nCaf\xe9 is closed\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"not UTF-8 text \(byte 8: "):
        read_feedback_csv(latin)


def test_cli_import_reports_bad_rows_and_keeps_good_ones(cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_AND_BAD)
    result = cli("feedback", "import", str(path))
    assert result.code == 2
    assert result.out == "3 imported, 5 rejected\n"
    lines = result.err.splitlines()
    assert len(lines) == 5
    assert lines[0] == f"error: {path}: line 5: text: Field required"
    assert all(line.startswith(f"error: {path}: line ") for line in lines)
    stored = json.loads(cli("feedback", "list", "--json").out)
    # Triage order: urgent (cart, payment) first, then by reports.
    assert [r["text"] for r in stored] == [
        "Cart total wrong\nwhen a coupon is applied",
        "Paid twice",
        "Search is slow",
    ]
    assert stored[1]["received_at"] == "2026-03-10T09:00:00Z"
    assert stored[0]["urgent"] and stored[0]["reports"] == 3
    # One import is one undoable change.
    assert cli("undo").code == 0
    assert json.loads(cli("feedback", "list", "--json").out) == []


def test_cli_import_of_a_clean_file_exits_0(cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "text,category\nSlow search,site\nCart bug,cart\n")
    result = cli("feedback", "import", str(path))
    assert (result.code, result.out, result.err) == (0, "2 imported, 0 rejected\n", "")


def test_cli_import_with_a_bad_header_is_one_line_and_imports_nothing(
    cli: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, "message,category\nCart bug,cart\n")
    result = cli("feedback", "import", str(path))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"error: {path}: line 1: missing column(s) text")
    assert json.loads(cli("feedback", "list", "--json").out) == []
