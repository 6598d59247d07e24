"""Refusals name the value as it was given: an empty path or sprint is said to be empty,
never read as '.', the backlog or 'every sprint'."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
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


@pytest.mark.parametrize(
    ("args", "head", "row"),
    [
        (("import", "FILE", "--from", "csv", "--team", "IT"), b"title,team\n", b"A,IT\n"),
        (("feedback", "import", "FILE"), b"text\n", b"hello\n"),
        (("stock", "import", "FILE"), b"sku,on_hand\n", b"A,1\n"),
    ],
)
def test_a_file_not_in_utf8_names_the_byte_in_the_file(
    demo: Any, tmp_path: Path, args: tuple[str, ...], head: bytes, row: bytes
) -> None:
    # Far past the first chunk a stream decodes: the offset counts from the file's start.
    path = tmp_path / "input.csv"
    body = head + row * 30_000
    path.write_bytes(body + b"B\xff\n")
    message = refused(demo(*(str(path) if a == "FILE" else a for a in args)))
    assert f"{path}: not UTF-8 text (byte {len(body) + 1}: invalid start byte)" in message
    assert "codec" not in message


@pytest.mark.parametrize(
    "args",
    [
        ["restore", "x\ny.db", "--yes"],
        ["card", "show", "IT-\x1b[31m"],
        ["card", "list", "--sprint", "no\tsuch\nsprint"],
    ],
)
def test_an_error_naming_what_was_typed_stays_one_harmless_line(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and result.err.startswith("error: "), result.err
    assert "\x1b" not in result.err and "\t" not in result.err
