"""The pydantic records: what is cleaned, what is refused, and how a refusal reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from sprintboard.errors import UserError
from sprintboard.models import (
    Card,
    Feedback,
    Goal,
    Member,
    Sprint,
    StockItem,
    Team,
    describe_validation_error,
    validate,
)
from sprintboard.vocabulary import CARD_KEY, strip_control


def _error(model: type[Any], **data: Any) -> str:
    """The one-line description of the error building `model` from `data` raises."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return describe_validation_error(caught.value)


# -- control characters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "one_line", "expected"),
    [
        ("\x1b[2J", True, "[2J"),
        ("\x1b[2J", False, "[2J"),
        ("a\x1b[31mred\x1b[0mb", True, "a[31mred[0mb"),
        ("bell\x07 and null\x00", False, "bell and null"),
        ("del\x7f c1\x9b", True, "del c1"),
        ("one\ntwo\r\nthree\rfour", False, "one\ntwo\nthree\nfour"),
        ("one\ntwo\r\nthree\rfour", True, "one two three four"),
        ("  tabs\tand   spaces  ", True, "tabs and spaces"),
        ("tab\tkept", False, "tab\tkept"),
        ("emoji 🛒 and RTL שלום \u200f", True, "emoji 🛒 and RTL שלום \u200f"),
    ],
)
def test_strip_control(raw: str, one_line: bool, expected: str) -> None:
    assert strip_control(raw, one_line=one_line) == expected


def test_card_title_is_one_line_and_description_keeps_newlines() -> None:
    card = Card(
        title="  Fix\x1b[2J the\ncart\r\n",
        description="Steps:\n1. add\x1b[31m item\n2. log in\x07",
        team="it",
    )
    # The title is stored as given: each line end one space, ESC gone, its spaces kept.
    assert card.title == "  Fix[2J the cart "
    assert card.description == "Steps:\n1. add[31m item\n2. log in"
    assert card.team == "IT"


def test_feedback_text_keeps_newlines_but_not_escapes() -> None:
    item = Feedback(text="line one\x1b]0;pwned\x07\nline two")
    assert item.text == "line one]0;pwned\nline two"


def test_markup_is_just_text() -> None:
    title = "[bold]x[/bold] [link=file:///etc/passwd]a[/link] [/"
    assert Card(title=title, team="IT").title == title


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", "   ", "\x1b", "\n\t\r"])
def test_empty_title_refused(title: str) -> None:
    message = _error(Card, title=title, team="IT")
    assert message.startswith("title: must not be empty")


def test_title_too_long_refused_but_500_chars_fine() -> None:
    assert len(Card(title="x" * 500, team="IT").title) == 500
    assert _error(Card, title="x" * 501, team="IT").startswith("title: ")
    assert _error(Card, title="x" * 10_001, team="IT").startswith("title:")


def test_negative_points_refused() -> None:
    message = _error(Card, title="Fix cart", team="IT", points=-3)
    assert message == "points: must be at least 0 (got -3)"
    assert Card(title="Fix cart", team="IT", points=0).points == 0


def test_sprint_end_before_start_refused_naming_end() -> None:
    message = _error(Sprint, name="S1", start="2026-05-10", end="2026-05-01")
    assert message.startswith("end: ")
    assert "2026-05-10" in message and "2026-05-01" in message
    same_day = Sprint.model_validate({"name": "S1", "start": "2026-05-10", "end": "2026-05-10"})
    assert same_day.start == same_day.end == date(2026, 5, 10)


def test_sprint_start_moved_past_end_refused_on_assignment() -> None:
    sprint = Sprint.model_validate({"name": "S1", "start": "2026-05-01", "end": "2026-05-10"})
    with pytest.raises(ValidationError):
        sprint.start = date(2026, 6, 1)


@pytest.mark.parametrize("value", ["2026-02-30", "tomorrow", "11/03/2026", ""])
def test_bad_dates_refused(value: str) -> None:
    message = _error(Sprint, name="S1", start=value, end="2026-05-10")
    assert message.startswith("start: ")


@pytest.mark.parametrize("code", ["", "1T", "a b", "IT-1", "TOOLONGCODE", "É"])
def test_bad_team_code_refused(code: str) -> None:
    message = _error(Team, code=code, name="Team")
    assert message.startswith("code: must be 1-8 letters or digits")
    assert repr(code) in message


def test_team_code_upper_cased_and_colour_lower_cased() -> None:
    team = Team(code=" sec ", name="Security", colour="#ABCDEF")
    assert (team.code, team.colour) == ("SEC", "#abcdef")


@pytest.mark.parametrize(
    "colour", ["rouge", "#abcd", "#12345g", "123456", "#1234567", "red;}body{x:y", "#fff;"]
)
def test_bad_colour_refused(colour: str) -> None:
    message = _error(Team, code="SEC", name="Security", colour=colour)
    assert message == (
        f"colour: must be a colour: #rgb, #rrggbb or a name like red or teal (got {colour!r})"
    )


@pytest.mark.parametrize(("given", "stored"), [("red", "#ff0000"), ("#AbC", "#aabbcc")])
def test_colour_names_and_short_hex_stored_as_rrggbb(given: str, stored: str) -> None:
    assert Team(code="SEC", name="Security", colour=given).colour == stored


def test_unknown_field_refused() -> None:
    assert _error(Card, title="x", team="IT", colour="red").startswith("colour: ")


def test_enum_choice_lists_what_is_allowed() -> None:
    message = _error(Card, title="x", team="IT", status="wip")
    assert message.startswith("status: must be one of ")
    assert "'doing'" in message and "(got 'wip')" in message


def test_other_records_refuse_bad_values() -> None:
    assert _error(Member, team="IT", name="").startswith("name: must not be empty")
    assert _error(Goal, title="").startswith("title: must not be empty")
    assert _error(Goal, title="x", status="fine").startswith("status: must be one of")
    assert _error(Feedback, text="x", reports=0).startswith("reports: ")
    assert _error(Feedback, text="").startswith("text: must not be empty")
    assert _error(StockItem, sku="GF-1", on_hand=-1).startswith("on_hand: ")
    assert _error(StockItem, sku="", on_hand=1).startswith("sku: must not be empty")


def test_new_member_starts_with_unticked_onboarding() -> None:
    member = Member(team="IT", name="Ada")
    assert member.onboarding and not any(member.onboarding.values())


# -- describing errors -----------------------------------------------------------------------


def test_describe_validation_error_is_one_line_with_field_and_value() -> None:
    message = _error(Card, title="Fix cart", team="IT", points=-3, due="2026-02-30")
    assert "\n" not in message
    assert message.startswith("points: ") and "(got -3)" in message


def test_describe_validation_error_shortens_long_values_and_escapes_newlines() -> None:
    message = _error(Team, code="X\n" + "Y" * 200, name="Team")
    assert "\n" not in message
    assert message.startswith("code: ")
    assert message.endswith("...)")
    assert len(message) < 200


def test_validate_raises_user_error_with_the_same_line() -> None:
    with pytest.raises(UserError) as caught:
        validate(Card, {"title": "x", "team": "IT", "points": -1})
    assert str(caught.value) == "points: must be at least 0 (got -1)"
    assert validate(Card, {"title": "x", "team": "it"}).team == "IT"


@pytest.mark.parametrize(
    ("key", "ok"),
    [("IT-1", True), ("ECOM-42", True), ("IT-0", False), ("IT-01", False), ("it-1", False)],
)
def test_card_key_pattern(key: str, ok: bool) -> None:
    assert bool(CARD_KEY.match(key)) is ok
