"""Bad input and hostile text on the command line: exit 2 and one line naming the field,
text kept literally."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import (
    js,
    ok,
    refused,
)

from sprintboard.vocabulary import show_control

pytest_plugins = ["cli_fixtures"]  # its fixtures: demo

# -- bad input: exit 2 and one line naming the field -----------------------------------------


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("card", "add", "X", "--team", "NOPE"), "team: unknown team 'NOPE'"),
        (("card", "add", "X", "--team", "IT", "--points", "-3"), "points:"),
        (
            ("card", "add", "X", "--team", "IT", "--points", "many"),
            "--points: not a whole number (got 'many')",
        ),
        (("card", "add", "", "--team", "IT"), "title: must not be empty"),
        (("card", "add", "  \x1b  ", "--team", "IT"), "title: must not be empty"),
        (("card", "add", "X", "--team", "IT", "--due", "2026-02-30"), "due:"),
        (("card", "add", "X", "--team", "IT", "--due", "next week"), "due:"),
        (("card", "add", "X", "--team", "IT", "--status", "wip"), "'--status'"),
        (("card", "add", "X", "--team", "IT", "--sprint", "Sprint 99"), "sprint: no sprint"),
        (("card", "add", "X", "--team", "IT", "--goal", "99"), "goal: no goal with id 99"),
        (("card", "add", "X", "--team", "IT", "--goal", "abc"), "goal: must be a goal id"),
        (("card", "add", "X"), "'--team'"),
        (("card", "list", "--text", "a" * 60_000), "text: a search of 60,000 characters"),
        (("card", "show", "IT-999"), "card: no card IT-999"),
        (("card", "show", "nonsense"), "card: 'NONSENSE' is not a card key"),
        (("card", "edit", "IT-4", "--points", "-1"), "points:"),
        (("card", "edit", "IT-4", "--team", "NOPE"), "team: unknown team"),
        (("card", "edit", "IT-4"), "nothing to change"),
        (("card", "move", "IT-4", "wip"), "'STATUS'"),
        (("card", "move", "IT-999", "done"), "card: no card IT-999"),
        (("card", "delete", "IT-0"), "card: 'IT-0' is not a card key"),
        (("card", "list", "--sprint", "Sprint 99"), "sprint: no sprint named 'Sprint 99'"),
        (("card", "list", "--status", "wip"), "'--status'"),
        (("card", "list", "--team", "NOPE"), "team: unknown team"),
        (("sprint", "add", "S", "--start", "2026-05-10", "--end", "2026-05-01"), "end:"),
        (("sprint", "add", "S", "--start", "2026-13-01", "--end", "2026-05-01"), "start:"),
        (("sprint", "add", "S", "--start", "2026-05-01"), "'--end'"),
        (("sprint", "add", "Sprint 42", "--start", "2030-01-01", "--end", "2030-01-02"), "name:"),
        (("sprint", "edit", "Sprint 43", "--end", "2000-01-01"), "end:"),
        (("sprint", "show", "Sprint 99"), "sprint: no sprint named"),
        (("sprint", "start", "Sprint 99"), "sprint: no sprint named"),
        (("sprint", "close", "--carry-over", "sideways"), "'--carry-over'"),
        (("sprint", "capacity", "Sprint 43", "NOPE", "3"), "team: unknown team"),
        # A negative number is the POINTS argument (refused by value), not an unknown option.
        (
            ("sprint", "capacity", "Sprint 43", "IT", "-2"),
            "capacity: out of range (got '-2'); a whole number from 0 to 10000",
        ),
        (("sprint", "capacity", "Sprint 43", "IT", "-12"), "capacity: out of range"),
        (
            ("sprint", "capacity", "Sprint 43", "IT", "-2x"),
            "capacity: not a whole number (got '-2x')",
        ),
        (
            ("sprint", "capacity", "Sprint 43", "IT", "many"),
            "capacity: not a whole number (got 'many')",
        ),
        (("sprint", "capacity", "Sprint 43", "IT", "3", "--bogus"), "No such option '--bogus'"),
        (("sprint", "capacity", "--bogus", "Sprint 43", "IT", "3"), "No such option '--bogus'"),
        (("sprint", "capacity", "Sprint 43", "IT", "-2", "--bogus"), "capacity: out of range"),
        (("team", "add", "a b", "X"), "code: must be 1-8 letters"),
        (("team", "add", "IT", "Again"), "code: team IT already exists"),
        (("team", "add", "SEC", "Security", "--colour", "red;}"), "colour: must be a colour"),
        (("team", "add", "SEC", "Security", "--format", "hybrid"), "'--format'"),
        (("team", "edit", "NOPE", "--name", "x"), "team: unknown team"),
        (("team", "archive", "IT"), "--move-cards-to"),
        (("member", "add", "IT", ""), "name: must not be empty"),
        (("member", "onboard", "999", "tools"), "member: no member with id 999"),
        (("member", "onboard", "-1", "tools"), "member: no member with id -1"),
        (("member", "onboard", "-1", "tools", "--undo"), "member: no member with id -1"),
        (("member", "onboard", "1", "tools", "--jsno"), "No such option '--jsno'"),
        (("goal", "add", ""), "title: must not be empty"),
        (("goal", "show", "99"), "goal: no goal with id 99"),
        (("goal", "signoff", "1"), "'--by'"),
        (("goal", "edit", "1", "--status", "fine"), "'--status'"),
        (("dep", "add", "IT-4", "IT-999"), "card: no card IT-999"),
        (("feedback", "add", ""), "text: must not be empty"),
        (("feedback", "add", "x", "--category", "weather"), "'--category'"),
        (("feedback", "add", "x", "--reports", "0"), "reports:"),
        (("feedback", "add", "x", "--received", "yesterday"), "received_at:"),
        (("feedback", "show", "999"), "feedback: no feedback FB-999"),
        (("feedback", "list", "--state", "open"), "'--state'"),
        (("history", "IT-999"), "card: no card IT-999"),
        (("demo",), "already holds data"),
        (("demo", "--force", "--cards", "0"), "--cards: out of range (got '0')"),
        (("nosuchgroup",), "No such command 'nosuchgroup'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo: Any, args: tuple[str, ...], names: str) -> None:
    message = refused(demo, *args)
    assert names in message


def test_negative_number_arguments_keep_help_and_options_working(demo: Any) -> None:
    before = js(demo, "sprint", "show", "Sprint 43")
    refused(demo, "sprint", "capacity", "Sprint 43", "IT", "-2")
    assert js(demo, "sprint", "show", "Sprint 43") == before
    assert "IT capacity in Sprint 43: 0" in ok(demo, "sprint", "capacity", "Sprint 43", "IT", "0")
    for args in (("--help",), ("Sprint 43", "IT", "-2", "--help"), ("-h",)):
        shown = ok(demo, "sprint", "capacity", *args)
        assert "Usage: sprintboard sprint capacity [OPTIONS] NAME TEAM POINTS" in shown
    member = js(demo, "member", "list")[0]
    step = next(iter(member["onboarding"]))
    undone = js(demo, "member", "onboard", str(member["id"]), step, "--undo")
    assert undone["onboarding"][step] is False


def test_bad_input_changes_nothing(demo: Any) -> None:
    before = js(demo, "card", "list")
    refused(demo, "card", "edit", "IT-4", "--points", "-1", "--title", "Changed")
    refused(demo, "card", "add", "X", "--team", "IT", "--points", "-3")
    assert js(demo, "card", "list") == before


@pytest.mark.parametrize(
    ("make", "names"),
    [
        (lambda tmp: tmp / "missing" / "plan.db", "does not exist"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: _junk(tmp / "junk.db"), "not a usable SQLite database"),
    ],
    ids=["missing-parent", "directory", "not-sqlite"],
)
def test_database_problems_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, names: str
) -> None:
    from sprintboard.cli import main

    db = make(tmp_path)
    before = db.read_bytes() if db.is_file() else None
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(db), "card", "list"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and names in err
    if before is not None:
        assert db.read_bytes() == before


def _junk(path: Path) -> Path:
    path.write_bytes(b"\x00\x01 not sqlite" * 100)
    return path


# -- hostile text ----------------------------------------------------------------------------


HOSTILE = [
    "[bold]x",
    "[/",
    "[link=file:///etc/passwd]a[/link]",
    "[red]not red[/red] and \\[escaped]",
    "🛒 cart 👍🏽 family 👨‍👩‍👧",
    "שלום עולם \u200fmixed RTL",
    "مرحبا بالعالم",
    "%s %d {0} {title} $(rm -rf /) `id`",
    "Ünïcödé ñ 中文 ｆｕｌｌ",
    "x" * 500,
]


@pytest.mark.parametrize("title", HOSTILE, ids=[f"t{i}" for i in range(len(HOSTILE))])
def test_hostile_titles_are_stored_and_printed_literally(cli: Any, title: str) -> None:
    key = ok(cli, "card", "add", title, "--team", "IT", "--label", title[:40]).strip()
    shown = js(cli, "card", "show", key)
    assert shown["title"] == title
    assert shown["labels"] == [title[:40]]
    assert [c["title"] for c in js(cli, "card", "list", "--text", title[:20])] == [title]
    # Human output shows bidirectional controls (the RLM above) as escapes: `\u200f`.
    assert show_control(title[:30]) in ok(cli, "card", "show", key)


def test_control_characters_are_stripped_on_the_way_in(cli: Any) -> None:
    key = ok(
        cli,
        "card",
        "add",
        "\x1b[2JClear\x1b[31m screen\x07\nnext",
        "--team",
        "IT",
        "--description",
        "one\x1b]0;title\x07\ntwo\r\nthree",
    ).strip()
    shown = js(cli, "card", "show", key)
    assert shown["title"] == "[2JClear[31m screen next"
    assert shown["description"] == "one]0;title\ntwo\nthree"
    out = ok(cli, "card", "show", key)
    assert "\x1b" not in out and "\x07" not in out
