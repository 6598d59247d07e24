"""Importing the generic CSV of cards (the documented columns)."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_documented_columns(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(FIXTURES / "cards.csv"), "--from", "csv")
    assert result.code == 0, result.err
    with Store(db_path) as store:
        cards = {c["title"]: c for c in store.cards.query()}
    restock = cards["Restock check for the spring bundle"]
    assert (restock["team"], restock["status"], restock["sprint"]) == ("WH", "todo", "Sprint 42")
    assert (restock["points"], restock["priority"], restock["due"]) == (3, "high", "2026-03-16")
    assert restock["labels"] == ["promotion", "stock"]
    assert restock["skus"] == ["SKU-1001", "SKU-1002"]
    assert restock["assignee"] == "Pieter Bakker"

    mail = cards["Spring bundle promotion mail"]
    assert mail["teams"] == ["MKT", "ECOM", "CNT"]
    assert mail["blockers"] == [restock["key"]]

    # The export's protective apostrophe in front of a formula-like cell is removed.
    formula = cards["=SUM(A1:A9) looks like a formula"]
    assert formula["team"] == "DATA"

    quoted = cards['Title with "quotes", a comma; and a semicolon']
    assert quoted["team"] == "CS"  # the team's name works as well as its code
    assert quoted["description"] == "Two\nlines"
    assert sorted(quoted["blockers"]) == sorted([mail["key"], formula["key"]])


def test_blockers_may_name_cards_already_in_the_database(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    assert cli("card", "add", "Payment API", "--team", "IT").code == 0
    path = tmp_path / "cards.csv"
    path.write_text("title,team,blockers\nCheckout form,ECOM,it-1\n", encoding="utf-8")
    assert cli("import", str(path), "--from", "csv").code == 0
    with Store(db_path) as store:
        assert store.cards.get("ECOM-1")["blockers"] == ["IT-1"]


def test_problems(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    # 'summary' is read as the title; points that are no number are left out of the card,
    # which still comes in, and the summary names the line.
    path.write_text("summary,team,points\nA,IT,3\nB,IT,lots\n", encoding="utf-8")
    result = cli("import", str(path), "--from", "csv", "--dry-run")
    assert result.code == 0
    assert "2 to create" in result.out
    assert (
        "dropped 1 points value(s), the card imported without it: points: not a number (got 'lots')"
    ) in result.out
    assert "(first: B at line 3)" in result.out

    path.write_text("team,points\nIT,3\n", encoding="utf-8")
    result = cli("import", str(path), "--from", "csv")
    assert result.code == 2 and "line 1: no 'title' column" in result.err

    path.write_text("title,team,title\nA,IT,B\n", encoding="utf-8")
    result = cli("import", str(path), "--from", "csv")
    assert result.code == 2 and "column 'title' appears twice" in result.err

    path.write_bytes(b"title,team\n\xff\xfeA,IT\n")
    result = cli("import", str(path), "--from", "csv")
    assert result.code == 2 and "not UTF-8" in result.err and result.err.count("\n") == 1
