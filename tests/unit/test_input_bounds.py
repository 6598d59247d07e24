"""Every value a command takes in is bounded where it is read: dates (1900-2200), sprint
length, whole numbers (SQLite's int64), text; a refusal is one line and exit 2."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sprintboard.demo import load_demo
from sprintboard.store import Store

HUGE = str(2**64)


def one_line_refusal(result: Any, *needles: str) -> None:
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err


@pytest.fixture
def demo_cli(cli: Any, demo_store: Store) -> Any:
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("feedback", "show", HUGE),
        ("feedback", "accept", HUGE, "--team", "IT"),
        ("feedback", "decline", HUGE, "--reason", "no"),
        ("feedback", "add", "Cart broken", "--reports", HUGE),
        ("feedback", "list", "--limit", HUGE),
        ("goal", "show", HUGE),
        ("card", "list", "--goal", HUGE),
        ("card", "add", "x", "--team", "IT", "--goal", HUGE),
        ("card", "add", "x", "--team", "IT", "--points", HUGE),
        ("card", "add", "x", "--team", "IT", "--orders", HUGE),
        ("card", "edit", "IT-1", "--points", HUGE),
        ("card", "move", "IT-1", "todo", "--position", HUGE),
        ("team", "add", "SEC", "Security", "--capacity", HUGE),
        ("team", "edit", "IT", "--throughput", HUGE),
        ("demo", "--cards", HUGE),
    ],
)
def test_numbers_past_int64_refused_in_one_line(demo_cli: Any, args: tuple[str, ...]) -> None:
    one_line_refusal(demo_cli(*args))


def test_demo_cards_bounded(cli: Any) -> None:
    one_line_refusal(cli("demo", "--cards", "1e20"), "--cards")
    one_line_refusal(cli("demo", "--cards", "1000001"), "from 1 to 1000000")


def test_demo_cards_bounded_in_the_loader_too(store: Store) -> None:
    from sprintboard.errors import UserError

    with pytest.raises(UserError, match="cards: must be 1 to 1,000,000"):
        load_demo(store, cards=10**20)


@pytest.mark.parametrize("due", ["0", "1773273600", "0999-12-31", "2201-01-01", "tomorrow"])
def test_due_must_be_a_calendar_day_in_range(cli: Any, due: str) -> None:
    result = cli("card", "add", "Promo", "--team", "MKT", "--due", due)
    one_line_refusal(result, "due: ", "between 1900-01-01 and 2200-12-31", repr(due))
    assert json.loads(cli("card", "list", "--json").out) == []


@pytest.mark.parametrize("received", ["0999-12-31", "0001-01-01T00:00:00", "9999-12-31", "0"])
def test_feedback_received_before_1900_or_after_2200_refused(cli: Any, received: str) -> None:
    one_line_refusal(cli("feedback", "add", "Cart broken", "--received", received), "received_at")
    assert cli("feedback", "list").code == 0
    assert cli("check").code in (0, 1)


@pytest.mark.parametrize(
    ("start", "end", "needle"),
    [
        ("2026-01-01", "9999-12-31", "out of range"),
        ("0001-01-01", "2026-01-01", "out of range"),
        ("1900-01-01", "2200-12-31", "at most 366"),
        ("2026-01-01", "2027-01-02", "at most 366"),
    ],
)
def test_sprint_dates_bounded(cli: Any, start: str, end: str, needle: str) -> None:
    result = cli("sprint", "add", "Long one", "--start", start, "--end", end)
    one_line_refusal(result, needle)


def test_a_year_long_sprint_is_fine(cli: Any) -> None:
    assert cli("sprint", "add", "Year", "--start", "2028-01-01", "--end", "2028-12-31").code == 0


def test_undecodable_text_refused_and_control_characters_removed(cli: Any) -> None:
    one_line_refusal(cli("card", "add", "Fix \udcff cart", "--team", "IT"), "not valid UTF-8")
    assert cli("card", "add", "Fix\x1b]52;c;aGk=\x07 cart", "--team", "IT").code == 0
    shown = json.loads(cli("card", "show", "IT-1", "--json").out)
    assert shown["title"] == "Fix]52;c;aGk= cart"
