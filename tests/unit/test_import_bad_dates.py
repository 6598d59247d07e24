"""A date out of range in an imported file costs that item its sprint or due date, named in
the summary; the rest of the import goes on, and messages show ISO dates, never Python's
`datetime.date(...)`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sprintboard.errors import UserError
from sprintboard.models import Card, validate


def _issue(number: int, milestone: str, due: str) -> dict[str, Any]:
    return {
        "number": number,
        "title": f"Issue {number}",
        "body": "",
        "state": "OPEN",
        "labels": [],
        "assignees": [],
        "milestone": {"title": milestone, "dueOn": due},
    }


def test_github_milestones_out_of_range_lose_their_sprint(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "issues.json"
    issues = [
        _issue(1, "Current", "2201-01-01T00:00:00Z"),
        _issue(2, "Old", "0999-01-01T00:00:00Z"),
        _issue(3, "Tiny", "0001-01-02T00:00:00Z"),
        _issue(4, "Fine", "2026-05-01T00:00:00Z"),
    ]
    path.write_text(json.dumps(issues), encoding="utf-8")
    result = cli("import", str(path), "--from", "github", "--team", "IT", "--repo", "a/b")
    assert result.code == 0, result.err
    assert "4 cards created" in result.out
    for name in ("'Current (imported)'", "'Old'", "'Tiny'"):
        assert f"sprint {name} not created" in result.out
    assert "(got 2201-01-01)" in result.out and "datetime.date" not in result.out
    cards = {c["title"]: c for c in json.loads(cli("card", "list", "--json").out)}
    assert [cards[f"Issue {n}"]["sprint"] for n in (1, 2, 3, 4)] == [None, None, None, "Fine"]


def test_trello_due_out_of_range_is_an_iso_date_in_the_note(cli: Any, tmp_path: Path) -> None:
    board = {
        "name": "B",
        "lists": [{"id": "l1", "name": "To Do", "closed": False, "pos": 1}],
        "labels": [{"id": "t", "name": "IT"}],
        "cards": [
            {"id": "c1", "idList": "l1", "pos": 1, "name": "Late", "due": "2201-01-01T00:00:00Z"},
            {"id": "c2", "idList": "l1", "pos": 2, "name": "Fine", "due": "2026-05-01T00:00:00Z"},
        ],
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    result = cli("import", str(path), "--from", "trello", "--team", "IT", "--dry-run")
    assert result.code == 0, result.err
    assert "2 to create" in result.out  # the card is kept, without its due date
    assert "dropped 1 due value(s), the card imported without it: 2201-01-01 is out of range" in (
        result.out
    )
    assert "datetime.date" not in result.out


@pytest.mark.parametrize("due", ["2201-01-01", "0999-12-31"])
def test_validation_messages_show_dates_as_iso(due: str) -> None:
    from datetime import date

    with pytest.raises(UserError) as caught:
        validate(Card, {"title": "x", "team": "IT", "due": date.fromisoformat(due)})
    assert f"(got {due})" in str(caught.value) and "datetime" not in str(caught.value)


def test_trello_points_too_large_for_a_number_say_so(cli: Any, tmp_path: Path) -> None:
    board = {
        "name": "B",
        "lists": [{"id": "l1", "name": "To Do", "closed": False, "pos": 1}],
        "customFields": [{"id": "sp", "name": "Story Points", "type": "number"}],
        "cards": [
            {
                "id": "c1",
                "idList": "l1",
                "pos": 1,
                "name": "Huge",
                "customFieldItems": [{"idCustomField": "sp", "value": {"number": "1e400"}}],
            }
        ],
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    result = cli("import", str(path), "--from", "trello", "--team", "IT", "--dry-run")
    assert result.code == 0, result.err
    assert "custom field 'Story Points': not a number in range (got '1e400')" in result.out
    assert "must be 0 or more" not in result.out
