"""Importing a Trello board export: lists, labels, due dates, checklists, archived cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sprintboard.store import Store
from sprintboard.store.bulk import cards_by_external_id

FIXTURES = Path(__file__).parent.parent / "fixtures"
BOARD = FIXTURES / "trello_board.json"


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        return {c["title"]: c for c in store.cards.query()}


def test_lists_labels_due_dates_checklists(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(BOARD), "--from", "trello", "--team", "MKT")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert len(cards) == 7

    landing = cards["Spring sale landing page"]
    assert (landing["team"], landing["status"], landing["due"]) == ("ECOM", "todo", "2026-03-20")
    assert landing["assignee"] == "Ana Souza"
    assert landing["labels"] == ["promotion"]  # the team label became the team
    assert landing["description"] == (
        "Hero banner, countdown and the 3 featured products.\n\n"
        "Checklist: Launch\n- [x] Copy written\n- [ ] Legal approves the terms"
    )

    checkout = cards["Checkout: show delivery date before payment"]
    assert checkout["teams"] == ["IT", "ECOM"]  # first team label owns, the next contributes
    assert checkout["status"] == "doing"
    assert checkout["assignee"] == "Joris de Vries, Ana Souza"

    # 'marketing' names the team MKT by its name, in any case; the label with no name is
    # left out instead of becoming an empty label.
    sale = cards["[bold]Sale[/] banner | 50% *off*"]
    assert (sale["team"], sale["labels"]) == ("MKT", [])
    assert sale["description"] == "Keep the [red]markup[/red] literal."

    assert cards["Produktseite für Größen – café ☕ 春のセール"]["team"] == "MKT"  # --team
    assert cards["Unclosed tag [/"]["status"] == "backlog"  # 'Parking lot' is unknown
    assert cards["Load test the campaign traffic"]["status"] == "review"
    newsletter = cards["Email the spring newsletter"]
    assert newsletter["status"] == "done" and newsletter["done_at"] is not None

    assert "Old banner experiment" not in cards  # archived card
    assert "Gift wrapping option" not in cards  # in an archived list
    assert "skipped $.cards[7]: archived on Trello" in result.out
    assert "skipped $.cards[8]: in archived list 'Old ideas'" in result.out
    assert "'Parking lot' -> backlog (unknown name)" in result.out
    assert "1 label(s) with no name" in result.out


def test_source_ids_are_kept(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", str(BOARD), "--from", "trello", "--team", "MKT").code == 0
    with Store(db_path) as store:
        imported = cards_by_external_id(store, "trello:")
    assert imported["trello:card-0001"]["title"] == "Spring sale landing page"
    assert "trello:card-0008" not in imported


def test_cards_keep_the_boards_order(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", str(BOARD), "--from", "trello", "--team", "MKT").code == 0
    with Store(db_path) as store:
        todo = [c["title"] for c in store.cards.query(status="todo")]
    assert todo == ["Spring sale landing page", "[bold]Sale[/] banner | 50% *off*"]


def test_unknown_lists_go_to_the_chosen_column(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "import", str(BOARD), "--from", "trello", "--team", "MKT", "--unknown-column", "todo"
    )
    assert result.code == 0
    assert _cards(db_path)["Unclosed tag [/"]["status"] == "todo"


def test_cards_without_a_team_need_team_option(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(BOARD), "--from", "trello")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "--team" in result.err and "$.cards[3]" in result.err
    assert _cards(db_path) == {}


def test_truncated_export_is_one_error_line(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(FIXTURES / "trello_truncated.json"), "--from", "trello")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "line 48, column" in result.err and "ends too soon" in result.err
    assert "Traceback" not in result.err
    assert _cards(db_path) == {}


def test_wrong_shapes_name_the_json_path(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ([], "$: expected a Trello board export"),
        ({"cards": {}}, "$.cards: expected a list of cards"),
        ({"cards": [7]}, "$.cards[0]: expected a card object, got a number"),
        ({"cards": [{"id": 5, "name": "x"}]}, "$.cards[0].id: expected the card's id as text"),
        (
            {"cards": [{"id": "a", "name": "x", "due": "next week"}]},
            None,  # a bad value skips the card, it does not reject the file
        ),
    ]
    for document, message in cases:
        path = tmp_path / "board.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = cli("import", str(path), "--from", "trello", "--team", "IT", "--dry-run")
        if message is None:
            assert result.code == 0
            assert "skipped $.cards[0].due: not a date: 'next week'" in result.out
        else:
            assert result.code == 2, document
            assert message in result.err and result.err.count("\n") == 1
