"""Refusals name the value as it was given: an empty path or sprint is said to be empty,
never read as '.', the backlog or 'every sprint'."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sprintboard.store import Store


def refused(result: Any, *needles: str) -> str:
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err, result.err
    return str(result.err)


@pytest.fixture
def demo(cli: Any, demo_store: Store) -> Any:
    return cli


def test_a_blank_db_path_is_quoted_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    from sprintboard.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["--db", " ", "card", "list"])
    assert stopped.value.code == 2
    assert "--db: the path is empty (got ' ')" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("backup", ""), "file:"),
        (("export", "--format", "json", "-o", ""), "--output:"),
        (("export", "--format", "csv", "--output", " "), "--output:"),
        (("report", "-o", ""), "--output:"),
        (("import", "", "--from", "csv"), "file:"),
        (("feedback", "import", ""), "file:"),
    ],
)
def test_an_empty_path_is_said_to_be_empty(
    demo: Any, tmp_path: Path, args: tuple[str, ...], field: str
) -> None:
    message = refused(demo(*args), field, "the path is empty (got '")
    assert "is a directory" not in message and ".:" not in message


@pytest.mark.parametrize(
    "args",
    [
        ("card", "add", "x", "--team", "IT", "--sprint", ""),
        ("card", "list", "--sprint", ""),
        ("card", "list", "--sprint", "  "),
        ("card", "edit", "IT-1", "--sprint", ""),
        ("card", "move", "IT-1", "todo", "--sprint", ""),
        ("report", "--sprint", ""),
        ("check", "--sprint", ""),
        ("export", "--format", "csv", "--sprint", ""),
    ],
)
def test_an_empty_sprint_is_refused(demo: Any, args: tuple[str, ...]) -> None:
    before = demo("card", "list", "--json").out
    refused(demo(*args), "--sprint: the sprint is empty", "'current' or 'backlog'")
    assert demo("card", "list", "--json").out == before


def test_the_store_refuses_an_empty_sprint_too(demo_store: Store) -> None:
    from sprintboard.errors import UserError

    with pytest.raises(UserError, match="sprint: the sprint is empty"):
        demo_store.sprints.resolve(" ")


def test_feedback_accept_into_an_empty_sprint_is_refused(demo: Any) -> None:
    inbox = json.loads(demo("feedback", "list", "--json").out)
    ident = str(inbox[0]["id"])
    refused(demo("feedback", "accept", ident, "--team", "IT", "--sprint", ""), "--sprint:")
