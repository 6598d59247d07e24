"""Importing a Trello board export: lists, labels, due dates, checklists, archived cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.store import Store
from sprintboard.store.bulk import cards_by_external_id

FIXTURES = Path(__file__).parent.parent / "fixtures"
BOARD = FIXTURES / "trello_board.json"


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        return {c["title"]: c for c in store.cards.query()}


def test_lists_labels_due_dates_checklists(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(BOARD), "--from", "trello", "--team", "MKT")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert len(cards) == 7

    landing = cards["Spring sale landing page"]
    assert (landing["team"], landing["status"], landing["due"]) == ("ECOM", "todo", "2026-03-20")
    assert landing["assignee"] == "Ana Souza"
    assert landing["labels"] == ["promotion"]  # the team label became the team
    # The description is kept as written; the checklist is the card's checklist.
    assert landing["description"] == "Hero banner, countdown and the 3 featured products."
    with Store(db_path) as store:
        items = store.checklists.for_card(landing["key"])
    assert [(i["text"], i["done"]) for i in items] == [
        ("Copy written", True),
        ("Legal approves the terms", False),
    ]

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


def test_source_ids_are_kept(cli: Cli, db_path: Path) -> None:
    assert cli("import", str(BOARD), "--from", "trello", "--team", "MKT").code == 0
    with Store(db_path) as store:
        imported = cards_by_external_id(store, "trello:")
    assert imported["trello:card-0001"]["title"] == "Spring sale landing page"
    assert "trello:card-0008" not in imported


def test_cards_keep_the_boards_order(cli: Cli, db_path: Path) -> None:
    assert cli("import", str(BOARD), "--from", "trello", "--team", "MKT").code == 0
    with Store(db_path) as store:
        todo = [c["title"] for c in store.cards.query(status="todo")]
    assert todo == ["Spring sale landing page", "[bold]Sale[/] banner | 50% *off*"]


def test_unknown_lists_go_to_the_chosen_column(cli: Cli, db_path: Path) -> None:
    result = cli(
        "import", str(BOARD), "--from", "trello", "--team", "MKT", "--unknown-column", "todo"
    )
    assert result.code == 0
    assert _cards(db_path)["Unclosed tag [/"]["status"] == "todo"


def test_cards_without_a_team_need_team_option(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(BOARD), "--from", "trello")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "--team" in result.err and "$.cards[3]" in result.err
    assert _cards(db_path) == {}


def test_truncated_export_is_one_error_line(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(FIXTURES / "trello_truncated.json"), "--from", "trello")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "line 48, column" in result.err and "ends too soon" in result.err
    assert "Traceback" not in result.err
    assert _cards(db_path) == {}


def test_wrong_shapes_name_the_json_path(cli: Cli, tmp_path: Path) -> None:
    cases = [
        ([], "$: expected a Trello board export"),
        ({"cards": {}}, "$.cards: expected a list of cards"),
        ({"cards": [7]}, "$.cards[0]: expected a card object, got a number"),
        ({"cards": [{"id": 5, "name": "x"}]}, "$.cards[0].id: expected the card's id as text"),
        (
            {"cards": [{"id": "a", "name": "x", "due": "next week"}]},
            None,  # a bad value is dropped: the card is imported without it
        ),
    ]
    for document, message in cases:
        path = tmp_path / "board.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = cli("import", str(path), "--from", "trello", "--team", "IT", "--dry-run")
        if message is None:
            assert result.code == 0
            assert "1 to create" in result.out and "0 skipped" in result.out
            assert (
                "dropped 1 due value(s), the card imported without it: not a date: 'next week'"
                in result.out
            )
        else:
            assert result.code == 2, document
            assert message in result.err and result.err.count("\n") == 1


def _board(cards: list[dict[str, Any]], fields: Any = None) -> Any:
    board: dict[str, Any] = {
        "name": "Points",
        "lists": [{"id": "l1", "name": "To Do", "closed": False, "pos": 1}],
        "cards": [
            {"id": f"c{i}", "idList": "l1", "pos": i, **card} for i, card in enumerate(cards)
        ],
    }
    if fields is not None:
        board["customFields"] = fields
    return board


STORY_POINTS = {"id": "cf-sp", "name": "Story Points", "type": "number"}
SIZE = {
    "id": "cf-size",
    "name": "points",  # any case
    "type": "list",
    "options": [
        {"id": "opt-5", "value": {"text": "5"}},
        {"id": "opt-xl", "value": {"text": "XL"}},
    ],
}
OTHER = {"id": "cf-team", "name": "Squad", "type": "text"}


def _value(field: str, **value: Any) -> dict[str, Any]:
    return {"idCustomField": field, "value": value}


def test_story_points_from_custom_fields_and_titles(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    cards: list[dict[str, Any]] = [
        {"name": "Number", "customFieldItems": [_value("cf-sp", number="3")]},
        {"name": "Fraction", "customFieldItems": [_value("cf-sp", number="2.5")]},
        {"name": "Text", "customFieldItems": [_value("cf-sp", text=" 8 ")]},
        {
            "name": "Dropdown",
            "customFieldItems": [{"idCustomField": "cf-size", "idValue": "opt-5"}],
        },
        {"name": "(13) Scrum for Trello [5]"},
        {"name": "(2) Both: the field wins", "customFieldItems": [_value("cf-sp", number="1")]},
        {"name": "Other fields are not points", "customFieldItems": [_value("cf-team", text="7")]},
        {"name": "Not estimated"},
        {"name": "Words", "customFieldItems": [_value("cf-sp", text="lots")]},
        {"name": "Negative", "customFieldItems": [_value("cf-sp", number="-2")]},
        {
            "name": "T-shirt",
            "customFieldItems": [{"idCustomField": "cf-size", "idValue": "opt-xl"}],
        },
        {"name": "Checkbox", "customFieldItems": [_value("cf-sp", checked="true")]},
        {"name": "(3)"},  # nothing but the estimate: a title, not an estimate
    ]
    path = tmp_path / "board.json"
    path.write_text(json.dumps(_board(cards, [STORY_POINTS, SIZE, OTHER])), encoding="utf-8")
    dry = cli("import", str(path), "--from", "trello", "--team", "IT", "--dry-run")
    assert dry.code == 0, dry.err
    assert "13 to create" in dry.out and "0 skipped" in dry.out
    # Each bad value is dropped with the field's name and the value; the card is kept.
    dropped = "dropped 1 points value(s), the card imported without it: custom field "
    assert f"{dropped}'Story Points': not a number (got 'lots')" in dry.out
    assert f"{dropped}'Story Points': must be 0 or more (got '-2')" in dry.out
    assert f"{dropped}'points': not a number (got 'XL')" in dry.out
    assert f"{dropped}'Story Points': holds a checkbox, not a number of story points" in dry.out
    assert "custom field 'Story Points' (4)" in dry.out
    assert "'(n)' in front of the title (1)" in dry.out

    result = cli("import", str(path), "--from", "trello", "--team", "IT")
    assert result.code == 0, result.err
    points = {title: card["points"] for title, card in _cards(db_path).items()}
    assert points == {
        "Number": 3,
        "Fraction": 3,  # rounded up
        "Text": 8,
        "Dropdown": 5,
        "Scrum for Trello": 13,  # estimate and spent taken out of the title
        "Both: the field wins": 1,
        "Other fields are not points": None,
        "Not estimated": None,
        "Words": None,
        "Negative": None,
        "T-shirt": None,
        "Checkbox": None,
        "(3)": None,
    }


def test_points_the_board_does_not_have_are_left_alone(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(_board([{"name": "Plain"}, {"name": "(5) Sized"}])), "utf-8")
    assert cli("import", str(path), "--from", "trello", "--team", "IT").code == 0
    cards = _cards(db_path)
    assert (cards["Plain"]["points"], cards["Sized"]["points"]) == (None, 5)
    # Estimated here; the board has no points field and no estimate in the title.
    assert cli("card", "edit", cards["Plain"]["key"], "--points", "2").code == 0
    again = cli("import", str(path), "--from", "trello", "--team", "IT")
    assert again.code == 0 and "0 to create, 0 to update, 2 unchanged" in again.out
    assert _cards(db_path)["Plain"]["points"] == 2


def test_a_bad_points_value_keeps_the_points_imported_before(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "board.json"
    good = [{"name": "Card", "customFieldItems": [_value("cf-sp", number="5")]}]
    path.write_text(json.dumps(_board(good, [STORY_POINTS])), "utf-8")
    assert cli("import", str(path), "--from", "trello", "--team", "IT").code == 0
    bad = [{"name": "Card", "customFieldItems": [_value("cf-sp", text="five")]}]
    path.write_text(json.dumps(_board(bad, [STORY_POINTS])), "utf-8")
    again = cli("import", str(path), "--from", "trello", "--team", "IT")
    assert again.code == 0, again.err
    assert "dropped 1 points value(s)" in again.out and "(got 'five')" in again.out
    assert _cards(db_path)["Card"]["points"] == 5
    # The estimate removed on Trello: the board still estimates, so the card has none.
    path.write_text(json.dumps(_board([{"name": "Card"}], [STORY_POINTS])), "utf-8")
    assert cli("import", str(path), "--from", "trello", "--team", "IT").code == 0
    assert _cards(db_path)["Card"]["points"] is None


def test_malformed_custom_fields_name_the_json_path(cli: Cli, tmp_path: Path) -> None:
    cases = [
        (_board([{"name": "x"}], {"id": "f"}), "$.customFields: expected a list"),
        (_board([{"name": "x"}], [7]), "$.customFields[0]: expected a custom field object"),
        (
            _board([{"name": "x", "customFieldItems": {}}], [STORY_POINTS]),
            "$.cards[0].customFieldItems: expected a list",
        ),
        (
            _board([{"name": "x", "customFieldItems": ["3"]}], [STORY_POINTS]),
            "$.cards[0].customFieldItems[0]: expected a custom field value object",
        ),
    ]
    for document, message in cases:
        path = tmp_path / "board.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = cli("import", str(path), "--from", "trello", "--team", "IT", "--dry-run")
        assert result.code == 2, document
        assert message in result.err and result.err.count("\n") == 1


def test_team_sprint_and_priority_fields_of_each_type(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    fields = [
        {"id": "cf-team", "name": "Team", "type": "text"},
        {"id": "cf-sprint", "name": "スプリント", "type": "date"},
        {"id": "cf-prio", "name": "Prioridad", "type": "number"},
        {"id": "cf-done", "name": "Priorität", "type": "checkbox"},
    ]
    cards: list[dict[str, Any]] = [
        {"name": "Text team", "customFieldItems": [_value("cf-team", text=" ECOM ")]},
        {"name": "Blank team", "customFieldItems": [_value("cf-team", text="  ")]},
        {"name": "Date sprint", "customFieldItems": [_value("cf-sprint", date="2026-04-01")]},
        {"name": "Number priority", "customFieldItems": [_value("cf-prio", number="1")]},
        {"name": "Checkbox priority", "customFieldItems": [_value("cf-done", checked="true")]},
    ]
    path = tmp_path / "board.json"
    path.write_text(json.dumps(_board(cards, fields)), encoding="utf-8")
    result = cli("import", str(path), "--from", "trello", "--team", "IT")
    assert result.code == 0, result.err
    assert "5 to create" in result.out and "0 skipped" in result.out
    cards_here = _cards(db_path)
    assert cards_here["Text team"]["team"] == "ECOM"
    assert cards_here["Blank team"]["team"] == "IT"  # empty: not filled in
    assert cards_here["Date sprint"]["sprint"] is None
    # A number is no priority name: named in the summary, the priority left as it was.
    assert "'1' unknown, left as it was (1)" in result.out
    assert cards_here["Number priority"]["priority"] == "medium"
    kept = "the card imported without it"
    assert (
        f"dropped 1 sprint value(s), {kept}: custom field 'スプリント': holds a date, not a sprint"
        in result.out
    )
    assert (
        f"dropped 1 priority value(s), {kept}: custom field 'Priorität': holds a checkbox, "
        "not a priority" in result.out
    )
